/* --exit-status: ringrun's exit status in another tool's terms. */
#include "jobs/exitstatus.h"

#include "util/names.h"

/* What ssh exits with when it could not tell the remote status. */
#define SSH_FAILED 255

/* GNU parallel's exit status counts failed jobs up to this. */
#define PARALLEL_MAX_FAILED 101

const char *exit_style_parse(const char *s, enum exit_style *style)
{
	static const char *const names[] = {
		[EXIT_RINGRUN] = "ringrun",
		[EXIT_MAX] = "max",
		[EXIT_ZERO] = "zero",
		[EXIT_PSSH] = "pssh",
		[EXIT_PARALLEL] = "parallel",
	};

	int m = NAME_INDEX(names, s);

	if (m < 0)
		return "unknown style (ringrun, max, zero, pssh, parallel)";
	*style = (enum exit_style)m;
	return NULL;
}

void exit_tally_add(struct exit_tally *t, const struct rr_result *r, bool ran)
{
	int status = SSH_FAILED;

	if (r->status == RR_OK)
		return;
	/* Killed here (pssh's "killed"); one a signal ended there made ssh
	   exit 255. */
	if (r->status == RR_CANCELLED || r->status == RR_TIMEOUT ||
	    r->status == RR_IDLE_TIMEOUT)
		t->killed = true;
	else if (ran && r->exit_code >= 0)
		status = r->exit_code;
	if (status == SSH_FAILED)
		t->s255 = true;
	if (r->status != RR_CANCELLED) {
		t->failed++;
		t->last = status;
	}
	if (status > t->max)
		t->max = status;
}

void exit_tally_ok(struct exit_tally *t)
{
	t->last = 0;
}

void exit_tally_halt(struct exit_tally *t)
{
	t->halted = true;
	t->halt_status = t->last;
}

int exit_tally_status(const struct exit_tally *t, enum exit_style s,
		      int ringrun_status)
{
	switch (s) {
	case EXIT_RINGRUN:
		break;
	case EXIT_MAX:
		return t->max;
	case EXIT_ZERO:
		return 0;
	case EXIT_PSSH:
		return t->killed ? 3 : t->s255 ? 4 : t->max ? 5 : 0;
	case EXIT_PARALLEL:
		if (t->halted)
			return t->halt_status;
		return t->failed < PARALLEL_MAX_FAILED ? (int)t->failed :
		       PARALLEL_MAX_FAILED;
	}
	return ringrun_status;
}
