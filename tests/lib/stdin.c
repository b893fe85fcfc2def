/* stdin.c - communicate-style stdin, /dev/null by default, inherit. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_stdin, .timeout = TEST_TIMEOUT);

/* 16 MiB through cat, exact; the buffer is clobbered right after submit
 * (options and bytes are copied). */
Test(lib_stdin, round_trip_16mib_cat)
{
	rr_loop *loop = loop_new(0, 0);
	size_t n = 16 * MiB;
	uint8_t *in = pattern_buf(n, 101);
	struct rr_opts o = {.stdin_data = in, .stdin_len = n};
	const char *argv[] = {"cat", NULL};
	rr_task *t = exec_task(loop, argv, &o);
	memset(in, 0, n);
	free(in);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("cat stdout", &r->out, n, 101);
	free_loop(loop);
}

Test(lib_stdin, communicate_tr)
{
	rr_loop *loop = loop_new(0, 0);
	const char *text = "hello, World\nsecond line";
	struct rr_opts o = {.stdin_data = text, .stdin_len = strlen(text)};
	const char *argv[] = {"tr", "a-z", "A-Z", NULL};
	const struct rr_result *r = wait_task(exec_task(loop, argv, &o));
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "HELLO, WORLD\nSECOND LINE");
	cr_assert_eq(r->out.len, strlen(text));
	free_loop(loop);
}

/* A child that never reads its stdin: the task ends ok and the host gets
 * no SIGPIPE (its disposition is the default here: it would kill us). */
Test(lib_stdin, unread_stdin_no_sigpipe)
{
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	rr_loop *loop = loop_new(0, 0);
	size_t n = 16 * MiB;
	uint8_t *in = pattern_buf(n, 102);
	struct rr_opts o = {.stdin_data = in, .stdin_len = n};
	rr_task *t[4];
	t[0] = shell_task(loop, "true", &o);
	t[1] = shell_task(loop, "exit 3", &o);
	t[2] = shell_task(loop, "head -c 10 >/dev/null", &o);
	const char *argv[] = {"head", "-c", "70000", NULL};
	t[3] = exec_task(loop, argv, &o);
	free(in);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t[0]), RR_OK, 0);
	expect_status(rr_task_result(t[1]), RR_EXIT_NONZERO, 3);
	expect_status(rr_task_result(t[2]), RR_OK, 0);
	const struct rr_result *r = rr_task_result(t[3]);
	expect_status(r, RR_OK, 0);
	uint8_t *want = pattern_buf(70000, 102);
	expect_bytes("head -c 70000", r->out.data, r->out.len, want, 70000);
	free(want);
	sigset_t pend;
	sigpending(&pend);
	cr_assert_not(sigismember(&pend, SIGPIPE), "SIGPIPE pending");
	free_loop(loop);
}

/* Our fd 0 is a pipe holding data with its writer still open: a child that
 * inherited it would print LEAK and then hang.  The default is /dev/null. */
Test(lib_stdin, dev_null_by_default)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "LEAK\n", 5), 5);
	int saved = swap_fd(0, p[0]);

	rr_loop *loop = loop_new(0, 0);
	const char *argv[] = {"cat", NULL};
	const struct rr_result *r = wait_task(exec_task(loop, argv, NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 0, "cat read: %s", r->out.data);
	const struct rr_result *r2 = run_shell(loop, "readlink /proc/self/fd/0", NULL);
	cr_assert_str_eq(r2->out.data, "/dev/null\n");
	free_loop(loop);
	restore_fd(0, saved);
	close(p[1]);
}

Test(lib_stdin, inherit_flag)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "inherited\n", 10), 10);
	close(p[1]);
	int saved = swap_fd(0, p[0]);

	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_STDIN_INHERIT};
	const char *argv[] = {"cat", NULL};
	const struct rr_result *r = wait_task(exec_task(loop, argv, &o));
	restore_fd(0, saved);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "inherited\n");
	free_loop(loop);
}

/* stdin_data with length 0: the child sees EOF at once. */
Test(lib_stdin, empty_data_is_eof)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stdin_data = "", .stdin_len = 0};
	const struct rr_result *r = run_shell(loop, "wc -c", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(atoi(r->out.data), 0);
	free_loop(loop);
}

/* Many feeds at once, each with its own bytes. */
Test(lib_stdin, many_concurrent_feeds)
{
	rr_loop *loop = loop_new(64, 0);
	enum { N = 200 };
	rr_task *t[N];
	size_t len[N];
	for (int i = 0; i < N; i++) {
		len[i] = 70001 + (size_t)i * 997;
		uint8_t *in = pattern_buf(len[i], 1000 + (uint64_t)i);
		struct rr_opts o = {.stdin_data = in, .stdin_len = len[i]};
		const char *argv[] = {"cat", NULL};
		t[i] = exec_task(loop, argv, &o);
		free(in);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < N; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		expect_pattern_capture("cat", &r->out, len[i], 1000 + (uint64_t)i);
	}
	free_loop(loop);
}

/* stdin and both outputs at once through one child. */
Test(lib_stdin, feed_while_both_streams_flow)
{
	rr_loop *loop = loop_new(0, 0);
	size_t n = 4 * MiB;
	uint8_t *in = pattern_buf(n, 103);
	struct rr_opts o = {.stdin_data = in, .stdin_len = n};
	const struct rr_result *r = run_shell(loop, "tee /dev/stderr", &o);
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stdout", &r->out, n, 103);
	expect_pattern_capture("stderr", &r->err, n, 103);
	free(in);
	free_loop(loop);
}
