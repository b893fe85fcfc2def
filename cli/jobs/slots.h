/*
 * Job slots ({%}): numbers 1..n, one per running task, free again when the
 * task ends.  The slot table is also the list of running tasks that a
 * signal must reach.
 */
#ifndef CLI_SLOTS_H
#define CLI_SLOTS_H

struct slots {
	unsigned n;
	unsigned nfree;
	unsigned *free;  /* stack of free slot numbers */
	void **owner;    /* owner[slot], NULL when free; owner[0] unused */
};

void slots_init(struct slots *s, unsigned n);

/* A free slot for owner, or 0 when all n are taken. */
unsigned slots_get(struct slots *s, void *owner);

void slots_put(struct slots *s, unsigned slot);

void slots_free(struct slots *s);

#endif
