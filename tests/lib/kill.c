/* kill.c - rr_task_kill, rr_task_wait, rr_task_free and rr_loop_free of
 * live tasks. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_kill, .timeout = TEST_TIMEOUT);

struct killer {
	int sig;
	int rc;
	int lines;
	pid_t bg;
};

/* Kill the task from its first line: it is certainly running then. */
static void kill_on_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s;
	struct killer *k = u;
	if (k->lines++ == 0) {
		char buf[32] = {0};
		memcpy(buf, d, n < 31 ? n : 31);
		k->bg = (pid_t)atoi(buf);
		k->rc = rr_task_kill(t, k->sig);
	}
}

/* A grace far longer than anything here takes: ended before it, SIGTERM
 * alone ended the group (the background sleep holds stdout open). */
#define LONG_GRACE_MS 30000

Test(lib_kill, running_task_sigterm)
{
	rr_loop *loop = loop_new(0, 0);
	struct killer k = {.sig = SIGTERM, .rc = 99};
	struct rr_opts o = {.on_line = kill_on_line, .user = &k,
			    .kill_grace_ms = LONG_GRACE_MS};
	const struct rr_result *r = run_shell(loop, "sleep 600 & echo $!; sleep 600", &o);
	cr_assert_eq(k.rc, 0, "rr_task_kill: %s", rr_strerror(k.rc));
	expect_status(r, RR_CANCELLED, -15);
	cr_assert_lt((r->end_ns - r->start_ns) / 1000000, LONG_GRACE_MS, "SIGKILL was needed");
	cr_assert(pid_dead(k.bg, HANG_GUARD_MS), "the group was not signalled");
	free_loop(loop);
}

/*
 * The kill lands while the shell forks its next command: the shell has
 * signals blocked then, so the new child misses the group signal unless it
 * is said again once the shell is gone.  Hundreds of tries hit that instant
 * (about 1 in 400 here): each must end before the SIGKILL grace.
 */
Test(lib_kill, group_signal_reaches_a_child_forked_at_that_instant)
{
	rr_loop *loop = loop_new(0, 0);

	for (int i = 0; i < 1500; i++) {
		struct killer k = {.sig = SIGTERM, .rc = 99};
		struct rr_opts o = {.on_line = kill_on_line, .user = &k,
				    .kill_grace_ms = LONG_GRACE_MS};
		rr_task *t = shell_task(loop, "sleep 600 & echo $!; sleep 600", &o);
		const struct rr_result *r;

		cr_assert_eq(rr_task_wait(t), 0);
		r = rr_task_result(t);
		cr_assert_eq(k.rc, 0);
		cr_assert_lt((r->end_ns - r->start_ns) / 1000000, LONG_GRACE_MS,
			     "try %d: a child outlived SIGTERM", i);
		expect_status(r, RR_CANCELLED, -15);
		rr_task_free(t);
	}
	free_loop(loop);
}

Test(lib_kill, running_task_sigkill)
{
	rr_loop *loop = loop_new(0, 0);
	struct killer k = {.sig = SIGKILL, .rc = 99};
	struct rr_opts o = {.on_line = kill_on_line, .user = &k};
	const struct rr_result *r =
		run_shell(loop, "trap '' TERM; sleep 600 & echo $!; sleep 600", &o);
	cr_assert_eq(k.rc, 0);
	expect_status(r, RR_CANCELLED, -9);
	cr_assert(pid_dead(k.bg, HANG_GUARD_MS));
	free_loop(loop);
}

/* SIGTERM ignored: SIGKILL after kill_grace_ms, still cancelled. */
Test(lib_kill, grace_then_sigkill)
{
	rr_loop *loop = loop_new(0, 0);
	struct killer k = {.sig = SIGTERM, .rc = 99};
	struct rr_opts o = {.on_line = kill_on_line, .user = &k, .kill_grace_ms = 200};
	const struct rr_result *r =
		run_shell(loop, "trap '' TERM; sleep 600 & echo $!; sleep 600", &o);
	cr_assert_eq(k.rc, 0);
	expect_status(r, RR_CANCELLED, -9);
	cr_assert_geq((r->end_ns - r->start_ns) / 1000000, 190);
	cr_assert(pid_dead(k.bg, HANG_GUARD_MS));
	free_loop(loop);
}

/* A signal the child survives: still cancelled, exit code says how it
 * really ended (its trap's 4, or the SIGKILL after the grace).  The shell
 * waits on a sleep that only the signal ends. */
Test(lib_kill, harmless_signal_still_cancelled)
{
	rr_loop *loop = loop_new(0, 0);
	struct killer k = {.sig = SIGUSR1, .rc = 99};
	struct rr_opts o = {.on_line = kill_on_line, .user = &k, .kill_grace_ms = 300};
	const struct rr_result *r =
		run_shell(loop, "trap 'echo usr1; exit 4' USR1; echo 0; sleep 600", &o);
	cr_assert_eq(k.rc, 0);
	cr_assert_eq(r->status, RR_CANCELLED, "%s: %s", rr_status_name(r->status), r->message);
	cr_assert(r->exit_code == 4 || r->exit_code == -9, "exit_code %d", r->exit_code);
	free_loop(loop);
}

Test(lib_kill, queued_task_never_spawns)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done};
	rr_task *t = shell_task(loop, "echo should-not-run; exit 9", &o);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	cr_assert_eq(done, 0, "on_done ran inside rr_task_kill");
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 1);
	const struct rr_result *r = rr_task_result(t);
	cr_assert_eq(r->status, RR_CANCELLED);
	cr_assert_eq(r->pid, 0);
	cr_assert_eq(r->start_ns, 0);
	cr_assert_eq(r->out.len, 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 0);
	cr_assert_eq(st.finished, 1);
	cr_assert_eq(rr_task_kill(t, SIGTERM), -ESRCH);
	free_loop(loop);
}

/* Queued behind max_running: cancelled while others run. */
Test(lib_kill, queued_behind_running_task)
{
	rr_loop *loop = loop_new(1, 0);
	rr_task *a = shell_task(loop, "sleep 0.2", NULL);
	rr_task *b = shell_task(loop, "echo b", NULL);
	rr_task *c = shell_task(loop, "echo c", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 3);
	cr_assert_gt(rr_task_result(a)->pid, 0);
	cr_assert_eq(rr_task_result(b)->pid, 0);
	cr_assert_eq(rr_task_kill(b, SIGKILL), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(a), RR_OK, 0);
	cr_assert_eq(rr_task_result(b)->status, RR_CANCELLED);
	cr_assert_eq(rr_task_result(b)->pid, 0);
	expect_status(rr_task_result(c), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(c)->out.data, "c\n");
	free_loop(loop);
}

Test(lib_kill, finished_task_esrch_and_bad_signal)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *t = shell_task(loop, "exec sleep 600", NULL);
	cr_assert_eq(rr_task_kill(t, -1), -EINVAL);
	cr_assert_eq(rr_task_kill(t, 100000), -EINVAL);
	cr_assert_eq(rr_task_kill(t, SIGKILL), 0);
	wait_task(t);
	cr_assert_eq(rr_task_result(t)->status, RR_CANCELLED);
	cr_assert_eq(rr_task_kill(t, SIGTERM), -ESRCH);

	rr_task *u = shell_task(loop, "true", NULL);
	expect_status(wait_task(u), RR_OK, 0);
	cr_assert_eq(rr_task_kill(u, SIGTERM), -ESRCH);
	cr_assert_eq(rr_task_result(u)->status, RR_OK, "a late kill changed the result");
	free_loop(loop);
}

/* rr_task_wait returns when its task ends, with others still running. */
Test(lib_kill, task_wait_one_of_many)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *slow = shell_task(loop, "exec sleep 600", NULL);
	rr_task *quick = shell_task(loop, "sleep 0.1; echo quick", NULL);
	const struct rr_result *r = wait_task(quick);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "quick\n");
	cr_assert_not(rr_task_done(slow));
	cr_assert_eq(rr_task_result(slow)->status, RR_RUNNING);
	/* Waiting on an ended task returns at once. */
	cr_assert_eq(rr_task_wait(quick), 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.running, 1);
	rr_task_kill(slow, SIGKILL);
	wait_task(slow);
	free_loop(loop);
	expect_no_children();
}

/* rr_loop_free with running tasks (some ignoring SIGTERM) kills and reaps
 * them, closes their fds and runs no callback. */
Test(lib_kill, loop_free_kills_running)
{
	int fds_before = count_fds();
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done,
			    .stdin_data = "data", .stdin_len = 4};
	rr_task *t[10];
	for (int i = 0; i < 10; i++)
		t[i] = shell_task(loop, i % 2 ? "exec sleep 600" : "trap '' TERM; sleep 600",
				  &o);
	/* FIFO: once a task queued after them has ended, all ten are running. */
	expect_status(run_shell(loop, "true", NULL), RR_OK, 0);
	pid_t leaders[10];
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(rr_task_result(t[i])->status, RR_RUNNING);
		leaders[i] = rr_task_result(t[i])->pid;
		cr_assert_gt(leaders[i], 0);
	}
	cr_assert_eq(done, 0);
	free_loop(loop);
	cr_assert_eq(done, 0, "rr_loop_free ran on_done");
	expect_no_children();
	cr_assert_eq(count_fds(), fds_before);
	for (int i = 0; i < 10; i++)
		cr_assert(pid_dead(leaders[i], HANG_GUARD_MS), "pid %d alive", (int)leaders[i]);
}

/* The same, with background children whose pids we know. */
struct bgpids {
	pid_t pid[16];
	int n;
	int callbacks_after_free;
	bool freed;
};

static void grab_pid(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)t, (void)s;
	struct bgpids *b = u;
	if (b->freed)
		b->callbacks_after_free++;
	char buf[32] = {0};
	memcpy(buf, d, n < 31 ? n : 31);
	if (b->n < 16)
		b->pid[b->n++] = (pid_t)atoi(buf);
}

static void done_after_free(rr_task *t, void *u)
{
	(void)t;
	struct bgpids *b = u;
	if (b->freed)
		b->callbacks_after_free++;
}

Test(lib_kill, loop_free_kills_background_children)
{
	rr_loop *loop = loop_new(0, 0);
	struct bgpids b = {0};
	struct rr_opts o = {.on_line = grab_pid, .on_done = done_after_free, .user = &b};
	for (int i = 0; i < 5; i++)
		shell_task(loop, "sleep 600 & echo $!; exec sleep 600", &o);
	while (b.n < 5) {
		int rc = rr_loop_run(loop, RR_RUN_ONCE);
		cr_assert_eq(rc, 5, "rr_loop_run(ONCE) = %d", rc);
	}
	b.freed = true;
	free_loop(loop);
	cr_assert_eq(b.callbacks_after_free, 0);
	expect_no_children();
	for (int i = 0; i < 5; i++)
		cr_assert(pid_dead(b.pid[i], HANG_GUARD_MS), "background pid %d alive",
			  (int)b.pid[i]);
}

/* rr_task_free of a running task: killed, reaped by the loop, no callback. */
Test(lib_kill, free_running_task)
{
	rr_loop *loop = loop_new(0, 0);
	struct bgpids b = {0};
	struct rr_opts o = {.on_line = grab_pid, .on_done = done_after_free, .user = &b};
	rr_task *t = shell_task(loop, "sleep 600 & echo $!; exec sleep 600", &o);
	while (b.n < 1)
		cr_assert_eq(rr_loop_run(loop, RR_RUN_ONCE), 1);
	pid_t leader = rr_task_result(t)->pid;
	b.freed = true;
	rr_task_free(t);
	/* The loop goes on with other work and reaps the freed one. */
	rr_task *u = shell_task(loop, "sleep 0.1; echo after", NULL);
	expect_status(wait_task(u), RR_OK, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(b.callbacks_after_free, 0);
	cr_assert(pid_dead(leader, HANG_GUARD_MS));
	cr_assert(pid_dead(b.pid[0], HANG_GUARD_MS));
	free_loop(loop);
	expect_no_children();
}

Test(lib_kill, free_queued_task)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done};
	rr_task *t = shell_task(loop, "echo never", &o);
	rr_task_free(t);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 0);
	cr_assert_eq(st.queued, 0);
	free_loop(loop);
}

Test(lib_kill, free_finished_task_then_loop_free)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *t = shell_task(loop, "echo x", NULL);
	wait_task(t);
	rr_task_free(t);
	rr_task *u = shell_task(loop, "echo y", NULL);
	wait_task(u);
	free_loop(loop); /* frees u */
}

/*
 * Spawns do not wait for the child's execve, so a kill can reach a child
 * that has not made its own process group yet: it must still end it, as
 * SIGTERM (blocked until just before execve) and as SIGKILL.
 */
Test(lib_kill, right_after_spawn)
{
	for (int i = 0; i < 40; i++) {
		rr_loop *loop = loop_new(0, 0);
		rr_task *t = shell_task(loop, "exec sleep 600", NULL);
		cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 1);
		cr_assert_gt(rr_task_result(t)->pid, 0);
		cr_assert_eq(rr_task_kill(t, i % 2 ? SIGKILL : SIGTERM), 0);
		const struct rr_result *r = wait_task(t);
		expect_status_only(r, RR_CANCELLED);
		cr_assert_eq(r->exit_code, i % 2 ? -SIGKILL : -SIGTERM, "%s", r->message);
		free_loop(loop);
	}
	expect_no_children();
}
