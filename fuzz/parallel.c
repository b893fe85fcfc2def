/*
 * libFuzzer target: GNU parallel's inputs combined (combine.h).  The input
 * is two bytes of options then fields parted by 0x1e: [REGEX] TEMPLATE
 * SOURCE...  Byte 0: 1-4 sources (bits 0-1), -n 0-7 (bits 2-4), --colsep
 * REGEX (bit 5), -0 (bit 6), the first source a file of that text (bit 7;
 * else every source is ::: words, one a line); byte 1: bit s links source
 * s to the one before (:::+).  Never a crash or a leak; a bad regex is one
 * line; the jobs are the product of the groups, each group as long as its
 * shortest source, the last group varying fastest, -n of them a job; with
 * --colsep each column comes trimmed; one file packed as it is read gives
 * the same jobs as read whole; every job expands through subst.h.  The
 * template is also looked up as an option of each personality's table
 * (persona.h): a letter, a long name or (optparse's) a unique prefix.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/combine.h"
#include "jobs/input.h"
#include "jobs/subst.h"
#include "persona/persona.h"
#include "util/buf.h"

#define FIELD 0x1e
#define MAX_SOURCES 4
#define MAX_JOBS 20000   /* what one run builds, to keep runs quick */
#define JOBS_MAX ((size_t)10000000) /* combine.c's bound */
#define EXPANDED 64      /* jobs expanded through subst per run */
/* glibc's regcomp copies a repeated subexpression for each '+' and {N}
   around it, so stacked or nested ones grow exponentially ('a.' then 25
   '+' takes gigabytes): a known limit of --colsep (and of -w's /RE/), left
   out here so that a run finds more than that. */
#define MAX_REPEATS 4

static char dir[] = "/tmp/rr-fuzz-parallel-XXXXXX", path[64];

static void dir_remove(void)
{
	unlink(path);
	rmdir(dir);
}

/* The file source's text, where only this process looks (removed at
   exit). */
static void put_file(const char *text, size_t len)
{
	if (!path[0]) {
		assert(mkdtemp(dir));
		snprintf(path, sizeof path, "%s/in", dir);
		atexit(dir_remove);
	}
	FILE *f = fopen(path, "w");
	assert(f);
	assert(fwrite(text, 1, len, f) == len);
	assert(fclose(f) == 0);
}

static bool regex_too_big(const char *re)
{
	size_t n = 0;

	for (; *re; re++)
		n += *re == '+' || *re == '{';
	return n > MAX_REPEATS;
}

/* The next field of [*at, end): NUL-terminated in place. */
static char *field(char **at, char *end)
{
	char *s = *at, *e = memchr(s, FIELD, (size_t)(end - s));

	if (!e)
		e = end;
	*e = '\0';
	*at = e < end ? e + 1 : end;
	return s;
}

/* ::: words: one a line, none for an empty field. */
static char **words_of(char *s, size_t *n)
{
	char **v = calloc(strlen(s) + 2, sizeof *v);

	assert(v);
	*n = 0;
	while (*s) {
		v[(*n)++] = s;
		s += strcspn(s, "\n");
		if (*s)
			*s++ = '\0';
	}
	return v;
}

struct run {
	struct source src[MAX_SOURCES];
	size_t nsrc;
	struct input recs[MAX_SOURCES]; /* each source's inputs, for the oracle */
	size_t group[MAX_SOURCES];      /* the group of each source */
	size_t count[MAX_SOURCES];      /* each group's length */
	size_t ngroups;
	unsigned per;
	const char *colsep;
	regex_t re;
	char sep;
	const char *tmpl;
};

/* The product's size, as documented; SIZE_MAX past JOBS_MAX. */
static size_t expected_tuples(struct run *r)
{
	size_t total = 1;

	r->ngroups = 0;
	for (size_t s = 0; s < r->nsrc; s++) {
		size_t n = r->recs[s].n;

		if (!r->src[s].linked || s == 0)
			r->count[r->ngroups++] = n;
		else if (n < r->count[r->ngroups - 1])
			r->count[r->ngroups - 1] = n;
		r->group[s] = r->ngroups - 1;
	}
	for (size_t g = 0; g < r->ngroups; g++) {
		if (r->count[g] && total > JOBS_MAX / r->count[g])
			return SIZE_MAX;
		total *= r->count[g];
	}
	return total;
}

/* Tuple t's arguments as combine.h documents them, without --colsep. */
static void tuple(struct buf *b, const struct run *r, size_t t)
{
	size_t at[MAX_SOURCES];

	for (size_t g = r->ngroups; g-- > 0; ) {
		at[g] = t % r->count[g];
		t /= r->count[g];
	}
	for (size_t s = 0; s < r->nsrc; s++) {
		const struct line *l = input_get(&r->recs[s], at[r->group[s]]);

		buf_add(b, l->s, l->len);
		buf_addc(b, '\0');
	}
}

static size_t args_in(const struct line *l)
{
	size_t n = 1;

	for (size_t k = 0; k < l->len; k++)
		n += l->s[k] == '\0';
	return n;
}

/* Every column trimmed of Perl's \s at both ends. */
static void trimmed(const struct line *l)
{
	static const char space[] = " \t\n\r\f\v";

	for (const char *s = l->s, *end = l->s + l->len; s <= end;) {
		size_t len = strlen(s);

		if (len)
			assert(!strchr(space, s[0]) && !strchr(space, s[len - 1]));
		s += len + 1;
	}
}

/* A packed job through subst: no fault, its arguments as words. */
static void expand(const struct run *r, const struct line *l, size_t seq)
{
	char *words[2] = { (char *)r->tmpl, NULL };
	struct subst v = { .line = l->s, .len = l->len, .seq = seq, .slot = 1 };
	bool has_rs = subst_present(r->tmpl);
	struct buf b = BUF_INIT;
	size_t nargs = args_in(l), n = 0;
	char **argv;

	subst_expand(&b, r->tmpl, &v, true);
	buf_reset(&b);
	subst_shell(&b, r->tmpl, has_rs, &v);
	buf_free(&b);
	argv = subst_argv(words, 1, has_rs, &v);
	while (argv[n])
		n++;
	assert(has_rs ? n >= 1 && n <= nargs : n == 1 + nargs);
	free(argv);
}

static void check_jobs(const struct run *r, const struct input *in, size_t total)
{
	size_t per = r->per ? r->per : 1;
	struct buf want = BUF_INIT;

	assert(in->n == (total + per - 1) / per);
	for (size_t j = 0; j < in->n; j++) {
		const struct line *l = input_get(in, j);
		size_t tuples = total - j * per < per ? total - j * per : per;

		assert(l && strlen(l->s) <= l->len && !l->s[l->len]);
		if (r->colsep) {
			assert(args_in(l) >= tuples * r->nsrc);
			trimmed(l);
		} else {
			buf_reset(&want);
			for (size_t t = j * per; t < j * per + tuples; t++)
				tuple(&want, r, t);
			assert(want.len - 1 == l->len);
			assert(memcmp(want.data, l->s, l->len) == 0);
		}
		if (j < EXPANDED)
			expand(r, l, j + 1);
	}
	buf_free(&want);
}

/* One file packed as it is read (input_pack) makes the jobs that reading
   it whole and combining do. */
static void check_streamed(const struct run *r, const struct input *whole)
{
	struct input in;

	if (r->nsrc != 1 || !r->src[0].path || (!r->colsep && r->per < 2))
		return;
	assert(input_open(&in, path, r->sep) == 0);
	input_pack(&in, r->colsep, r->per ? r->per : 1);
	assert(input_read_all(&in) == 0);
	assert(in.n == whole->n);
	for (size_t j = 0; j < in.n; j++) {
		const struct line *a = input_get(&in, j), *b = input_get(whole, j);

		assert(a->len == b->len && memcmp(a->s, b->s, a->len) == 0);
	}
	input_free(&in);
}

static void combine_run(struct run *r)
{
	const struct combine c = { .sources = r->src, .n = r->nsrc, .sep = r->sep,
				   .colsep = r->colsep, .per_job = r->per };
	struct input in = { 0 };
	char why[1024];
	size_t total = expected_tuples(r);

	if (total != SIZE_MAX && total > MAX_JOBS)
		return;
	if (combine_inputs(&in, &c, why, sizeof why) < 0) {
		assert(total == SIZE_MAX && why[0] && !strchr(why, '\n'));
	} else {
		assert(total != SIZE_MAX);
		check_jobs(r, &in, total);
		check_streamed(r, &in);
	}
	input_free(&in);
}

/* name as an option of every personality: what is found begins so, and
   "several" is a prefix that more than one candidate begins with. */
static void check_persona(const char *name)
{
	size_t len = strlen(name);
	char list[4096];
	bool several;

	for (size_t k = 0; personas[k]; k++) {
		const struct persona *p = personas[k];
		const struct persona_opt *o = persona_short(p, name[0]);

		assert(!o || o->letter == name[0]);
		o = persona_long(p, name, len, &several);
		assert(!o || (strncmp(o->name, name, len) == 0 &&
			      (p->abbrev || !o->name[len])));
		assert(!several || (!o && p->abbrev));
		persona_candidates(p, name, len, list, sizeof list);
		assert(!several || strstr(list, ", --"));
		for (const char *c = list; *c; c += strcspn(c, ","), c += *c ? 2 : 0)
			assert(strncmp(c, "--", 2) == 0 &&
			       strncmp(c + 2, name, len) == 0);
	}
	if (persona_find(name))
		assert(strcmp(persona_find(name)->name, name) == 0 ||
		       strcmp(persona_find(name)->alias, name) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { 0 };
	char *copy, *at, *end, why[256];
	char **lists[MAX_SOURCES] = { 0 };
	bool ok = true;

	if (size < 2)
		return 0;
	copy = malloc(size);
	assert(copy);
	memcpy(copy, data + 2, size - 2);
	at = copy;
	end = copy + size - 2;
	r.nsrc = 1 + (data[0] & 3);
	r.per = (data[0] >> 2) & 7;
	r.sep = data[0] & 0x40 ? '\0' : '\n';
	if (data[0] & 0x20) {
		r.colsep = field(&at, end);
		if (regex_too_big(r.colsep)) {
			ok = false;
		} else if (colsep_compile(r.colsep, &r.re, why, sizeof why) < 0) {
			assert(why[0] && !strchr(why, '\n'));
			ok = false;
		} else {
			regfree(&r.re);
		}
	}
	r.tmpl = field(&at, end);
	check_persona(r.tmpl);
	for (size_t s = 0; ok && s < r.nsrc; s++) {
		r.src[s].linked = data[1] >> s & 1;
		if (s == 0 && data[0] & 0x80) {
			char *text = at, *e = memchr(at, FIELD, (size_t)(end - at));
			size_t len = (size_t)((e ? e : end) - text);

			field(&at, end);
			put_file(text, len);
			r.src[s].path = path;
			assert(input_open(&r.recs[s], path, r.sep) == 0);
			ok = input_read_all(&r.recs[s]) == 0; /* a refused record */
			continue;
		}
		lists[s] = words_of(field(&at, end), &r.src[s].n);
		r.src[s].words = lists[s];
		input_words(&r.recs[s], lists[s], r.src[s].n);
	}
	if (ok)
		combine_run(&r);
	for (size_t s = 0; s < r.nsrc; s++) {
		input_free(&r.recs[s]);
		free(lists[s]);
	}
	free(copy);
	return 0;
}
