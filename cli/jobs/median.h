/*
 * A running median: values added one by one, the median of all so far at
 * any time, as GNU parallel's --timeout N% takes it (the lower of the two
 * middle values when there is an even number).  Two heaps: the lower half
 * (a max-heap) and the upper half (a min-heap), the lower one as big or
 * one bigger.
 */
#ifndef CLI_MEDIAN_H
#define CLI_MEDIAN_H

#include <stddef.h>
#include <stdint.h>

struct heap {
	uint64_t *v;
	size_t n, cap;
};

struct median {
	struct heap low;  /* max-heap */
	struct heap high; /* min-heap */
};

void median_add(struct median *m, uint64_t v);

/* How many values there are. */
size_t median_count(const struct median *m);

/* The median; there must be a value. */
uint64_t median_get(const struct median *m);

void median_free(struct median *m);

#endif
