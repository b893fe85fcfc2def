/*
 * Host lists written back compressed: names grouped by the text around
 * their last run of digits, the numbers of a group merged into ranges;
 * then the terms that made grouped again by the number before, and so on
 * leftwards, so that a product of ranges comes back as one term.
 */
#include "hosts/hostfold.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fnv.h"
#include "util/table.h"
#include "util/xalloc.h"

/* A name cut around its number: prefix, digits, suffix. */
struct member {
	const char *name;
	size_t pre, digits;     /* lengths of the prefix and of the digits */
	uint64_t value;
	size_t group;           /* index into the groups, in first appearance */
	bool numbered;          /* false: no digits (or too many), a literal */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* digits[0..len) as a number; false if it does not fit in 64 bits. */
static bool parse_u64(const char *digits, size_t len, uint64_t *value)
{
	uint64_t v = 0;

	for (size_t k = 0; k < len; k++) {
		unsigned d = (unsigned)(digits[k] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*value = v;
	return true;
}

/* The last run of digits in name[from..to) into m; false if none fits. */
static bool last_number(const char *name, size_t from, size_t to,
			struct member *m)
{
	size_t end = to, start;

	while (end > from && !is_digit(name[end - 1]))
		end--;
	if (end == from)
		return false;
	for (start = end; start > from && is_digit(name[start - 1]); start--)
		;
	if (!parse_u64(name + start, end - start, &m->value))
		return false;
	m->pre = start;
	m->digits = end - start;
	m->numbered = true;
	return true;
}

/* The position after the last c in s[0..len), or 0. */
static size_t after_last(const char *s, size_t len, char c)
{
	for (size_t k = len; k > 0; k--)
		if (s[k - 1] == c)
			return k;
	return 0;
}

/*
 * Cut at the host's number if it has one: after the user ("u1@web3") and
 * an address's ']' ("[::1]:22"), before a port ("web3:2222").  Else at the
 * last number after the ']'.
 */
static struct member cut(const char *name)
{
	struct member m = { .name = name };
	size_t len = strlen(name), addr_end = after_last(name, len, ']');
	size_t host = after_last(name, len, '@');
	const char *colon;

	if (host < addr_end)
		host = addr_end;
	colon = memchr(name + host, ':', len - host);
	size_t host_end = colon && !strchr(colon + 1, ':') ?
				  (size_t)(colon - name) : len;
	if (!last_number(name, host, host_end, &m))
		last_number(name, addr_end, len, &m);
	return m;
}

/*
 * Where the run of digits or the bracket group that ends at name[end] starts
 * (its '['), not before from; from if the group is not closed.
 */
static size_t dimension_start(const char *name, size_t from, size_t end)
{
	size_t start = end;

	if (name[end - 1] != ']') {
		while (start > from && is_digit(name[start - 1]))
			start--;
		return start;
	}
	while (start > from && name[start - 1] != '[')
		start--;
	return start > from ? start - 1 : from;
}

/*
 * Cut a term folded on its dim - 1 last numbers at the one before them:
 * in the host part (no user, no port; an address never), bracket groups
 * and runs of digits counted from the right.
 */
static struct member cut_at(const char *name, size_t dim)
{
	struct member m = { .name = name };
	size_t len = strlen(name), host = after_last(name, len, '@');
	const char *colon = memchr(name + host, ':', len - host);
	size_t end = colon ? (size_t)(colon - name) : len;

	if (name[host] == '[' || (colon && strchr(colon + 1, ':')))
		return m;
	for (size_t d = 1;; d++) {
		while (end > host && !is_digit(name[end - 1]) && name[end - 1] != ']')
			end--;
		if (end == host)
			return m;
		size_t start = dimension_start(name, host, end);
		if (d == dim) {
			if (name[end - 1] != ']')
				last_number(name, start, end, &m);
			return m;
		}
		end = start;
	}
}

static const char *suffix(const struct member *m)
{
	return m->name + m->pre + m->digits;
}

/* Literals group by the whole name, numbered names by prefix and suffix. */
static uint64_t hash_key(const struct member *m)
{
	uint64_t h = FNV_OFFSET;

	if (!m->numbered)
		return fnv_field(h, m->name, strlen(m->name));
	h = fnv_field(h, m->name, m->pre);
	return fnv_field(h, suffix(m), strlen(suffix(m)));
}

static bool same_key(const struct member *a, const struct member *b)
{
	if (a->numbered != b->numbered)
		return false;
	if (!a->numbered)
		return strcmp(a->name, b->name) == 0;
	return a->pre == b->pre && memcmp(a->name, b->name, a->pre) == 0 &&
	       strcmp(suffix(a), suffix(b)) == 0;
}

static bool member_matches(const void *members, size_t idx, const void *key)
{
	return same_key((const struct member *)members + idx, key);
}

/* Number the groups in order of first appearance. */
static void assign_groups(struct member *v, size_t n)
{
	struct table firsts; /* each group's first member */
	size_t groups = 0;

	table_init(&firsts, member_matches);
	for (size_t k = 0; k < n; k++) {
		size_t first = table_intern(&firsts, v, hash_key(&v[k]), &v[k], k);

		v[k].group = first == k ? groups++ : v[first].group;
	}
	table_free(&firsts);
}

/* By group, then number, then width: equal neighbours are duplicates. */
static int by_group_value(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->digits != b->digits)
		return a->digits < b->digits ? -1 : 1;
	return 0;
}

static size_t drop_duplicates(struct member *v, size_t n)
{
	size_t out = 0;

	for (size_t k = 0; k < n; k++)
		if (!out || by_group_value(&v[out - 1], &v[k]) != 0)
			v[out++] = v[k];
	return out;
}

/* The width a range starting here is padded to: 0 for none. */
static size_t pad_of(const struct member *m)
{
	return m->digits > 1 && m->name[m->pre] == '0' ? m->digits : 0;
}

/* Would a range padded to pad print m's number exactly as m has it? */
static bool fits(const struct member *m, size_t pad)
{
	if (!pad)
		return !pad_of(m);
	return pad_of(m) ? m->digits == pad : m->digits >= pad;
}

/*
 * The member that continues a run ending at v[last] (value + 1, printed
 * the run's way, not taken yet), or hi if none.  Members are sorted by
 * value, so it is among the next few.
 */
static size_t next_in_run(const struct member *v, const bool *taken,
			  size_t last, size_t hi, size_t pad)
{
	uint64_t want = v[last].value + 1;

	if (v[last].value == UINT64_MAX)
		return hi;
	for (size_t k = last + 1; k < hi && v[k].value <= want; k++)
		if (v[k].value == want && !taken[k] && fits(&v[k], pad))
			return k;
	return hi;
}

static void add_digits(struct buf *b, const struct member *m)
{
	buf_add(b, m->name + m->pre, m->digits);
}

/* The ranges of v[lo..hi), one group of two members or more. */
static void add_ranges(struct buf *b, const struct member *v, bool *taken,
		       size_t lo, size_t hi)
{
	bool first = true;

	for (size_t k = lo; k < hi; k++) {
		if (taken[k])
			continue;
		size_t pad = pad_of(&v[k]), last = k;

		taken[k] = true;
		for (size_t next; (next = next_in_run(v, taken, last, hi, pad)) < hi;
		     last = next)
			taken[next] = true;
		if (!first)
			buf_addc(b, ',');
		first = false;
		add_digits(b, &v[k]);
		if (last != k) {
			buf_addc(b, '-');
			add_digits(b, &v[last]);
		}
	}
}

static void add_group(struct buf *b, const struct member *v, bool *taken,
		      size_t lo, size_t hi)
{
	const struct member *m = &v[lo];

	if (!m->numbered || hi - lo == 1) {
		buf_adds(b, m->name);
		return;
	}
	buf_add(b, m->name, m->pre);
	buf_addc(b, '[');
	add_ranges(b, v, taken, lo, hi);
	buf_addc(b, ']');
	buf_adds(b, suffix(m));
}

/*
 * The names folded on dimension dim (1: the host's number, as cut() finds
 * it), a term per group in order, each malloc'd, their count in *n; NULL
 * when no name has that dimension.
 */
static char **fold_on(const char *const *names, size_t *n, size_t dim)
{
	struct member *v = xcalloc(*n + 1, sizeof *v);
	char **terms = NULL;
	bool *taken, any = false;
	size_t m = 0;

	for (size_t k = 0; k < *n; k++) {
		v[k] = dim == 1 ? cut(names[k]) : cut_at(names[k], dim);
		any |= v[k].numbered;
	}
	if (!any && dim > 1) {
		free(v);
		return NULL;
	}
	assign_groups(v, *n);
	qsort(v, *n, sizeof *v, by_group_value);
	*n = drop_duplicates(v, *n);
	taken = xcalloc(*n + 1, sizeof *taken);
	terms = xcalloc(*n + 1, sizeof *terms);
	for (size_t lo = 0, hi; lo < *n; lo = hi) {
		struct buf b = BUF_INIT;

		for (hi = lo + 1; hi < *n && v[hi].group == v[lo].group; hi++)
			;
		add_group(&b, v, taken, lo, hi);
		terms[m++] = buf_detach(&b);
	}
	*n = m;
	free(taken);
	free(v);
	return terms;
}

static void free_terms(char **terms, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(terms[k]);
	free(terms);
}

char *hostfold(const char *const *names, size_t n)
{
	char **terms = fold_on(names, &n, 1), **next;
	struct buf b = BUF_INIT;

	for (size_t dim = 2, before = n;
	     (next = fold_on((const char *const *)terms, &n, dim)); dim++) {
		free_terms(terms, before);
		terms = next;
		before = n;
	}
	for (size_t k = 0; k < n; k++) {
		if (k)
			buf_addc(&b, ',');
		buf_adds(&b, terms[k]);
	}
	free_terms(terms, n);
	return buf_detach(&b);
}
