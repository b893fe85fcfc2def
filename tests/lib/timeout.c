/* timeout.c - timeout_ms, idle_timeout_ms, kill_grace_ms. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_timeout, .timeout = TEST_TIMEOUT);

static uint64_t elapsed_ms(const struct rr_result *r)
{
	return (r->end_ns - r->start_ns) / 1000000;
}

static bool printed(const struct rr_result *r, const struct rr_opts *o)
{
	(void)o;
	return r->out.len != 0;
}

/*
 * The command must say what it says (its background pid, after setting its
 * traps) before the timeout for the test to mean anything, and a loaded
 * machine may not run it that far in time: then it runs again with twice
 * the time.
 */
static const struct rr_result *run_until_said(
	rr_loop *loop, const char *cmd, struct rr_opts *o,
	bool (*said)(const struct rr_result *r, const struct rr_opts *o))
{
	for (int i = 0; i < 8; i++, o->timeout_ms *= 2, o->idle_timeout_ms *= 2) {
		const struct rr_result *r = run_shell(loop, cmd, o);

		if (said(r, o))
			return r;
	}
	cr_assert_fail("'%s' never said it all before its timeout", cmd);
	return NULL;
}

/* The whole process group gets SIGTERM: the background sleep dies too (and
 * it holds stdout open, so the task could not end otherwise).  Not before
 * its time; how long after is the machine's business. */
Test(lib_timeout, kills_whole_group)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.timeout_ms = 300, .title = "sleeper"};
	const struct rr_result *r =
		run_until_said(loop, "sleep 600 & echo $!; sleep 600", &o, printed);
	expect_status(r, RR_TIMEOUT, -15);
	cr_assert(strstr(r->message, "sleeper"), "message: %s", r->message);
	cr_assert_geq(elapsed_ms(r), o.timeout_ms);
	pid_t bg = (pid_t)atoi(r->out.data);
	cr_assert_gt(bg, 1, "stdout: %s", r->out.data);
	cr_assert(pid_dead(bg, HANG_GUARD_MS), "background sleep %d still alive", (int)bg);
	free_loop(loop);
}

/* SIGTERM ignored: SIGKILL follows after kill_grace_ms. */
Test(lib_timeout, sigkill_after_grace)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.timeout_ms = 300, .kill_grace_ms = 200};
	const struct rr_result *r =
		run_until_said(loop, "trap '' TERM; sleep 600 & echo $!; sleep 600", &o,
			       printed);
	expect_status(r, RR_TIMEOUT, -9);
	cr_assert_geq(elapsed_ms(r), o.timeout_ms + 200, "SIGKILL before the grace");
	pid_t bg = (pid_t)atoi(r->out.data);
	cr_assert_gt(bg, 1);
	cr_assert(pid_dead(bg, HANG_GUARD_MS), "background sleep %d still alive", (int)bg);
	free_loop(loop);
}

Test(lib_timeout, idle_timeout_fires)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.idle_timeout_ms = 300};
	const struct rr_result *r = run_until_said(loop, "echo a; sleep 600", &o, printed);
	expect_status(r, RR_IDLE_TIMEOUT, -15);
	cr_assert_str_eq(r->out.data, "a\n");
	cr_assert_geq(elapsed_ms(r), o.idle_timeout_ms);
	free_loop(loop);
}

/* Output every 100 ms for 2.4 s keeps a 2 s idle timeout away: longer than
 * the limit in all, each pause far shorter than it. */
#define TICKS "25"
#define TICK_MS "100"
#define IDLE_MS 2000

Test(lib_timeout, idle_timeout_reset_by_output)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.idle_timeout_ms = IDLE_MS};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "tick", TICKS, TICK_MS, NULL));
	expect_status(r, RR_OK, 0);
	cr_assert(strstr(r->out.data, "tick " TICKS "\n"), "stdout: %s", r->out.data);
	cr_assert_geq(elapsed_ms(r), 2400);
	free_loop(loop);
}

/* Output on stderr counts as output too. */
Test(lib_timeout, idle_timeout_reset_by_stderr)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.idle_timeout_ms = IDLE_MS};
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "exec '%s' tick " TICKS " " TICK_MS " >&2", helper());
	const struct rr_result *r = run_shell(loop, cmd, &o);
	expect_status(r, RR_OK, 0);
	cr_assert(strstr(r->err.data, "tick " TICKS "\n"), "stderr: %s", r->err.data);
	free_loop(loop);
}

static bool both_lines(const struct rr_result *r, const struct rr_opts *o)
{
	struct lines *l = o->user;

	(void)r;
	if (l->n == 2)
		return true;
	lines_free(l);
	*l = (struct lines){0};
	return false;
}

/* Output handed only to callbacks (nothing captured) counts for the idle
 * timer, which then trips. */
Test(lib_timeout, idle_timeout_with_callbacks_only)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.idle_timeout_ms = 250,
			    .stdout_mode = RR_IO_CALLBACK,
			    .on_line = record_cb,
			    .user = &l};
	const struct rr_result *r =
		run_until_said(loop, "echo a; echo b; sleep 600", &o, both_lines);
	expect_status(r, RR_IDLE_TIMEOUT, -15);
	cr_assert_eq(l.n, 2);
	expect_line(&l, 0, RR_STDOUT, "a");
	expect_line(&l, 1, RR_STDOUT, "b");
	lines_free(&l);
	free_loop(loop);
}

/* A task that ends before its deadline is ok, and the stale deadline does
 * not hold the loop: were it held, it would run for ten minutes, past the
 * test's limit. */
Test(lib_timeout, not_reached)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.timeout_ms = 600000, .idle_timeout_ms = 600000};
	rr_task *t = shell_task(loop, "sleep 0.1; echo done", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t), RR_OK, 0);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1);
	free_loop(loop);
}

/* Many deadlines, submitted out of order: each fires, no earlier than its
 * own time. */
Test(lib_timeout, many_deadlines)
{
	rr_loop *loop = loop_new(0, 0);
	enum { N = 24 };
	rr_task *t[N];
	uint64_t ms[N];
	for (int i = 0; i < N; i++) {
		ms[i] = 100 + (uint64_t)((i * 7) % N) * 40;
		struct rr_opts o = {.timeout_ms = ms[i]};
		t[i] = shell_task(loop, "exec sleep 600", &o);
	}
	rr_task *quick = shell_task(loop, "echo quick", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(quick), RR_OK, 0);
	for (int i = 0; i < N; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_TIMEOUT, -15);
		uint64_t e = elapsed_ms(r);
		cr_assert_geq(e + 5, ms[i], "timeout %llu ms ended after %llu",
			      (unsigned long long)ms[i], (unsigned long long)e);
	}
	free_loop(loop);
}

/* The timeout counts from the spawn, not from the submit: queued time in
 * the FIFO does not eat into it.  The second waits longer than its limit
 * behind the first (sleep makes that certain), then runs far within it. */
Test(lib_timeout, counts_from_spawn)
{
	rr_loop *loop = loop_new(1, 0);
	rr_task *first = shell_task(loop, "sleep 2.5", NULL);
	struct rr_opts o = {.timeout_ms = 2000};
	rr_task *second = shell_task(loop, "true", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(first), RR_OK, 0);
	expect_status(rr_task_result(second), RR_OK, 0);
	cr_assert_geq(rr_task_result(second)->start_ns, rr_task_result(first)->end_ns);
	cr_assert_geq(elapsed_ms(rr_task_result(first)), 2000, "queued shorter than the limit");
	free_loop(loop);
}
