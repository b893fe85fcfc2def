/*
 * Several sources, columns and groups of inputs made into one packed input
 * per job.  Every source is read whole first: a product needs all of them.
 */
#include "jobs/combine.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* More jobs than anyone means (a product that large is a mistake), and
   all of them are held at once. */
#define JOBS_MAX ((size_t)10000000)

int colsep_compile(const char *src, regex_t *re, char *why, size_t len)
{
	struct buf b = BUF_INIT;
	int r;

	for (const char *c = src; *c; c++) {
		if (c[0] == '\\' && c[1] == 't') {
			buf_addc(&b, '\t');
			c++;
		} else {
			buf_addc(&b, *c);
		}
	}
	buf_addc(&b, '\0');
	r = regcomp(re, b.data, REG_EXTENDED);
	buf_free(&b);
	if (r) {
		regerror(r, re, why, len);
		return -1;
	}
	return 0;
}

static const char *shown(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

static int read_source(struct input *in, const struct source *s, char sep,
		       char *why, size_t len)
{
	char what[512];
	int r;

	if (!s->path) {
		input_words(in, s->words, s->n);
		return 0;
	}
	r = input_open(in, s->path, sep);
	if (r < 0) {
		snprintf(why, len, "%s: %s", shown(s->path), strerror(-r));
		return -1;
	}
	if (input_read_all(in) < 0) {
		input_why(in, what, sizeof what);
		snprintf(why, len, "%s: %s", shown(s->path), what);
		return -1;
	}
	return 0;
}

/* A column without the white space around it (Perl's \s), as GNU
   parallel trims each with --colsep. */
static void add_column(struct buf *b, const char *s, const char *end)
{
	static const char space[] = " \t\n\r\f\v";

	while (s < end && strchr(space, *s))
		s++;
	while (end > s && strchr(space, end[-1]))
		end--;
	buf_add(b, s, (size_t)(end - s));
	buf_addc(b, '\0');
}

void combine_columns(struct buf *b, const char *line, size_t len,
		     const regex_t *colsep)
{
	const char *s = line, *end = line + len;
	regmatch_t m;

	if (!colsep) {
		buf_add(b, s, len);
		buf_addc(b, '\0');
		return;
	}
	/* As Perl's split: an empty match splits too, but never where a
	   column begins (so x* splits "abc" into its letters). */
	for (const char *from = s; from <= end; ) {
		if (regexec(colsep, from, 1, &m, from > line ? REG_NOTBOL : 0))
			break;
		const char *at = from + m.rm_so, *past = from + m.rm_eo;

		if (at == past && at == s) {
			from = at + 1;
			continue;
		}
		add_column(b, s, at);
		s = from = past;
	}
	add_column(b, s, end);
}

struct product {
	const struct combine *c;
	struct input *ins;   /* one per source, read whole */
	size_t *first;       /* per group: its first source */
	size_t *count;       /* per group: its inputs (the shortest's) */
	size_t ngroups;
	regex_t colsep;
};

/* Linked sources join the group of the one before. */
static void make_groups(struct product *p)
{
	const struct combine *c = p->c;

	p->first = xcalloc(c->n, sizeof *p->first);
	p->count = xcalloc(c->n, sizeof *p->count);
	for (size_t s = 0; s < c->n; s++) {
		size_t n = p->ins[s].n;

		if (!c->sources[s].linked || !p->ngroups) {
			p->first[p->ngroups] = s;
			p->count[p->ngroups++] = n;
		} else if (n < p->count[p->ngroups - 1]) {
			p->count[p->ngroups - 1] = n;
		}
	}
}

/* How many tuples the product has; SIZE_MAX past JOBS_MAX. */
static size_t tuples(const struct product *p)
{
	size_t total = 1;

	for (size_t g = 0; g < p->ngroups; g++) {
		if (p->count[g] && total > JOBS_MAX / p->count[g])
			return SIZE_MAX;
		total *= p->count[g];
	}
	return total;
}

/* Tuple number t's arguments, each followed by a NUL. */
static void add_tuple(struct buf *b, const struct product *p, size_t t)
{
	size_t end = p->c->n;
	size_t *at = xcalloc(p->ngroups, sizeof *at);

	/* The last group varies fastest, as GNU parallel's product. */
	for (size_t g = p->ngroups; g-- > 0; ) {
		at[g] = t % p->count[g];
		t /= p->count[g];
	}
	for (size_t g = 0; g < p->ngroups; g++) {
		size_t last = g + 1 < p->ngroups ? p->first[g + 1] : end;

		for (size_t s = p->first[g]; s < last; s++) {
			const struct line *l = input_get(&p->ins[s], at[g]);

			combine_columns(b, l->s, l->len,
					p->c->colsep ? &p->colsep : NULL);
		}
	}
	free(at);
}

/* A uniform index below n (n > 0), for --shuf. */
static size_t random_below(size_t n)
{
	uint64_t x;

	if (getrandom(&x, sizeof x, 0) != sizeof x)
		x = (uint64_t)rand();
	return (size_t)(x % n);
}

/* Jobs of per_job tuples each (the last may have fewer), in order or
   shuffled. */
static void make_jobs(struct input *in, const struct product *p, size_t total)
{
	size_t per = p->c->per_job ? p->c->per_job : 1;
	size_t njobs = (total + per - 1) / per;
	struct line *jobs = xcalloc(njobs ? njobs : 1, sizeof *jobs);

	for (size_t j = 0; j < njobs; j++) {
		struct buf b = BUF_INIT;

		for (size_t t = j * per; t < total && t < (j + 1) * per; t++)
			add_tuple(&b, p, t);
		b.len--; /* the last argument's NUL ends the string */
		jobs[j].len = b.len;
		jobs[j].s = buf_detach(&b);
	}
	for (size_t j = njobs; p->c->shuf && j > 1; j--) {
		size_t k = random_below(j);
		struct line tmp = jobs[j - 1];

		jobs[j - 1] = jobs[k];
		jobs[k] = tmp;
	}
	for (size_t j = 0; j < njobs; j++)
		input_add(in, (char *)jobs[j].s, jobs[j].len);
	free(jobs);
}

int combine_inputs(struct input *in, const struct combine *c, char *why,
		   size_t len)
{
	struct product p = { .c = c };
	size_t total = 0;
	int ret = 0;

	input_empty(in);
	if (c->colsep && colsep_compile(c->colsep, &p.colsep, why, len) < 0)
		return -1; /* options_parse() checked it */
	p.ins = xcalloc(c->n, sizeof *p.ins);
	for (size_t s = 0; s < c->n && ret == 0; s++)
		ret = read_source(&p.ins[s], &c->sources[s], c->sep, why, len);
	if (ret == 0) {
		make_groups(&p);
		total = tuples(&p);
		if (total == SIZE_MAX) {
			snprintf(why, len, "more than %zu combinations of inputs",
				 JOBS_MAX);
			ret = -1;
		}
	}
	if (ret == 0)
		make_jobs(in, &p, total);
	for (size_t s = 0; s < c->n; s++)
		input_free(&p.ins[s]);
	if (c->colsep)
		regfree(&p.colsep);
	free(p.ins);
	free(p.first);
	free(p.count);
	return ret;
}
