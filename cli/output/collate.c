/*
 * -o collate: one copy of each distinct output, found by its 64-bit hash
 * and confirmed byte for byte, with the tasks that printed it.
 */
#include "output/collate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "output/color.h"
#include "hosts/hostfold.h"
#include "util/xalloc.h"

#define K1 0x9e3779b97f4a7c15u
#define K2 0xbf58476d1ce4e5b9u
#define K3 0x94d049bb133111ebu

/* The line above and below a header, as clush -b draws it. */
#define RULE "---------------\n"

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
	uint64_t h = finish_hash(k->part + K3);

	h = hash_bytes(h, k->out, k->out_len);
	h = hash_bytes(h, k->err, k->err_len);
	return finish_hash(h);
}

static bool same_output(const void *collate, size_t idx, const void *key)
{
	const struct collate_group *g = &((const struct collate *)collate)->g[idx];
	const struct collate_key *k = key;

	return g->part == k->part && g->out_len == k->out_len &&
	       g->err_len == k->err_len &&
	       memcmp(g->data, k->out, k->out_len) == 0 &&
	       memcmp(g->data + g->out_len, k->err, k->err_len) == 0;
}

void collate_init(struct collate *c, collate_hash_fn *hash)
{
	*c = (struct collate){ .hash = hash ? hash : collate_hash };
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
		.label = label ? xstrdup(label) : NULL,
		.data = xmalloc(k->out_len + k->err_len + 1),
		.out_len = k->out_len, .err_len = k->err_len,
	};
	memcpy(g->data, k->out, k->out_len);
	memcpy(g->data + k->out_len, k->err, k->err_len);
}

static void add_member(struct collate *c, struct collate_group *g,
		       unsigned long long seq, const char *name)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->m = xreallocarray(g->m, g->cap, sizeof *g->m);
	}
	g->m[g->n++] = (struct collate_member){ seq, c->names.len };
	buf_add(&c->names, name, strlen(name) + 1);
	if (g->n == 1 || seq < g->first)
		g->first = seq;
}

void collate_add(struct collate *c, const struct collate_key *key,
		 unsigned long long seq, const char *name, const char *label)
{
	size_t k;

	if (!key->out_len && !key->err_len)
		return;
	k = table_intern(&c->index, c, c->hash(key), key, c->n);
	if (k == c->n)
		new_group(c, key, label);
	add_member(c, &c->g[k], seq, name);
}

void collate_task(struct collate *c, const struct task_info *t,
		  const struct rr_result *r)
{
	struct collate_key key = {
		.out = r->out.data, .out_len = r->out.len,
		.err = r->err.data, .err_len = r->err.len,
	};
	bool per_input = t->host && t->input;

	if (per_input)
		key.part = t->input_no;
	collate_add(c, &key, t->seq, t->host ? t->host : t->tag,
		    per_input ? t->tag : NULL);
}

static int by_seq(const void *pa, const void *pb)
{
	const struct collate_member *a = pa, *b = pb;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int by_part_first(const void *pa, const void *pb)
{
	const struct collate_group *a = *(const struct collate_group *const *)pa;
	const struct collate_group *b = *(const struct collate_group *const *)pb;

	if (a->part != b->part)
		return a->part < b->part ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* The rule, the members folded [, the label] and their count, the rule. */
static void put_header(struct buf *b, const struct collate *c,
		       struct collate_group *g)
{
	const char **names = xcalloc(g->n, sizeof *names);
	char *folded;

	qsort(g->m, g->n, sizeof *g->m, by_seq);
	for (size_t k = 0; k < g->n; k++)
		names[k] = c->names.data + g->m[k].name;
	folded = hostfold(names, g->n);
	buf_adds(b, RULE);
	buf_adds(b, folded);
	if (g->label) {
		buf_addc(b, ' ');
		buf_adds(b, g->label);
	}
	buf_printf(b, " (%zu)\n" RULE, g->n);
	free(folded);
	free(names);
}

static void put_block(struct output *o, enum rr_stream stream,
		      const struct buf *header, const char *s, size_t len)
{
	void (*put)(struct output *, const char *, size_t) =
		stream == RR_STDOUT ? output_stdout : output_stderr;

	bool bold = stream == RR_STDOUT ? o->out.color : o->err.color;
	struct buf painted = BUF_INIT;

	if (!len)
		return;
	color_add(&painted, bold, PAINT_BOLD, header->data, header->len - 1);
	buf_addc(&painted, '\n');
	put(o, painted.data, painted.len);
	buf_free(&painted);
	put(o, s, len);
	if (s[len - 1] != '\n')
		put(o, "\n", 1);
}

void collate_print(struct collate *c, struct output *o)
{
	struct collate_group **order = xcalloc(c->n ? c->n : 1, sizeof *order);
	struct buf header = BUF_INIT;

	for (size_t k = 0; k < c->n; k++)
		order[k] = &c->g[k];
	qsort(order, c->n, sizeof *order, by_part_first);
	for (size_t k = 0; k < c->n; k++) {
		struct collate_group *g = order[k];

		buf_reset(&header);
		put_header(&header, c, g);
		put_block(o, RR_STDOUT, &header, g->data, g->out_len);
		put_block(o, RR_STDERR, &header, g->data + g->out_len,
			  g->err_len);
	}
	buf_free(&header);
	free(order);
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
	collate_init(c, c->hash);
}
