/*
 * --exit-status: what ringrun's exit status says of the tasks.  ringrun's
 * own (0, 1 some failed, 3 some host unreachable), or another tool's:
 * "max" (pdsh -S, clush -S: the largest remote exit status, 255 for a
 * host that was not reached, a command killed by a signal or a timeout,
 * as ssh exits then), "zero" (pdsh and clush without -S), "pssh"
 * (3 some killed or timed out, else 4 some 255, else 5 some non-zero).
 * Usage errors, signals and write errors keep their own statuses.
 */
#ifndef CLI_EXITSTATUS_H
#define CLI_EXITSTATUS_H

#include <stdbool.h>

#include <ringrun.h>

enum exit_style { EXIT_RINGRUN, EXIT_MAX, EXIT_ZERO, EXIT_PSSH };

/* What the tasks came to, as the styles need it. */
struct exit_tally {
	int max;      /* the largest exit status (255: see above) */
	bool killed;  /* a signal or a timeout ended one */
	bool s255;    /* one exited 255 or was never reached */
};

/* ringrun, max, zero or pssh; NULL, or why not. */
const char *exit_style_parse(const char *s, enum exit_style *style);

/* A task that ended: its result (ran: its command ran to its end, so that
   its exit code says how). */
void exit_tally_add(struct exit_tally *t, const struct rr_result *r, bool ran);

/* The exit status in style s, from ringrun's own one (0, 1 or 3). */
int exit_tally_status(const struct exit_tally *t, enum exit_style s,
		      int ringrun_status);

#endif
