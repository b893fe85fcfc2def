/* --stats: what a benchmark needs, as a few lines for stderr. */
#ifndef CLI_STATS_H
#define CLI_STATS_H

#include <stdint.h>
#include <sys/resource.h>

#include <ringrun.h>

#include "buf.h"

struct run_figures {
	uint64_t ok, failed;
	uint64_t wall_ns;
	struct rusage self;     /* getrusage(RUSAGE_SELF) */
	struct rusage children; /* getrusage(RUSAGE_CHILDREN) */
	struct rr_loop_stats loop;
};

/* Append the lines, each starting "ringrun: ". */
void stats_format(struct buf *b, const struct run_figures *f);

#endif
