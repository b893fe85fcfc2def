/* --stats: what a benchmark needs, as a few lines for stderr. */
#ifndef CLI_STATS_H
#define CLI_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include <ringrun.h>

#include "util/buf.h"

struct run_figures {
	uint64_t ok, failed;
	uint64_t skipped;       /* --resume-failed: done before */
	uint64_t wall_ns;
	struct rusage self;     /* getrusage(RUSAGE_SELF) */
	long peak_rss_kb;       /* stats_peak_rss_kb() */
	struct rusage children; /* getrusage(RUSAGE_CHILDREN) */
	struct rr_loop_stats loop;
	bool fleet;                   /* fleet mode: the host figures below */
	uint64_t hosts;               /* in the list */
	uint64_t reached, unreachable; /* the rest never started */
	unsigned hosts_at_once, per_host;
};

/*
 * ringrun's own peak resident memory: VmHWM.  ru_maxrss would also count
 * the process we were exec'd from, as exec keeps it.
 */
long stats_peak_rss_kb(void);

/* Append the lines, each starting "ringrun: ". */
void stats_format(struct buf *b, const struct run_figures *f);

#endif
