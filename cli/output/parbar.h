/*
 * GNU parallel's --bar and --eta on stderr, in its format (parallel
 * 20221122), drawn each time a task starts or ends:
 *
 *   --eta  a header once:
 *            "\nComputers / CPU cores / Max jobs to run\n1:local / C / J\n\n"
 *            "Computer:jobs running/jobs completed/%of started jobs/"
 *            "Average seconds to complete\n"
 *          then "\rETA: Es Left: L AVG: A.AAs  local:R/D/100%/T.Ts " each
 *          time, and a newline at the end;
 *   --bar  "\r" + "#   E sec ARG" padded to the width + "\r" + the percentage
 *          done (as perl prints a number) + "\r" + reverse video + "P% D:L=Es
 *          ARG" padded to the width, the reverse video ending at P% of it,
 *          and a newline at the end.
 *
 * E is the estimated seconds left, smoothed as parallel smooths it; ARG the
 * input of the task that started last; the width is the terminal's, 80
 * elsewhere.
 */
#ifndef CLI_PARBAR_H
#define CLI_PARBAR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

struct parbar_figures {
	uint64_t total, done, running;
	double elapsed_s;   /* since the run started */
	const char *arg;    /* the newest task's input ("" none) */
	unsigned width;     /* columns */
};

/* The estimate, smoothed from one call to the next (parallel's). */
struct parbar_eta {
	double first_done_s; /* elapsed_s when a task first ended; <0: none */
	double smoothed;     /* average seconds a task, smoothed; 0: none yet */
	long long last;      /* the last estimate */
};

void parbar_eta_init(struct parbar_eta *e);

/* The --eta header; ncpu and jobs as parallel lists its "local". */
void parbar_eta_header(struct buf *b, unsigned ncpu, unsigned jobs);

/* One --eta status, "\r" first. */
void parbar_eta_status(struct buf *b, struct parbar_eta *e,
		       const struct parbar_figures *f);

/* One --bar drawing. */
void parbar_bar(struct buf *b, struct parbar_eta *e,
		const struct parbar_figures *f);

/* A number as perl prints it (%.15g). */
void parbar_perl_number(struct buf *b, double v);

#endif
