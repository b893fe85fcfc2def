/*
 * Replacement strings ({} {.} {/} {//} {/.} {#} {%}, and {N} {-N} {N.} ...
 * of one argument, as in GNU parallel) and shell quoting: one input and a
 * COMMAND template make one task's command.
 */
#define _GNU_SOURCE /* memrchr */
#include "jobs/subst.h"

#include <assert.h>
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

/* What follows '{' (and N in {N...}): none is a prefix of another. */
static const struct {
	const char *text;
	size_t len;
	enum rs rs;
} rstrings[] = {
	{ "}", 1, RS_LINE },
	{ ".}", 2, RS_NOEXT },
	{ "//}", 3, RS_DIR },
	{ "/.}", 3, RS_BASE_NOEXT },
	{ "/}", 2, RS_BASE },
	{ "#}", 2, RS_SEQ },
	{ "%}", 2, RS_SLOT },
};

#define NRSTRINGS (sizeof rstrings / sizeof rstrings[0])

/* Past this {N} is a literal word: no command has that many arguments. */
#define POS_MAX 1000000000L

/* A replacement string found. */
struct rstring {
	enum rs rs;
	long pos;   /* {N...}: N, {-N...}: -N (from the last); 0: all of them */
	size_t len; /* of its text */
};

/* The replacement string at s ('{'): true and *m, or false. */
static bool match(const char *s, struct rstring *m)
{
	const char *c = s + 1;
	long pos = 0;
	bool minus = *c == '-';

	c += minus;
	for (; *c >= '0' && *c <= '9' && pos <= POS_MAX; c++)
		pos = pos * 10 + (*c - '0');
	if ((minus || c > s + 1) && (pos == 0 || pos > POS_MAX))
		return false; /* {0}, {-}, {-0}: not GNU parallel's either */
	for (size_t k = 0; k < NRSTRINGS; k++) {
		if (strncmp(c, rstrings[k].text, rstrings[k].len))
			continue;
		if (pos && rstrings[k].rs >= RS_SEQ)
			return false; /* {1#} */
		*m = (struct rstring){ rstrings[k].rs, minus ? -pos : pos,
				       (size_t)(c - s) + rstrings[k].len };
		return true;
	}
	return false;
}

bool subst_present(const char *tmpl)
{
	struct rstring m;

	for (const char *c = tmpl; (c = strchr(c, '{')); c++)
		if (match(c, &m))
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

/* Argument number k (from 0) of v's packed input, or false. */
static bool arg_at(const struct subst *v, size_t k, struct slice *arg)
{
	const char *s = v->line, *end = v->line + v->len;

	for (; k > 0; k--) {
		const char *nul = memchr(s, '\0', (size_t)(end - s));

		if (!nul)
			return false;
		s = nul + 1;
	}
	const char *nul = memchr(s, '\0', (size_t)(end - s));
	*arg = (struct slice){ s, nul ? (size_t)(nul - s) : (size_t)(end - s) };
	return true;
}

static size_t nargs(const struct subst *v)
{
	size_t n = 1;

	for (const char *s = v->line, *end = s + v->len;
	     (s = memchr(s, '\0', (size_t)(end - s))); s++)
		n++;
	return n;
}

static void add_path(struct buf *out, enum rs rs, struct slice arg, bool quote)
{
	struct slice val = arg;

	switch (rs) {
	case RS_SEQ:
	case RS_SLOT:
		assert(!"not a path");
		break;
	case RS_LINE:
		break;
	case RS_NOEXT:
		val = strip_ext(arg);
		break;
	case RS_BASE:
		val = basename_of(arg);
		break;
	case RS_DIR:
		val = dirname_of(arg);
		break;
	case RS_BASE_NOEXT:
		val = strip_ext(basename_of(arg));
		break;
	}
	if (quote)
		shell_quote(out, val.s, val.len);
	else
		buf_add(out, val.s, val.len);
}

/* {}-like: every argument, each as one, joined by spaces; {N}-like: that
   one, nothing when there is no such argument. */
static void add_value(struct buf *out, const struct rstring *m,
		      const struct subst *v, bool quote)
{
	size_t n = nargs(v);
	struct slice arg;

	if (m->rs == RS_SEQ) {
		buf_printf(out, "%llu", v->seq);
	} else if (m->rs == RS_SLOT) {
		buf_printf(out, "%u", v->slot);
	} else if (m->pos == 0) {
		for (size_t k = 0; k < n && arg_at(v, k, &arg); k++) {
			if (k)
				buf_addc(out, ' ');
			add_path(out, m->rs, arg, quote);
		}
	} else if (m->pos > 0 ? (size_t)m->pos <= n : (size_t)-m->pos <= n) {
		size_t k = m->pos > 0 ? (size_t)m->pos - 1 : n - (size_t)-m->pos;

		if (arg_at(v, k, &arg))
			add_path(out, m->rs, arg, quote);
	}
}

void subst_expand(struct buf *out, const char *tmpl, const struct subst *v,
		  bool quote)
{
	const char *c = tmpl;

	for (const char *brace; (brace = strchr(c, '{')); ) {
		struct rstring m;

		if (!match(brace, &m)) {
			buf_add(out, c, (size_t)(brace + 1 - c));
			c = brace + 1;
			continue;
		}
		buf_add(out, c, (size_t)(brace - c));
		add_value(out, &m, v, quote);
		c = brace + m.len;
	}
	buf_adds(out, c);
}

void subst_shell(struct buf *out, const char *tmpl, bool has_rs,
		 const struct subst *v)
{
	struct slice arg;

	if (has_rs) {
		subst_expand(out, tmpl, v, true);
		return;
	}
	buf_adds(out, tmpl);
	for (size_t k = 0; arg_at(v, k, &arg); k++) {
		buf_addc(out, ' ');
		shell_quote(out, arg.s, arg.len);
	}
}

char **subst_argv(char *const *words, size_t n, bool has_rs,
		  const struct subst *v)
{
	size_t append = v && !has_rs ? nargs(v) : 0;
	size_t count = n + append;
	size_t *ends = xcalloc(count, sizeof *ends);
	struct buf b = BUF_INIT;

	for (size_t k = 0, w = 0; k < n; k++) {
		struct rstring m;
		size_t many = v && has_rs && words[k][0] == '{' &&
			      match(words[k], &m) && !words[k][m.len] &&
			      m.pos == 0 && m.rs < RS_SEQ ? nargs(v) : 1;

		/* A word that is {} (or {.} ...) alone: a word per argument,
		   as GNU parallel's --quote makes them. */
		if (many > 1) {
			count += many - 1;
			ends = xreallocarray(ends, count, sizeof *ends);
			for (size_t a = 0; a < many; a++) {
				struct slice arg;

				arg_at(v, a, &arg);
				add_path(&b, m.rs, arg, false);
				buf_addc(&b, '\0');
				ends[w++] = b.len;
			}
			continue;
		}
		if (v && has_rs)
			subst_expand(&b, words[k], v, false);
		else
			buf_adds(&b, words[k]);
		buf_addc(&b, '\0');
		ends[w++] = b.len;
	}
	for (size_t k = 0; k < append; k++) {
		struct slice arg;

		arg_at(v, k, &arg);
		buf_add(&b, arg.s, arg.len);
		buf_addc(&b, '\0');
		ends[count - append + k] = b.len;
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

/*
 * Quote for /bin/sh only when needed, byte for byte as GNU parallel does
 * (POSIX, so sh, dash and bash read it alike): a word of [-_.+/A-Za-z0-9]
 * as it is; else the whole in single quotes, each ' as '"'"', and the ''
 * that a ' at either end leaves dropped.  Job logs then match parallel's.
 */
void shell_quote(struct buf *out, const char *s, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789-_.+/";
	size_t plain = 0;

	if (len == 0) {
		buf_adds(out, "''");
		return;
	}
	while (plain < len && s[plain] && strchr(safe, s[plain]))
		plain++;
	if (plain == len) {
		buf_add(out, s, len);
		return;
	}
	buf_reserve(out, len + 2);
	if (s[0] != '\'')
		buf_addc(out, '\'');
	for (size_t k = 0; k < len; k++) {
		/* '"'"' less the quote that would leave '' at an end. */
		static const char q[] = "'\"'\"'";

		if (s[k] != '\'') {
			buf_addc(out, s[k]);
			continue;
		}
		size_t from = k == 0, to = sizeof q - 1 - (k == len - 1);
		buf_add(out, q + from, to - from);
	}
	if (s[len - 1] != '\'')
		buf_addc(out, '\'');
}
