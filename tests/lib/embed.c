/* embed.c - the library inside another program's loop: turns of bounded
 * length, the loop's fd waking its host, the timeout callback, the version. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>

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
	struct rr_loop_stats st;

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
