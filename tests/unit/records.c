/*
 * cli/jobs/records.c and the input window of cli/jobs/input.c: records
 * split as the bytes arrive through a real pipe, NUL bytes refused in
 * lines and separating -0 inputs, the bound on a record, and the window
 * of inputs read ahead.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/guard.h"
#include "jobs/input.h"
#include "jobs/records.h"

static int pipe_fds[2];
static int saved_stdin = -1;

/* Our stdin is the read end of a pipe the test writes to. */
static void pipe_up(void)
{
	cr_assert_eq(pipe(pipe_fds), 0);
	saved_stdin = dup(0);
	cr_assert_geq(saved_stdin, 0);
	cr_assert_eq(dup2(pipe_fds[0], 0), 0);
	close(pipe_fds[0]);
}

static void pipe_down(void)
{
	if (pipe_fds[1] >= 0)
		close(pipe_fds[1]);
	dup2(saved_stdin, 0);
	close(saved_stdin);
}

static void put(const char *s, size_t len)
{
	cr_assert_eq(write(pipe_fds[1], s, len), (ssize_t)len);
}

#define PUT(lit) put(lit, sizeof lit - 1)

static void put_end(void)
{
	close(pipe_fds[1]);
	pipe_fds[1] = -1;
}

/* The pipe holds bytes now: one read takes them. */
static void fill(struct records *rs)
{
	struct pollfd p = { .fd = rs->fd, .events = POLLIN };

	cr_assert_eq(poll(&p, 1, -1), 1);
	cr_assert_eq(records_fill(rs), 0);
}

static void expect_record(struct records *rs, const char *s, size_t len)
{
	const char *rec;
	size_t n;

	cr_assert_eq(records_next(rs, &rec, &n), 1, "no record; want \"%.*s\"",
		     (int)len, s);
	cr_assert_eq(n, len);
	cr_assert_arr_eq(rec, s, len);
	cr_assert_eq(rec[len], '\0');
}

static void expect_none(struct records *rs)
{
	const char *rec;
	size_t n;

	cr_assert_eq(records_next(rs, &rec, &n), 0);
}

TestSuite(unit_records, .init = pipe_up, .fini = pipe_down);

/* A record is handed out once its separator came, not before. */
Test(unit_records, split_as_bytes_arrive)
{
	struct records rs;

	cr_assert_eq(records_open(&rs, "-", '\n'), 0);
	expect_none(&rs);
	PUT("ab");
	fill(&rs);
	expect_none(&rs);
	cr_assert_not(rs.eof);
	PUT("c\nd\n\ne");
	fill(&rs);
	expect_record(&rs, "abc", 3);
	expect_record(&rs, "d", 1);
	expect_record(&rs, "", 0);
	expect_none(&rs);
	put_end();
	fill(&rs);
	cr_assert(rs.eof);
	expect_record(&rs, "e", 1);
	expect_none(&rs);
	cr_assert_eq(rs.number, 4);
	records_close(&rs);
}

Test(unit_records, nul_in_a_line_is_refused)
{
	struct records rs;
	const char *rec;
	size_t n;

	cr_assert_eq(records_open(&rs, "-", '\n'), 0);
	PUT("keep\nkeep\0drop\nmore\n");
	fill(&rs);
	expect_record(&rs, "keep", 4);
	cr_assert_eq(records_next(&rs, &rec, &n), -EILSEQ);
	cr_assert_eq(rs.number + 1, 2, "the refused line's number");
	cr_assert_str_eq(records_strerror(-EILSEQ), "contains a NUL byte");
	cr_assert_str_eq(records_unit(&rs), "line");
	records_close(&rs);
}

/* -0: a NUL ends each input, newlines are kept, the last NUL optional. */
Test(unit_records, nul_separated)
{
	struct records rs;

	cr_assert_eq(records_open(&rs, "-", '\0'), 0);
	PUT("a\nb\0\0c");
	put_end();
	fill(&rs);
	expect_record(&rs, "a\nb", 3);
	expect_record(&rs, "", 0);
	expect_none(&rs);
	fill(&rs);
	cr_assert(rs.eof);
	expect_record(&rs, "c", 1);
	expect_none(&rs);
	cr_assert_str_eq(records_unit(&rs), "input");
	records_close(&rs);
}

Test(unit_records, trailing_nul_ends_the_last)
{
	struct records rs;

	cr_assert_eq(records_open(&rs, "-", '\0'), 0);
	PUT("x\0y\0");
	put_end();
	fill(&rs);
	expect_record(&rs, "x", 1);
	expect_record(&rs, "y", 1);
	expect_none(&rs);
	fill(&rs);
	cr_assert(rs.eof);
	expect_none(&rs);
	records_close(&rs);
}

/* A record without end is refused at RECORD_MAX, not read on forever. */
Test(unit_records, a_record_is_bounded, .timeout = TEST_TIMEOUT)
{
	static char chunk[65536];
	struct records rs;
	const char *rec;
	size_t n, sent = 0;
	int r;

	memset(chunk, 'x', sizeof chunk);
	cr_assert_eq(records_open(&rs, "-", '\n'), 0);
	while ((r = records_next(&rs, &rec, &n)) == 0) {
		cr_assert_leq(sent, RECORD_MAX + 2 * sizeof chunk,
			      "read on past the bound");
		put(chunk, sizeof chunk);
		sent += sizeof chunk;
		fill(&rs);
	}
	cr_assert_eq(r, -EMSGSIZE);
	cr_assert_leq(rs.cap, RECORD_MAX + 2 * sizeof chunk);
	cr_assert_str_eq(records_strerror(r), "longer than 1 MiB");
	records_close(&rs);
}

/* The window: at most ahead inputs kept, the fd wanted only when no
   whole record is left, inputs let go once started. */
Test(unit_records, input_window)
{
	struct input in;
	char why[128];

	cr_assert_eq(input_open(&in, "-", '\n'), 0);
	cr_assert_eq(input_pump(&in, 2), 0);
	cr_assert_eq(input_fd(&in, 2), 0, "starved: the fd is wanted");
	PUT("a\nb\nc\nd\n");
	input_fill(&in);
	cr_assert_eq(input_pump(&in, 2), 2);
	cr_assert_eq(input_fd(&in, 2), -1, "window full: no read");
	cr_assert_str_eq(input_get(&in, 1)->s, "b");
	cr_assert_null(input_get(&in, 2));
	input_release(&in, 1);
	cr_assert_eq(input_pump(&in, 2), 1, "room for one");
	cr_assert_str_eq(input_get(&in, 2)->s, "c");
	cr_assert_eq(input_fd(&in, 2), -1);
	input_release(&in, 3);
	cr_assert_eq(input_pump(&in, 2), 1, "d was read already");
	cr_assert_eq(input_fd(&in, 2), 0);
	PUT("e\0f\n");
	input_fill(&in);
	cr_assert_eq(input_pump(&in, 2), 0);
	cr_assert(in.error && !in.reading);
	cr_assert_eq(in.n, 4);
	input_why(&in, why, sizeof why);
	cr_assert_str_eq(why, "line 5: contains a NUL byte (-0 reads inputs "
			 "separated by NUL bytes)");
	cr_assert_not(input_ended(&in));
	input_free(&in);
}

Test(unit_records, input_ends)
{
	struct input in;

	cr_assert_eq(input_open(&in, "-", '\n'), 0);
	PUT("a\nb");
	put_end();
	cr_assert_eq(input_read_all(&in), 0);
	cr_assert(input_ended(&in));
	cr_assert_eq(in.n, 2);
	cr_assert_str_eq(input_get(&in, 1)->s, "b");
	cr_assert_eq(input_fd(&in, 0), -1);
	input_free(&in);
}
