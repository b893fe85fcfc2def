/* cli/util/table.c: the index of the CLI's tables (names, outputs, log rows). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/table.h"

#define NWORDS 1000

struct words {
	char w[NWORDS][8];
	size_t n;
};

static bool same_word(const void *ctx, size_t idx, const void *key)
{
	const struct words *ws = ctx;

	cr_assert_lt(idx, ws->n, "item %zu asked for, only %zu exist", idx, ws->n);
	return strcmp(ws->w[idx], key) == 0;
}

static uint64_t good_hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Add word w (unless present): the index of the item that holds it. */
static size_t add(struct table *t, struct words *ws, const char *w,
		  uint64_t hash)
{
	size_t idx;

	strcpy(ws->w[ws->n], w);
	idx = table_intern(t, ws, hash, w, ws->n);
	if (idx == ws->n)
		ws->n++;
	return idx;
}

Test(unit_table, empty_finds_nothing)
{
	struct table t;
	struct words ws = { .n = 0 };

	table_init(&t, same_word);
	cr_assert_eq(table_find(&t, &ws, good_hash("a"), "a"), TABLE_NONE);
	table_free(&t);
}

Test(unit_table, intern_returns_the_first_holder)
{
	struct table t;
	static struct words ws;

	table_init(&t, same_word);
	cr_assert_eq(add(&t, &ws, "web1", good_hash("web1")), 0);
	cr_assert_eq(add(&t, &ws, "web2", good_hash("web2")), 1);
	cr_assert_eq(add(&t, &ws, "web1", good_hash("web1")), 0);
	cr_assert_eq(ws.n, 2);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(table_find(&t, &ws, good_hash("web2"), "web2"), 1);
	cr_assert_eq(table_find(&t, &ws, good_hash("web3"), "web3"), TABLE_NONE);
	table_free(&t);
}

/* Growing keeps every item findable, and the table at most half full. */
Test(unit_table, grows)
{
	struct table t;
	static struct words ws;
	char w[16];

	table_init(&t, same_word);
	for (int k = 0; k < NWORDS; k++) {
		snprintf(w, sizeof w, "h%d", k);
		cr_assert_eq(add(&t, &ws, w, good_hash(w)), (size_t)k);
		cr_assert_leq(t.n * 2, t.nslot);
	}
	for (int k = 0; k < NWORDS; k++) {
		snprintf(w, sizeof w, "h%d", k);
		cr_assert_eq(table_find(&t, &ws, good_hash(w), w), (size_t)k);
	}
	table_free(&t);
	cr_assert_eq(t.n, 0);
	cr_assert_eq(table_find(&t, &ws, good_hash("h1"), "h1"), TABLE_NONE);
}

/* Every item under one hash: the caller's comparison tells them apart. */
Test(unit_table, equal_hashes_are_compared)
{
	struct table t;
	static struct words ws;
	char w[16];

	table_init(&t, same_word);
	for (int k = 0; k < 100; k++) {
		snprintf(w, sizeof w, "h%d", k);
		cr_assert_eq(add(&t, &ws, w, 42), (size_t)k);
	}
	cr_assert_eq(add(&t, &ws, "h57", 42), 57);
	cr_assert_eq(table_find(&t, &ws, 42, "h99"), 99);
	cr_assert_eq(table_find(&t, &ws, 42, "h100"), TABLE_NONE);
	cr_assert_eq(table_find(&t, &ws, 43, "h5"), TABLE_NONE,
		     "an item found under another hash");
	table_free(&t);
}

/* A free table is used again from scratch. */
Test(unit_table, reused_after_free)
{
	struct table t;
	static struct words ws;

	table_init(&t, same_word);
	add(&t, &ws, "a", good_hash("a"));
	table_free(&t);
	ws.n = 0;
	cr_assert_eq(add(&t, &ws, "b", good_hash("b")), 0);
	cr_assert_eq(table_find(&t, &ws, good_hash("b"), "b"), 0);
	cr_assert_eq(table_find(&t, &ws, good_hash("a"), "a"), TABLE_NONE);
	table_free(&t);
}
