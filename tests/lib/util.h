/*
 * util.h - helpers of the library suite: tasks running rr-helper and shell
 * commands, checking rr-helper's pattern, children left behind, fd swaps.
 * What every suite uses (wait_task, expect_status, the line recorder, leak
 * and fd checks...) is in tests/common/check.h, included here.  Every helper
 * asserts with Criterion, so call them from the test's thread.
 */
#ifndef RR_TEST_UTIL_H
#define RR_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/check.h"
#include "pattern.h"
#include "ringrun.h"

/* The rr-helper program (tests/common/where.h). */
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

/* Queue and wait: the result of one task. */
const struct rr_result *run_shell(rr_loop *loop, const char *cmd,
				  const struct rr_opts *o);

/* The stdout+stderr stream of "rr-helper both N M SEED" with 2>&1. */
uint8_t *merged_pattern(size_t out, size_t err, uint64_t seed);

/* Asserts that a capture holds exactly N pattern bytes of SEED. */
void expect_pattern_capture(const char *what, const struct rr_capture *c,
			    size_t n, uint64_t seed);

/* Asserts that this process has no child at all, zombie or not. */
void expect_no_children(void);

/* True when the decimal number N appears in S as a whole token. */
bool has_number(const char *s, long n);

/* Replace fd TARGET with a new fd (dup2); returns the saved original. */
int swap_fd(int target, int newfd);
void restore_fd(int target, int saved);

#endif
