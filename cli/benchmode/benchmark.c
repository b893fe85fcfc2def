/*
 * Benchmark mode: which command and run each task is, what the runs
 * measured, and the statistics over them.
 */
#include "benchmode/benchmark.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void bench_init(struct bench *b, unsigned repeat, unsigned warmup,
		unsigned jobs, size_t ncmds)
{
	*b = (struct bench){ .repeat = repeat, .warmup = warmup, .jobs = jobs };
	if (!repeat)
		return;
	b->ncmds = ncmds;
	b->cap = ncmds ? ncmds : 1;
	b->cmds = xcalloc(b->cap, sizeof *b->cmds);
}

/* Command number k, the table grown to it. */
static struct bench_cmd *cmd_entry(struct bench *b, size_t k)
{
	if (k >= b->cap) {
		size_t cap = 2 * b->cap > k ? 2 * b->cap : k + 1;

		b->cmds = xreallocarray(b->cmds, cap, sizeof *b->cmds);
		memset(b->cmds + b->cap, 0, (cap - b->cap) * sizeof *b->cmds);
		b->cap = cap;
	}
	if (k >= b->ncmds)
		b->ncmds = k + 1;
	return &b->cmds[k];
}

size_t bench_runs_each(const struct bench *b)
{
	if (!b->repeat)
		return 1;
	return b->setup + ((size_t)b->repeat + b->warmup) * (1 + b->prepare) +
	       b->cleanup;
}

/* Task t of its command: which run (counting warm-ups) or phase. */
static enum bench_phase phase_run(const struct bench *b, size_t task,
				  size_t *run)
{
	size_t each = bench_runs_each(b), t = task % each;

	*run = 0;
	if (b->setup && t == 0)
		return BENCH_SETUP;
	if (b->cleanup && t == each - 1)
		return BENCH_CLEANUP;
	t -= b->setup;
	*run = t / (1 + b->prepare);
	return b->prepare && t % 2 == 0 ? BENCH_PREPARE : BENCH_RUN;
}

enum bench_phase bench_phase(const struct bench *b, size_t task)
{
	size_t run;

	return phase_run(b, task, &run);
}

static void note_failure(struct bench_cmd *c, bool warmup,
			 const struct rr_result *r, const char *why)
{
	if (warmup)
		c->warmup_failed++;
	else
		c->failed++;
	if (c->first_failure)
		return;
	if (!r)
		c->first_failure = xstrdup(why);
	else if (r->message && *r->message)
		c->first_failure = xstrdup(r->message);
	else
		c->first_failure = xstrdup(rr_status_name(r->status));
}

/* Did the run end by its exit or a signal of its own, which
   --ignore-failure measures? */
static bool ran_to_its_end(const struct rr_result *r)
{
	return r && r->started &&
	       (r->status == RR_EXIT_NONZERO || r->status == RR_SIGNALED);
}

bool bench_measures(const struct bench *b, const struct rr_result *r)
{
	return r && (r->status == RR_OK ||
		     (b->ignore_failure && ran_to_its_end(r)));
}

bool bench_record(struct bench *b, size_t task, const char *command,
		  const struct rr_result *r, const char *why)
{
	size_t each = bench_runs_each(b), run;
	enum bench_phase phase = phase_run(b, task, &run);
	struct bench_cmd *c = cmd_entry(b, task / each);
	bool warmup = run < b->warmup;
	bool measured = bench_measures(b, r);

	if (phase != BENCH_RUN) /* hyperfine's rule: it must succeed */
		return !r || r->status != RR_OK;
	if (!c->command && task / each < b->nnames && b->names[task / each])
		c->command = xstrdup(b->names[task / each]);
	if (!c->command)
		c->command = xstrdup(command);
	if (!measured) {
		note_failure(c, warmup, r, why);
		return !b->ignore_failure || !r;
	}
	if (warmup)
		return false;
	if (r->status != RR_OK)
		c->nonzero++;
	bench_add_run(b, task / each, command, &(const struct bench_run){
		.wall = bench_seconds_ns(r->end_ns - r->start_ns),
		.user = bench_seconds_us(r->user_us),
		.sys = bench_seconds_us(r->sys_us),
		.maxrss_kb = r->maxrss_kb,
		.exit_code = r->exit_code,
	});
	return false;
}

void bench_add_run(struct bench *b, size_t k, const char *command,
		   const struct bench_run *run)
{
	struct bench_cmd *c = cmd_entry(b, k);

	if (!c->command)
		c->command = xstrdup(command);
	if (c->nruns == c->cap) { /* as the runs come: --repeat may be large */
		c->cap = c->cap ? 2 * c->cap : 16;
		if (c->cap > b->repeat)
			c->cap = b->repeat;
		c->runs = xreallocarray(c->runs, c->cap, sizeof *c->runs);
	}
	assert(c->nruns < c->cap);
	c->runs[c->nruns++] = *run;
}

double bench_seconds_ns(uint64_t ns)
{
	return (double)(ns / 1000000000) + (double)(ns % 1000000000) * 1e-9;
}

double bench_seconds_us(uint64_t us)
{
	return (double)us * 1e-6;
}

/* hyperfine's names of the commands around the runs. */
static const char *const phase_name[] = {
	[BENCH_SETUP] = "setup", [BENCH_PREPARE] = "preparation",
	[BENCH_CLEANUP] = "cleanup",
};

char *bench_stop_words(const struct bench *bench, size_t task,
		       const struct rr_result *r)
{
	enum bench_phase phase = bench_phase(bench, task);
	struct buf b = BUF_INIT;

	if (phase != BENCH_RUN)
		buf_printf(&b, "The %s command terminated with a non-zero exit "
			   "code. Append ' || true' to the command if you are "
			   "sure that this can be ignored.", phase_name[phase]);
	else if (r->status == RR_EXIT_NONZERO)
		buf_printf(&b, "Command terminated with non-zero exit code: %d",
			   r->exit_code);
	else if (r->status == RR_SIGNALED)
		buf_adds(&b, "The process has been terminated by a signal");
	else
		buf_adds(&b, r->message && *r->message ? r->message :
			 rr_status_name(r->status));
	if (phase == BENCH_RUN)
		buf_adds(&b, ". Use the '--ignore-failure' option if you want to "
			     "ignore this. Alternatively, use the '-o group' option "
			     "to debug what went wrong.");
	return buf_detach(&b);
}

bool bench_any_failed(const struct bench *b)
{
	for (size_t k = 0; k < b->ncmds; k++)
		if (b->cmds[k].failed || b->cmds[k].warmup_failed)
			return true;
	return false;
}

void bench_free(struct bench *b)
{
	for (size_t k = 0; k < b->ncmds; k++) {
		free(b->cmds[k].command);
		free(b->cmds[k].runs);
		free(b->cmds[k].first_failure);
	}
	free(b->cmds);
	*b = (struct bench){ 0 };
}

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of x[0..n), n >= 1 (not modified). */
static double median(const double *x, size_t n)
{
	double *v = xreallocarray(NULL, n, sizeof *v), m;

	memcpy(v, x, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_double);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return m;
}

/* Two passes in run order (hyperfine's, so that its figures come out to
   the last bit): the mean first, then the squares of the deviations from
   it, which cannot cancel each other out. */
void bench_summarize(const double *x, size_t n, struct bench_summary *s)
{
	double sum = 0, squares = 0;

	*s = (struct bench_summary){ .n = n };
	if (!n)
		return;
	s->min = s->max = x[0];
	for (size_t k = 0; k < n; k++) {
		sum += x[k];
		s->min = x[k] < s->min ? x[k] : s->min;
		s->max = x[k] > s->max ? x[k] : s->max;
	}
	s->mean = sum / (double)n;
	for (size_t k = 0; k < n; k++)
		squares += (x[k] - s->mean) * (x[k] - s->mean);
	s->stddev = n > 1 ? sqrt(squares / (double)(n - 1)) : 0;
	s->median = median(x, n);
}

/* hyperfine's threshold: 10 standard deviations of a normal distribution,
   in units of the median absolute deviation. */
#define OUTLIER_THRESHOLD (1.4826 * 10.0)

enum bench_outliers bench_outliers(const double *x, size_t n)
{
	double *dev = xreallocarray(NULL, n, sizeof *dev), mid, mad;
	enum bench_outliers found = BENCH_NO_OUTLIERS;

	assert(n > 0);
	mid = median(x, n);
	for (size_t k = 0; k < n; k++)
		dev[k] = fabs(x[k] - mid);
	mad = median(dev, n);
	if (!(mad > 0))
		mad = DBL_EPSILON;
	if ((x[0] - mid) / mad > OUTLIER_THRESHOLD)
		found = BENCH_SLOW_FIRST;
	for (size_t k = 0; k < n && !found; k++)
		if (fabs((x[k] - mid) / mad) > OUTLIER_THRESHOLD)
			found = BENCH_OUTLIERS;
	free(dev);
	return found;
}

/* seconds less the shell's start-up, never below 0 (hyperfine's). */
static double corrected(double seconds, double spawn)
{
	return seconds - spawn > 0 ? seconds - spawn : 0;
}

double bench_value(const struct bench *b, const struct bench_run *run,
		   enum bench_field f)
{
	switch (f) {
	case BENCH_WALL:
		return corrected(run->wall, b->spawn[f]);
	case BENCH_USER:
		return corrected(run->user, b->spawn[f]);
	case BENCH_SYS:
		return corrected(run->sys, b->spawn[f]);
	case BENCH_RSS:
		break;
	}
	return (double)run->maxrss_kb;
}

void bench_stats(const struct bench *b, const struct bench_cmd *c,
		 struct bench_stats *st)
{
	size_t n = c->nruns;
	double *x = xreallocarray(NULL, n ? n : 1, sizeof *x);

	struct bench_summary *to[] = { &st->wall, &st->user, &st->sys,
				       &st->rss };

	for (enum bench_field f = BENCH_WALL; f <= BENCH_RSS; f++) {
		for (size_t k = 0; k < n; k++)
			x[k] = bench_value(b, &c->runs[k], f);
		bench_summarize(x, n, to[f]);
	}
	free(x);
}

bool bench_ratio(const struct bench_summary *slow,
		 const struct bench_summary *fast, double *ratio,
		 double *stddev)
{
	if (!fast->n || !slow->n || fast->mean <= 0)
		return false;
	*ratio = slow->mean / fast->mean;
	*stddev = -1;
	if (slow->n > 1 && fast->n > 1 && slow->mean > 0) {
		double a = slow->stddev / slow->mean, b = fast->stddev / fast->mean;

		*stddev = *ratio * sqrt(a * a + b * b);
	}
	return true;
}

long bench_fastest(const struct bench *b, const struct bench_stats *st)
{
	long best = -1;

	for (size_t k = 0; k < b->ncmds; k++)
		if (st[k].wall.n &&
		    (best < 0 || st[k].wall.mean < st[best].wall.mean))
			best = (long)k;
	return best;
}
