/* control.c - rr_task_signal: a signal is delivered and nothing more (no
 * cancel, no SIGKILL after it), to the group or to the leader only. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_control, .timeout = TEST_TIMEOUT);

static bool line_is(const char *d, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(d, s, n) == 0;
}

/* ------------------------------------------------- a trapped signal */

struct usr1 {
	struct lines lines;
	int rc;
};

/* "ready": the trap is set, send it; "got": the trap ran, let it end. */
static void usr1_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct usr1 *x = u;

	lines_add(&x->lines, s, d, n);
	if (line_is(d, n, "ready"))
		x->rc = rr_task_signal(t, SIGUSR1, 0);
	else if (line_is(d, n, "got"))
		cr_assert_eq(rr_task_write(t, "x\n", 2), 0);
}

/* dash's read returns when a trapped signal interrupts it: read again. */
Test(lib_control, trapped_usr1_continues_and_ends_ok)
{
	rr_loop *loop = loop_new(0, 0);
	struct usr1 x = {.rc = 99};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = usr1_line, .user = &x,
			    .kill_grace_ms = 1};
	const struct rr_result *r = run_shell(
		loop, "trap 'echo got' USR1; echo ready; until read v; do :; done; echo \"end $v\"",
		&o);

	cr_assert_eq(x.rc, 0, "rr_task_signal: %s", rr_strerror(x.rc));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(x.lines.n, 3);
	expect_line(&x.lines, 1, RR_STDOUT, "got");
	expect_line(&x.lines, 2, RR_STDOUT, "end x");
	lines_free(&x.lines);
	free_loop(loop);
}

/* ------------------------------------------------- SIGTERM, no SIGKILL */

static void term_on_pid(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s, (void)d, (void)n;
	*(int *)u = rr_task_signal(t, SIGTERM, 0);
}

/* Not trapped, it dies of it: signaled, not cancelled; the group got it. */
Test(lib_control, sigterm_not_trapped_is_signaled)
{
	rr_loop *loop = loop_new(0, 0);
	int rc = 99;
	struct rr_opts o = {.on_line = term_on_pid, .user = &rc};
	const struct rr_result *r = run_shell(loop, "sleep 7401 & echo $!; wait", &o);
	long bg = strtol(r->out.data, NULL, 10);

	cr_assert_eq(rc, 0);
	expect_status(r, RR_SIGNALED, -SIGTERM);
	cr_assert_gt(bg, 0);
	cr_assert(pid_dead((pid_t)bg, HANG_GUARD_MS), "the group did not get it");
	free_loop(loop);
}

struct trapped {
	rr_timer *timer;
	rr_task *task;
	int rc;
};

static void trapped_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct trapped *x = u;

	(void)s;
	if (line_is(d, n, "ready"))
		x->rc = rr_task_signal(t, SIGTERM, 0);
	else if (line_is(d, n, "term")) /* a kill grace of 1 ms is far behind */
		rr_timer_start(x->timer, 200);
}

static void trapped_timer(rr_timer *tm, void *u)
{
	struct trapped *x = u;

	(void)tm;
	cr_assert_eq(rr_task_write(x->task, "x\n", 2), 0);
}

/*
 * Trapped, it lives on and ends on its own, by a line we send it.  A
 * SIGKILL that followed the signal would come kill_grace_ms (1 ms) after
 * it: the timer that sends the line is set later and for longer, on the
 * same deadline heap, so that SIGKILL would come first.
 */
Test(lib_control, sigterm_trapped_lives_on_no_sigkill_follows)
{
	rr_loop *loop = loop_new(0, 0);
	struct trapped x = {.rc = 99};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = trapped_line, .user = &x,
			    .kill_grace_ms = 1};

	x.timer = rr_timer_new(loop, trapped_timer, &x);
	cr_assert(x.timer);
	x.task = shell_task(loop,
			    "trap 'echo term' TERM; echo ready; until read v; do :; done; "
			    "echo \"end $v\"",
			    &o);
	const struct rr_result *r = wait_task(x.task);

	cr_assert_eq(x.rc, 0);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "ready\nterm\nend x\n");
	rr_timer_free(x.timer);
	free_loop(loop);
}

/* ------------------------------------------------- the leader only */

struct leader {
	struct lines lines;
	unsigned flags;
	int rc;
	bool wrote;
};

/* "child-ready": both traps are set.  Then once the leader said it got
 * it (and, sent to the group, the child too), the child may end. */
static void leader_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct leader *x = u;
	bool child_got = false;

	lines_add(&x->lines, s, d, n);
	for (size_t i = 0; i < x->lines.n; i++)
		child_got |= line_is(x->lines.v[i].data, x->lines.v[i].len, "child-got");
	if (line_is(d, n, "child-ready"))
		x->rc = rr_task_signal(t, SIGUSR1, x->flags);
	else if (!x->wrote && (line_is(d, n, "leader-got") || line_is(d, n, "child-got"))) {
		bool leader_got = false;

		for (size_t i = 0; i < x->lines.n; i++)
			leader_got |= line_is(x->lines.v[i].data, x->lines.v[i].len,
					      "leader-got");
		if (leader_got && (child_got || (x->flags & RR_SIG_LEADER))) {
			x->wrote = true;
			cr_assert_eq(rr_task_write(t, "x\n", 2), 0);
			cr_assert_eq(rr_task_close_stdin(t), 0);
		}
	}
}

/* The leader waits for its child; both trap USR1.  The child reads from
 * fd 3, our stdin: a background job's fd 0 is /dev/null. */
static const char leader_script[] =
	"trap 'echo leader-got' USR1; exec 3<&0; "
	"sh -c 'trap \"echo child-got\" USR1; echo child-ready; "
	"until read v <&3; do :; done; echo \"child-end $v\"' & "
	"until wait $!; do :; done; echo leader-end";

static void run_leader(struct leader *x)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = leader_line, .user = x};
	const struct rr_result *r = run_shell(loop, leader_script, &o);

	cr_assert_eq(x->rc, 0, "rr_task_signal: %s", rr_strerror(x->rc));
	expect_status(r, RR_OK, 0);
	free_loop(loop);
}

static bool has_line(const struct lines *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (line_is(l->v[i].data, l->v[i].len, s))
			return true;
	return false;
}

Test(lib_control, leader_only_reaches_the_shell_not_its_child)
{
	struct leader x = {.flags = RR_SIG_LEADER, .rc = 99};

	run_leader(&x);
	cr_assert(has_line(&x.lines, "leader-got"));
	cr_assert(has_line(&x.lines, "child-end x"));
	cr_assert(has_line(&x.lines, "leader-end"));
	cr_assert_not(has_line(&x.lines, "child-got"), "the child got the signal");
	lines_free(&x.lines);
}

/* The same script, the signal to the group: the child's trap runs too. */
Test(lib_control, group_reaches_the_child_too)
{
	struct leader x = {.flags = 0, .rc = 99};

	run_leader(&x);
	cr_assert(has_line(&x.lines, "leader-got"));
	cr_assert(has_line(&x.lines, "child-got"));
	cr_assert(has_line(&x.lines, "child-end x"));
	lines_free(&x.lines);
}

/* ------------------------------------------------- SIGSTOP, SIGCONT */

/* The state of every live process whose group is pgid: true when each is
 * stopped (T) and there is at least one. */
static char seen_states[512]; /* "pid:state ..." of the last look */

static bool group_stopped(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int members = 0, stopped = 0;
	size_t at = 0;

	seen_states[0] = '\0';

	cr_assert(d);
	while ((e = readdir(d))) {
		char path[64], buf[512], state;
		long pid = strtol(e->d_name, NULL, 10), grp;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		char *close_paren = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (!close_paren || sscanf(close_paren + 2, "%c %*d %ld", &state, &grp) != 2 ||
		    grp != pgid)
			continue;
		if (at < sizeof seen_states - 32)
			at += (size_t)snprintf(seen_states + at, sizeof seen_states - at,
					       "%ld:%c ", pid, state);
		if (state == 'Z' || state == 'X')
			continue;
		members++;
		stopped += state == 'T';
	}
	closedir(d);
	return members > 0 && stopped == members;
}

/* Each line answers the one we wrote; while it may run, write the next. */
struct ticks {
	int lines;
	bool hold; /* stopped: no ping-pong */
};

static void tick_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct ticks *k = u;

	(void)s, (void)d, (void)n;
	k->lines++;
	if (!k->hold)
		cr_assert_eq(rr_task_write(t, "t\n", 2), 0);
}

static void fired(rr_timer *tm, void *u)
{
	(void)tm;
	*(bool *)u = true;
}

/* Loop turns until a timer of ms has fired. */
static void turns_for(rr_loop *loop, uint64_t ms)
{
	bool done = false;
	rr_timer *tm = rr_timer_new(loop, fired, &done);

	cr_assert(tm);
	rr_timer_start(tm, ms);
	while (!done)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	rr_timer_free(tm);
}

/*
 * Stopped, it reads none of the lines written meanwhile and writes nothing;
 * continued, it answers them and ends on its own.  Only builtins run in the
 * loop: a shell stopped while it vforks a command is in state D, not T,
 * until that child runs on.
 */
Test(lib_control, sigstop_then_sigcont)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks k = {0};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = tick_line, .user = &k,
			    .stdout_mode = RR_IO_CALLBACK};
	rr_task *t = shell_task(loop, "while read x; do echo \"tick $x\"; done; echo end", &o);

	cr_assert_eq(rr_task_write(t, "t\n", 2), 0);
	while (k.lines < 3) /* it runs and answers */
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	k.hold = true;
	pid_t pgid = rr_task_result(t)->pid;
	cr_assert_eq(rr_task_signal(t, SIGSTOP, 0), 0);
	uint64_t guard = now_ns() + (uint64_t)HANG_GUARD_MS * 1000000;
	while (!group_stopped(pgid)) {
		cr_assert_lt(now_ns(), guard, "the group never stopped: %s", seen_states);
		turns_for(loop, 5);
	}
	turns_for(loop, 20); /* an answer already written is read now */
	int before = k.lines;
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(rr_task_write(t, "s\n", 2), 0);
		turns_for(loop, 20);
		cr_assert(group_stopped(pgid), "it ran on: %s", seen_states);
	}
	cr_assert_eq(k.lines, before, "output while stopped: %d lines, then %d", before,
		     k.lines);
	cr_assert_eq(rr_task_signal(t, SIGCONT, 0), 0);
	cr_assert_eq(rr_task_close_stdin(t), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	cr_assert_geq(k.lines, before + 5, "the lines written while stopped: %d, then %d",
		      before, k.lines);
	free_loop(loop);
}

/* ------------------------------------------------- what it refuses */

Test(lib_control, queued_ended_and_bad_arguments)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *t = shell_task(loop, "exec sleep 7402", NULL);

	cr_assert_eq(rr_task_signal(t, SIGUSR1, 0), -EAGAIN); /* not started yet */
	cr_assert_eq(rr_task_signal(t, -1, 0), -EINVAL);
	cr_assert_eq(rr_task_signal(t, NSIG, 0), -EINVAL);
	cr_assert_eq(rr_task_signal(t, SIGUSR1, 1u << 5), -EINVAL);
	cr_assert_eq(rr_task_signal(NULL, SIGUSR1, 0), -EINVAL);
	cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0); /* the turn that starts it */
	cr_assert_gt(rr_task_result(t)->pid, 0);
	cr_assert_eq(rr_task_signal(t, 0, 0), 0);
	cr_assert_eq(rr_task_signal(t, 0, RR_SIG_LEADER), 0);
	cr_assert_eq(rr_task_signal(t, SIGKILL, RR_SIG_LEADER), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_SIGNALED, -SIGKILL);
	cr_assert_eq(rr_task_signal(t, SIGUSR1, 0), -ESRCH);
	cr_assert_eq(rr_task_signal(t, 0, RR_SIG_LEADER), -ESRCH);
	free_loop(loop);
}
