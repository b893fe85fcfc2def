/*
 * libFuzzer target: the summary line and the --failed list.  The input is
 * host names, one per line; the first byte of each decides how its task
 * ended (ok, failed, unreachable).  The line is one line that counts every
 * host, holds a short folded list whole, and the --failed list is exactly
 * the failed and unreachable names, folded on one line (as nodeset -f).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "hosts/hostfold.h"
#include "output/summary.h"

#define MAX_HOSTS 256

/* The names of the hosts that ended so, folded: whole in the line when
   short. */
static void check_list(const struct hosts *h, const struct summary *s,
		       enum task_end how, const char *line)
{
	const char *names[MAX_HOSTS];
	size_t n = 0;

	for (size_t k = 0; k < h->n; k++)
		if (s->host[k].worst == how)
			names[n++] = h->v[k].name;
	if (n) {
		char *folded = hostfold(names, n);

		assert(strlen(folded) > 50 || strstr(line, folded));
		free(folded);
	}
}

static void check(const struct hosts *h, struct summary *s)
{
	struct buf line = BUF_INIT, failed = BUF_INIT, want = BUF_INIT;
	const char *names[MAX_HOSTS];
	size_t n = 0;

	summary_format(s, &line, false);
	summary_failed_list(s, &failed);
	assert(line.len && strncmp(line.data, "ringrun: ", 9) == 0);
	assert(strchr(line.data, '\n') == line.data + line.len - 1);
	check_list(h, s, TASK_FAILED, line.data);
	check_list(h, s, TASK_UNREACHABLE, line.data);
	for (size_t k = 0; k < h->n; k++)
		if (s->host[k].worst != TASK_OK)
			names[n++] = h->v[k].name;
	if (n) {
		char *folded = hostfold(names, n);

		buf_adds(&want, folded);
		buf_addc(&want, '\n');
		free(folded);
	}
	assert(failed.len == want.len &&
	       (!want.len || memcmp(failed.data, want.data, want.len) == 0));
	buf_free(&line);
	buf_free(&failed);
	buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *save = NULL;
	struct host_spec spec[MAX_HOSTS];
	struct hosts h = { .v = spec };
	struct summary s;

	assert(copy);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *l = strtok_r(copy, "\n", &save); l && h.n < MAX_HOSTS;
	     l = strtok_r(NULL, "\n", &save))
		spec[h.n++] = (struct host_spec){ .name = l };
	summary_init_fleet(&s, &h, 1);
	for (size_t k = 0; k < h.n; k++) {
		const struct task_info t = { .seq = k + 1, .tag = "x", .tag_len = 1 };

		summary_task(&s, &t, k, (enum task_end)((uint8_t)spec[k].name[0] % 3));
	}
	check(&h, &s);
	summary_free(&s);
	free(copy);
	return 0;
}
