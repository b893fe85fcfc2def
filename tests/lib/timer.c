/* timer.c - rr_timer: one-shot timers on the loop's deadline heap. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

TestSuite(lib_timer, .timeout = TEST_TIMEOUT);

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned firings; /* of every timer of the test, in order */

struct ticks {
	int fired;
	unsigned first;      /* its first firing was the test's first-th */
	int rearm;           /* fire this many more times */
	uint64_t delay_ms;
	uint64_t at[8];      /* when each firing came */
	rr_loop *loop;
	int run_rc;
	rr_task *victim;
	bool free_self;
};

static void tick(rr_timer *t, void *user)
{
	struct ticks *k = user;

	if (!k->fired)
		k->first = ++firings;
	if (k->fired < 8)
		k->at[k->fired] = mono_ms();
	k->fired++;
	if (k->loop)
		k->run_rc = rr_loop_run(k->loop, RR_RUN_NOWAIT);
	if (k->victim)
		rr_task_kill(k->victim, SIGTERM);
	if (k->free_self)
		rr_timer_free(t);
	else if (k->rearm-- > 0)
		rr_timer_start(t, k->delay_ms);
}

/* A lone armed timer is work: RR_RUN_DEFAULT waits for it, then returns. */
Test(lib_timer, default_run_waits_for_timer)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks k = { 0 };
	rr_timer *t = rr_timer_new(loop, tick, &k);
	cr_assert_not_null(t);
	cr_assert(!rr_timer_armed(t));

	uint64_t start = mono_ms();
	rr_timer_start(t, 50);
	cr_assert(rr_timer_armed(t));
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(k.fired, 1);
	cr_assert_geq(k.at[0] - start, 50, "fired after %llu ms",
		      (unsigned long long)(k.at[0] - start));
	cr_assert(!rr_timer_armed(t));
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0, "nothing left");
	rr_timer_free(t);
	free_loop(loop);
}

Test(lib_timer, rearm_from_its_own_callback)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks k = { .rearm = 4, .delay_ms = 10 };
	rr_timer *t = rr_timer_new(loop, tick, &k);

	rr_timer_start(t, 10);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(k.fired, 5);
	for (int i = 1; i < 5; i++)
		cr_assert_geq(k.at[i] - k.at[i - 1], 10);
	rr_timer_free(t);
	free_loop(loop);
}

/* Stopped: never fires; moved: fires at the new time; in deadline order
 * (the order they fired in: on a busy machine both may be due by the time
 * the loop looks, the same millisecond). */
Test(lib_timer, stop_move_and_order)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks a = { 0 }, b = { 0 }, c = { 0 };
	rr_timer *ta = rr_timer_new(loop, tick, &a);
	rr_timer *tb = rr_timer_new(loop, tick, &b);
	rr_timer *tc = rr_timer_new(loop, tick, &c);

	rr_timer_start(ta, 200);
	rr_timer_start(tb, 10);
	rr_timer_start(tc, 60);
	rr_timer_stop(tb);
	rr_timer_stop(tb); /* twice: harmless */
	cr_assert(!rr_timer_armed(tb));
	rr_timer_start(ta, 5); /* moved: now before c */
	while (!a.fired || !c.fired)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(b.fired, 0);
	cr_assert_eq(a.fired, 1);
	cr_assert_eq(c.fired, 1);
	cr_assert_lt(a.first, c.first, "a fired after c");
	rr_timer_free(ta);
	rr_timer_free(tb);
	rr_timer_free(tc);
	free_loop(loop);
}

Test(lib_timer, callback_cannot_reenter_the_loop_and_may_free_itself)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks k = { .free_self = true };
	rr_timer *t = rr_timer_new(loop, tick, &k);

	k.loop = loop;
	rr_timer_start(t, 1);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(k.fired, 1);
	cr_assert_eq(k.run_rc, -EBUSY);
	free_loop(loop);
}

/* A timer beside a running task: its callback cancels the task. */
Test(lib_timer, cancels_a_running_task)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *task = shell_task(loop, "exec sleep 600", NULL);
	struct ticks k = { .victim = task };
	rr_timer *t = rr_timer_new(loop, tick, &k);

	rr_timer_start(t, 50);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(k.fired, 1);
	expect_status(rr_task_result(task), RR_CANCELLED, -15);
	rr_task_free(task);
	rr_timer_free(t);
	free_loop(loop);
}

/* rr_loop_free frees armed timers without calling them (ASan: no leak). */
Test(lib_timer, loop_free_takes_armed_timers)
{
	rr_loop *loop = loop_new(0, 0);
	struct ticks k = { 0 };
	rr_timer *t = rr_timer_new(loop, tick, &k);
	rr_timer *u = rr_timer_new(loop, tick, &k);

	rr_timer_start(t, 0);
	rr_timer_start(u, 100000);
	free_loop(loop);
	cr_assert_eq(k.fired, 0);
}

Test(lib_timer, bad_arguments)
{
	rr_loop *loop = loop_new(0, 0);

	errno = 0;
	cr_assert_null(rr_timer_new(loop, NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	rr_timer_free(NULL);
	free_loop(loop);
}
