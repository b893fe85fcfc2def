/*
 * Job slots ({%}): numbers 1..n, one per running task, free again when the
 * task ends.  The slot table is also the list of running tasks that a
 * signal must reach.
 */
#include "jobs/slots.h"

#include <stdlib.h>

#include "util/xalloc.h"

void slots_init(struct slots *s, unsigned n)
{
	*s = (struct slots){
		.n = n,
		.nfree = n,
		.free = xcalloc(n, sizeof *s->free),
		.owner = xcalloc((size_t)n + 1, sizeof *s->owner),
	};
	/* Slot 1 on top: the first tasks get 1, 2, 3, ... */
	for (unsigned k = 0; k < n; k++)
		s->free[k] = n - k;
}

unsigned slots_get(struct slots *s, void *owner)
{
	if (!s->nfree)
		return 0;
	unsigned slot = s->free[--s->nfree];
	s->owner[slot] = owner;
	return slot;
}

void slots_put(struct slots *s, unsigned slot)
{
	s->owner[slot] = NULL;
	s->free[s->nfree++] = slot;
}

void slots_free(struct slots *s)
{
	free(s->free);
	free(s->owner);
	*s = (struct slots){ 0 };
}
