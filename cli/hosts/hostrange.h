/*
 * One item of a host list in the pdsh/ClusterShell grammar, expanded:
 * "web[01-03,7]" -> web01 web02 web03 web7; "rack[1-2]-n[1-2]" -> rack1-n1
 * rack1-n2 rack2-n1 rack2-n2; "n[1-10/4]" -> n1 n5 n9 (ClusterShell's
 * steps).  A range keeps the zero padding of its lower bound ("[08-10]": 08
 * 09 10).  A bracket that opens the host (at the start
 * or after '@') and holds ':' or '.' is an address, not a range:
 * "[::1]:22", "root@[10.0.0.1]".  The rest of the item is copied as it is.
 */
#ifndef CLI_HOSTRANGE_H
#define CLI_HOSTRANGE_H

#include <stddef.h>

/* What all the lists of one run may expand to at most, by default. */
#define HOSTRANGE_MAX_HOSTS 1000000
#define HOSTRANGE_MAX_BYTES ((size_t)64 << 20)

/* What was made so far, against the bounds; all zero: the defaults. */
struct hostrange_budget {
	size_t max_hosts;  /* 0: HOSTRANGE_MAX_HOSTS */
	size_t max_bytes;  /* names with their NULs; 0: HOSTRANGE_MAX_BYTES */
	size_t hosts;
	size_t bytes;
};

struct hostrange_error {
	size_t column;     /* 1-based in the item; 0: not about one place */
	char why[96];
};

/* Gets each name, NUL-terminated, in order; returns 0 to go on, or a
   positive number that stops the expansion and is its result. */
typedef int hostrange_name_fn(const char *name, size_t len, void *user);

/*
 * Expand the item s[0..len).  Its syntax and its size against the budget
 * are checked before any name is made: then nothing is called, and -1 comes
 * back with e filled.  Else fn gets every name in order, the budget is
 * charged, and the result is 0 or what fn stopped with.
 */
int hostrange_expand(const char *s, size_t len, struct hostrange_budget *budget,
		     hostrange_name_fn *fn, void *user, struct hostrange_error *e);

#endif
