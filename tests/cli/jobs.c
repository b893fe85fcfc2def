/*
 * Job control, case by case: --joblog (its rows read back by a parser of
 * its own here, in python), --resume-failed, --halt, --retries and
 * --retry-on-exit, --stdin.  Local commands mostly; the fleet cases run
 * against a real sshd (sshd.h) on two loopback addresses, stopped by its
 * pid when the test ends.
 *
 * Arguments, stdin, files and expected text may hold @DIR (the test's
 * directory), and in fleet cases @H1, @H2 (the addresses) and @PORT.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("jobs");
}

/* The fleet cases' sshd, on two addresses. */
static void sshd_up(void)
{
	dir_up();
	cli_sshd_up(2);
}

/* ------------------------------------------------------ cases */

/*
 * The job log, read with its own rules (GNU parallel's): the header, then 9
 * fields a row, times with 3 decimals, JobRuntime padded to 10 columns,
 * Command as run but for a newline, which is a NUL byte.  Read from the
 * file itself: the harness hands over text up to its first NUL.
 */
static const char joblog_rows[] =
	"import re, sys\n"
	"data = open('@DIR/log', 'rb').read().decode('utf-8')\n"
	"lines = data.split('\\n')\n"
	"assert lines[-1] == '', 'unterminated row'\n"
	"assert lines[0] == 'Seq\\tHost\\tStarttime\\tJobRuntime\\tSend\\tReceive"
	"\\tExitval\\tSignal\\tCommand', lines[0]\n"
	"rows = []\n"
	"for l in lines[1:-1]:\n"
	"    f = l.split('\\t', 8)\n"
	"    assert len(f) == 9, f\n"
	"    assert re.fullmatch(r'\\d+\\.\\d{3}', f[2]) and re.fullmatch(r' *\\d+\\.\\d{3}', f[3])"
	" and len(f[3]) >= 10, f\n"
	"    rows.append(dict(seq=int(f[0]), host=f[1], start=float(f[2]),"
	" runtime=float(f[3]), send=int(f[4]), recv=int(f[5]), exit=int(f[6]),"
	" sig=int(f[7]), cmd=f[8].replace('\\0', '\\n')))\n"
	"import time\n"
	"for r in rows:\n"
	"    assert abs(r['start'] - time.time()) < 600, r\n"
	"    assert 0 <= r['runtime'] < 60, r\n"
	"by_seq = sorted(rows, key=lambda r: r['seq'])\n";

#define ARGS(...) .args = { __VA_ARGS__, NULL }
#define PRE(...) .pre = { __VA_ARGS__, NULL }

#define CASE(name, ...)                                                              \
	Test(cli_jobs, name, .init = dir_up, .fini = cli_dir_down,                   \
	     .timeout = TEST_TIMEOUT)                                                \
	{                                                                            \
		check_case(&(const struct cli_case){ .py_prelude = joblog_rows,      \
						     .py_on = "log", __VA_ARGS__ }); \
	}

#define FLEET_CASE(name, ...)                                                        \
	Test(cli_jobs_fleet, name, .init = sshd_up, .fini = cli_dir_down,            \
	     .timeout = TEST_TIMEOUT)                                                \
	{                                                                            \
		check_case(&(const struct cli_case){ .ssh = true,                    \
						     .py_prelude = joblog_rows,      \
						     .py_on = "log", __VA_ARGS__ }); \
	}

/* ------------------------------------------------------ --joblog */

CASE(joblog_a_row_per_task,
     ARGS("--joblog", "@DIR/log", "-k", "echo {}; exit {}", ":::", "0", "3", "5"),
     .out = "0\n3\n5\n", .err_lines = 2, .status = 1,
     .err = { "ringrun: 'echo 3; exit 3' exited with status 3\n" },
     .py = "for r in by_seq: print(r['seq'], r['host'], r['send'], r['recv'],"
	   " r['exit'], r['sig'], r['cmd'])\n",
     .py_out = "1 : 0 2 0 0 echo 0; exit 0\n"
	       "2 : 0 2 3 0 echo 3; exit 3\n"
	       "3 : 0 2 5 0 echo 5; exit 5\n")

/* Tabs, newlines and backslashes in a command: still one line a row (a
   newline as NUL, as parallel writes it). */
CASE(joblog_escapes,
     ARGS("--joblog", "@DIR/log", "printf '%s\\n'", ":::", "tab\there", "new\nline",
	  "back\\slash"),
     .out_has = { "tab\there\n", "new\nline\n", "back\\slash\n" },
     .py = "print(len(rows), sorted(r['cmd'] for r in rows))\n",
     .py_out = "3 [\"printf '%s\\\\n' 'back\\\\slash'\", \"printf '%s\\\\n' 'new\\nline'\","
	       " \"printf '%s\\\\n' 'tab\\there'\"]\n")

/* The limit is every command's: 2 s, so that the quick ones are never near
   it on a busy machine; the sleep runs until killed, its runtime the limit
   at least. */
CASE(joblog_signal_timeout,
     ARGS("--joblog", "@DIR/log", "-t", "2", "-C", "-"),
     .in = "kill -9 $$\nexec sleep 600\nexit 0\n", .err_lines = 2, .status = 1,
     .err = { "killed by SIGKILL", "timed out after 2 s" },
     .py = "for r in by_seq: print(r['exit'], r['sig'], r['cmd'])\n"
	   "print(by_seq[1]['runtime'] >= 2)\n",
     .py_out = "0 9 kill -9 $$\n-1 15 exec sleep 600\n0 0 exit 0\nTrue\n")

CASE(joblog_exec_spawn_failure,
     ARGS("--joblog", "@DIR/log", "-X", "nosuchcmd-rr", ":::", "a"),
     .err = { "spawn 'nosuchcmd-rr'" }, .err_lines = 1, .status = 1,
     .py = "print([(r['exit'], r['sig'], r['cmd']) for r in rows])\n",
     .py_out = "[(-1, 0, 'nosuchcmd-rr a')]\n")

/* Send: --stdin's bytes; Receive: stdout's, none when it is discarded. */
CASE(joblog_send_receive,
     ARGS("--joblog", "@DIR/log", "--stdin", "-k", "cat; printf {}", ":::", "ab", "abcd"),
     .in = "12345\n", .out = "12345\nab12345\nabcd",
     .py = "print([(r['send'], r['recv']) for r in by_seq])\n",
     .py_out = "[(6, 8), (6, 10)]\n")
CASE(joblog_discard_receives_nothing,
     ARGS("--joblog", "@DIR/log", "--discard", "echo hello"), .out = "",
     .py = "print([(r['send'], r['recv']) for r in rows])\n",
     .py_out = "[(0, 0)]\n")

/* A second run appends under the one header. */
CASE(joblog_appends,
     PRE("--joblog", "@DIR/log", "echo", ":::", "a", "b"), .pre_status = 0,
     ARGS("--joblog", "@DIR/log", "echo", ":::", "c"), .out = "c\n",
     .py = "print(data.count('Seq'), sorted(r['cmd'] for r in rows))\n",
     .py_out = "1 ['echo a', 'echo b', 'echo c']\n")

CASE(joblog_not_a_log,
     ARGS("--joblog", "@DIR/marker", "echo", "ran"),
     .write = { { "marker", "my notes\n" } },
     .err_exact = "ringrun: --joblog: @DIR/marker: not a job log: its first line "
		  "is not the header\n",
     .status = 2, .files = { { "marker", "my notes\n" } })
CASE(joblog_cannot_open, ARGS("--joblog", "@DIR/no/such/dir", "true"),
     .err_exact = "ringrun: --joblog: @DIR/no/such/dir: No such file or directory\n",
     .status = 2)
CASE(joblog_write_error, ARGS("--joblog", "/dev/full", "true"),
     .err_exact = "ringrun: --joblog: /dev/full: No space left on device\n", .status = 2)

/* A row that cannot be written (the file size limit): said once, status 1. */
Test(cli_jobs, joblog_write_fails, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { "sh", "-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" "
			       "--joblog \"$1/log\" -o quiet true ::: $(seq 200)",
			       ringrun_bin(), cli.dir, NULL };
	struct proc_result r;

	run_prog(argv, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, cli_expand("ringrun: --joblog: @DIR/log: File too large\n"));
	proc_result_free(&r);
}

/* ------------------------------------------------------ --resume-failed */

#define MARKED "echo {} >> @DIR/marker; case {} in bad*) exit 1;; esac"

/* The second run runs exactly the two that failed, and logs them again. */
CASE(resume_failed_runs_the_failed,
     PRE("-j1", "--joblog", "@DIR/log", MARKED, ":::", "a", "bad1", "b", "bad2"),
     .pre_status = 1,
     ARGS("-j1", "--resume-failed", "@DIR/log", "--joblog", "@DIR/log", MARKED,
	  ":::", "a", "bad1", "b", "bad2"),
     .err = { "'echo bad1 >> ", "'echo bad2 >> " }, .err_lines = 2, .status = 1,
     .files = { { "marker", "a\nbad1\nb\nbad2\nbad1\nbad2\n" } },
     .py = "print(data.count('Seq'), [r['seq'] for r in rows])\n",
     .py_out = "1 [1, 2, 3, 4, 2, 4]\n")

/* Tasks the log does not have run too; skipped ones print nothing. */
CASE(resume_failed_runs_new_tasks,
     ARGS("-k", "--resume-failed", "@DIR/log", "echo", ":::", "a", "b", "c"),
     .write = { { "log",
		  "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		  "1\t:\t1700000000.000\t0.001\t0\t2\t0\t0\techo a\n"
		  "2\t:\t1700000000.000\t0.001\t0\t2\t1\t0\techo b\n" } },
     .out = "b\nc\n")

/* The last row of a task decides. */
CASE(resume_failed_last_row_decides,
     ARGS("-k", "--resume-failed", "@DIR/log", "echo", ":::", "a", "b"),
     .write = { { "log",
		  "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		  "1\t:\t1700000000.000\t0.001\t0\t2\t1\t0\techo a\n"
		  "2\t:\t1700000000.000\t0.001\t0\t2\t0\t0\techo b\n"
		  "1\t:\t1700000000.000\t0.001\t0\t2\t0\t0\techo a\n"
		  "2\t:\t1700000000.000\t0.001\t0\t2\t0\t15\techo b\n" } },
     .out = "b\n")

/* As GNU parallel writes it: padded runtimes, commands as they are. */
CASE(resume_failed_gnu_parallel_log,
     ARGS("-k", "--resume-failed", "@DIR/log", "-C", "-"),
     .in = "printf 'a\\n'\necho b\necho c\n",
     .write = { { "log",
		  "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		  "1\t:\t1795454160.036\t     0.000\t0\t2\t0\t0\tprintf 'a\\n'\n"
		  "2\t:\t1795454160.039\t     0.003\t0\t0\t0\t9\techo b\n"
		  "3\t:\t1795454160.042\t     0.003\t0\t2\t0\t0\techo c\n" } },
     .out = "b\n")

CASE(resume_failed_first_run,
     ARGS("--resume-failed", "@DIR/log", "--joblog", "@DIR/log", "echo", "x"),
     .out = "x\n", .py = "print(len(rows))\n", .py_out = "1\n")
CASE(resume_failed_stats,
     ARGS("--stats", "-o", "quiet", "--resume-failed", "@DIR/log", "echo", ":::", "a",
	  "b", "c"),
     .write = { { "log",
		  "1\t:\t1.000\t0.001\t0\t2\t0\t0\techo a\n"
		  "3\t:\t1.000\t0.001\t0\t2\t0\t0\techo c\n" } },
     .err = { "ringrun: tasks 1 (1 ok, 0 failed; 2 more skipped) in " },
     .err_lines = 4)
CASE(resume_failed_bad_log,
     ARGS("--resume-failed", "@DIR/log", "echo", "ran"),
     .write = { { "log", "Seq\tHost\n1\t:\t1.000\t0.001\t0\t2\tzero\t0\techo a\n" } },
     .err_exact = "ringrun: --resume-failed: @DIR/log: line 2: Exitval: not a number\n",
     .status = 2)
CASE(resume_failed_short_row,
     ARGS("--resume-failed", "@DIR/log", "echo", "ran"),
     .write = { { "log",
		  "1\t:\t1.000\n" } },
     .err_exact = "ringrun: --resume-failed: @DIR/log: line 1: 3 fields, expected 9\n",
     .status = 2)

/* ------------------------------------------------------ --halt */

CASE(halt_soon_after_two_failures,
     ARGS("-j1", "-k", "--halt", "soon,fail=2", "echo {}; exit {}", ":::", "0", "1", "0",
	  "2", "0", "0"),
     .out = "0\n1\n0\n2\n",
     .err_exact = "ringrun: 'echo 1; exit 1' exited with status 1\n"
		  "ringrun: 'echo 2; exit 2' exited with status 2\n"
		  "ringrun: --halt soon,fail=2: 2 of 6 tasks failed; starting no more tasks\n",
     .status = 1)

/* soon lets the running ones end: the slow one, still running when the
   first failed (it waits for that failure's row in the job log), prints. */
CASE(halt_soon_waits_for_running,
     ARGS("-j2", "--halt", "soon,fail=1", "--joblog", "@DIR/log",
	  "[ {} = fast ] || { " WAIT_LINES("@DIR/log", 2) "}; echo {}; exit 1", ":::",
	  "fast", "slow", "c", "d"),
     .out = "fast\nslow\n", .err_lines = 3, .status = 1,
     .err = { "--halt soon,fail=1: 1 of 4 tasks failed; starting no more tasks" })

/* now kills the running ones: far sooner than their 30 s. */
CASE(halt_now_kills_running,
     ARGS("-j3", "--halt", "now,fail=1", "--joblog", "@DIR/log",
	  "sleep {}; exit 1", ":::", "0", "30", "30"),
     .err = { "ringrun: 'sleep 0; exit 1' exited with status 1\n",
	      "ringrun: --halt now,fail=1: 1 of 3 tasks failed; killing the running tasks\n",
	      "'sleep 30; exit 1' cancelled" },
     .err_lines = 4, .status = 1,
     .py = "print(sorted((r['exit'], r['sig']) for r in rows))\n",
     .py_out = "[(-1, 15), (-1, 15), (1, 0)]\n")

CASE(halt_percent,
     ARGS("-j1", "-k", "--halt", "soon,fail=50%", "echo {#}; exit {}", ":::", "1", "0",
	  "1", "0"),
     .out = "1\n2\n3\n", .err_lines = 3, .status = 1,
     .err = { "--halt soon,fail=50%: 2 of 4 tasks failed" })

/* What --halt now cancels after a success is no failure. */
CASE(halt_now_on_success,
     ARGS("-j3", "--halt", "now,success=1", "sleep {}", ":::", "0", "30", "30"),
     .err = { "--halt now,success=1: 1 of 3 tasks succeeded; killing the running tasks" },
     .err_lines = 3, .status = 0)
CASE(halt_done,
     ARGS("-j1", "-k", "--halt", "soon,done=2", "echo {}; exit {}", ":::", "0", "3", "0"),
     .out = "0\n3\n", .err_lines = 2, .status = 1,
     .err = { "--halt soon,done=2: 2 of 3 tasks ended; starting no more tasks" })
CASE(halt_never, ARGS("-k", "--halt", "never", "exit {}", ":::", "1", "2"),
     .err_lines = 2, .status = 1)
CASE(halt_old_form_2, ARGS("-j2", "--halt", "2", "sleep {}; exit 1", ":::", "0", "30"),
     .err = { "--halt 2: 1 of 2 tasks failed; killing the running tasks" },
     .err_lines = 3, .status = 1)
CASE(halt_bad_policy, ARGS("--halt", "soon,fail=0", "true"),
     .err_exact = "ringrun: --halt: soon,fail=0: out of range\nTry 'ringrun --help'.\n",
     .status = 2)

/* ------------------------------------------------------ --retry-on-exit */

#define SECOND_TIME "if [ -e @DIR/s{} ]; then echo ok {}; else touch @DIR/s{}; " \
		    "echo first {}; exit 1; fi"

/* Each fails once, then succeeds: its output is the second attempt's. */
CASE(retry_on_exit_second_attempt,
     ARGS("-k", "--retries", "2", "--retry-on-exit", "--joblog", "@DIR/log", SECOND_TIME,
	  ":::", "1", "2"),
     .out = "ok 1\nok 2\n",
     .err = { "ringrun: 'if [ -e @DIR/s1 ]; then echo ok 1; else touch @DIR/s1; echo ",
	      "ringrun: 'if [ -e @DIR/s2 ]; then echo ok 2; else touch @DIR/s2; echo ",
	      "' exited with status 1; retry 1 of 2 in 1 s\n" },
     .err_lines = 2,
     .py = "print([(r['seq'], r['exit'], r['recv']) for r in by_seq])\n",
     .py_out = "[(1, 0, 5), (2, 0, 5)]\n")

CASE(retry_on_exit_attempts_used_up,
     ARGS("--retries", "1", "--retry-on-exit", "echo out >> @DIR/marker; echo x; exit 3"),
     .out = "x\n",
     .err_exact = "ringrun: 'echo out >> @DIR/marker; echo x; exit 3' exited with status 3;"
		  " retry 1 of 1 in 1 s\n"
		  "ringrun: 'echo out >> @DIR/marker; echo x; exit 3' exited with status 3\n",
     .files = { { "marker", "out\nout\n" } }, .status = 1)
CASE(retries_local_need_retry_on_exit, ARGS("--retries", "2", "exit 1"),
     .err_exact = "ringrun: --retries: a local task can only fail by its exit: add "
		  "--retry-on-exit\nTry 'ringrun --help'.\n",
     .status = 2)

/*
 * A halt ends the wait: f ends with its second attempt, s succeeded.  s
 * succeeds once ringrun has reaped f's second attempt (its pid, on file
 * before its line in the marker, is gone), which ringrun handles - the 2 s
 * wait begun - before it can see s end.
 */
CASE(retry_on_exit_halted,
     ARGS("-j2", "--retries", "5", "--retry-on-exit", "--halt", "now,success=1",
	  "case {} in f) echo $$ > @DIR/pid; echo f >> @DIR/marker; exit 1;; "
	  "s) " WAIT_LINES("@DIR/marker", 2) "p=$(cat @DIR/pid); "
	  "while kill -0 $p 2>/dev/null; do sleep 0.01; done;; esac", ":::", "f", "s"),
     .err = { "; retry 1 of 5 in 1 s\n", "; retry 2 of 5 in 2 s\n",
	      "--halt now,success=1: 1 of 2 tasks succeeded" },
     .status = 1, .err_lines = 4, .files = { { "marker", "f\nf\n" } })

/* Retries come before a task counts as failed. */
CASE(retry_on_exit_then_halt,
     ARGS("-j1", "--retries", "1", "--retry-on-exit", "--halt", "soon,fail=1",
	  "echo {} >> @DIR/marker; exit 1", ":::", "1", "2"),
     .err = { "--halt soon,fail=1: 1 of 2 tasks failed" }, .status = 1,
     .err_lines = 3, .files = { { "marker", "1\n1\n" } })

/*
 * A signal ends the wait: the task ends with its last attempt, at once,
 * not 600 s later when the wait (--retry-delay) would have run out.
 */
Test(cli_jobs, retry_wait_ended_by_signal, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "--retries", "5", "--retry-on-exit",
			       "--retry-delay", "600", "echo out; exit 2", NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	const char *said = cli_read_until(p.err, "; retry 1 of 5 in 600 s\n");
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	/* The wait (600 s) outlasts the hang guard: ending is the signal's work. */
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 128 + SIGTERM, "stderr: %s%s", said, r.err);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_str_eq(r.err, "ringrun: 'echo out; exit 2' exited with status 2\n",
			 "before: %s", said);
	proc_result_free(&r);
}

/* ------------------------------------------------------ --stdin */

CASE(stdin_to_every_task,
     ARGS("--stdin", "-k", "-j", "3", "cat; echo {}", ":::", "a", "b", "c"),
     .in = "line 1\nline 2\n",
     .out = "line 1\nline 2\na\nline 1\nline 2\nb\nline 1\nline 2\nc\n")
CASE(stdin_empty, ARGS("--stdin", "-k", "cat; echo {}", ":::", "a", "b"), .in = "",
     .out = "a\nb\n")
CASE(stdin_with_args_file, ARGS("--stdin", "-k", "-a", "@DIR/marker", "cat; echo {}"),
     .write = { { "marker", "x\ny\n" } }, .in = "in\n",
     .out = "in\nx\nin\ny\n", .files = { { "marker", "x\ny\n" } })
CASE(stdin_not_with_args_stdin, ARGS("--stdin", "-a", "-", "cat"), .in = "a\n",
     .err_exact = "ringrun: --stdin: cannot be combined with -a -: stdin is read once "
		  "for every task\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(stdin_not_with_commands_stdin, ARGS("--stdin", "-C", "-"), .in = "true\n",
     .err_exact = "ringrun: --stdin: cannot be combined with -C -: stdin is read once "
		  "for every task\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(stdin_not_with_hostfile_stdin, ARGS("--stdin", "--hostfile", "-", "cat"),
     .in = "h1\n",
     .err_exact = "ringrun: --stdin: cannot be combined with --hostfile -: stdin is read "
		  "once for every task\nTry 'ringrun --help'.\n",
     .status = 2)

/* ------------------------------------------------------ fleet */

FLEET_CASE(stdin_to_remote_cat,
	   ARGS("--stdin", "-k", "-w", "@H1,@H2", "--joblog", "@DIR/log", "cat"),
	   .in = "hello\nthere\n",
	   .out = "---- @H1 ----\nhello\nthere\n---- @H2 ----\nhello\nthere\n",
	   .py = "print([(r['host'], r['send'], r['recv'], r['exit']) for r in by_seq])\n",
	   .py_out = "[('@H1', 12, 12, 0), ('@H2', 12, 12, 0)]\n")

/* Only on the host where it failed: a task is its host and its command. */
#define ON_H1_ONLY "echo {} >> @DIR/marker; [ $(echo $SSH_CONNECTION | cut -d' ' -f3) = @H1 ]"
FLEET_CASE(joblog_hosts_and_resume,
	   PRE("-w", "@H1,@H2", "--joblog", "@DIR/log", ON_H1_ONLY, ":::", "a"),
	   .pre_status = 1,
	   ARGS("-w", "@H1,@H2", "--joblog", "@DIR/log", "--resume-failed", "@DIR/log",
		ON_H1_ONLY, ":::", "a"),
	   .status = 1, .err = { "ringrun: host @H2:@PORT: 'echo a >> " }, .err_lines = 1,
	   .files = { { "marker", "a\na\na\n" } },
	   .py = "print(sorted((r['seq'], r['host'], r['exit']) for r in rows[:2]))\n"
		 "print([(r['seq'], r['host'], r['exit']) for r in rows[2:]])\n",
	   .py_out = "[(1, '@H1', 0), (2, '@H2', 1)]\n"
		     "[(2, '@H2', 1)]\n")

/* A host skipped for being down is logged, and runs again on resume. */
FLEET_CASE(joblog_unreachable,
	   ARGS("-w", "@H1:1,@H2", "--joblog", "@DIR/log", "true", ":::", "a", "b"),
	   .err_exact = "ringrun: host @H1:1: connection refused\n", .status = 3,
	   .py = "print([(r['seq'], r['host'], r['exit'], r['sig'], r['runtime'])"
		 " for r in by_seq if r['host'] != '@H2'])\n"
		 "print([(r['seq'], r['exit']) for r in by_seq if r['host'] == '@H2'])\n",
	   .py_out = "[(1, '@H1:1', -1, 0, 0.0), (2, '@H1:1', -1, 0, 0.0)]\n"
		     "[(3, 0), (4, 0)]\n")

/* --halt counts the tasks of every host. */
FLEET_CASE(halt_on_hosts,
	   ARGS("-j1", "--per-host", "1", "--halt", "soon,fail=1", "-w", "@H1,@H2",
		"exit 1 #", ":::", "a", "b"),
	   .err_exact = "ringrun: host @H1:@PORT: 'exit 1 # a' exited with status 1\n"
			"ringrun: --halt soon,fail=1: 1 of 4 tasks failed; starting no more "
			"tasks\n",
	   .status = 1)

/* -k holds a task behind one that never starts: it is still shown.  @H1's
   first ends once the failure on @H2 is in the job log, so its second never
   starts. */
FLEET_CASE(halt_keeps_order_output,
	   ARGS("-k", "-j2", "--per-host", "1", "--halt", "soon,fail=1", "-w", "@H1,@H2",
		"--joblog", "@DIR/log",
		"if [ $(echo $SSH_CONNECTION | cut -d' ' -f3) = @H1 ]; then "
		WAIT_LINES("@DIR/log", 2) "echo slow {}; else echo fast {}; exit 1; fi",
		":::", "a", "b"),
	   .out = "---- @H1 a ----\nslow a\n---- @H2 a ----\nfast a\n",
	   .err = { "ringrun: host @H2:@PORT: 'if [ ",
		    "ringrun: --halt soon,fail=1: 1 of 4 tasks failed; starting no more tasks\n" },
	   .err_lines = 2, .status = 1)

/* --retry-on-exit on a host: the command runs again there. */
FLEET_CASE(retry_on_exit_remote,
	   ARGS("-w", "@H1", "--retries", "1", "--retry-on-exit", SECOND_TIME, ":::", "r"),
	   .out = "---- @H1 r ----\nok r\n",
	   .err = { "ringrun: host @H1:@PORT: 'if [ -e @DIR/sr ]; then echo ok r; else ",
		    "' exited with status 1; retry 1 of 1 in 1 s\n" },
	   .err_lines = 1)

/* The sshd stopped: two attempts, each said, then unreachable. */
Test(cli_jobs_fleet, retries_unreachable, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const struct cli_case c = {
		.ssh = true, .py_prelude = joblog_rows, .py_on = "log",
		ARGS("--retries", "1", "-w", "@H1", "--joblog", "@DIR/log", "echo",
		     ":::", "a", "b"),
		.err_exact = "ringrun: host @H1:@PORT: connection refused; retry 1 of 1 in 1 s\n"
			     "ringrun: host @H1:@PORT: connection refused\n",
		.status = 3,
		.py = "print([(r['seq'], r['exit']) for r in by_seq])\n",
		.py_out = "[(1, -1), (2, -1)]\n",
	};
	long long t0;

	cli_sshd_stop();
	t0 = now_ms();
	check_case(&c);
	cr_assert_geq(now_ms() - t0, 1000, "no backoff");
}

/* The host comes back between attempts: the command runs, status 0. */
Test(cli_jobs_fleet, retries_host_comes_back, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char port_line[32], kh_line[PATH_MAX];
	struct proc p;
	struct proc_result r;

	/* The sshd comes back on a new port and this one too: keep its keys. */
	snprintf(port_line, sizeof port_line, "Port %s", cli.port);
	snprintf(kh_line, sizeof kh_line, "%s/kh_first", cli.dir);
	const char *cp[] = { "cp", cli.kh, kh_line, NULL };
	run_prog(cp, NULL, 0, HANG_GUARD_MS, &r);
	proc_result_free(&r);
	cli_sshd_stop();

	const char *argv[] = { ringrun_bin(), "-p", cli.port, "--no-agent", "-i", cli.key,
			       "--known-hosts", kh_line, "--retries", "5", "-w",
			       cli.addr[0], "echo up", NULL };
	proc_start(&p, argv, false);
	const char *said = cli_read_until(p.err, "; retry 1 of 5 in 1 s\n");
	cr_assert_not_null(strstr(said, cli_expand("ringrun: host @H1:@PORT: connection refused")),
			   "%s", said);
	cli_sshd_start(2, port_line);
	/* Its waits, 1 + 2 + 4 + 8 + 16 s at most, and the restart. */
	proc_finish(&p, NULL, 0, 2 * HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "stderr: %s%s", said, r.err);
	cr_assert_str_eq(r.out, cli_expand("---- @H1 ----\nup\n"));
	cr_assert_null(strstr(r.err, "retry 5 of 5"), "%s", r.err);
	proc_result_free(&r);
}

/* ------------------------------------------------------ parallel's job options */

#define PCASE(name, ...)                                                             \
	Test(cli_jobs_parallel, name, .init = dir_up, .fini = cli_dir_down,          \
	     .timeout = TEST_TIMEOUT)                                                \
	{                                                                            \
		check_case(&(const struct cli_case){ __VA_ARGS__ });                 \
	}

/* A task that blocks on a FIFO nobody writes until it is killed: its limit
   is 200% of the first one's runtime, which had no limit (no median yet). */
PCASE(timeout_percent_of_the_median,
      ARGS("-j1", "-k", "--joblog", "@DIR/log", "-t", "200%",
	   "if [ {} = block ]; then mkfifo @DIR/f; exec cat @DIR/f; else echo {}; fi",
	   ":::", "a", "block"),
      .status = 1, .out = "a\n", .err_lines = 1,
      .err = { "ringrun: 'if [ block = block ]; then mkfifo @DIR/f; exec cat @DIR/f; "
	       "else echo block; fi' timed out: ran past 200% of the median runtime (" },
      .py_prelude = joblog_rows, .py_on = "log",
      .py = "print([(r['seq'], r['exit'], r['sig']) for r in by_seq])\n",
      .py_out = "[(1, 0, 0), (2, -1, 15)]\n")

PCASE(timeout_percent_refused, ARGS("-t", "0%", "true"), .status = 2,
      .err_exact = "ringrun: -t: 0%: out of range\nTry 'ringrun --help'.\n")

PCASE(timeout_percent_not_a_number, ARGS("--timeout", "x%", "true"), .status = 2,
      .err_exact = "ringrun: --timeout: x%: not a number\nTry 'ringrun --help'.\n")

/* A delay outlasts the quick tasks: the run waits for the next start with
   no task running, and every task runs. */
PCASE(delay_starts_every_task,
      ARGS("--delay", "0.01", "-j3", "-k", "echo", ":::", "1", "2", "3"),
      .out = "1\n2\n3\n")

PCASE(delay_not_with_hosts, ARGS("--delay", "1", "-w", "h1", "true"), .status = 2,
      .err_exact = "ringrun: --delay: cannot be combined with hosts (local commands only)\n"
		   "Try 'ringrun --help'.\n")

PCASE(tag_stream, ARGS("-j1", "-o", "stream", "--tag", "printf 'x\\ny\\n'; echo", ":::",
		       "a b", "c"),
      .out = "a b\tx\na b\ty\na b\ta b\nc\tx\nc\ty\nc\tc\n")

PCASE(tagstring_group, ARGS("-k", "--tagstring", "{#}={.}", "echo", ":::", "f.txt", "g"),
      .out = "1=f\tf.txt\n2=g\tg\n")

PCASE(tag_not_with_json, ARGS("--tag", "-o", "json", "true"), .status = 2,
      .err_exact = "ringrun: --tag: needs -o group or stream (tags are line prefixes)\n"
		   "Try 'ringrun --help'.\n")

PCASE(tag_twice, ARGS("--tag", "--tagstring", "x", "true"), .status = 2,
      .err_exact = "ringrun: --tagstring: given twice (--tag is --tagstring '{}')\n"
		   "Try 'ringrun --help'.\n")

/* parallel prints nothing of what --results saves; -o group asks for it. */
PCASE(results_layout, ARGS("--results", "@DIR/r", "echo {}; echo e >&2", ":::", "a/b", ""),
      .out = "",
      .files = { { "r/1/a\\_b/stdout", "a/b\n" }, { "r/1/a\\_b/stderr", "e\n" },
		 { "r/1/a\\_b/seq", "1" }, { "r/1/stdout", "\n" }, { "r/1/seq", "2" } })

PCASE(results_and_group_output, ARGS("-o", "group", "--results", "@DIR/r", "echo", ":::", "x"),
      .out = "x\n", .files = { { "r/1/x/stdout", "x\n" } })

PCASE(results_not_with_outdir, ARGS("--outdir", "@DIR/o", "--results", "@DIR/r", "true"),
      .status = 2,
      .err_exact = "ringrun: --results: cannot be combined with --outdir\nTry 'ringrun --help'.\n")

PCASE(results_colsep_grouped_refused,
      ARGS("--results", "@DIR/r", "--colsep", ",", "-n", "2", "echo", ":::", "a,b"),
      .status = 2,
      .err_exact = "ringrun: --results: cannot be combined with --colsep and -n above 1: "
		   "which column each argument is of is not kept\n"
		   "Try 'ringrun --help'.\n")
PCASE(results_not_with_hosts, ARGS("--results", "@DIR/r", "-w", "h1", "true"), .status = 2,
      .err_exact = "ringrun: --results: cannot be combined with hosts: every host would "
		   "write the same files (--outdir names them by host)\n"
		   "Try 'ringrun --help'.\n")

/* A planted symbolic link is not followed: DIR/1 pointing elsewhere. */
Test(cli_jobs_parallel, results_symlink_refused, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	const char *args[] = { "--results", cli_expand("@DIR/r"), "echo", ":::", "x", NULL };

	cr_assert_eq(mkdir(cli_expand("@DIR/r"), 0777), 0);
	cr_assert_eq(mkdir(cli_expand("@DIR/elsewhere"), 0777), 0);
	cr_assert_eq(symlink(cli_expand("@DIR/elsewhere"), cli_expand("@DIR/r/1")), 0);
	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, cli_expand("ringrun: --results: @DIR/r/1: a symbolic link, "
					   "not followed\n"));
	cr_assert_eq(access(cli_expand("@DIR/elsewhere/x"), F_OK), -1, "made through the link");
	proc_result_free(&r);
}

PCASE(resume_needs_joblog, ARGS("--resume", "true"), .status = 2,
      .err_exact = "ringrun: --resume: needs --joblog (the log it reads)\n"
		   "Try 'ringrun --help'.\n")

/* --resume: a task the log has ran, ok or not; one it has not runs. */
PCASE(resume_skips_what_the_log_has,
      PRE("-j1", "--joblog", "@DIR/log", "echo {} >> @DIR/m; [ {} != b ]", ":::", "a", "b"),
      .pre_status = 1,
      ARGS("-j1", "--resume", "--joblog", "@DIR/log", "echo {} >> @DIR/m; [ {} != b ]", ":::",
	   "a", "b", "c"),
      .files = { { "m", "a\nb\nc\n" } })

/* The format on a fixed count: the last drawing is 100%, nothing left. */
PCASE(bar_format, ARGS("-j1", "--bar", "true", ":::", "1", "2", "3"),
      .err_lines = 1,
      .err = { "\r#   0 sec 3", "\r100\r\033[7m100% 3:0=0s 3 " })

PCASE(eta_format, ARGS("-j1", "--eta", "true", ":::", "1", "2", "3"),
      .err = { "\nComputers / CPU cores / Max jobs to run\n1:local / ",
	       "Computer:jobs running/jobs completed/%of started jobs/"
	       "Average seconds to complete\n",
	       "\rETA: 0s Left: 0 AVG: " },
      .err_lines = 6)
