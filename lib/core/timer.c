/*
 * timer.c - one-shot timers for the loop's user, on the same deadline heap
 * (and so the same single ring TIMEOUT) as the tasks' own deadlines.  An
 * armed timer is work the loop waits for, as an unfinished task is.
 */
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>

struct rr_timer {
	rr_loop *loop;
	struct rr_deadline deadline;
	rr_timer_cb *cb;
	void *user;
	struct rr_timer *prev, *next; /* the loop's timers, freed with it */
};

static void fire(struct rr_deadline *d, uint64_t now)
{
	struct rr_timer *t = container_of(d, struct rr_timer, deadline);
	rr_loop *loop = t->loop;

	(void)now;
	assert(loop->timers_armed > 0);
	loop->timers_armed--;
	RR_CALLBACK(loop, t->cb(t, t->user)); /* may re-arm or free t */
}

rr_timer *rr_timer_new(rr_loop *loop, rr_timer_cb *cb, void *user)
{
	struct rr_timer *t;

	if (!loop || !cb) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t || rr__deadline_reserve(loop, 1) < 0) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	*t = (struct rr_timer){
		.loop = loop, .cb = cb, .user = user,
		.deadline.fire = fire, .next = loop->timers,
	};
	if (loop->timers)
		loop->timers->prev = t;
	loop->timers = t;
	return t;
}

void rr_timer_start(rr_timer *t, uint64_t delay_ms)
{
	uint64_t max_ms = (UINT64_MAX - rr__now()) / 1000000u;

	if (!t)
		return;
	if (!t->deadline.slot)
		t->loop->timers_armed++;
	rr__deadline_set(t->loop, &t->deadline,
			 rr__now() + RR_MIN(delay_ms, max_ms) * 1000000u);
	rr__loop_wake(t->loop); /* a host may sleep past it otherwise */
}

void rr_timer_stop(rr_timer *t)
{
	if (!t || !t->deadline.slot)
		return;
	rr__deadline_clear(t->loop, &t->deadline);
	assert(t->loop->timers_armed > 0);
	t->loop->timers_armed--;
	rr__loop_wake(t->loop);
}

bool rr_timer_armed(const rr_timer *t)
{
	return t && t->deadline.slot != 0;
}

void rr_timer_free(rr_timer *t)
{
	if (!t)
		return;
	rr_timer_stop(t);
	rr__deadline_unreserve(t->loop, 1);
	if (t->prev)
		t->prev->next = t->next;
	else
		t->loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

void rr__timers_free(rr_loop *loop)
{
	while (loop->timers)
		rr_timer_free(loop->timers);
}
