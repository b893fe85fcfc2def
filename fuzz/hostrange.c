/*
 * Host lists: expanding never crashes and never makes more than the bound;
 * folding what came out and expanding that again gives the same set.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "hosts/hostfold.h"
#include "hosts/hostrange.h"

#define MAX_HOSTS 4096
#define MAX_BYTES ((size_t)256 << 10)

struct names {
	char **v;
	size_t n, bytes;
};

static int keep(const char *name, size_t len, void *user)
{
	struct names *x = user;

	assert(strlen(name) == len);
	x->v = realloc(x->v, (x->n + 1) * sizeof *x->v);
	assert(x->v);
	x->v[x->n] = strdup(name);
	assert(x->v[x->n]);
	x->n++;
	x->bytes += len + 1;
	return 0;
}

/* Every item of list, as -w splits it; false if one is refused. */
static int expand_list(const char *list, struct hostrange_budget *budget,
		       struct names *out)
{
	size_t len = strlen(list);
	int refused = 0;

	for (size_t at = 0; at <= len;) {
		size_t n = hostrange_item_len(list + at, len - at);
		struct hostrange_error e = { 0 };
		size_t before = out->n;

		if (n && hostrange_expand(list + at, n, budget, keep, out, &e) < 0) {
			assert(e.column <= n + 1 && e.why[0]);
			assert(out->n == before);
			refused = 1;
		}
		at += n + 1;
	}
	return refused;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t sort_unique(struct names *x)
{
	size_t out = 0;

	if (x->n)
		qsort(x->v, x->n, sizeof *x->v, by_name);
	for (size_t k = 0; k < x->n; k++) {
		if (out && strcmp(x->v[out - 1], x->v[k]) == 0)
			free(x->v[k]);
		else
			x->v[out++] = x->v[k];
	}
	return x->n = out;
}

static void free_names(struct names *x)
{
	for (size_t k = 0; k < x->n; k++)
		free(x->v[k]);
	free(x->v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = malloc(size + 1);
	struct hostrange_budget budget = { .max_hosts = MAX_HOSTS,
					   .max_bytes = MAX_BYTES };
	/* The set is no bigger; its names' lengths are estimated per item. */
	struct hostrange_budget again = { .max_hosts = MAX_HOSTS,
					  .max_bytes = SIZE_MAX };
	struct names first = { 0 }, second = { 0 };

	memcpy(list, data, size);
	list[size] = '\0';
	expand_list(list, &budget, &first);
	assert(first.n <= MAX_HOSTS && first.n == budget.hosts);
	assert(first.bytes <= budget.bytes && budget.bytes <= MAX_BYTES);

	char *folded = hostfold((const char *const *)first.v, first.n);
	assert(expand_list(folded, &again, &second) == 0);
	sort_unique(&first);
	assert(sort_unique(&second) == first.n);
	for (size_t k = 0; k < first.n; k++)
		assert(strcmp(first.v[k], second.v[k]) == 0);
	free(folded);
	free_names(&first);
	free_names(&second);
	free(list);
	return 0;
}
