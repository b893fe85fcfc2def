/*
 * Job control: the options (--joblog, --resume-failed, --retries,
 * --retry-on-exit, --halt, --stdin) and their usage errors, and the row
 * cli/control.c writes for each way a task can end.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs/control.h"
#include "parse.h"

static struct options o;
static char err[256];

#define PARSE(...) PARSE_OPTIONS(&o, err, __VA_ARGS__)
#define EXPECT_ERROR(r, msg) expect_usage_error(&o, err, r, msg)

Test(unit_control_options, defaults)
{
	cr_assert_eq(PARSE("true"), 0, "%s", err);
	cr_assert_null(o.joblog);
	cr_assert_null(o.resume_failed);
	cr_assert_eq(o.retries, 0);
	cr_assert_not(o.retry_on_exit || o.stdin_all);
	cr_assert_eq(o.retry_delay_ms, 0);
	cr_assert_eq(o.kill_grace_ms, 0);
	cr_assert_eq(o.halt.when, HALT_NEVER);
	options_free(&o);
}

Test(unit_control_options, every_option)
{
	cr_assert_eq(PARSE("--joblog", "jl", "--resume-failed=old", "--retries", "3",
			   "--retry-on-exit", "--retry-delay", "0.25", "--halt", "now,fail=10%",
			   "--stdin", "--kill-grace", "30", "true"), 0, "%s", err);
	cr_assert_eq(o.retry_delay_ms, 250);
	cr_assert_eq(o.kill_grace_ms, 30000);
	cr_assert_str_eq(o.joblog, "jl");
	cr_assert_str_eq(o.resume_failed, "old");
	cr_assert_eq(o.retries, 3);
	cr_assert(o.retry_on_exit && o.stdin_all);
	cr_assert_eq(o.halt.when, HALT_NOW);
	cr_assert_eq(o.halt.n, 10);
	cr_assert(o.halt.percent);
	options_free(&o);
	/* Connection retries need no --retry-on-exit with hosts. */
	cr_assert_eq(PARSE("-w", "a", "--retries=0", "--stdin", "--hostfile", "h", "true"),
		     0, "%s", err);
	cr_assert_eq(o.retries, 0);
	options_free(&o);
	cr_assert_eq(PARSE("-w", "a", "--retries", "1000", "true"), 0, "%s", err);
	options_free(&o);
	/* A benchmark may log its runs and feed them stdin. */
	cr_assert_eq(PARSE("--repeat", "2", "--joblog", "jl", "--stdin", "--halt", "never",
			   "true"), 0, "%s", err);
	options_free(&o);
	/* --stdin goes with inputs that are not stdin. */
	cr_assert_eq(PARSE("--stdin", "-a", "f", "cat"), 0, "%s", err);
	options_free(&o);
}

Test(unit_control_options, errors)
{
	EXPECT_ERROR(PARSE("--joblog", "a", "--joblog", "b", "x"), "--joblog: given twice");
	EXPECT_ERROR(PARSE("--resume-failed"), "--resume-failed: missing argument");
	EXPECT_ERROR(PARSE("--retries", "x", "y"), "--retries: x: not a number");
	EXPECT_ERROR(PARSE("-w", "a", "--retries", "1001", "y"),
		     "--retries: 1001: out of range");
	EXPECT_ERROR(PARSE("--retry-on-exit=1", "y"), "--retry-on-exit: takes no argument");
	EXPECT_ERROR(PARSE("--halt", "soon", "y"),
		     "--halt: soon: not a policy (never, soon|now,fail|success|done=N|N%)");
	EXPECT_ERROR(PARSE("--retry-on-exit", "y"), "--retry-on-exit: needs --retries");
	EXPECT_ERROR(PARSE("-w", "a", "--retry-delay", "2", "y"),
		     "--retry-delay: needs --retries");
	EXPECT_ERROR(PARSE("--kill-grace", "soon", "y"), "--kill-grace: soon: not a number");
	EXPECT_ERROR(PARSE("--retries", "2", "y"),
		     "--retries: a local task can only fail by its exit: add --retry-on-exit");
	EXPECT_ERROR(PARSE("--repeat", "3", "--retries", "1", "--retry-on-exit", "y"),
		     "--retries: cannot be combined with --repeat: benchmark mode runs each "
		     "command as often as it says");
	EXPECT_ERROR(PARSE("--repeat", "3", "--halt", "now,fail=1", "y"),
		     "--halt: cannot be combined with --repeat: benchmark mode runs each "
		     "command as often as it says");
	EXPECT_ERROR(PARSE("--repeat", "3", "--resume-failed", "log", "y"),
		     "--resume-failed: cannot be combined with --repeat: benchmark mode runs "
		     "each command as often as it says");
	EXPECT_ERROR(PARSE("--stdin", "-a", "-", "cat"),
		     "--stdin: cannot be combined with -a -: stdin is read once for every task");
	EXPECT_ERROR(PARSE("--stdin", "-C", "-"),
		     "--stdin: cannot be combined with -C -: stdin is read once for every task");
	EXPECT_ERROR(PARSE("--stdin", "--hostfile", "-", "cat"),
		     "--stdin: cannot be combined with --hostfile -: stdin is read once "
		     "for every task");
}

Test(unit_control_options, in_the_help)
{
	const char *const names[] = { "--joblog FILE", "--resume-failed FILE",
				      "--retries N", "--retry-on-exit", "--halt",
				      "--stdin" };

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		cr_assert_not_null(strstr(options_help, names[k]), "%s", names[k]);
}

/* ------------------------------------------------------ rows */

static char path[64];

static void make_log(void)
{
	int fd;

	strcpy(path, "/tmp/rr-control-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void remove_log(void)
{
	unlink(path);
}

/* Log one task ended with r, and read the row back. */
static void logged(const struct task_info *t, const struct rr_result *r,
		   struct joblog_row *row, struct joblog *log)
{
	struct control c;
	char text[4096];
	FILE *f;
	size_t n;

	cr_assert_eq(PARSE("--joblog", path, "true"), 0, "%s", err);
	cr_assert_eq(control_init(&c, &o), 0);
	cr_assert_eq(control_log(&c, t, r), 0);
	control_free(&c);
	options_free(&o);
	f = fopen(path, "r");
	n = fread(text, 1, sizeof text, f);
	fclose(f);
	cr_assert_eq(joblog_parse(log, text, n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(log->n, 1, "%.*s", (int)n, text);
	*row = log->rows[0];
	unlink(path);
}

static const struct task_info local = { .seq = 3, .command = "run it" };
static const struct task_info remote = { .seq = 4, .command = "run it",
					 .host = "root@web1", .host_len = 9 };

Test(unit_control_rows, exit_and_signal, .init = make_log, .fini = remove_log)
{
	static const struct {
		const struct task_info *t;
		struct rr_result r;
		int exitval, signal;
	} cases[] = {
		{ &local, { .status = RR_OK, .pid = 9, .start_ns = 1 }, 0, 0 },
		{ &local, { .status = RR_EXIT_NONZERO, .exit_code = 3, .pid = 9, .start_ns = 1 }, 3, 0 },
		/* as parallel writes a signal the command was not sent by us */
		{ &local, { .status = RR_SIGNALED, .exit_code = -9, .pid = 9, .start_ns = 1 }, 0, 9 },
		{ &local, { .status = RR_TIMEOUT, .exit_code = -15, .pid = 9, .start_ns = 1 }, -1, 15 },
		{ &local, { .status = RR_CANCELLED, .exit_code = 0, .pid = 9, .start_ns = 1 }, -1, 0 },
		{ &local, { .status = RR_SPAWN_FAILED, .exit_code = 127 }, -1, 0 },
		{ &remote, { .status = RR_OK, .start_ns = 1 }, 0, 0 },
		{ &remote, { .status = RR_EXIT_NONZERO, .exit_code = 2, .start_ns = 1 }, 2, 0 },
		{ &remote, { .status = RR_SIGNALED, .exit_code = -15, .start_ns = 1 }, 0, 15 },
		{ &remote, { .status = RR_CONNECT_FAILED }, -1, 0 },
		{ &remote, { .status = RR_SSH_ERROR, .start_ns = 1 }, -1, 0 },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct joblog_row row;
		struct joblog log;

		logged(cases[k].t, &cases[k].r, &row, &log);
		cr_assert_eq(row.exitval, cases[k].exitval, "case %zu: %d", k, row.exitval);
		cr_assert_eq(row.signal, cases[k].signal, "case %zu: %d", k, row.signal);
		cr_assert_str_eq(row.host, cases[k].t->host ? "root@web1" : ":");
		cr_assert_eq(row.seq, cases[k].t->seq);
		cr_assert_str_eq(row.command, "run it");
		joblog_free(&log);
	}
}

Test(unit_control_rows, times_and_bytes, .init = make_log, .fini = remove_log)
{
	struct timespec mono, real;
	struct joblog_row row;
	struct joblog log;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	uint64_t start = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	const struct rr_result r = {
		.status = RR_OK, .pid = 1, .start_ns = start,
		.end_ns = start + 1234567890, .out = { .total = 77 },
	};

	logged(&local, &r, &row, &log);
	uint64_t real_ms = (uint64_t)real.tv_sec * 1000 + (uint64_t)real.tv_nsec / 1000000;
	cr_assert_leq(row.start_ms > real_ms ? row.start_ms - real_ms :
		      real_ms - row.start_ms, 1000, "start %llu, now %llu",
		      (unsigned long long)row.start_ms, (unsigned long long)real_ms);
	cr_assert_eq(row.runtime_ms, 1234);
	cr_assert_eq(row.receive, 77);
	cr_assert_eq(row.send, 0, "no --stdin");
	joblog_free(&log);
}
