/* lines.c - on_line and on_chunk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_lines, .timeout = TEST_TIMEOUT);

Test(lib_lines, empty_crlf_and_final_partial)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	const struct rr_result *r = run_shell(loop, "printf 'a\\n\\nb\\r\\n\\nc'", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 5, "%zu lines", l.n);
	expect_line(&l, 0, RR_STDOUT, "a");
	expect_line(&l, 1, RR_STDOUT, "");
	expect_line(&l, 2, RR_STDOUT, "b\r");
	expect_line(&l, 3, RR_STDOUT, "");
	expect_line(&l, 4, RR_STDOUT, "c");
	/* Captured too: RR_IO_CAPTURE keeps the bytes and calls back. */
	cr_assert_str_eq(r->out.data, "a\n\nb\r\n\nc");
	lines_free(&l);
	free_loop(loop);
}

/* A trailing newline gives no extra empty line; no output gives no line. */
Test(lib_lines, no_phantom_lines)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	run_shell(loop, "echo x", &o);
	cr_assert_eq(l.n, 1);
	expect_line(&l, 0, RR_STDOUT, "x");
	lines_free(&l);
	run_shell(loop, "true", &o);
	cr_assert_eq(l.n, 0);
	lines_free(&l);
	free_loop(loop);
}

Test(lib_lines, per_stream_order)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	const struct rr_result *r = run_shell(
		loop, "echo o1; echo e1 >&2; echo o2; printf 'e2\\ne3' >&2; printf o3", &o);
	expect_status(r, RR_OK, 0);
	struct lines out = {0}, err = {0};
	for (size_t i = 0; i < l.n; i++)
		lines_add(l.v[i].stream == RR_STDOUT ? &out : &err, l.v[i].stream,
			  l.v[i].data, l.v[i].len);
	cr_assert_eq(out.n, 3);
	cr_assert_eq(err.n, 3);
	expect_line(&out, 0, RR_STDOUT, "o1");
	expect_line(&out, 1, RR_STDOUT, "o2");
	expect_line(&out, 2, RR_STDOUT, "o3");
	expect_line(&err, 0, RR_STDERR, "e1");
	expect_line(&err, 1, RR_STDERR, "e2");
	expect_line(&err, 2, RR_STDERR, "e3");
	lines_free(&l);
	lines_free(&out);
	lines_free(&err);
	free_loop(loop);
}

Test(lib_lines, merged_stderr_arrives_as_stdout)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l, .stderr_mode = RR_IO_MERGE};
	run_shell(loop, "echo a; echo b >&2; echo c", &o);
	cr_assert_eq(l.n, 3);
	expect_line(&l, 0, RR_STDOUT, "a");
	expect_line(&l, 1, RR_STDOUT, "b");
	expect_line(&l, 2, RR_STDOUT, "c");
	lines_free(&l);
	free_loop(loop);
}

/* A line written in pieces with pauses is joined. */
Test(lib_lines, joined_across_reads)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	run_shell(loop, "printf ab; sleep 0.1; printf 'c\\nd'; sleep 0.1; printf 'e\\n'", &o);
	cr_assert_eq(l.n, 2);
	expect_line(&l, 0, RR_STDOUT, "abc");
	expect_line(&l, 1, RR_STDOUT, "de");
	lines_free(&l);
	free_loop(loop);
}

Test(lib_lines, nul_inside_line)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	run_shell(loop, "printf 'a\\000b\\nc\\n'", &o);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.v[0].len, 3);
	cr_assert(!memcmp(l.v[0].data, "a\0b", 3));
	expect_line(&l, 1, RR_STDOUT, "c");
	lines_free(&l);
	free_loop(loop);
}

/* A line longer than RR_LINE_MAX comes in RR_LINE_MAX pieces. */
Test(lib_lines, long_line_in_pieces)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l,
			    .stdout_mode = RR_IO_CALLBACK};
	size_t n = 2 * (size_t)RR_LINE_MAX + 1000;
	char arg[32];
	snprintf(arg, sizeof arg, "%zu", n);
	const struct rr_result *r = wait_task(helper_task(loop, &o, "longline", arg, NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 4, "%zu pieces", l.n);
	cr_assert_eq(l.v[0].len, RR_LINE_MAX);
	cr_assert_eq(l.v[1].len, RR_LINE_MAX);
	cr_assert_eq(l.v[2].len, 1000);
	size_t off = 0;
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < l.v[p].len; i++, off++)
			cr_assert_eq(l.v[p].data[i], (char)('a' + off % 26),
				     "piece %d byte %zu", p, i);
	expect_line(&l, 3, RR_STDOUT, "end");
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, n + 5);
	lines_free(&l);
	free_loop(loop);
}

/* Binary data cut at every '\n' and joined again gives the same bytes,
 * whatever the read sizes were. */
Test(lib_lines, binary_split_rejoins)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l};
	size_t n = 3 * MiB + 17;
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "pattern", "3145745", "201", NULL));
	expect_status(r, RR_OK, 0);
	uint8_t *want = pattern_buf(n, 201);
	char *got = malloc(n + l.n + 1);
	size_t len = 0;
	for (size_t i = 0; i < l.n; i++) {
		cr_assert_eq(l.v[i].stream, RR_STDOUT);
		cr_assert_null(memchr(l.v[i].data, '\n', l.v[i].len), "'\\n' inside line %zu", i);
		memcpy(got + len, l.v[i].data, l.v[i].len);
		len += l.v[i].len;
		if (i + 1 < l.n || want[n - 1] == '\n')
			got[len++] = '\n';
	}
	expect_bytes("lines rejoined", got, len, want, n);
	expect_pattern_capture("stdout", &r->out, n, 201);
	free(got);
	free(want);
	lines_free(&l);
	free_loop(loop);
}

struct counter {
	size_t n;
	bool ok;
};

static void check_numbered(rr_task *t, enum rr_stream s, const char *data, size_t len,
			   void *user)
{
	(void)t;
	struct counter *c = user;
	char want[64];
	int wl = snprintf(want, sizeof want, "line %zu", ++c->n);
	if (s != RR_STDOUT || (size_t)wl != len || memcmp(want, data, len))
		c->ok = false;
}

/* RR_IO_CALLBACK keeps nothing but counts everything. */
Test(lib_lines, callback_mode_keeps_nothing)
{
	rr_loop *loop = loop_new(0, 0);
	struct counter c = {0, true};
	struct rr_opts o = {.on_line = check_numbered, .user = &c,
			    .stdout_mode = RR_IO_CALLBACK};
	const struct rr_result *r = wait_task(helper_task(loop, &o, "lines", "100000", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(c.n, 100000);
	cr_assert(c.ok, "a line was wrong or out of order");
	size_t bytes = 0;
	for (int i = 1; i <= 100000; i++)
		bytes += (size_t)snprintf(NULL, 0, "line %d\n", i);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, bytes);
	cr_assert_not(r->out.truncated);
	free_loop(loop);
}

Test(lib_lines, stderr_callback_mode)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l,
			    .stderr_mode = RR_IO_CALLBACK};
	const struct rr_result *r = run_shell(loop, "echo out; echo err1 >&2; echo err2 >&2", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "out\n");
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 10);
	cr_assert_eq(l.n, 3);
	size_t e = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].stream == RR_STDERR)
			cr_assert_str_eq(l.v[i].data, e++ ? "err2" : "err1");
		else
			cr_assert_str_eq(l.v[i].data, "out");
	cr_assert_eq(e, 2);
	lines_free(&l);
	free_loop(loop);
}

struct chunks {
	uint8_t *buf[3];
	size_t len[3];
	size_t calls;
};

static void collect_chunk(rr_task *t, enum rr_stream s, const char *data, size_t len,
			  void *user)
{
	(void)t;
	struct chunks *c = user;
	cr_assert(s == RR_STDOUT || s == RR_STDERR);
	cr_assert_gt(len, 0, "empty chunk");
	c->buf[s] = realloc(c->buf[s], c->len[s] + len);
	memcpy(c->buf[s] + c->len[s], data, len);
	c->len[s] += len;
	c->calls++;
}

/* on_chunk sees exactly the bytes, on both streams, in callback mode. */
Test(lib_lines, chunks_exact_callback_mode)
{
	rr_loop *loop = loop_new(0, 0);
	struct chunks c = {0};
	struct rr_opts o = {.on_chunk = collect_chunk, .user = &c,
			    .stdout_mode = RR_IO_CALLBACK,
			    .stderr_mode = RR_IO_CALLBACK};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "both", "1048576", "524291", "301", NULL));
	expect_status(r, RR_OK, 0);
	uint8_t *w1 = pattern_buf(1048576, 301), *w2 = pattern_buf(524291, 302);
	expect_bytes("stdout chunks", c.buf[RR_STDOUT], c.len[RR_STDOUT], w1, 1048576);
	expect_bytes("stderr chunks", c.buf[RR_STDERR], c.len[RR_STDERR], w2, 524291);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, 1048576);
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 524291);
	free(w1);
	free(w2);
	free(c.buf[1]);
	free(c.buf[2]);
	free_loop(loop);
}

struct both_cb {
	struct chunks c;
	struct lines l;
};

static void both_chunk(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	collect_chunk(t, s, d, n, &((struct both_cb *)u)->c);
}

static void both_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	record_cb(t, s, d, n, &((struct both_cb *)u)->l);
}

/* on_chunk and on_line together, with capture. */
Test(lib_lines, chunk_and_line_with_capture)
{
	rr_loop *loop = loop_new(0, 0);
	struct both_cb b = {0};
	struct rr_opts o = {.on_chunk = both_chunk, .on_line = both_line, .user = &b};
	const struct rr_result *r = wait_task(helper_task(loop, &o, "lines", "5000", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(b.l.n, 5000);
	expect_line(&b.l, 4999, RR_STDOUT, "line 5000");
	expect_bytes("chunks vs capture", b.c.buf[RR_STDOUT], b.c.len[RR_STDOUT],
		     r->out.data, r->out.len);
	cr_assert_eq(r->out.len, r->out.total);
	free(b.c.buf[1]);
	free(b.c.buf[2]);
	lines_free(&b.l);
	free_loop(loop);
}

/* The task handed to callbacks is the task, with its user pointer. */
static rr_task *seen_task;
static void check_task(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s, (void)d, (void)n;
	cr_assert_eq(rr_task_user(t), u);
	cr_assert_not(rr_task_done(t));
	seen_task = t;
}

Test(lib_lines, callback_gets_task_and_user)
{
	rr_loop *loop = loop_new(0, 0);
	int dummy;
	struct rr_opts o = {.on_line = check_task, .user = &dummy};
	rr_task *t = shell_task(loop, "echo x", &o);
	wait_task(t);
	cr_assert_eq(seen_task, t);
	free_loop(loop);
}

/* A discarded stream is never read: no line, no chunk, nothing counted. */
Test(lib_lines, discarded_stream_has_no_callbacks)
{
	rr_loop *loop = loop_new(0, 0);
	struct lines l = {0};
	struct rr_opts o = {.on_line = record_cb, .user = &l,
			    .stdout_mode = RR_IO_DISCARD};
	const struct rr_result *r = run_shell(loop, "echo gone; echo kept >&2", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 1);
	expect_line(&l, 0, RR_STDERR, "kept");
	cr_assert_eq(r->out.total, 0);
	lines_free(&l);
	free_loop(loop);
}
