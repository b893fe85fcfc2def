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

static uint64_t hash(const char *host, const char *command)
{
	return fnv_field(fnv_field(FNV_OFFSET, host, strlen(host)), command,
			 strlen(command));
}

/* A task as the log names it. */
struct task_key {
	const char *host, *command;
};

static bool row_matches(const void *log, size_t idx, const void *key)
{
	const struct joblog_row *row = &((const struct joblog *)log)->rows[idx];
	const struct task_key *k = key;

	return strcmp(row->host, k->host) == 0 &&
	       strcmp(row->command, k->command) == 0;
}

void resume_init(struct resume *r, struct joblog *log)
{
	*r = (struct resume){ .log = *log };
	*log = (struct joblog){ 0 };
	table_init(&r->last, row_matches);
	/* From the end: a task's last row is the first one met. */
	for (size_t k = r->log.n; k-- > 0;) {
		const struct joblog_row *row = &r->log.rows[k];
		const struct task_key key = { row->host, row->command };

		table_intern(&r->last, &r->log, hash(row->host, row->command),
			     &key, k);
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
	const struct task_key key = { host, command };
	size_t k = table_find(&r->last, &r->log, hash(host, command), &key);
	const struct joblog_row *row = k == TABLE_NONE ? NULL : &r->log.rows[k];

	return row && row->exitval == 0 && row->signal == 0;
}

void resume_free(struct resume *r)
{
	table_free(&r->last);
	joblog_free(&r->log);
	*r = (struct resume){ 0 };
}
