/*
 * How each host of the fleet is reached: the command line over its
 * ssh_config, with ssh's precedence (user@ and :port in the host, then
 * -l/-p and the other options, then the configuration), and whether
 * ringrun's own client can do it or the system ssh must.
 */
#ifndef CLI_SSHHOST_H
#define CLI_SSHHOST_H

#include <stdbool.h>
#include <stddef.h>

#include <ringrun.h>

#include "util/buf.h"
#include "hosts/hosts.h"
#include "options.h"

enum ssh_route {
	ROUTE_NATIVE,        /* ringrun's own client */
	ROUTE_EXEC,          /* --ssh=exec */
	ROUTE_PROXY_JUMP,    /* the configuration needs the system ssh */
	ROUTE_PROXY_COMMAND,
};

struct ssh_host {
	enum ssh_route route;
	bool config_timeout;     /* the configuration sets ConnectTimeout */
	char *name;              /* how failure lines name it, whatever the
				    route: "web7:22", "h7 (10.0.0.7:22)" */
	char *alias;             /* the host as written, bare: "h7", "::1" */
	int error;               /* ROUTE_NATIVE that cannot be: its errno */
	/* ROUTE_NATIVE only: */
	char *target;            /* what rr_host_new() gets: HostName, else the
				    host as written */
	struct rr_host_opts ho;  /* rr_ssh_config_host()'s: its strings are the
				    configuration's until the next host's */
};

/*
 * Read the configuration (-F FILE, else ssh's own files) into o->sshcfg,
 * and append to notes (one "ringrun: ..." line each) what the user is told
 * once: which hosts go through the system ssh and why, and a
 * CanonicalizeHostname not followed.  Returns 0, or -1 with the reason in
 * err: a bad configuration, a value a host cannot take ("web: cfg: line
 * 3: HostName: unknown token %r"), a host or user that could become an
 * option of ssh
 * ("host '-oX': a host name cannot begin with '-'"), or passwords or
 * copies (--copy, --rcopy) for hosts the system ssh must reach.
 */
int ssh_hosts_setup(struct options *o, struct buf *notes, char *err,
		    size_t errlen);

/* The same for the hosts from number from on, added to o->hosts as a host
   file is read (the configuration is read already). */
int ssh_hosts_more(const struct options *o, size_t from, struct buf *notes,
		   char *err, size_t errlen);

/* Why user cannot be an SSH user name (see rr_host_spec_parse()), or
   NULL when it can. */
const char *ssh_user_refused(const char *user);

/* The host as ssh takes it: an IPv6 address without its brackets (caller
   frees). */
char *ssh_host_alias(const struct host_spec *s);

/*
 * The library's reading of the configuration for s as alias, with the
 * command line over it (strings valid until the next call); 0, or -errno
 * with "User ...: why" in why.
 */
int ssh_host_lookup(const struct options *o, const struct host_spec *s,
		    const char *alias, struct rr_host_config *hc, char *why,
		    size_t whylen);

/* How to reach host s (after ssh_hosts_setup()). */
void ssh_host_init(struct ssh_host *h, const struct options *o,
		   const struct host_spec *s);

void ssh_host_free(struct ssh_host *h);

#endif
