/*
 * Benchmark mode's report: a table on stdout (like hyperfine's, every
 * command's figures in the same columns, then how much faster the fastest
 * one ran), a line on stderr per command that had failed runs, and the
 * --export-json and --export-markdown files.
 */
#ifndef CLI_BENCHREPORT_H
#define CLI_BENCHREPORT_H

#include <stdio.h>

#include "benchmode/benchmark.h"
#include "util/buf.h"
#include "output/output.h"

/* A unit to show a figure in: value * scale, with decimals, then name. */
struct bench_unit {
	const char *name;
	double scale;
	int decimals;
};

/* ns, µs, ms or s: the one that suits seconds. */
const struct bench_unit *bench_time_unit(double seconds);

/* KiB, MiB or GiB: the one that suits kib. */
const struct bench_unit *bench_size_unit(double kib);

/* "812.3 µs": value (seconds or KiB) in unit u. */
void bench_put(struct buf *b, double value, const struct bench_unit *u);

/* The table for stdout. */
void benchreport_text(struct buf *b, const struct bench *bench);

/* {"results":[...]} with hyperfine's fields (times in seconds), and more. */
void benchreport_json(struct buf *b, const struct bench *bench);

/* | Command | Mean ± σ | Min | Max | Relative | */
void benchreport_markdown(struct buf *b, const struct bench *bench);

/* One "ringrun: ..." line per command with failed runs. */
void benchreport_failures(struct output *out, const struct bench *bench);

/*
 * The export files, opened (created, emptied) before the first run so that
 * a path that cannot be written fails before anything runs.
 */
struct bench_exports {
	FILE *json, *markdown; /* NULL: not asked for */
	const char *json_path, *markdown_path;
};

/* Returns 0, or -1 after a "ringrun: --export-...: FILE: why" line. */
int benchreport_open(struct bench_exports *e, const char *json_path,
		     const char *markdown_path);

/*
 * The whole report: failure lines, the table (through out), the export
 * files, which are closed.  Returns 0, or -1 when an export file could not
 * be written (said on stderr).
 */
int benchreport_write(const struct bench *bench, struct bench_exports *e,
		      struct output *out);

/* Close the export files without writing them (the run was cut short). */
void benchreport_close(struct bench_exports *e);

#endif
