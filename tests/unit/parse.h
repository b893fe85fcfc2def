/*
 * parse.h - the command line of the unit tests' option cases: "ringrun"
 * and the arguments, parsed by cli/options.c as on a machine with
 * PARSE_NCPU online CPUs.
 */
#ifndef RR_UNIT_PARSE_H
#define RR_UNIT_PARSE_H

#include <stddef.h>

#include "options.h"

#define PARSE_NCPU 4

/*
 * options_parse() of argv (NULL-terminated, "ringrun" first) into *o; err
 * (errlen bytes) says why it failed.  o may point into argv: the strings
 * are the caller's, the array a copy that lasts until the next parse.
 */
int parse_options(struct options *o, char *err, size_t errlen,
		  const char *const argv[]);

/* "ringrun" and the arguments into *o, err an array. */
#define PARSE_OPTIONS(o, err, ...)                                      \
	parse_options(o, err, sizeof err,                               \
		      (const char *const[]){ "ringrun", __VA_ARGS__, NULL })

/* Asserts that the parse returned r = -1 saying exactly msg in err, then
   frees what it left in *o. */
void expect_usage_error(struct options *o, const char *err, int r,
			const char *msg);

#endif
