/*
 * Benchmark mode's report: a table on stdout (like hyperfine's, every
 * command's figures in the same columns, then how much faster the fastest
 * one ran; or hyperfine's own, hyperreport.h), a line on stderr per
 * command that had failed runs, and the --export-json and
 * --export-markdown files.
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

/* "0.0007809232000000001": x as hyperfine's JSON and CSV print it (Rust's
   f64 Display): the shortest decimal that reads back as x, no exponent. */
void bench_put_shortest(struct buf *b, double x);

/* Figures of every command (caller frees). */
struct bench_stats *bench_all_stats(const struct bench *bench);

/* The table for stdout. */
void benchreport_text(struct buf *b, const struct bench *bench);

/* {"results":[...]}: hyperfine's fields first (times in seconds), then
   ringrun's. */
void benchreport_json(struct buf *b, const struct bench *bench);

/* hyperfine's table, cell for cell: | Command | Mean [ms] | ... | Relative |.
   -1 when a mean is 0, which hyperfine cannot compare with: then the table
   holds the commands before it, as hyperfine's file does. */
int benchreport_markdown(struct buf *b, const struct bench *bench);

/* hyperfine's columns: command,mean,stddev,median,user,system,min,max */
void benchreport_csv(struct buf *b, const struct bench *bench);

/* One "ringrun: ..." line per command with failed runs. */
void benchreport_failures(struct output *out, const struct bench *bench);

/* hyperfine's warnings about command c's runs (outliers, a slow first
   run, ignored exit codes, runs too short for the shell correction), in
   its words: put(arg, c, text) for each. */
typedef void bench_warn_fn(void *arg, const struct bench_cmd *c,
			   const char *text);
void bench_warnings(const struct bench *bench, const struct bench_cmd *c,
		    bench_warn_fn *put, void *arg);


/* hyperfine's two units (ms below a second, else s), as its report and
   Markdown show times. */
const struct bench_unit *bench_hyperfine_unit(double seconds);

/*
 * The export files, opened (created, emptied) before the first run so that
 * a path that cannot be written fails before anything runs.
 */
enum { BENCH_JSON, BENCH_MARKDOWN, BENCH_CSV, BENCH_EXPORTS };

struct bench_exports {
	FILE *file[BENCH_EXPORTS]; /* NULL: not asked for */
	const char *path[BENCH_EXPORTS];
};

/* paths[BENCH_JSON...] (NULL: not asked for).  Returns 0, or -1 after a
   "ringrun: --export-...: FILE: why" line. */
int benchreport_open(struct bench_exports *e, const char *const *paths);

/*
 * The whole report: failure and warning lines, the table (through out),
 * the export files, which are closed.  Returns 0, or -1 when an export file
 * could not be written (said on stderr).
 */
int benchreport_write(const struct bench *bench, struct bench_exports *e,
		      struct output *out);

/* Close the export files without writing them (the run was cut short). */
void benchreport_close(struct bench_exports *e);

#endif
