/*
 * Benchmark mode's report: the table on stdout, the failure and warning
 * lines, the export files.
 */
#include "benchmode/benchreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "benchmode/hyperreport.h"
#include "util/xalloc.h"

/* The table's columns, in characters on the screen. */
#define LABEL_W 12
#define MEAN_W 10
#define COL_W 12

static const struct bench_unit time_units[] = {
	{ "ns", 1e9, 0 },
	{ "µs", 1e6, 1 },
	{ "ms", 1e3, 1 },
	{ "s", 1, 3 },
};

static const struct bench_unit size_units[] = {
	{ "KiB", 1, 0 },
	{ "MiB", 1.0 / 1024, 1 },
	{ "GiB", 1.0 / (1024 * 1024), 2 },
};

const struct bench_unit *bench_time_unit(double seconds)
{
	if (seconds < 1e-6)
		return &time_units[0];
	if (seconds < 1e-3)
		return &time_units[1];
	if (seconds < 1)
		return &time_units[2];
	return &time_units[3];
}

const struct bench_unit *bench_size_unit(double kib)
{
	if (kib < 1024)
		return &size_units[0];
	if (kib < 1024 * 1024)
		return &size_units[1];
	return &size_units[2];
}

void bench_put(struct buf *b, double value, const struct bench_unit *u)
{
	buf_printf(b, "%.*f %s", u->decimals, value * u->scale, u->name);
}

/* ------------------------------------------------------------ the table */

/* Characters on the screen: UTF-8 continuation bytes take no room. */
static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void pad_left(struct buf *b, const char *s, size_t width)
{
	for (size_t w = display_width(s); w < width; w++)
		buf_addc(b, ' ');
	buf_adds(b, s);
}

/* value in unit u, right-aligned in width. */
static void cell(struct buf *b, double value, const struct bench_unit *u,
		 size_t width)
{
	struct buf v = BUF_INIT;

	bench_put(&v, value, u);
	pad_left(b, v.data, width);
	buf_free(&v);
}

/* One figure's row: mean ± σ, median, min, max, all in the mean's unit. */
static void row(struct buf *b, const char *label,
		const struct bench_summary *s, const struct bench_unit *u)
{
	buf_printf(b, "  %-*s", LABEL_W - 2, label);
	cell(b, s->mean, u, MEAN_W);
	buf_adds(b, " ± ");
	cell(b, s->stddev, u, MEAN_W);
	cell(b, s->median, u, COL_W);
	cell(b, s->min, u, COL_W);
	cell(b, s->max, u, COL_W);
	buf_addc(b, '\n');
}

static void header(struct buf *b, const struct bench *bench)
{
	buf_printf(b, "Benchmark of %zu command%s: %u run%s each", bench->ncmds,
		   bench->ncmds == 1 ? "" : "s", bench->repeat,
		   bench->repeat == 1 ? "" : "s");
	if (bench->warmup)
		buf_printf(b, " after %u warm-up run%s", bench->warmup,
			   bench->warmup == 1 ? "" : "s");
	if (bench->jobs == 1)
		buf_adds(b, ", one run at a time\n");
	else if (bench->jobs == 0)
		buf_adds(b, ", as many runs at once as the fd limit allows "
			    "(-j 0): runs compete with each other\n");
	else
		buf_printf(b, ", up to %u runs at once (-j %u): runs compete "
			   "with each other\n", bench->jobs, bench->jobs);
	buf_printf(b, "%*s", LABEL_W, "");
	pad_left(b, "mean ± σ", 2 * MEAN_W + 3);
	pad_left(b, "median", COL_W);
	pad_left(b, "min", COL_W);
	pad_left(b, "max", COL_W);
	buf_addc(b, '\n');
}

/* 'command': how many of its runs counted, how many failed. */
static void title(struct buf *b, const struct bench *bench,
		  const struct bench_cmd *c)
{
	buf_printf(b, "'%s': ", c->command);
	if (c->failed)
		buf_printf(b, "%zu of %u runs ok, %u failed", c->nruns,
			   bench->repeat, c->failed);
	else
		buf_printf(b, "%zu run%s", c->nruns, c->nruns == 1 ? "" : "s");
	if (c->nonzero)
		buf_printf(b, "; %u exited non-zero or were killed (ignored)",
			   c->nonzero);
	if (c->warmup_failed)
		buf_printf(b, "; %u of %u warm-up runs failed", c->warmup_failed,
			   bench->warmup);
	buf_addc(b, '\n');
}

static void figures(struct buf *b, const struct bench_stats *st)
{
	if (!st->wall.n) {
		buf_adds(b, "  no run succeeded\n");
		return;
	}
	row(b, "wall", &st->wall, bench_time_unit(st->wall.mean));
	row(b, "user", &st->user, bench_time_unit(st->user.mean));
	row(b, "sys", &st->sys, bench_time_unit(st->sys.mean));
	row(b, "peak RSS", &st->rss, bench_size_unit(st->rss.mean));
}

/* "'a' ran 1.53 ± 0.04 times faster than 'b'", for every other b. */
static void relative(struct buf *b, const struct bench *bench,
		     const struct bench_stats *st)
{
	long fast = bench_fastest(bench, st);
	double ratio, sd;
	bool first = true;

	for (size_t k = 0; fast >= 0 && k < bench->ncmds; k++) {
		if ((long)k == fast ||
		    !bench_ratio(&st[k].wall, &st[fast].wall, &ratio, &sd))
			continue;
		if (first)
			buf_addc(b, '\n');
		first = false;
		buf_printf(b, "'%s' ran %.2f", bench->cmds[fast].command, ratio);
		if (sd >= 0)
			buf_printf(b, " ± %.2f", sd);
		buf_printf(b, " times faster than '%s'\n", bench->cmds[k].command);
	}
}

void benchreport_text(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = bench_all_stats(bench);

	header(b, bench);
	for (size_t k = 0; k < bench->ncmds; k++) {
		title(b, bench, &bench->cmds[k]);
		figures(b, &st[k]);
	}
	relative(b, bench, st);
	free(st);
}

/* ------------------------------------------------------------- failures */

void benchreport_failures(struct output *out, const struct bench *bench)
{
	for (size_t k = 0; k < bench->ncmds; k++) {
		const struct bench_cmd *c = &bench->cmds[k];
		struct buf what = BUF_INIT;

		if (!c->failed && !c->warmup_failed)
			continue;
		if (c->failed)
			buf_printf(&what, "%u of %u runs", c->failed,
				   bench->repeat);
		if (c->warmup_failed)
			buf_printf(&what, "%s%u of %u warm-up runs",
				   c->failed ? " and " : "", c->warmup_failed,
				   bench->warmup);
		output_note(out, "%s of '%s' failed; the first: %s", what.data,
			    c->command, c->first_failure);
		buf_free(&what);
	}
}

/* ------------------------------------------------------------- warnings */

/* hyperfine's: below this a shell's start-up cannot be told apart. */
#define MIN_EXECUTION_TIME 5e-3

void bench_warnings(const struct bench *bench, const struct bench_cmd *c,
		    bench_warn_fn *put, void *arg)
{
	double *x = xreallocarray(NULL, c->nruns ? c->nruns : 1, sizeof *x);
	bool fast = false;
	struct buf t = BUF_INIT;

	for (size_t k = 0; k < c->nruns; k++) {
		x[k] = bench_value(bench, &c->runs[k], BENCH_WALL);
		fast |= x[k] < MIN_EXECUTION_TIME;
	}
	if (bench->shell && fast)
		put(arg, c, "Command took less than 5 ms to complete. Note that "
			    "the results might be inaccurate because ringrun can "
			    "not calibrate the shell startup time much more "
			    "precise than this limit. You can try to use the "
			    "`--shell=none` option to disable the shell "
			    "completely.");
	if (c->nonzero)
		put(arg, c, "Ignoring non-zero exit code.");
	switch (c->nruns ? bench_outliers(x, c->nruns) : BENCH_NO_OUTLIERS) {
	case BENCH_SLOW_FIRST:
		buf_adds(&t, "The first benchmarking run for this command was "
			     "significantly slower than the rest (");
		bench_put(&t, x[0], x[0] < 1 ? &time_units[2] : &time_units[3]);
		buf_adds(&t, "). This could be caused by (filesystem) caches "
			     "that were not filled until after the first run. You "
			     "should consider using the '--warmup' option to fill "
			     "those caches before the actual benchmark. "
			     "Alternatively, use the '--prepare' option to clear "
			     "the caches before each timing run.");
		put(arg, c, t.data);
		break;
	case BENCH_OUTLIERS:
		put(arg, c, "Statistical outliers were detected. Consider "
			    "re-running this benchmark on a quiet PC without any "
			    "interferences from other programs. It might help to "
			    "use the '--warmup' or '--prepare' options.");
		break;
	case BENCH_NO_OUTLIERS:
		break;
	}
	buf_free(&t);
	free(x);
}

/* ringrun's form: "ringrun: 'command': Warning: ..." */
static void note_warning(void *arg, const struct bench_cmd *c,
			 const char *text)
{
	output_note(arg, "'%s': Warning: %s", c->command, text);
}

/* bench_warnings, one "ringrun: 'command': Warning: ..." line each. */
static void benchreport_warnings(struct output *out, const struct bench *bench)
{
	for (size_t k = 0; k < bench->ncmds; k++)
		bench_warnings(bench, &bench->cmds[k], note_warning, out);
}

/* --------------------------------------------------------------- files */

static const char *const export_option[BENCH_EXPORTS] = {
	"--export-json", "--export-markdown", "--export-csv",
};

int benchreport_open(struct bench_exports *e, const char *const *paths)
{
	*e = (struct bench_exports){ 0 };
	for (int k = 0; k < BENCH_EXPORTS; k++) {
		e->path[k] = paths[k];
		if (!paths[k])
			continue;
		e->file[k] = fopen(paths[k], "we");
		if (!e->file[k]) {
			fprintf(stderr, "ringrun: %s: %s: %s\n", export_option[k],
				paths[k], strerror(errno));
			benchreport_close(e);
			return -1;
		}
	}
	return 0;
}

/* Write b to export k and close it; -1 after a line on stderr if that
   failed. */
static int write_export(struct bench_exports *e, int k, const struct buf *b)
{
	FILE *f = e->file[k];
	int err = 0;

	if (fwrite(b->data, 1, b->len, f) != b->len || fflush(f) != 0)
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && !err)
		err = errno ? errno : EIO;
	e->file[k] = NULL;
	if (!err)
		return 0;
	fprintf(stderr, "ringrun: %s: %s: %s\n", export_option[k], e->path[k],
		strerror(err));
	return -1;
}

/* Export k's contents; -1 when it has none to give (said on stderr). */
static int export_text(struct buf *b, const struct bench *bench,
		       const struct bench_exports *e, int k)
{
	switch (k) {
	case BENCH_JSON:
		benchreport_json(b, bench);
		return 0;
	case BENCH_MARKDOWN:
		if (benchreport_markdown(b, bench) == 0)
			return 0;
		fprintf(stderr, "ringrun: --export-markdown: %s: relative speed "
			"comparison is not available: a mean is 0 (the table stops "
			"before it)\n", e->path[k]);
		return -1;
	}
	benchreport_csv(b, bench);
	return 0;
}

int benchreport_write(const struct bench *bench, struct bench_exports *e,
		      struct output *out)
{
	struct buf b = BUF_INIT;
	int r = 0;

	benchreport_failures(out, bench);
	if (bench->hyperfine_report) {
		hyperreport_write(bench, out);
	} else {
		benchreport_warnings(out, bench);
		benchreport_text(&b, bench);
		output_stdout(out, b.data, b.len);
	}
	output_flush(out);
	for (int k = 0; k < BENCH_EXPORTS; k++) {
		if (!e->file[k])
			continue;
		buf_reset(&b);
		if (export_text(&b, bench, e, k) < 0)
			r = -1;
		if (write_export(e, k, &b) < 0)
			r = -1;
	}
	buf_free(&b);
	return r;
}

void benchreport_close(struct bench_exports *e)
{
	for (int k = 0; k < BENCH_EXPORTS; k++) {
		if (e->file[k])
			fclose(e->file[k]);
		e->file[k] = NULL;
	}
}
