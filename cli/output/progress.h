/*
 * The progress line.  On a terminal: one line on stderr, redrawn in place
 * ("\r", the text, "\033[K") at most ten times a second, and erased before
 * anything else is written to that terminal (the output's before_write
 * hook), then redrawn.  Elsewhere, when asked for (--progress): a line of
 * its own at most once a second.  A timer wakes the loop, so that rate
 * and ETA move while no task ends; it is stopped when the run is over.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <ringrun.h>

#include "util/buf.h"
#include "output/modes.h"
#include "output/parbar.h"
#include "output/summary.h"

/* What the line shows. */
struct progress_figures {
	uint64_t done, total; /* tasks */
	bool open;            /* total is of those read so far: shown as ? */
	uint64_t running;
	uint64_t failed;      /* tasks, those of unreachable hosts aside */
	uint64_t elapsed_ms;
	bool fleet;
	uint64_t unreachable; /* hosts */
	uint64_t hosts_done, hosts;
	uint64_t per_host;    /* tasks per host: above 1, hosts are shown */
	bool copy;            /* copy mode: bytes are shown */
	uint64_t bytes, bytes_total;
};

/*
 * "ringrun: 1532/5000 done, 64 running, 3 failed, 812/s, ETA 4s", with
 * hosts ", 1 unreachable" after "failed" and ", 40/200 hosts" at the end
 * when each has several tasks; "?" for the total and ETA while open; in
 * copy mode ", 12.0 MiB/40.0 MiB, 5.1 MiB/s" after "unreachable", and
 * the ETA of the bytes found so far at that rate.  At
 * most width columns (0: any), cut
 * between its parts; no "\r", no newline.  color: failures in colour.
 */
void progress_format(struct buf *b, const struct progress_figures *f,
		     unsigned width, bool color);

enum progress_style {
	PROGRESS_OFF,
	PROGRESS_REDRAW, /* on a terminal, in place */
	PROGRESS_LINES,  /* a line of its own, at most once a second */
	PROGRESS_BAR,    /* --bar: parallel's, drawn as tasks start and end */
	PROGRESS_ETA,    /* --eta: parallel's, likewise */
};

struct progress {
	enum progress_style style;
	int fd;          /* where it goes (stderr) */
	int out_fd;      /* stdout when it is the same terminal, else -1 */
	bool color;
	bool shown;      /* the line is on the terminal now */
	const struct summary *s;
	const unsigned *running;
	rr_timer *timer;
	uint64_t start_ns, drawn_ns; /* drawn_ns 0: never drawn */
	struct buf line; /* what is drawn */
	/* --bar, --eta */
	struct parbar_eta eta;
	struct buf arg;  /* the input of the task that started last */
	uint64_t drawn_done, drawn_running, started;
	unsigned ncpu, jobs;
};

/*
 * when auto: redraw when fd is a terminal, else off; always: redraw on a
 * terminal, else lines; never: off.  The figures come from s and *running.
 * out_fd: stdout, which needs the line erased when it is the same terminal.
 */
void progress_init(struct progress *p, enum when when, int fd, int out_fd,
		   bool color, const struct summary *s,
		   const unsigned *running);

/* GNU parallel's --bar (bar) or --eta instead, whatever when said;
   ncpu and jobs for --eta's header. */
void progress_parallel(struct progress *p, bool bar, unsigned ncpu,
		       unsigned jobs);

/* A task started with this input (--bar shows it). */
void progress_started(struct progress *p, const char *arg, size_t len);

/* Start ticking on loop.  Returns 0, or -errno and the progress is off. */
int progress_start(struct progress *p, rr_loop *loop);

/* Between turns of the loop: draw when it is due. */
void progress_show(struct progress *p);

/* The output's hook: something is about to be written to fd. */
void progress_before_write(void *progress, int fd);

/* The run is over: erase the line, stop and free the timer (before the
   loop is freed). */
void progress_end(struct progress *p);

#endif
