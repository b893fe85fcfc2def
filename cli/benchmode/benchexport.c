/*
 * Benchmark mode's export files, as hyperfine writes them: JSON (its
 * fields first, then ringrun's), Markdown (cell for cell) and CSV (its
 * columns).  hyperfine prints numbers as Rust does: fixed decimals rounded
 * half to even (as printf), and in JSON and CSV the shortest decimal that
 * reads back as the same double, never with an exponent.
 */
#include "benchmode/benchreport.h"

#include <stdlib.h>
#include <string.h>

#include "output/json.h"
#include "util/xalloc.h"

/* Digits of x's shortest round-trip form and the power of ten of the
   first, from "%.*e". */
static void shortest_digits(double x, char *digits, int *exp10)
{
	char e[40], *d = digits;
	int p;

	for (p = 1; p < 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	snprintf(e, sizeof e, "%.*e", p - 1, x);
	for (const char *s = e; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			*d++ = *s;
	*d = '\0';
	*exp10 = atoi(strchr(e, 'e') + 1);
}

void bench_put_shortest(struct buf *b, double x)
{
	char digits[24];
	int exp10, len;

	if (x < 0) {
		buf_addc(b, '-');
		x = -x;
	}
	shortest_digits(x, digits, &exp10);
	len = (int)strlen(digits);
	while (len > 1 && digits[len - 1] == '0')
		digits[--len] = '\0';
	if (exp10 < 0) {
		buf_adds(b, "0.");
		for (int k = -1; k > exp10; k--)
			buf_addc(b, '0');
		buf_adds(b, digits);
		return;
	}
	for (int k = 0; k <= exp10 || k < len; k++) {
		if (k == exp10 + 1)
			buf_addc(b, '.');
		buf_addc(b, k < len ? digits[k] : '0');
	}
}

/* Figures of every command (caller frees). */
struct bench_stats *bench_all_stats(const struct bench *bench)
{
	struct bench_stats *st = xcalloc(bench->ncmds ? bench->ncmds : 1,
					 sizeof *st);

	for (size_t k = 0; k < bench->ncmds; k++)
		bench_stats(bench, &bench->cmds[k], &st[k]);
	return st;
}

/* ----------------------------------------------------------------- JSON */

static void json_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	json_escape(b, s, strlen(s), SIZE_MAX);
	buf_addc(b, '"');
}

/* ,"name":x, or null without a figure */
static void json_number(struct buf *b, const char *name, double x, bool has)
{
	buf_printf(b, ",\"%s\":", name);
	if (has)
		bench_put_shortest(b, x);
	else
		buf_adds(b, "null");
}

/* "name":{"mean":..,"stddev":..,"median":..,"min":..,"max":..} */
static void json_summary(struct buf *b, const char *name,
			 const struct bench_summary *s, double scale)
{
	const double v[] = { s->mean, s->stddev, s->median, s->min, s->max };
	const char *const keys[] = { "mean", "stddev", "median", "min", "max" };

	buf_printf(b, ",\"%s\":{", name);
	for (size_t k = 0; k < 5; k++) {
		struct buf one = BUF_INIT;

		json_number(&one, keys[k], v[k] * scale,
			    s->n && (k != 1 || s->n > 1));
		buf_adds(b, one.data + !k); /* the first without its comma */
		buf_free(&one);
	}
	buf_addc(b, '}');
}

/* ,"name":[one value per measured run] */
static void json_runs(struct buf *b, const struct bench *bench,
		      const char *name, const struct bench_cmd *c,
		      enum bench_field f)
{
	buf_printf(b, ",\"%s\":[", name);
	for (size_t k = 0; k < c->nruns; k++) {
		if (k)
			buf_addc(b, ',');
		if (f == BENCH_RSS)
			buf_printf(b, "%lld", (long long)c->runs[k].maxrss_kb * 1024);
		else
			bench_put_shortest(b, bench_value(bench, &c->runs[k], f));
	}
	buf_addc(b, ']');
}

/* ,"exit_codes":[...]: null for a run killed by a signal (hyperfine's) */
static void json_exit_codes(struct buf *b, const struct bench_cmd *c)
{
	buf_adds(b, ",\"exit_codes\":[");
	for (size_t k = 0; k < c->nruns; k++) {
		if (k)
			buf_addc(b, ',');
		if (c->runs[k].exit_code < 0)
			buf_adds(b, "null");
		else
			buf_printf(b, "%d", c->runs[k].exit_code);
	}
	buf_addc(b, ']');
}

/* ,"parameters":{"NAME":"value",...}: command k's, by name (hyperfine's
   only when there are some) */
static void json_parameters(struct buf *b, const struct bench *bench,
			    size_t k)
{
	const struct param_cmds *pc = bench->params;

	if (!pc || !pc->nparams || k >= pc->n)
		return;
	buf_adds(b, ",\"parameters\":{");
	for (size_t m = 0; m < pc->nparams; m++) {
		if (m)
			buf_addc(b, ',');
		json_string(b, pc->pnames[m]);
		buf_addc(b, ':');
		json_string(b, pc->pvalues[k * pc->nparams + m]);
	}
	buf_addc(b, '}');
}

/* hyperfine's fields in its order: wall time in seconds, user and
   system time means, each run's time and exit code, the parameters. */
static void json_hyperfine(struct buf *b, const struct bench *bench,
			   size_t k, const struct bench_stats *st)
{
	const struct bench_cmd *c = &bench->cmds[k];

	const struct bench_summary *w = &st->wall;
	bool has = w->n > 0;

	buf_adds(b, "{\"command\":");
	json_string(b, c->command);
	json_number(b, "mean", w->mean, has);
	json_number(b, "stddev", w->stddev, w->n > 1);
	json_number(b, "median", w->median, has);
	json_number(b, "user", st->user.mean, has);
	json_number(b, "system", st->sys.mean, has);
	json_number(b, "min", w->min, has);
	json_number(b, "max", w->max, has);
	json_runs(b, bench, "times", c, BENCH_WALL);
	json_exit_codes(b, c);
	json_parameters(b, bench, k);
}

static void json_result(struct buf *b, const struct bench *bench, size_t k,
			const struct bench_stats *st)
{
	const struct bench_cmd *c = &bench->cmds[k];

	json_hyperfine(b, bench, k, st);
	buf_printf(b, ",\"runs\":%zu,\"failed\":%u,\"warmup_failed\":%u,"
		   "\"first_failure\":", c->nruns, c->failed, c->warmup_failed);
	if (c->first_failure)
		json_string(b, c->first_failure);
	else
		buf_adds(b, "null");
	json_runs(b, bench, "user_times", c, BENCH_USER);
	json_runs(b, bench, "system_times", c, BENCH_SYS);
	json_runs(b, bench, "memory_usage_byte", c, BENCH_RSS);
	json_summary(b, "wall_time", &st->wall, 1);
	json_summary(b, "user_time", &st->user, 1);
	json_summary(b, "system_time", &st->sys, 1);
	json_summary(b, "peak_rss_byte", &st->rss, 1024);
	buf_addc(b, '}');
}

void benchreport_json(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = bench_all_stats(bench);

	buf_adds(b, "{\"results\":[");
	for (size_t k = 0; k < bench->ncmds; k++) {
		buf_adds(b, k ? ",\n" : "\n");
		json_result(b, bench, k, &st[k]);
	}
	buf_printf(b, "\n],\"repeat\":%u,\"warmup\":%u,\"jobs\":%u}\n",
		   bench->repeat, bench->warmup, bench->jobs);
	free(st);
}

/* ------------------------------------------------------------- Markdown */

/* hyperfine's two units: ms below a second, else s. */
static const struct bench_unit md_units[] = {
	{ "ms", 1e3, 1 },
	{ "s", 1, 3 },
};

const struct bench_unit *bench_hyperfine_unit(double seconds)
{
	return seconds < 1 ? &md_units[0] : &md_units[1];
}

/* The first command's mean decides, as in hyperfine. */
static const struct bench_unit *md_unit(const struct bench_stats *st,
					size_t n)
{
	return n && st[0].wall.n ? bench_hyperfine_unit(st[0].wall.mean) :
				   &md_units[1];
}

static void md_value(struct buf *b, double seconds, const struct bench_unit *u)
{
	buf_printf(b, "%.*f", u->decimals, seconds * u->scale);
}

static void md_row(struct buf *b, const struct bench_cmd *c,
		   const struct bench_stats *st,
		   const struct bench_stats *fastest,
		   const struct bench_unit *u)
{
	const struct bench_summary *w = &st->wall;
	double ratio, sd;

	buf_adds(b, "| `");
	for (const char *s = c->command; *s; s++)
		buf_adds(b, *s == '|' ? "\\|" : (char[]){ *s, '\0' });
	buf_adds(b, "` | ");
	if (!w->n) {
		buf_adds(b, "— | — | — | — |\n");
		return;
	}
	md_value(b, w->mean, u);
	if (w->n > 1) {
		buf_adds(b, " ± ");
		md_value(b, w->stddev, u);
	}
	buf_adds(b, " | ");
	md_value(b, w->min, u);
	buf_adds(b, " | ");
	md_value(b, w->max, u);
	buf_adds(b, " | ");
	if (!bench_ratio(w, &fastest->wall, &ratio, &sd)) {
		buf_adds(b, "— |\n");
		return;
	}
	buf_printf(b, "%.2f", ratio);
	if (st != fastest && sd >= 0)
		buf_printf(b, " ± %.2f", sd);
	buf_adds(b, " |\n");
}

/* The commands before the first whose mean is 0. */
static size_t md_comparable(const struct bench *bench,
			    const struct bench_stats *st)
{
	size_t n = 0;

	while (n < bench->ncmds && !(st[n].wall.n && st[n].wall.mean == 0))
		n++;
	return n;
}

int benchreport_markdown(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = bench_all_stats(bench);
	struct bench head = *bench;
	const struct bench_unit *u = md_unit(st, bench->ncmds);
	long fast;

	/* hyperfine rewrites the file after each command and cannot once the
	   fastest mean is 0: what stays is the table of those before. */
	head.ncmds = md_comparable(bench, st);
	fast = bench_fastest(&head, st);
	if (head.ncmds)
		buf_printf(b, "| Command | Mean [%s] | Min [%s] | Max [%s] | "
			   "Relative |\n|:---|---:|---:|---:|---:|\n", u->name,
			   u->name, u->name);
	for (size_t k = 0; k < head.ncmds; k++)
		md_row(b, &bench->cmds[k], &st[k], fast >= 0 ? &st[fast] : &st[k],
		       u);
	free(st);
	return head.ncmds == bench->ncmds ? 0 : -1;
}

/* ------------------------------------------------------------------ CSV */

/* A field quoted when it holds a comma, a quote or a line end (the Rust
   csv crate's rule), its quotes doubled. */
static void csv_field(struct buf *b, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++)
		buf_adds(b, *s == '"' ? "\"\"" : (char[]){ *s, '\0' });
	buf_addc(b, '"');
}

void benchreport_csv(struct buf *b, const struct bench *bench)
{
	struct bench_stats *st = bench_all_stats(bench);

	const struct param_cmds *pc = bench->params;
	size_t np = pc ? pc->nparams : 0;

	buf_adds(b, "command,mean,stddev,median,user,system,min,max");
	for (size_t m = 0; m < np; m++) {
		struct buf name = BUF_INIT;

		buf_printf(&name, "parameter_%s", pc->pnames[m]);
		buf_addc(b, ',');
		csv_field(b, name.data);
		buf_free(&name);
	}
	buf_addc(b, '\n');
	for (size_t k = 0; k < bench->ncmds; k++) {
		const struct bench_summary *w = &st[k].wall;
		const double v[] = { w->mean, w->stddev, w->median,
				     st[k].user.mean, st[k].sys.mean, w->min,
				     w->max };

		csv_field(b, bench->cmds[k].command);
		for (size_t f = 0; f < 7; f++) {
			buf_addc(b, ',');
			bench_put_shortest(b, v[f]);
		}
		for (size_t m = 0; m < np && k < pc->n; m++) {
			buf_addc(b, ',');
			csv_field(b, pc->pvalues[k * np + m]);
		}
		buf_addc(b, '\n');
	}
	free(st);
}
