/*
 * GNU parallel's job options, piece by piece: their parsing (--timeout N%,
 * --tag, --tagstring, --results, --resume, --delay, --bar, --eta), the
 * running median of --timeout N%, --results' directory names and the
 * formats of --bar and --eta.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "jobs/median.h"
#include "jobs/reltimeout.h"
#include "output/outdir.h"
#include "output/parbar.h"
#include "parse.h"

static struct options o;
static char err[256];

#define PARSE(...) PARSE_OPTIONS(&o, err, __VA_ARGS__)

Test(unit_parjobs, timeout_percent)
{
	uint64_t ms = 42, mpct = 42;

	cr_assert_null(parse_timeout("150%", &ms, &mpct));
	cr_assert_eq(mpct, 150000);
	cr_assert_eq(ms, 0);
	cr_assert_null(parse_timeout("1.5", &ms, &mpct));
	cr_assert_eq(ms, 1500);
	cr_assert_eq(mpct, 0);
	/* A fraction, as parallel's \d+(\.\d+)?% */
	cr_assert_null(parse_timeout("1.5%", &ms, &mpct));
	cr_assert_eq(mpct, 1500);
	cr_assert_null(parse_timeout("0.001%", &ms, &mpct));
	cr_assert_eq(mpct, 1);
	cr_assert_null(parse_timeout("4294967295%", &ms, &mpct));
	cr_assert_eq(mpct, 4294967295000);
	cr_assert_str_eq(parse_timeout("0%", &ms, &mpct), "out of range");
	cr_assert_str_eq(parse_timeout("0.0%", &ms, &mpct), "out of range");
	cr_assert_str_eq(parse_timeout("%", &ms, &mpct), "not a number");
	cr_assert_str_eq(parse_timeout("1.5.%", &ms, &mpct), "not a number");
	cr_assert_str_eq(parse_timeout("1,5%", &ms, &mpct), "not a number");
	cr_assert_str_eq(parse_timeout("-5%", &ms, &mpct), "not a number");
	cr_assert_str_eq(parse_timeout("99999999999%", &ms, &mpct), "out of range");
	cr_assert_str_eq(parse_timeout("123456789012345678901234567%", &ms, &mpct),
			 "out of range");
}

Test(unit_parjobs, options)
{
	cr_assert_eq(PARSE("--tag", "--results", "r", "--delay", "0.5", "--bar",
			   "-t", "300%", "echo"), 0, "%s", err);
	cr_assert_str_eq(o.tagstring, "{}");
	cr_assert(o.results && o.bar && !o.eta);
	cr_assert_str_eq(o.outdir, "r");
	cr_assert_eq(o.output, OUT_QUIET, "--results prints nothing, as parallel");
	cr_assert_eq(o.delay_ms, 500);
	cr_assert_eq(o.timeout_mpct, 300000);
	cr_assert_eq(PARSE("--tagstring", "{#}", "--eta", "--joblog", "l", "--resume",
			   "-o", "stream", "echo"), 0, "%s", err);
	cr_assert_str_eq(o.tagstring, "{#}");
	cr_assert(o.eta && o.resume);
	cr_assert_eq(o.output, OUT_STREAM);
	cr_assert_eq(PARSE("--results", "r", "-o", "group", "echo"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_GROUP, "asked for");
	cr_assert_eq(PARSE("--results", "r{}", "echo"), -1);
	cr_assert_str_eq(err, "--results: r{}: replacement strings in DIR are not supported");
	cr_assert_eq(PARSE("--resume", "--resume-failed", "l", "--joblog", "l", "echo"), -1);
	cr_assert_str_eq(err, "--resume: cannot be combined with --resume-failed");
	cr_assert_eq(PARSE("--delay", "1", "--repeat", "2", "echo"), -1);
	cr_assert_str_eq(err, "--delay: cannot be combined with --repeat: benchmark mode "
			      "runs each command as often as it says");
	cr_assert_eq(PARSE("--eta", "-w", "h1", "echo"), -1);
	cr_assert_str_eq(err, "--eta: cannot be combined with hosts (local commands only)");
	cr_assert_eq(PARSE("--results", "", "echo"), -1);
	cr_assert_str_eq(err, "--results: empty directory name");
}

Test(unit_parjobs, median)
{
	struct median m = { { 0 }, { 0 } };
	static const uint64_t v[] = { 50, 10, 40, 20, 30, 30, 1000, 0 };
	/* The lower middle of the values so far, sorted. */
	static const uint64_t want[] = { 50, 10, 40, 20, 30, 30, 30, 30 };

	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		median_add(&m, v[k]);
		cr_assert_eq(median_count(&m), k + 1);
		cr_assert_eq(median_get(&m), want[k], "after %zu: %llu", k + 1,
			     (unsigned long long)median_get(&m));
	}
	median_free(&m);
	for (uint64_t k = 1; k <= 10001; k++)
		median_add(&m, (k * 7919) % 10001);
	cr_assert_eq(median_get(&m), 5000);
	median_free(&m);
}

Test(unit_parjobs, results_names)
{
	struct buf b = BUF_INIT;

	outdir_results_name(&b, "a/b\\c\td", 7);
	cr_assert_str_eq(b.data, "a\\_b\\\\c\\td");
	buf_reset(&b);
	outdir_results_name(&b, "x\0y", 3);
	cr_assert_str_eq(b.data, "x\\0y");
	buf_free(&b);
}

Test(unit_parjobs, eta_format)
{
	struct parbar_eta e;
	struct buf b = BUF_INIT;
	struct parbar_figures f = { .total = 4, .done = 0, .running = 1, .arg = "a",
				    .width = 80 };

	parbar_eta_init(&e);
	parbar_eta_header(&b, 2, 1);
	cr_assert_str_eq(b.data, "\nComputers / CPU cores / Max jobs to run\n"
				 "1:local / 2 / 1\n\nComputer:jobs running/jobs completed/"
				 "%of started jobs/Average seconds to complete\n");
	buf_reset(&b);
	parbar_eta_status(&b, &e, &f);
	cr_assert_str_eq(b.data, "\rETA: 0s Left: 4 AVG: 0.00s  local:1/0/100%/0.0s ");
	buf_reset(&b);
	f.done = 2;
	f.elapsed_s = 3;
	parbar_eta_status(&b, &e, &f);
	cr_assert_str_eq(b.data, "\rETA: 0s Left: 2 AVG: 0.00s  local:1/2/100%/1.5s ");
	buf_reset(&b);
	f.done = 3;
	f.elapsed_s = 7.5; /* 4 whole seconds since the first ended */
	parbar_eta_status(&b, &e, &f);
	cr_assert_str_eq(b.data, "\rETA: 1s Left: 1 AVG: 1.33s  local:1/3/100%/2.5s ");
	buf_free(&b);
}

Test(unit_parjobs, bar_format)
{
	struct parbar_eta e;
	struct buf b = BUF_INIT;
	struct parbar_figures f = { .total = 3, .done = 2, .arg = "x y", .width = 20 };

	parbar_eta_init(&e);
	parbar_bar(&b, &e, &f);
	cr_assert_str_eq(b.data, "\r#   0 sec x y       \r66.6666666666667\r"
				 "\033[7m66% 2:1=0s x \033[0my      \033[0m");
	buf_reset(&b);
	f.done = 3;
	parbar_bar(&b, &e, &f);
	cr_assert_str_eq(b.data, "\r#   0 sec x y       \r100\r"
				 "\033[7m100% 3:0=0s x y     \033[0m\033[0m");
	buf_reset(&b);
	parbar_perl_number(&b, 12.5);
	cr_assert_str_eq(b.data, "12.5");
	buf_free(&b);
}

/* N% of the median, N a fraction too; a limit past 64 bits is none. */
Test(unit_parjobs, timeout_percent_limit)
{
	struct rel_timeout t = { .mpct = 1500 };

	cr_assert_eq(rel_timeout_limit_ns(&t), 0, "no task ended ok yet");
	rel_timeout_ok(&t, 2000000000);
	cr_assert_eq(rel_timeout_limit_ns(&t), 30000000 + 1);
	median_free(&t.runtimes);
	t = (struct rel_timeout){ .mpct = 4294967295000 };
	rel_timeout_ok(&t, UINT64_MAX / 2);
	cr_assert_eq(rel_timeout_limit_ns(&t), UINT64_MAX);
	median_free(&t.runtimes);
	t = (struct rel_timeout){ .mpct = 100001 };
	rel_timeout_ok(&t, 300000);
	cr_assert_eq(rel_timeout_limit_ns(&t), 300003 + 1);
	median_free(&t.runtimes);
}
