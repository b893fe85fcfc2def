/* leaks.c - no fd, child or memory is left behind. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_leaks, .timeout = TEST_TIMEOUT);

static void ignore_line(rr_task *t, enum rr_stream s, const char *d, size_t n,
			void *u)
{
	(void)t, (void)s, (void)d, (void)n, (void)u;
}

static void submit_mix(rr_loop *loop, int n, int *done)
{
	for (int i = 0; i < n; i++) {
		char in[64];
		int len = snprintf(in, sizeof in, "input %d\n", i);
		struct rr_opts o = {.on_done = count_done, .user = done};
		switch (i % 4) {
		case 0: /* stdin + both captured */
			o.stdin_data = in;
			o.stdin_len = (size_t)len;
			shell_task(loop, "cat; echo err >&2", &o);
			break;
		case 1: /* merged, timeout armed but not reached */
			o.stderr_mode = RR_IO_MERGE;
			o.timeout_ms = 60000;
			shell_task(loop, "echo out; echo err >&2", &o);
			break;
		case 2: /* callbacks + discard */
			o.stdout_mode = RR_IO_CALLBACK;
			o.stderr_mode = RR_IO_DISCARD;
			o.on_line = ignore_line;
			shell_task(loop, "echo x; echo y >&2", &o);
			break;
		default: /* spawn failure, and unread stdin */
			if (i % 8 == 3) {
				const char *argv[] = {"/nonexistent/z", NULL};
				exec_task(loop, argv, &o);
			} else {
				o.stdin_data = in;
				o.stdin_len = (size_t)len;
				shell_task(loop, "exit 1", &o);
			}
			break;
		}
	}
}

/* 2000 tasks: fds return to the level before them while the loop lives,
 * and to the level before the loop once it is freed; no child is left. */
Test(lib_leaks, fds_and_children_after_2000_tasks)
{
	int before_loop = count_fds();
	rr_loop *loop = loop_new(128, 0);
	int done = 0;
	/* Warm up: whatever the loop sets up lazily exists from now on. */
	submit_mix(loop, 8, &done);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	int warm = count_fds();

	submit_mix(loop, 2000, &done);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 2008);
	cr_assert_eq(count_fds(), warm, "fds while the loop lives: %d, before: %d",
		     count_fds(), warm);
	expect_no_children();

	free_loop(loop);
	cr_assert_eq(count_fds(), before_loop, "fds after rr_loop_free: %d, before: %d",
		     count_fds(), before_loop);
	expect_no_children();
}

/* The same across the fallback paths together. */
Test(lib_leaks, fds_and_children_fallback_paths)
{
	int before_loop = count_fds();
	rr_loop *loop = loop_new(64, RR_LOOP_NO_WAITID | RR_LOOP_NO_MULTISHOT);
	int done = 0;
	submit_mix(loop, 8, &done);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	int warm = count_fds();
	submit_mix(loop, 500, &done);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 508);
	cr_assert_eq(count_fds(), warm);
	expect_no_children();
	free_loop(loop);
	cr_assert_eq(count_fds(), before_loop);
}

/* Timeouts, kills and frees leave nothing either. */
Test(lib_leaks, after_kills_and_timeouts)
{
	int before_loop = count_fds();
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.timeout_ms = 100, .kill_grace_ms = 100, .on_done = count_done,
			    .user = &done};
	rr_task *t[40];
	for (int i = 0; i < 40; i++)
		t[i] = shell_task(loop, i % 2 ? "sleep 600" : "trap '' TERM; sleep 600", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 40);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(rr_task_result(t[i])->status, RR_TIMEOUT);
	expect_no_children();
	free_loop(loop);
	cr_assert_eq(count_fds(), before_loop);
	expect_no_children();
}

/* Many loops one after the other: nothing accumulates. */
Test(lib_leaks, loop_new_free_cycles)
{
	int before = count_fds();
	for (int i = 0; i < 200; i++) {
		rr_loop *loop = loop_new(0, i % 4);
		if (i % 2) {
			rr_task *t = shell_task(loop, "echo hi", NULL);
			if (i % 3)
				wait_task(t);
		}
		if (i % 5 == 0)
			cr_assert_geq(rr_loop_fd(loop), 0);
		rr_loop_free(loop);
	}
	cr_assert_eq(count_fds(), before);
	expect_no_children();
	expect_no_leaks();
}
