/* scale.c - thousands of tasks, max_running, FIFO order, loops in threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_scale, .timeout = TEST_TIMEOUT);

enum { N = 5000, MAXRUN = 256 };

struct slot {
	int done;
	int index;
	unsigned max_seen;
	rr_loop *loop;
};

static struct slot slots[N];
static unsigned max_seen;

static void scale_done(rr_task *t, void *user)
{
	struct slot *s = user;
	s->done++;
	cr_assert_eq(rr_task_user(t), s);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(s->loop, &st);
	if (st.running > max_seen)
		max_seen = st.running;
}

/* 5000 commands at max_running 256: each its own output, each on_done
 * once, never more than 256 at a time, started in FIFO order. */
Test(lib_scale, five_thousand_tasks)
{
	rr_loop *loop = loop_new(MAXRUN, 0);
	static rr_task *t[N];
	for (int i = 0; i < N; i++) {
		slots[i] = (struct slot){.index = i, .loop = loop};
		struct rr_opts o = {.on_done = scale_done, .user = &slots[i]};
		char cmd[64];
		if (i % 10) {
			snprintf(cmd, sizeof cmd, "echo %d", i);
			t[i] = shell_task(loop, cmd, &o);
		} else {
			char n[16], seed[16];
			snprintf(n, sizeof n, "%d", 1 + i % 3000);
			snprintf(seed, sizeof seed, "%d", i);
			t[i] = helper_task(loop, &o, "pattern", n, seed, NULL);
		}
	}
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.max_running, MAXRUN);
	cr_assert_eq(st.queued + st.running, N);

	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, N);
	cr_assert_eq(st.finished, N);
	cr_assert_eq(st.running, 0);
	cr_assert_eq(st.queued, 0);
	cr_assert(max_seen <= MAXRUN, "%u running at once", max_seen);
	cr_assert(max_seen > 1, "never more than one at once");

	uint64_t prev_start = 0;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(slots[i].done, 1, "task %d: on_done ran %d times", i, slots[i].done);
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		if (i % 10) {
			char want[32];
			snprintf(want, sizeof want, "%d\n", i);
			cr_assert_str_eq(r->out.data, want, "task %d", i);
		} else {
			expect_pattern_capture("pattern", &r->out, 1 + (size_t)(i % 3000),
					       (uint64_t)i);
		}
		cr_assert_geq(r->start_ns, prev_start, "task %d started before task %d", i,
			      i - 1);
		prev_start = r->start_ns;
	}
	free_loop(loop);
	expect_no_children();
}

/* max_running 1 runs the tasks strictly one after the other. */
Test(lib_scale, max_running_one_is_serial)
{
	rr_loop *loop = loop_new(1, 0);
	rr_task *t[20];
	for (int i = 0; i < 20; i++)
		t[i] = shell_task(loop, "sleep 0.01", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 1; i < 20; i++)
		cr_assert_geq(rr_task_result(t[i])->start_ns, rr_task_result(t[i - 1])->end_ns,
			      "task %d overlapped task %d", i, i - 1);
	free_loop(loop);
}

/* The default max_running comes from RLIMIT_NOFILE: it is not tiny. */
Test(lib_scale, default_max_running)
{
	rr_loop *loop = rr_loop_new(NULL);
	cr_assert(loop);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_geq(st.max_running, 64, "default max_running %u", st.max_running);
	free_loop(loop);
}

struct thread_job {
	uint64_t seed;
	int failures;
	int done;
	char why[256];
};

static void thread_done(rr_task *t, void *user)
{
	(void)t;
	((struct thread_job *)user)->done++;
}

/* No Criterion assertions here: they must run on the test's thread. */
static void *thread_main(void *arg)
{
	struct thread_job *j = arg;
	struct rr_loop_opts lo = {.max_running = 32};
	rr_loop *loop = rr_loop_new(&lo);
	if (!loop) {
		j->failures++;
		snprintf(j->why, sizeof j->why, "rr_loop_new failed");
		return NULL;
	}
	enum { M = 200 };
	rr_task *t[M];
	for (int i = 0; i < M; i++) {
		char n[16], seed[32];
		snprintf(n, sizeof n, "%d", 1000 + i * 37);
		snprintf(seed, sizeof seed, "%llu", (unsigned long long)(j->seed + (uint64_t)i));
		const char *argv[] = {helper(), "pattern", n, seed, NULL};
		struct rr_opts o = {.on_done = thread_done, .user = j};
		if (i % 10 == 0)
			o.timeout_ms = 600000; /* armed, never reached */
		t[i] = rr_exec(loop, argv, &o);
		if (!t[i]) {
			j->failures++;
			snprintf(j->why, sizeof j->why, "rr_exec failed");
			rr_loop_free(loop);
			return NULL;
		}
	}
	int rc = rr_loop_run(loop, RR_RUN_DEFAULT);
	if (rc != 0) {
		j->failures++;
		snprintf(j->why, sizeof j->why, "rr_loop_run = %d", rc);
	}
	for (int i = 0; i < M; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		size_t n = 1000 + (size_t)i * 37;
		uint8_t *want = pattern_buf(n, j->seed + (uint64_t)i);
		if (r->status != RR_OK || r->out.len != n || memcmp(r->out.data, want, n)) {
			j->failures++;
			snprintf(j->why, sizeof j->why, "task %d: %s, %zu bytes", i,
				 rr_status_name(r->status), r->out.len);
		}
		free(want);
	}
	rr_loop_free(loop);
	return NULL;
}

Test(lib_scale, two_loops_two_threads)
{
	helper();
	struct thread_job j[2] = {{.seed = 5000}, {.seed = 9000}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, thread_main, &j[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(j[i].failures, 0, "thread %d: %d failures, last: %s", i,
			     j[i].failures, j[i].why);
		cr_assert_eq(j[i].done, 200, "thread %d: %d on_done", i, j[i].done);
	}
	expect_no_children();
	expect_no_leaks();
}
