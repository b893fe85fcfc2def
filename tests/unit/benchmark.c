/* cli/benchmark.c and cli/benchreport.c: the runs' bookkeeping, the
   statistics, the units, the table, JSON and Markdown. */
#define _GNU_SOURCE /* memfd_create */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "benchmode/benchmark.h"
#include "benchmode/benchreport.h"
#include "benchmode/hyperreport.h"
#include "parse.h"
#include "files.h"

#define EPS 1e-12

static void expect_summary(const double *x, size_t n, double min,
			   double median, double mean, double max,
			   double stddev)
{
	struct bench_summary s;

	bench_summarize(x, n, &s);
	cr_assert_eq(s.n, n);
	cr_assert_float_eq(s.min, min, EPS);
	cr_assert_float_eq(s.median, median, EPS);
	cr_assert_float_eq(s.mean, mean, EPS);
	cr_assert_float_eq(s.max, max, EPS);
	cr_assert_float_eq(s.stddev, stddev, EPS, "stddev %.17g, expected %.17g",
			   s.stddev, stddev);
}

/* ------------------------------------------------------------ statistics */

Test(unit_bench_stats, odd_count)
{
	const double x[] = { 3, 1, 2 };

	expect_summary(x, 3, 1, 2, 2, 3, 1);
}

/* Even count: the median is the mean of the middle two; the standard
   deviation is the sample one (n - 1): 32 / 7, where n would give 2. */
Test(unit_bench_stats, even_count_sample_stddev)
{
	const double x[] = { 9, 4, 2, 5, 4, 7, 4, 5 };

	expect_summary(x, 8, 2, 4.5, 5, 9, sqrt(32.0 / 7));
}

Test(unit_bench_stats, two_values)
{
	const double x[] = { 4, 1 };

	expect_summary(x, 2, 1, 2.5, 2.5, 4, sqrt(4.5));
}

Test(unit_bench_stats, one_value_has_no_spread)
{
	const double x[] = { 0.25 };

	expect_summary(x, 1, 0.25, 0.25, 0.25, 0.25, 0);
}

Test(unit_bench_stats, none)
{
	struct bench_summary s = { .n = 9, .mean = 1 };

	bench_summarize(NULL, 0, &s);
	cr_assert(s.n == 0 && s.mean == 0 && s.stddev == 0 && s.max == 0);
}

/* A large common offset does not eat the deviations (the two-pass
   formula; the one-pass sum of squares would lose them). */
Test(unit_bench_stats, large_offset)
{
	const double x[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };

	expect_summary(x, 4, 1e9 + 4, 1e9 + 10, 1e9 + 10, 1e9 + 16, sqrt(30));
}

Test(unit_bench_stats, input_untouched)
{
	const double x[] = { 5, 1, 3 };
	struct bench_summary s;

	bench_summarize(x, 3, &s);
	cr_assert(x[0] == 5 && x[1] == 1 && x[2] == 3);
}

Test(unit_bench_stats, ratio_and_its_spread)
{
	struct bench_summary slow = { .n = 3, .mean = 3, .stddev = 0.3 };
	struct bench_summary fast = { .n = 3, .mean = 1.5, .stddev = 0.15 };
	struct bench_summary single = { .n = 1, .mean = 1 };
	struct bench_summary none = { 0 };
	double r, sd;

	cr_assert(bench_ratio(&slow, &fast, &r, &sd));
	cr_assert_float_eq(r, 2, EPS);
	cr_assert_float_eq(sd, 2 * sqrt(0.01 + 0.01), EPS);
	cr_assert(bench_ratio(&slow, &single, &r, &sd));
	cr_assert_float_eq(r, 3, EPS);
	cr_assert_eq(sd, -1, "one run has no spread to propagate");
	cr_assert_not(bench_ratio(&slow, &none, &r, &sd));
	cr_assert_not(bench_ratio(&none, &fast, &r, &sd));
}

/* ----------------------------------------------------------- bookkeeping */

static struct rr_result ok_run(uint64_t wall_ns, uint64_t user_us,
				     uint64_t sys_us, long rss_kb)
{
	return (struct rr_result){
		.status = RR_OK, .pid = 1, .start_ns = 1000,
		.end_ns = 1000 + wall_ns, .user_us = user_us, .sys_us = sys_us,
		.maxrss_kb = rss_kb,
	};
}

static const struct rr_result failed_run =
	{ .status = RR_EXIT_NONZERO, .exit_code = 1,
	  .message = "'x' exited with status 1" };

/* repeat 3 after 2 warm-ups: tasks 0-4 are command 0's (0 and 1 warm-ups),
   5-9 command 1's. */
Test(unit_bench_book, layout_warmups_failures)
{
	struct bench b;
	struct rr_result r;

	bench_init(&b, 3, 2, 1, 2);
	cr_assert_eq(bench_runs_each(&b), 5);
	for (size_t t = 0; t < 5; t++) {
		r = ok_run(1000 * (t + 1), t, 0, 100);
		bench_record(&b, t, "a", &r, NULL);
	}
	bench_record(&b, 5, "x", &failed_run, NULL);
	r = ok_run(7, 0, 0, 0);
	bench_record(&b, 6, "x", &r, NULL);
	bench_record(&b, 7, "x", &failed_run, NULL);
	bench_record(&b, 8, "x", NULL, "cannot start 'x': Invalid argument");
	r = ok_run(9, 0, 0, 0);
	bench_record(&b, 9, "x", &r, NULL);

	cr_assert_str_eq(b.cmds[0].command, "a");
	cr_assert_eq(b.cmds[0].nruns, 3, "the warm-ups are not measured");
	cr_assert_eq(b.cmds[0].runs[0].wall, 3000 * 1e-9);
	cr_assert_eq(b.cmds[0].runs[2].wall, 5000 * 1e-9);
	cr_assert_eq(b.cmds[0].runs[2].user, 4 * 1e-6);
	cr_assert_eq(b.cmds[0].failed + b.cmds[0].warmup_failed, 0);
	cr_assert_null(b.cmds[0].first_failure);

	cr_assert_eq(b.cmds[1].nruns, 1);
	cr_assert_eq(b.cmds[1].runs[0].wall, 9 * 1e-9);
	cr_assert_eq(b.cmds[1].failed, 2);
	cr_assert_eq(b.cmds[1].warmup_failed, 1);
	cr_assert_str_eq(b.cmds[1].first_failure, "'x' exited with status 1");
	cr_assert(bench_any_failed(&b));
	bench_free(&b);
}

Test(unit_bench_book, off_is_one_task_per_input)
{
	struct bench b;

	bench_init(&b, 0, 0, 4, 10);
	cr_assert_eq(bench_runs_each(&b), 1);
	cr_assert_eq(b.ncmds, 0);
	cr_assert_not(bench_any_failed(&b));
	bench_free(&b);
}

Test(unit_bench_book, units_of_the_figures)
{
	struct bench b;
	struct bench_stats st;
	struct rr_result r = ok_run(1500000000, 250000, 125000, 2048);

	bench_init(&b, 1, 0, 1, 1);
	bench_record(&b, 0, "c", &r, NULL);
	bench_stats(&b, &b.cmds[0], &st);
	cr_assert_float_eq(st.wall.mean, 1.5, EPS);
	cr_assert_float_eq(st.user.mean, 0.25, EPS);
	cr_assert_float_eq(st.sys.mean, 0.125, EPS);
	cr_assert_float_eq(st.rss.mean, 2048, EPS);
	bench_free(&b);
}

/* ----------------------------------------------------------------- units */

static void expect_put(double value, const struct bench_unit *u,
		       const char *want)
{
	struct buf b = BUF_INIT;

	bench_put(&b, value, u);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

Test(unit_bench_units, times)
{
	expect_put(0, bench_time_unit(0), "0 ns");
	expect_put(512e-9, bench_time_unit(512e-9), "512 ns");
	expect_put(1.5e-6, bench_time_unit(1.5e-6), "1.5 µs");
	expect_put(999.94e-6, bench_time_unit(999.94e-6), "999.9 µs");
	expect_put(1e-3, bench_time_unit(1e-3), "1.0 ms");
	expect_put(0.0523, bench_time_unit(0.0523), "52.3 ms");
	expect_put(1, bench_time_unit(1), "1.000 s");
	expect_put(83.25, bench_time_unit(83.25), "83.250 s");
}

/* A spread is shown in its mean's unit. */
Test(unit_bench_units, spread_in_the_means_unit)
{
	expect_put(0.0004, bench_time_unit(0.0523), "0.4 ms");
}

Test(unit_bench_units, sizes)
{
	expect_put(512, bench_size_unit(512), "512 KiB");
	expect_put(1536, bench_size_unit(1536), "1.5 MiB");
	expect_put(3 * 1024 * 1024, bench_size_unit(3 * 1024 * 1024), "3.00 GiB");
}

/* ---------------------------------------------------------------- report */

/* 'a': 1 and 3 ms; 'b|`c`': 4 and 8 ms; 'z': every run failed. */
static void sample(struct bench *b, unsigned jobs)
{
	struct rr_result r;

	bench_init(b, 2, 1, jobs, 3);
	bench_record(b, 0, "a", &failed_run, NULL);
	r = ok_run(1000000, 500, 0, 1024);
	bench_record(b, 1, "a", &r, NULL);
	r = ok_run(3000000, 700, 0, 3072);
	bench_record(b, 2, "a", &r, NULL);
	r = ok_run(1, 0, 0, 0);
	bench_record(b, 3, "b|`c`", &r, NULL);
	r = ok_run(4000000, 1000, 2000, 2000000);
	bench_record(b, 4, "b|`c`", &r, NULL);
	r = ok_run(8000000, 1000, 2000, 2000000);
	bench_record(b, 5, "b|`c`", &r, NULL);
	for (size_t t = 6; t < 9; t++)
		bench_record(b, t, "z", &failed_run, NULL);
}

Test(unit_bench_report, text)
{
	struct bench b;
	struct buf out = BUF_INIT;

	sample(&b, 1);
	benchreport_text(&out, &b);
	cr_assert_str_eq(out.data,
		"Benchmark of 3 commands: 2 runs each after 1 warm-up run, one run at a time\n"
		"                           mean ± σ      median         min         max\n"
		"'a': 2 runs; 1 of 1 warm-up runs failed\n"
		"  wall          2.0 ms ±     1.4 ms      2.0 ms      1.0 ms      3.0 ms\n"
		"  user        600.0 µs ±   141.4 µs    600.0 µs    500.0 µs    700.0 µs\n"
		"  sys             0 ns ±       0 ns        0 ns        0 ns        0 ns\n"
		"  peak RSS     2.0 MiB ±    1.4 MiB     2.0 MiB     1.0 MiB     3.0 MiB\n"
		"'b|`c`': 2 runs\n"
		"  wall          6.0 ms ±     2.8 ms      6.0 ms      4.0 ms      8.0 ms\n"
		"  user          1.0 ms ±     0.0 ms      1.0 ms      1.0 ms      1.0 ms\n"
		"  sys           2.0 ms ±     0.0 ms      2.0 ms      2.0 ms      2.0 ms\n"
		"  peak RSS    1.91 GiB ±   0.00 GiB    1.91 GiB    1.91 GiB    1.91 GiB\n"
		"'z': 0 of 2 runs ok, 2 failed; 1 of 1 warm-up runs failed\n"
		"  no run succeeded\n"
		"\n"
		"'a' ran 3.00 ± 2.55 times faster than 'b|`c`'\n");
	buf_free(&out);
	bench_free(&b);
}

Test(unit_bench_report, header_says_runs_compete)
{
	struct bench b;
	struct buf out = BUF_INIT;

	sample(&b, 4);
	benchreport_text(&out, &b);
	cr_assert(strncmp(out.data, "Benchmark of 3 commands: 2 runs each after 1 "
			  "warm-up run, up to 4 runs at once (-j 4): runs "
			  "compete with each other\n", 108) == 0, "%s", out.data);
	buf_free(&out);
	bench_free(&b);
}

Test(unit_bench_report, markdown)
{
	struct bench b;
	struct buf out = BUF_INIT;

	sample(&b, 1);
	benchreport_markdown(&out, &b);
	cr_assert_str_eq(out.data,
		"| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |\n"
		"|:---|---:|---:|---:|---:|\n"
		"| `a` | 2.0 ± 1.4 | 1.0 | 3.0 | 1.00 |\n"
		"| `b\\|`c`` | 6.0 ± 2.8 | 4.0 | 8.0 | 3.00 ± 2.55 |\n"
		"| `z` | — | — | — | — |\n");
	buf_free(&out);
	bench_free(&b);
}

Test(unit_bench_report, json)
{
	struct bench b;
	struct buf out = BUF_INIT;
	struct rr_result r = ok_run(1500000000, 250000, 125000, 2);

	bench_init(&b, 1, 0, 1, 2);
	bench_record(&b, 0, "say \"hi\"", &r, NULL);
	bench_record(&b, 1, "false", &failed_run, NULL);
	benchreport_json(&out, &b);
	cr_assert_str_eq(out.data,
		"{\"results\":[\n"
		"{\"command\":\"say \\\"hi\\\"\",\"mean\":1.5,\"stddev\":null,"
		"\"median\":1.5,\"user\":0.25,\"system\":0.125,\"min\":1.5,"
		"\"max\":1.5,\"times\":[1.5],\"exit_codes\":[0],"
		"\"runs\":1,\"failed\":0,\"warmup_failed\":0,\"first_failure\":null,"
		"\"user_times\":[0.25],\"system_times\":[0.125],"
		"\"memory_usage_byte\":[2048],"
		"\"wall_time\":{\"mean\":1.5,\"stddev\":null,\"median\":1.5,"
		"\"min\":1.5,\"max\":1.5},"
		"\"user_time\":{\"mean\":0.25,\"stddev\":null,\"median\":0.25,"
		"\"min\":0.25,\"max\":0.25},"
		"\"system_time\":{\"mean\":0.125,\"stddev\":null,\"median\":0.125,"
		"\"min\":0.125,\"max\":0.125},"
		"\"peak_rss_byte\":{\"mean\":2048,\"stddev\":null,\"median\":2048,"
		"\"min\":2048,\"max\":2048}},\n"
		"{\"command\":\"false\",\"mean\":null,\"stddev\":null,\"median\":null,"
		"\"user\":null,\"system\":null,\"min\":null,\"max\":null,"
		"\"times\":[],\"exit_codes\":[],"
		"\"runs\":0,\"failed\":1,\"warmup_failed\":0,"
		"\"first_failure\":\"'x' exited with status 1\","
		"\"user_times\":[],\"system_times\":[],\"memory_usage_byte\":[],"
		"\"wall_time\":{\"mean\":null,\"stddev\":null,\"median\":null,"
		"\"min\":null,\"max\":null},"
		"\"user_time\":{\"mean\":null,\"stddev\":null,\"median\":null,"
		"\"min\":null,\"max\":null},"
		"\"system_time\":{\"mean\":null,\"stddev\":null,\"median\":null,"
		"\"min\":null,\"max\":null},"
		"\"peak_rss_byte\":{\"mean\":null,\"stddev\":null,\"median\":null,"
		"\"min\":null,\"max\":null}}\n"
		"],\"repeat\":1,\"warmup\":0,\"jobs\":1}\n");
	buf_free(&out);
	bench_free(&b);
}

Test(unit_bench_report, failure_lines)
{
	struct bench b;
	struct output o;
	int out_fd = memfd_create("out", 0), err_fd = memfd_create("err", 0);
	char *err;

	cr_assert(out_fd >= 0 && err_fd >= 0);
	sample(&b, 1);
	output_init(&o, OUT_QUIET, out_fd, err_fd);
	benchreport_failures(&o, &b);
	cr_assert_eq(output_flush(&o), 0);
	err = fd_contents(err_fd);
	cr_assert_str_eq(err,
		"ringrun: 1 of 1 warm-up runs of 'a' failed; the first: "
		"'x' exited with status 1\n"
		"ringrun: 2 of 2 runs and 1 of 1 warm-up runs of 'z' failed; "
		"the first: 'x' exited with status 1\n");
	free(err);
	output_free(&o);
	bench_free(&b);
	close(out_fd);
	close(err_fd);
}

/* hyperfine's report (--report hyperfine), byte for byte as hyperfine 1.15
   prints these figures with --style basic: one run's "abs", the Summary. */
Test(unit_bench_report, hyperfine_form)
{
	struct bench b;
	struct output o;
	int out_fd = memfd_create("out", 0), err_fd = memfd_create("err", 0);
	struct rr_result r;
	char *out, *err;

	cr_assert(out_fd >= 0 && err_fd >= 0);
	bench_init(&b, 2, 0, 1, 3);
	r = ok_run(11400000, 800, 300, 1024);
	bench_record(&b, 0, "sleep 0.01", &r, NULL);
	r = ok_run(11600000, 800, 300, 1024);
	bench_record(&b, 1, "sleep 0.01", &r, NULL);
	r = ok_run(1202000000, 1000, 0, 1024);
	bench_record(&b, 2, "slow", &r, NULL);
	r = ok_run(1203000000, 1000, 0, 1024);
	bench_record(&b, 3, "slow", &r, NULL);
	r = ok_run(21700000, 1100, 300, 1024);
	bench_record(&b, 4, "b", &r, NULL);
	bench_record(&b, 5, "b", &failed_run, NULL);
	output_init(&o, OUT_QUIET, out_fd, err_fd);
	hyperreport_write(&b, &o);
	cr_assert_eq(output_flush(&o), 0);
	out = fd_contents(out_fd);
	err = fd_contents(err_fd);
	cr_assert_str_eq(out,
		"Benchmark 1: sleep 0.01\n"
		"  Time (mean ± σ):      11.5 ms ±   0.1 ms    [User: 0.8 ms, System: 0.3 ms]\n"
		"  Range (min … max):    11.4 ms …  11.6 ms    2 runs\n"
		" \n"
		"Benchmark 2: slow\n"
		"  Time (mean ± σ):      1.203 s ±  0.001 s    [User: 0.001 s, System: 0.000 s]\n"
		"  Range (min … max):    1.202 s …  1.203 s    2 runs\n"
		" \n"
		"Benchmark 3: b\n"
		"  Time (abs ≡):         21.7 ms               [User: 1.1 ms, System: 0.3 ms]\n"
		" \n"
		"Summary\n"
		"  'sleep 0.01' ran\n"
		"    1.89 times faster than 'b'\n"
		"  104.57 ± 1.29 times faster than 'slow'\n");
	cr_assert_str_eq(err, "");
	free(out);
	free(err);
	output_free(&o);
	bench_free(&b);
	close(out_fd);
	close(err_fd);
}

/* --------------------------------------------------------------- options */

static struct options opts;
static char opt_err[256];

#define PARSE(...) PARSE_OPTIONS(&opts, opt_err, __VA_ARGS__)
#define EXPECT_ERROR(r, msg) expect_usage_error(&opts, opt_err, r, msg)

/* One run at a time, task output unread, unless -j or -o say otherwise. */
Test(unit_bench_options, defaults)
{
	cr_assert_eq(PARSE("--repeat", "5", "--warmup=2", "--export-json", "a.json",
			   "--export-markdown", "a.md", "true"), 0, "%s", opt_err);
	cr_assert_eq(opts.repeat, 5);
	cr_assert_eq(opts.warmup, 2);
	cr_assert_str_eq(opts.export_json, "a.json");
	cr_assert_str_eq(opts.export_markdown, "a.md");
	cr_assert_eq(opts.jobs, 1);
	cr_assert_eq(opts.output, OUT_QUIET);
	options_free(&opts);

	cr_assert_eq(PARSE("-j", "3", "-o", "group", "--repeat", "1", "true"), 0,
		     "%s", opt_err);
	cr_assert_eq(opts.jobs, 3);
	cr_assert_eq(opts.output, OUT_GROUP);
	options_free(&opts);

	cr_assert_eq(PARSE("true"), 0, "%s", opt_err);
	cr_assert_eq(opts.repeat, 0);
	cr_assert_eq(opts.jobs, 4, "without --repeat, -j's default stays");
	cr_assert_eq(opts.output, OUT_GROUP);
	options_free(&opts);
}

Test(unit_bench_options, usage_errors)
{
	EXPECT_ERROR(PARSE("--repeat", "0", "true"), "--repeat: 0: out of range");
	EXPECT_ERROR(PARSE("--repeat", "1000001", "true"),
		     "--repeat: 1000001: out of range");
	EXPECT_ERROR(PARSE("--repeat", "-1", "true"), "--repeat: -1: not a number");
	EXPECT_ERROR(PARSE("--repeat", "3", "--warmup", "x", "true"),
		     "--warmup: x: not a number");
	EXPECT_ERROR(PARSE("--warmup", "2", "true"), "--warmup: needs --repeat");
	EXPECT_ERROR(PARSE("--export-markdown", "m", "true"),
		     "--export-markdown: needs --repeat");
	EXPECT_ERROR(PARSE("--repeat", "2", "--export-json", "a", "--export-json",
			   "b", "true"), "--export-json: given twice");
	EXPECT_ERROR(PARSE("--repeat", "2", "-w", "h1", "true"),
		     "--repeat: cannot be combined with hosts: benchmark mode "
		     "measures local commands only");
}

/* The runs are kept as they come, however many --repeat asks for. */
Test(unit_bench_book, many_runs_kept)
{
	struct bench b;
	struct rr_result r;

	bench_init(&b, 100, 0, 1, 1);
	for (size_t t = 0; t < 100; t++) {
		r = ok_run(t + 1, 0, 0, 0);
		bench_record(&b, t, "c", &r, NULL);
	}
	cr_assert_eq(b.cmds[0].nruns, 100);
	for (size_t t = 0; t < 100; t++)
		cr_assert_eq(b.cmds[0].runs[t].wall, (double)(t + 1) * 1e-9);
	cr_assert_leq(b.cmds[0].cap, 100, "never more room than --repeat");
	bench_free(&b);
}

/* ------------------------------------------------------- hyperfine's rules */

/* Without --ignore-failure a failed run stops the benchmark; with it, a
   run that exited non-zero or was killed is measured with its code, and
   one that never started still stops it. */
Test(unit_bench_book, failed_runs_stop_unless_ignored)
{
	struct bench b;
	struct rr_result r = failed_run, killed = failed_run;
	char *words;

	r.started = killed.started = true;
	killed.status = RR_SIGNALED;
	killed.exit_code = -9;
	bench_init(&b, 3, 0, 1, 1);
	cr_assert(bench_record(&b, 0, "x", &r, NULL));
	bench_free(&b);

	bench_init(&b, 3, 0, 1, 1);
	b.ignore_failure = true;
	cr_assert_not(bench_record(&b, 0, "x", &r, NULL));
	cr_assert_not(bench_record(&b, 1, "x", &killed, NULL));
	cr_assert(bench_record(&b, 2, "x", NULL, "cannot start 'x': E"));
	cr_assert_eq(b.cmds[0].nruns, 2);
	cr_assert_eq(b.cmds[0].nonzero, 2);
	cr_assert_eq(b.cmds[0].runs[0].exit_code, 1);
	cr_assert_eq(b.cmds[0].runs[1].exit_code, -9);

	r.exit_code = 3;
	words = bench_stop_words(&b, 0, &r);
	cr_assert_str_eq(words, "Command terminated with non-zero exit code: 3. "
			 "Use the '--ignore-failure' option if you want to ignore "
			 "this. Alternatively, use the '-o group' option to debug "
			 "what went wrong.");
	free(words);
	words = bench_stop_words(&b, 0, &killed);
	cr_assert(strncmp(words, "The process has been terminated by a signal. ",
			  45) == 0, "%s", words);
	free(words);
	bench_free(&b);
}

/* --setup, --prepare, --cleanup: tasks around the runs, in hyperfine's
   order, which must succeed; only the runs are measured. */
Test(unit_bench_book, tasks_around_the_runs)
{
	static const enum bench_phase want[] = {
		BENCH_SETUP, BENCH_PREPARE, BENCH_RUN, BENCH_PREPARE, BENCH_RUN,
		BENCH_PREPARE, BENCH_RUN, BENCH_CLEANUP,
	};
	struct bench b;
	struct rr_result ok = ok_run(5, 0, 0, 0), bad = failed_run;
	char *words;

	bench_init(&b, 2, 1, 1, 2);
	b.setup = b.prepare = b.cleanup = true;
	cr_assert_eq(bench_runs_each(&b), 8);
	for (size_t t = 0; t < 16; t++) {
		cr_assert_eq(bench_phase(&b, t), want[t % 8], "task %zu", t);
		cr_assert_not(bench_record(&b, t, want[t % 8] == BENCH_RUN ? "c" :
					   "around", &ok, NULL));
	}
	cr_assert_str_eq(b.cmds[0].command, "c");
	cr_assert_eq(b.cmds[0].nruns, 2, "the warm-up and the tasks around "
		     "are not measured");
	cr_assert(bench_record(&b, 9, "prep", &bad, NULL));
	words = bench_stop_words(&b, 9, &bad);
	cr_assert_str_eq(words, "The preparation command terminated with a "
			 "non-zero exit code. Append ' || true' to the command "
			 "if you are sure that this can be ignored.");
	free(words);
	words = bench_stop_words(&b, 0, &bad);
	cr_assert(strncmp(words, "The setup command ", 18) == 0, "%s", words);
	free(words);
	words = bench_stop_words(&b, 15, &bad);
	cr_assert(strncmp(words, "The cleanup command ", 20) == 0, "%s", words);
	free(words);
	bench_free(&b);
}

/* hyperfine's modified Z-score above 14.826: the first run alone, or
   another; a spread without outliers; all equal (the MAD is 0). */
Test(unit_bench_stats, outliers)
{
	const double slow_first[] = { 9, 1, 1.1, 0.9, 1, 1.05 };
	const double later[] = { 1, 1.1, 0.9, 9, 1, 1.05 };
	const double calm[] = { 1, 1.1, 0.9, 1.2, 1, 1.05 };
	const double flat[] = { 2, 2, 2 };
	const double flat_but_one[] = { 2, 2, 2, 2.0000001 };

	cr_assert_eq(bench_outliers(slow_first, 6), BENCH_SLOW_FIRST);
	cr_assert_eq(bench_outliers(later, 6), BENCH_OUTLIERS);
	cr_assert_eq(bench_outliers(calm, 6), BENCH_NO_OUTLIERS);
	cr_assert_eq(bench_outliers(flat, 3), BENCH_NO_OUTLIERS);
	cr_assert_eq(bench_outliers(flat_but_one, 4), BENCH_OUTLIERS);
}

/* Rust's f64 Display: the shortest decimal that reads back, no exponent. */
Test(unit_bench_units, shortest)
{
	const struct { double x; const char *want; } cases[] = {
		{ 0, "0" }, { 1, "1" }, { 0.1, "0.1" }, { 1.5, "1.5" },
		{ 100, "100" }, { 1e-7, "0.0000001" }, { 123456.789, "123456.789" },
		{ 0.0007809232000000001, "0.0007809232000000001" },
		{ 0.00026379999999999996, "0.00026379999999999996" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e21, "1000000000000000000000" },
		{ -2.5, "-2.5" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct buf b = BUF_INIT;

		bench_put_shortest(&b, cases[k].x);
		cr_expect_str_eq(b.data, cases[k].want);
		buf_free(&b);
	}
}

/* The wall, user and system times less the shell's start-up, never
   below 0; peak RSS as it was. */
Test(unit_bench_book, shell_startup_taken_off)
{
	struct bench b;
	struct bench_stats st;
	struct rr_result r = ok_run(3000000, 2000, 500, 64);

	bench_init(&b, 1, 0, 1, 1);
	b.spawn[BENCH_WALL] = 0.001;
	b.spawn[BENCH_USER] = 0.0005;
	b.spawn[BENCH_SYS] = 0.001;
	bench_record(&b, 0, "c", &r, NULL);
	bench_stats(&b, &b.cmds[0], &st);
	cr_assert_float_eq(st.wall.mean, 0.002, EPS);
	cr_assert_float_eq(st.user.mean, 0.0015, EPS);
	cr_assert_eq(st.sys.mean, 0);
	cr_assert_float_eq(st.rss.mean, 64, EPS);
	bench_free(&b);
}

/* hyperfine's columns; a command with a comma or a quote is quoted. */
Test(unit_bench_report, csv)
{
	struct bench b;
	struct buf out = BUF_INIT;
	struct rr_result r = ok_run(1500000000, 250000, 0, 2);

	bench_init(&b, 1, 0, 1, 2);
	bench_record(&b, 0, "echo a,\"b\"", &r, NULL);
	r = ok_run(500000000, 0, 125000, 2);
	bench_record(&b, 1, "true", &r, NULL);
	benchreport_csv(&out, &b);
	cr_assert_str_eq(out.data,
		"command,mean,stddev,median,user,system,min,max\n"
		"\"echo a,\"\"b\"\"\",1.5,0,1.5,0.25,0,1.5,1.5\n"
		"true,0.5,0,0.5,0,0.125,0.5,0.5\n");
	buf_free(&out);
	bench_free(&b);
}

/* The first command's mean decides the unit: seconds from 1 s.  A mean of
   0 cannot be compared with: hyperfine's file keeps the table of the
   commands before it. */
Test(unit_bench_report, markdown_in_seconds)
{
	struct bench b;
	struct buf out = BUF_INIT;
	struct rr_result r = ok_run(2005000000, 0, 0, 2);

	bench_init(&b, 1, 0, 1, 2);
	bench_record(&b, 0, "sleep 2", &r, NULL);
	r = ok_run(105700000, 0, 0, 2);
	bench_record(&b, 1, "sleep 0.1", &r, NULL);
	cr_assert_eq(benchreport_markdown(&out, &b), 0);
	cr_assert_str_eq(out.data,
		"| Command | Mean [s] | Min [s] | Max [s] | Relative |\n"
		"|:---|---:|---:|---:|---:|\n"
		"| `sleep 2` | 2.005 | 2.005 | 2.005 | 18.97 |\n"
		"| `sleep 0.1` | 0.106 | 0.106 | 0.106 | 1.00 |\n");
	bench_free(&b);
	buf_reset(&out);
	r = ok_run(0, 0, 0, 2);
	bench_init(&b, 1, 0, 1, 1);
	bench_record(&b, 0, "true", &r, NULL);
	cr_assert_eq(benchreport_markdown(&out, &b), -1, "a zero mean compares with nothing");
	cr_assert_eq(out.len, 0, "no command before it: no table");
	buf_free(&out);
	bench_free(&b);
}

/* ------------------------------------------------------------ parameters */

static void expect_commands(const struct param_cmds *pc,
			    const char *const *want, size_t n)
{
	cr_assert_eq(pc->n, n, "%zu commands, expected %zu", pc->n, n);
	for (size_t k = 0; k < n; k++)
		cr_assert_str_eq(pc->commands[k], want[k]);
	cr_assert_null(pc->commands[n]);
}

#define COMMANDS(pc, ...)                                                   \
	expect_commands(pc, (const char *const[]){ __VA_ARGS__ },          \
			sizeof (const char *const[]){ __VA_ARGS__ } /      \
				sizeof(const char *))

/* hyperfine's order: the templates vary fastest, then the first list;
   values and names by parameter name; never a value replaced twice. */
Test(unit_bench_params, lists_combined)
{
	const char *const t[] = { "a {x}{y}", "b {y}" };
	const struct param_opt p[] = { { .name = "y", .list = "1,2\\,3" },
				       { .name = "x", .list = "{y},q" } };
	const char *const names[] = { "n {x}" };
	struct param_cmds pc;
	char err[256];
	char *s;

	cr_assert_eq(params_expand(&pc, t, 2, p, 2, NULL, names, 1, err,
				   sizeof err), 0, "%s", err);
	COMMANDS(&pc, "a {y}1", "b 1", "a {y}2,3", "b 2,3", "a q1", "b 1", "a q2,3",
		 "b 2,3");
	cr_assert_eq(pc.nparams, 2);
	cr_assert_str_eq(pc.pnames[0], "x");
	cr_assert_str_eq(pc.pvalues[2 * 2 + 1], "2,3", "command 2's y");
	cr_assert_str_eq(pc.pvalues[4 * 2 + 0], "q", "command 4's x");
	cr_assert_str_eq(pc.names[4], "n q");
	s = params_apply(&pc, 3, "{x}-{y}-{z}");
	cr_assert_str_eq(s, "{y}-2,3-{z}");
	free(s);
	params_free(&pc);
}

Test(unit_bench_params, scans)
{
	const struct param_opt i = { .name = "n", .min = "-1", .max = "1" };
	const struct param_opt d = { .name = "d", .min = "1", .max = "2" };
	const struct param_opt e = { .name = "d", .min = "0.30", .max = "0.5" };
	const char *const t[] = { "s {n}{d}" };
	struct param_cmds pc;
	char err[256];

	cr_assert_eq(params_expand(&pc, t, 1, &i, 1, NULL, NULL, 0, err,
				   sizeof err), 0, "%s", err);
	COMMANDS(&pc, "s -1{d}", "s 0{d}", "s 1{d}");
	params_free(&pc);
	cr_assert_eq(params_expand(&pc, t, 1, &d, 1, "0.5", NULL, 0, err,
				   sizeof err), 0, "%s", err);
	COMMANDS(&pc, "s {n}1", "s {n}1.5", "s {n}2.0");
	params_free(&pc);
	cr_assert_eq(params_expand(&pc, t, 1, &e, 1, "0.1", NULL, 0, err,
				   sizeof err), 0, "%s", err);
	COMMANDS(&pc, "s {n}0.30", "s {n}0.40", "s {n}0.50");
	params_free(&pc);
}

static void expect_refused(const struct param_opt *p, size_t np,
			   const char *step, size_t nnames, const char *why)
{
	const char *const t[] = { "x" }, *const names[] = { "a", "b", "c" };
	struct param_cmds pc;
	char err[256];

	cr_assert_eq(params_expand(&pc, t, 1, p, np, step, names, nnames, err,
				   sizeof err), -1);
	cr_assert_str_eq(err, why);
}

/* hyperfine's words. */
Test(unit_bench_params, refused)
{
	const struct param_opt back = { .name = "n", .min = "3", .max = "1" };
	const struct param_opt frac = { .name = "n", .min = "0.1", .max = "1" };
	const struct param_opt big = { .name = "n", .min = "0", .max = "2000000" };
	const struct param_opt word = { .name = "n", .min = "a", .max = "1" };
	const struct param_opt twice[] = { { .name = "x", .list = "1" },
					   { .name = "x", .list = "2" } };
	const struct param_opt two = { .name = "x", .list = "1,2" };

	expect_refused(&back, 1, NULL, 0, "Empty parameter range");
	expect_refused(&frac, 1, NULL, 0, "A step size is required when the "
		       "range bounds are floating point numbers. The step size "
		       "can be specified with the '--parameter-step-size "
		       "<DELTA>' parameter");
	expect_refused(&frac, 1, "0", 0, "Zero is not a valid parameter step");
	expect_refused(&big, 1, NULL, 0, "Parameter range is too large");
	expect_refused(&word, 1, NULL, 0, "Error while parsing parameter scan "
		       "arguments (invalid number)");
	expect_refused(twice, 2, NULL, 0, "Duplicate parameter names: x");
	expect_refused(&two, 1, NULL, 3, "'--command-name' has been specified 3 "
		       "times. It has to appear exactly once, or exactly 2 times "
		       "(number of benchmarks)");
}

Test(unit_bench_options, hyperfines)
{
	cr_assert_eq(PARSE("--repeat", "2", "--shell=none", "--ignore-failure",
			   "--export-csv", "b.csv", "--prepare", "p1", "--prepare",
			   "p2", "--setup", "s", "--cleanup", "c",
			   "--parameter-scan", "n", "1", "3", "--command-name",
			   "x{n}", "echo {n}"), 0, "%s", opt_err);
	cr_assert_str_eq(opts.shell, "none");
	cr_assert(opts.ignore_failure);
	cr_assert_str_eq(opts.export_csv, "b.csv");
	cr_assert_eq(opts.nprepare, 2);
	cr_assert_str_eq(opts.prepare[1], "p2");
	cr_assert_str_eq(opts.setup, "s");
	cr_assert_str_eq(opts.cleanup, "c");
	cr_assert_eq(opts.pcmds.n, 3);
	cr_assert_str_eq(opts.pcmds.commands[2], "echo 3");
	cr_assert_str_eq(opts.pcmds.names[0], "x1");
	options_free(&opts);
}

Test(unit_bench_options, hyperfines_refused)
{
	EXPECT_ERROR(PARSE("--ignore-failure", "true"),
		     "--ignore-failure: needs --repeat");
	EXPECT_ERROR(PARSE("--repeat", "2", "-j", "2", "--prepare", "p", "true"),
		     "--prepare: needs one run at a time (-j 1): it runs between them");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-scan", "n", "1"),
		     "--parameter-scan: missing argument");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-scan", "n", "1", "2",
			   "--parameter-scan", "m", "1", "2", "x"),
		     "--parameter-scan: given twice");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-step-size", "2", "x"),
		     "--parameter-step-size: needs --parameter-scan");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-scan", "n", "1", "2",
			   "--parameter-list", "m", "a", "x"),
		     "--parameter-scan: cannot be combined with --parameter-list");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-list", "m", "a", "x",
			   ":::", "i"),
		     "--parameter-list: cannot be combined with :::: the "
		     "parameters make the commands");
	EXPECT_ERROR(PARSE("--repeat", "2", "--parameter-scan", "n", "3", "1",
			   "x"), "--parameter-scan: Empty parameter range");
	EXPECT_ERROR(PARSE("--repeat", "2", "--shell", "bash", "-X", "x"),
		     "--shell: cannot be combined with -X: COMMAND runs as argv");
}
