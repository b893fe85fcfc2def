/*
 * libFuzzer target: replacement strings and shell quoting.  The input is
 * "TEMPLATE\0LINE": every template expands without a fault, a template
 * without replacement strings comes out as it is, and a quoted value reads
 * back as exactly the value under the shell's quoting rules.  All of LINE,
 * NUL bytes included, is also a packed input (combine.h): its arguments
 * expand without a fault and are appended a word each.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "jobs/subst.h"

static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+/";

/* What /bin/sh makes of one word made of plain characters, '...' quotes
   and "'" (GNU parallel's '"'"') - all that shell_quote writes. */
static char *unquote(const char *s, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	assert(out);
	for (size_t k = 0; k < len; k++) {
		if (s[k] == '\'' || s[k] == '"') {
			char q = s[k];

			for (k++; k < len && s[k] != q; k++) {
				assert(q == '\'' || s[k] == '\''); /* "" holds ' only */
				out[n++] = s[k];
			}
			assert(k < len); /* every quote is closed */
		} else {
			/* unquoted: only what the shell takes as it is */
			assert(s[k] && strchr(plain, s[k]));
			out[n++] = s[k];
		}
	}
	*out_len = n;
	return out;
}

static void check_quote(const char *line, size_t len)
{
	struct buf b = BUF_INIT;
	size_t n;
	char *back;

	shell_quote(&b, line, len);
	assert(b.len > 0); /* even "" is a word: '' */
	back = unquote(b.data, b.len, &n);
	assert(n == len && memcmp(back, line, len) == 0);
	free(back);
	buf_free(&b);
}

static void check_expand(const char *tmpl, const char *line, size_t len)
{
	struct subst v = { .line = line, .len = len, .seq = 7, .slot = 3 };
	struct buf b = BUF_INIT, q = BUF_INIT;
	bool has_rs = subst_present(tmpl);

	subst_expand(&b, tmpl, &v, true);
	if (!has_rs)
		assert(b.len == strlen(tmpl) && memcmp(b.data, tmpl, b.len) == 0);
	if (strcmp(tmpl, "{}") == 0) {
		shell_quote(&q, line, len);
		assert(b.len == q.len && memcmp(b.data, q.data, q.len) == 0);
	}
	buf_reset(&b);
	subst_shell(&b, tmpl, has_rs, &v);
	buf_free(&b);
	buf_free(&q);
}

static void check_argv(char *tmpl, const char *line, size_t len)
{
	char *words[2] = { tmpl, NULL };
	struct subst v = { .line = line, .len = len, .seq = 1, .slot = 1 };
	bool has_rs = subst_present(tmpl);
	char **argv = subst_argv(words, 1, has_rs, &v);
	size_t n = 0;

	while (argv[n])
		n++;
	assert(n == (has_rs ? 1u : 2u));
	if (!has_rs)
		assert(strlen(argv[1]) == strlen(line));
	free(argv);
}

/* A packed input: one argument more than it holds NUL bytes. */
static void check_packed(char *tmpl, const char *line, size_t len)
{
	char *words[2] = { tmpl, NULL };
	struct subst v = { .line = line, .len = len, .seq = 1, .slot = 1 };
	bool has_rs = subst_present(tmpl);
	struct buf b = BUF_INIT;
	size_t nargs = 1, n = 0;
	char **argv;

	for (size_t k = 0; k < len; k++)
		nargs += line[k] == '\0';
	subst_expand(&b, tmpl, &v, true);
	buf_reset(&b);
	subst_shell(&b, tmpl, has_rs, &v);
	buf_free(&b);
	argv = subst_argv(words, 1, has_rs, &v);
	while (argv[n])
		n++;
	assert(has_rs ? n >= 1 && n <= nargs : n == 1 + nargs);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 2);
	const char *line;

	assert(copy);
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = '\0';
	line = copy + strlen(copy) + 1; /* "TEMPLATE\0LINE": LINE may be empty */
	if (line > copy + size)
		line = copy + size;
	check_quote(line, strlen(line));
	check_expand(copy, line, strlen(line));
	check_argv(copy, line, strlen(line));
	check_packed(copy, line, (size_t)(copy + size - line));
	free(copy);
	return 0;
}
