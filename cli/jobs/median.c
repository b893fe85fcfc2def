/* A running median in two heaps. */
#include "jobs/median.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/xalloc.h"

/* Does a belong above b in this heap? */
static bool above(bool max, uint64_t a, uint64_t b)
{
	return max ? a > b : a < b;
}

static void swap(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

static void push(struct heap *h, bool max, uint64_t v)
{
	size_t k;

	if (h->n == h->cap)
		h->v = xreallocarray(h->v, h->cap = h->cap ? 2 * h->cap : 16,
				     sizeof *h->v);
	for (k = h->n++, h->v[k] = v; k && above(max, h->v[k], h->v[(k - 1) / 2]);
	     k = (k - 1) / 2)
		swap(&h->v[k], &h->v[(k - 1) / 2]);
}

static uint64_t pop(struct heap *h, bool max)
{
	uint64_t top = h->v[0];
	size_t k = 0;

	assert(h->n);
	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t c = 2 * k + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && above(max, h->v[c + 1], h->v[c]))
			c++;
		if (!above(max, h->v[c], h->v[k]))
			break;
		swap(&h->v[c], &h->v[k]);
		k = c;
	}
	return top;
}

void median_add(struct median *m, uint64_t v)
{
	if (m->low.n && v > m->low.v[0])
		push(&m->high, false, v);
	else
		push(&m->low, true, v);
	if (m->low.n > m->high.n + 1)
		push(&m->high, false, pop(&m->low, true));
	else if (m->high.n > m->low.n)
		push(&m->low, true, pop(&m->high, false));
}

size_t median_count(const struct median *m)
{
	return m->low.n + m->high.n;
}

uint64_t median_get(const struct median *m)
{
	assert(m->low.n);
	return m->low.v[0];
}

void median_free(struct median *m)
{
	free(m->low.v);
	free(m->high.v);
	*m = (struct median){ { 0 }, { 0 } };
}
