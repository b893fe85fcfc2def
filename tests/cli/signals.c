/*
 * SIGINT, SIGTERM, SIGHUP and a closed stdout: every task is killed and
 * reaped, what finished is printed, no process is left behind.
 *
 * The tasks record the pids of what they start in DIR/pids (sshd.h's
 * @DIR); this test process is a child subreaper, so those processes become
 * its children once their shell dies and can be checked for and reaped.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

#define MAX_PIDS 16

static void dir_up(void)
{
	cli_dir_up("sig");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* The pids in DIR/name (whole lines only: one being written is not). */
static int read_pids(const char *name, pid_t pids[MAX_PIDS])
{
	char *s = cli_slurp_or_empty(name), *line = s, *end;
	int n = 0;

	for (; n < MAX_PIDS && (end = strchr(line, '\n')); line = end + 1) {
		*end = '\0';
		pids[n++] = (pid_t)atoi(line);
	}
	free(s);
	return n;
}

/* Poll (bounded) until none of the pids in DIR/name exists; what does is
   killed, so that it is not left to the next test. */
static void expect_all_gone(const char *name)
{
	pid_t pids[MAX_PIDS];
	int n = read_pids(name, pids);
	long long deadline = now_ms() + HANG_GUARD_MS;
	pid_t alive;

	cr_assert_gt(n, 0, "@DIR/%s has no pid", name);
	do {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			; /* orphans of ours that died: reap them */
		alive = 0;
		for (int k = 0; k < n; k++)
			if (kill(pids[k], 0) == 0 || errno != ESRCH)
				alive = pids[k];
		if (alive)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	} while (alive && now_ms() < deadline);
	for (int k = 0; alive && k < n; k++)
		kill(pids[k], SIGKILL);
	cr_assert_eq(alive, 0, "pid %d survived ringrun", alive);
}

/*
 * Three tasks running (and a fourth waiting for a slot), then sig: each
 * running task is cancelled, what it wrote is printed, the fourth never
 * starts.  body: the task; begun: what the three print before they sleep.
 */
static void interrupt(const char *body, const char *begun, int sig, int status)
{
	const char *argv[] = { ringrun_bin(), "-j", "3", "-k", cli_expand(body),
			       ":::", "1", "2", "3", "4", NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	cli_wait_lines("pids", 3);
	cr_assert_eq(kill(p.pid, sig), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, begun);
	cr_assert_eq(cli_count(r.err, "cancelled; killed by SIGTERM"), 3, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 3, "%s", r.err);
	expect_all_gone("pids");
	proc_result_free(&r);
}

/* What they print goes into the pipe before their pid goes on file. */
#define TALKING "echo begun {}; sleep 600 & echo $! >> @DIR/pids; wait"
#define BEGUN "begun 1\nbegun 2\nbegun 3\n"

#define SIGNALS_TEST(name)                                              \
	Test(cli_signals, name, .init = dir_up, .fini = cli_dir_down,   \
	     .timeout = TEST_TIMEOUT)

SIGNALS_TEST(sigint)
{
	interrupt(TALKING, BEGUN, SIGINT, 130);
}

SIGNALS_TEST(sigterm)
{
	interrupt(TALKING, BEGUN, SIGTERM, 143);
}

SIGNALS_TEST(sighup)
{
	interrupt(TALKING, BEGUN, SIGHUP, 129);
}

/* Tasks that print nothing: the signal finds ringrun in its first wait. */
SIGNALS_TEST(sigint_silent_tasks)
{
	interrupt(": {}; sleep 600 & echo $! >> @DIR/pids; wait", "", SIGINT, 130);
}

/*
 * Tasks that survive SIGTERM (a trap notes it in DIR/terms, and their sleep
 * ignores it): after the first signal the library would wait its grace
 * period before SIGKILL; a second signal, sent once both tasks got the
 * SIGTERM of the first, ends ringrun at once: their process groups get
 * SIGKILL, one line says so, and no task line follows.  Two signals sent
 * back to back would merge into one pending signal.  The grace is 600 s
 * (--kill-grace), far past the hang guard: the tasks are gone because of
 * the second signal.
 */
SIGNALS_TEST(second_signal_kills)
{
	const char *argv[] = {
		ringrun_bin(), "-j", "2", "--kill-grace", "600",
		cli_expand(": {}; trap 'echo 0 >> @DIR/terms' TERM; "
			   "(trap '' TERM; exec sleep 600) & echo $! >> @DIR/pids; "
			   "echo $$ >> @DIR/pids; echo >> @DIR/started; "
			   "while :; do wait; done"),
		":::", "1", "2", NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	cli_wait_lines("started", 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	cli_wait_lines("terms", 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 130, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "ringrun: second signal: stopped at once; 2 tasks had "
			 "not ended: killed (SIGKILL to their process groups)\n");
	expect_all_gone("pids");
	proc_result_free(&r);
}

/* A reader that went away: the tasks are killed, exit 141, no output. */
SIGNALS_TEST(closed_stdout_kills_tasks)
{
	/* The pid is on file before the first byte reaches ringrun. */
	const char *argv[] = { ringrun_bin(), "-o", "stream", "-j", "2",
			       cli_expand("sleep 600 & echo $! >> @DIR/pids; exec yes {}"),
			       ":::", "1", "2", "3", NULL };
	pid_t pids[MAX_PIDS];
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, true);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 141, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert_leq(read_pids("pids", pids), 2, "a task started after stdout closed");
	expect_all_gone("pids");
	proc_result_free(&r);
}

/* -a FILE from disk, with {#}. */
Test(cli_files, args_file, .init = dir_up, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	check_case(&(const struct cli_case){
		.write = { { "args", "a b\n\nc.txt\n" } },
		.args = { "-k", "-a", "@DIR/args", "echo", "{#}:{.}:", NULL },
		.out = "1:a b:\n2::\n3:c:\n",
	});
}
