/*
 * An index over items the caller keeps in an array, found by a 64-bit hash
 * and confirmed by the caller's own comparison: open addressing with linear
 * probing, at most half full so that probes stay short.  The table keeps
 * each item's index and hash, never a key: the items are the caller's.
 */
#ifndef CLI_TABLE_H
#define CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TABLE_NONE SIZE_MAX

/* Is item idx of ctx (the caller's items) the one key names? */
typedef bool table_match_fn(const void *ctx, size_t idx, const void *key);

struct table_slot {
	uint64_t hash;
	size_t idx; /* the item's index + 1; 0: empty */
};

struct table {
	table_match_fn *match;
	struct table_slot *slot;
	size_t nslot; /* 0, or a power of two at least twice n */
	size_t n;     /* items in it */
};

/* An empty table whose items are compared with match. */
void table_init(struct table *t, table_match_fn *match);

/* The index of the item key names (its hash: hash), or TABLE_NONE. */
size_t table_find(const struct table *t, const void *ctx, uint64_t hash,
		  const void *key);

/*
 * The index of the item key names; if there is none, item idx (which key
 * names) is added and idx returned.
 */
size_t table_intern(struct table *t, const void *ctx, uint64_t hash,
		    const void *key, size_t idx);

/* Empty it and free its memory; it stays usable, with the same match. */
void table_free(struct table *t);

#endif
