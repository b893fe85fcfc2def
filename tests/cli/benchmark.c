/*
 * Benchmark mode (--repeat, --warmup, --export-json, --export-markdown)
 * through the ringrun binary: how many times each command runs, the report,
 * the export files, failed runs and the exit status, usage errors.
 *
 * Arguments may hold @DIR, the test's own temporary directory.
 */
#define _GNU_SOURCE /* asprintf */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("bench");
}

static void expect_has(const char *s, const char *part)
{
	cr_assert_not_null(strstr(s, part), "lacks \"%s\": %s", part, s);
}

static void expect_lines(const char *name, int want)
{
	char *s = cli_slurp(name);

	cr_assert_not_null(s, "%s was never written", name);
	cr_assert_eq(cli_count(s, "\n"), want, "%s: %d lines, expected %d", name,
		     cli_count(s, "\n"), want);
	free(s);
}

/* python3 on the JSON export: it must parse; d is the document, r its
   results, and a case's script ends printing ok. */
static const char bench_json[] =
	"import json, sys\n"
	"d = json.load(sys.stdin)\n"
	"r = d['results']\n";

#define ON_JSON(script)                                                            \
	.py_prelude = bench_json, .py_on = "b.json", .py = script "print('ok')\n", \
	.py_out = "ok\n"

#define ARGS(...) .args = { __VA_ARGS__, NULL }

/* hyperfine's warnings of outliers, of a slow first run and of runs
   under 5 ms are the clock's to decide: a case ignores them. */
#define WARNINGS                                                        \
	.err_ignore = { "': Warning: Statistical outliers were detected. ", \
			"': Warning: The first benchmarking run ",          \
			"': Warning: Command took less than 5 ms " }


#define CASE(name, ...)                                                 \
	Test(cli_bench, name, .init = dir_up, .fini = cli_dir_down,     \
	     .timeout = TEST_TIMEOUT)                                   \
	{                                                               \
		check_case(&(const struct cli_case){ WARNINGS, __VA_ARGS__ }); \
	}

/*
 * The report names as fastest the command of the lowest mean in the JSON
 * export (which one that is, is the machine's business), the Markdown
 * export has a row each, and each command ran 2 + 5 times.
 */
static void two_commands_reported(const struct proc_result *r)
{
	char *json = cli_slurp("b.json"), *fastest, *want;
	char *md = cli_slurp("b.md");

	expect_lines("a", 7);
	expect_lines("b", 7);
	cr_assert_not_null(json, "no JSON export");
	fastest = run_python("import json, sys\n"
			     "r = json.load(sys.stdin)['results']\n"
			     "print(min(r, key=lambda c: c['mean'])['command'], end='')\n",
			     json, strlen(json));
	cr_assert_geq(asprintf(&want, "\n\n'%s' ran ", fastest), 0);
	expect_has(r->out, want);
	cr_assert_not_null(md, "no Markdown export");
	cr_assert_eq(cli_count(md, "\n"), 4, "%s", md);
	cr_assert(strncmp(md, "| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |\n"
			  "|:---|---:|---:|---:|---:|\n| `sh -c 'echo >> ", 91) == 0,
		  "%s", md);
	expect_has(md, "; true'` | ");
	expect_has(md, "; sleep 0.05'` | ");
	expect_has(md, " | 1.00 |\n");
	free(want);
	free(fastest);
	free(md);
	free(json);
}

/* W + N runs of each command, N measured; the sleep's figures are real.
   Without a shell to take off, no mean can come out 0. */
CASE(warmups_and_runs_counted,
     .write = { { "cmds", "sh -c 'echo >> @DIR/a; true'\n"
			  "sh -c 'echo >> @DIR/b; sleep 0.05'\n" } },
     ARGS("--repeat", "5", "--warmup", "2", "--export-json", "@DIR/b.json",
	  "--export-markdown", "@DIR/b.md", "--shell=none", "-C", "@DIR/cmds"),
     .out_prefix = "Benchmark of 2 commands: 5 runs each after 2 warm-up runs, one run "
		   "at a time\n",
     .out_has = { "; true'': 5 runs\n  wall ", "sleep 0.05'': 5 runs\n  wall ",
		  "\n  peak RSS ", " times faster than 'sh -c 'echo >> " },
     ON_JSON("assert len(r) == 2, r\n"
	     "assert d['repeat'] == 5 and d['warmup'] == 2 and d['jobs'] == 1\n"
	     "for c in r:\n"
	     "    assert c['runs'] == 5 and c['failed'] == 0, c\n"
	     "    for k in ('times', 'exit_codes', 'user_times',\n"
	     "              'system_times', 'memory_usage_byte'):\n"
	     "        assert len(c[k]) == 5, (k, c)\n"
	     "    assert c['exit_codes'] == [0] * 5\n"
	     "    assert c['min'] <= c['median'] <= c['max'], c\n"
	     "    assert c['min'] <= c['mean'] <= c['max'], c\n"
	     "    assert min(c['memory_usage_byte']) > 0, c\n"
	     "assert r[0]['command'].endswith('; true\\'')\n"
	     "s = r[1]\n"
	     "assert s['command'].endswith('; sleep 0.05\\'')\n"
	     "assert s['mean'] >= 0.05 and s['min'] >= 0.05, s\n"
	     "assert s['wall_time']['mean'] == s['mean']\n"
	     "assert abs(s['mean'] - sum(s['times']) / 5) < 1e-6, s\n"),
     .check = two_commands_reported)

/* The child's CPU time and peak RSS come from the library (wait4) whichever
   way it waits for exits: the ring's WAITID, or a pidfd poll. */
#define RUSAGE_FIGURES                                                               \
	ARGS("--repeat", "2", "--export-json", "@DIR/b.json", "-X", "python3", "-c", \
	     "b = b'x' * (64 << 20); sum(range(3000000))"),                          \
	ON_JSON("c = r[0]\n"                                                         \
		"assert c['runs'] == 2, c\n"                                         \
		"assert min(c['memory_usage_byte']) >= 64 << 20, c\n"                \
		"assert min(c['user_times']) > 0, c\n"                               \
		"assert c['user'] + c['system'] <= c['mean'] * 1.5, c\n"             \
		"assert c['peak_rss_byte']['min'] >= 64 << 20, c\n")

Test(cli_bench, rusage_with_ring_waitid, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	unsetenv("RINGRUN_NO_WAITID");
	check_case(&(const struct cli_case){ WARNINGS, RUSAGE_FIGURES });
}

Test(cli_bench, rusage_with_pidfd_poll, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	setenv("RINGRUN_NO_WAITID", "1", 1);
	check_case(&(const struct cli_case){ WARNINGS, RUSAGE_FIGURES });
}

static void two_runs(const struct proc_result *r)
{
	(void)r;
	expect_lines("n", 2);
	expect_lines("b.json", 0);
}

static void four_runs(const struct proc_result *r)
{
	(void)r;
	expect_lines("n", 4);
}

/* Runs 2 and 4 of 4 fail (the file has 1, then 3 lines before them): the
   first failure stops the benchmark, as in hyperfine: no report, no
   export, no third run. */
#define FLAKY { { "flaky", "echo >> @DIR/n; [ $(($(wc -l < @DIR/n) % 2)) = 1 ]\n" } }
CASE(a_failed_run_stops, .write = FLAKY,
     ARGS("--repeat", "4", "--export-json", "@DIR/b.json", "-C", "@DIR/flaky"),
     .status = 1, .out = "",
     .err_exact = "ringrun: 'echo >> @DIR/n; [ $(($(wc -l < @DIR/n) % 2)) = 1 ]': "
		  "Command terminated with non-zero exit code: 1. Use the "
		  "'--ignore-failure' option if you want to ignore this. "
		  "Alternatively, use the '-o group' option to debug what went "
		  "wrong.\n",
     .check = two_runs)

/* --ignore-failure: every run measured, with its exit code; exit 0. */
CASE(some_runs_fail_ignored, .write = FLAKY,
     ARGS("--repeat", "4", "--ignore-failure", "--export-json", "@DIR/b.json",
	  "-C", "@DIR/flaky"),
     .err = { "ringrun: 'echo >> ", "': Warning: Ignoring non-zero exit code.\n" },
     .out_has = { "': 4 runs; 2 exited non-zero or were killed (ignored)\n  wall " },
     ON_JSON("c = r[0]\n"
	     "assert c['runs'] == 4 and c['failed'] == 0, c\n"
	     "assert c['exit_codes'] == [0, 1, 0, 1], c\n"
	     "assert len(c['times']) == 4, c\n"),
     .check = four_runs)

/* Stopped by a signal: no report, the export stays empty, no next run. */
Test(cli_bench, signal_stops_without_report, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "--repeat", "3", "--export-json",
			       cli_expand("@DIR/b.json"),
			       cli_expand("echo >> @DIR/started; exec sleep 600"), NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	cli_wait_lines("started", 1);
	kill(p.pid, SIGINT);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 128 + SIGINT, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	expect_lines("started", 1);
	expect_lines("b.json", 0);
	proc_result_free(&r);
}

/* ------------------------------------------------------ data-driven cases */

#define USAGE "\nTry 'ringrun --help'.\n"

CASE(usage_repeat_zero, ARGS("--repeat", "0", "true"),
     .err_exact = "ringrun: --repeat: 0: out of range" USAGE, .status = 2)
CASE(usage_repeat_not_a_number, ARGS("--repeat", "5x", "true"),
     .err_exact = "ringrun: --repeat: 5x: not a number" USAGE, .status = 2)
CASE(usage_warmup_without_repeat, ARGS("--warmup", "2", "true"),
     .err_exact = "ringrun: --warmup: needs --repeat" USAGE, .status = 2)
CASE(usage_export_without_repeat, ARGS("--export-json", "x.json", "true"),
     .err_exact = "ringrun: --export-json: needs --repeat" USAGE, .status = 2)
CASE(usage_repeat_with_hosts, ARGS("--repeat", "3", "-w", "h1", "true"),
     .err_exact = "ringrun: --repeat: cannot be combined with hosts: benchmark "
		  "mode measures local commands only" USAGE,
     .status = 2)
/* Before anything runs: nothing is printed, nothing measured. */
CASE(export_cannot_be_created,
     ARGS("--repeat", "1", "-o", "group", "--export-json", "@DIR/no/b.json",
	 "echo", "ran"),
     .out_prefix = "", .out_not = "ran",
     .err = { "ringrun: --export-json: /tmp/rr-bench-" }, .status = 2)
CASE(export_cannot_be_written,
     ARGS("--repeat", "1", "--shell=none", "--export-markdown", "/dev/full",
	  "true"),
     .out_prefix = "Benchmark of 1 command: 1 run each, one run at a time\n",
     .err_exact = "ringrun: --export-markdown: /dev/full: No space left on device\n",
     .status = 2)

/* Task output is not read unless -o asks for it. */
CASE(output_discarded, ARGS("--repeat", "2", "echo", "hello"),
     .out_prefix = "Benchmark of 1 command: 2 runs each, one run at a time\n"
		   "                           mean ± σ      median         min         max\n"
		   "'echo hello': 2 runs\n  wall ")
CASE(output_shown_with_o, ARGS("--repeat", "2", "-o", "group", "echo", "hello"),
     .out_prefix = "hello\nhello\nBenchmark of 1 command: 2 runs each")
/* {#} is the input's number: every run of a command is the same command. */
CASE(sequence_number_per_command,
     ARGS("--repeat", "2", "-o", "group", "echo {#}", ":::", "a", "b"),
     .out_prefix = "1\n1\n2\n2\nBenchmark of 2 commands: 2 runs each")
CASE(inputs_make_commands, ARGS("--repeat", "1", "--shell=none", "sleep", ":::",
				"0", "0.01"),
     .out_has = { "\n'sleep 0': 1 run\n", "\n'sleep 0.01': 1 run\n",
		  "\n\n'sleep 0", " times faster than 'sleep 0" })
CASE(args_file_makes_commands, ARGS("--repeat", "1", "-a", "-", "echo"),
     .in = "x\ny\n",
     .out_has = { "\n'echo x': 1 run\n", "\n'echo y': 1 run\n" })
CASE(concurrent_runs_said, ARGS("--repeat", "2", "-j", "2", "true"),
     .out_prefix = "Benchmark of 1 command: 2 runs each, up to 2 runs at once "
		   "(-j 2): runs compete with each other\n")

/* A failed warm-up stops it too; a signal is said as hyperfine says it. */
CASE(failing_command, ARGS("--repeat", "3", "--warmup", "1", "-C", "-"),
     .in = "true\nexit 3\n", .out = "",
     .err_exact = "ringrun: 'exit 3': Command terminated with non-zero exit "
		  "code: 3. Use the '--ignore-failure' option if you want to "
		  "ignore this. Alternatively, use the '-o group' option to debug "
		  "what went wrong.\n",
     .status = 1)
CASE(killed_run, ARGS("--repeat", "3", "kill -9 $$"), .out = "",
     .err = { "ringrun: 'kill -9 $$': The process has been terminated by a "
	      "signal. Use the '--ignore-failure' option" },
     .status = 1)
CASE(killed_run_ignored, ARGS("--repeat", "2", "--ignore-failure",
			      "--export-json", "@DIR/b.json", "kill -9 $$"),
     .out_has = { "'kill -9 $$': 2 runs; 2 exited non-zero or were killed" },
     .err = { "'kill -9 $$': Warning: Ignoring non-zero exit code.\n" },
     ON_JSON("assert r[0]['exit_codes'] == [None, None], r\n"))
/* Every run failed with --ignore-failure, but not by its exit: counted,
   not measured; a run that cannot start stops it anyway. */
CASE(timed_out_runs_fail,
     ARGS("--repeat", "2", "--ignore-failure", "-t", "0.1", "sleep 5"),
     .out_has = { "\n'sleep 5': 0 of 2 runs ok, 2 failed\n" },
     .err = { "ringrun: 2 of 2 runs of 'sleep 5' failed; the first: "
		"'sleep 5' timed out after 0.1 s" },
     .status = 1)
CASE(runs_that_cannot_start, ARGS("--repeat", "2", "--ignore-failure", "-X", ""),
     .out = "",
     .err_exact = "ringrun: cannot start '''': Invalid argument\n",
     .status = 1)
CASE(stdout_closed, ARGS("--repeat", "1", "true"), .stdout_closed = true,
     .status = 141)

/* The shell's start-up is measured as hyperfine measures it: the empty
   command 50 times through the same shell, before the runs. */
CASE(shell_startup_measured,
     .write = { { "counting-sh", "echo \"$2\" >> @DIR/calls; exec sh \"$@\"\n" } },
     ARGS("--repeat", "2", "--shell", "sh @DIR/counting-sh", "echo run"),
     .out_has = { "'echo run': 2 runs\n" },
     .files = { { "calls", "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			   "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			   "echo run\necho run\n" } })
CASE(shell_that_cannot_run, ARGS("--repeat", "2", "--shell", "false", "true"),
     .out = "", .status = 2,
     .err_exact = "ringrun: Could not measure shell execution time. Make sure "
		  "you can run 'false -c \"\"'.\n")
CASE(shell_words_refused, ARGS("--repeat", "2", "--shell", "sh '-e", "true"),
     .out = "", .status = 2,
     .err_exact = "ringrun: --shell: sh '-e: unterminated quote\n")
/* --shell=none: no calibration, the command's words as sh splits them. */
CASE(no_shell_splits_words,
     ARGS("--repeat", "1", "--shell=none", "-o", "group", "printf '<%s>' 'a b' c\\ d"),
     .out_prefix = "<a b><c d>Benchmark of 1 command")

/* Stopped while the shell's start-up is measured: killed, no run. */
Test(cli_bench, signal_stops_calibration, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	cli_write_file("slow-sh", cli_expand("echo >> @DIR/started; exec sleep 600\n"));
	const char *argv[] = { ringrun_bin(), "--repeat", "3", "--shell",
			       cli_expand("sh @DIR/slow-sh"), "true", NULL };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	cli_wait_lines("started", 1);
	kill(p.pid, SIGINT);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 128 + SIGINT, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	expect_lines("started", 1);
	proc_result_free(&r);
}
