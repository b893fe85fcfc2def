/* --resume-failed: which tasks a job log says have succeeded. */
#include "jobs/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fnv.h"
#include "jobs/input.h"
#include "util/xalloc.h"

static uint64_t hash(const char *host, const char *command)
{
	return fnv_field(fnv_field(FNV_OFFSET, host, strlen(host)), command,
			 strlen(command));
}

/* The slot of this task: its row's, or the empty one it would take. */
static size_t find(const struct resume *r, const char *host,
		   const char *command)
{
	size_t k = (size_t)hash(host, command) & (r->cap - 1);

	while (r->table[k] && (strcmp(r->table[k]->host, host) ||
			       strcmp(r->table[k]->command, command)))
		k = (k + 1) & (r->cap - 1);
	return k;
}

void resume_init(struct resume *r, struct joblog *log)
{
	size_t cap = 16;

	while (cap < 2 * log->n)
		cap *= 2;
	*r = (struct resume){
		.log = *log,
		.table = xcalloc(cap, sizeof *r->table),
		.cap = cap,
	};
	*log = (struct joblog){ 0 };
	/* Later rows of a task replace earlier ones. */
	for (size_t k = 0; k < r->log.n; k++) {
		const struct joblog_row *row = &r->log.rows[k];

		r->table[find(r, row->host, row->command)] = row;
	}
}

int resume_load(struct resume *r, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct joblog log = { 0 };
	char *mem = NULL, why[256];
	size_t len = 0;
	int e = fd < 0 ? (errno == ENOENT ? 0 : -errno) : input_read(fd, &mem, &len);

	if (fd >= 0)
		close(fd);
	if (e < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return -1;
	}
	e = joblog_parse(&log, mem ? mem : "", len, why, sizeof why);
	free(mem);
	if (e < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	resume_init(r, &log);
	return 0;
}

bool resume_done(const struct resume *r, const char *host, const char *command)
{
	const struct joblog_row *row = r->table[find(r, host, command)];

	return row && row->exitval == 0 && row->signal == 0;
}

void resume_free(struct resume *r)
{
	free(r->table);
	joblog_free(&r->log);
	*r = (struct resume){ 0 };
}
