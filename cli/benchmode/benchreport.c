/*
 * Benchmark mode's report: the table on stdout, the failure lines, the JSON
 * and Markdown exports.
 */
#include "benchmode/benchreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"
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

/* Figures of every command (caller frees). */
static struct bench_stats *all_stats(const struct bench *bench)
{
	struct bench_stats *st = xcalloc(bench->ncmds ? bench->ncmds : 1,
					 sizeof *st);

	for (size_t k = 0; k < bench->ncmds; k++)
		bench_stats(&bench->cmds[k], &st[k]);
	return st;
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
		if (sd > 0)
			buf_printf(b, " ± %.2f", sd);
		buf_printf(b, " times faster than '%s'\n", bench->cmds[k].command);
	}
}

void benchreport_text(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = all_stats(bench);

	header(b, bench);
	for (size_t k = 0; k < bench->ncmds; k++) {
		title(b, bench, &bench->cmds[k]);
		figures(b, &st[k]);
	}
	relative(b, bench, st);
	free(st);
}

/* ----------------------------------------------------------------- JSON */

static void json_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	json_escape(b, s, strlen(s), SIZE_MAX);
	buf_addc(b, '"');
}

/* Seconds to the nanosecond; bytes to the byte. */
#define SECONDS "%.9f"

/* "name":{"mean":..,"stddev":..,"median":..,"min":..,"max":..} */
static void json_summary(struct buf *b, const char *name,
			 const struct bench_summary *s, int decimals)
{
	const double v[] = { s->mean, s->stddev, s->median, s->min, s->max };
	const char *const keys[] = { "mean", "stddev", "median", "min", "max" };

	buf_printf(b, ",\"%s\":{", name);
	for (size_t k = 0; k < 5; k++) {
		buf_printf(b, "%s\"%s\":", k ? "," : "", keys[k]);
		if (!s->n || (k == 1 && s->n < 2))
			buf_adds(b, "null");
		else
			buf_printf(b, "%.*f", decimals, v[k]);
	}
	buf_addc(b, '}');
}

/* hyperfine's top-level fields: wall time in seconds, user and system
   time means; null where there is no figure. */
static void json_hyperfine(struct buf *b, const struct bench_stats *st)
{
	const struct bench_summary *w = &st->wall;

	if (!w->n) {
		buf_adds(b, ",\"mean\":null,\"stddev\":null,\"median\":null,"
			    "\"user\":null,\"system\":null,\"min\":null,"
			    "\"max\":null");
		return;
	}
	buf_printf(b, ",\"mean\":" SECONDS ",\"stddev\":", w->mean);
	if (w->n < 2)
		buf_adds(b, "null");
	else
		buf_printf(b, SECONDS, w->stddev);
	buf_printf(b, ",\"median\":" SECONDS ",\"user\":" SECONDS
		   ",\"system\":" SECONDS ",\"min\":" SECONDS ",\"max\":" SECONDS,
		   w->median, st->user.mean, st->sys.mean, w->min, w->max);
}

enum run_field { F_WALL, F_USER, F_SYS, F_RSS, F_EXIT };

/* ,"name":[one value per measured run that succeeded] */
static void json_runs(struct buf *b, const char *name,
		      const struct bench_cmd *c, enum run_field f)
{
	buf_printf(b, ",\"%s\":[", name);
	for (size_t k = 0; k < c->nruns; k++) {
		const struct bench_run *r = &c->runs[k];

		if (k)
			buf_addc(b, ',');
		if (f == F_WALL)
			buf_printf(b, SECONDS, (double)r->wall_ns / 1e9);
		else if (f == F_USER)
			buf_printf(b, SECONDS, (double)r->user_us / 1e6);
		else if (f == F_SYS)
			buf_printf(b, SECONDS, (double)r->sys_us / 1e6);
		else if (f == F_RSS)
			buf_printf(b, "%lld", (long long)r->maxrss_kb * 1024);
		else
			buf_addc(b, '0');
	}
	buf_addc(b, ']');
}

/* A summary of KiB in bytes. */
static struct bench_summary in_bytes(const struct bench_summary *kib)
{
	struct bench_summary s = *kib;

	s.mean *= 1024;
	s.stddev *= 1024;
	s.median *= 1024;
	s.min *= 1024;
	s.max *= 1024;
	return s;
}

static void json_result(struct buf *b, const struct bench_cmd *c,
			const struct bench_stats *st)
{
	struct bench_summary rss = in_bytes(&st->rss);

	buf_adds(b, "{\"command\":");
	json_string(b, c->command);
	buf_printf(b, ",\"runs\":%zu,\"failed\":%u,\"warmup_failed\":%u,"
		   "\"first_failure\":", c->nruns, c->failed, c->warmup_failed);
	if (c->first_failure)
		json_string(b, c->first_failure);
	else
		buf_adds(b, "null");
	json_hyperfine(b, st);
	json_runs(b, "times", c, F_WALL);
	json_runs(b, "exit_codes", c, F_EXIT);
	json_runs(b, "user_times", c, F_USER);
	json_runs(b, "system_times", c, F_SYS);
	json_runs(b, "memory_usage_byte", c, F_RSS);
	json_summary(b, "wall_time", &st->wall, 9);
	json_summary(b, "user_time", &st->user, 9);
	json_summary(b, "system_time", &st->sys, 9);
	json_summary(b, "peak_rss_byte", &rss, 0);
	buf_addc(b, '}');
}

void benchreport_json(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = all_stats(bench);

	buf_printf(b, "{\"repeat\":%u,\"warmup\":%u,\"jobs\":%u,\"results\":[",
		   bench->repeat, bench->warmup, bench->jobs);
	for (size_t k = 0; k < bench->ncmds; k++) {
		buf_adds(b, k ? ",\n" : "\n");
		json_result(b, &bench->cmds[k], &st[k]);
	}
	buf_adds(b, "\n]}\n");
	free(st);
}

/* ------------------------------------------------------------- Markdown */

/*
 * s as a code span in a table cell: a fence longer than any run of
 * backticks in it, pipes escaped, line ends as spaces.
 */
static void md_code(struct buf *b, const char *s)
{
	size_t len = strlen(s), longest = 0, run = 0;
	bool pad;

	for (size_t k = 0; k < len; k++) {
		run = s[k] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = !len || s[0] == '`' || s[len - 1] == '`';
	for (size_t k = 0; k <= longest; k++)
		buf_addc(b, '`');
	if (pad)
		buf_addc(b, ' ');
	for (size_t k = 0; k < len; k++) {
		if (s[k] == '|')
			buf_adds(b, "\\|");
		else
			buf_addc(b, s[k] == '\n' || s[k] == '\r' ? ' ' : s[k]);
	}
	if (pad)
		buf_addc(b, ' ');
	for (size_t k = 0; k <= longest; k++)
		buf_addc(b, '`');
}

static void md_row(struct buf *b, const struct bench *bench,
		   const struct bench_cmd *c, const struct bench_stats *st,
		   const struct bench_stats *fastest)
{
	const struct bench_summary *w = &st->wall;
	const struct bench_unit *u = bench_time_unit(w->mean);
	double ratio, sd;

	buf_adds(b, "| ");
	md_code(b, c->command);
	if (c->failed)
		buf_printf(b, " (%u of %u runs failed)", c->failed, bench->repeat);
	if (!w->n) {
		buf_adds(b, " | — | — | — | — |\n");
		return;
	}
	buf_adds(b, " | ");
	bench_put(b, w->mean, u);
	buf_adds(b, " ± ");
	bench_put(b, w->stddev, u);
	buf_adds(b, " | ");
	bench_put(b, w->min, u);
	buf_adds(b, " | ");
	bench_put(b, w->max, u);
	buf_adds(b, " | ");
	if (st == fastest) {
		buf_adds(b, "1.00");
	} else if (bench_ratio(w, &fastest->wall, &ratio, &sd)) {
		buf_printf(b, "%.2f", ratio);
		if (sd > 0)
			buf_printf(b, " ± %.2f", sd);
	} else {
		buf_adds(b, "—");
	}
	buf_adds(b, " |\n");
}

void benchreport_markdown(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = all_stats(bench);
	long fast = bench_fastest(bench, st);

	buf_adds(b, "| Command | Mean ± σ | Min | Max | Relative |\n"
		    "|:---|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < bench->ncmds; k++)
		md_row(b, bench, &bench->cmds[k], &st[k],
		       fast >= 0 ? &st[fast] : &st[k]);
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

/* --------------------------------------------------------------- files */

static int open_export(FILE **f, const char *option, const char *path)
{
	if (!path)
		return 0;
	*f = fopen(path, "we");
	if (!*f) {
		fprintf(stderr, "ringrun: %s: %s: %s\n", option, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int benchreport_open(struct bench_exports *e, const char *json_path,
		     const char *markdown_path)
{
	*e = (struct bench_exports){ .json_path = json_path,
				     .markdown_path = markdown_path };
	if (open_export(&e->json, "--export-json", json_path) < 0 ||
	    open_export(&e->markdown, "--export-markdown", markdown_path) < 0) {
		benchreport_close(e);
		return -1;
	}
	return 0;
}

/* Write b to *f and close it; -1 after a line on stderr if that failed. */
static int write_export(FILE **f, const char *option, const char *path,
			const struct buf *b)
{
	int err = 0;

	if (!*f)
		return 0;
	if (fwrite(b->data, 1, b->len, *f) != b->len || fflush(*f) != 0)
		err = errno ? errno : EIO;
	if (fclose(*f) != 0 && !err)
		err = errno ? errno : EIO;
	*f = NULL;
	if (!err)
		return 0;
	fprintf(stderr, "ringrun: %s: %s: %s\n", option, path, strerror(err));
	return -1;
}

int benchreport_write(const struct bench *bench, struct bench_exports *e,
		      struct output *out)
{
	struct buf b = BUF_INIT;
	int r = 0;

	benchreport_failures(out, bench);
	benchreport_text(&b, bench);
	output_stdout(out, b.data, b.len);
	output_flush(out);
	buf_reset(&b);
	if (e->json) {
		benchreport_json(&b, bench);
		r |= write_export(&e->json, "--export-json", e->json_path, &b);
		buf_reset(&b);
	}
	if (e->markdown) {
		benchreport_markdown(&b, bench);
		r |= write_export(&e->markdown, "--export-markdown",
				  e->markdown_path, &b);
	}
	buf_free(&b);
	return r;
}

void benchreport_close(struct bench_exports *e)
{
	if (e->json)
		fclose(e->json);
	if (e->markdown)
		fclose(e->markdown);
	e->json = e->markdown = NULL;
}
