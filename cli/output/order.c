/*
 * Keep-order: tasks end in any order, and are handed back in sequence.  A
 * ring of the tasks that ended while an earlier one still runs; it grows
 * with that window only, not with the number of inputs.
 */
#include "output/order.h"

#include <stdlib.h>

#include "util/xalloc.h"

void order_init(struct order *q, unsigned long long first)
{
	*q = (struct order){ .next = first };
}

/* Item s lives at ring[s % cap]; a bigger ring moves the window's items. */
static void grow(struct order *q, size_t need)
{
	size_t cap = q->cap ? q->cap : 16;

	while (cap < need)
		cap *= 2;
	void **ring = xcalloc(cap, sizeof *ring);
	for (size_t k = 0; k < q->cap; k++) {
		unsigned long long s = q->next + k;
		ring[s % cap] = q->ring[s % q->cap];
	}
	free(q->ring);
	q->ring = ring;
	q->cap = cap;
}

void order_put(struct order *q, unsigned long long seq, void *item)
{
	if (seq - q->next >= q->cap)
		grow(q, (size_t)(seq - q->next) + 1);
	q->ring[seq % q->cap] = item;
}

void *order_take(struct order *q)
{
	if (!q->cap)
		return NULL;
	void **slot = &q->ring[q->next % q->cap];
	void *item = *slot;

	if (item) {
		*slot = NULL;
		q->next++;
	}
	return item;
}

void *order_drain(struct order *q)
{
	for (size_t k = 0; k < q->cap; k++) {
		void *item = order_take(q);

		if (item)
			return item;
		q->next++; /* a number that never ended */
	}
	return NULL;
}

void order_free(struct order *q)
{
	free(q->ring);
	*q = (struct order){ 0 };
}
