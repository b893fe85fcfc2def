/*
 * Replacement strings ({} {.} {/} {//} {/.} {#} {%}, as in GNU parallel) and
 * shell quoting: one input and a COMMAND template make one task's command.
 */
#define _GNU_SOURCE /* memrchr */
#include "jobs/subst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum rs {
	RS_LINE,
	RS_NOEXT,
	RS_BASE,
	RS_DIR,
	RS_BASE_NOEXT,
	RS_SEQ,
	RS_SLOT,
};

/* Longest first where one is a prefix of another ({/} and {//}). */
static const struct {
	const char *text;
	size_t len;
	enum rs rs;
} rstrings[] = {
	{ "{}", 2, RS_LINE },
	{ "{.}", 3, RS_NOEXT },
	{ "{//}", 4, RS_DIR },
	{ "{/.}", 4, RS_BASE_NOEXT },
	{ "{/}", 3, RS_BASE },
	{ "{#}", 3, RS_SEQ },
	{ "{%}", 3, RS_SLOT },
};

#define NRSTRINGS (sizeof rstrings / sizeof rstrings[0])

/* The replacement string at s, or -1. */
static int match(const char *s)
{
	for (size_t k = 0; k < NRSTRINGS; k++)
		if (strncmp(s, rstrings[k].text, rstrings[k].len) == 0)
			return (int)k;
	return -1;
}

bool subst_present(const char *tmpl)
{
	for (const char *c = tmpl; (c = strchr(c, '{')); c++)
		if (match(c) >= 0)
			return true;
	return false;
}

/* A piece of a path: GNU parallel's s:.*\/:: and s:\.[^/.]*$:: */
struct slice {
	const char *s;
	size_t len;
};

static struct slice basename_of(struct slice p)
{
	const char *slash = memrchr(p.s, '/', p.len);

	if (!slash)
		return p;
	return (struct slice){ slash + 1, p.len - (size_t)(slash + 1 - p.s) };
}

static struct slice strip_ext(struct slice p)
{
	for (size_t n = p.len; n > 0; n--) {
		if (p.s[n - 1] == '/')
			break;
		if (p.s[n - 1] == '.')
			return (struct slice){ p.s, n - 1 };
	}
	return p;
}

/* dirname(1): "a/b/" -> "a", "dir/" -> ".", "/x" -> "/", "" -> "." */
static struct slice dirname_of(struct slice p)
{
	size_t n = p.len;

	while (n > 1 && p.s[n - 1] == '/')
		n--;
	const char *slash = memrchr(p.s, '/', n);
	if (!slash)
		return (struct slice){ ".", 1 };
	n = (size_t)(slash - p.s);
	while (n > 1 && p.s[n - 1] == '/')
		n--;
	if (n == 0)
		return (struct slice){ "/", 1 };
	return (struct slice){ p.s, n };
}

static void add_value(struct buf *out, enum rs rs, const struct subst *v,
		      bool quote)
{
	struct slice line = { v->line, v->len }, val = line;

	switch (rs) {
	case RS_SEQ:
		buf_printf(out, "%llu", v->seq);
		return;
	case RS_SLOT:
		buf_printf(out, "%u", v->slot);
		return;
	case RS_LINE:
		break;
	case RS_NOEXT:
		val = strip_ext(line);
		break;
	case RS_BASE:
		val = basename_of(line);
		break;
	case RS_DIR:
		val = dirname_of(line);
		break;
	case RS_BASE_NOEXT:
		val = strip_ext(basename_of(line));
		break;
	}
	if (quote)
		shell_quote(out, val.s, val.len);
	else
		buf_add(out, val.s, val.len);
}

void subst_expand(struct buf *out, const char *tmpl, const struct subst *v,
		  bool quote)
{
	const char *c = tmpl;

	for (const char *brace; (brace = strchr(c, '{')); ) {
		int k = match(brace);

		if (k < 0) {
			buf_add(out, c, (size_t)(brace + 1 - c));
			c = brace + 1;
			continue;
		}
		buf_add(out, c, (size_t)(brace - c));
		add_value(out, rstrings[k].rs, v, quote);
		c = brace + rstrings[k].len;
	}
	buf_adds(out, c);
}

void subst_shell(struct buf *out, const char *tmpl, bool has_rs,
		 const struct subst *v)
{
	if (has_rs) {
		subst_expand(out, tmpl, v, true);
		return;
	}
	buf_adds(out, tmpl);
	buf_addc(out, ' ');
	shell_quote(out, v->line, v->len);
}

char **subst_argv(char *const *words, size_t n, bool has_rs,
		  const struct subst *v)
{
	bool append = v && !has_rs;
	size_t count = n + append;
	size_t *ends = xcalloc(count, sizeof *ends);
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < n; k++) {
		if (v && has_rs)
			subst_expand(&b, words[k], v, false);
		else
			buf_adds(&b, words[k]);
		buf_addc(&b, '\0');
		ends[k] = b.len;
	}
	if (append) {
		buf_add(&b, v->line, v->len);
		buf_addc(&b, '\0');
		ends[n] = b.len;
	}
	/* The pointers and the strings in one block: one free(). */
	char **argv = xmalloc((count + 1) * sizeof *argv + b.len);
	char *strings = memcpy(argv + count + 1, b.data, b.len);
	for (size_t k = 0, start = 0; k < count; start = ends[k++])
		argv[k] = strings + start;
	argv[count] = NULL;
	free(ends);
	buf_free(&b);
	return argv;
}

/* Quote for /bin/sh only when needed, as GNU parallel and shlex.quote do:
   'it'\''s' for anything but plain words, so "file {}" stays readable. */
void shell_quote(struct buf *out, const char *s, size_t len)
{
	/* No '=': a word NAME=x first in a command is an assignment. */
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+:,./-";
	size_t plain = 0;

	while (plain < len && s[plain] && strchr(safe, s[plain]))
		plain++;
	if (len && plain == len) {
		buf_add(out, s, len);
		return;
	}
	buf_reserve(out, len + 2);
	buf_addc(out, '\'');
	for (const char *end = s + len, *q; s < end; s = q + 1) {
		q = memchr(s, '\'', (size_t)(end - s));
		if (!q) {
			buf_add(out, s, (size_t)(end - s));
			break;
		}
		buf_add(out, s, (size_t)(q - s));
		buf_add(out, "'\\''", 4);
	}
	buf_addc(out, '\'');
}
