/*
 * --delay SEC: the next task starts SEC after the last one started (GNU
 * parallel's --delay); the first at once.  A timer wakes the loop when the
 * next one may start, so that a run with no task running still goes on.
 */
#ifndef CLI_DELAY_H
#define CLI_DELAY_H

#include <stdbool.h>
#include <stdint.h>

#include <ringrun.h>

struct delay {
	uint64_t ms;      /* 0: no delay */
	uint64_t next_ns; /* when the next task may start (CLOCK_MONOTONIC) */
	rr_timer *timer;  /* armed while a task waits for next_ns */
};

/* Returns 0, or -1 with errno set (rr_timer_new's); ms 0 needs no timer. */
int delay_init(struct delay *d, rr_loop *loop, uint64_t ms);

/* May a task start at now_ns?  If not, the timer is set for when it may. */
bool delay_ready(struct delay *d, uint64_t now_ns);

/* A task started at now_ns. */
void delay_started(struct delay *d, uint64_t now_ns);

/* A task waits for its start: the run is not over. */
bool delay_waiting(const struct delay *d);

void delay_free(struct delay *d);

#endif
