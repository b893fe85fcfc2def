/* embed.c - the library inside another program's loop: turns of bounded
 * length, the loop's fd waking its host, the timeout callback, the version. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_embed, .timeout = TEST_TIMEOUT);

static rr_loop *budget_loop(unsigned spawns)
{
	struct rr_loop_opts o = {.max_running = 1000, .max_spawns_per_turn = spawns};
	rr_loop *loop = rr_loop_new(&o);

	cr_assert_not_null(loop, "rr_loop_new: %s", strerror(errno));
	return loop;
}

static uint64_t spawned(const rr_loop *loop)
{
	struct rr_loop_stats st = { .size = sizeof st };

	rr_loop_stats(loop, &st);
	return st.spawned;
}

static void queue_true(rr_loop *loop, unsigned n, int *done)
{
	struct rr_opts o = {.stdout_mode = RR_IO_DISCARD, .stderr_mode = RR_IO_DISCARD,
			    .on_done = count_done, .user = done};

	for (unsigned i = 0; i < n; i++)
		shell_task(loop, "true", &o);
}

/* One NOWAIT turn starts no more than the budget, the default's included;
 * while more could start the loop says so. */
Test(lib_embed, nowait_turn_spawns_at_most_the_budget)
{
	unsigned budgets[] = { 7, 0 };

	for (unsigned b = 0; b < 2; b++) {
		rr_loop *loop = budget_loop(budgets[b]);
		int done = 0;

		queue_true(loop, 300, &done);
		uint64_t before = spawned(loop);
		cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 300 - done);
		uint64_t n = spawned(loop) - before;
		cr_assert_gt(n, 0);
		cr_assert_leq(n, budgets[b] ? budgets[b] : 16u, "one turn spawned %llu",
			      (unsigned long long)n);
		cr_assert_eq(rr_loop_timeout_ms(loop), 0, "more can start: no wait");
		cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
		cr_assert_eq(done, 300);
		cr_assert_eq(spawned(loop), 300);
		free_loop(loop);
	}
}

/* RR_RUN_ONCE does not sleep while more can start: each call makes progress. */
Test(lib_embed, once_does_not_wait_while_more_can_start)
{
	rr_loop *loop = budget_loop(5);
	int done = 0;

	queue_true(loop, 40, &done);
	for (unsigned i = 1; i <= 8; i++) {
		rr_loop_run(loop, RR_RUN_ONCE);
		cr_assert_leq(spawned(loop), 5 * i);
	}
	cr_assert_eq(spawned(loop), 40, "every turn started its 5");
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 40);
	free_loop(loop);
}

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n = poll(&p, 1, 0);

	cr_assert_geq(n, 0, "poll: %s", strerror(errno));
	return n == 1 && (p.revents & POLLIN);
}

/* Run NOWAIT turns until the fd is quiet and the loop has nothing ready. */
static void settle(rr_loop *loop, int fd)
{
	for (int i = 0; i < 1000; i++) {
		rr_loop_run(loop, RR_RUN_NOWAIT);
		if (rr_loop_timeout_ms(loop) != 0 && !readable(fd))
			return;
	}
	cr_assert_fail("the loop never settled");
}

static void timer_noop(rr_timer *timer, void *user)
{
	(void)timer;
	(void)user;
}

/* Work added outside a turn makes the fd readable; a turn with nothing to do
 * leaves it quiet. */
Test(lib_embed, loop_fd_wakes_on_work_from_outside)
{
	rr_loop *loop = loop_new(0, 0);
	int fd = rr_loop_fd(loop);
	cr_assert_geq(fd, 0, "rr_loop_fd: %s", rr_strerror(fd));

	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_not(readable(fd), "nothing to do, yet readable");

	rr_task *t = shell_task(loop, "exec sleep 600", NULL);
	cr_assert(readable(fd), "a submit from outside a turn");
	settle(loop, fd);
	cr_assert_gt(rr_task_result(t)->pid, 0);

	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	cr_assert(readable(fd), "rr_task_kill from outside a turn");
	cr_assert_eq(rr_task_wait(t), 0);
	expect_status(rr_task_result(t), RR_CANCELLED, -15);
	settle(loop, fd);

	rr_timer *tm = rr_timer_new(loop, timer_noop, NULL);
	cr_assert_not_null(tm);
	cr_assert_not(readable(fd));
	rr_timer_start(tm, 600000);
	cr_assert(readable(fd), "rr_timer_start from outside a turn");
	settle(loop, fd);
	rr_timer_stop(tm);
	cr_assert(readable(fd), "rr_timer_stop from outside a turn");
	settle(loop, fd);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1);
	cr_assert_not(readable(fd), "drained with nothing to do");
	rr_timer_free(tm);
	free_loop(loop);
}

/* A resize (a request to send, for a remote task) and a write wake it too. */
Test(lib_embed, loop_fd_wakes_on_resize_and_write)
{
	rr_loop *loop = loop_new(0, 0);
	int fd = rr_loop_fd(loop);
	struct rr_opts o = {.flags = RR_F_PTY | RR_F_STDIN_PIPE};
	cr_assert_geq(fd, 0, "rr_loop_fd: %s", rr_strerror(fd));

	rr_task *t = shell_task(loop, "exec sleep 600", &o);
	settle(loop, fd);
	cr_assert_gt(rr_task_result(t)->pid, 0);
	cr_assert_eq(rr_task_resize(t, 30, 100), 0);
	cr_assert(readable(fd), "rr_task_resize from outside a turn");
	settle(loop, fd);
	cr_assert_eq(rr_task_write(t, "x", 1), 0);
	cr_assert(readable(fd), "rr_task_write from outside a turn");
	cr_assert_eq(rr_task_kill(t, SIGKILL), 0);
	cr_assert_eq(rr_task_wait(t), 0);
	expect_status(rr_task_result(t), RR_CANCELLED, -9);
	free_loop(loop);
}

/* Many submits between two turns are one wakeup: after one drain the fd is
 * quiet although work is ready. */
Test(lib_embed, one_wakeup_per_idle_to_work)
{
	rr_loop *loop = loop_new(0, 0);
	int fd = rr_loop_fd(loop);
	uint64_t count = 0;
	int done = 0;

	cr_assert_geq(fd, 0);
	queue_true(loop, 50, &done);
	cr_assert_eq(read(fd, &count, sizeof(count)), (ssize_t)sizeof(count));
	cr_assert_eq(count, 1, "%llu writes for 50 submits", (unsigned long long)count);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 50);
	free_loop(loop);
}

struct told {
	int calls;
	int last;
	int first;
};

static void on_timeout(rr_loop *loop, int ms, void *user)
{
	struct told *t = user;

	(void)loop;
	if (!t->calls++)
		t->first = ms;
	t->last = ms;
	cr_assert_geq(ms, -1);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), -EBUSY, "a callback");
}

Test(lib_embed, on_timeout_follows_the_work)
{
	rr_loop *loop = loop_new(0, 0);
	struct told told = { 0 };
	int done = 0;

	rr_loop_on_timeout(loop, on_timeout, &told);
	cr_assert_eq(told.calls, 0, "-1 is not told at registration");
	queue_true(loop, 10, &done);
	cr_assert_eq(told.calls, 1, "one call for the first submit, none after");
	cr_assert_eq(told.first, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 10);
	cr_assert_eq(told.last, -1, "all done");
	int calls = told.calls;

	rr_timer *tm = rr_timer_new(loop, timer_noop, NULL);
	rr_timer_start(tm, 600000);
	cr_assert_eq(told.calls, calls + 1);
	cr_assert_gt(told.last, 0);
	cr_assert_leq(told.last, 600000);
	rr_timer_stop(tm);
	cr_assert_eq(told.calls, calls + 2);
	cr_assert_eq(told.last, -1);
	rr_timer_free(tm);

	/* A new callback with work ready is told at once. */
	shell_task(loop, "true", NULL);
	struct told again = { 0 };
	rr_loop_on_timeout(loop, on_timeout, &again);
	cr_assert_eq(again.calls, 1);
	cr_assert_eq(again.first, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(again.last, -1);
	free_loop(loop);
}

Test(lib_embed, version)
{
	cr_assert_eq(rr_version(), RR_VERSION_NUM);
}

/* A host's poll() loop: poll the fd with the loop's timeout, then a NOWAIT
 * turn; never a blocking mode. */
Test(lib_embed, poll_driven_host_runs_1000_tasks)
{
	rr_loop *loop = loop_new(64, 0);
	int fd = rr_loop_fd(loop);
	int done = 0, left;

	cr_assert_geq(fd, 0);
	queue_true(loop, 1000, &done);
	while ((left = rr_loop_run(loop, RR_RUN_NOWAIT)) > 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		cr_assert_geq(poll(&p, 1, rr_loop_timeout_ms(loop)), 0, "poll: %s",
			      strerror(errno));
	}
	cr_assert_eq(left, 0, "rr_loop_run: %s", rr_strerror(left));
	cr_assert_eq(done, 1000);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1);
	free_loop(loop);
	expect_no_children();
}
