/* The shell's start-up, measured through the library as the runs are. */
#include "benchmode/calibrate.h"

#include <errno.h>
#include <stdio.h>

#include "benchmode/shell.h"

/* The loop's turns until t has ended; -EINTR once stop says so. */
static int wait_for(rr_loop *loop, rr_task *t, bool (*stop)(void *),
		    void *arg)
{
	while (!rr_task_done(t)) {
		int err = rr_loop_run(loop, RR_RUN_ONCE);

		if (stop(arg))
			return -EINTR;
		if (err < 0 && err != -EINTR)
			return err;
	}
	return 0;
}

/* One run of the empty command: its times added to sum; 0, -1 (it
   failed) or a negative errno. */
static int once(rr_loop *loop, const struct bench_shell *shell,
		double sum[BENCH_RSS], bool (*stop)(void *), void *arg)
{
	const struct rr_opts opts = { .flags = RR_F_RUSAGE,
				      .stdout_mode = RR_IO_DISCARD,
				      .stderr_mode = RR_IO_DISCARD };
	rr_task *t = bench_start(loop, shell, "", &opts);
	const struct rr_result *r;
	int err;

	if (!t)
		return -1;
	err = wait_for(loop, t, stop, arg);
	r = rr_task_result(t);
	if (!err && r->status != RR_OK)
		err = -1;
	if (!err) {
		sum[BENCH_WALL] += bench_seconds_ns(r->end_ns - r->start_ns);
		sum[BENCH_USER] += bench_seconds_us(r->user_us);
		sum[BENCH_SYS] += bench_seconds_us(r->sys_us);
	}
	rr_task_free(t);
	return err;
}

int bench_calibrate(struct bench *b, rr_loop *loop,
		    const struct bench_shell *shell, bool (*stop)(void *),
		    void *arg)
{
	double sum[BENCH_RSS] = { 0 };

	for (int k = 0; k < CALIBRATE_RUNS; k++) {
		int err = once(loop, shell, sum, stop, arg);

		if (err == -EINTR)
			return err;
		if (err < 0) {
			fprintf(stderr, "ringrun: Could not measure shell execution "
				"time. Make sure you can run '%s -c \"\"'.\n",
				bench_shell_name(shell));
			return -1;
		}
	}
	for (int f = 0; f < BENCH_RSS; f++)
		b->spawn[f] = sum[f] / CALIBRATE_RUNS;
	return 0;
}
