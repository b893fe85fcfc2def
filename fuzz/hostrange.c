/*
 * Host lists, the whole -w grammar (ranges, steps, set operators, pdsh's
 * -HOST and /RE/ filters, @groups of a fixed group file): never a crash,
 * never more than the bound; folding what came out and reading that again
 * gives the same set.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts/hostfold.h"
#include "hosts/hosts.h"
#include "hostnames.h"

#define MAX_HOSTS 4096
#define MAX_BYTES ((size_t)256 << 10)

/* Groups with ranges, operators, nesting, block lists and a cycle. */
static const char groups_yaml[] =
	"s:\n"
	"  a: 'n[1-4]'\n"
	"  b: '@a!n2,x[01-03/2]'\n"
	"  c: '@b&@a'\n"
	"  d: '@e'\n"
	"  e: '@d'\n"
	"  g1: 'y1 y2'\n"
	"  g2:\n"
	"    - 'z[1-3]'\n"
	"    - '@s:g1'\n"
	"t:\n"
	"  all: '@s:a,w[1-2]'\n";

static struct hostgroups groups;

/* The group file, written once where only this process looks. */
static void groups_init(void)
{
	static char path[64];

	if (groups.nfiles)
		return;
	snprintf(path, sizeof path, "/tmp/rr-fuzz-groups-%ld.yaml", (long)getpid());
	FILE *f = fopen(path, "w");
	assert(f);
	fputs(groups_yaml, f);
	assert(fclose(f) == 0);
	hostgroups_add_file(&groups, path);
	char err[256];
	assert(hostgroups_load(&groups, err, sizeof err) == 0);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = malloc(size + 1), err[1024];
	struct hosts h = { .groups = &groups,
			   .budget = { .max_hosts = MAX_HOSTS, .max_bytes = MAX_BYTES } };
	struct hosts x = { .groups = &groups }, again = { 0 };

	groups_init();
	memcpy(list, data, size);
	list[size] = '\0';
	if (hosts_select(&h, &x, list, err, sizeof err) == 0)
		hosts_exclude(&h, &x);
	else
		assert(err[0] && !groups.depth);
	assert(h.n <= MAX_HOSTS && h.budget.bytes <= MAX_BYTES);

	const char **mine = names_of(&h);
	char *folded = hostfold(mine, h.n);
	if (h.n) {
		assert(hosts_add_list(&again, folded, err, sizeof err) == 0);
		const char **back = names_of(&again);
		assert(again.n == h.n);
		for (size_t k = 0; k < h.n; k++)
			assert(strcmp(mine[k], back[k]) == 0);
		free(back);
	}
	free(folded);
	free(mine);
	hosts_free(&again);
	hosts_free(&h);
	hosts_free(&x);
	free(list);
	return 0;
}
