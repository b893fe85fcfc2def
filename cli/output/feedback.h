/*
 * What the operator is told about the run besides the tasks' output: the
 * progress line, the summary at the end and the --failed file, each when
 * the options and the terminal say so, and colour on the output.
 */
#ifndef CLI_FEEDBACK_H
#define CLI_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "hosts/hosts.h"
#include "output/modes.h"
#include "output/output.h"
#include "output/progress.h"
#include "output/summary.h"

/* What the command line asks of it. */
struct feedback_opts {
	enum when progress, summary, color;
	const char *failed_file;  /* --failed; NULL: none */
	const struct hosts *hosts; /* fleet mode's; NULL: local mode */
	bool copy;                 /* copy mode: bytes are counted */
	bool bar, eta;             /* parallel's progress instead */
	unsigned ncpu, jobs;       /* for --eta's header */
};

struct feedback {
	struct feedback_opts o;
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
int feedback_init(struct feedback *fb, const struct feedback_opts *o,
		  size_t ninputs);

/* ntasks more tasks came from a stream read as the run goes; more:
   others may still come (the totals shown are "?" until then). */
void feedback_more(struct feedback *fb, uint64_t ntasks, bool more);

/* Colour out's sinks when wanted; the progress line erases itself before
   out writes to its terminal. */
void feedback_attach(struct feedback *fb, struct output *out);

/* Start the progress line on loop; *running: the tasks running. */
void feedback_start(struct feedback *fb, rr_loop *loop,
		    const unsigned *running);

/* Task t started. */
void feedback_started(struct feedback *fb, const struct task_info *t);

/* Task t ended so (fleet mode: of host number host in the list). */
void feedback_task(struct feedback *fb, const struct task_info *t, size_t host,
		   enum task_end how);

/* Copy mode: done more bytes copied, of total more found. */
void feedback_bytes(struct feedback *fb, uint64_t done, uint64_t total);

/* After each turn of the loop. */
void feedback_turn(struct feedback *fb);

/* Before writing to stderr other than through the output. */
void feedback_erase(struct feedback *fb);

/* The tasks have ended: the progress line goes (before the loop is freed). */
void feedback_stop(struct feedback *fb);

/*
 * The summary line (through out) and the --failed file.  Returns status,
 * or 2 when the file could not be written (after saying why).
 */
int feedback_finish(struct feedback *fb, struct output *out, int status);

void feedback_free(struct feedback *fb);

#endif
