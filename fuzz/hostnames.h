/* What the host-list targets share: a list's names, sorted, to compare two
   lists as sets. */
#ifndef FUZZ_HOSTNAMES_H
#define FUZZ_HOSTNAMES_H

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hosts/hosts.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* h's names, sorted (h keeps them); free() the array. */
static const char **names_of(const struct hosts *h)
{
	const char **v = calloc(h->n + 1, sizeof *v);

	assert(v);
	for (size_t k = 0; k < h->n; k++)
		v[k] = h->v[k].name;
	if (h->n)
		qsort(v, h->n, sizeof *v, by_name);
	return v;
}

#endif
