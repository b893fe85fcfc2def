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
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_ARGS 32

static char dir[64];
static char *expanded[MAX_ARGS];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/rr-bench-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct proc_result r;

	for (size_t k = 0; k < MAX_ARGS; k++) {
		free(expanded[k]);
		expanded[k] = NULL;
	}
	if (!dir[0])
		return;
	run_prog(argv, NULL, 0, 10000, &r);
	proc_result_free(&r);
}

/* s with every @DIR replaced by the test's directory. */
static char *expand(const char *s)
{
	size_t len = strlen(s) + 1;
	char *out, *o;

	for (const char *p = s; (p = strstr(p, "@DIR")); p += 4)
		len += strlen(dir);
	out = o = malloc(len);
	while (*s) {
		if (strncmp(s, "@DIR", 4) == 0) {
			o = stpcpy(o, dir);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* ringrun ARGS (NULL-terminated, @DIR expanded). */
static void bench_run(const char *const *args, const char *in,
		      bool stdout_closed, struct proc_result *r)
{
	const char *argv[MAX_ARGS];
	size_t n = 0;

	for (; args[n]; n++) {
		cr_assert_lt(n, MAX_ARGS - 1);
		free(expanded[n]);
		expanded[n] = expand(args[n]);
		argv[n] = expanded[n];
	}
	argv[n] = NULL;
	run_ringrun(argv, in, in ? strlen(in) : 0, stdout_closed, r);
}

/* DIR/name whole (caller frees); NULL when it does not exist. */
static char *slurp(const char *name)
{
	char path[128], *s = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	len = getdelim(&s, &cap, '\0', f);
	fclose(f);
	if (len < 0) {
		free(s);
		return calloc(1, 1);
	}
	return s;
}

/* DIR/name with text, @DIR expanded. */
static void write_file(const char *name, const char *text)
{
	char path[128], *t = expand(text);
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(t, f);
	fclose(f);
	free(t);
}

static void expect_prefix(const char *s, const char *prefix)
{
	cr_assert(strncmp(s, prefix, strlen(prefix)) == 0,
		  "does not start with \"%s\": %s", prefix, s);
}

static void expect_has(const char *s, const char *part)
{
	cr_assert_not_null(strstr(s, part), "lacks \"%s\": %s", part, s);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && (s = strchr(s, '\n')); s++)
		n++;
	return n;
}

static void expect_lines(const char *name, int want)
{
	char *s = slurp(name);

	cr_assert_not_null(s, "%s was never written", name);
	cr_assert_eq(count_lines(s), want, "%s: %d lines, expected %d", name,
		     count_lines(s), want);
	free(s);
}

/* python3 on the JSON export: it must parse, then script's asserts hold
   on d, the document; prints "ok". */
static void check_json(const char *script)
{
	static const char prelude[] =
		"import json, sys\n"
		"d = json.load(sys.stdin)\n"
		"r = d['results']\n";
	char *json = slurp("b.json");
	char *prog, *got;

	cr_assert_not_null(json, "no JSON export");
	cr_assert(asprintf(&prog, "%s%s\nprint('ok')\n", prelude, script) > 0);
	got = run_python(prog, json, strlen(json));
	cr_assert_str_eq(got, "ok\n");
	free(got);
	free(prog);
	free(json);
}

#define ARGS(...) (const char *const[]){ __VA_ARGS__, NULL }

TestSuite(cli_bench, .init = make_dir, .fini = remove_dir, .timeout = 60);

/* W + N runs of each command, N measured; the sleep's figures are real. */
Test(cli_bench, warmups_and_runs_counted)
{
	struct proc_result r;
	char *md;

	write_file("cmds", "echo >> @DIR/a; true\n"
			   "echo >> @DIR/b; sleep 0.05\n");
	bench_run(ARGS("--repeat", "5", "--warmup", "2", "--export-json",
		       "@DIR/b.json", "--export-markdown", "@DIR/b.md", "-C",
		       "@DIR/cmds"), NULL, false, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "");
	expect_lines("a", 7);
	expect_lines("b", 7);
	expect_prefix(r.out, "Benchmark of 2 commands: 5 runs each after 2 "
			     "warm-up runs, one run at a time\n");
	expect_has(r.out, "; true': 5 runs\n  wall ");
	expect_has(r.out, "sleep 0.05': 5 runs\n  wall ");
	expect_has(r.out, "\n  peak RSS ");
	expect_has(r.out, "\n\n'echo >> ");
	expect_has(r.out, "; true' ran ");
	expect_has(r.out, " times faster than 'echo >> ");
	check_json("assert len(r) == 2, r\n"
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
		   "assert r[0]['command'].endswith('; true')\n"
		   "s = r[1]\n"
		   "assert s['command'].endswith('; sleep 0.05')\n"
		   "assert s['mean'] >= 0.05 and s['min'] >= 0.05, s\n"
		   "assert s['wall_time']['mean'] == s['mean']\n"
		   "assert abs(s['mean'] - sum(s['times']) / 5) < 1e-6, s\n");
	md = slurp("b.md");
	cr_assert_not_null(md, "no Markdown export");
	cr_assert_eq(count_lines(md), 4, "%s", md);
	expect_prefix(md, "| Command | Mean ± σ | Min | Max | Relative |\n"
			  "|:---|---:|---:|---:|---:|\n| `echo >> ");
	expect_has(md, "; true` | ");
	expect_has(md, "; sleep 0.05` | ");
	expect_has(md, " | 1.00 |\n");
	free(md);
	proc_result_free(&r);
}

/* The child's CPU time and peak RSS come from the library (wait4) whichever
   way it waits for exits: the ring's WAITID, or a pidfd poll. */
static void rusage_figures(const char *no_waitid)
{
	char *json = expand("@DIR/b.json");
	const char *argv[] = {
		"env", no_waitid, ringrun_bin(), "--repeat", "2",
		"--export-json", json, "-X", "python3", "-c",
		"b = b'x' * (64 << 20); sum(range(3000000))", NULL,
	};
	struct proc_result r;

	run_prog(argv, NULL, 0, 30000, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	check_json("c = r[0]\n"
		   "assert c['runs'] == 2, c\n"
		   "assert min(c['memory_usage_byte']) >= 64 << 20, c\n"
		   "assert min(c['user_times']) > 0, c\n"
		   "assert c['user'] + c['system'] <= c['mean'] * 1.5, c\n"
		   "assert c['peak_rss_byte']['min'] >= 64 << 20, c\n");
	proc_result_free(&r);
	free(json);
}

Test(cli_bench, rusage_with_ring_waitid)
{
	rusage_figures("-uRINGRUN_NO_WAITID");
}

Test(cli_bench, rusage_with_pidfd_poll)
{
	rusage_figures("RINGRUN_NO_WAITID=1");
}

/* Failed runs are counted, shown, and left out of the figures. */
Test(cli_bench, some_runs_fail)
{
	struct proc_result r;

	/* Runs 2 and 4 of 4 fail: the file has 1, then 3 lines before them. */
	write_file("flaky", "echo >> @DIR/n; [ $(($(wc -l < @DIR/n) % 2)) = 1 ]\n");
	bench_run(ARGS("--repeat", "4", "--export-json", "@DIR/b.json", "-C",
		       "@DIR/flaky"), NULL, false, &r);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	expect_lines("n", 4);
	expect_has(r.err, "ringrun: 2 of 4 runs of 'echo >> ");
	expect_has(r.err, "' failed; the first: 'echo >> ");
	expect_has(r.out, "': 2 of 4 runs ok, 2 failed\n  wall ");
	check_json("c = r[0]\n"
		   "assert c['runs'] == 2 and c['failed'] == 2, c\n"
		   "assert len(c['times']) == 2, c\n"
		   "assert 'exited with status 1' in c['first_failure'], c\n");
	proc_result_free(&r);
}

/* Stopped by a signal: no report, the export stays empty, no next run. */
Test(cli_bench, signal_stops_without_report)
{
	char *cmd = expand("echo >> @DIR/started; exec sleep 30");
	char *json = expand("@DIR/b.json");
	const char *argv[] = { ringrun_bin(), "--repeat", "3", "--export-json",
			       json, cmd, NULL };
	const struct timespec tick = { 0, 10000000 };
	long long deadline = now_ms() + 10000;
	struct proc p;
	struct proc_result r;
	char *started;

	proc_start(&p, argv, false);
	while (!(started = slurp("started")) || !*started) {
		free(started);
		cr_assert_lt(now_ms(), deadline, "the first run never started");
		nanosleep(&tick, NULL);
	}
	free(started);
	kill(p.pid, SIGINT);
	proc_finish(&p, NULL, 0, 10000, &r);
	cr_assert_eq(r.status, 128 + SIGINT, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	expect_lines("started", 1);
	expect_lines("b.json", 0);
	proc_result_free(&r);
	free(json);
	free(cmd);
}

/* ------------------------------------------------------ data-driven cases */

struct bench_case {
	const char *args[MAX_ARGS]; /* after "ringrun", NULL-terminated */
	const char *in;             /* stdin (NULL: empty) */
	bool stdout_closed;
	const char *out_prefix;     /* stdout starts with it */
	const char *out_has[4];     /* substrings of stdout */
	const char *out_not;        /* not in stdout */
	const char *err_exact;      /* exact stderr (NULL: empty) */
	const char *err_has;        /* or a substring of it */
	int status;
};

static void check_case(const struct bench_case *c)
{
	struct proc_result r;

	bench_run(c->args, c->in, c->stdout_closed, &r);
	cr_assert_eq(r.status, c->status, "exit status %d, expected %d\nstderr: %s",
		     r.status, c->status, r.err);
	if (c->out_prefix)
		expect_prefix(r.out, c->out_prefix);
	for (size_t k = 0; k < 4 && c->out_has[k]; k++)
		expect_has(r.out, c->out_has[k]);
	if (c->out_not)
		cr_assert_null(strstr(r.out, c->out_not), "has \"%s\": %s",
			       c->out_not, r.out);
	if (c->err_has)
		expect_has(r.err, c->err_has);
	else
		cr_assert_str_eq(r.err, c->err_exact ? c->err_exact : "");
	proc_result_free(&r);
}

#define CASE(name, ...)                                                \
	Test(cli_bench, name)                                              \
	{                                                              \
		check_case(&(const struct bench_case){ __VA_ARGS__ }); \
	}
#define CMD(...) .args = { __VA_ARGS__, NULL }

#define USAGE "\nTry 'ringrun --help'.\n"

CASE(usage_repeat_zero, CMD("--repeat", "0", "true"),
     .err_exact = "ringrun: --repeat: 0: out of range" USAGE, .status = 2)
CASE(usage_repeat_not_a_number, CMD("--repeat", "5x", "true"),
     .err_exact = "ringrun: --repeat: 5x: not a number" USAGE, .status = 2)
CASE(usage_warmup_without_repeat, CMD("--warmup", "2", "true"),
     .err_exact = "ringrun: --warmup: needs --repeat" USAGE, .status = 2)
CASE(usage_export_without_repeat, CMD("--export-json", "x.json", "true"),
     .err_exact = "ringrun: --export-json: needs --repeat" USAGE, .status = 2)
CASE(usage_repeat_with_hosts, CMD("--repeat", "3", "-w", "h1", "true"),
     .err_exact = "ringrun: --repeat: cannot be combined with hosts: benchmark "
		  "mode measures local commands only" USAGE,
     .status = 2)
/* Before anything runs: nothing is printed, nothing measured. */
CASE(export_cannot_be_created,
     CMD("--repeat", "1", "-o", "group", "--export-json", "@DIR/no/b.json",
	 "echo", "ran"),
     .out_prefix = "", .out_not = "ran",
     .err_has = "ringrun: --export-json: /tmp/rr-bench-", .status = 2)
CASE(export_cannot_be_written,
     CMD("--repeat", "1", "--export-markdown", "/dev/full", "true"),
     .out_prefix = "Benchmark of 1 command: 1 run each, one run at a time\n",
     .err_exact = "ringrun: --export-markdown: /dev/full: No space left on device\n",
     .status = 2)

/* Task output is not read unless -o asks for it. */
CASE(output_discarded, CMD("--repeat", "2", "echo", "hello"),
     .out_prefix = "Benchmark of 1 command: 2 runs each, one run at a time\n"
		   "                           mean ± σ      median         min         max\n"
		   "'echo hello': 2 runs\n  wall ")
CASE(output_shown_with_o, CMD("--repeat", "2", "-o", "group", "echo", "hello"),
     .out_prefix = "hello\nhello\nBenchmark of 1 command: 2 runs each")
/* {#} is the input's number: every run of a command is the same command. */
CASE(sequence_number_per_command,
     CMD("--repeat", "2", "-o", "group", "echo {#}", ":::", "a", "b"),
     .out_prefix = "1\n1\n2\n2\nBenchmark of 2 commands: 2 runs each")
CASE(inputs_make_commands, CMD("--repeat", "1", "sleep", ":::", "0", "0.01"),
     .out_has = { "\n'sleep 0': 1 run\n", "\n'sleep 0.01': 1 run\n",
		  "\n\n'sleep 0", " times faster than 'sleep 0" })
CASE(args_file_makes_commands, CMD("--repeat", "1", "-a", "-", "echo"),
     .in = "x\ny\n",
     .out_has = { "\n'echo x': 1 run\n", "\n'echo y': 1 run\n" })
CASE(concurrent_runs_said, CMD("--repeat", "2", "-j", "2", "true"),
     .out_prefix = "Benchmark of 1 command: 2 runs each, up to 2 runs at once "
		   "(-j 2): runs compete with each other\n")

/* Every run failed: no figures, no comparison, exit status 1. */
CASE(failing_command, CMD("--repeat", "3", "--warmup", "1", "-C", "-"),
     .in = "true\nexit 3\n",
     .out_has = { "\n'true': 3 runs\n",
		  "\n'exit 3': 0 of 3 runs ok, 3 failed; 1 of 1 warm-up runs "
		  "failed\n  no run succeeded\n" },
     .out_not = " ran ",
     .err_exact = "ringrun: 3 of 3 runs and 1 of 1 warm-up runs of 'exit 3' "
		  "failed; the first: 'exit 3' exited with status 3\n",
     .status = 1)
CASE(timed_out_runs_fail, CMD("--repeat", "2", "-t", "0.1", "sleep 5"),
     .out_has = { "\n'sleep 5': 0 of 2 runs ok, 2 failed\n" },
     .err_has = "ringrun: 2 of 2 runs of 'sleep 5' failed; the first: "
		"'sleep 5' timed out after 0.1 s",
     .status = 1)
CASE(runs_that_cannot_start, CMD("--repeat", "2", "-X", ""),
     .out_has = { "\n'''': 0 of 2 runs ok, 2 failed\n" },
     .err_has = "ringrun: 2 of 2 runs of '''' failed; the first: cannot start "
		"'''': Invalid argument\n",
     .status = 1)
CASE(stdout_closed, CMD("--repeat", "1", "true"), .stdout_closed = true,
     .status = 141)
