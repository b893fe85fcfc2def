/*
 * Job control around the run: the job log written as tasks end
 * (--joblog) and the tasks a log has as done (--resume-failed) or at all
 * (--resume).
 */
#ifndef CLI_CONTROL_H
#define CLI_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "jobs/joblog.h"
#include "options.h"
#include "output/output.h"
#include "jobs/resume.h"

struct control {
	bool logging;          /* --joblog */
	struct joblog_file log;
	bool resuming;         /* --resume-failed, --resume */
	bool resume_any;       /* --resume: a task the log has ran, ok or not */
	struct resume resume;
	int64_t epoch_ns;      /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/*
 * Read the log to resume from and open the job log, as the options ask.
 * Returns 0, or -1 after a "ringrun: ..." line on stderr.
 */
int control_init(struct control *c, const struct options *o);

/* Only the log to resume from, as control_init() reads it (--dry-run
   writes no job log). */
int control_resume(struct control *c, const struct options *o);

/* --resume-failed, --resume: has the log task t as done (so it does not
   run)? */
bool control_done(const struct control *c, const struct task_info *t);

/*
 * --joblog: task t ended with r (its last attempt).  Returns 0, or the
 * errno of the write that failed, once: later rows are not written.
 */
int control_log(struct control *c, const struct task_info *t,
		const struct rr_result *r);

void control_free(struct control *c);

#endif
