/*
 * Benchmark mode's report in hyperfine's form (--report hyperfine, the
 * hyperfine personality's): "Benchmark N: COMMAND", its "Time (mean ± σ)"
 * and "Range (min … max)" lines (or "Time (abs ≡)" of one run) on stdout,
 * its warnings on stderr, then the "Summary" of how much faster the
 * fastest command ran, as hyperfine 1.15 prints them without colours.
 */
#ifndef CLI_HYPERREPORT_H
#define CLI_HYPERREPORT_H

#include "benchmode/benchmark.h"
#include "output/output.h"

void hyperreport_write(const struct bench *bench, struct output *out);

#endif
