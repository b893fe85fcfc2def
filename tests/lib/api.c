/* api.c - names, errors, argument checks, accessors, SIGCHLD, EINTR. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_api, .timeout = TEST_TIMEOUT);

Test(lib_api, status_names)
{
	static const enum rr_status all[] = {
		RR_RUNNING,  RR_OK,		RR_EXIT_NONZERO, RR_EXIT_UNEXPECTED,
		RR_SIGNALED, RR_TIMEOUT,	RR_IDLE_TIMEOUT, RR_SPAWN_FAILED,
		RR_CANCELLED, RR_ERROR,
	};
	size_t n = sizeof all / sizeof all[0];
	bool have_exit = false;
	for (size_t i = 0; i < n; i++) {
		const char *s = rr_status_name(all[i]);
		cr_assert(s && *s, "status %d has no name", all[i]);
		for (const char *p = s; *p; p++)
			cr_assert(!isupper((unsigned char)*p) && !isspace((unsigned char)*p),
				  "name '%s' is not short lowercase", s);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(s, rr_status_name(all[j]), "statuses %d and %d share '%s'",
					  all[i], all[j], s);
		have_exit |= !strcmp(s, "exit");
	}
	cr_assert_str_eq(rr_status_name(RR_OK), "ok");
	cr_assert_str_eq(rr_status_name(RR_TIMEOUT), "timeout");
	cr_assert(have_exit, "no status is named \"exit\"");
}

Test(lib_api, strerror_names_errno)
{
	cr_assert_str_eq(rr_strerror(-ENOENT), strerror(ENOENT));
	cr_assert_str_eq(rr_strerror(-EBUSY), strerror(EBUSY));
	cr_assert_str_eq(rr_strerror(-ESRCH), strerror(ESRCH));
	cr_assert(rr_strerror(-EINVAL) && *rr_strerror(-EINVAL));
}

Test(lib_api, version)
{
	cr_assert_str_eq(RR_VERSION, "0.1.0");
	cr_assert_eq(RR_VERSION_NUM, 0x000100);
	cr_assert_eq(RR_LINE_MAX, 1024 * 1024);
}

Test(lib_api, bad_arguments)
{
	rr_loop *loop = loop_new(0, 0);
	int done = 0;
	struct rr_opts o = {.on_done = count_done, .user = &done};

	errno = 0;
	cr_assert_null(rr_shell(loop, NULL, &o));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_exec(loop, NULL, &o));
	cr_assert_eq(errno, EINVAL);
	const char *empty[] = {NULL};
	errno = 0;
	cr_assert_null(rr_exec(loop, empty, &o));
	cr_assert_eq(errno, EINVAL);
	struct rr_opts m = {.stdout_mode = RR_IO_MERGE, .on_done = count_done, .user = &done};
	errno = 0;
	cr_assert_null(rr_shell(loop, "true", &m), "RR_IO_MERGE accepted for stdout");
	cr_assert_eq(errno, EINVAL);
	struct rr_opts bad = {.stderr_mode = (enum rr_io)77, .on_done = count_done,
			      .user = &done};
	errno = 0;
	cr_assert_null(rr_shell(loop, "true", &bad));
	cr_assert_eq(errno, EINVAL);

	/* A failed call queued nothing and calls no callback. */
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 0);
	cr_assert_eq(st.finished, 0);
	free_loop(loop);
}

Test(lib_api, accessors)
{
	rr_loop *loop = loop_new(0, 0);
	int u;
	struct rr_opts o = {.user = &u};
	rr_task *a = shell_task(loop, "echo hi", &o);
	cr_assert_eq(rr_task_user(a), &u);
	cr_assert_eq(rr_task_loop(a), loop);
	cr_assert_str_eq(rr_task_title(a), "echo hi");
	cr_assert_not(rr_task_done(a));
	cr_assert_eq(rr_task_result(a)->status, RR_RUNNING);

	struct rr_opts t = {.title = "my title"};
	rr_task *b = shell_task(loop, "echo there", &t);
	cr_assert_str_eq(rr_task_title(b), "my title");
	cr_assert_null(rr_task_user(b));

	const char *argv[] = {"echo", "x", NULL};
	rr_task *c = exec_task(loop, argv, NULL);
	cr_assert(rr_task_title(c) && strstr(rr_task_title(c), "echo"), "title '%s'",
		  rr_task_title(c));
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert(rr_task_done(a) && rr_task_done(b) && rr_task_done(c));
	cr_assert_str_eq(rr_task_result(a)->out.data, "hi\n");
	free_loop(loop);
}

Test(lib_api, null_loop_options)
{
	rr_loop *loop = rr_loop_new(NULL);
	cr_assert(loop, "rr_loop_new(NULL): %s", strerror(errno));
	expect_status(run_shell(loop, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* A host that ignores SIGCHLD is refused with ECHILD. */
Test(lib_api, sigchld_ignored_is_echild)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGCHLD, &ign, &old);
	errno = 0;
	rr_loop *loop = rr_loop_new(NULL);
	int e = errno;
	sigaction(SIGCHLD, &old, NULL);
	cr_assert_null(loop, "rr_loop_new accepted SIGCHLD = SIG_IGN");
	cr_assert_eq(e, ECHILD, "errno %d (%s)", e, strerror(e));

	/* Restored: it works again. */
	loop = rr_loop_new(NULL);
	cr_assert(loop);
	free_loop(loop);
}

/* A SIGCHLD handler that does not reap is fine, and the library does not
 * change it. */
static volatile sig_atomic_t chld_seen;
static void on_chld(int s)
{
	(void)s;
	chld_seen++;
}

Test(lib_api, sigchld_handler_left_alone)
{
	struct sigaction sa = {.sa_handler = on_chld, .sa_flags = SA_RESTART}, old, cur;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old);
	rr_loop *loop = loop_new(0, 0);
	expect_status(run_shell(loop, "exit 5", NULL), RR_EXIT_NONZERO, 5);
	sigaction(SIGCHLD, NULL, &cur);
	cr_assert_eq(cur.sa_handler, on_chld, "the library changed SIGCHLD");
	free_loop(loop);
	sigaction(SIGCHLD, &old, NULL);
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int s)
{
	(void)s;
	usr1_seen++;
}

/* wait_sigmask: SIGUSR1 blocked, the old mask given to the loop; a child
 * sends us SIGUSR1 and rr_loop_run returns -EINTR; the loop carries on. */
Test(lib_api, wait_sigmask_eintr)
{
	struct sigaction sa = {.sa_handler = on_usr1}, olda;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &olda);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);

	struct rr_loop_opts lo = {.wait_sigmask = &old};
	rr_loop *loop = rr_loop_new(&lo);
	cr_assert(loop);
	/* A limit, should the signal not end the wait: far beyond the time
	   the sender needs. */
	struct rr_opts o = {.timeout_ms = 30000};
	rr_task *slow = shell_task(loop, "exec sleep 600", &o);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "kill -USR1 %d", (int)getpid());
	rr_task *sender = shell_task(loop, cmd, NULL);

	int rc = rr_loop_run(loop, RR_RUN_DEFAULT);
	cr_assert_eq(rc, -EINTR, "rr_loop_run = %d", rc);
	cr_assert_eq(usr1_seen, 1);
	cr_assert_not(rr_task_done(slow));
	/* The loop is intact: end the sleeper and run to the end. */
	cr_assert_eq(rr_task_kill(slow, SIGKILL), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(sender), RR_OK, 0);
	expect_status(rr_task_result(slow), RR_CANCELLED, -9);
	free_loop(loop);

	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGUSR1, &olda, NULL);
}

/* Results stay readable after the loop goes on with other tasks. */
Test(lib_api, results_stable_until_free)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *a = shell_task(loop, "echo first", NULL);
	const struct rr_result *ra = wait_task(a);
	const char *data = ra->out.data;
	for (int i = 0; i < 20; i++)
		run_shell(loop, "echo other; echo other >&2", NULL);
	cr_assert_eq(rr_task_result(a)->out.data, data);
	cr_assert_str_eq(rr_task_result(a)->out.data, "first\n");
	free_loop(loop);
}

/* started: the command may have run; false only when it certainly did not. */
Test(lib_api, started_says_whether_the_command_may_have_run)
{
	rr_loop *loop = loop_new(1, 0);
	const struct rr_result *r = run_shell(loop, "exit 3", NULL);
	cr_assert(r->started);

	const char *const missing[] = { "/nonexistent/ringrun-test", NULL };
	rr_task *t = exec_task(loop, missing, NULL);
	r = wait_task(t);
	expect_status_only(r, RR_SPAWN_FAILED);
	cr_assert(!r->started, "the exec failed: nothing ran");

	rr_task *running = shell_task(loop, "exec sleep 600", NULL);
	rr_task *queued = shell_task(loop, "true", NULL); /* behind max_running 1 */
	cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0); /* the first starts */
	cr_assert_neq(rr_task_result(running)->pid, 0);
	cr_assert_eq(rr_task_kill(queued, SIGTERM), 0);
	cr_assert_eq(rr_task_kill(running, SIGTERM), 0);
	r = wait_task(queued);
	expect_status_only(r, RR_CANCELLED);
	cr_assert(!r->started, "cancelled in the queue");
	r = wait_task(running);
	expect_status(r, RR_CANCELLED, -15);
	cr_assert(r->started);
	free_loop(loop);
}

/* The counters move the way they say. */
Test(lib_api, stats_counters)
{
	rr_loop *loop = loop_new(7, 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 0);
	cr_assert_eq(st.finished, 0);
	cr_assert_eq(st.max_running, 7);
	for (int i = 0; i < 10; i++)
		shell_task(loop, "echo x", NULL);
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.queued, 10);
	cr_assert_eq(st.running, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.spawned, 10);
	cr_assert_eq(st.finished, 10);
	cr_assert_eq(st.queued, 0);
	cr_assert_eq(st.running, 0);
	cr_assert_gt(st.enters, 0);
	cr_assert_geq(st.sqes, 20, "sqes %llu", (unsigned long long)st.sqes);
	cr_assert_geq(st.cqes, 20, "cqes %llu", (unsigned long long)st.cqes);
	free_loop(loop);
}
