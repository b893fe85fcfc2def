/*
 * The host list of fleet mode: "[user@]host[:port]" specs from -w lists and
 * host files, in order, each host once.  Items may hold ranges
 * ("web[01-20]", see hostrange.h), name node groups ("@group",
 * "@source:group", see hostgroups.h) and, in -w and -x lists, a file
 * ("^FILE") or a regular expression ("/RE/"); in -w lists, an item that
 * begins with '-' excludes hosts.
 */
#ifndef CLI_HOSTS_H
#define CLI_HOSTS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "hosts/hostgroups.h"
#include "hosts/hostrange.h"
#include "util/table.h"

struct host_spec {
	char *name;     /* as written: the tag of its tasks (owns the block) */
	char *user;     /* NULL: -l, else the current user */
	char *target;   /* what rr_host_new() gets: "web7", "[::1]" */
	unsigned port;  /* 0: -p, else 22 */
};

/* pdsh's filters: a host is kept if it matches every "/RE/" of -w, and
   left out if it matches a "-/RE/" of -w or a "/RE/" of -x. */
struct host_regex {
	regex_t re;
	bool keep;
};

struct hosts {
	struct host_spec *v;
	size_t n, cap;
	struct table seen; /* v's hosts by user, host and port */
	struct hostrange_budget budget; /* what the lists expanded to */
	const struct hosts *exclude; /* NULL, or the hosts left out of those
					added from now on */
	size_t excluded; /* hosts left out (hosts_exclude(), exclude) */
	struct hostgroups *groups; /* what "@group" names; NULL: none */
	struct host_regex *re; /* of an exclusion list: its filters */
	size_t nre;
	bool more;      /* a host file still being read adds hosts */
	bool pssh;      /* pssh's words: blanks part a list's items too
			   ("a b"), a host file's line is "host[:port]
			   [user]" (--pssh-hosts) */
};

/*
 * Add the hosts of a comma-separated list (-x), ranges expanded; commas in
 * brackets do not split.  Spaces around an item and empty items are
 * skipped.  "^FILE" adds FILE's hosts as a host file's (hostfile.h).  A
 * host already listed (same user, host and port as written) is dropped.
 * ClusterShell's set operators join items left to right, a host being its
 * spec as written: "a[1-5]!a3" (difference), "a[1-5]&a[3-9]"
 * (intersection), "a[1-3]^a[2-4]" (symmetric difference), "a,b!c" is
 * (a,b)!c; a '^' that begins an item names a file.  "@group" adds a
 * group's hosts (its members are lists of this grammar without files; a
 * cycle is an error naming its groups), "@src:g[1-3]" groups g1 to g3 of
 * source src, "@*" the default source's group all (else all its groups).
 * "/RE/" leaves out the hosts whose name does not match POSIX extended
 * regular expression RE (the closing '/' may be left out): it goes up to
 * the next ',' whatever it holds and takes no set operator.
 * Returns 0, or -1 with "'ITEM': [column N: ]why", "FILE: why" or
 * "FILE: line N: ..." in err (or "'LIST': no host in it").
 */
int hosts_add_list(struct hosts *h, const char *list, char *err, size_t errlen);

/*
 * The same for -w, where an item that begins with '-' is pdsh's exclusion:
 * "-web[2-3]", "-@group" and "-^FILE" add those hosts to x instead, whose
 * hosts are left out of h however the lists are ordered (hosts_exclude());
 * such an item is followed by ',' or the end, never by a set operator.
 * Its "/RE/" filters (kept if they match) and "-/RE/" (left out if they
 * match) go to x too: they filter every host, of every list.
 */
int hosts_select(struct hosts *h, struct hosts *x, const char *list,
		 char *err, size_t errlen);

/*
 * Add the hosts of a host file's line s[0..len), its comment removed: a
 * list as above, but no "^FILE" (a file includes another with #include),
 * no filter and no exclusion; with h->pssh, pssh's "host[:port] user" is
 * user@host[:port].  Returns 0, or -1 with "'ITEM': why" in err.
 */
int hosts_add_line(struct hosts *h, const char *s, size_t len, char *err,
		   size_t errlen);

/*
 * Drop from h the hosts listed in x (-x): one written without user@ and
 * :port takes that host with any, else user, host and port must match;
 * and those x's filters leave out (matched against the host alone).
 * Returns how many were dropped (counted in h->excluded too); the rest
 * keep their order.
 */
size_t hosts_exclude(struct hosts *h, const struct hosts *x);

void hosts_free(struct hosts *h);

#endif
