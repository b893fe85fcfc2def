/* events.c - on_start and on_eof of local tasks, RR_EXPECT_ANY and a
 * task's own line_max. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_events, .timeout = TEST_TIMEOUT);

/* ------------------------------------------------------------ on_start */

struct seen {
	int starts, lines, eofs[3], dones;
	pid_t pid;
	bool line_before_start, eof_after_done, pid_mismatch;
};

static void seen_start(rr_task *t, pid_t pid, void *u)
{
	struct seen *s = u;

	s->starts++;
	s->pid = pid;
	s->pid_mismatch |= pid <= 0 || rr_task_result(t)->pid != pid;
}

static void seen_line(rr_task *t, enum rr_stream st, const char *d, size_t n, void *u)
{
	struct seen *s = u;

	(void)t, (void)st, (void)d, (void)n;
	s->line_before_start |= s->starts == 0;
	s->lines++;
}

static void seen_eof(rr_task *t, enum rr_stream st, void *u)
{
	struct seen *s = u;

	(void)t;
	cr_assert(st == RR_STDOUT || st == RR_STDERR);
	s->eofs[st]++;
	s->eof_after_done |= s->dones > 0;
}

static void seen_done(rr_task *t, void *u)
{
	(void)t;
	((struct seen *)u)->dones++;
}

#define SEEN_OPTS(s) \
	.on_start = seen_start, .on_line = seen_line, .on_eof = seen_eof, \
	.on_done = seen_done, .user = (s)

/* Forty tasks that write at once: each is told started exactly once, with
 * its pid already in its result, before any of its lines. */
Test(lib_events, on_start_once_before_output)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s[40] = {{0}};
	rr_task *t[40];

	for (int i = 0; i < 40; i++) {
		struct rr_opts o = {SEEN_OPTS(&s[i])};
		t[i] = shell_task(loop, "echo one; echo two >&2; echo three", &o);
		cr_assert_eq(rr_task_result(t[i])->pid, 0);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 40; i++) {
		const struct rr_result *r = rr_task_result(t[i]);

		expect_status(r, RR_OK, 0);
		cr_assert_eq(s[i].starts, 1, "task %d: on_start %d times", i, s[i].starts);
		cr_assert_not(s[i].pid_mismatch);
		cr_assert_eq(s[i].pid, r->pid);
		cr_assert_eq(s[i].lines, 3);
		cr_assert_not(s[i].line_before_start, "task %d: a line before on_start", i);
	}
	free_loop(loop);
}

/* A spawn that fails - in the parent (PATH) or in the child (execve, cwd)
 * - is never told started. */
Test(lib_events, on_start_not_for_a_failed_spawn)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s[3] = {{0}};
	const char *nopath[] = {"rr-no-such-program-7300", NULL};
	const char *noexec[] = {"/nonexistent/rr-7300", NULL};
	struct rr_opts o0 = {SEEN_OPTS(&s[0])}, o1 = {SEEN_OPTS(&s[1])};
	struct rr_opts o2 = {SEEN_OPTS(&s[2]), .cwd = "/nonexistent/rr-7300"};
	rr_task *t[3] = {exec_task(loop, nopath, &o0), exec_task(loop, noexec, &o1),
			 shell_task(loop, "echo never", &o2)};

	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 3; i++) {
		expect_status_only(rr_task_result(t[i]), RR_SPAWN_FAILED);
		cr_assert_eq(s[i].starts, 0, "task %d was told started", i);
		cr_assert_eq(s[i].dones, 1);
		cr_assert_not(rr_task_result(t[i])->started);
	}
	free_loop(loop);
}

/* A callback may act on the task it is told about: a kill from on_start. */
static void kill_at_start(rr_task *t, pid_t pid, void *u)
{
	(void)pid;
	*(int *)u = rr_task_kill(t, SIGKILL);
}

Test(lib_events, kill_from_on_start)
{
	rr_loop *loop = loop_new(0, 0);
	int rc = 99;
	struct rr_opts o = {.on_start = kill_at_start, .user = &rc};
	const struct rr_result *r = run_shell(loop, "sleep 7301", &o);

	cr_assert_eq(rc, 0);
	expect_status(r, RR_CANCELLED, -SIGKILL);
	free_loop(loop);
}

/* -------------------------------------------------------------- on_eof */

/* Both streams read: one EOF each, both before on_done. */
Test(lib_events, on_eof_each_stream_before_done)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = {0};
	struct rr_opts o = {SEEN_OPTS(&s), .stderr_mode = RR_IO_CALLBACK};
	const struct rr_result *r = run_shell(loop, "echo out; echo err >&2", &o);

	expect_status(r, RR_OK, 0);
	cr_assert_eq(s.eofs[RR_STDOUT], 1);
	cr_assert_eq(s.eofs[RR_STDERR], 1);
	cr_assert_eq(s.dones, 1);
	cr_assert_not(s.eof_after_done);
	free_loop(loop);
}

/* A merged stderr has no EOF of its own; a discarded or inherited stream
 * none at all. */
Test(lib_events, on_eof_not_for_merged_discarded_inherited)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s[4] = {{0}};
	struct rr_opts merged = {SEEN_OPTS(&s[0]), .stderr_mode = RR_IO_MERGE};
	struct rr_opts discarded = {SEEN_OPTS(&s[1]), .stderr_mode = RR_IO_DISCARD};
	struct rr_opts inherited = {SEEN_OPTS(&s[2]), .stdout_mode = RR_IO_DISCARD,
				    .stderr_mode = RR_IO_INHERIT};
	struct rr_opts none = {SEEN_OPTS(&s[3]), .stdout_mode = RR_IO_DISCARD,
			       .stderr_mode = RR_IO_DISCARD};

	expect_status(run_shell(loop, "echo out; echo err >&2", &merged), RR_OK, 0);
	expect_status(run_shell(loop, "echo out; echo err >&2", &discarded), RR_OK, 0);
	expect_status(run_shell(loop, "true", &inherited), RR_OK, 0);
	expect_status(run_shell(loop, "echo out; echo err >&2", &none), RR_OK, 0);
	cr_assert_eq(s[0].lines, 2);
	cr_assert_eq(s[0].eofs[RR_STDOUT], 1);
	cr_assert_eq(s[0].eofs[RR_STDERR], 0);
	cr_assert_eq(s[1].eofs[RR_STDOUT], 1);
	cr_assert_eq(s[1].eofs[RR_STDERR], 0);
	cr_assert_eq(s[2].eofs[RR_STDOUT] + s[2].eofs[RR_STDERR], 0);
	cr_assert_eq(s[3].eofs[RR_STDOUT] + s[3].eofs[RR_STDERR], 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(s[i].starts, 1);
		cr_assert_eq(s[i].dones, 1);
	}
	free_loop(loop);
}

/* ------------------------------------------------- expect_exit, line_max */

Test(lib_events, expect_any_exit_code_but_not_a_signal)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.expect_exit = RR_EXPECT_ANY};

	expect_status(run_shell(loop, "exit 3", &o), RR_OK, 3);
	expect_status(run_shell(loop, "exit 0", &o), RR_OK, 0);
	expect_status(run_shell(loop, "exit 255", &o), RR_OK, 255);
	expect_status(run_shell(loop, "kill -USR2 $$", &o), RR_SIGNALED, -SIGUSR2);
	free_loop(loop);
}

/* A 10-byte line with line_max 4 comes as 4 + 4 + 2; the next line is
 * whole; a task without line_max has the default. */
Test(lib_events, line_max_per_task)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0}, whole = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l, .line_max = 4};
	struct rr_opts dflt = {.on_line = record_cb, .user = &whole};

	expect_status(run_shell(loop, "echo abcdefghij; echo xyz; printf 12345", &o), RR_OK, 0);
	expect_status(run_shell(loop, "echo abcdefghij", &dflt), RR_OK, 0);
	cr_assert_eq(l.n, 6, "lines: %zu", l.n);
	expect_line(&l, 0, RR_STDOUT, "abcd");
	expect_line(&l, 1, RR_STDOUT, "efgh");
	expect_line(&l, 2, RR_STDOUT, "ij");
	expect_line(&l, 3, RR_STDOUT, "xyz");
	expect_line(&l, 4, RR_STDOUT, "1234");
	expect_line(&l, 5, RR_STDOUT, "5");
	cr_assert_eq(whole.n, 1);
	expect_line(&whole, 0, RR_STDOUT, "abcdefghij");
	lines_free(&l);
	lines_free(&whole);
	free_loop(loop);
}
