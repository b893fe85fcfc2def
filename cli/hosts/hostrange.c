/*
 * One item of a host list expanded: literal text around bracket groups of
 * numbers and ranges, every combination in order, the last group fastest.
 * The whole item is parsed and sized first, so a bad or huge one costs
 * nothing but its error.
 */
#include "hosts/hostrange.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct range {
	uint64_t lo, hi;        /* hi is the last number made: lo + k * step */
	uint64_t step;          /* 1 unless "/S" follows */
	size_t pad;             /* digits at least: the lower bound's, if it has
				   a leading zero; else 0 */
};

struct group {
	size_t text, text_len;  /* the literal text before it, in the item */
	size_t first, n;        /* its ranges */
	size_t width;           /* its widest number */
	size_t at;              /* the range of the name being made */
	uint64_t value;         /* and its number */
};

struct parse {
	const char *s;
	size_t len, pos;
	struct group *g;
	size_t ng;
	struct range *r;
	size_t nr;
	size_t tail;            /* the text after the last group */
	struct hostrange_error *e;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int fail(struct parse *p, size_t pos, const char *why)
{
	p->e->column = pos + 1;
	snprintf(p->e->why, sizeof p->e->why, "%s", why);
	return -1;
}

static size_t digits_of(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* A number at p->pos; *pad is its width if it has a leading zero. */
static int parse_number(struct parse *p, bool first, uint64_t *value, size_t *pad)
{
	size_t start = p->pos;
	uint64_t v = 0;

	if (p->pos == p->len)
		return fail(p, p->len, "unclosed '['");
	if (!is_digit(p->s[p->pos]))
		return fail(p, p->pos, first && p->s[p->pos] == ']' ?
				       "empty '[]'" : "expected a number");
	for (; p->pos < p->len && is_digit(p->s[p->pos]); p->pos++) {
		unsigned d = (unsigned)(p->s[p->pos] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return fail(p, start, "number too large");
		v = v * 10 + d;
	}
	*value = v;
	*pad = p->pos - start > 1 && p->s[start] == '0' ? p->pos - start : 0;
	return 0;
}

/* "/S" after "N-M", as ClusterShell's steps: every S-th number from N. */
static int parse_step(struct parse *p, struct range *r)
{
	size_t ignored;

	if (p->pos == p->len || p->s[p->pos] != '/')
		return 0;
	size_t at = ++p->pos;

	if (parse_number(p, false, &r->step, &ignored) < 0)
		return -1;
	if (!r->step)
		return fail(p, at, "a step of 0");
	r->hi -= (r->hi - r->lo) % r->step;
	return 0;
}

/* "N", "N-M" or "N-M/S" into a new range of group g. */
static int parse_range(struct parse *p, struct group *g, bool first)
{
	struct range *r = &p->r[p->nr];
	size_t start = p->pos, ignored;

	if (parse_number(p, first, &r->lo, &r->pad) < 0)
		return -1;
	r->hi = r->lo;
	r->step = 1;
	if (p->pos < p->len && p->s[p->pos] == '/')
		return fail(p, p->pos, "a step needs a range (N-M/S)");
	if (p->pos < p->len && p->s[p->pos] == '-') {
		p->pos++;
		if (parse_number(p, false, &r->hi, &ignored) < 0)
			return -1;
		if (r->hi < r->lo)
			return fail(p, start, "the range goes down");
		if (parse_step(p, r) < 0)
			return -1;
	}
	if (g->width < r->pad)
		g->width = r->pad;
	if (g->width < digits_of(r->hi))
		g->width = digits_of(r->hi);
	p->nr++;
	g->n++;
	return 0;
}

/* The ranges of a group, from after its '[' to after its ']'. */
static int parse_group(struct parse *p, struct group *g)
{
	for (bool first = true;; first = false) {
		if (parse_range(p, g, first) < 0)
			return -1;
		if (p->pos == p->len)
			return fail(p, p->len, "unclosed '['");
		if (p->s[p->pos] == ']')
			break;
		if (p->s[p->pos] != ',')
			return fail(p, p->pos, "expected ',' or ']'");
		p->pos++;
	}
	p->pos++;
	return 0;
}

/*
 * "[::1]" or "[10.0.0.1]" where a host begins: an address, copied whole.
 * Returns false if the bracket at p->pos is a range; -1 on error.
 */
static int skip_address(struct parse *p)
{
	size_t k = p->pos + 1;
	bool address = false;

	if (p->pos && p->s[p->pos - 1] != '@')
		return false;
	for (; k < p->len && p->s[k] != ']'; k++)
		address |= p->s[k] == ':' || p->s[k] == '.';
	if (!address)
		return false;
	if (k == p->len)
		return fail(p, p->len, "unclosed '['");
	p->pos = k + 1;
	return true;
}

static int parse_item(struct parse *p)
{
	size_t text = 0;

	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == ']')
			return fail(p, p->pos, "unmatched ']'");
		if (c != '[') {
			p->pos++;
			continue;
		}
		int address = skip_address(p);
		if (address < 0)
			return -1;
		if (address)
			continue;
		struct group *g = &p->g[p->ng++];
		*g = (struct group){ .text = text, .text_len = p->pos - text,
				     .first = p->nr };
		p->pos++;
		if (parse_group(p, g) < 0)
			return -1;
		text = p->pos;
	}
	p->tail = text;
	return 0;
}

/* a * b, or SIZE_MAX when it would not fit. */
static size_t mul_sat(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t group_size(const struct parse *p, const struct group *g)
{
	size_t n = 0;

	for (size_t k = g->first; k < g->first + g->n; k++) {
		uint64_t span = (p->r[k].hi - p->r[k].lo) / p->r[k].step;

		n = add_sat(n, span >= SIZE_MAX ? SIZE_MAX : (size_t)span + 1);
	}
	return n;
}

/* Names and bytes (with the NULs, at most) the item makes; the longest. */
static void measure(const struct parse *p, size_t *hosts, size_t *bytes,
		    size_t *longest)
{
	size_t n = 1, name = p->len - p->tail;

	for (size_t k = 0; k < p->ng; k++) {
		n = mul_sat(n, group_size(p, &p->g[k]));
		name += p->g[k].text_len + p->g[k].width;
	}
	*hosts = n;
	*longest = name;
	*bytes = mul_sat(n, name + 1);
}

static int charge(struct hostrange_budget *b, size_t hosts, size_t bytes,
		  struct hostrange_error *e)
{
	size_t max_hosts = b->max_hosts ? b->max_hosts : HOSTRANGE_MAX_HOSTS;
	size_t max_bytes = b->max_bytes ? b->max_bytes : HOSTRANGE_MAX_BYTES;

	e->column = 0;
	if (hosts > max_hosts - b->hosts) {
		snprintf(e->why, sizeof e->why, "more than %zu hosts in all",
			 max_hosts);
		return -1;
	}
	if (bytes > max_bytes - b->bytes) {
		snprintf(e->why, sizeof e->why,
			 "more than %zu bytes of host names in all", max_bytes);
		return -1;
	}
	b->hosts += hosts;
	b->bytes += bytes;
	return 0;
}

/* v in at least pad digits at out; returns the end. */
static char *put_number(char *out, uint64_t v, size_t pad)
{
	size_t n = digits_of(v), width = n > pad ? n : pad;

	memset(out, '0', width - n);
	for (char *c = out + width; n--; v /= 10)
		*--c = (char)('0' + v % 10);
	return out + width;
}

static size_t make_name(const struct parse *p, char *name)
{
	char *c = name;

	for (size_t k = 0; k < p->ng; k++) {
		const struct group *g = &p->g[k];

		memcpy(c, p->s + g->text, g->text_len);
		c = put_number(c + g->text_len, g->value, p->r[g->at].pad);
	}
	memcpy(c, p->s + p->tail, p->len - p->tail);
	c += p->len - p->tail;
	*c = '\0';
	return (size_t)(c - name);
}

/* The next number of group g; false when it starts over. */
static bool step(const struct parse *p, struct group *g)
{
	if (g->value < p->r[g->at].hi) {
		g->value += p->r[g->at].step;
		return true;
	}
	if (g->at + 1 < g->first + g->n) {
		g->value = p->r[++g->at].lo;
		return true;
	}
	g->at = g->first;
	g->value = p->r[g->at].lo;
	return false;
}

static int generate(struct parse *p, size_t longest, hostrange_name_fn *fn,
		    void *user)
{
	char *name = xmalloc(longest + 1);
	int r = 0;

	for (size_t k = 0; k < p->ng; k++) {
		p->g[k].at = p->g[k].first;
		p->g[k].value = p->r[p->g[k].first].lo;
	}
	for (bool more = true; more && !r;) {
		r = fn(name, make_name(p, name), user);
		more = false;
		for (size_t k = p->ng; k-- > 0 && !more;)
			more = step(p, &p->g[k]);
	}
	free(name);
	return r;
}

int hostrange_expand(const char *s, size_t len, struct hostrange_budget *budget,
		     hostrange_name_fn *fn, void *user, struct hostrange_error *e)
{
	/* A group takes two bytes at least, a range one. */
	struct parse p = {
		.s = s, .len = len, .e = e,
		.g = xcalloc(len / 2 + 1, sizeof *p.g),
		.r = xcalloc(len + 1, sizeof *p.r),
	};
	size_t hosts, bytes, longest;
	int r = parse_item(&p);

	if (!r) {
		measure(&p, &hosts, &bytes, &longest);
		r = charge(budget, hosts, bytes, e);
	}
	if (!r)
		r = generate(&p, longest, fn, user);
	free(p.g);
	free(p.r);
	return r;
}
