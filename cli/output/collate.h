/*
 * -o collate: identical outputs merged under one header that lists where
 * they came from, folded into ranges, as clush -b prints them (or, with
 * --collate-style dshbak, as dshbak -c does):
 *
 *     ---------------
 *     web[01-03,07] (4)
 *     ---------------
 *     <the output>
 *
 * Results are added as tasks end: each output is hashed and looked up, so
 * only one copy of each distinct output is ever kept, with the list of the
 * tasks that printed it.  As clush -b: identical means the same lines on
 * stdout (a last line without its newline is the same line), stderr is
 * printed apart as it comes, "HOST: line", and the exit status splits a
 * group; -B (clush -B) makes stderr part of the output.
 */
#ifndef CLI_COLLATE_H
#define CLI_COLLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "util/buf.h"
#include "util/table.h"
#include "output/modes.h"
#include "output/output.h"

/* What the table knows of one task's output. */
struct collate_key {
	size_t part;     /* outputs of different parts never merge */
	int rc;          /* nor outputs of different exit statuses */
	const char *out; /* stdout ... */
	size_t out_len;
	const char *err; /* ... and stderr (-B), each compared on its own */
	size_t err_len;
};

typedef uint64_t collate_hash_fn(const struct collate_key *k);

struct collate_member {
	size_t name;     /* offset in collate.names */
	bool exit_line;  /* its exit status is said by collate_print */
};

struct collate_group {
	size_t part;
	int rc;
	char *label;     /* after the members in the header; NULL: none */
	char *data;      /* stdout then stderr, one allocation */
	size_t out_len, err_len;
	struct collate_member *m;
	size_t n, cap;
};

struct collate {
	struct collate_group *g; /* in order of first appearance */
	size_t n, cap;
	struct table index;      /* the groups by their output */
	collate_hash_fn *hash;
	enum collate_style style;
	bool with_err;           /* -B: stderr is part of the output */
	/* Every member's name, NUL-terminated, in one block: thousands of
	   tiny copies between the tasks' big allocations would leave a hole
	   in the heap per task. */
	struct buf names;
	struct buf scratch;      /* an output given its last newline */
};

/* The hash of an output: 64 bits over part, rc, stdout and stderr. */
uint64_t collate_hash(const struct collate_key *k);

/* hash: NULL for collate_hash (a test may pass one that collides). */
void collate_init(struct collate *c, enum collate_style style, bool with_err,
		  collate_hash_fn *hash);

/*
 * Task called name printed key's output; label (NULL: none) names key's
 * part in its group's header; exit_line: collate_print says its exit
 * status.  Both strings are copied.  A stream whose last line lacks its
 * newline is given one (clush compares lines).  An output empty on both
 * streams is kept for its exit status but never printed.
 */
void collate_add(struct collate *c, const struct collate_key *key,
		 const char *name, const char *label, bool exit_line);

/*
 * A task that ended, as run.c sees it.  In fleet mode the members are the
 * hosts and, when there are inputs, each input is a part of its own whose
 * label is the input; in local mode the members are the tags.  Unless -B,
 * its stderr goes to o now, each line after "TAG: ".  Returns true when
 * collate_print will say how it exited (clush style, a non-zero exit
 * status): its own failure line is not wanted.
 */
bool collate_task(struct collate *c, struct output *o,
		  const struct task_info *t, const struct rr_result *r);

/*
 * Every group, as clush -b orders them: by part, by exit status, the
 * largest first, then by their first member in ClusterShell's order (its
 * name with digits as "%s", then its numbers); or as dshbak -c, by the
 * first member's last number.  Its header and its output on stdout.  The
 * members are folded with hostfold(); "(N)" counts them when N > 1 (clush).
 * A block that does not end with a newline gets one.  Then, clush style,
 * for each exit status but 0, "ringrun: HOSTS (N): exited with exit code
 * RC" on stderr, as clush says it.
 */
void collate_print(struct collate *c, struct output *o);

void collate_free(struct collate *c);

#endif
