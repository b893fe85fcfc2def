/* capture.c - what lands in rr_result.out/err for each rr_io mode. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_capture, .timeout = TEST_TIMEOUT);

/* The pattern itself: binary, chunk-independent. */
Test(lib_capture, pattern_is_binary_and_chunk_independent)
{
	uint8_t *a = pattern_buf(100000, 9);
	struct pat p;
	pat_init(&p, 9);
	bool nul = false, high = false, nl = false;
	for (size_t i = 0; i < 100000; i++) {
		cr_assert_eq(pat_byte(&p), a[i], "byte %zu", i);
		nul |= a[i] == 0;
		high |= a[i] >= 0x80;
		nl |= a[i] == '\n';
	}
	cr_assert(nul && high && nl);
	uint8_t *b = pattern_buf(100000, 10);
	cr_assert(memcmp(a, b, 100000), "seeds 9 and 10 give the same bytes");
	free(a);
	free(b);
}

/* The default capture_max is 64 MiB: exactly that much is kept whole. */
Test(lib_capture, exact_64mib_binary)
{
	rr_loop *loop = loop_new(0, 0);
	char n[32];
	snprintf(n, sizeof n, "%zu", 64 * MiB);
	const struct rr_result *r = wait_task(helper_task(loop, NULL, "pattern", n, "7", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 64 * MiB);
	expect_pattern_capture("stdout", &r->out, 64 * MiB, 7);
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 0);
	free_loop(loop);
}

/* One byte past the default cap is truncated. */
Test(lib_capture, default_cap_is_64mib)
{
	rr_loop *loop = loop_new(0, 0);
	char n[32];
	snprintf(n, sizeof n, "%zu", 64 * MiB + 1);
	const struct rr_result *r = wait_task(helper_task(loop, NULL, "pattern", n, "8", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 64 * MiB);
	cr_assert_eq(r->out.total, 64 * MiB + 1);
	cr_assert(r->out.truncated);
	free_loop(loop);
}

/* stdout and stderr both full of data: both drained, both exact. */
Test(lib_capture, both_streams_exact)
{
	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r =
		wait_task(helper_task(loop, NULL, "both", "3145728", "2097153", "11", NULL));
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stdout", &r->out, 3145728, 11);
	expect_pattern_capture("stderr", &r->err, 2097153, 12);
	free_loop(loop);
}

Test(lib_capture, stderr_only)
{
	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r =
		wait_task(helper_task(loop, NULL, "pattern-err", "300001", "5", NULL));
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stderr", &r->err, 300001, 5);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, 0);
	free_loop(loop);
}

Test(lib_capture, empty_output)
{
	rr_loop *loop = loop_new(0, 0);
	const struct rr_result *r = run_shell(loop, "true", NULL);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, 0);
	cr_assert_not(r->out.truncated);
	cr_assert_eq(r->err.len, 0);
	free_loop(loop);
}

/* RR_IO_MERGE: stderr into the stdout pipe, in write order, err empty. */
Test(lib_capture, merge_stderr_into_stdout)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stderr_mode = RR_IO_MERGE};
	size_t no = 1048577, ne = 700001;
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "both", "1048577", "700001", "21", NULL));
	expect_status(r, RR_OK, 0);
	uint8_t *want = merged_pattern(no, ne, 21);
	cr_assert_eq(r->out.total, no + ne);
	cr_assert_not(r->out.truncated);
	expect_bytes("merged stdout", r->out.data, r->out.len, want, no + ne);
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 0);
	free(want);
	free_loop(loop);
}

Test(lib_capture, merge_small_in_order)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stderr_mode = RR_IO_MERGE};
	const struct rr_result *r =
		run_shell(loop, "echo one; echo two >&2; echo three", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "one\ntwo\nthree\n");
	cr_assert_eq(r->err.len, 0);
	free_loop(loop);
}

/* The child writes 4 MiB to a discarded stderr: it never blocks. */
Test(lib_capture, stderr_discarded)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stderr_mode = RR_IO_DISCARD};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "both", "100003", "4194304", "31", NULL));
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stdout", &r->out, 100003, 31);
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 0);
	free_loop(loop);
}

Test(lib_capture, stdout_discarded)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stdout_mode = RR_IO_DISCARD};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "both", "4194304", "100003", "41", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->out.total, 0);
	cr_assert_not(r->out.truncated);
	expect_pattern_capture("stderr", &r->err, 100003, 42);
	free_loop(loop);
}

/* A discarded stream goes to /dev/null, not to a closed fd. */
Test(lib_capture, discarded_stream_is_dev_null)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.stderr_mode = RR_IO_DISCARD};
	const struct rr_result *r = run_shell(loop, "readlink /proc/self/fd/2", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(r->out.data, "/dev/null\n");
	free_loop(loop);
}

static char *read_file(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	cr_assert(size >= 0);
	char *buf = malloc((size_t)size + 1);
	cr_assert(buf);
	cr_assert_eq(pread(fd, buf, (size_t)size, 0), size);
	*len = (size_t)size;
	return buf;
}

/* RR_IO_INHERIT: the child writes straight into the host's own fd. */
static void inherit_case(int fd, enum rr_stream which)
{
	char path[] = "/tmp/rr-inherit-XXXXXX";
	int tmp = mkostemp(path, O_CLOEXEC);
	cr_assert(tmp >= 0);
	unlink(path);
	int keep = dup(tmp);
	int saved = swap_fd(fd, tmp);

	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {0};
	if (which == RR_STDOUT)
		o.stdout_mode = RR_IO_INHERIT;
	else
		o.stderr_mode = RR_IO_INHERIT;
	rr_task *t = helper_task(loop, &o, which == RR_STDOUT ? "pattern" : "pattern-err",
				 "200003", "51", NULL);
	const struct rr_result *r = wait_task(t);
	restore_fd(fd, saved);

	expect_status(r, RR_OK, 0);
	const struct rr_capture *c = which == RR_STDOUT ? &r->out : &r->err;
	cr_assert_eq(c->len, 0);
	cr_assert_eq(c->total, 0);
	size_t len;
	char *got = read_file(keep, &len);
	uint8_t *want = pattern_buf(200003, 51);
	expect_bytes("inherited file", got, len, want, 200003);
	free(got);
	free(want);
	close(keep);
	free_loop(loop);
}

Test(lib_capture, stdout_inherit)
{
	inherit_case(1, RR_STDOUT);
}

Test(lib_capture, stderr_inherit)
{
	inherit_case(2, RR_STDERR);
}

/* capture_max: the first bytes are kept, the rest still read and counted. */
Test(lib_capture, cap_truncates_but_drains)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.capture_max = 1000};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "pattern", "1048576", "61", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 1000);
	cr_assert_eq(r->out.total, 1048576);
	cr_assert(r->out.truncated);
	uint8_t *want = pattern_buf(1000, 61);
	expect_bytes("kept prefix", r->out.data, r->out.len, want, 1000);
	cr_assert_eq(r->out.data[1000], '\0');
	free(want);
	free_loop(loop);
}

Test(lib_capture, cap_applies_to_stderr)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.capture_max = 999};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "both", "500", "1048576", "71", NULL));
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stdout", &r->out, 500, 71);
	cr_assert_eq(r->err.len, 999);
	cr_assert_eq(r->err.total, 1048576);
	cr_assert(r->err.truncated);
	uint8_t *want = pattern_buf(999, 72);
	expect_bytes("kept stderr prefix", r->err.data, r->err.len, want, 999);
	free(want);
	free_loop(loop);
}

/* Exactly capture_max bytes is not truncated. */
Test(lib_capture, cap_exact_is_not_truncated)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.capture_max = 4096};
	const struct rr_result *r =
		wait_task(helper_task(loop, &o, "pattern", "4096", "81", NULL));
	expect_status(r, RR_OK, 0);
	expect_pattern_capture("stdout", &r->out, 4096, 81);
	free_loop(loop);
}

struct count_lines {
	size_t n;
	bool in_order;
	char last[64];
};

static void count_line(rr_task *t, enum rr_stream s, const char *data, size_t len,
		       void *user)
{
	(void)t;
	struct count_lines *c = user;
	char want[64];
	int wl = snprintf(want, sizeof want, "line %zu", ++c->n);
	if (s != RR_STDOUT || (size_t)wl != len || memcmp(want, data, len))
		c->in_order = false;
	if (len < sizeof c->last) {
		memcpy(c->last, data, len);
		c->last[len] = 0;
	}
}

/* Past the cap, on_line still sees every line. */
Test(lib_capture, cap_lines_still_delivered)
{
	rr_loop *loop = loop_new(0, 0);
	struct count_lines c = {.in_order = true};
	struct rr_opts o = {.capture_max = 100, .on_line = count_line, .user = &c};
	const struct rr_result *r = wait_task(helper_task(loop, &o, "lines", "20000", NULL));
	expect_status(r, RR_OK, 0);
	cr_assert_eq(c.n, 20000, "%zu lines", c.n);
	cr_assert(c.in_order);
	cr_assert_str_eq(c.last, "line 20000");
	cr_assert_eq(r->out.len, 100);
	cr_assert(r->out.truncated);
	cr_assert(!strncmp(r->out.data, "line 1\nline 2\n", 14));
	free_loop(loop);
}
