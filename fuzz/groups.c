/*
 * libFuzzer target: node-group files as --groups-file reads them.  The
 * input is "KIND TEXT\0EXPR\0YAML\0LOCAL": KIND's low bits pick the file
 * that TEXT becomes (groups.conf, a *.yaml file, or a plain "NAME: LIST"
 * file); beside groups.conf are YAML, a *.yaml file of its directory, and
 * LOCAL, its plain "groups" file (ClusterShell's [local]).  EXPR is a host
 * list that names groups, its first line only (an error quotes the list as
 * given).  Never a crash or a leak; a failure is one line; what resolves
 * folds (hostfold) into a list that reads back, without the groups, as the
 * same hosts.
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

static const char *const names[] = { "groups.conf", "g.yaml", "groups" };
static char dir[64];

static void dir_empty(void)
{
	char path[128];

	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[k]);
		unlink(path);
	}
}

static void dir_remove(void)
{
	dir_empty();
	rmdir(dir);
}

/* A directory only this process writes, made once and removed at exit;
   emptied per input so that no file of an input before is read. */
static void dir_init(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/rr-fuzz-groups-XXXXXX");
		assert(mkdtemp(dir));
		atexit(dir_remove);
	}
	dir_empty();
}

static const char *put(const char *name, const char *text, size_t len)
{
	static char path[3][128];
	size_t k = 0;

	while (strcmp(names[k], name) != 0)
		k++;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	FILE *f = fopen(path[k], "w");
	assert(f);
	assert(fwrite(text, 1, len, f) == len);
	assert(fclose(f) == 0);
	return path[k];
}

/* A message: said, and on one line. */
static void one_line(const char *err)
{
	assert(err[0]);
	assert(!strchr(err, '\n'));
}

static void round_trip(const struct hosts *h)
{
	const char **mine = names_of(h), **back;
	char *folded = hostfold(mine, h->n), err[1024];
	struct hosts again = { 0 };

	if (h->n) {
		assert(hosts_add_list(&again, folded, err, sizeof err) == 0);
		back = names_of(&again);
		assert(again.n == h->n);
		for (size_t k = 0; k < h->n; k++)
			assert(strcmp(mine[k], back[k]) == 0);
		free(back);
	}
	hosts_free(&again);
	free(folded);
	free(mine);
}

/* The field after s, or the empty string at end when there is none. */
static char *after(char *s, char *end)
{
	s += strlen(s) + 1;
	return s > end ? end : s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *text, *expr, *yaml, *local, err[1024];
	struct hostgroups g = { 0 };
	struct hosts h = { .groups = &g,
			   .budget = { .max_hosts = MAX_HOSTS, .max_bytes = MAX_BYTES } };
	unsigned kind;

	if (size == 0)
		return 0;
	kind = data[0] % 3;
	copy = malloc(size + 3);
	assert(copy);
	memcpy(copy, data + 1, size - 1);
	memset(copy + size - 1, 0, 4);
	text = copy;
	expr = after(text, copy + size - 1);
	yaml = after(expr, copy + size - 1);
	local = after(yaml, copy + size - 1);

	expr[strcspn(expr, "\n")] = '\0';
	dir_init();
	if (kind == 0) {
		put("g.yaml", yaml, strlen(yaml));
		put("groups", local, strlen(local));
	}
	hostgroups_add_file(&g, put(names[kind], text, strlen(text)));
	if (hostgroups_load(&g, err, sizeof err) < 0)
		one_line(err);
	if (hosts_add_list(&h, expr, err, sizeof err) == 0) {
		assert(h.n <= MAX_HOSTS && h.budget.bytes <= MAX_BYTES);
		round_trip(&h);
	} else {
		one_line(err);
		assert(!g.depth);
	}
	hosts_free(&h);
	hostgroups_free(&g);
	free(copy);
	return 0;
}
