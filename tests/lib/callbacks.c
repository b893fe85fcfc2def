/* callbacks.c - what callbacks may do: submit, free, autofree, and what
 * they may not: run the loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_callbacks, .timeout = TEST_TIMEOUT);

struct chain {
	rr_loop *loop;
	int next;
	int ended;
	char out[100][16];
	int order_ok;
};

static void chain_done(rr_task *t, void *user)
{
	struct chain *c = user;
	const struct rr_result *r = rr_task_result(t);
	if (r->status == RR_OK && r->out.len < 16)
		memcpy(c->out[c->ended], r->out.data, r->out.len + 1);
	c->ended++;
	rr_task_free(t); /* freeing the task inside its own on_done */
	if (c->next < 100) {
		char n[16];
		snprintf(n, sizeof n, "%d", c->next++);
		const char *argv[] = {"echo", n, NULL};
		struct rr_opts o = {.on_done = chain_done, .user = c};
		cr_assert(rr_exec(c->loop, argv, &o));
	}
}

/* on_done submits the next task: a chain of 100, each freed in its own
 * on_done. */
Test(lib_callbacks, chain_of_100_from_on_done)
{
	rr_loop *loop = loop_new(0, 0);
	struct chain c = {.loop = loop, .next = 1};
	const char *argv[] = {"echo", "0", NULL};
	struct rr_opts o = {.on_done = chain_done, .user = &c};
	exec_task(loop, argv, &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(c.ended, 100);
	for (int i = 0; i < 100; i++) {
		char want[16];
		snprintf(want, sizeof want, "%d\n", i);
		cr_assert_str_eq(c.out[i], want);
	}
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 100);
	cr_assert_eq(st.finished, 100);
	free_loop(loop);
	expect_no_children();
}

struct fanout {
	rr_loop *loop;
	rr_task *kids[16];
	int n;
};

static void submit_per_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)t, (void)s;
	struct fanout *f = u;
	char cmd[64];
	snprintf(cmd, sizeof cmd, "echo child-%.*s", (int)n, d);
	cr_assert_lt(f->n, 16);
	f->kids[f->n++] = shell_task(f->loop, cmd, NULL);
}

/* on_line submits a task per line. */
Test(lib_callbacks, submit_from_on_line)
{
	rr_loop *loop = loop_new(0, 0);
	struct fanout f = {.loop = loop};
	struct rr_opts o = {.on_line = submit_per_line, .user = &f};
	run_shell(loop, "for i in 1 2 3 4 5; do echo $i; done", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(f.n, 5);
	for (int i = 0; i < 5; i++) {
		char want[32];
		snprintf(want, sizeof want, "child-%d\n", i + 1);
		expect_status(rr_task_result(f.kids[i]), RR_OK, 0);
		cr_assert_str_eq(rr_task_result(f.kids[i])->out.data, want);
	}
	free_loop(loop);
}

struct autofree {
	int done;
	int seen[50];
};

static void autofree_done(rr_task *t, void *u)
{
	struct autofree *a = u;
	const struct rr_result *r = rr_task_result(t);
	a->done++;
	cr_assert_eq(r->status, RR_OK);
	int i = atoi(r->out.data);
	cr_assert(i >= 0 && i < 50, "stdout '%s'", r->out.data);
	a->seen[i]++;
}

/* RR_F_AUTOFREE: the task is freed after on_done (ASan checks that it is
 * freed exactly once and never touched again). */
Test(lib_callbacks, autofree)
{
	rr_loop *loop = loop_new(8, 0);
	struct autofree a = {0};
	for (int i = 0; i < 50; i++) {
		char cmd[32];
		snprintf(cmd, sizeof cmd, "echo %d", i);
		struct rr_opts o = {.on_done = autofree_done, .user = &a,
				    .flags = RR_F_AUTOFREE};
		if (i % 5 == 0)
			o.timeout_ms = 600000; /* armed, never reached */
		shell_task(loop, cmd, &o);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(a.done, 50);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(a.seen[i], 1, "task %d ended %d times", i, a.seen[i]);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.finished, 50);
	free_loop(loop);
}

/* AUTOFREE with neither on_done nor anyone waiting: fire and forget. */
Test(lib_callbacks, autofree_fire_and_forget)
{
	rr_loop *loop = loop_new(0, 0);
	for (int i = 0; i < 20; i++) {
		struct rr_opts o = {.flags = RR_F_AUTOFREE};
		shell_task(loop, "echo forgotten", &o);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.finished, 20);
	free_loop(loop);
	expect_no_children();
}

struct busy {
	rr_task *other;
	int run_rc, wait_rc, wait_self_rc, line_run_rc;
	int calls;
};

static void busy_done(rr_task *t, void *u)
{
	struct busy *b = u;
	b->calls++;
	b->run_rc = rr_loop_run(rr_task_loop(t), RR_RUN_DEFAULT);
	b->wait_rc = rr_task_wait(b->other);
	b->wait_self_rc = rr_task_wait(t);
}

static void busy_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s, (void)d, (void)n;
	struct busy *b = u;
	b->line_run_rc = rr_loop_run(rr_task_loop(t), RR_RUN_NOWAIT);
}

/* rr_loop_run and rr_task_wait from a callback: -EBUSY. */
Test(lib_callbacks, run_from_callback_is_ebusy)
{
	rr_loop *loop = loop_new(0, 0);
	struct busy b = {.run_rc = 1, .wait_rc = 1, .wait_self_rc = 1, .line_run_rc = 1};
	b.other = shell_task(loop, "sleep 0.3", NULL);
	struct rr_opts o = {.on_done = busy_done, .on_line = busy_line, .user = &b};
	rr_task *t = shell_task(loop, "echo x", &o);
	wait_task(t);
	cr_assert_eq(b.calls, 1);
	cr_assert_eq(b.run_rc, -EBUSY, "rr_loop_run from on_done: %d", b.run_rc);
	cr_assert_eq(b.wait_rc, -EBUSY, "rr_task_wait from on_done: %d", b.wait_rc);
	cr_assert_eq(b.wait_self_rc, -EBUSY);
	cr_assert_eq(b.line_run_rc, -EBUSY, "rr_loop_run from on_line: %d", b.line_run_rc);
	/* The loop is fine afterwards. */
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(b.other), RR_OK, 0);
	free_loop(loop);
}

struct killer2 {
	rr_task *victim;
	int rc;
};

static void kill_other(rr_task *t, void *u)
{
	(void)t;
	struct killer2 *k = u;
	k->rc = rr_task_kill(k->victim, SIGTERM);
}

/* on_done of one task kills another. */
Test(lib_callbacks, kill_from_on_done)
{
	rr_loop *loop = loop_new(0, 0);
	struct killer2 k = {.rc = 99};
	k.victim = shell_task(loop, "exec sleep 600", NULL);
	struct rr_opts o = {.on_done = kill_other, .user = &k};
	shell_task(loop, "sleep 0.05", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(k.rc, 0);
	expect_status(rr_task_result(k.victim), RR_CANCELLED, -15);
	free_loop(loop);
}

struct freer {
	rr_task *victim;
	int victim_done;
};

static void free_other(rr_task *t, void *u)
{
	(void)t;
	struct freer *f = u;
	rr_task_free(f->victim);
	f->victim = NULL;
}

/* on_done frees another task that is still running: its on_done never
 * runs and the loop still ends. */
Test(lib_callbacks, free_other_from_on_done)
{
	rr_loop *loop = loop_new(0, 0);
	struct freer f = {0};
	struct rr_opts vo = {.on_done = count_done, .user = &f.victim_done};
	f.victim = shell_task(loop, "exec sleep 600", &vo);
	struct rr_opts o = {.on_done = free_other, .user = &f};
	shell_task(loop, "true", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(f.victim_done, 0);
	free_loop(loop);
	expect_no_children();
}

/* on_done sees the final result. */
static void check_final(rr_task *t, void *u)
{
	(void)u;
	cr_assert(rr_task_done(t));
	const struct rr_result *r = rr_task_result(t);
	cr_assert_eq(r->status, RR_EXIT_NONZERO);
	cr_assert_eq(r->exit_code, 2);
	cr_assert_str_eq(r->out.data, "out\n");
	cr_assert_str_eq(r->err.data, "err\n");
	cr_assert_gt(r->end_ns, 0);
	++*(int *)rr_task_user(t);
}

Test(lib_callbacks, on_done_sees_final_result)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = check_final, .user = &done};
	run_shell(loop, "echo out; echo err >&2; exit 2", &o);
	cr_assert_eq(done, 1);
	free_loop(loop);
}

/* on_done waits for the EOF of a pipe held by a background child after the
 * leader has exited: the task ends once, after both.  The child writes
 * once the leader is reaped (its pid gone), so the exit is surely in
 * first. */
Test(lib_callbacks, ends_after_exit_and_eof)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done};
	const struct rr_result *r = run_shell(
		loop, "echo early; (while kill -0 $$ 2>/dev/null; do sleep 0.01; done; "
		      "echo late) &", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "early\nlate\n");
	cr_assert_eq(done, 1);
	free_loop(loop);
	/* The background subshell was not our child: nothing to reap here. */
	expect_no_children();
}
