/*
 * The shell's start-up, measured as hyperfine measures it: the empty
 * command run 50 times through the shell the benchmark uses, the means of
 * its wall, user and system time taken off every run after.
 */
#ifndef CLI_CALIBRATE_H
#define CLI_CALIBRATE_H

#include <stdbool.h>

#include <ringrun.h>

#include "benchmode/benchmark.h"
#include "benchmode/shell.h"

/* hyperfine's count of runs of the empty command. */
#define CALIBRATE_RUNS 50

/*
 * Sets b->spawn, from runs through shell.  Returns 0, or -1 after
 * hyperfine's line on stderr ("Could not measure shell execution time
 * ..."), -EINTR when stop(arg) says so after a turn of the loop (a signal
 * came; the run going is killed).
 */
int bench_calibrate(struct bench *b, rr_loop *loop,
		    const struct bench_shell *shell, bool (*stop)(void *),
		    void *arg);

#endif
