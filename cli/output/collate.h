/*
 * -o collate: identical outputs merged under one header that lists where
 * they came from, folded into ranges (as dshbak -c and clush -b do):
 *
 *     ---------------
 *     web[01-03,07] (4)
 *     ---------------
 *     <the output>
 *
 * Results are added as tasks end: each output is hashed and looked up, so
 * only one copy of each distinct output is ever kept, with the list of the
 * tasks that printed it.  Identical means the same bytes on stdout and the
 * same bytes on stderr; the exit status does not split a group (each failed
 * task has its own failure line anyway).
 */
#ifndef CLI_COLLATE_H
#define CLI_COLLATE_H

#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "util/buf.h"
#include "util/table.h"
#include "output/output.h"

/* What the table knows of one task's output. */
struct collate_key {
	size_t part;     /* outputs of different parts never merge */
	const char *out; /* stdout ... */
	size_t out_len;
	const char *err; /* ... and stderr, each compared on its own */
	size_t err_len;
};

typedef uint64_t collate_hash_fn(const struct collate_key *k);

struct collate_member {
	unsigned long long seq; /* orders the members and the groups */
	size_t name;            /* offset in collate.names */
};

struct collate_group {
	size_t part;
	char *label;     /* after the members in the header; NULL: none */
	char *data;      /* stdout then stderr, one allocation */
	size_t out_len, err_len;
	struct collate_member *m;
	size_t n, cap;
	unsigned long long first; /* the smallest seq of its members */
};

struct collate {
	struct collate_group *g; /* in order of first appearance */
	size_t n, cap;
	struct table index;      /* the groups by their output */
	collate_hash_fn *hash;
	/* Every member's name, NUL-terminated, in one block: thousands of
	   tiny copies between the tasks' big allocations would leave a hole
	   in the heap per task. */
	struct buf names;
};

/* The hash of an output: 64 bits over part, stdout and stderr. */
uint64_t collate_hash(const struct collate_key *k);

/* hash: NULL for collate_hash (a test may pass one that collides). */
void collate_init(struct collate *c, collate_hash_fn *hash);

/*
 * Task seq, called name, printed key's output; label (NULL: none) names
 * key's part in its group's header.  Both strings are copied.  An output
 * empty on both streams is not kept: there is nothing to show.
 */
void collate_add(struct collate *c, const struct collate_key *key,
		 unsigned long long seq, const char *name, const char *label);

/*
 * A task that ended, as run.c sees it.  In fleet mode the members are the
 * hosts and, when there are inputs, each input is a part of its own whose
 * label is the input; in local mode the members are the tags.
 */
void collate_task(struct collate *c, const struct task_info *t,
		  const struct rr_result *r);

/*
 * Every group, ordered by part and then by its first member (in input
 * order, or host list order): its header and its stdout on stdout, the
 * same header and its stderr on stderr.  The members are folded with
 * hostfold(); "(N)" counts them.  A block that does not end with a newline
 * gets one, so that the next header stands on its own.
 */
void collate_print(struct collate *c, struct output *o);

void collate_free(struct collate *c);

#endif
