/* group.c - rr_group: waiting for, looking at and signalling the tasks of a
 * group, and what becomes of it when its tasks or the group are freed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_group, .timeout = TEST_TIMEOUT);

#define N_TASKS 50
#define N_FAILED 7

/* What on_done saw: the failed tasks in the order they ended. */
struct seen {
	rr_task *failed[N_TASKS];
	size_t nfailed, done;
};

static void note_done(rr_task *t, void *user)
{
	struct seen *s = user;

	s->done++;
	if (rr_task_result(t)->status != RR_OK)
		s->failed[s->nfailed++] = t;
}

/* Tasks i with i % 7 == 3 exit 1: 7 of 50. */
static bool fails(int i)
{
	return i % 7 == 3;
}

/* on_start runs in the turn that spawns: RR_RUN_NOWAIT turns until it has
   (RR_RUN_ONCE would then wait for a sleep's end). */
static void count_start(rr_task *t, pid_t pid, void *user)
{
	(void)t;
	(void)pid;
	++*(int *)user;
}

static rr_group *fifty(rr_loop *loop, struct seen *s, rr_task **tasks)
{
	rr_group *g = rr_group_new(loop);
	struct rr_opts o = {.group = g, .on_done = note_done, .user = s};

	cr_assert(g, "rr_group_new: %s", strerror(errno));
	for (int i = 0; i < N_TASKS; i++)
		tasks[i] = shell_task(loop, fails(i) ? "exit 1" : "true", &o);
	cr_assert_eq(rr_group_size(g), N_TASKS);
	return g;
}

Test(lib_group, wait_returns_when_all_ended_and_failed_names_them)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = {0};
	rr_task *tasks[N_TASKS], *out[N_TASKS], *outside;
	rr_group *g = fifty(loop, &s, tasks);
	const struct rr_result *r;
	int started = 0;

	/* Not the group's: never waited for. */
	outside = exec_task(loop, (const char *const[]){"sleep", "600", NULL},
			    &(struct rr_opts){.on_start = count_start, .user = &started});
	while (!started)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(rr_group_wait(g), 0);
	cr_assert_eq(s.done, N_TASKS);
	cr_assert_eq(rr_group_running(g), 0);
	cr_assert_eq(rr_group_size(g), N_TASKS);
	cr_assert(!rr_task_done(outside));
	for (int i = 0; i < N_TASKS; i++)
		cr_assert(rr_task_done(tasks[i]));

	cr_assert_eq(rr_group_failed(g, out, N_TASKS), N_FAILED);
	cr_assert_eq(s.nfailed, N_FAILED);
	for (size_t k = 0; k < N_FAILED; k++) {
		cr_assert_eq(out[k], s.failed[k], "failed[%zu] is not the %zuth to end", k, k);
		expect_status(rr_task_result(out[k]), RR_EXIT_NONZERO, 1);
	}
	for (int i = 0; i < N_TASKS; i++) {
		bool listed = false;

		for (size_t j = 0; j < N_FAILED; j++)
			listed |= out[j] == tasks[i];
		cr_assert_eq(listed, fails(i), "task %d", i);
	}

	/* A second wait has nothing to wait for. */
	cr_assert_eq(rr_group_wait(g), 0);
	rr_group_free(g);
	for (int i = 0; i < N_TASKS; i++)
		rr_task_free(tasks[i]);
	cr_assert_eq(rr_task_kill(outside, SIGKILL), 0);
	r = wait_task(outside);
	expect_status(r, RR_CANCELLED, -9);
	rr_task_free(outside);
	free_loop(loop);
}

Test(lib_group, failed_with_max_smaller_than_the_count)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = {0};
	rr_task *tasks[N_TASKS], *out[4];
	rr_group *g = fifty(loop, &s, tasks);

	cr_assert_eq(rr_group_wait(g), 0);
	cr_assert_eq(rr_group_failed(g, NULL, 0), N_FAILED);
	out[3] = NULL;
	cr_assert_eq(rr_group_failed(g, out, 3), N_FAILED);
	for (size_t k = 0; k < 3; k++)
		cr_assert_eq(out[k], s.failed[k]);
	cr_assert_null(out[3], "wrote past max");
	rr_group_free(g);
	for (int i = 0; i < N_TASKS; i++)
		rr_task_free(tasks[i]);
	free_loop(loop);
}

#define N_SLEEPS 10

Test(lib_group, signal_ends_every_running_task_and_no_other)
{
	rr_loop *loop = loop_new(0, 0);
	rr_group *g = rr_group_new(loop);
	int started = 0;
	struct rr_opts o = {.group = g, .on_start = count_start, .user = &started};
	struct rr_opts other = {.on_start = count_start, .user = &started};
	const char *const sleep600[] = {"sleep", "600", NULL};
	rr_task *tasks[N_SLEEPS], *outside;

	for (int i = 0; i < N_SLEEPS; i++)
		tasks[i] = exec_task(loop, sleep600, &o);
	outside = exec_task(loop, sleep600, &other);
	while (started < N_SLEEPS + 1)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(rr_group_running(g), N_SLEEPS);

	cr_assert_eq(rr_group_signal(g, SIGTERM, 0), 0);
	cr_assert_eq(rr_group_wait(g), 0);
	for (int i = 0; i < N_SLEEPS; i++)
		expect_status(rr_task_result(tasks[i]), RR_SIGNALED, -15);
	cr_assert_eq(rr_group_failed(g, NULL, 0), N_SLEEPS);
	/* Ended: nothing left to signal, and that is no error. */
	cr_assert_eq(rr_group_signal(g, SIGTERM, 0), 0);

	/* The SIGTERM never reached it: it dies of the SIGKILL sent now. */
	cr_assert_eq(rr_task_kill(outside, SIGKILL), 0);
	expect_status(wait_task(outside), RR_CANCELLED, -9);
	rr_task_free(outside);
	rr_group_free(g);
	for (int i = 0; i < N_SLEEPS; i++)
		rr_task_free(tasks[i]);
	free_loop(loop);
}

Test(lib_group, signal_skips_queued_tasks)
{
	rr_loop *loop = loop_new(1, 0);
	rr_group *g = rr_group_new(loop);
	int started = 0;
	struct rr_opts o = {.group = g, .on_start = count_start, .user = &started};
	const char *const sleep600[] = {"sleep", "600", NULL};
	rr_task *first = exec_task(loop, sleep600, &o);
	rr_task *queued = exec_task(loop, sleep600, &o);

	while (started < 1)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(rr_task_signal(queued, SIGTERM, 0), -EAGAIN);
	cr_assert_eq(rr_group_signal(g, SIGTERM, 0), 0);
	cr_assert_eq(rr_task_wait(first), 0);
	expect_status(rr_task_result(first), RR_SIGNALED, -15);
	/* The one queued then starts, unsignalled. */
	while (started < 2)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(rr_group_running(g), 1);
	cr_assert_eq(rr_group_signal(g, SIGKILL, 0), 0);
	cr_assert_eq(rr_group_wait(g), 0);
	expect_status(rr_task_result(queued), RR_SIGNALED, -9);
	rr_group_free(g);
	rr_task_free(first);
	rr_task_free(queued);
	free_loop(loop);
}

/* on_done of a failed task frees it: it leaves the group with it. */
static void free_in_done(rr_task *t, void *user)
{
	(void)user;
	rr_task_free(t);
}

Test(lib_group, freed_tasks_leave_the_group)
{
	rr_loop *loop = loop_new(0, 0);
	rr_group *g = rr_group_new(loop);
	struct seen s = {0};
	struct rr_opts keep = {.group = g, .on_done = note_done, .user = &s};
	struct rr_opts autofree = {.group = g, .flags = RR_F_AUTOFREE};
	struct rr_opts in_done = {.group = g, .on_done = free_in_done};
	rr_task *running, *queued, *out[8];

	for (int i = 0; i < 3; i++)
		shell_task(loop, "exit 2", &keep);
	for (int i = 0; i < 3; i++)
		shell_task(loop, "exit 3", &autofree);
	shell_task(loop, "exit 4", &in_done);
	running = exec_task(loop, (const char *const[]){"sleep", "600", NULL}, &keep);
	queued = shell_task(loop, "exit 5", &keep);
	cr_assert_eq(rr_group_size(g), 9);

	/* Freed before they end: neither waited for nor listed. */
	rr_task_free(queued);
	rr_task_free(running);
	cr_assert_eq(rr_group_size(g), 7);
	cr_assert_eq(rr_group_wait(g), 0);
	cr_assert_eq(rr_group_size(g), 3);
	cr_assert_eq(rr_group_failed(g, out, 8), 3);
	for (int k = 0; k < 3; k++)
		cr_assert_eq(out[k], s.failed[k]);

	/* Freed after they ended, out of order: each leaves the list. */
	rr_task_free(s.failed[1]);
	cr_assert_eq(rr_group_failed(g, out, 8), 2);
	cr_assert_eq(out[0], s.failed[0]);
	cr_assert_eq(out[1], s.failed[2]);
	rr_task_free(s.failed[2]);
	rr_task_free(s.failed[0]);
	cr_assert_eq(rr_group_failed(g, out, 8), 0);
	cr_assert_eq(rr_group_size(g), 0);
	rr_group_free(g);
	free_loop(loop);
}

struct freer {
	rr_group *g;
	int rc;
};

/* The quick task's end frees the group that rr_group_wait() waits on. */
static void free_group(rr_task *t, void *user)
{
	struct freer *f = user;

	(void)t;
	rr_group_free(f->g);
	f->g = NULL;
}

Test(lib_group, free_with_running_tasks_keeps_them_valid)
{
	rr_loop *loop = loop_new(0, 0);
	rr_group *g = rr_group_new(loop);
	struct freer f = {.g = g};
	struct rr_opts o = {.group = g};
	struct rr_opts quick = {.group = g, .on_done = free_group, .user = &f};
	const char *const sleep600[] = {"sleep", "600", NULL};
	rr_task *tasks[3];

	for (int i = 0; i < 3; i++)
		tasks[i] = exec_task(loop, sleep600, &o);
	shell_task(loop, "true", &quick);
	/* Returns once the group is gone, though its sleeps still run. */
	cr_assert_eq(rr_group_wait(g), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert(!rr_task_done(tasks[i]));
		cr_assert_eq(rr_task_kill(tasks[i], SIGKILL), 0);
		expect_status_only(wait_task(tasks[i]), RR_CANCELLED);
	}

	/* Freed outside any wait, with a task running. */
	g = rr_group_new(loop);
	o.group = g;
	tasks[0] = exec_task(loop, sleep600, &o);
	rr_group_free(g);
	cr_assert_eq(rr_task_kill(tasks[0], SIGKILL), 0);
	expect_status_only(wait_task(tasks[0]), RR_CANCELLED);
	free_loop(loop);
}

static void wait_in_done(rr_task *t, void *user)
{
	struct freer *f = user;

	(void)t;
	f->rc = rr_group_wait(f->g);
}

Test(lib_group, wait_from_a_callback_is_ebusy)
{
	rr_loop *loop = loop_new(0, 0);
	rr_group *g = rr_group_new(loop);
	struct freer f = {.g = g, .rc = 99};
	struct rr_opts o = {.group = g, .on_done = wait_in_done, .user = &f};

	shell_task(loop, "true", &o);
	cr_assert_eq(rr_group_wait(g), 0);
	cr_assert_eq(f.rc, -EBUSY);
	free_loop(loop);
}

Test(lib_group, loop_free_frees_groups_and_their_tasks)
{
	rr_loop *loop = loop_new(0, 0);
	rr_group *g = rr_group_new(loop);
	struct rr_opts o = {.group = g};

	rr_task *quick;

	rr_group_new(loop); /* empty */
	exec_task(loop, (const char *const[]){"sleep", "600", NULL}, &o);
	quick = shell_task(loop, "exit 1", &o);
	cr_assert_eq(rr_task_wait(quick), 0);
	cr_assert_eq(rr_group_failed(g, NULL, 0), 1);
	cr_assert_eq(rr_group_running(g), 1);
	free_loop(loop);
}

Test(lib_group, bad_arguments)
{
	rr_loop *loop = loop_new(0, 0), *other = loop_new(0, 0);
	rr_group *g = rr_group_new(loop), *foreign = rr_group_new(other);
	struct rr_opts o = {.group = foreign};
	rr_task *out[1];

	errno = 0;
	cr_assert_null(rr_group_new(NULL));
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(rr_group_wait(NULL), -EINVAL);
	cr_assert_eq(rr_group_signal(NULL, SIGTERM, 0), -EINVAL);
	cr_assert_eq(rr_group_signal(g, -1, 0), -EINVAL);
	cr_assert_eq(rr_group_signal(g, NSIG, 0), -EINVAL);
	cr_assert_eq(rr_group_signal(g, SIGTERM, 1u << 5), -EINVAL);
	cr_assert_eq(rr_group_failed(NULL, out, 1), 0);
	cr_assert_eq(rr_group_size(NULL), 0);
	cr_assert_eq(rr_group_running(NULL), 0);
	rr_group_free(NULL);

	/* Another loop's group. */
	errno = 0;
	cr_assert_null(rr_shell(loop, "true", &o));
	cr_assert_eq(errno, EINVAL);

	/* Empty: nothing to wait for, fail or signal. */
	cr_assert_eq(rr_group_wait(g), 0);
	cr_assert_eq(rr_group_failed(g, out, 1), 0);
	cr_assert_eq(rr_group_signal(g, SIGTERM, 0), 0);
	rr_group_free(g);
	rr_group_free(foreign);
	rr_loop_free(other);
	free_loop(loop);
}
