/*
 * Benchmark mode (--repeat N --warmup W): each command runs W + N times,
 * one task per run, the W warm-ups first; with hyperfine's --setup, its
 * task comes before them, with --prepare one before each run, with
 * --cleanup one after them all.  Task t is of command t / E, E tasks
 * each (bench_runs_each).  The measured runs that succeeded are kept (wall
 * time, the child's user and system CPU time, its peak RSS) and summarised
 * per command.  A run that fails stops the benchmark, as in hyperfine;
 * with --ignore-failure one that exited non-zero or was killed is measured
 * with its exit code, and any other failure is counted, never measured.
 */
#ifndef CLI_BENCHMARK_H
#define CLI_BENCHMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "benchmode/params.h"

/* What hyperfine measures: wall, user or system seconds; peak RSS in KiB. */
enum bench_field { BENCH_WALL, BENCH_USER, BENCH_SYS, BENCH_RSS };

struct bench_run {
	double wall, user, sys; /* seconds, as hyperfine computes them */
	long maxrss_kb;
	int exit_code; /* -N: killed by signal N */
};

struct bench_cmd {
	char *command;         /* as its first run that ended ran it */
	struct bench_run *runs; /* the measured runs, in the order they ended */
	size_t nruns, cap;
	unsigned nonzero;      /* of those, runs that exited non-zero or were
				  killed (--ignore-failure) */
	unsigned failed;       /* measured runs that failed, not measured */
	unsigned warmup_failed;
	char *first_failure;   /* the message of its first failed run */
};

struct bench {
	unsigned repeat, warmup; /* repeat 0: not benchmark mode */
	unsigned jobs;           /* runs at once (-j; 0: the library's limit) */
	bool ignore_failure;     /* --ignore-failure: a failed run does not stop */
	bool setup, prepare, cleanup; /* the commands around the runs */
	const char *const *names; /* --command-name: command k's (NULL: none) */
	size_t nnames;
	const struct param_cmds *params; /* command k's parameters, or NULL */
	bool shell;              /* the commands run through a shell */
	bool hyperfine_report;   /* --report hyperfine: its report's form */
	double spawn[BENCH_RSS]; /* the shell's mean start-up (wall, user,
				    sys seconds), taken off every run */
	size_t ncmds;            /* one past the last that ran */
	size_t cap;
	struct bench_cmd *cmds;
};

/* repeat 0: benchmark mode is off, and every input is one task; else ncmds
   commands, or more as their runs end (inputs read as the run goes). */
void bench_init(struct bench *b, unsigned repeat, unsigned warmup,
		unsigned jobs, size_t ncmds);

/* Tasks per command: W + N and those around them, or 1 when benchmark
   mode is off. */
size_t bench_runs_each(const struct bench *b);

/* What a task is: a run (warm-up or measured), or one around them. */
enum bench_phase { BENCH_SETUP, BENCH_PREPARE, BENCH_RUN, BENCH_CLEANUP };

enum bench_phase bench_phase(const struct bench *b, size_t task);

/*
 * Task number task ended with r (NULL: it could not be handed to the
 * library, for the reason why); command is what it ran.  True: the run
 * failed and the benchmark stops (hyperfine's rule: no --ignore-failure,
 * or it never ran); bench_stop_words() says why.
 */
bool bench_record(struct bench *b, size_t task, const char *command,
		  const struct rr_result *r, const char *why);

/* Is a run that ended with r (NULL: never started) measured: it
   succeeded, or --ignore-failure takes its exit code or signal? */
bool bench_measures(const struct bench *b, const struct rr_result *r);

/* Why task, which failed with r, stops the benchmark, in hyperfine's
   words; caller frees. */
char *bench_stop_words(const struct bench *b, size_t task,
		       const struct rr_result *r);

/* A measured run of command k (named command): what bench_record adds,
   and what the oracle tests feed in. */
void bench_add_run(struct bench *b, size_t k, const char *command,
		   const struct bench_run *run);

/* A run's times in seconds as hyperfine computes them: whole seconds plus
   nanoseconds * 1e-9; microseconds * 1e-6. */
double bench_seconds_ns(uint64_t ns);
double bench_seconds_us(uint64_t us);

/* Did any run, warm-up or measured, fail? */
bool bench_any_failed(const struct bench *b);

void bench_free(struct bench *b);

/* ------------------------------------------------------------ statistics */

struct bench_summary {
	size_t n;
	double min, median, mean, max;
	double stddev; /* sample standard deviation (n - 1); 0 when n < 2 */
};

/* Of x[0..n) (not modified), summed in their order as hyperfine sums
   them; all zero when n is 0. */
void bench_summarize(const double *x, size_t n, struct bench_summary *s);

/* A command's figures: times in seconds, peak RSS in KiB. */
struct bench_stats {
	struct bench_summary wall, user, sys, rss;
};

void bench_stats(const struct bench *b, const struct bench_cmd *c,
		 struct bench_stats *st);

/* Run run's figure f: seconds less the shell's start-up (never below 0),
   or peak RSS in KiB. */
double bench_value(const struct bench *b, const struct bench_run *run,
		   enum bench_field f);

/*
 * hyperfine's outlier rule on x[0..n) in run order (n >= 1): a modified
 * Z-score (from the median absolute deviation) above 14.826.  BENCH_SLOW_FIRST
 * when it is the first run's, BENCH_OUTLIERS when another's.
 */
enum bench_outliers { BENCH_NO_OUTLIERS, BENCH_SLOW_FIRST, BENCH_OUTLIERS };

enum bench_outliers bench_outliers(const double *x, size_t n);

/*
 * How many times slower than fast the command of mean wall time slow is,
 * and the standard deviation of that ratio (propagated from both, as
 * hyperfine does; -1, none, unless both have n >= 2).  False when fast has
 * no runs or a zero mean.
 */
bool bench_ratio(const struct bench_summary *slow,
		 const struct bench_summary *fast, double *ratio,
		 double *stddev);

/* The command of the smallest mean wall time among those with runs, or
   -1 when none has any; st[k] are the commands' figures. */
long bench_fastest(const struct bench *b, const struct bench_stats *st);

#endif
