/*
 * SIGINT, SIGTERM, SIGHUP and a closed stdout: every task is killed and
 * reaped, what finished is printed, no process is left behind.
 *
 * The tasks record the pid of a background "sleep 600" they start in a pid
 * file; this test process is a child subreaper, so those sleeps become its
 * children once their shell dies and can be checked for and reaped.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_PIDS 16

struct scene {
	char dir[64];
	char pidfile[PATH_MAX];
	char cmd[PATH_MAX + 128];
	pid_t pids[MAX_PIDS];
	int npids;
};

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/* A fresh pid file and, in cmd, the task: body with %s = the pid file. */
static void scene_init(struct scene *s, const char *body)
{
	strcpy(s->dir, "/tmp/rr-sig-XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir));
	snprintf(s->pidfile, sizeof s->pidfile, "%s/pids", s->dir);
	snprintf(s->cmd, sizeof s->cmd, body, s->pidfile);
	s->npids = 0;
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

static int read_pids(struct scene *s)
{
	FILE *f = fopen(s->pidfile, "r");
	int pid;

	s->npids = 0;
	if (!f)
		return 0;
	/* Only whole lines: a pid still being written is not counted. */
	while (s->npids < MAX_PIDS && fscanf(f, "%d\n", &pid) == 1)
		s->pids[s->npids++] = pid;
	fclose(f);
	return s->npids;
}

/* Poll (bounded) until n tasks have started their sleep. */
static void wait_started(struct scene *s, int n)
{
	long long deadline = now_ms() + 10000;

	while (read_pids(s) < n) {
		cr_assert_lt(now_ms(), deadline, "only %d of %d tasks started",
			     s->npids, n);
		pause_ms(10);
	}
}

/* Poll (bounded) until none of the recorded pids exists. */
static void expect_all_gone(struct scene *s)
{
	long long deadline = now_ms() + 5000;
	int alive;

	do {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			; /* orphaned sleeps that died: reap them */
		alive = 0;
		for (int k = 0; k < s->npids; k++)
			if (kill(s->pids[k], 0) == 0 || errno != ESRCH)
				alive = s->pids[k];
		if (alive)
			pause_ms(10);
	} while (alive && now_ms() < deadline);
	for (int k = 0; alive && k < s->npids; k++)
		kill(s->pids[k], SIGKILL); /* do not leave them to the next test */
	cr_assert_eq(alive, 0, "pid %d survived ringrun", alive);
	unlink(s->pidfile);
	rmdir(s->dir);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/*
 * Three tasks running (and a fourth waiting for a slot), then sig: each
 * running task is cancelled, what it wrote is printed, the fourth never
 * starts.  body: the task, with %s for the pid file; begun: what the three
 * print before they sleep.
 */
static void interrupt(const char *body, const char *begun, int sig, int status)
{
	struct scene s;
	struct proc p;
	struct proc_result r;

	scene_init(&s, body);
	const char *argv[] = { ringrun_bin(), "-j", "3", "-k", s.cmd,
			       ":::", "1", "2", "3", "4", NULL };
	proc_start(&p, argv, false);
	wait_started(&s, 3);
	cr_assert_eq(kill(p.pid, sig), 0);
	proc_finish(&p, NULL, 0, 10000, &r);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, begun);
	cr_assert_eq(count(r.err, "cancelled; killed by SIGTERM"), 3, "%s", r.err);
	cr_assert_eq(count(r.err, "\n"), 3, "%s", r.err);
	expect_all_gone(&s);
	proc_result_free(&r);
}

#define TALKING "echo begun {}; sleep 600 & echo $! >> %s; wait"
#define BEGUN "begun 1\nbegun 2\nbegun 3\n"

Test(cli_signals, sigint, .timeout = 30)
{
	interrupt(TALKING, BEGUN, SIGINT, 130);
}

Test(cli_signals, sigterm, .timeout = 30)
{
	interrupt(TALKING, BEGUN, SIGTERM, 143);
}

Test(cli_signals, sighup, .timeout = 30)
{
	interrupt(TALKING, BEGUN, SIGHUP, 129);
}

/* Tasks that print nothing: the signal finds ringrun in its first wait. */
Test(cli_signals, sigint_silent_tasks, .timeout = 30)
{
	interrupt(": {}; sleep 600 & echo $! >> %s; wait", "", SIGINT, 130);
}

/*
 * Tasks that survive SIGTERM (a trap notes it in a second file): the library
 * would wait its grace period (2 s) before SIGKILL; a second signal, sent
 * once both tasks got the SIGTERM of the first, kills at once.  Two signals
 * sent back to back would merge into one pending signal.
 */
Test(cli_signals, second_signal_kills, .timeout = 30)
{
	struct scene s, terms;
	struct proc p;
	struct proc_result r;
	char body[PATH_MAX + 128];

	scene_init(&terms, "%s");
	snprintf(body, sizeof body,
		 ": {}; trap 'echo 0 >> %s' TERM; echo $$ >> %%s; "
		 "while :; do sleep 0.1; done", terms.pidfile);
	scene_init(&s, body);
	const char *argv[] = { ringrun_bin(), "-j", "2", s.cmd, ":::", "1", "2",
			       NULL };
	proc_start(&p, argv, false);
	wait_started(&s, 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	wait_started(&terms, 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	long long sent = now_ms();
	proc_finish(&p, NULL, 0, 10000, &r);
	long long took = now_ms() - sent;
	cr_assert_eq(r.status, 130, "stderr: %s", r.err);
	cr_assert_lt(took, 1500, "took %lld ms: waited for the grace period", took);
	cr_assert_eq(count(r.err, "killed by SIGKILL"), 2, "%s", r.err);
	expect_all_gone(&s);
	terms.npids = 0;
	expect_all_gone(&terms);
	proc_result_free(&r);
}

/* A reader that went away: the tasks are killed, exit 141, no output. */
Test(cli_signals, closed_stdout_kills_tasks, .timeout = 30)
{
	struct scene s;
	struct proc p;
	struct proc_result r;

	/* The pid is on file before the first byte reaches ringrun. */
	scene_init(&s, "sleep 600 & echo $! >> %s; exec yes {}");
	const char *argv[] = { ringrun_bin(), "-o", "stream", "-j", "2", s.cmd,
			       ":::", "1", "2", "3", NULL };
	proc_start(&p, argv, true);
	proc_finish(&p, NULL, 0, 10000, &r);
	cr_assert_eq(r.status, 141, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert_geq(read_pids(&s), 1);
	cr_assert_leq(s.npids, 2, "a task started after stdout closed");
	expect_all_gone(&s);
	proc_result_free(&r);
}

/* -a FILE from disk, with {#}. */
Test(cli_files, args_file, .timeout = 30)
{
	char path[] = "/tmp/rr-args-XXXXXX";
	int fd = mkstemp(path);
	struct proc_result r;
	const char *content = "a b\n\nc.txt\n";

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	const char *args[] = { "-k", "-a", path, "echo", "{#}:{.}:", NULL };
	run_ringrun(args, NULL, 0, false, &r);
	unlink(path);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "1:a b:\n2::\n3:c:\n");
	proc_result_free(&r);
}
