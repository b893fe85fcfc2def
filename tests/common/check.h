/*
 * check.h - assertions and small utilities every ringrun test suite uses:
 * waiting for a task and checking its result, comparing bytes, leak and fd
 * checks, time, process state, and a recorder of line callbacks.
 * Every helper asserts with Criterion, so call them from the test's thread.
 *
 * The suites' own util.h include this and add what only they need.
 */
#ifndef RR_TEST_CHECK_H
#define RR_TEST_CHECK_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard.h"
#include "ringrun.h"

#define MiB ((size_t)1024 * 1024)


/* ---------------------------------------------------------- tasks, results */

/* rr_task_wait() == 0, then the task is done; returns its result. */
const struct rr_result *wait_task(rr_task *task);

/* Asserts status and exit code, printing the message on failure. */
void expect_status(const struct rr_result *r, enum rr_status status,
		   int exit_code);

/* Asserts status only (and a non-empty message unless RR_OK). */
void expect_status_only(const struct rr_result *r, enum rr_status status);

/* Asserts that data[0..len) equals want, naming the first difference. */
void expect_bytes(const char *what, const void *data, size_t len,
		  const void *want, size_t want_len);

/* N bytes of the pattern for SEED (malloc'd): the stream of
 * tests/lib/pattern.h, the one rr-helper writes. */
uint8_t *pattern_buf(size_t n, uint64_t seed);

/* Counts on_done calls; user = int *. */
void count_done(rr_task *task, void *user);

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

/* ------------------------------------------------------ what is left over */

/* rr_loop_free, then expect_no_leaks: everything the loop held is gone. */
void free_loop(rr_loop *loop);

/* Under AddressSanitizer, fails the test when memory is unreachable (a
 * LeakSanitizer report at exit alone would not fail it); else nothing. */
void expect_no_leaks(void);

/* Open fds of this process. */
int count_fds(void);

/* The state letter of PID in /proc/PID/stat (R, S, Z, ...), 0 if gone. */
char proc_state(pid_t pid);

/* True once PID is gone or a zombie, polling for at most timeout_ms. */
bool pid_dead(pid_t pid, int timeout_ms);

/* ------------------------------------------------------------------- time */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

#endif
