#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/pattern.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RR_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RR_TEST_ASAN 1
#endif
#ifdef RR_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

/* ---------------------------------------------------------- tasks, results */

const struct rr_result *wait_task(rr_task *task)
{
	int rc = rr_task_wait(task);
	cr_assert_eq(rc, 0, "rr_task_wait: %s", rr_strerror(rc));
	cr_assert(rr_task_done(task), "rr_task_wait returned before the end");
	const struct rr_result *r = rr_task_result(task);
	cr_assert(r);
	cr_assert_neq(r->status, RR_RUNNING);
	return r;
}

void expect_status_only(const struct rr_result *r, enum rr_status status)
{
	cr_assert_eq(r->status, status,
		     "status %s (%d), want %s; exit %d; message: %s; stderr: %.300s",
		     rr_status_name(r->status), r->status, rr_status_name(status),
		     r->exit_code, r->message ? r->message : "(null)",
		     r->err.data ? r->err.data : "");
	cr_assert(r->message, "message is NULL");
	if (status == RR_OK)
		cr_assert_str_eq(r->message, "", "message of an ok task: %s", r->message);
	else
		cr_assert(r->message[0], "empty message for status %s",
			  rr_status_name(status));
}

void expect_status(const struct rr_result *r, enum rr_status status,
		   int exit_code)
{
	expect_status_only(r, status);
	cr_assert_eq(r->exit_code, exit_code, "exit_code %d, want %d; message: %s",
		     r->exit_code, exit_code, r->message);
}

void expect_bytes(const char *what, const void *data, size_t len,
		  const void *want, size_t want_len)
{
	const uint8_t *d = data, *w = want;
	size_t n = len < want_len ? len : want_len;
	if (n)
		cr_assert(d, "%s: data is NULL with len %zu", what, len);
	size_t i = 0;
	if (n && memcmp(d, w, n)) {
		while (d[i] == w[i])
			i++;
		cr_assert_fail("%s: byte %zu is 0x%02x, want 0x%02x", what, i, d[i], w[i]);
	}
	cr_assert_eq(len, want_len, "%s: %zu bytes, want %zu", what, len, want_len);
}

uint8_t *pattern_buf(size_t n, uint64_t seed)
{
	uint8_t *b = malloc(n ? n : 1);
	cr_assert(b);
	struct pat p;
	pat_init(&p, seed);
	pat_fill(&p, b, n);
	return b;
}

void count_done(rr_task *task, void *user)
{
	(void)task;
	++*(int *)user;
}

void lines_add(struct lines *l, enum rr_stream stream, const char *data,
	       size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		cr_assert(l->v);
	}
	char *copy = malloc(len + 1);
	cr_assert(copy);
	memcpy(copy, data, len);
	copy[len] = 0;
	l->v[l->n++] = (struct line){stream, copy, len};
}

void record_cb(rr_task *task, enum rr_stream stream, const char *data,
	       size_t len, void *user)
{
	(void)task;
	lines_add(user, stream, data, len);
}

void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	*l = (struct lines){0};
}

void expect_line(const struct lines *l, size_t i, enum rr_stream stream,
		 const char *s)
{
	cr_assert_lt(i, l->n, "line %zu missing (%zu lines)", i, l->n);
	cr_assert_eq(l->v[i].stream, stream, "line %zu: stream %d, want %d", i,
		     l->v[i].stream, stream);
	cr_assert_eq(l->v[i].len, strlen(s), "line %zu: length %zu (%s), want %zu (%s)",
		     i, l->v[i].len, l->v[i].data, strlen(s), s);
	cr_assert(!memcmp(l->v[i].data, s, l->v[i].len), "line %zu: '%s', want '%s'",
		  i, l->v[i].data, s);
}

/* ------------------------------------------------------ what is left over */

void expect_no_leaks(void)
{
#ifdef RR_TEST_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
		     "LeakSanitizer: memory leaked (report on stderr)");
#endif
}

void free_loop(rr_loop *loop)
{
	rr_loop_free(loop);
	expect_no_leaks();
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	cr_assert(d, "/proc/self/fd: %s", strerror(errno));
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

bool pid_dead(pid_t pid, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;
	for (;;) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return true;
		char s = proc_state(pid);
		if (s == 0 || s == 'Z' || s == 'X')
			return true;
		if (now_ns() > end)
			return false;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* ------------------------------------------------------------------- time */

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
