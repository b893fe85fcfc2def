/*
 * Benchmark mode: which command and run each task is, what the runs
 * measured, and the statistics over them.
 */
#include "benchmode/benchmark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
	return b->repeat ? (size_t)b->repeat + b->warmup : 1;
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

void bench_record(struct bench *b, size_t task, const char *command,
		  const struct rr_result *r, const char *why)
{
	size_t each = bench_runs_each(b);
	struct bench_cmd *c = cmd_entry(b, task / each);
	bool warmup = task % each < b->warmup;

	if (!c->command)
		c->command = xstrdup(command);
	if (!r || r->status != RR_OK) {
		note_failure(c, warmup, r, why);
		return;
	}
	if (warmup)
		return;
	if (c->nruns == c->cap) { /* as the runs come: --repeat may be large */
		c->cap = c->cap ? 2 * c->cap : 16;
		if (c->cap > b->repeat)
			c->cap = b->repeat;
		c->runs = xreallocarray(c->runs, c->cap, sizeof *c->runs);
	}
	c->runs[c->nruns++] = (struct bench_run){
		.wall_ns = r->end_ns - r->start_ns,
		.user_us = r->user_us,
		.sys_us = r->sys_us,
		.maxrss_kb = r->maxrss_kb,
	};
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

/* Two passes over the sorted copy: the mean first, then the squares of
   the deviations from it, which cannot cancel each other out. */
void bench_summarize(const double *x, size_t n, struct bench_summary *s)
{
	double *v, sum = 0, squares = 0;

	*s = (struct bench_summary){ .n = n };
	if (!n)
		return;
	v = xreallocarray(NULL, n, sizeof *v);
	memcpy(v, x, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_double);
	for (size_t k = 0; k < n; k++)
		sum += v[k];
	s->mean = sum / (double)n;
	for (size_t k = 0; k < n; k++)
		squares += (v[k] - s->mean) * (v[k] - s->mean);
	s->stddev = n > 1 ? sqrt(squares / (double)(n - 1)) : 0;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
}

void bench_stats(const struct bench_cmd *c, struct bench_stats *st)
{
	size_t n = c->nruns;
	double *x = xreallocarray(NULL, n ? n : 1, sizeof *x);

	for (size_t k = 0; k < n; k++)
		x[k] = (double)c->runs[k].wall_ns / 1e9;
	bench_summarize(x, n, &st->wall);
	for (size_t k = 0; k < n; k++)
		x[k] = (double)c->runs[k].user_us / 1e6;
	bench_summarize(x, n, &st->user);
	for (size_t k = 0; k < n; k++)
		x[k] = (double)c->runs[k].sys_us / 1e6;
	bench_summarize(x, n, &st->sys);
	for (size_t k = 0; k < n; k++)
		x[k] = (double)c->runs[k].maxrss_kb;
	bench_summarize(x, n, &st->rss);
	free(x);
}

bool bench_ratio(const struct bench_summary *slow,
		 const struct bench_summary *fast, double *ratio,
		 double *stddev)
{
	if (!fast->n || !slow->n || fast->mean <= 0)
		return false;
	*ratio = slow->mean / fast->mean;
	*stddev = 0;
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
