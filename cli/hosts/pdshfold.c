/* pdsh's hostlist_ranged_string(), as pdsh -q prints its targets. */
#include "hosts/pdshfold.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* pdsh reads a number into an unsigned long: longer runs are no number. */
#define DIGITS_MAX 18

struct range {
	const char *name;   /* the first name: prefix and all */
	size_t plen;        /* its prefix's length */
	bool single;        /* no number: the name alone */
	uint64_t lo, hi;
	int width;          /* digits printed, zero-padded */
};

static void parse(struct range *r, const char *name)
{
	size_t len = strlen(name), p = len;

	while (p && name[p - 1] >= '0' && name[p - 1] <= '9')
		p--;
	*r = (struct range){ .name = name, .plen = p,
			     .single = p == len || len - p > DIGITS_MAX };
	if (r->single) {
		r->plen = len;
		return;
	}
	r->lo = r->hi = strtoull(name + p, NULL, 10);
	r->width = (int)(len - p);
}

/* Zeros n shows in width digits beyond its own (pdsh's _zero_padded). */
static int padding(uint64_t n, int width)
{
	int digits = 1;

	while (n /= 10)
		digits++;
	return width > digits ? width - digits : 0;
}

/* Whether widths *wa (of a) and *wb (of b) agree, as pdsh's _width_equiv:
   one of them may take the other's when its number reads the same so.  A
   range is weighed by its first number, as pdsh does. */
static bool widths_agree(uint64_t a, int *wa, uint64_t b, int *wb)
{
	bool a_moves = padding(a, *wa) != padding(a, *wb);
	bool b_moves = padding(b, *wb) != padding(b, *wa);

	if (*wa == *wb)
		return true;
	if (a_moves && b_moves)
		return false;
	if (a_moves)
		*wb = *wa;
	else
		*wa = *wb;
	return true;
}

static bool same_prefix(const struct range *a, const struct range *b)
{
	return a->plen == b->plen && a->single == b->single &&
	       strncmp(a->name, b->name, a->plen) == 0;
}

/* Whether a and b share a bracket (pdsh's hostrange_within_range). */
static bool within(const struct range *a, const struct range *b)
{
	return !a->single && same_prefix(a, b);
}

static void put_number(struct buf *b, const struct range *r)
{
	buf_printf(b, "%0*llu", r->width, (unsigned long long)r->lo);
	if (r->hi > r->lo)
		buf_printf(b, "-%0*llu", r->width, (unsigned long long)r->hi);
}

/* The ranges from *k that share a bracket, and the ',' after them. */
static void put_group(struct buf *b, const struct range *v, size_t n, size_t *k)
{
	const struct range *r = &v[*k];
	bool bracket = !r->single &&
		       (r->hi > r->lo || (*k + 1 < n && within(r, &v[*k + 1])));

	buf_add(b, r->name, r->plen);
	if (bracket)
		buf_addc(b, '[');
	do {
		if (!v[*k].single)
			put_number(b, &v[*k]);
		if (bracket)
			buf_addc(b, ',');
	} while (++*k < n && within(&v[*k], &v[*k - 1]));
	if (bracket)
		b->data[b->len - 1] = ']';
	if (*k < n)
		buf_addc(b, ',');
}

void pdshfold(struct buf *b, const char *const *names, size_t n)
{
	struct range *v = xreallocarray(NULL, n ? n : 1, sizeof *v);
	size_t nv = 0;

	for (size_t k = 0; k < n; k++) {
		struct range r;
		struct range *tail = nv ? &v[nv - 1] : NULL;

		parse(&r, names[k]);
		if (tail && !r.single && same_prefix(tail, &r) &&
		    tail->hi + 1 == r.lo &&
		    widths_agree(tail->lo, &tail->width, r.lo, &r.width))
			tail->hi = r.lo;
		else
			v[nv++] = r;
	}
	buf_adds(b, "");
	for (size_t k = 0; k < nv;)
		put_group(b, v, nv, &k);
	free(v);
}
