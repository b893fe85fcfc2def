/*
 * What the operator is told about the run besides the tasks' output: the
 * progress line, the summary at the end and the --failed file, each when
 * the options and the terminal say so, and colour on the output.
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <ringrun.h>

#include "fleet.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "summary.h"

struct report {
	const struct options *o;
	struct summary summary;
	struct progress progress;
	bool show_summary;
	int failed_fd; /* --failed; -1: none */
};

/*
 * ninputs tasks (fleet mode: on each host).  Opens the --failed file now,
 * so that a bad path is a usage error; it is only written at the end.
 * Returns 0, or -1 after printing why (exit status 2).
 */
int report_init(struct report *rp, const struct options *o, size_t ninputs);

/* Colour out's sinks when wanted; the progress line erases itself before
   out writes to its terminal. */
void report_attach(struct report *rp, struct output *out);

/* Start the progress line on loop; *running: the tasks running. */
void report_start(struct report *rp, rr_loop *loop, const unsigned *running);

/* Task t ended (fh: its host in fleet mode, else NULL). */
void report_task(struct report *rp, const struct task_info *t,
		 const struct fleet_host *fh, bool ok);

/* After each turn of the loop. */
void report_turn(struct report *rp);

/* Before writing to stderr other than through the output. */
void report_erase(struct report *rp);

/* The tasks have ended: the progress line goes (before the loop is freed). */
void report_stop(struct report *rp);

/*
 * The summary line (through out) and the --failed file.  Returns status,
 * or 2 when the file could not be written (after saying why).
 */
int report_finish(struct report *rp, struct output *out, int status);

void report_free(struct report *rp);

#endif
