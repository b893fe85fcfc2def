/*
 * Replacement strings ({} {.} {/} {//} {/.} {#} {%}, and {N} {-N} {N.} {N/}
 * {N//} {N/.} of one argument, as in GNU parallel) and shell quoting: one
 * input and a COMMAND template make one task's command.  An input may hold
 * several arguments, packed (combine.h): {} and the like stand for each of
 * them, joined by spaces, and without a replacement string each is appended
 * as a word.
 */
#ifndef CLI_SUBST_H
#define CLI_SUBST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* What the replacement strings of one task stand for. */
struct subst {
	const char *line; /* the input: its arguments, NUL between them */
	size_t len;
	unsigned long long seq; /* {#}: 1, 2, ... in input order */
	unsigned slot;          /* {%}: 1..jobs */
};

/* Does tmpl contain any replacement string? */
bool subst_present(const char *tmpl);

/*
 * Append tmpl with every replacement string replaced by its value; quote:
 * shell-quote the values taken from the input.
 */
void subst_expand(struct buf *out, const char *tmpl, const struct subst *v,
		  bool quote);

/* The shell command for one input; has_rs = subst_present(tmpl). */
void subst_shell(struct buf *out, const char *tmpl, bool has_rs,
		 const struct subst *v);

/*
 * The argv for one input without a shell: each word expanded, or the input
 * appended as one more word; v NULL (no input): the words as they are.
 * Returns a NULL-terminated array that one free() releases.
 */
char **subst_argv(char *const *words, size_t n, bool has_rs,
		  const struct subst *v);

/*
 * Append s so that /bin/sh reads back exactly s, as GNU parallel writes it:
 * as it is when it is a plain word, else in single quotes with each ' as
 * '"'"' (no empty '' left at either end).
 */
void shell_quote(struct buf *out, const char *s, size_t len);

#endif
