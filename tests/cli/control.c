/*
 * Stopping running work, locally and over SSH: SIGINT, SIGTERM, --halt now,
 * --timeout and --idle-timeout leave none of the commands' processes
 * behind; a second SIGINT ends ringrun at once and says what may be left;
 * --term-seq says what is sent.
 *
 * The commands run a sleep whose duration (9000-9999, one per test) marks
 * it: the remote ones run on this machine too (the sshd is on loopback),
 * so one /proc scan finds what is left of either.  A command notes that it
 * started in DIR/started; the test signals ringrun once every one did.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("ctl");
}

static void sshd_up(void)
{
	dir_up();
	cli_sshd_up(2);
}

/* ringrun with args (over the sshd when ssh), started. */
static void start(struct proc *p, bool ssh, const char *const args[])
{
	const char *argv[64] = { ringrun_bin() };

	cli_args(argv + 1, 63, ssh, args);
	proc_start(p, argv, false);
}

/*
 * ringrun runs two commands that note their start, then sleep N; once both
 * started it gets sig; it must exit with status, stderr holding err twice
 * and the summary, and leave no sleep.
 */
static void stop_by_signal(bool ssh, const char *const args[], const char *n,
			   int sig, int status, const char *err, const char *summary)
{
	struct proc p;
	struct proc_result r;

	start(&p, ssh, args);
	cli_wait_lines("started", 2);
	cr_assert_eq(kill(p.pid, sig), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	cr_assert_eq(cli_count(r.err, err), 2, "%s", r.err);
	cr_assert(strstr(r.err, cli_expand(summary)), "%s", r.err);
	cli_expect_gone(n);
	proc_result_free(&r);
}

#define STARTED(n) "echo >> @DIR/started; sleep " n
#define LOCAL_TWO(n) "--summary", "-j", "2", STARTED(n) "; : {}", ":::", "a", "b", NULL
#define FLEET_TWO(n) "--summary", "-w", "@H1,@H2", STARTED(n), NULL
#define LOCAL_SUMMARY "ringrun: 2 tasks: 0 ok, 2 failed\n"
#define FLEET_SUMMARY "ringrun: 2 hosts: 0 ok, 2 failed @NET["

#define CONTROL_TEST(name) \
	Test(cli_control, name, .init = dir_up, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
#define FLEET_TEST(name) \
	Test(cli_control_fleet, name, .init = sshd_up, .fini = cli_dir_down, \
	     .timeout = TEST_TIMEOUT)

CONTROL_TEST(sigint_leaves_nothing)
{
	stop_by_signal(false, (const char *[]){ LOCAL_TWO("9101") }, "9101", SIGINT, 130,
		       "cancelled; killed by SIGTERM", LOCAL_SUMMARY);
}

FLEET_TEST(sigint_stops_remote_commands)
{
	stop_by_signal(true, (const char *[]){ FLEET_TWO("9201") }, "9201", SIGINT, 130,
		       "cancelled", FLEET_SUMMARY);
}

FLEET_TEST(sigterm_stops_remote_commands)
{
	stop_by_signal(true, (const char *[]){ FLEET_TWO("9202") }, "9202", SIGTERM, 143,
		       "cancelled", FLEET_SUMMARY);
}

FLEET_TEST(sighup_stops_remote_commands)
{
	stop_by_signal(true, (const char *[]){ FLEET_TWO("9208") }, "9208", SIGHUP, 129,
		       "cancelled", FLEET_SUMMARY);
}

/* Ended by a limit or a policy, not a signal: how it ends, and nothing left. */
static void stop_by_itself(bool ssh, const char *const args[], const char *n,
			   int status, const char *err, int nerr, const char *summary)
{
	struct proc_result r;
	const char *argv[64];

	cli_args(argv, 64, ssh, args);
	run_ringrun(argv, NULL, 0, false, &r);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	cr_assert_eq(cli_count(r.err, err), nerr, "%s", r.err);
	cr_assert(strstr(r.err, cli_expand(summary)), "%s", r.err);
	cli_expect_gone(n);
	proc_result_free(&r);
}

/* --halt now: the failure stops the one still running; only the failure
   counts (exit 1). */
#define HALT_NOW(n) "--summary", "--halt", "now,fail=1", "-j", "2", \
	"if [ {} = fail ]; then " WAIT_LINES("@DIR/started", 1) "exit 3; fi; " STARTED(n), \
	":::", "fail", "run"

CONTROL_TEST(halt_now_leaves_nothing)
{
	stop_by_itself(false, (const char *[]){ HALT_NOW("9102"), NULL }, "9102", 1,
		       "cancelled", 1, LOCAL_SUMMARY);
}

/* Both on one host at once: three channels, one of them is kept for the
   signals. */
FLEET_TEST(halt_now_stops_remote_commands)
{
	stop_by_itself(true, (const char *[]){ "-w", "@H1", "--per-host", "3",
					       HALT_NOW("9203"), NULL },
		       "9203", 1, "cancelled", 1, "ringrun: 1 host: 0 ok, 1 failed @H1\n");
}

CONTROL_TEST(timeout_leaves_nothing)
{
	stop_by_itself(false, (const char *[]){ "-t", "1", LOCAL_TWO("9103") }, "9103", 1,
		       "timed out after 1 s", 2, LOCAL_SUMMARY);
}

FLEET_TEST(timeout_stops_remote_commands)
{
	stop_by_itself(true, (const char *[]){ "-t", "1", FLEET_TWO("9204") }, "9204", 1,
		       "timed out after 1 s", 2, FLEET_SUMMARY);
}

CONTROL_TEST(idle_timeout_leaves_nothing)
{
	stop_by_itself(false, (const char *[]){ "--idle-timeout", "1", LOCAL_TWO("9104") },
		       "9104", 1, "wrote nothing for 1 s", 2, LOCAL_SUMMARY);
}

FLEET_TEST(idle_timeout_stops_remote_commands)
{
	stop_by_itself(true, (const char *[]){ "--idle-timeout", "1", FLEET_TWO("9205") },
		       "9205", 1, "wrote nothing for 1 s", 2, FLEET_SUMMARY);
}

/*
 * Commands that survive the first signal (their trap notes the SIGTERM in
 * DIR/terms; their sleep ignores it): the second signal, sent once both
 * got the first, ends ringrun at once with one line saying what may be
 * left: remote commands are not waited for.
 */
/* Waits through TERMs for as long as its sleep lives, and no longer: what
   the test kills at the end is the sleep, and the shell must not outlive it
   spinning on a wait with nothing to wait for.  The sleep's subshell says
   it started once it ignores TERM: a signal before that would end it. */
#define TRAPS(n) "trap 'echo >> @DIR/terms' TERM; " \
	"(trap '' TERM; echo >> @DIR/started; exec sleep " n ") & " \
	"p=$!; while kill -0 $p 2>/dev/null; do wait $p; done"

FLEET_TEST(second_sigint_ends_at_once)
{
	const char *args[] = { "-w", "@H1,@H2", "--kill-grace", "600", TRAPS("9206"), NULL };
	struct proc p;
	struct proc_result r;

	start(&p, true, args);
	cli_wait_lines("started", 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	cli_wait_lines("terms", 2);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 130, "stderr: %s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 1, "%s", r.err);
	cr_assert(strstr(r.err, "ringrun: second signal: stopped at once; 2 tasks had "
			 "not ended, on ") == r.err, "%s", r.err);
	cr_assert(strstr(r.err, ": they may still run there\n"), "%s", r.err);
	cli_marked("9206", true); /* what was left is ours to end */
	proc_result_free(&r);
}

/* ------------------------------------------------------ --term-seq */

/* Which signal came first, told by what the command prints. */
#define SAYS "trap 'echo INT; kill $p; exit 0' INT; trap 'echo TERM; kill $p; exit 0' TERM; " \
	"sleep %s & p=$!; wait"

static void first_signal(bool ssh, const char *n)
{
	char cmd[256];
	struct proc_result r;
	const char *argv[64];

	snprintf(cmd, sizeof cmd, SAYS, n);
	if (ssh)
		cli_args(argv, 64, true, (const char *[]){ "-t", "1", "--term-seq",
			 "INT,30000,TERM,30000,KILL", "-w", "@H1", cmd, NULL });
	else
		cli_args(argv, 64, false, (const char *[]){ "-t", "1", "--term-seq",
			 "INT,30000,TERM,30000,KILL", cmd, NULL });
	run_ringrun(argv, NULL, 0, false, &r);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, ssh ? cli_expand("---- @H1 ----\nINT\n") : "INT\n");
	cr_assert_eq(cli_count(r.err, "timed out after 1 s"), 1, "%s", r.err);
	cli_expect_gone(n);
	proc_result_free(&r);
}

CONTROL_TEST(term_seq_timeout_sends_int_first)
{
	first_signal(false, "9105");
}

FLEET_TEST(term_seq_timeout_sends_int_first_remotely)
{
	first_signal(true, "9207");
}

/* A stop sends the first step too: SIGINT to ringrun, INT to the task. */
CONTROL_TEST(term_seq_stop_sends_first_step)
{
	const char *args[] = { ringrun_bin(), "-o", "stream", "--term-seq", "SIGINT,30000,9",
			       cli_expand("trap 'echo got INT; kill $p; exit 0' INT; "
					  "sleep 9106 & p=$!; echo >> @DIR/started; wait"),
			       NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, args, false);
	cli_wait_lines("started", 1);
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 130, "stderr: %s", r.err);
	cr_assert(strstr(r.out, ": got INT\n"), "%s", r.out);
	cli_expect_gone("9106");
	proc_result_free(&r);
}

#define ARGS(...) .args = { __VA_ARGS__, NULL }
#define CASE(name, ...)                                                           \
	Test(cli_control, name, .init = dir_up, .fini = cli_dir_down,             \
	     .timeout = TEST_TIMEOUT)                                             \
	{                                                                         \
		check_case(&(const struct cli_case){ __VA_ARGS__ });              \
	}
#define USAGE(msg) .status = 2, .err_exact = "ringrun: " msg "\nTry 'ringrun --help'.\n"

/* GNU parallel's own default, as its --termseq takes it. */
CASE(term_seq_parallel_format, ARGS("--term-seq", "TERM,200,TERM,100,TERM,50,KILL,25",
				    "echo ok"), .out = "ok\n")
CASE(term_seq_names_and_numbers, ARGS("--term-seq", "sigint,10,Hup,0,15,20,9", "echo ok"),
     .out = "ok\n")
CASE(term_seq_not_a_signal, ARGS("--term-seq", "FOO", "true"),
     USAGE("--term-seq: 'FOO': not a signal"))
CASE(term_seq_not_a_wait, ARGS("--term-seq", "INT,soon,KILL", "true"),
     USAGE("--term-seq: 'soon': not a wait in milliseconds (0-86400000)"))
CASE(term_seq_empty_item, ARGS("--term-seq", "INT,500,", "true"),
     USAGE("--term-seq: '': not a signal"))
CASE(term_seq_signal_zero, ARGS("--term-seq", "0", "true"),
     USAGE("--term-seq: '0': not a signal"))
CASE(term_seq_too_many,
     ARGS("--term-seq", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,9",
	  "true"),
     USAGE("--term-seq: '9': too many signals"))
CASE(term_seq_not_with_kill_grace, ARGS("--kill-grace", "1", "--term-seq", "INT", "true"),
     USAGE("--kill-grace: cannot be combined with --term-seq (--kill-grace N is "
	   "--term-seq TERM,N,KILL)"))
