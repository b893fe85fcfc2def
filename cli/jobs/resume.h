/*
 * --resume-failed: which tasks a job log says have succeeded.  A task is
 * known by its host (":" when local) and its command, as the log has them;
 * the last row of a task decides: Exitval 0 and Signal 0 is done, anything
 * else (and a task the log does not have) is to run.
 */
#ifndef CLI_RESUME_H
#define CLI_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs/joblog.h"
#include "util/table.h"

struct resume {
	struct joblog log;  /* the rows */
	struct table last;  /* each task's last row in log.rows */
};

/* The tasks of a parsed log (taken over: freed with the set). */
void resume_init(struct resume *r, struct joblog *log);

/*
 * Read path as a job log.  A file that does not exist has no task (a first
 * run).  Returns 0, or -1 with "<path>: <why>" or "<path>: line N: <why>"
 * in err.
 */
int resume_load(struct resume *r, const char *path, char *err, size_t errlen);

/* Did the task with this host and command succeed in the log? */
bool resume_done(const struct resume *r, const char *host, const char *command);

void resume_free(struct resume *r);

#endif
