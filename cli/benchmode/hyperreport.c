/* Benchmark mode's report as hyperfine prints it. */
#include "benchmode/hyperreport.h"

#include <stdlib.h>

#include "benchmode/benchreport.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* value in unit u as hyperfine formats it ("11.4 ms"), into a fresh t. */
static const char *fmt(struct buf *t, double value, const struct bench_unit *u)
{
	buf_reset(t);
	bench_put(t, value, u);
	return t->data;
}

/* Command c's figures: its times in the unit of its mean. */
static void block(struct buf *b, const struct bench_cmd *c,
		  const struct bench_stats *st)
{
	const struct bench_unit *u = bench_hyperfine_unit(st->wall.mean);
	struct buf t1 = BUF_INIT, t2 = BUF_INIT, t3 = BUF_INIT, t4 = BUF_INIT;

	if (c->nruns == 1)
		buf_printf(b, "  Time (abs ≡):        %8s  %8s     "
			   "[User: %s, System: %s]\n",
			   fmt(&t1, st->wall.mean, u), "",
			   fmt(&t2, st->user.mean, u), fmt(&t3, st->sys.mean, u));
	else if (c->nruns > 1) {
		buf_printf(b, "  Time (mean ± σ):     %8s ± %8s    "
			   "[User: %s, System: %s]\n",
			   fmt(&t1, st->wall.mean, u), fmt(&t2, st->wall.stddev, u),
			   fmt(&t3, st->user.mean, u), fmt(&t4, st->sys.mean, u));
		buf_printf(b, "  Range (min … max):   %8s … %8s    %zu runs\n",
			   fmt(&t1, st->wall.min, u), fmt(&t2, st->wall.max, u),
			   c->nruns);
	}
	buf_adds(b, " \n");
	buf_free(&t1);
	buf_free(&t2);
	buf_free(&t3);
	buf_free(&t4);
}

/* On stderr: a line of one space, then "  Warning: ..." each. */
static void put_warning(void *arg, const struct bench_cmd *c, const char *text)
{
	struct buf *b = arg;

	(void)c;
	if (!b->len)
		buf_adds(b, " \n");
	buf_printf(b, "  Warning: %s\n", text);
}

struct relative {
	size_t cmd;
	double ratio, sd; /* sd < 0: none */
};

static int by_ratio(const void *a, const void *b)
{
	const struct relative *x = a, *y = b;

	return (x->ratio > y->ratio) - (x->ratio < y->ratio);
}

/* "Summary": the fastest, then each other by how much slower it ran;
   none when a mean of 0 compares with nothing (as hyperfine). */
static void summary(struct buf *b, const struct bench *bench,
		    const struct bench_stats *st)
{
	long fast = bench_fastest(bench, st);
	struct relative *rel;
	size_t n = 0;

	if (fast < 0 || bench->ncmds < 2)
		return;
	rel = xreallocarray(NULL, bench->ncmds, sizeof *rel);
	for (size_t k = 0; k < bench->ncmds; k++) {
		if ((long)k == fast)
			continue;
		rel[n].cmd = k;
		if (!bench_ratio(&st[k].wall, &st[fast].wall, &rel[n].ratio,
				 &rel[n].sd)) {
			free(rel);
			return;
		}
		n++;
	}
	qsort(rel, n, sizeof *rel, by_ratio);
	buf_printf(b, "Summary\n  '%s' ran\n", bench->cmds[fast].command);
	for (size_t k = 0; k < n; k++) {
		buf_printf(b, "%8.2f", rel[k].ratio);
		if (rel[k].sd >= 0)
			buf_printf(b, " ± %.2f", rel[k].sd);
		buf_printf(b, " times faster than '%s'\n",
			   bench->cmds[rel[k].cmd].command);
	}
	free(rel);
}

void hyperreport_write(const struct bench *bench, struct output *out)
{
	struct bench_stats *st = bench_all_stats(bench);
	struct buf b = BUF_INIT, w = BUF_INIT;

	for (size_t k = 0; k < bench->ncmds; k++) {
		const struct bench_cmd *c = &bench->cmds[k];

		buf_reset(&b);
		buf_reset(&w);
		buf_printf(&b, "Benchmark %zu: %s\n", k + 1, c->command);
		block(&b, c, &st[k]);
		output_stdout(out, b.data, b.len);
		bench_warnings(bench, c, put_warning, &w);
		if (w.len)
			output_stderr(out, w.data, w.len);
	}
	buf_reset(&b);
	summary(&b, bench, st);
	if (b.len)
		output_stdout(out, b.data, b.len);
	buf_free(&b);
	buf_free(&w);
	free(st);
}
