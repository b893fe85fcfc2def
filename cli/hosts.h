/*
 * The host list of fleet mode: "[user@]host[:port]" specs from -w lists and
 * host files, in order, each host once.
 */
#ifndef CLI_HOSTS_H
#define CLI_HOSTS_H

#include <stddef.h>

#include "input.h"

struct host_spec {
	char *name;     /* as written: the tag of its tasks (owns the block) */
	char *user;     /* NULL: -l, else the current user */
	char *target;   /* what rr_host_new() gets: "web7", "[::1]" */
	unsigned port;  /* 0: -p, else 22 */
};

struct hosts {
	struct host_spec *v;
	size_t n, cap;
	size_t *seen;   /* open addressing: index + 1 into v, 0 = empty */
	size_t nseen;   /* a power of two, at least twice n */
};

/*
 * Add the hosts of a comma-separated list (-w); spaces around an item and
 * empty items are skipped.  A host already listed (same user, host and
 * port as written) is dropped.  Returns 0, or -1 with "'ITEM': why" in err
 * (or "'LIST': no host in it").
 */
int hosts_add_list(struct hosts *h, const char *list, char *err, size_t errlen);

/*
 * Add one host per line (--hostfile): '#' starts a comment, blank lines
 * are skipped, spaces around a host too.  Returns 0, or -1 with
 * "line N: 'ITEM': why" in err.
 */
int hosts_add_lines(struct hosts *h, const struct line *lines, size_t n,
		    char *err, size_t errlen);

void hosts_free(struct hosts *h);

#endif
