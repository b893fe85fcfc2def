/*
 * --halt, GNU parallel's syntax: never, or WHEN,WHAT=N or WHEN,WHAT=N%,
 * WHEN soon (start no new task, let the running ones end) or now (kill them
 * too), WHAT fail, success or done (either); N% is of all tasks, rounded up.
 * parallel's old forms 0, 1 and 2 mean never, soon,fail=1 and now,fail=1.
 */
#ifndef CLI_HALT_H
#define CLI_HALT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

enum halt_when { HALT_NEVER, HALT_SOON, HALT_NOW };
enum halt_what { HALT_FAIL, HALT_SUCCESS, HALT_DONE };

struct halt {
	enum halt_when when;
	enum halt_what what;
	uint64_t n;   /* a count, or a percentage (1..100) */
	bool percent;
	const char *spec; /* as given */
};

/* Returns NULL, or why s is not a policy. */
const char *halt_parse(const char *s, struct halt *h);

/* The count of WHAT that halts a run of total tasks (at least 1). */
uint64_t halt_threshold(const struct halt *h, uint64_t total);

/* Has a run of total tasks, ok and failed of them ended, reached it? */
bool halt_due(const struct halt *h, uint64_t total, uint64_t ok,
	      uint64_t failed);

/* Why it halts: "--halt SPEC: 2 of 10 tasks failed" (no newline); total
   0: not known yet, "2 tasks failed". */
void halt_describe(struct buf *b, const struct halt *h, uint64_t total,
		   uint64_t ok, uint64_t failed);

#endif
