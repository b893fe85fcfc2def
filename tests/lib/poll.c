/* poll.c - driving the loop from a host's own poll(): rr_loop_fd,
 * rr_loop_timeout_ms, RR_RUN_NOWAIT, RR_RUN_ONCE. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_poll, .timeout = TEST_TIMEOUT);

/* 100 tasks, one with a timeout that must fire while we sleep in poll(). */
Test(lib_poll, host_poll_loop_100_tasks)
{
	rr_loop *loop = loop_new(0, 0);
	int fd = rr_loop_fd(loop);
	cr_assert_geq(fd, 0, "rr_loop_fd: %s", rr_strerror(fd));
	cr_assert_eq(rr_loop_fd(loop), fd);

	enum { N = 100 };
	rr_task *t[N];
	int done = 0;
	for (int i = 0; i < N; i++) {
		struct rr_opts o = {.on_done = count_done, .user = &done};
		char cmd[64];
		if (i == 50) {
			o.timeout_ms = 300;
			snprintf(cmd, sizeof cmd, "exec sleep 600");
		} else {
			snprintf(cmd, sizeof cmd, "echo %d", i);
		}
		t[i] = shell_task(loop, cmd, &o);
	}
	uint64_t t0 = now_ns();
	unsigned turns = 0, idle_spins = 0;
	for (;;) {
		int left = rr_loop_run(loop, RR_RUN_NOWAIT);
		cr_assert_geq(left, 0, "rr_loop_run: %s", rr_strerror(left));
		if (!left)
			break;
		turns++;
		int to = rr_loop_timeout_ms(loop);
		cr_assert_geq(to, -1);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, to);
		cr_assert_geq(n, 0, "poll: %s", strerror(errno));
		if (n == 0 && to == 0)
			idle_spins++;
		cr_assert_lt(idle_spins, 10000, "the loop claims work forever without any");
	}
	uint64_t ms = (now_ns() - t0) / 1000000;
	cr_assert_eq(done, N);
	for (int i = 0; i < N; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		if (i == 50) {
			expect_status(r, RR_TIMEOUT, -15);
		} else {
			expect_status(r, RR_OK, 0);
			char want[32];
			snprintf(want, sizeof want, "%d\n", i);
			cr_assert_str_eq(r->out.data, want);
		}
	}
	cr_assert_geq(ms, 290, "the timeout fired early");
	cr_assert_eq(rr_loop_timeout_ms(loop), -1);
	free_loop(loop);
}

/* The slow task's line starts a timer that kills it: a deadline fires while
   the host sleeps in poll(), after the output the task must keep. */
static void kill_later(rr_timer *timer, void *slow)
{
	(void)timer;
	cr_assert_eq(rr_task_kill(*(rr_task **)slow, SIGTERM), 0);
}

static void line_starts_timer(rr_task *task, enum rr_stream stream, const char *data,
			      size_t len, void *timer)
{
	(void)task, (void)stream, (void)data, (void)len;
	rr_timer_start(timer, 200);
}

/* The same with the fallback paths. */
Test(lib_poll, host_poll_loop_fallbacks)
{
	rr_loop *loop = loop_new(0, RR_LOOP_NO_WAITID | RR_LOOP_NO_MULTISHOT);
	int fd = rr_loop_fd(loop);
	rr_task *slow = NULL;
	rr_timer *timer = rr_timer_new(loop, kill_later, &slow);
	struct rr_opts o = {.on_line = line_starts_timer, .user = timer};
	int left;

	cr_assert_geq(fd, 0);
	cr_assert_not_null(timer);
	slow = shell_task(loop, "echo x; exec sleep 600", &o);
	rr_task *fast = shell_task(loop, "printf abc", NULL);
	while ((left = rr_loop_run(loop, RR_RUN_NOWAIT)) > 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		cr_assert_geq(poll(&p, 1, rr_loop_timeout_ms(loop)), 0);
	}
	cr_assert_eq(left, 0);
	expect_status(rr_task_result(slow), RR_CANCELLED, -15);
	cr_assert_str_eq(rr_task_result(slow)->out.data, "x\n");
	expect_status(rr_task_result(fast), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(fast)->out.data, "abc");
	free_loop(loop);
}

Test(lib_poll, timeout_ms_values)
{
	rr_loop *loop = loop_new(0, 0);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1, "no task, no deadline");
	/* Ten minutes: however slow the turns below, what is left is most of
	   it (the test's own limit is far shorter). */
	struct rr_opts o = {.timeout_ms = 600000};
	rr_task *t = shell_task(loop, "exec sleep 600", &o);
	cr_assert_eq(rr_loop_timeout_ms(loop), 0, "a queued task is work ready now");

	/* A few turns spawn it; then nothing is ready, the fd is quiet and the
	 * deadline is the timeout. */
	int fd = rr_loop_fd(loop);
	bool quiet = false;
	for (int i = 0; i < 20 && !quiet; i++) {
		cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 1);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int to = rr_loop_timeout_ms(loop);
		quiet = to > 0 && poll(&p, 1, 0) == 0;
	}
	cr_assert(quiet, "the loop never settled: timeout %d", rr_loop_timeout_ms(loop));
	int to = rr_loop_timeout_ms(loop);
	cr_assert(to > 600000 - TEST_TIMEOUT * 1000 && to <= 600000, "timeout_ms %d", to);
	cr_assert_gt(rr_task_result(t)->pid, 0);

	cr_assert_eq(rr_task_kill(t, SIGKILL), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t), RR_CANCELLED, -9);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1);
	free_loop(loop);
}

/* NOWAIT never blocks, even with a task that runs for ten minutes: a call
 * that waited would wait past the test's limit. */
Test(lib_poll, nowait_does_not_block)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *t = shell_task(loop, "exec sleep 600", NULL);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 1);
	cr_assert_gt(rr_task_result(t)->pid, 0);
	free_loop(loop);
	expect_no_children();
}

/* ONCE waits for something and returns what is left. */
Test(lib_poll, run_once_counts_down)
{
	rr_loop *loop = loop_new(0, 0);
	shell_task(loop, "sleep 0.2", NULL);
	shell_task(loop, "echo hi", NULL);
	int left = 2, calls = 0;
	while (left > 0) {
		int n = rr_loop_run(loop, RR_RUN_ONCE);
		cr_assert_geq(n, 0);
		cr_assert_leq(n, left);
		left = n;
		cr_assert_lt(++calls, 1000, "RR_RUN_ONCE does not wait");
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_ONCE), 0, "ONCE with nothing left");
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	free_loop(loop);
}

/* The default run returns at once when there is nothing to do. */
Test(lib_poll, run_empty_loop)
{
	rr_loop *loop = loop_new(0, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	free_loop(loop);
}
