/* child.c - what a child starts with: fds, signals, limits, group, env,
 * cwd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_child, .timeout = TEST_TIMEOUT);

static const struct rr_result *run_helper1(rr_loop *loop, const struct rr_opts *o,
					   const char *cmd)
{
	return wait_task(helper_task(loop, o, cmd, NULL));
}

/* Only 0-2, though the host holds extra fds without O_CLOEXEC. */
Test(lib_child, only_fds_0_1_2)
{
	int a = open("/dev/null", O_RDONLY);
	cr_assert(a >= 0);
	cr_assert_eq(dup2(a, 77), 77);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	rr_loop *loop = loop_new(0, 0);
	/* With several at once, each child must still see only its own 0-2. */
	rr_task *t[8];
	for (int i = 0; i < 8; i++) {
		struct rr_opts o = {0};
		if (i == 1)
			o.stderr_mode = RR_IO_MERGE;
		if (i == 2) {
			o.stdin_data = "x";
			o.stdin_len = 1;
		}
		if (i == 3)
			o.stderr_mode = RR_IO_DISCARD;
		t[i] = helper_task(loop, &o, "fds", NULL);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 8; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		cr_assert_str_eq(r->out.data, "0\n1\n2\n", "task %d fds:\n%s", i, r->out.data);
	}
	free_loop(loop);
	close(a);
	close(77);
	close(p[0]);
	close(p[1]);
}

/* Empty signal mask and default SIGPIPE, whatever the host has. */
Test(lib_child, clean_signal_state)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction ign = {.sa_handler = SIG_IGN}, oldpipe;
	sigaction(SIGPIPE, &ign, &oldpipe);

	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r = run_helper1(loop, NULL, "sigstate");
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "blocked:\nsigpipe:default\n");
	/* And the library left the host's own state alone. */
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	cr_assert(sigismember(&now, SIGUSR1) && sigismember(&now, SIGTERM));
	struct sigaction cur;
	sigaction(SIGPIPE, NULL, &cur);
	cr_assert_eq(cur.sa_handler, SIG_IGN);
	free_loop(loop);

	sigaction(SIGPIPE, &oldpipe, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A child that dies of SIGPIPE (reader gone) is signaled, since it gets
 * the default disposition back. */
Test(lib_child, child_sigpipe_default)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, oldpipe;
	sigaction(SIGPIPE, &ign, &oldpipe);
	rr_loop *loop = loop_new(0, 0);
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "{ '%s' pattern 10000000; echo $? >&2; } | head -c 10 >/dev/null", helper());
	const struct rr_result *r = run_shell(loop, cmd, NULL);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(atoi(r->err.data), 128 + SIGPIPE, "helper ended with %s", r->err.data);
	free_loop(loop);
	sigaction(SIGPIPE, &oldpipe, NULL);
}

/* The child gets the soft RLIMIT_NOFILE the host had before rr_loop_new
 * raised it. */
Test(lib_child, original_nofile_limit)
{
	struct rlimit orig;
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &orig), 0);
	struct rlimit low = {.rlim_cur = 512, .rlim_max = orig.rlim_max};
	if (orig.rlim_max < 512)
		low.rlim_cur = orig.rlim_max;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);

	rr_loop *loop = rr_loop_new(NULL);
	cr_assert(loop);
	struct rlimit now;
	getrlimit(RLIMIT_NOFILE, &now);
	cr_assert_eq(now.rlim_cur, orig.rlim_max, "the loop did not raise the soft limit");
	const struct rr_result *r = run_helper1(loop, NULL, "nofile");
	expect_status(r, RR_OK, 0);
	cr_assert_eq(strtoull(r->out.data, NULL, 10), low.rlim_cur, "child nofile: %s",
		     r->out.data);
	free_loop(loop);
	setrlimit(RLIMIT_NOFILE, &orig);
}

Test(lib_child, own_process_group)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = helper_task(loop, NULL, "pgid", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 4; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		int pid = 0, pgid = 0;
		cr_assert_eq(sscanf(r->out.data, "%d %d", &pid, &pgid), 2);
		cr_assert_eq(pid, r->pid, "helper pid %d, result pid %d", pid, (int)r->pid);
		cr_assert_eq(pgid, pid, "pgid %d != pid %d", pgid, pid);
		cr_assert_neq(pgid, getpgrp());
	}
	free_loop(loop);
}

Test(lib_child, env_overrides)
{
	setenv("RR_T_OVERRIDE", "host", 1);
	setenv("RR_T_KEEP", "kept", 1);
	rr_loop *loop = loop_new(0, 0);
	const char *env[] = {"RR_T_OVERRIDE=task", "RR_T_NEW=new value", "RR_T_EMPTY=", NULL};
	struct rr_opts o = {.env = env};
	rr_task *a = helper_task(loop, &o, "env", "RR_T_OVERRIDE", NULL);
	rr_task *b = helper_task(loop, &o, "env", "RR_T_NEW", NULL);
	rr_task *c = helper_task(loop, &o, "env", "RR_T_KEEP", NULL);
	rr_task *d = helper_task(loop, &o, "env", "RR_T_EMPTY", NULL);
	rr_task *e = helper_task(loop, NULL, "env", "RR_T_NEW", NULL);
	rr_task *f = helper_task(loop, NULL, "env", "RR_T_OVERRIDE", NULL);
	rr_task *g = shell_task(loop, "echo \"$RR_T_OVERRIDE\"", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_str_eq(rr_task_result(a)->out.data, "task\n");
	cr_assert_str_eq(rr_task_result(b)->out.data, "new value\n");
	cr_assert_str_eq(rr_task_result(c)->out.data, "kept\n");
	cr_assert_str_eq(rr_task_result(d)->out.data, "\n");
	expect_status(rr_task_result(e), RR_EXIT_NONZERO, 3);
	cr_assert_str_eq(rr_task_result(f)->out.data, "host\n");
	cr_assert_str_eq(rr_task_result(g)->out.data, "task\n");
	/* The host's environment is untouched. */
	cr_assert_str_eq(getenv("RR_T_OVERRIDE"), "host");
	cr_assert_null(getenv("RR_T_NEW"));
	free_loop(loop);
}

/* env is copied at submit. */
Test(lib_child, env_copied_at_submit)
{
	rr_loop *loop = loop_new(0, 0);
	char entry[] = "RR_T_COPY=before";
	const char *env[] = {entry, NULL};
	struct rr_opts o = {.env = env};
	rr_task *t = helper_task(loop, &o, "env", "RR_T_COPY", NULL);
	memcpy(entry + 10, "after!", 6);
	env[0] = NULL;
	const struct rr_result *r = wait_task(t);
	cr_assert_str_eq(r->out.data, "before\n");
	free_loop(loop);
}

Test(lib_child, cwd)
{
	char dir[] = "/tmp/rr-cwd-XXXXXX";
	cr_assert(mkdtemp(dir));
	char real[PATH_MAX];
	cr_assert(realpath(dir, real));
	char host_cwd[PATH_MAX];
	cr_assert(getcwd(host_cwd, sizeof host_cwd));

	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.cwd = dir};
	rr_task *a = helper_task(loop, &o, "cwd", NULL);
	rr_task *b = helper_task(loop, NULL, "cwd", NULL);
	rr_task *c = shell_task(loop, "pwd -P", &o);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	char want[PATH_MAX + 2];
	snprintf(want, sizeof want, "%s\n", real);
	cr_assert_str_eq(rr_task_result(a)->out.data, want);
	cr_assert_str_eq(rr_task_result(c)->out.data, want);
	snprintf(want, sizeof want, "%s\n", host_cwd);
	cr_assert_str_eq(rr_task_result(b)->out.data, want);
	char now[PATH_MAX];
	cr_assert(getcwd(now, sizeof now));
	cr_assert_str_eq(now, host_cwd, "the host's cwd changed");
	free_loop(loop);
	rmdir(dir);
}
