/* cli/output.c: the output modes, failure lines and write errors. */
#define _GNU_SOURCE /* memfd_create */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output/output.h"

static struct output o;
static int out_fd, err_fd;

static void start(enum out_mode mode)
{
	out_fd = memfd_create("out", 0);
	err_fd = memfd_create("err", 0);
	cr_assert(out_fd >= 0 && err_fd >= 0);
	output_init(&o, mode, out_fd, err_fd);
}

/* Everything written to fd so far (caller frees). */
static char *contents(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *s = malloc((size_t)end + 1);

	cr_assert_eq(pread(fd, s, (size_t)end, 0), end);
	s[end] = '\0';
	if (len)
		*len = (size_t)end;
	return s;
}

static void expect_fd(int fd, const char *want)
{
	char *got = contents(fd, NULL);

	cr_assert_str_eq(got, want);
	free(got);
}

static struct rr_result result(enum rr_status status, const char *out,
			       const char *err)
{
	return (struct rr_result){
		.status = status,
		.message = status == RR_OK ? "" : "'cmd' exited with status 3",
		.exit_code = status == RR_OK ? 0 : 3,
		.out = { out, strlen(out), strlen(out), false },
		.err = { err, strlen(err), strlen(err), false },
		.pid = 100,
		.start_ns = 1000000000,
		.end_ns = 1001234567,
	};
}

static const struct task_info info = {
	.seq = 7, .tag = "in put", .tag_len = 6, .command = "echo 'in put'",
};

Test(unit_output, group_whole_and_failure_line)
{
	start(OUT_GROUP);
	struct rr_result ok = result(RR_OK, "o1\no2\n", "e1\n");
	struct rr_result bad = result(RR_EXIT_NONZERO, "partial", "");
	output_done(&o, &info, &ok);
	output_done(&o, &info, &bad);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "o1\no2\npartial");
	expect_fd(err_fd, "e1\nringrun: 'cmd' exited with status 3\n");
	output_free(&o);
}

/* Large captures go out whole, in order with the small ones around them. */
Test(unit_output, group_large_capture)
{
	size_t big_len = 3 * 1024 * 1024 + 17;
	char *big = malloc(big_len + 1);

	for (size_t k = 0; k < big_len; k++)
		big[k] = (char)('a' + k % 26);
	big[big_len] = '\0';
	start(OUT_GROUP);
	struct rr_result a = result(RR_OK, "first\n", "");
	struct rr_result b = result(RR_OK, big, "");
	struct rr_result c = result(RR_OK, "last\n", "");
	output_done(&o, &info, &a);
	output_done(&o, &info, &b);
	output_done(&o, &info, &c);
	cr_assert_eq(output_flush(&o), 0);
	size_t len;
	char *got = contents(out_fd, &len);
	cr_assert_eq(len, 6 + big_len + 5);
	cr_assert_arr_eq(got, "first\n", 6);
	cr_assert_arr_eq(got + 6, big, big_len);
	cr_assert_str_eq(got + 6 + big_len, "last\n");
	free(got);
	free(big);
	output_free(&o);
}

Test(unit_output, stream_lines_tagged)
{
	start(OUT_STREAM);
	output_line(&o, &info, RR_STDOUT, "hello", 5);
	output_line(&o, &info, RR_STDERR, "oops", 4);
	output_line(&o, &info, RR_STDOUT, "", 0);
	struct rr_result bad = result(RR_EXIT_NONZERO, "", "");
	output_done(&o, &info, &bad);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "in put: hello\nin put: \n");
	expect_fd(err_fd, "in put: oops\nringrun: 'cmd' exited with status 3\n");
	output_free(&o);
}

Test(unit_output, quiet_only_failures)
{
	start(OUT_QUIET);
	struct rr_result ok = result(RR_OK, "x", "y");
	struct rr_result bad = result(RR_EXIT_NONZERO, "x", "y");
	output_done(&o, &info, &ok);
	output_done(&o, &info, &bad);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "");
	expect_fd(err_fd, "ringrun: 'cmd' exited with status 3\n");
	output_free(&o);
}

Test(unit_output, json_fields)
{
	start(OUT_JSON);
	struct rr_result ok = result(RR_OK, "a\"b\n", "\xff");
	output_done(&o, &info, &ok);
	struct rr_result sig = result(RR_SIGNALED, "", "");
	sig.exit_code = -9;
	sig.err.truncated = true;
	output_done(&o, &info, &sig);
	struct rr_result never = result(RR_SPAWN_FAILED, "", "");
	never.pid = 0;
	never.start_ns = 0;
	output_done(&o, &info, &never);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd,
		  "{\"seq\":7,\"tag\":\"in put\",\"command\":\"echo 'in put'\","
		  "\"status\":\"ok\",\"exit\":0,\"signal\":null,\"duration_ms\":1.234,"
		  "\"stdout\":\"a\\\"b\\n\",\"stderr\":\"\\udcff\","
		  "\"stdout_truncated\":false,\"stderr_truncated\":false}\n"
		  "{\"seq\":7,\"tag\":\"in put\",\"command\":\"echo 'in put'\","
		  "\"status\":\"signaled\",\"exit\":null,\"signal\":9,\"duration_ms\":1.234,"
		  "\"stdout\":\"\",\"stderr\":\"\","
		  "\"stdout_truncated\":false,\"stderr_truncated\":true}\n"
		  "{\"seq\":7,\"tag\":\"in put\",\"command\":\"echo 'in put'\","
		  "\"status\":\"spawn-failed\",\"exit\":null,\"signal\":null,\"duration_ms\":0.000,"
		  "\"stdout\":\"\",\"stderr\":\"\","
		  "\"stdout_truncated\":false,\"stderr_truncated\":false}\n");
	expect_fd(err_fd, "ringrun: 'cmd' exited with status 3\n"
			  "ringrun: 'cmd' exited with status 3\n");
	output_free(&o);
}

/* A big binary output becomes one JSON line that Python reads back. */
Test(unit_output, json_large_round_trip)
{
	size_t len = 1024 * 1024;
	char *bytes = malloc(len + 1);
	unsigned seed = 1;

	for (size_t k = 0; k < len; k++) {
		seed = seed * 1103515245 + 12345;
		bytes[k] = (char)(seed >> 16);
	}
	bytes[len] = '\0';
	start(OUT_JSON);
	struct rr_result r = result(RR_OK, "", "");
	r.out = (struct rr_capture){ bytes, len, len, false };
	output_done(&o, &info, &r);
	cr_assert_eq(output_flush(&o), 0);
	size_t got_len;
	char *got = contents(out_fd, &got_len);
	cr_assert_eq(got[got_len - 1], '\n');
	cr_assert_null(memchr(got, '\n', got_len - 1), "one line only");

	char path[] = "/tmp/rr-outjson-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_eq(write(fd, got, got_len), (ssize_t)got_len);
	close(fd);
	char cmd[300];
	snprintf(cmd, sizeof cmd,
		 "python3 -c \"import json,sys; o=json.loads(open(sys.argv[1],encoding='utf-8').read()); "
		 "sys.stdout.buffer.write(o['stdout'].encode('utf-8','surrogateescape'))\" %s",
		 path);
	FILE *py = popen(cmd, "r");
	char *back = malloc(len + 1);
	size_t n = fread(back, 1, len + 1, py);
	cr_assert_eq(pclose(py), 0);
	unlink(path);
	cr_assert_eq(n, len);
	cr_assert_arr_eq(back, bytes, len);
	free(back);
	free(got);
	free(bytes);
	output_free(&o);
}

Test(unit_output, note_line)
{
	start(OUT_GROUP);
	output_note(&o, "cannot start '%s': %s", "x", "No memory");
	output_stderr(&o, "raw\n", 4);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(err_fd, "ringrun: cannot start 'x': No memory\nraw\n");
	output_free(&o);
}

/* After a failed write (EPIPE) nothing more is written anywhere. */
Test(unit_output, write_error_mutes)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(p), 0);
	close(p[0]);
	err_fd = memfd_create("err", 0);
	output_init(&o, OUT_GROUP, p[1], err_fd);
	struct rr_result bad = result(RR_EXIT_NONZERO, "lost\n", "");
	output_done(&o, &info, &bad);
	cr_assert_eq(output_flush(&o), EPIPE);
	output_done(&o, &info, &bad);
	output_note(&o, "more");
	cr_assert_eq(output_flush(&o), EPIPE);
	expect_fd(err_fd, "");
	close(p[1]);
	output_free(&o);
}

/* ------------------------------------------------------ fleet mode */

static const struct task_info on_host = {
	.seq = 3, .tag = "uptime", .tag_len = 6, .command = "uptime",
	.host = "web7", .host_len = 4,
};

static const struct task_info on_host_input = {
	.seq = 4, .tag = "in put", .tag_len = 6, .command = "echo 'in put'",
	.host = "root@db:2222", .host_len = 12, .input = true,
};

/* A header line above each stream that has output; a last line ended. */
Test(unit_fleet_output, group_headers)
{
	start(OUT_GROUP);
	struct rr_result a = result(RR_OK, "up 3 days\n", "");
	struct rr_result b = result(RR_EXIT_NONZERO, "partial", "e1\ne2");
	struct rr_result c = result(RR_OK, "", "");
	output_done(&o, &on_host, &a);
	output_done(&o, &on_host_input, &b);
	output_done(&o, &on_host, &c);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "---- web7 ----\nup 3 days\n"
			  "---- root@db:2222 in put ----\npartial\n");
	expect_fd(err_fd, "---- root@db:2222 in put ----\ne1\ne2\n"
			  "ringrun: 'cmd' exited with status 3\n");
	output_free(&o);
}

/* A large capture keeps its header before it and its newline after. */
Test(unit_fleet_output, group_large_capture)
{
	size_t big_len = 2 * 1024 * 1024;
	char *big = malloc(big_len + 1);

	memset(big, 'x', big_len);
	big[big_len] = '\0';
	start(OUT_GROUP);
	struct rr_result b = result(RR_OK, big, "");
	output_done(&o, &on_host, &b);
	cr_assert_eq(output_flush(&o), 0);
	size_t len;
	char *got = contents(out_fd, &len);
	cr_assert_eq(len, 15 + big_len + 1);
	cr_assert_arr_eq(got, "---- web7 ----\n", 15);
	cr_assert_arr_eq(got + 15, big, big_len);
	cr_assert_eq(got[len - 1], '\n');
	free(got);
	free(big);
	output_free(&o);
}

Test(unit_fleet_output, stream_prefix)
{
	start(OUT_STREAM);
	output_line(&o, &on_host, RR_STDOUT, "hello", 5);
	output_line(&o, &on_host_input, RR_STDERR, "oops", 4);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "web7: hello\n");
	expect_fd(err_fd, "root@db:2222 in put: oops\n");
	output_free(&o);
}

Test(unit_fleet_output, json_host_field)
{
	start(OUT_JSON);
	struct rr_result ok = result(RR_OK, "x\n", "");
	ok.pid = 0; /* remote: no pid; it ran as it started */
	output_done(&o, &on_host, &ok);
	struct rr_result never = { .status = RR_CONNECT_FAILED,
				   .message = "host web7:22: connection refused" };
	output_done(&o, &on_host_input, &never);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd,
		  "{\"seq\":3,\"host\":\"web7\",\"tag\":\"uptime\",\"command\":\"uptime\","
		  "\"status\":\"ok\",\"exit\":0,\"signal\":null,\"duration_ms\":1.234,"
		  "\"stdout\":\"x\\n\",\"stderr\":\"\","
		  "\"stdout_truncated\":false,\"stderr_truncated\":false}\n"
		  "{\"seq\":4,\"host\":\"root@db:2222\",\"tag\":\"in put\","
		  "\"command\":\"echo 'in put'\","
		  "\"status\":\"connect-failed\",\"exit\":null,\"signal\":null,"
		  "\"duration_ms\":0.000,\"stdout\":\"\",\"stderr\":\"\","
		  "\"stdout_truncated\":false,\"stderr_truncated\":false}\n");
	expect_fd(err_fd, "ringrun: host web7:22: connection refused\n");
	output_free(&o);
}

/* A host's second failure: no second line. */
Test(unit_fleet_output, reported_failure_is_not_repeated)
{
	struct task_info again = on_host;

	again.reported = true;
	start(OUT_QUIET);
	struct rr_result never = { .status = RR_AUTH_FAILED,
				   .message = "host web7:22: authentication failed" };
	output_done(&o, &on_host, &never);
	output_done(&o, &again, &never);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(err_fd, "ringrun: host web7:22: authentication failed\n");
	output_free(&o);
}
