/*
 * hostile.c - what hostile input and a hostile environment found: a daemon
 * that keeps the task's pipes open past a kill, an fd limit far below what
 * max_running asks for, NULL handles, and the state trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_hostile, .timeout = TEST_TIMEOUT);

/* The daemon's pid, from "pid" on the first line of the task's stdout. */
static pid_t daemon_pid(const struct rr_result *r)
{
	pid_t pid = (pid_t)atoi(r->out.data);

	cr_assert_gt(pid, 1, "stdout: %s", r->out.data);
	return pid;
}

/*
 * The command exits at once but leaves a daemon in a session of its own,
 * holding stdout for 600 s.  After the timeout and the grace, the task
 * stops reading and ends: long before the daemon would let go.
 */
Test(lib_hostile, daemon_holding_the_pipe_after_a_timeout)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.timeout_ms = 200, .kill_grace_ms = 200};
	const struct rr_result *r =
		run_shell(loop, "setsid sh -c 'sleep 600' & echo $!; echo done", &o);

	expect_status(r, RR_TIMEOUT, 0);
	cr_assert(strstr(r->out.data, "done\n"), "stdout: %s", r->out.data);
	cr_assert(strstr(r->message, "timed out after 0.2 s; exited with status 0; its "
			     "output held open by a process it left"), "message: %s", r->message);
	kill(-daemon_pid(r), SIGKILL); /* its session's group: sh and its sleep */
	free_loop(loop);
}

/* The same for a kill: the task is cancelled, not left to the daemon. */
Test(lib_hostile, daemon_holding_the_pipe_after_a_kill)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines seen = {0};
	struct rr_opts o = {.kill_grace_ms = 200, .on_line = record_cb, .user = &seen};
	rr_task *t = shell_task(loop, "setsid sh -c 'sleep 600' & echo $!; exec echo done",
				&o);
	while (seen.n < 2) /* the command has run to its end */
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	cr_assert_eq(rr_task_wait(t), 0);
	const struct rr_result *r = rr_task_result(t);
	cr_assert_eq(r->status, RR_CANCELLED, "%s", r->message);
	kill(-daemon_pid(r), SIGKILL); /* its session's group: sh and its sleep */
	lines_free(&seen);
	free_loop(loop);
}

/* Fill this process's fd table until only room fds are free. */
static int *fill_fds(int room, int *n)
{
	int *fds = NULL, cap = 0, fd;

	*n = 0;
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			fds = realloc(fds, (size_t)cap * sizeof(*fds));
			cr_assert_not_null(fds);
		}
		fds[(*n)++] = fd;
	}
	cr_assert_eq(errno, EMFILE);
	for (int i = 0; i < room && *n > 0; i++)
		close(fds[--*n]);
	return fds;
}

/* A task that must have ended ok, counted. */
static void ok_done(rr_task *t, void *user)
{
	cr_assert_eq(rr_task_result(t)->status, RR_OK, "%s", rr_task_result(t)->message);
	++*(int *)user;
}

/*
 * 64 open files and the table nearly full: max_running comes down to what
 * fits, and every start that meets EMFILE (or ENFILE) waits for a running
 * task to end instead of failing.  All of them run.
 */
static void run_in_little_room(unsigned max_running, int n, bool with_stdin)
{
	struct rlimit rl = {.rlim_cur = 64, .rlim_max = 64};
	struct rr_loop_stats st = { .size = sizeof st };
	int nfill, *fill, done = 0;

	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	rr_loop *loop = loop_new(max_running, 0);
	rr_loop_stats(loop, &st);
	cr_assert_lt(st.max_running, 64u);
	cr_assert_geq(st.max_running, 1u);
	/* Running whenever the table is full, until it is killed. */
	rr_task *blocker = shell_task(loop, "exec sleep 600", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 1);
	fill = fill_fds(6, &nfill);
	for (int i = 0; i < n; i++)
		shell_task(loop, "echo out; echo err >&2",
			   &(struct rr_opts){.on_done = ok_done, .user = &done,
					     .flags = RR_F_AUTOFREE,
					     .stdin_data = with_stdin ? "x" : NULL,
					     .stdin_len = with_stdin ? 1 : 0});
	/* One turn: starts until the table is full, the rest wait... */
	cr_assert_gt(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	rr_task_kill(blocker, SIGKILL); /* ... for the blocker, among others */
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, n);
	expect_status(rr_task_result(blocker), RR_CANCELLED, -SIGKILL);
	for (int i = 0; i < nfill; i++)
		close(fill[i]);
	free(fill);
	free_loop(loop);
}

Test(lib_hostile, fd_limit_clamps_and_emfile_waits)
{
	run_in_little_room(500, 200, false);
}

Test(lib_hostile, emfile_waits_with_stdin_fed)
{
	run_in_little_room(0, 100, true);
}

/* NULL where a handle belongs is refused, never a crash. */
Test(lib_hostile, null_handles)
{
	struct rr_loop_stats st = {.enters = 7};

	cr_assert_eq(rr_task_wait(NULL), -EINVAL);
	cr_assert_eq(rr_task_kill(NULL, SIGTERM), -EINVAL);
	rr_task_free(NULL);
	cr_assert_null(rr_task_result(NULL));
	cr_assert_not(rr_task_done(NULL));
	cr_assert_null(rr_task_title(NULL));
	cr_assert_null(rr_task_user(NULL));
	cr_assert_null(rr_task_loop(NULL));
	cr_assert_null(rr_task_host(NULL));
	cr_assert_eq(rr_loop_run(NULL, RR_RUN_NOWAIT), -EINVAL);
	cr_assert_eq(rr_loop_fd(NULL), -EINVAL);
	cr_assert_eq(rr_loop_timeout_ms(NULL), -EINVAL);
	rr_loop_stats(NULL, &st);
	cr_assert_eq(st.enters, 0);
	rr_loop_free(NULL);
	errno = 0;
	cr_assert_null(rr_shell(NULL, "true", NULL));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_exec(NULL, (const char *const[]){"true", NULL}, NULL));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_timer_new(NULL, NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	rr_timer_start(NULL, 1);
	rr_timer_stop(NULL);
	cr_assert_not(rr_timer_armed(NULL));
	rr_timer_free(NULL);
	errno = 0;
	cr_assert_null(rr_host_new(NULL, "localhost", NULL));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(rr_host_name(NULL));
	rr_host_free(NULL);
	errno = 0;
	cr_assert_null(rr_ssh(NULL, NULL, "true", NULL));
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(rr_host_spec_parse(NULL, 0, NULL, NULL), -EINVAL);
}

/* RINGRUN_DEBUG=1: every state change of a task on stderr, in order. */
Test(lib_hostile, state_trace)
{
	char path[] = "/tmp/rr-trace-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	setenv("RINGRUN_DEBUG", "1", 1);
	int saved = swap_fd(2, fd); /* closes fd */
	rr_loop *loop = loop_new(0, 0);
	run_shell(loop, "true", &(struct rr_opts){.title = "traced"});
	free_loop(loop);
	restore_fd(2, saved);
	unsetenv("RINGRUN_DEBUG");

	char buf[4096] = {0};
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	cr_assert_gt(n, 0);
	close(fd);
	unlink(path);
	char *run = strstr(buf, "task traced: queued -> running");
	cr_assert_not_null(run, "trace: %s", buf);
	cr_assert_not_null(strstr(run, "task traced: running -> done"), "trace: %s", buf);
	cr_assert_not_null(strstr(buf, "rr__task_begin:"), "trace: %s", buf);
}
