/*
 * The inputs of a run: a ring of the inputs kept, filled from the words
 * after ::: or from a file read record by record.
 */
#include "jobs/input.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/combine.h"
#include "util/xalloc.h"

static struct line *slot(const struct input *in, size_t k)
{
	return &in->ring[(in->head + k) & (in->cap - 1)];
}

/* Double the ring, its inputs from the start of it. */
static void grow(struct input *in)
{
	size_t cap = in->cap ? 2 * in->cap : 16;
	struct line *ring = xcalloc(cap, sizeof *ring);

	for (size_t k = 0; k < in->count; k++)
		ring[k] = *slot(in, k);
	free(in->ring);
	in->ring = ring;
	in->cap = cap;
	in->head = 0;
}

static void push(struct input *in, const char *s, size_t len)
{
	if (in->count == in->cap)
		grow(in);
	*slot(in, in->count++) = (struct line){ s, len };
	in->n++;
}

void input_words(struct input *in, char *const *words, size_t n)
{
	*in = (struct input){ .rs = { .fd = -1 } };
	for (size_t k = 0; k < n; k++)
		push(in, words[k], strlen(words[k]));
}

void input_empty(struct input *in)
{
	*in = (struct input){ .owned = true, .rs = { .fd = -1 } };
}

void input_add(struct input *in, char *s, size_t len)
{
	assert(in->owned && !in->reading);
	push(in, s, len);
}

int input_open(struct input *in, const char *path, char sep)
{
	int r;

	*in = (struct input){ .owned = true, .rs = { .fd = -1 } };
	r = records_open(&in->rs, path, sep);
	in->reading = r == 0;
	return r;
}

void input_pack(struct input *in, const char *colsep, size_t group)
{
	char why[256];

	assert(in->owned && group > 0);
	in->packing = true;
	in->group = group;
	in->split = colsep && colsep_compile(colsep, &in->colsep, why,
					     sizeof why) == 0;
	assert(in->split == !!colsep); /* options_parse() compiled it */
}

/* The input being packed, if it has a record: one more input. */
static void flush_pack(struct input *in)
{
	if (!in->packed)
		return;
	size_t len = in->pack.len - 1; /* the last argument's NUL ends it */

	push(in, buf_detach(&in->pack), len);
	in->packed = 0;
}

/* Record s: one input, or a part of the one being packed. */
static void take(struct input *in, const char *s, size_t len)
{
	char *copy;

	if (in->packing) {
		combine_columns(&in->pack, s, len, in->split ? &in->colsep : NULL);
		if (++in->packed == in->group)
			flush_pack(in);
		return;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, s, len + 1);
	push(in, copy, len);
}

/* The end of the file, or a record refused: nothing more is read, and
   what was packed is an input (what came before a refused record runs). */
static void stop_reading(struct input *in, int error)
{
	flush_pack(in);
	in->error = error;
	in->error_at = error ? in->rs.number + 1 : 0;
	in->reading = false;
	records_close(&in->rs);
}

size_t input_pump(struct input *in, size_t ahead)
{
	size_t was = in->n;

	while (in->reading && (!ahead || in->count < ahead)) {
		const char *s;
		size_t len;
		int r = records_next(&in->rs, &s, &len);

		in->starved = r == 0 && !in->rs.eof;
		if (r < 0 || (r == 0 && in->rs.eof))
			stop_reading(in, r);
		if (r <= 0)
			break;
		take(in, s, len);
	}
	return in->n - was;
}

int input_fd(const struct input *in, size_t ahead)
{
	if (!in->reading || !in->starved || (ahead && in->count >= ahead))
		return -1;
	return in->rs.fd;
}

void input_fill(struct input *in)
{
	int r = records_fill(&in->rs);

	in->starved = false;
	if (r < 0) {
		stop_reading(in, r);
		in->error_at = 0;
	}
}

int input_read_all(struct input *in)
{
	while (input_pump(in, 0), input_fd(in, 0) >= 0) {
		int r = records_wait(&in->rs);

		if (r < 0) {
			stop_reading(in, r);
			in->error_at = 0;
			break;
		}
		input_fill(in);
	}
	return in->error;
}

bool input_ended(const struct input *in)
{
	return !in->reading && !in->error;
}

const struct line *input_get(const struct input *in, size_t idx)
{
	assert(idx >= in->first); /* let go already */
	return idx - in->first < in->count ? slot(in, idx - in->first) : NULL;
}

void input_release(struct input *in, size_t idx)
{
	while (in->first < idx && in->count) {
		if (in->owned)
			free((char *)slot(in, 0)->s);
		in->head = (in->head + 1) & (in->cap - 1);
		in->count--;
		in->first++;
	}
}

void input_why(const struct input *in, char *why, size_t len)
{
	if (!in->error_at) {
		snprintf(why, len, "read: %s", strerror(-in->error));
		return;
	}
	snprintf(why, len, "%s %zu: %s%s", records_unit(&in->rs), in->error_at,
		 records_strerror(in->error), in->error == -EILSEQ ?
		 " (-0 reads inputs separated by NUL bytes)" : "");
}

void input_free(struct input *in)
{
	input_release(in, in->n);
	if (in->reading)
		records_close(&in->rs);
	free(in->ring);
	buf_free(&in->pack);
	if (in->split)
		regfree(&in->colsep);
	*in = (struct input){ .rs = { .fd = -1 } };
}

int input_read(int fd, char **mem, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p = xmalloc(cap + 1);

	for (;;) {
		if (n == cap)
			p = xreallocarray(p, (cap *= 2) + 1, 1);
		ssize_t r = read(fd, p + n, cap - n);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(p);
			return -err;
		}
		n += (size_t)r;
	}
	*mem = p;
	*len = n;
	return 0;
}
