/* hyperfine's parameters: scans, lists, their combinations, {NAME}. */
#include "benchmode/params.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* hyperfine's bound on a scan's values. */
#define MAX_PARAMETERS 100000

/* A parameter's values. */
struct values {
	const char *name;
	char **v;
	size_t n;
};

static int failf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void push(struct values *vs, char *s)
{
	vs->v = xreallocarray(vs->v, vs->n + 1, sizeof *vs->v);
	vs->v[vs->n++] = s;
}

/* hyperfine's list: commas split, a backslash keeps a comma or itself. */
static void split_list(struct values *vs, const char *s)
{
	struct buf b = BUF_INIT;

	for (;; s++) {
		if (*s == '\\' && (s[1] == ',' || s[1] == '\\')) {
			buf_addc(&b, *++s);
		} else if (*s == ',' || !*s) {
			push(vs, b.data ? buf_detach(&b) : xstrdup(""));
			if (!*s)
				return;
		} else {
			buf_addc(&b, *s);
		}
	}
}

/* A decimal as hyperfine's Decimal: mantissa and digits after the point. */
struct dec {
	int64_t m;
	int scale;
};

static bool parse_dec(const char *s, struct dec *d)
{
	const char *p = s + (*s == '-' || *s == '+');
	bool digits = false, point = false;

	*d = (struct dec){ 0 };
	for (; *p; p++) {
		if (*p == '.' && !point) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9' || d->m > (INT64_MAX - 9) / 10 ||
		    d->scale >= 15)
			return false;
		d->m = d->m * 10 + (*p - '0');
		d->scale += point;
		digits = true;
	}
	if (*s == '-')
		d->m = -d->m;
	return digits;
}

static int64_t at_scale(struct dec d, int scale)
{
	for (; d.scale < scale; d.scale++)
		d.m *= 10;
	return d.m;
}

static char *show_dec(struct dec d)
{
	struct buf b = BUF_INIT;
	uint64_t a = d.m < 0 ? -(uint64_t)d.m : (uint64_t)d.m, p = 1;

	for (int k = 0; k < d.scale; k++)
		p *= 10;
	buf_printf(&b, "%s%" PRIu64, d.m < 0 ? "-" : "", a / p);
	if (d.scale)
		buf_printf(&b, ".%0*" PRIu64, d.scale, a % p);
	return buf_detach(&b);
}

/* An i32 as hyperfine reads one: digits, an optional sign. */
static bool parse_i32(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && *s != ' ' && !*end && !errno && *v >= INT32_MIN &&
	       *v <= INT32_MAX;
}

/* min, min + step, ... up to max: integers when all three are, else
   decimals (a step needed). */
static int scan(struct values *vs, const struct param_opt *p,
		const char *step, char *err, size_t errlen)
{
	long lo, hi, st;
	struct dec a, b, d;
	int scale;

	if (parse_i32(p->min, &lo) && parse_i32(p->max, &hi) &&
	    parse_i32(step ? step : "1", &st)) {
		a = (struct dec){ lo, 0 };
		b = (struct dec){ hi, 0 };
		d = (struct dec){ st, 0 };
	} else if (!parse_dec(p->min, &a) || !parse_dec(p->max, &b) ||
		   (step && !parse_dec(step, &d))) {
		return failf(err, errlen, "Error while parsing parameter scan "
			     "arguments (invalid number)");
	} else if (!step) {
		return failf(err, errlen, "A step size is required when the range "
			     "bounds are floating point numbers. The step size can "
			     "be specified with the '--parameter-step-size <DELTA>' "
			     "parameter");
	}
	scale = a.scale > b.scale ? a.scale : b.scale;
	scale = d.scale > scale ? d.scale : scale;
	if (at_scale(b, scale) < at_scale(a, scale))
		return failf(err, errlen, "Empty parameter range");
	if (d.m == 0)
		return failf(err, errlen, "Zero is not a valid parameter step");
	if (d.m < 0 || (at_scale(b, scale) - at_scale(a, scale) +
			at_scale((struct dec){ 1, 0 }, scale)) /
			       at_scale(d, scale) > MAX_PARAMETERS)
		return failf(err, errlen, "Parameter range is too large");
	/* The first value as written, the next ones at the finer scale. */
	for (struct dec v = a; at_scale(v, scale) <= at_scale(b, scale);) {
		int s = v.scale > d.scale ? v.scale : d.scale;

		push(vs, show_dec(v));
		v = (struct dec){ at_scale(v, s) + at_scale(d, s), s };
	}
	vs->name = p->name;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct values *)a)->name,
		      ((const struct values *)b)->name);
}

/* Command k's name: one for all, one each, or none. */
static char *name_of(const struct param_cmds *pc, size_t k,
		     const char *const *names, size_t nnames)
{
	if (!nnames || (nnames > 1 && k >= nnames))
		return NULL;
	return params_apply(pc, k, names[nnames == 1 ? 0 : k]);
}

/* Every combination: templates fastest, then each parameter in order. */
static void combine(struct param_cmds *pc, const char *const *templates,
		    size_t ntemplates, const struct values *vs, size_t nv,
		    const struct values *sorted)
{
	size_t *at = xcalloc(nv + 1, sizeof *at);

	for (size_t k = 0; k < pc->n; k++) {
		for (size_t s = 0; s < nv; s++) { /* sorted's order: by name */
			size_t which = 0;

			while (strcmp(vs[which].name, sorted[s].name))
				which++;
			pc->pvalues[k * nv + s] =
				xstrdup(vs[which].v[at[which + 1]]);
		}
		pc->commands[k] = params_apply(pc, k, templates[at[0]]);
		for (size_t d = 0; d <= nv; d++) { /* the next combination */
			size_t len = d ? vs[d - 1].n : ntemplates;

			if (++at[d] < len)
				break;
			at[d] = 0;
		}
	}
	free(at);
}

static void free_values(struct values *vs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t m = 0; m < vs[k].n; m++)
			free(vs[k].v[m]);
		free(vs[k].v);
	}
	free(vs);
}

/* A scan varies slowest (hyperfine: each value, then each template), so
   it goes last; lists in the order given. */
static int gather(struct values *vs, const struct param_opt *params,
		  size_t nparams, const char *step, char *err, size_t errlen)
{
	size_t n = 0;

	for (size_t k = 0; k < nparams; k++) {
		if (!params[k].list)
			continue;
		vs[n].name = params[k].name;
		split_list(&vs[n++], params[k].list);
	}
	for (size_t k = 0; k < nparams; k++)
		if (!params[k].list && scan(&vs[n++], &params[k], step, err,
					    errlen) < 0)
			return -1;
	for (size_t a = 0; a < nparams; a++)
		for (size_t b = a + 1; b < nparams; b++)
			if (strcmp(vs[a].name, vs[b].name) == 0)
				return failf(err, errlen, "Duplicate parameter "
					     "names: %s", vs[a].name);
	return 0;
}

int params_expand(struct param_cmds *pc, const char *const *templates,
		  size_t ntemplates, const struct param_opt *params,
		  size_t nparams, const char *step, const char *const *names,
		  size_t nnames, char *err, size_t errlen)
{
	struct values *vs = xcalloc(nparams + 1, sizeof *vs), *sorted;
	size_t n = ntemplates;

	*pc = (struct param_cmds){ .nparams = nparams };
	if (gather(vs, params, nparams, step, err, errlen) < 0) {
		free_values(vs, nparams);
		return -1;
	}
	for (size_t k = 0; k < nparams; k++)
		n *= vs[k].n;
	if (nnames > 1 && nnames != n && nparams) {
		free_values(vs, nparams);
		return failf(err, errlen, "'--command-name' has been specified %zu "
			     "times. It has to appear exactly once, or exactly %zu "
			     "times (number of benchmarks)", nnames, n);
	}
	sorted = xcalloc(nparams + 1, sizeof *sorted);
	memcpy(sorted, vs, nparams * sizeof *vs);
	qsort(sorted, nparams, sizeof *sorted, by_name);
	pc->n = n;
	pc->commands = xcalloc(n + 1, sizeof *pc->commands);
	pc->names = xcalloc(n + 1, sizeof *pc->names);
	pc->pnames = xcalloc(nparams + 1, sizeof *pc->pnames);
	pc->pvalues = xcalloc(n * nparams + 1, sizeof *pc->pvalues);
	for (size_t k = 0; k < nparams; k++)
		pc->pnames[k] = sorted[k].name;
	combine(pc, templates, ntemplates, vs, nparams, sorted);
	for (size_t k = 0; k < n; k++)
		pc->names[k] = name_of(pc, k, names, nnames);
	free(sorted);
	free_values(vs, nparams);
	return 0;
}

void params_free(struct param_cmds *pc)
{
	for (size_t k = 0; k < pc->n; k++) {
		free(pc->commands[k]);
		free(pc->names[k]);
	}
	for (size_t k = 0; k < pc->n * pc->nparams; k++)
		free(pc->pvalues[k]);
	free(pc->commands);
	free(pc->names);
	free(pc->pnames);
	free(pc->pvalues);
	*pc = (struct param_cmds){ 0 };
}

char *params_apply(const struct param_cmds *pc, size_t k, const char *s)
{
	struct buf b = BUF_INIT;

	while (*s) {
		size_t m = 0, len = 0;

		for (; m < pc->nparams; m++) {
			len = strlen(pc->pnames[m]);
			if (s[0] == '{' && strncmp(s + 1, pc->pnames[m], len) == 0 &&
			    s[len + 1] == '}')
				break;
		}
		if (m < pc->nparams) {
			buf_adds(&b, pc->pvalues[k * pc->nparams + m]);
			s += len + 2;
		} else {
			buf_addc(&b, *s++);
		}
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}
