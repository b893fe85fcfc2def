/*
 * Keep-order: tasks end in any order, and are handed back in sequence.  A
 * ring of the tasks that ended while an earlier one still runs; it grows
 * with that window only, not with the number of inputs.
 */
#ifndef CLI_ORDER_H
#define CLI_ORDER_H

#include <stddef.h>

struct order {
	void **ring;
	size_t cap;
	unsigned long long next; /* the sequence number to hand back next */
};

/* Sequence numbers start at first. */
void order_init(struct order *q, unsigned long long first);

/* Hold item number seq (>= q->next, each number once). */
void order_put(struct order *q, unsigned long long seq, void *item);

/* Item number q->next if it is held (and advance), else NULL. */
void *order_take(struct order *q);

/*
 * Everything stopped: the held item next in sequence, past numbers that
 * were never put, or NULL when none is held.
 */
void *order_drain(struct order *q);

void order_free(struct order *q);

#endif
