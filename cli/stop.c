/*
 * How a run stops before its end: a signal, a closed stdout or --halt now
 * stops it (no task starts, every running one gets the first signal of
 * --term-seq and the library goes on with the rest), and the loop turns
 * until each has ended.  A second signal while it stops ends ringrun at
 * once, saying what may be left.
 */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hosts/hostfold.h"
#include "jobs/tty.h"
#include "runner.h"
#include "util/xalloc.h"

/* What a stop sends first. */
static int first_signal(const struct runner *r)
{
	return r->o->term_seq.n ? r->o->term_seq.step[0].sig : SIGTERM;
}

static void stop_job(struct runner *r, struct job *j, void *arg)
{
	(void)arg;
	if (j->task)
		rr_task_kill(j->task, first_signal(r));
}

/* The tasks past --timeout N%: killed and said; the next one's time. */
struct rel_check {
	uint64_t now, limit;
	uint64_t next; /* ns until the next running task passes it; 0: none */
};

/* N% as the user wrote it: "150", "1.5" (mpct: N in thousandths). */
static const char *percent(char *s, size_t size, uint64_t mpct)
{
	int n = snprintf(s, size, "%llu.%03llu", (unsigned long long)(mpct / 1000),
			 (unsigned long long)(mpct % 1000));

	assert(n > 0 && (size_t)n < size);
	while (s[n - 1] == '0')
		s[--n] = '\0';
	if (s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

static void check_rel_timeout(struct runner *r, struct job *j, void *arg)
{
	struct rel_check *c = arg;
	const struct rr_result *res;
	uint64_t ran;
	char pct[32];

	if (!j->task || j->waiting || j->rel_killed || rr_task_done(j->task))
		return;
	res = rr_task_result(j->task);
	/* Not started yet (it starts on the next turn): it will have run less
	   than the limit when the limit has passed from now. */
	ran = res->start_ns && c->now > res->start_ns ? c->now - res->start_ns : 0;
	if (ran < c->limit) {
		if (!c->next || c->limit - ran < c->next)
			c->next = c->limit - ran;
		return;
	}
	j->rel_killed = true;
	j->info.reported = true; /* said here, not as "cancelled" */
	output_note(&r->out, "'%s' timed out: ran past %s%% of the median "
		    "runtime (%.3f s)", j->info.command,
		    percent(pct, sizeof pct, r->o->timeout_mpct),
		    (double)c->limit / 1e9);
	rr_task_kill(j->task, first_signal(r));
}

void run_rel_timeouts(struct runner *r)
{
	struct rel_check c = { .now = now_ns(),
			       .limit = rel_timeout_limit_ns(&r->rel_timeout) };

	if (!c.limit)
		return;
	run_each_job(r, check_rel_timeout, &c);
	if (c.next)
		rel_timeout_wake(&r->rel_timeout, c.next);
}

void run_stop(struct runner *r)
{
	r->stopping = true;
	retries_cancel(r);
	run_each_job(r, stop_job, NULL);
}

/* What a second signal leaves: tasks that had not ended, and the hosts of
   the remote ones. */
struct left {
	unsigned n;
	const char **hosts;
	size_t nhosts;
};

/* Killed (SIGKILL, which a remote one's never gets) and counted. */
static void abandon_job(struct runner *r, struct job *j, void *arg)
{
	struct left *l = arg;

	(void)r;
	if (!j->task || rr_task_done(j->task))
		return;
	l->n++;
	rr_task_kill(j->task, SIGKILL);
	if (j->info.host)
		l->hosts[l->nhosts++] = j->info.host;
}

/* Slots of the run, local and remote. */
static size_t all_slots(const struct runner *r)
{
	size_t n = r->slots.n;

	for (unsigned k = 0; k < r->fleet.nslots; k++)
		n += r->fleet.slot[k].chans.n;
	return n;
}

void run_abandon(struct runner *r)
{
	struct left l = { .hosts = xcalloc(all_slots(r) + 1, sizeof *l.hosts) };
	char *folded;

	run_each_job(r, abandon_job, &l);
	folded = hostfold(l.hosts, l.nhosts);
	tty_restore(&r->tty);
	feedback_erase(&r->feedback);
	if (!l.n)
		output_note(&r->out, "second signal: stopped at once");
	else if (l.nhosts)
		output_note(&r->out, "second signal: stopped at once; %u task%s "
			    "had not ended, on %s: %s may still run there", l.n,
			    l.n == 1 ? "" : "s", folded, l.n == 1 ? "it" : "they");
	else
		output_note(&r->out, "second signal: stopped at once; %u task%s "
			    "had not ended: killed (SIGKILL to %s process group%s)",
			    l.n, l.n == 1 ? "" : "s", l.n == 1 ? "its" : "their",
			    l.n == 1 ? "" : "s");
	output_flush(&r->out);
	/* No loop turn, no clean-up: what is left is the kernel's to close. */
	_exit(r->status);
}
