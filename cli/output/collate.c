/*
 * -o collate: one copy of each distinct output, found by its 64-bit hash
 * and confirmed byte for byte, with the tasks that printed it; printed in
 * clush -b's order and layout, or dshbak -c's.
 */
#define _GNU_SOURCE /* qsort_r: the order depends on the style */
#include "output/collate.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "output/color.h"
#include "hosts/hostfold.h"
#include "hosts/nodeorder.h"
#include "util/xalloc.h"

#define K1 0x9e3779b97f4a7c15u
#define K2 0xbf58476d1ce4e5b9u
#define K3 0x94d049bb133111ebu

/* The line above and below a header, as clush -b and dshbak -c draw it. */
#define RULE_CLUSH "---------------\n"
#define RULE_DSHBAK "----------------\n"

/* A task's exit status when it has none: ssh's, when it cannot say. */
#define RC_UNKNOWN 255

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t finish_hash(uint64_t h)
{
	h ^= h >> 30;
	h *= K2;
	h ^= h >> 27;
	h *= K3;
	return h ^ (h >> 31);
}

/* Eight bytes a step; the length first, so that where a stream ends counts. */
static uint64_t hash_bytes(uint64_t h, const char *p, size_t len)
{
	uint64_t w;

	h = (h ^ len) * K1;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * K1;
		h ^= h >> 32; /* the high bits down, or they would never mix */
	}
	w = 0;
	memcpy(&w, p, len);
	return (h ^ w) * K1;
}

uint64_t collate_hash(const struct collate_key *k)
{
	uint64_t h = finish_hash(finish_hash(k->part + K3) ^ (unsigned)k->rc);

	h = hash_bytes(h, k->out, k->out_len);
	h = hash_bytes(h, k->err, k->err_len);
	return finish_hash(h);
}

static bool same_output(const void *collate, size_t idx, const void *key)
{
	const struct collate_group *g = &((const struct collate *)collate)->g[idx];
	const struct collate_key *k = key;

	return g->part == k->part && g->rc == k->rc &&
	       g->out_len == k->out_len && g->err_len == k->err_len &&
	       memcmp(g->data, k->out, k->out_len) == 0 &&
	       memcmp(g->data + g->out_len, k->err, k->err_len) == 0;
}

void collate_init(struct collate *c, enum collate_style style, bool with_err,
		  collate_hash_fn *hash)
{
	*c = (struct collate){
		.hash = hash ? hash : collate_hash,
		.style = style,
		.with_err = with_err,
	};
	table_init(&c->index, same_output);
}

static void new_group(struct collate *c, const struct collate_key *k,
		      const char *label)
{
	struct collate_group *g;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->g = xreallocarray(c->g, c->cap, sizeof *c->g);
	}
	g = &c->g[c->n++];
	*g = (struct collate_group){
		.part = k->part,
		.rc = k->rc,
		.label = label ? xstrdup(label) : NULL,
		.data = xmalloc(k->out_len + k->err_len + 1),
		.out_len = k->out_len, .err_len = k->err_len,
	};
	if (k->out_len)
		memcpy(g->data, k->out, k->out_len);
	if (k->err_len)
		memcpy(g->data + k->out_len, k->err, k->err_len);
}

static void add_member(struct collate *c, struct collate_group *g,
		       const char *name, bool exit_line)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->m = xreallocarray(g->m, g->cap, sizeof *g->m);
	}
	g->m[g->n++] = (struct collate_member){ c->names.len, exit_line };
	buf_add(&c->names, name, strlen(name) + 1);
}

/* clush compares lines: an output whose last line lacks its newline gets
   one, in c->scratch (only then is it copied). */
static void with_newlines(struct collate *c, struct collate_key *k)
{
	bool out_nl = k->out_len && k->out[k->out_len - 1] != '\n';
	bool err_nl = k->err_len && k->err[k->err_len - 1] != '\n';
	size_t out_len;

	if (!out_nl && !err_nl)
		return;
	buf_reset(&c->scratch);
	buf_add(&c->scratch, k->out, k->out_len);
	if (out_nl)
		buf_addc(&c->scratch, '\n');
	out_len = c->scratch.len;
	buf_add(&c->scratch, k->err, k->err_len);
	if (err_nl)
		buf_addc(&c->scratch, '\n');
	k->out = c->scratch.data;
	k->out_len = out_len;
	k->err = c->scratch.data + out_len;
	k->err_len = c->scratch.len - out_len;
}

void collate_add(struct collate *c, const struct collate_key *key,
		 const char *name, const char *label, bool exit_line)
{
	struct collate_key lines = *key;
	size_t k;

	/* memcpy and memcmp want a pointer even for no bytes */
	if (!lines.out)
		lines.out = "";
	if (!lines.err)
		lines.err = "";
	with_newlines(c, &lines);
	k = table_intern(&c->index, c, c->hash(&lines), &lines, c->n);
	if (k == c->n)
		new_group(c, &lines, label);
	add_member(c, &c->g[k], name, exit_line);
}

/* Its stderr now, a line at a time after its tag, as clush -b shows it. */
static void put_err_lines(struct output *o, const struct task_info *t,
			  const struct rr_capture *err)
{
	const char *p = err->data, *end = p + err->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		output_line(o, t, RR_STDERR, p, len);
		p += len + 1;
	}
}

bool collate_task(struct collate *c, struct output *o,
		  const struct task_info *t, const struct rr_result *r)
{
	bool clush = c->style == COLLATE_CLUSH;
	bool exited = ran_to_end(t, r) && r->exit_code >= 0;
	bool per_input = t->host && t->input;
	struct collate_key key = {
		.part = per_input ? t->input_no : 0,
		.rc = !clush ? 0 : exited ? r->exit_code : RC_UNKNOWN,
		.out = r->out.data, .out_len = r->out.len,
	};
	bool exit_line = clush && exited && r->exit_code != 0;

	if (c->with_err) {
		key.err = r->err.data;
		key.err_len = r->err.len;
	} else {
		put_err_lines(o, t, &r->err);
	}
	collate_add(c, &key, t->host ? t->host : t->tag,
		    per_input ? t->tag : NULL, exit_line);
	return exit_line;
}

/* Two runs of digits by value, then the shorter (less padded) first. */
static int number_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	size_t za = 0, zb = 0;
	int d;

	while (za + 1 < la && a[za] == '0')
		za++;
	while (zb + 1 < lb && b[zb] == '0')
		zb++;
	if (la - za != lb - zb)
		return la - za < lb - zb ? -1 : 1;
	d = memcmp(a + za, b + zb, la - za);
	if (d)
		return d;
	return la < lb ? -1 : la > lb;
}

/* Where the digits that end s start (its end: none). */
static const char *last_number(const char *s)
{
	const char *e = s + strlen(s);

	while (e > s && e[-1] >= '0' && e[-1] <= '9')
		e--;
	return e;
}

/* dshbak's order: by the number that ends the name (none: 0). */
static int last_number_cmp(const char *a, const char *b)
{
	const char *na = last_number(a), *nb = last_number(b);
	size_t la = strlen(na), lb = strlen(nb);
	int d = number_cmp(la ? na : "0", la ? la : 1, lb ? nb : "0",
			   lb ? lb : 1);

	return d ? d : strcmp(a, b);
}

/* dshbak's header: by the text before the last number, then by it. */
static int prefix_number_cmp(const char *a, const char *b)
{
	size_t la = (size_t)(last_number(a) - a), lb = (size_t)(last_number(b) - b);
	int d = memcmp(a, b, la < lb ? la : lb);

	if (d)
		return d;
	if (la != lb)
		return la < lb ? -1 : 1;
	return last_number_cmp(a, b);
}

/* Member names in the order the style folds them in. */
static int name_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct collate *c = ctx;
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;

	return c->style == COLLATE_CLUSH ? nodeorder_cmp(a, b) :
	       prefix_number_cmp(a, b);
}

/* names sorted in the style's order, folded (malloc'd). */
static char *fold(const struct collate *c, const char **names, size_t n)
{
	qsort_r(names, n, sizeof *names, name_cmp, (void *)c);
	return hostfold(names, n);
}

/* A group: its members sorted, folded; first: the first of them. */
struct shown {
	struct collate_group *g;
	char *folded;
	const char *first;
};

static void show(const struct collate *c, struct shown *s,
		 struct collate_group *g)
{
	const char **names = xcalloc(g->n, sizeof *names);

	assert(g->n > 0);
	for (size_t k = 0; k < g->n; k++)
		names[k] = c->names.data + g->m[k].name;
	s->g = g;
	s->folded = fold(c, names, g->n);
	s->first = names[0];
	/* dshbak comes to a group at its member with the smallest number */
	for (size_t k = 1; c->style == COLLATE_DSHBAK && k < g->n; k++)
		if (last_number_cmp(names[k], s->first) < 0)
			s->first = names[k];
	free(names);
}

/*
 * clush: by part, exit status, the largest group first, then the first
 * members' names as strings (ClusterShell's key: -len(nodeset),
 * nodeset[0]); dshbak: by the first members, in its order.
 */
static int shown_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct collate *c = ctx;
	const struct shown *a = pa, *b = pb;

	if (a->g->part != b->g->part)
		return a->g->part < b->g->part ? -1 : 1;
	if (c->style == COLLATE_DSHBAK)
		return last_number_cmp(a->first, b->first);
	if (a->g->rc != b->g->rc)
		return a->g->rc < b->g->rc ? -1 : 1;
	if (a->g->n != b->g->n)
		return a->g->n > b->g->n ? -1 : 1;
	return strcmp(a->first, b->first);
}

/* The rule, the members folded [, the label] [and their count], the rule. */
static void put_header(struct buf *b, const struct collate *c,
		       const struct shown *s)
{
	const char *rule = c->style == COLLATE_CLUSH ? RULE_CLUSH : RULE_DSHBAK;

	buf_adds(b, rule);
	buf_adds(b, s->folded);
	if (s->g->label) {
		buf_addc(b, ' ');
		buf_adds(b, s->g->label);
	}
	if (c->style == COLLATE_CLUSH && s->g->n > 1)
		buf_printf(b, " (%zu)", s->g->n);
	buf_addc(b, '\n');
	buf_adds(b, rule);
}

static void put_group(struct output *o, const struct buf *header,
		      const struct collate_group *g)
{
	struct buf painted = BUF_INIT;

	color_add(&painted, o->out.color, PAINT_BOLD, header->data,
		  header->len - 1);
	buf_addc(&painted, '\n');
	output_stdout(o, painted.data, painted.len);
	buf_free(&painted);
	output_stdout(o, g->data, g->out_len + g->err_len);
}

/*
 * One part's tasks that exited with rc (s[0..n), in order), as clush says
 * it: "HOSTS[ LABEL][ (N)]: exited with exit code RC".
 */
static void put_exit_line(const struct collate *c, struct output *o,
			  const struct shown *s, size_t n)
{
	size_t total = 0, k = 0;
	const char **names;
	char *folded;

	for (size_t i = 0; i < n; i++)
		total += s[i].g->n;
	names = xcalloc(total, sizeof *names);
	for (size_t i = 0; i < n; i++)
		for (size_t m = 0; m < s[i].g->n; m++)
			if (s[i].g->m[m].exit_line)
				names[k++] = c->names.data + s[i].g->m[m].name;
	if (k) {
		const char *label = s[0].g->label;
		struct buf b = BUF_INIT;

		folded = fold(c, names, k);
		buf_adds(&b, folded);
		if (label)
			buf_printf(&b, " %s", label);
		if (k > 1)
			buf_printf(&b, " (%zu)", k);
		output_note(o, "%s: exited with exit code %d", b.data, s[0].g->rc);
		buf_free(&b);
		free(folded);
	}
	free(names);
}

static void put_exit_lines(const struct collate *c, struct output *o,
			   const struct shown *s, size_t n)
{
	for (size_t k = 0, end; k < n; k = end) {
		for (end = k + 1; end < n && s[end].g->part == s[k].g->part &&
				  s[end].g->rc == s[k].g->rc; end++)
			;
		if (s[k].g->rc)
			put_exit_line(c, o, s + k, end - k);
	}
}

void collate_print(struct collate *c, struct output *o)
{
	struct shown *s = xcalloc(c->n ? c->n : 1, sizeof *s);
	struct buf header = BUF_INIT;

	for (size_t k = 0; k < c->n; k++)
		show(c, &s[k], &c->g[k]);
	qsort_r(s, c->n, sizeof *s, shown_cmp, c);
	for (size_t k = 0; k < c->n; k++) {
		if (!s[k].g->out_len && !s[k].g->err_len)
			continue;
		buf_reset(&header);
		put_header(&header, c, &s[k]);
		put_group(o, &header, s[k].g);
	}
	if (c->style == COLLATE_CLUSH)
		put_exit_lines(c, o, s, c->n);
	for (size_t k = 0; k < c->n; k++)
		free(s[k].folded);
	buf_free(&header);
	free(s);
}

void collate_free(struct collate *c)
{
	for (size_t k = 0; k < c->n; k++) {
		struct collate_group *g = &c->g[k];

		free(g->m);
		free(g->label);
		free(g->data);
	}
	free(c->g);
	table_free(&c->index);
	buf_free(&c->names);
	buf_free(&c->scratch);
	collate_init(c, c->style, c->with_err, c->hash);
}
