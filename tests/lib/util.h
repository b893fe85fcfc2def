/*
 * util.h - shared helpers of the library suite: running tasks to the end,
 * checking the test pattern, counting fds and children, recording lines.
 * Every helper asserts with Criterion, so call them from the test's thread.
 */
#ifndef RR_TEST_UTIL_H
#define RR_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pattern.h"
#include "ringrun.h"

#define MiB ((size_t)1024 * 1024)

/*
 * Every test's time limit, in seconds.  One value for all: BoxFort (under
 * Criterion 2.4) loses timeout records in its runner when tests running side
 * by side have different limits - LeakSanitizer then fails the asan run.
 */
#define TEST_TIMEOUT 60

/* The helper program named by RR_HELPER (set by the Makefile). */
const char *helper(void);

/* A new loop (asserted), max_running 0 = default. */
rr_loop *loop_new(unsigned max_running, unsigned flags);

/* Queue a task (asserted non-NULL).  helper_task takes the helper's
 * arguments, NULL-terminated. */
rr_task *shell_task(rr_loop *loop, const char *cmd, const struct rr_opts *o);
rr_task *exec_task(rr_loop *loop, const char *const argv[],
		   const struct rr_opts *o);
rr_task *helper_task(rr_loop *loop, const struct rr_opts *o, ...)
	__attribute__((sentinel));

/* rr_task_wait() == 0, then the task is done; returns its result. */
const struct rr_result *wait_task(rr_task *task);

/* Queue and wait: the result of one task. */
const struct rr_result *run_shell(rr_loop *loop, const char *cmd,
				  const struct rr_opts *o);

/* Asserts status and exit code, printing the message on failure. */
void expect_status(const struct rr_result *r, enum rr_status status,
		   int exit_code);

/* N bytes of the pattern for SEED (malloc'd). */
uint8_t *pattern_buf(size_t n, uint64_t seed);

/* The stdout+stderr stream of "rr-helper both N M SEED" with 2>&1. */
uint8_t *merged_pattern(size_t out, size_t err, uint64_t seed);

/* Asserts that data[0..len) equals want, naming the first difference. */
void expect_bytes(const char *what, const void *data, size_t len,
		  const void *want, size_t want_len);

/* Asserts that a capture holds exactly N pattern bytes of SEED. */
void expect_pattern_capture(const char *what, const struct rr_capture *c,
			    size_t n, uint64_t seed);

/* rr_loop_free, then expect_no_leaks: everything the loop held is gone. */
void free_loop(rr_loop *loop);

/* Under AddressSanitizer, fails the test when memory is unreachable (a
 * LeakSanitizer report at exit alone would not fail it); else nothing. */
void expect_no_leaks(void);

/* Open fds of this process. */
int count_fds(void);

/* Asserts that this process has no child at all, zombie or not. */
void expect_no_children(void);

/* True once PID is gone or a zombie, polling for at most timeout_ms. */
bool pid_dead(pid_t pid, int timeout_ms);

uint64_t now_ns(void);

/* True when the decimal number N appears in S as a whole token. */
bool has_number(const char *s, long n);

/* Lines (or chunks) recorded by record_cb; user = struct lines *. */
struct line {
	enum rr_stream stream;
	char *data;
	size_t len;
};
struct lines {
	struct line *v;
	size_t n, cap;
};
void lines_add(struct lines *l, enum rr_stream stream, const char *data,
	       size_t len);
void record_cb(rr_task *task, enum rr_stream stream, const char *data,
	       size_t len, void *user);
void lines_free(struct lines *l);
/* Asserts line I of L is STREAM and the C string S. */
void expect_line(const struct lines *l, size_t i, enum rr_stream stream,
		 const char *s);

/* Counts on_done calls; user = int *. */
void count_done(rr_task *task, void *user);

/* Replace fd TARGET with a new fd (dup2); returns the saved original. */
int swap_fd(int target, int newfd);
void restore_fd(int target, int saved);

#endif
