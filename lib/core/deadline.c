/*
 * deadline.c - every deadline of the loop in one min-heap, and one ring
 * TIMEOUT (absolute, CLOCK_MONOTONIC) for the nearest.  Moving a deadline
 * later leaves the armed timeout alone: it fires early, finds nothing due and
 * is armed again, which costs less than updating it on every change.
 *
 * Owners reserve their places when they are made (a task when submitted, a
 * connection with its host, a timer when created), so that setting a
 * deadline never allocates and cannot fail.
 */
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>

static void swap(struct rr_heap *h, unsigned a, unsigned b)
{
	struct rr_deadline *t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
	h->v[a]->slot = a + 1;
	h->v[b]->slot = b + 1;
}

static void sift_up(struct rr_heap *h, unsigned i)
{
	while (i > 0 && h->v[(i - 1) / 2]->at > h->v[i]->at) {
		swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct rr_heap *h, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && h->v[l]->at < h->v[m]->at)
			m = l;
		if (r < h->n && h->v[r]->at < h->v[m]->at)
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}

/* Room for n more deadlines queued at once. */
int rr__deadline_reserve(rr_loop *loop, unsigned n)
{
	struct rr_heap *h = &loop->heap;
	unsigned want = h->reserved + n;

	if (want > h->cap) {
		unsigned cap = RR_MAX(RR_MAX(h->cap * 2, want), 64u);
		void *v = realloc(h->v, cap * sizeof(*h->v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->reserved = want;
	return 0;
}

void rr__deadline_unreserve(rr_loop *loop, unsigned n)
{
	assert(loop->heap.reserved >= n);
	loop->heap.reserved -= n;
}

static void heap_push(struct rr_heap *h, struct rr_deadline *d)
{
	assert(h->n < h->reserved && h->reserved <= h->cap);
	h->v[h->n] = d;
	d->slot = ++h->n;
	sift_up(h, h->n - 1);
}

void rr__deadline_clear(rr_loop *loop, struct rr_deadline *d)
{
	struct rr_heap *h = &loop->heap;
	unsigned i;

	if (!d->slot)
		return;
	i = d->slot - 1;
	assert(i < h->n && h->v[i] == d);
	d->slot = 0;
	if (i == --h->n)
		return;
	h->v[i] = h->v[h->n];
	h->v[i]->slot = i + 1;
	sift_up(h, i);
	sift_down(h, h->v[i]->slot - 1);
}

void rr__deadline_set(rr_loop *loop, struct rr_deadline *d, uint64_t at)
{
	assert(d->fire);
	d->at = at;
	if (d->slot) {
		assert(loop->heap.v[d->slot - 1] == d);
		sift_up(&loop->heap, d->slot - 1);
		sift_down(&loop->heap, d->slot - 1);
		return;
	}
	heap_push(&loop->heap, d);
}

static void timer_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	rr_loop *loop = container_of(op, rr_loop, timer_op);

	(void)cqe; /* -ETIME or -ECANCELED: either way nothing is armed now */
	loop->timer_armed = false;
}

/* Make the ring's timeout fire no later than the nearest deadline. */
void rr__deadline_arm(rr_loop *loop)
{
	struct io_uring_sqe *sqe;
	uint64_t at;

	if (!loop->heap.n)
		return;
	at = loop->heap.v[0]->at;
	if (loop->timer_armed && loop->timer_at <= at)
		return;
	loop->timer_ts.tv_sec = (long long)(at / 1000000000u);
	loop->timer_ts.tv_nsec = (long long)(at % 1000000000u);
	if (loop->timer_armed) {
		sqe = rr__sqe(loop, NULL);
		io_uring_prep_timeout_update(sqe, &loop->timer_ts,
					     (uint64_t)(uintptr_t)&loop->timer_op,
					     IORING_TIMEOUT_ABS);
		sqe->flags |= loop->skip_cqe;
	} else {
		loop->timer_op.complete = timer_complete;
		sqe = rr__sqe(loop, &loop->timer_op);
		io_uring_prep_timeout(sqe, &loop->timer_ts, 0, IORING_TIMEOUT_ABS);
		loop->timer_armed = true;
	}
	loop->timer_at = at;
}

void rr__deadline_expire(rr_loop *loop)
{
	struct rr_heap *h = &loop->heap;
	uint64_t now;

	if (!h->n)
		return;
	now = rr__now();
	while (h->n && h->v[0]->at <= now) {
		struct rr_deadline *d = h->v[0];

		rr__deadline_clear(loop, d);
		d->fire(d, now);
	}
}

int rr__deadline_ms(const rr_loop *loop)
{
	uint64_t now, at;

	if (!loop->heap.n)
		return -1;
	now = rr__now();
	at = loop->heap.v[0]->at;
	if (at <= now)
		return 0;
	return (int)RR_MIN((at - now + 999999) / 1000000, (uint64_t)INT32_MAX);
}

void rr__deadline_free(rr_loop *loop)
{
	free(loop->heap.v);
	loop->heap = (struct rr_heap){ 0 };
}
