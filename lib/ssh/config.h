/*
 * config.h - OpenSSH client configuration (ssh_config(5)), the part ringrun
 * uses: Host blocks, Include, and the keywords that say how to reach a host.
 * Parsing keeps those directives in order; resolving walks them for one
 * host alias, first value obtained wins, as ssh does.  fromconfig.c turns
 * what it finds into a host.
 */
#ifndef RR_SSH_CONFIG_H
#define RR_SSH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Flags for rr__sshcfg_parse() and rr__sshcfg_read(). */
enum {
	RR_SSHCFG_USER_FILE = 1 << 0,  /* a user's file: a relative Include is
					  against ~/.ssh, not /etc/ssh */
	RR_SSHCFG_NO_INCLUDE = 1 << 1, /* check Include lines, follow none */
};

/* The keywords kept; anything else in a file is ignored. */
enum rr_sshcfg_key {
	RR_SSHCFG_HOSTNAME,
	RR_SSHCFG_USER,
	RR_SSHCFG_PORT,
	RR_SSHCFG_IDENTITY_FILE,
	RR_SSHCFG_IDENTITIES_ONLY,
	RR_SSHCFG_CONNECT_TIMEOUT,
	RR_SSHCFG_STRICT_HOST_KEY,
	RR_SSHCFG_KNOWN_HOSTS,
	RR_SSHCFG_ALIVE_INTERVAL,
	RR_SSHCFG_PROXY,               /* ProxyJump or ProxyCommand: one slot */
	RR_SSHCFG_NKEYS
};

struct rr_sshcfg_entry;

struct rr_sshcfg {
	struct rr_sshcfg_entry *v;
	size_t n, cap;
	unsigned files;   /* read so far, includes too: bounded */
	char *match_note; /* "FILE: line N": the first Match block that sets
			     something ringrun uses (it is skipped) */
};

/* The most IdentityFile values kept for a host (ssh's limit too). */
#define RR_SSHCFG_MAX_IDENTITIES 100

/* What the configuration says about one host; strings borrowed from it. */
struct rr_sshcfg_host {
	unsigned set;              /* 1 << RR_SSHCFG_* for each value obtained */
	const char *hostname;      /* raw: %h and %% not expanded */
	const char *user;
	unsigned port;
	const char *identities[RR_SSHCFG_MAX_IDENTITIES]; /* raw, in order */
	size_t nidentities;
	bool identities_only;
	unsigned connect_timeout_s;
	int hostkey;               /* enum rr_hostkey_policy */
	const char *known_hosts;   /* raw: the first UserKnownHostsFile */
	unsigned alive_interval_s;
	const char *proxy_jump;    /* NULL: none (or "none") */
	const char *proxy_command;
};

/* What %-tokens and ~ stand for in IdentityFile and UserKnownHostsFile. */
struct rr_sshcfg_tokens {
	const char *home;       /* ~ and %d */
	const char *local_user; /* %u */
	const char *hostname;   /* %h: the HostName, expanded */
	const char *alias;      /* %n: the name as given */
	const char *user;       /* %r: the remote user */
	unsigned port;          /* %p */
};

void rr__sshcfg_init(struct rr_sshcfg *c);

/*
 * Parse text[0..len), named shown in messages, and append its directives
 * (and those of the files it includes).  Returns 0, or -EINVAL (a bad
 * line), -ENOMEM or a read error's -errno with "SHOWN: line N: Keyword:
 * cause" (or "SHOWN: cause") in err.
 */
int rr__sshcfg_parse(struct rr_sshcfg *c, const char *shown, const char *text,
		     size_t len, unsigned flags, char *err, size_t errlen);

/*
 * Read the file at path and parse it.  A file that does not exist is
 * nothing to read unless must_exist (then -ENOENT).  Returns 0 or -errno
 * with err set.
 */
int rr__sshcfg_read(struct rr_sshcfg *c, const char *path, const char *shown,
		    unsigned flags, bool must_exist, char *err, size_t errlen);

/*
 * What ssh reads: file (-F) alone, else ~/.ssh/config then
 * /etc/ssh/ssh_config where they exist.  Returns 0 or -errno with err set.
 */
int rr__sshcfg_load(struct rr_sshcfg *c, const char *file, char *err,
		    size_t errlen);

/* The values for the host ssh would be given as alias. */
void rr__sshcfg_resolve(const struct rr_sshcfg *c, const char *alias,
			struct rr_sshcfg_host *h);

/* raw with a leading ~ and its %-tokens expanded (caller frees); NULL:
   out of memory. */
char *rr__sshcfg_expand(const char *raw, const struct rr_sshcfg_tokens *t);

void rr__sshcfg_free(struct rr_sshcfg *c);

#endif
