/* An index of the caller's items by hash: open addressing, linear probing. */
#include "util/table.h"

#include <assert.h>
#include <stdlib.h>

#include "util/xalloc.h"

void table_init(struct table *t, table_match_fn *match)
{
	*t = (struct table){ .match = match };
}

/* The slot of the item key names, or the empty slot where it would go. */
static struct table_slot *probe(const struct table *t, const void *ctx,
				uint64_t hash, const void *key)
{
	size_t mask = t->nslot - 1;

	for (size_t k = (size_t)hash & mask;; k = (k + 1) & mask) {
		struct table_slot *s = &t->slot[k];

		if (!s->idx ||
		    (s->hash == hash && t->match(ctx, s->idx - 1, key)))
			return s;
	}
}

/* The empty slot for hash: the items in the table are all different. */
static struct table_slot *free_slot(const struct table *t, uint64_t hash)
{
	size_t mask = t->nslot - 1;
	size_t k = (size_t)hash & mask;

	while (t->slot[k].idx)
		k = (k + 1) & mask;
	return &t->slot[k];
}

/* Room for one more item at most half full. */
static void make_room(struct table *t)
{
	struct table_slot *was = t->slot;
	size_t old = t->nslot;

	if ((t->n + 1) * 2 <= t->nslot)
		return;
	t->nslot = old ? old * 2 : 16;
	t->slot = xcalloc(t->nslot, sizeof *t->slot);
	for (size_t k = 0; k < old; k++)
		if (was[k].idx)
			*free_slot(t, was[k].hash) = was[k];
	free(was);
}

size_t table_find(const struct table *t, const void *ctx, uint64_t hash,
		  const void *key)
{
	const struct table_slot *s = t->n ? probe(t, ctx, hash, key) : NULL;

	return s && s->idx ? s->idx - 1 : TABLE_NONE;
}

size_t table_intern(struct table *t, const void *ctx, uint64_t hash,
		    const void *key, size_t idx)
{
	struct table_slot *s;

	assert(idx != TABLE_NONE);
	make_room(t);
	s = probe(t, ctx, hash, key);
	if (!s->idx) {
		*s = (struct table_slot){ .hash = hash, .idx = idx + 1 };
		t->n++;
	}
	return s->idx - 1;
}

void table_free(struct table *t)
{
	free(t->slot);
	table_init(t, t->match);
}
