/* exit.c - exit codes, signals, expected exit, spawn failures, timing,
 * rusage. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_exit, .timeout = TEST_TIMEOUT);

Test(lib_exit, codes_0_1_255)
{
	rr_loop *loop = loop_new(0, 0);
	expect_status(run_shell(loop, "exit 0", NULL), RR_OK, 0);
	expect_status(run_shell(loop, "exit 1", NULL), RR_EXIT_NONZERO, 1);
	expect_status(run_shell(loop, "exit 255", NULL), RR_EXIT_NONZERO, 255);
	free_loop(loop);
}

Test(lib_exit, exec_exit_code)
{
	rr_loop *loop = loop_new(0, 0);
	expect_status(wait_task(helper_task(loop, NULL, "exit", "42", NULL)),
		      RR_EXIT_NONZERO, 42);
	expect_status(wait_task(helper_task(loop, NULL, "exit", "0", NULL)), RR_OK, 0);
	free_loop(loop);
}

Test(lib_exit, killed_by_sigkill)
{
	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r = run_shell(loop, "kill -9 $$", NULL);
	expect_status(r, RR_SIGNALED, -9);
	free_loop(loop);
}

Test(lib_exit, killed_by_sigterm)
{
	rr_loop *loop = loop_new(0, 0);
	expect_status(run_shell(loop, "kill -TERM $$", NULL), RR_SIGNALED, -15);
	expect_status(wait_task(helper_task(loop, NULL, "kill", "10", NULL)), RR_SIGNALED,
		      -10);
	free_loop(loop);
}

Test(lib_exit, expect_exit_matches)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.expect_exit = 3};
	expect_status(run_shell(loop, "exit 3", &o), RR_OK, 3);
	free_loop(loop);
}

Test(lib_exit, expect_exit_mismatch_names_both_codes)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.expect_exit = 3, .title = "job"};
	const struct rr_result *r = run_shell(loop, "exit 0", &o);
	expect_status(r, RR_EXIT_UNEXPECTED, 0);
	cr_assert(has_number(r->message, 0) && has_number(r->message, 3),
		  "message does not name 0 and 3: %s", r->message);
	cr_assert(strstr(r->message, "job"), "message does not name the task: %s",
		  r->message);

	struct rr_opts o2 = {.expect_exit = 3, .title = "job"};
	r = run_shell(loop, "exit 5", &o2);
	expect_status(r, RR_EXIT_UNEXPECTED, 5);
	cr_assert(has_number(r->message, 5) && has_number(r->message, 3),
		  "message does not name 5 and 3: %s", r->message);
	free_loop(loop);
}

Test(lib_exit, nonzero_message_names_task_and_code)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.title = "mytitle"};
	const struct rr_result *r = run_shell(loop, "exit 7", &o);
	expect_status(r, RR_EXIT_NONZERO, 7);
	cr_assert(strstr(r->message, "mytitle") && has_number(r->message, 7),
		  "message: %s", r->message);
	cr_assert_null(strchr(r->message, '\n'), "message is not one line: %s", r->message);
	free_loop(loop);
}

Test(lib_exit, shell_command_not_found)
{
	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r = run_shell(loop, "rr-no-such-command-xyz", NULL);
	expect_status(r, RR_EXIT_NONZERO, 127);
	cr_assert(strstr(r->err.data, "rr-no-such-command-xyz"), "stderr: %s", r->err.data);
	free_loop(loop);
}

static void spawn_fails(const char *name, const char *why)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done};
	const char *argv[] = {name, "arg", NULL};
	rr_task *t = exec_task(loop, argv, &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 1);
	const struct rr_result *r = rr_task_result(t);
	cr_assert_eq(r->status, RR_SPAWN_FAILED, "status %s: %s", rr_status_name(r->status),
		     r->message);
	char want[512];
	snprintf(want, sizeof want, "spawn '%s': %s", name, why);
	cr_assert_str_eq(r->message, want);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->err.len, 0);
	free_loop(loop);
	expect_no_children();
}

Test(lib_exit, exec_missing_path)
{
	spawn_fails("/nonexistent/x", "No such file or directory");
}

Test(lib_exit, exec_missing_in_path)
{
	spawn_fails("rr-no-such-program-xyz", "No such file or directory");
}

Test(lib_exit, exec_not_executable)
{
	char path[] = "/tmp/rr-noexec-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	close(fd);
	chmod(path, 0644);
	spawn_fails(path, "Permission denied");
	unlink(path);
}

/* A failed spawn does not disturb the tasks around it. */
Test(lib_exit, spawn_failure_among_good_tasks)
{
	rr_loop *loop = loop_new(0, 0);
	const char *bad[] = {"/nonexistent/y", NULL};
	const char *good[] = {"echo", "fine", NULL};
	rr_task *t[6];
	for (int i = 0; i < 6; i++)
		t[i] = exec_task(loop, i % 2 ? bad : good, NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 6; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		if (i % 2) {
			cr_assert_eq(r->status, RR_SPAWN_FAILED);
		} else {
			expect_status(r, RR_OK, 0);
			cr_assert_str_eq(r->out.data, "fine\n");
		}
	}
	free_loop(loop);
}

Test(lib_exit, exec_path_lookup)
{
	rr_loop *loop = loop_new(0, 0);
	const char *argv[] = {"echo", "a b", "c", NULL};
	const struct rr_result *r = wait_task(exec_task(loop, argv, NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "a b c\n");
	free_loop(loop);
}

/* argv is copied at submit: clobbering it afterwards changes nothing. */
Test(lib_exit, argv_copied_at_submit)
{
	rr_loop *loop = loop_new(0, 0);
	char a0[] = "echo", a1[] = "copied";
	char *argv[] = {a0, a1, NULL};
	char cmd[] = "echo shell-copied";
	char title[] = "title";
	struct rr_opts o = {.title = title};
	rr_task *t1 = exec_task(loop, (const char *const *)argv, &o);
	rr_task *t2 = shell_task(loop, cmd, NULL);
	memset(a0, 'x', 4);
	memset(a1, 'y', 6);
	argv[0] = NULL;
	memset(cmd, 'z', sizeof cmd - 1);
	memset(title, 'q', 5);
	memset(&o, 0xff, sizeof o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t1), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(t1)->out.data, "copied\n");
	cr_assert_str_eq(rr_task_title(t1), "title");
	expect_status(rr_task_result(t2), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(t2)->out.data, "shell-copied\n");
	free_loop(loop);
}

Test(lib_exit, cwd_missing_is_spawn_failure)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.cwd = "/nonexistent/dir"};
	const struct rr_result *r = run_shell(loop, "pwd", &o);
	cr_assert_eq(r->status, RR_SPAWN_FAILED, "status %s: %s", rr_status_name(r->status),
		     r->message);
	cr_assert(strstr(r->message, "No such file or directory"), "message: %s",
		  r->message);
	free_loop(loop);
}

Test(lib_exit, timing)
{
	rr_loop *loop = loop_new(0, 0);
	uint64_t before = now_ns();
	rr_task *t = shell_task(loop, "sleep 0.2", NULL);
	const struct rr_result *r0 = rr_task_result(t);
	cr_assert_eq(r0->status, RR_RUNNING);
	cr_assert_eq(r0->end_ns, 0);
	const struct rr_result *r = wait_task(t);
	uint64_t after = now_ns();
	expect_status(r, RR_OK, 0);
	cr_assert_gt(r->pid, 0);
	cr_assert(r->start_ns >= before && r->start_ns <= r->end_ns && r->end_ns <= after,
		  "before %llu start %llu end %llu after %llu", (unsigned long long)before,
		  (unsigned long long)r->start_ns, (unsigned long long)r->end_ns,
		  (unsigned long long)after);
	/* start_ns is read before the spawn and end_ns after the reap, and
	   nanosleep never returns early: the span holds the whole sleep. */
	uint64_t ms = (r->end_ns - r->start_ns) / 1000000;
	cr_assert_geq(ms, 200, "sleep 0.2 took %llu ms", (unsigned long long)ms);
	free_loop(loop);
}

Test(lib_exit, rusage)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_RUSAGE};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "burn", "300", "64", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert(r->user_us + r->sys_us >= 250000, "user %llu us sys %llu us",
		  (unsigned long long)r->user_us, (unsigned long long)r->sys_us);
	cr_assert(r->user_us >= 150000, "user %llu us", (unsigned long long)r->user_us);
	uint64_t wall_us = (r->end_ns - r->start_ns) / 1000;
	cr_assert(r->user_us + r->sys_us <= wall_us + 20000,
		  "cpu %llu us > wall %llu us",
		  (unsigned long long)(r->user_us + r->sys_us), (unsigned long long)wall_us);
	cr_assert(r->maxrss_kb >= 60 * 1024 && r->maxrss_kb < 4 * 1024 * 1024,
		  "maxrss %ld kB", r->maxrss_kb);
	free_loop(loop);
}

/* rusage also for a child killed by a signal, and for the fallback path. */
Test(lib_exit, rusage_signaled_and_fallback)
{
	rr_loop *loop = loop_new(0, RR_LOOP_NO_WAITID);
	struct rr_opts o = {.flags = RR_F_RUSAGE};
	const struct rr_result *r = run_shell(
		loop, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; kill -9 $$", &o);
	expect_status(r, RR_SIGNALED, -9);
	cr_assert_gt(r->user_us + r->sys_us, 0);
	cr_assert_gt(r->maxrss_kb, 0);
	free_loop(loop);
}
