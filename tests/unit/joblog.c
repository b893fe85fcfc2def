/*
 * cli/joblog.c and cli/resume.c: rows written and read back, GNU
 * parallel's own logs, every parse error, appending to a log, and which
 * tasks --resume-failed takes as done.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs/joblog.h"
#include "jobs/resume.h"

static char err[512];

static char *format(const struct joblog_row *row)
{
	struct buf b = BUF_INIT;

	joblog_format(&b, row);
	return buf_detach(&b);
}

Test(unit_joblog, format_row)
{
	const struct joblog_row row = {
		.seq = 12, .host = ":", .start_ms = 1700000000123, .runtime_ms = 4005,
		.send = 6, .receive = 70000, .exitval = -1, .signal = 15,
		.command = "sleep 9",
	};
	char *line = format(&row);

	cr_assert_str_eq(line, "12\t:\t1700000000.123\t     4.005\t6\t70000\t-1\t15\t"
			       "sleep 9\n");
	free(line);
	cr_assert_str_eq(joblog_header, "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
					"Receive\tExitval\tSignal\tCommand\n");
}

/* As parallel writes a command: as it is, a newline as a NUL byte. */
Test(unit_joblog, format_command)
{
	const struct joblog_row row = {
		.seq = 1, .host = "root@web1", .runtime_ms = 12345678901,
		.command = "printf 'a\\tb\\n'\tx\ny\\",
	};
	struct buf b = BUF_INIT;
	static const char want[] = "1\troot@web1\t0.000\t12345678.901\t0\t0\t0\t0\t"
				   "printf 'a\\tb\\n'\tx\0y\\\n";

	joblog_format(&b, &row);
	cr_assert_eq(b.len, sizeof want - 1);
	cr_assert_eq(memcmp(b.data, want, b.len), 0, "%s", b.data);
	buf_free(&b);
}

/* The rows ringrun wrote before they were parallel's: escaped. */
Test(unit_joblog, ringrun_escaped_rows)
{
	static const char text[] =
		"1\troot@web\\1\t0.000\t0.000\t0\t0\t0\t0\tprintf 'a\\\\tb'\\tx\\ny\\\\\n";
	struct joblog log;

	cr_assert_eq(joblog_parse(&log, text, sizeof text - 1, err, sizeof err), 0,
		     "%s", err);
	cr_assert_str_eq(log.rows[0].host, "root@web\\1");
	cr_assert_str_eq(log.rows[0].command, "printf 'a\\tb'\tx\ny\\");
	joblog_free(&log);
}

static void expect_same(const struct joblog_row *a, const struct joblog_row *b)
{
	cr_assert_eq(a->seq, b->seq);
	cr_assert_str_eq(a->host, b->host);
	cr_assert_eq(a->start_ms, b->start_ms);
	cr_assert_eq(a->runtime_ms, b->runtime_ms);
	cr_assert_eq(a->send, b->send);
	cr_assert_eq(a->receive, b->receive);
	cr_assert_eq(a->exitval, b->exitval);
	cr_assert_eq(a->signal, b->signal);
	cr_assert_str_eq(a->command, b->command);
}

Test(unit_joblog, round_trip)
{
	const struct joblog_row rows[] = {
		{ 1, ":", 1, 0, 0, 0, 0, 0, "true" },
		{ 2, "user@host:2222", 1700000000999, 86400000, 1u << 30, UINT64_MAX,
		  255, 0, "echo '\\\\'; \\n \\t \\ \\x\t\n\n" },
		{ 5, ":", 0, 99999999999, 0, 0, 0, 0, "long \\t" },
		{ 18446744073709551615ull, "h", 0, 1, 0, 0, -2147483647 - 1, 64, "" },
		{ 4, ":", 0, 0, 0, 0, 2147483647, 2147483647, "\\" },
	};
	struct buf b = BUF_INIT;
	struct joblog log;

	buf_adds(&b, joblog_header);
	for (size_t k = 0; k < 5; k++)
		joblog_format(&b, &rows[k]);
	cr_assert_eq(joblog_parse(&log, b.data, b.len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(log.n, 5);
	for (size_t k = 0; k < 5; k++)
		expect_same(&log.rows[k], &rows[k]);
	joblog_free(&log);
	buf_free(&b);
}

/* Headers anywhere (two logs end to end), blank lines, no final newline. */
Test(unit_joblog, headers_blank_lines_last_line)
{
	static const char text[] =
		"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		"1\t:\t10.5\t1\t0\t0\t0\t0\ta\n"
		"\n"
		"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		"2\t:\t10.25\t0.0005\t0\t0\t1\t0\tb";
	struct joblog log;

	cr_assert_eq(joblog_parse(&log, text, sizeof text - 1, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(log.n, 2);
	cr_assert_eq(log.rows[0].start_ms, 10500);
	cr_assert_eq(log.rows[0].runtime_ms, 1000);
	cr_assert_eq(log.rows[1].start_ms, 10250);
	cr_assert_eq(log.rows[1].runtime_ms, 0, "decimals past the third dropped");
	cr_assert_str_eq(log.rows[1].command, "b");
	joblog_free(&log);
	cr_assert_eq(joblog_parse(&log, "", 0, err, sizeof err), 0);
	cr_assert_eq(log.n, 0);
	joblog_free(&log);
}

/*
 * As GNU parallel 20221122 writes it: JobRuntime padded to ten, commands
 * as they are (tabs and backslashes too), a newline as a NUL byte.
 */
Test(unit_joblog, gnu_parallel_log)
{
	static const char text[] =
		"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		"1\t:\t1795454160.036\t     0.000\t0\t0\t0\t9\tkill -9 $$\n"
		"4\t:\t1795454160.046\t     0.002\t0\t4\t0\t0\tprintf 'a\\tb\\n'\n"
		"5\tserver\t1795454160.149\t     0.906\t0\t0\t-1\t15\techo\tx\0echo y\n";
	struct joblog log;

	cr_assert_eq(joblog_parse(&log, text, sizeof text - 1, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(log.n, 3);
	cr_assert_eq(log.rows[0].signal, 9);
	cr_assert_eq(log.rows[0].runtime_ms, 0);
	cr_assert_str_eq(log.rows[1].command, "printf 'a\\tb\\n'", "kept as written");
	cr_assert_eq(log.rows[1].receive, 4);
	cr_assert_str_eq(log.rows[2].host, "server");
	cr_assert_eq(log.rows[2].exitval, -1);
	cr_assert_eq(log.rows[2].runtime_ms, 906);
	cr_assert_str_eq(log.rows[2].command, "echo\tx\necho y");
	joblog_free(&log);
}

static void expect_error(const char *text, const char *want)
{
	struct joblog log;

	cr_assert_eq(joblog_parse(&log, text, strlen(text), err, sizeof err), -1,
		     "parsed: %s", text);
	cr_assert_str_eq(err, want);
	cr_assert_eq(log.n, 0);
	joblog_free(&log);
}

Test(unit_joblog, errors)
{
	expect_error("1\t:\t0\t0\n", "line 1: 4 fields, expected 9");
	expect_error("Seq\n\nnot a log\n", "line 3: 1 field, expected 9");
	expect_error("x\t:\t0\t0\t0\t0\t0\t0\tc\n", "line 1: Seq: not a number");
	expect_error("-1\t:\t0\t0\t0\t0\t0\t0\tc\n", "line 1: Seq: not a number");
	expect_error("1\t:\t1.2.3\t0\t0\t0\t0\t0\tc\n", "line 1: Starttime: not a number");
	expect_error("1\t:\t0\t-1\t0\t0\t0\t0\tc\n", "line 1: JobRuntime: not a number");
	expect_error("1\t:\t0\t0\t\t0\t0\t0\tc\n", "line 1: Send: not a number");
	expect_error("1\t:\t0\t0\t0\t99999999999999999999\t0\t0\tc\n",
		     "line 1: Receive: out of range");
	expect_error("1\t:\t0\t0\t0\t0\t2147483648\t0\tc\n", "line 1: Exitval: out of range");
	expect_error("1\t:\t0\t0\t0\t0\t1x\t0\tc\n", "line 1: Exitval: not a number");
	expect_error("1\t:\t0\t0\t0\t0\t0\t-9\tc\n", "line 1: Signal: not a number");
	expect_error("1\t:\t99999999999999999\t0\t0\t0\t0\t0\tc\n",
		     "line 1: Starttime: out of range");
}

/* ------------------------------------------------------ the file */

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/rr-joblog-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *path_of(const char *name)
{
	static char path[128];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *name)
{
	FILE *f = fopen(path_of(name), "r");
	char *s = NULL;
	size_t len = 0;

	cr_assert_not_null(f);
	if (getdelim(&s, &len, '\0', f) < 0) {
		free(s);
		s = calloc(1, 1);
	}
	fclose(f);
	return s;
}

static const struct joblog_row row1 = { 1, ":", 1000, 0, 0, 2, 0, 0, "echo a" };

static void write_one(const char *name)
{
	struct joblog_file f;

	cr_assert_eq(joblog_open(&f, path_of(name), err, sizeof err), 0, "%s", err);
	cr_assert_eq(joblog_write(&f, &row1), 0);
	joblog_close(&f);
}

Test(unit_joblog_file, new_then_appended, .init = make_dir, .fini = remove_dir)
{
	write_one("log");
	write_one("log");
	char *s = slurp("log");
	cr_assert_str_eq(s, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t"
			    "Signal\tCommand\n"
			    "1\t:\t1.000\t     0.000\t0\t2\t0\t0\techo a\n"
			    "1\t:\t1.000\t     0.000\t0\t2\t0\t0\techo a\n");
	free(s);
	/* An empty file is new. */
	put("empty", "");
	write_one("empty");
	s = slurp("empty");
	cr_assert_eq(strncmp(s, joblog_header, strlen(joblog_header)), 0, "%s", s);
	free(s);
}

/* A last row cut short does not swallow the next one. */
Test(unit_joblog_file, torn_last_line, .init = make_dir, .fini = remove_dir)
{
	put("log", "Seq\tHost\n2\t:\t1.0");
	write_one("log");
	char *s = slurp("log");
	cr_assert_str_eq(s, "Seq\tHost\n2\t:\t1.0\n1\t:\t1.000\t     0.000\t0\t2\t0\t0\techo a\n");
	free(s);
}

Test(unit_joblog_file, not_a_log, .init = make_dir, .fini = remove_dir)
{
	struct joblog_file f;
	char want[256];

	put("notes", "my notes\n");
	cr_assert_eq(joblog_open(&f, path_of("notes"), err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: not a job log: its first line is not the header",
		 path_of("notes"));
	cr_assert_str_eq(err, want);
	char *s = slurp("notes");
	cr_assert_str_eq(s, "my notes\n", "left as it was");
	free(s);
	cr_assert_eq(joblog_open(&f, dir, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: Is a directory", dir);
	cr_assert_str_eq(err, want);
	cr_assert_eq(joblog_open(&f, "/nonexistent/rr/log", err, sizeof err), -1);
	cr_assert_str_eq(err, "/nonexistent/rr/log: No such file or directory");
}

/* Not a regular file (a pipe, /dev/stdout): the header, then the rows. */
Test(unit_joblog_file, device)
{
	struct joblog_file f;

	cr_assert_eq(joblog_open(&f, "/dev/null", err, sizeof err), 0, "%s", err);
	cr_assert_eq(joblog_write(&f, &row1), 0);
	joblog_close(&f);
	cr_assert_eq(f.fd, -1);
}

Test(unit_joblog_file, write_error)
{
	struct joblog_file f;

	if (access("/dev/full", W_OK) != 0)
		cr_skip_test("no /dev/full");
	cr_assert_eq(joblog_open(&f, "/dev/full", err, sizeof err), -1);
	cr_assert_str_eq(err, "/dev/full: No space left on device");
}

/* ------------------------------------------------------ --resume-failed */

static bool done(const struct resume *r, const char *host,
		 unsigned long long seq, const char *command)
{
	return resume_find(r, host, seq, command) == RESUME_DONE;
}

Test(unit_resume, last_row_decides, .init = make_dir, .fini = remove_dir)
{
	struct resume r;

	put("log", "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		   "1\t:\t1\t1\t0\t0\t0\t0\tok\n"
		   "2\t:\t1\t1\t0\t0\t1\t0\tfailed then ok\n"
		   "3\t:\t1\t1\t0\t0\t0\t0\tok then failed\n"
		   "4\t:\t1\t1\t0\t0\t0\t9\tsignaled\n"
		   "5\t:\t1\t1\t0\t0\t-1\t0\tnever ran\n"
		   "6\tweb1\t1\t1\t0\t0\t0\t0\tok\n"
		   "7\t:\t1\t1\t0\t0\t0\t0\ttab\\there\n"
		   "2\t:\t1\t1\t0\t0\t0\t0\tfailed then ok\n"
		   "3\t:\t1\t1\t0\t0\t2\t0\tok then failed\n");
	cr_assert_eq(resume_load(&r, path_of("log"), err, sizeof err), 0, "%s", err);
	cr_assert(done(&r, ":", 1, "ok"));
	cr_assert(done(&r, ":", 2, "failed then ok"));
	cr_assert_not(done(&r, ":", 3, "ok then failed"));
	cr_assert_eq(resume_find(&r, ":", 4, "signaled"), RESUME_FAILED);
	cr_assert_eq(resume_find(&r, ":", 5, "never ran"), RESUME_FAILED);
	cr_assert_eq(resume_find(&r, ":", 8, "not in the log"), RESUME_NONE);
	cr_assert(done(&r, "web1", 6, "ok"));
	cr_assert_not(done(&r, "web2", 6, "ok"), "another host");
	cr_assert(done(&r, ":", 7, "tab\there"), "ringrun's old rows are unescaped");
	cr_assert_not(done(&r, ":", 7, "tab\\there"));
	cr_assert(done(&r, ":", 99, "ok"), "the inputs moved: by command");
	resume_free(&r);
}

/* The same command twice: its Seq tells which of them failed. */
Test(unit_resume, by_seq_first)
{
	static const char text[] =
		"1\t:\t1\t     1.000\t0\t0\t0\t0\techo a\n"
		"2\t:\t1\t     1.000\t0\t0\t1\t0\techo a\n";
	struct joblog log;
	struct resume r;

	cr_assert_eq(joblog_parse(&log, text, sizeof text - 1, err, sizeof err), 0);
	resume_init(&r, &log);
	cr_assert(done(&r, ":", 1, "echo a"));
	cr_assert_not(done(&r, ":", 2, "echo a"));
	cr_assert_not(done(&r, ":", 3, "echo a"), "another Seq: the last row");
	resume_free(&r);
}

/*
 * Parallel's log has 'it'"'"'s', a log of another tool may have 'it'\''s':
 * the same words, so the task succeeded (the bug of issue 11); other
 * quotings that the shell reads alike match too, and those it reads
 * otherwise do not.
 */
Test(unit_resume, quoting_as_the_shell_reads_it)
{
	static const char text[] =
		"1\t:\t1\t     1.000\t0\t0\t0\t0\techo 'it'\"'\"'s'\n"
		"2\t:\t1\t     1.000\t0\t0\t0\t0\techo 'a:b' \"x y\" \\$HOME\n"
		"3\t:\t1\t     1.000\t0\t0\t0\t0\techo 'b c'\n"
		"4\t:\t1\t     1.000\t0\t0\t0\t0\techo \"$x\"\n";
	struct joblog log;
	struct resume r;

	cr_assert_eq(joblog_parse(&log, text, sizeof text - 1, err, sizeof err), 0);
	resume_init(&r, &log);
	cr_assert(done(&r, ":", 1, "echo 'it'\\''s'"));
	cr_assert(done(&r, ":", 1, "echo it\\'s"));
	cr_assert(done(&r, ":", 1, "echo \"it's\""));
	cr_assert_not(done(&r, ":", 1, "echo its"));
	cr_assert(done(&r, ":", 2, "echo a:b 'x y' '$HOME'"));
	cr_assert_not(done(&r, ":", 2, "echo a:b x y '$HOME'"));
	cr_assert_not(done(&r, ":", 2, "echo a:b 'x y' $HOME"));
	cr_assert(done(&r, ":", 3, "echo b\\ c"));
	cr_assert_not(done(&r, ":", 3, "echo b c"), "two words, not one");
	cr_assert(done(&r, ":", 4, "echo \"$\"x"), "$ expands in \"...\" too");
	cr_assert_not(done(&r, ":", 4, "echo '$x'"));
	resume_free(&r);
}

/* Enough tasks to grow the table well past its first size. */
Test(unit_resume, many_tasks)
{
	struct buf b = BUF_INIT;
	struct joblog log;
	struct resume r;
	char cmd[32];

	for (int k = 0; k < 5000; k++) {
		snprintf(cmd, sizeof cmd, "task %d", k);
		joblog_format(&b, &(struct joblog_row){ .seq = (unsigned)k, .host = ":",
						       .exitval = k % 3, .command = cmd });
	}
	cr_assert_eq(joblog_parse(&log, b.data, b.len, err, sizeof err), 0, "%s", err);
	resume_init(&r, &log);
	for (int k = 0; k < 5000; k++) {
		snprintf(cmd, sizeof cmd, "task %d", k);
		cr_assert_eq(done(&r, ":", (unsigned)k, cmd), k % 3 == 0, "%s", cmd);
	}
	resume_free(&r);
	buf_free(&b);
}

Test(unit_resume, missing_file_is_a_first_run)
{
	struct resume r;

	cr_assert_eq(resume_load(&r, "/nonexistent/rr-log", err, sizeof err), 0, "%s", err);
	cr_assert_eq(resume_find(&r, ":", 1, "anything"), RESUME_NONE);
	resume_free(&r);
}

Test(unit_resume, errors, .init = make_dir, .fini = remove_dir)
{
	struct resume r;
	char want[256];

	put("log", "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
		   "1\t:\t1\t1\t0\t0\t0\t0\tok\n"
		   "2\t:\t1\t1\t0\t0\tzero\t0\tbad\n");
	cr_assert_eq(resume_load(&r, path_of("log"), err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: line 3: Exitval: not a number", path_of("log"));
	cr_assert_str_eq(err, want);
	cr_assert_eq(resume_load(&r, dir, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: Is a directory", dir);
	cr_assert_str_eq(err, want);
}
