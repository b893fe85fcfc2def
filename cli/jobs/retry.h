/*
 * --retries: which endings get another attempt, and the waits before them.
 *
 * A host that could not be reached gets a new connection: its tasks whose
 * command never started are handed over again.  A command that started is
 * run again only with --retry-on-exit, when it ended not ok by itself.
 *
 * The waits are kept in time order on one rr_timer.  Its callback only ends
 * the loop's wait: what is due is taken between loop turns, as a host's
 * set-up resolves its name, which blocks.
 */
#ifndef CLI_RETRY_H
#define CLI_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

/* The connection failed before the command started: try a new one. */
bool retry_connect(const struct rr_result *r);

/* The command ended not ok by itself, or its channel failed under it
   (--retry-on-exit); not when we cancelled it or its host is refused. */
bool retry_exit(const struct rr_result *r);

struct retry_wait {
	uint64_t due_ns;   /* CLOCK_MONOTONIC */
	void *who;
	bool host;         /* who is a fleet host, else a job */
};

struct retry_queue {
	rr_timer *timer;
	struct retry_wait *v; /* by due time */
	size_t n, cap;
};

/* Returns 0, or -1 with errno set (rr_timer_new's). */
int retry_queue_init(struct retry_queue *q, rr_loop *loop);

/* who is due delay_ms after now_ns. */
void retry_queue_add(struct retry_queue *q, uint64_t now_ns, uint64_t delay_ms,
		     void *who, bool host);

/* The first wait due at now_ns, if any; the timer is set for the next. */
bool retry_queue_take(struct retry_queue *q, uint64_t now_ns,
		      struct retry_wait *w);

/* The first wait, due or not (everything stops). */
bool retry_queue_pop(struct retry_queue *q, struct retry_wait *w);

void retry_queue_free(struct retry_queue *q);

#endif
