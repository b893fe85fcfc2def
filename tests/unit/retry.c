/*
 * cli/retry.c: which endings are retried, and the waits on one rr_timer.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "../common/guard.h"
#include "jobs/retry.h"

Test(unit_retry, which_endings)
{
	static const struct {
		struct rr_result r;
		bool connect, exit;
	} cases[] = {
		{ { .status = RR_OK, .start_ns = 1, .started = true }, false, false },
		{ { .status = RR_EXIT_NONZERO, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_EXIT_UNEXPECTED, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_SIGNALED, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_TIMEOUT, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_IDLE_TIMEOUT, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_SPAWN_FAILED }, false, true },
		{ { .status = RR_ERROR, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_CANCELLED, .start_ns = 1, .started = true }, false, false },
		{ { .status = RR_CONNECT_FAILED }, true, false },
		{ { .status = RR_HOSTKEY_REJECTED }, false, false },
		{ { .status = RR_AUTH_FAILED }, false, false },
		{ { .status = RR_SSH_ERROR }, true, false },
		/* a channel lost before its exec request: the command never ran */
		{ { .status = RR_SSH_ERROR, .start_ns = 1 }, true, false },
		{ { .status = RR_SSH_ERROR, .start_ns = 1, .started = true }, false, true },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		cr_assert_eq(retry_connect(&cases[k].r), cases[k].connect, "case %zu", k);
		cr_assert_eq(retry_exit(&cases[k].r), cases[k].exit, "case %zu", k);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Due in time order, each not before its time, the loop woken for each. */
Test(unit_retry_queue, due_in_order, .timeout = TEST_TIMEOUT)
{
	rr_loop *loop = rr_loop_new(NULL);
	struct retry_queue q;
	struct retry_wait w;
	int a, b, c;
	void *order[3];
	uint64_t due[3], t0 = now_ns();
	int n = 0;

	cr_assert_not_null(loop);
	cr_assert_eq(retry_queue_init(&q, loop), 0);
	retry_queue_add(&q, t0, 60, &a, false);
	retry_queue_add(&q, t0, 20, &b, false);
	retry_queue_add(&q, t0, 40, &c, true);
	cr_assert(rr_timer_armed(q.timer));
	cr_assert_not(retry_queue_take(&q, t0, &w), "nothing is due yet");
	while (n < 3) {
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
		while (n < 3 && retry_queue_take(&q, now_ns(), &w)) {
			order[n] = w.who;
			due[n++] = w.due_ns;
			cr_assert_eq(w.host, w.who == &c);
		}
	}
	cr_assert(order[0] == &b && order[1] == &c && order[2] == &a);
	cr_assert_eq(due[0], t0 + 20000000u);
	cr_assert_geq(now_ns() + 1000000u, t0 + 60000000u, "taken before its time");
	cr_assert_not(rr_timer_armed(q.timer), "nothing left to wait for");
	retry_queue_free(&q);
	rr_loop_free(loop);
}

/* When everything stops: all of them, due or not, and the timer stopped. */
Test(unit_retry_queue, pop_all)
{
	rr_loop *loop = rr_loop_new(NULL);
	struct retry_queue q;
	struct retry_wait w;
	int x[20];

	cr_assert_eq(retry_queue_init(&q, loop), 0);
	for (int k = 0; k < 20; k++)
		retry_queue_add(&q, 0, (uint64_t)(k * 7 % 20) * 1000, &x[k], false);
	for (int k = 0; k < 20; k++) {
		cr_assert(retry_queue_pop(&q, &w));
		cr_assert_eq(w.due_ns, (uint64_t)k * 1000000000u, "%d", k);
	}
	cr_assert_not(retry_queue_pop(&q, &w));
	cr_assert_not(rr_timer_armed(q.timer));
	retry_queue_free(&q);
	rr_loop_free(loop);
}
