/* Job control around the run: --joblog, --resume-failed, --resume. */
#include "jobs/control.h"

#include <stdio.h>
#include <time.h>

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int control_resume(struct control *c, const struct options *o)
{
	char err[512];

	*c = (struct control){ .log = { .fd = -1 } };
	if (!o->resume_failed && !o->resume)
		return 0;
	if (resume_load(&c->resume, o->resume ? o->joblog : o->resume_failed,
			err, sizeof err) < 0) {
		fprintf(stderr, "ringrun: %s: %s\n", o->resume ?
			"--resume" : "--resume-failed", err);
		return -1;
	}
	c->resuming = true;
	c->resume_any = o->resume;
	return 0;
}

int control_init(struct control *c, const struct options *o)
{
	char err[512];

	/* The old rows first: --joblog may name the same file. */
	if (control_resume(c, o) < 0)
		return -1;
	c->epoch_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	if (o->joblog) {
		if (joblog_open(&c->log, o->joblog, err, sizeof err) < 0) {
			fprintf(stderr, "ringrun: --joblog: %s\n", err);
			return -1;
		}
		c->logging = true;
	}
	return 0;
}

static const char *host_of(const struct task_info *t)
{
	return t->host ? t->host : JOBLOG_LOCAL_HOST;
}

bool control_done(const struct control *c, const struct task_info *t)
{
	enum resume_state s;

	if (!c->resuming)
		return false;
	s = resume_find(&c->resume, host_of(t), t->seq, t->command);
	return s == RESUME_DONE || (c->resume_any && s == RESUME_FAILED);
}

/*
 * Exitval and Signal: how the command ended by itself, else -1 and 0; as
 * parallel writes them, a signal it was not sent by us leaves Exitval 0
 * and one we sent (a timeout, a stop) -1.  A task that was not ok never
 * looks ok (one we cancelled may have exited 0).
 */
static void how_it_ended(const struct task_info *t, const struct rr_result *r,
			 int *exitval, int *sig)
{
	bool ran = ran_to_end(t, r);

	*exitval = ran && (r->exit_code >= 0 || r->status == RR_SIGNALED) ?
		   (r->exit_code >= 0 ? r->exit_code : 0) : -1;
	*sig = ran && r->exit_code < 0 ? -r->exit_code : 0;
	if (r->status != RR_OK && *exitval == 0 && *sig == 0)
		*exitval = -1;
}

int control_log(struct control *c, const struct task_info *t,
		const struct rr_result *r)
{
	uint64_t start = r->start_ns ? r->start_ns : (uint64_t)clock_ns(CLOCK_MONOTONIC);
	struct joblog_row row = {
		.seq = t->seq,
		.host = host_of(t),
		.start_ms = (uint64_t)((int64_t)start + c->epoch_ns) / 1000000,
		.runtime_ms = r->start_ns && r->end_ns > r->start_ns ?
			      (r->end_ns - r->start_ns) / 1000000 : 0,
		.send = r->start_ns ? t->sent : 0,
		.receive = r->out.total,
		.command = t->command,
	};

	if (!c->logging || c->log.error)
		return 0;
	how_it_ended(t, r, &row.exitval, &row.signal);
	return joblog_write(&c->log, &row);
}

void control_free(struct control *c)
{
	if (c->resuming)
		resume_free(&c->resume);
	joblog_close(&c->log);
	*c = (struct control){ .log = { .fd = -1 } };
}
