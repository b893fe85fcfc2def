/*
 * --timeout N%: a task running longer than N% of the median runtime of the
 * tasks that ended ok so far is killed, as GNU parallel's --timeout N%
 * does (no limit until one has ended ok).  The limit moves as tasks end;
 * a timer wakes the loop when the next running task would pass it.
 */
#ifndef CLI_RELTIMEOUT_H
#define CLI_RELTIMEOUT_H

#include <stdint.h>

#include <ringrun.h>

#include "jobs/median.h"

struct rel_timeout {
	uint64_t mpct;          /* N% as N in thousandths; 0: off */
	struct median runtimes; /* of the tasks that ended ok, in ns */
	rr_timer *timer;
};

/* Returns 0, or -1 with errno set (rr_timer_new's); mpct 0 needs none. */
int rel_timeout_init(struct rel_timeout *t, rr_loop *loop, uint64_t mpct);

/* A task ended ok after runtime_ns. */
void rel_timeout_ok(struct rel_timeout *t, uint64_t runtime_ns);

/* The limit now, in ns; 0: none (off, or no task ended ok yet). */
uint64_t rel_timeout_limit_ns(const struct rel_timeout *t);

/* Wake the loop in wait_ns (rounded up to a millisecond). */
void rel_timeout_wake(struct rel_timeout *t, uint64_t wait_ns);

void rel_timeout_free(struct rel_timeout *t);

#endif
