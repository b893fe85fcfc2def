/* streams.c - a remote command's stdout and stderr: exact bytes at size, both
 * at once, merged, line and chunk callbacks, the capture cap, and streams
 * discarded on the remote side. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

SSH_SUITE(ssh_streams);

#define BIG (10 * MiB)

/* A pattern file in the sshd's directory (the "remote" is this machine);
 * returns its bytes. */
static uint8_t *pattern_file(const struct sshd *s, const char *name, size_t n,
			     uint64_t seed, char *path, size_t size)
{
	uint8_t *b = pattern_buf(n, seed);
	sshd_path(s, name, path, size);
	write_file(path, b, n);
	return b;
}

static void expect_exact(const char *what, const struct rr_capture *c,
			 const uint8_t *want, size_t n)
{
	cr_assert_eq(c->total, n, "%s: total %zu, want %zu", what, c->total, n);
	cr_assert_not(c->truncated, "%s: truncated", what);
	expect_bytes(what, c->data, c->len, want, n);
	cr_assert_eq(c->data[c->len], '\0', "%s: not NUL-terminated", what);
}

Test(ssh_streams, stdout_10mib_exact)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char path[160], cmd[1024];
	uint8_t *want = pattern_file(s, "a", BIG, 1, path, sizeof path);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	snprintf(cmd, sizeof cmd, "cat %s", path);
	const struct rr_result *r = run_ssh(loop, h, cmd, NULL);
	expect_status(r, RR_OK, 0);
	expect_exact("stdout", &r->out, want, BIG);
	expect_capture("stderr", &r->err, "");
	free(want);
	free_loop(loop);
}

Test(ssh_streams, stderr_10mib_exact)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char path[160], cmd[1024];
	uint8_t *want = pattern_file(s, "a", BIG, 2, path, sizeof path);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	snprintf(cmd, sizeof cmd, "cat %s >&2", path);
	const struct rr_result *r = run_ssh(loop, h, cmd, NULL);
	expect_status(r, RR_OK, 0);
	expect_exact("stderr", &r->err, want, BIG);
	expect_capture("stdout", &r->out, "");
	free(want);
	free_loop(loop);
}

/* stdout and stderr both large at the same time on one channel: reading one
 * must not starve the other (they share the channel's window). */
Test(ssh_streams, both_large_at_once)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char pa[160], pb[160], cmd[1024];
	size_t n = 8 * MiB;
	uint8_t *a = pattern_file(s, "a", n, 3, pa, sizeof pa);
	uint8_t *b = pattern_file(s, "b", n + 12345, 4, pb, sizeof pb);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	snprintf(cmd, sizeof cmd, "cat %s & cat %s >&2; wait", pa, pb);
	const struct rr_result *r = run_ssh(loop, h, cmd, NULL);
	expect_status(r, RR_OK, 0);
	expect_exact("stdout", &r->out, a, n);
	expect_exact("stderr", &r->err, b, n + 12345);
	free(a);
	free(b);
	free_loop(loop);
}

/* Five channels of one connection, each with 3 MiB on both streams. */
Test(ssh_streams, both_large_on_five_channels)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	size_t n = 3 * MiB;
	char pa[5][160], pb[5][160], cmd[2048];
	uint8_t *a[5], *b[5];
	rr_task *t[5];
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof name, "a%d", i);
		a[i] = pattern_file(s, name, n, 10 + (uint64_t)i, pa[i], sizeof pa[i]);
		snprintf(name, sizeof name, "b%d", i);
		b[i] = pattern_file(s, name, n, 20 + (uint64_t)i, pb[i], sizeof pb[i]);
		snprintf(cmd, sizeof cmd, "cat %s >&2 & cat %s; wait", pb[i], pa[i]);
		t[i] = ssh_task(loop, h, cmd, NULL);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 5; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		expect_exact("stdout", &r->out, a[i], n);
		expect_exact("stderr", &r->err, b[i], n);
		free(a[i]);
		free(b[i]);
	}
	free_loop(loop);
}

/* More than capture_max: the first bytes are kept, all are counted. */
Test(ssh_streams, capture_max)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char path[160], cmd[1024];
	uint8_t *want = pattern_file(s, "a", BIG, 5, path, sizeof path);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	snprintf(cmd, sizeof cmd, "cat %s; cat %s >&2", path, path);
	const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
		.capture_max = MiB});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, BIG);
	cr_assert_eq(r->err.total, BIG);
	cr_assert(r->out.truncated && r->err.truncated);
	expect_bytes("stdout", r->out.data, r->out.len, want, MiB);
	expect_bytes("stderr", r->err.data, r->err.len, want, MiB);
	free(want);
	free_loop(loop);
}

/* RR_IO_MERGE: stderr arrives in stdout, like 2>&1. */
Test(ssh_streams, merge)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	const struct rr_result *r = run_ssh(loop, h, "echo out; echo err >&2",
		&(struct rr_opts){.stderr_mode = RR_IO_MERGE});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 8, "merged: '%s'", r->out.data);
	cr_assert(strstr(r->out.data, "out\n") && strstr(r->out.data, "err\n"),
		  "merged: '%s'", r->out.data);
	expect_capture("stderr", &r->err, "");

	/* Large, both at once: every byte of both arrives in stdout. */
	char path[160], cmd[1024];
	uint8_t *want = pattern_file(s, "a", 4 * MiB, 6, path, sizeof path);
	snprintf(cmd, sizeof cmd, "cat %s & cat %s >&2; wait", path, path);
	r = run_ssh(loop, h, cmd, &(struct rr_opts){.stderr_mode = RR_IO_MERGE});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, 8 * MiB);
	cr_assert_eq(r->err.total, 0);

	/* Merged lines come as RR_STDOUT. */
	struct lines l = {0};
	r = run_ssh(loop, h, "echo one >&2", &(struct rr_opts){
		.stdout_mode = RR_IO_CALLBACK, .stderr_mode = RR_IO_MERGE,
		.on_line = record_cb, .user = &l});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 1);
	expect_line(&l, 0, RR_STDOUT, "one");
	lines_free(&l);
	free(want);
	free_loop(loop);
}

/* on_line: each line of each stream, in order, the last one without its
 * newline at EOF; with RR_IO_CALLBACK nothing is kept. */
Test(ssh_streams, on_line_in_order)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines l = {0};

	const struct rr_result *r = run_ssh(loop, h,
		"printf 'a\\nbb\\n\\nlast'; printf 'e1\\ne2' >&2",
		&(struct rr_opts){.stdout_mode = RR_IO_CALLBACK,
				  .stderr_mode = RR_IO_CALLBACK,
				  .on_line = record_cb, .user = &l});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.len, 0);
	cr_assert_eq(r->err.len, 0);
	struct lines out = {0}, err = {0};
	for (size_t i = 0; i < l.n; i++)
		record_cb(NULL, l.v[i].stream, l.v[i].data, l.v[i].len,
			  l.v[i].stream == RR_STDOUT ? &out : &err);
	cr_assert_eq(out.n, 4, "%zu stdout lines", out.n);
	expect_line(&out, 0, RR_STDOUT, "a");
	expect_line(&out, 1, RR_STDOUT, "bb");
	expect_line(&out, 2, RR_STDOUT, "");
	expect_line(&out, 3, RR_STDOUT, "last");
	cr_assert_eq(err.n, 2, "%zu stderr lines", err.n);
	expect_line(&err, 0, RR_STDERR, "e1");
	expect_line(&err, 1, RR_STDERR, "e2");
	lines_free(&out);
	lines_free(&err);
	lines_free(&l);

	/* 20000 numbered lines, captured too, each once and in order. */
	r = run_ssh(loop, h, "seq 1 20000", &(struct rr_opts){
		.on_line = record_cb, .user = &l});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 20000, "%zu lines", l.n);
	for (size_t i = 0; i < l.n; i++) {
		char want[24];
		snprintf(want, sizeof want, "%zu", i + 1);
		expect_line(&l, i, RR_STDOUT, want);
	}
	cr_assert_eq(r->out.total, 108894); /* seq 1 20000 | wc -c */
	lines_free(&l);
	free_loop(loop);
}

/* A line longer than RR_LINE_MAX comes in pieces of RR_LINE_MAX. */
Test(ssh_streams, long_line_in_pieces)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines l = {0};
	size_t n = 2 * RR_LINE_MAX + 1000;
	char path[160], cmd[1024];
	uint8_t *b = pattern_buf(n, 7);

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)('a' + b[i] % 26);
	sshd_path(s, "long", path, sizeof path);
	write_file(path, b, n);
	snprintf(cmd, sizeof cmd, "cat %s; echo; echo short", path);
	const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
		.stdout_mode = RR_IO_CALLBACK, .on_line = record_cb, .user = &l});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(l.n, 4, "%zu lines", l.n);
	cr_assert_eq(l.v[0].len, RR_LINE_MAX);
	cr_assert_eq(l.v[1].len, RR_LINE_MAX);
	cr_assert_eq(l.v[2].len, 1000);
	for (int i = 0; i < 3; i++)
		expect_bytes("piece", l.v[i].data, l.v[i].len,
			     b + (size_t)i * RR_LINE_MAX, l.v[i].len);
	expect_line(&l, 3, RR_STDOUT, "short");
	lines_free(&l);
	free(b);
	free_loop(loop);
}

struct chunks {
	uint8_t *data;
	size_t len, calls;
	enum rr_stream stream;
};

static void chunk_cb(rr_task *t, enum rr_stream stream, const char *data,
		     size_t len, void *user)
{
	struct chunks *c = user;
	(void)t;
	cr_assert_eq(stream, c->stream);
	c->data = realloc(c->data, c->len + len + 1);
	cr_assert(c->data);
	memcpy(c->data + c->len, data, len);
	c->len += len;
	c->calls++;
}

/* on_chunk sees every byte, in order. */
Test(ssh_streams, on_chunk_every_byte)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char path[160], cmd[1024];
	uint8_t *want = pattern_file(s, "a", 3 * MiB, 8, path, sizeof path);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct chunks c = {.stream = RR_STDERR};

	snprintf(cmd, sizeof cmd, "cat %s >&2", path);
	const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
		.stderr_mode = RR_IO_CALLBACK, .on_chunk = chunk_cb, .user = &c});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->err.len, 0);
	cr_assert_eq(r->err.total, 3 * MiB);
	expect_bytes("chunks", c.data, c.len, want, 3 * MiB);
	cr_assert_gt(c.calls, 1);
	free(c.data);
	free(want);
	free_loop(loop);
}

/* A discarded stream goes to /dev/null on the remote side: the shell's fd
 * is /dev/null there, nothing is counted, and 50 MiB of it never cross the
 * connection (that would take at least 400 RECVs of 128 KiB). */
Test(ssh_streams, discard_is_remote)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct rr_loop_stats st0 = { .size = sizeof st0 }, st1 = st0;

	/* Warm: the connection is up before we count. */
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	rr_loop_stats(loop, &st0);
	const struct rr_result *r = run_ssh(loop, h,
		"readlink /proc/$$/fd/1 >&2; head -c 52428800 /dev/zero",
		&(struct rr_opts){.stdout_mode = RR_IO_DISCARD});
	rr_loop_stats(loop, &st1);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, 0);
	cr_assert_eq(r->out.len, 0);
	expect_capture("stderr", &r->err, "/dev/null\n");
	cr_assert_lt(st1.cqes - st0.cqes, 200, "%llu completions for a discarded stream",
		     (unsigned long long)(st1.cqes - st0.cqes));

	rr_loop_stats(loop, &st0);
	r = run_ssh(loop, h, "readlink /proc/$$/fd/2; head -c 52428800 /dev/zero >&2",
		    &(struct rr_opts){.stderr_mode = RR_IO_DISCARD});
	rr_loop_stats(loop, &st1);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->err.total, 0);
	expect_capture("stdout", &r->out, "/dev/null\n");
	cr_assert_lt(st1.cqes - st0.cqes, 200, "%llu completions for a discarded stream",
		     (unsigned long long)(st1.cqes - st0.cqes));

	/* Both discarded: the exit status still arrives. */
	r = run_ssh(loop, h, "echo x; echo y >&2; exit 4", &(struct rr_opts){
		.stdout_mode = RR_IO_DISCARD, .stderr_mode = RR_IO_DISCARD});
	expect_status(r, RR_EXIT_NONZERO, 4);
	cr_assert_eq(r->out.total + r->err.total, 0);
	free_loop(loop);
}
