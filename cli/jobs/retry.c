/* --retries: which endings get another attempt, and the waits before them. */
#include "jobs/retry.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* A timer may fire this much before the nanosecond we computed. */
#define SLACK_NS 1000000u

bool retry_connect(const struct rr_result *r)
{
	return r->status == RR_CONNECT_FAILED ||
	       (r->status == RR_SSH_ERROR && !r->started);
}

bool retry_exit(const struct rr_result *r)
{
	switch (r->status) {
	case RR_EXIT_NONZERO:
	case RR_EXIT_UNEXPECTED:
	case RR_SIGNALED:
	case RR_TIMEOUT:
	case RR_IDLE_TIMEOUT:
	case RR_SPAWN_FAILED:
	case RR_ERROR:
		return true;
	case RR_SSH_ERROR:
		return r->started;
	default:
		return false;
	}
}

/* It only ends the loop's wait. */
static void wake(rr_timer *timer, void *user)
{
	(void)timer;
	(void)user;
}

int retry_queue_init(struct retry_queue *q, rr_loop *loop)
{
	*q = (struct retry_queue){ .timer = rr_timer_new(loop, wake, NULL) };
	return q->timer ? 0 : -1;
}

/* For the first wait, or none. */
static void arm(struct retry_queue *q, uint64_t now_ns)
{
	if (!q->n) {
		rr_timer_stop(q->timer);
		return;
	}
	uint64_t due = q->v[0].due_ns;
	rr_timer_start(q->timer, due > now_ns ? (due - now_ns + 999999) / 1000000 : 0);
}

void retry_queue_add(struct retry_queue *q, uint64_t now_ns, uint64_t delay_ms,
		     void *who, bool host)
{
	struct retry_wait w = { now_ns + delay_ms * 1000000u, who, host };
	size_t k = q->n;

	if (q->n == q->cap)
		q->v = xreallocarray(q->v, q->cap = q->cap ? 2 * q->cap : 8,
				     sizeof *q->v);
	while (k && q->v[k - 1].due_ns > w.due_ns) {
		q->v[k] = q->v[k - 1];
		k--;
	}
	q->v[k] = w;
	q->n++;
	if (k == 0)
		arm(q, now_ns);
}

static void take_first(struct retry_queue *q, struct retry_wait *w)
{
	*w = q->v[0];
	memmove(q->v, q->v + 1, --q->n * sizeof *q->v);
}

bool retry_queue_take(struct retry_queue *q, uint64_t now_ns,
		      struct retry_wait *w)
{
	if (!q->n || q->v[0].due_ns > now_ns + SLACK_NS)
		return false;
	take_first(q, w);
	arm(q, now_ns);
	return true;
}

bool retry_queue_pop(struct retry_queue *q, struct retry_wait *w)
{
	if (!q->n)
		return false;
	take_first(q, w);
	if (!q->n)
		rr_timer_stop(q->timer);
	return true;
}

void retry_queue_free(struct retry_queue *q)
{
	rr_timer_free(q->timer);
	free(q->v);
	*q = (struct retry_queue){ 0 };
}
