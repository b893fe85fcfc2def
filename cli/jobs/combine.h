/*
 * GNU parallel's input grammar beyond one list: several sources combined
 * (a cartesian product, the last varying fastest; a linked source pairs
 * with the one before it, the shorter deciding), each input split into
 * columns (--colsep), and several inputs to one command (-n,
 * --max-replace-args).  A job's arguments travel as one input, packed:
 * each followed by a NUL byte but the last (no argument holds one;
 * subst.h splits them).
 */
#ifndef CLI_COMBINE_H
#define CLI_COMBINE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "jobs/input.h"
#include "util/buf.h"

/* One source: ::: WORDS, :::: FILE or -a FILE. */
struct source {
	char *const *words; /* ::: (into argv) */
	size_t n;
	const char *path;   /* :::: or -a: FILE, "-" = stdin; NULL: words */
	bool linked;        /* :::+ or ::::+ */
};

struct combine {
	const struct source *sources;
	size_t n;
	char sep;           /* between a file's records: '\n' or '\0' */
	const char *colsep; /* NULL: an input is one argument */
	unsigned per_job;   /* inputs of the product per command; 0: one */
	bool shuf;          /* the jobs in random order */
};

/* --colsep's REGEX: POSIX extended, with Perl's \t for a tab.  Returns 0,
   or -1 with why. */
int colsep_compile(const char *src, regex_t *re, char *why, size_t len);

/* Append each argument of line followed by a NUL: its columns (split as
   Perl's split, each trimmed), or line whole when colsep is NULL. */
void combine_columns(struct buf *b, const char *line, size_t len,
		     const regex_t *colsep);

/* Every source read whole and combined: one packed input per job in in.
   Returns 0, or -1 with "FILE: why" in why. */
int combine_inputs(struct input *in, const struct combine *c, char *why,
		   size_t len);

#endif
