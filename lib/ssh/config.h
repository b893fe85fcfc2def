/*
 * config.h - OpenSSH client configuration (ssh_config(5)), the part ringrun
 * uses: Host and Match blocks, Include, and the keywords that say how to
 * reach a host.  Parsing keeps those directives in order; resolving walks
 * them for one host alias, first value obtained wins, as ssh does (twice
 * when a Match asks for the final pass).  fromconfig.c turns what it finds
 * into a host.
 */
#ifndef RR_SSH_CONFIG_H
#define RR_SSH_CONFIG_H

#include <netdb.h>
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
	RR_SSHCFG_PROXY_JUMP,
	RR_SSHCFG_PROXY_COMMAND,
	RR_SSHCFG_NKEYS
};

struct rr_sshcfg_entry;

struct rr_sshcfg {
	struct rr_sshcfg_entry *v;
	size_t n, cap;
	unsigned files;   /* read so far, includes too: bounded */
	bool want_final;  /* a "Match final": ssh reads the files again */
	char *note;       /* "FILE: line N: ...": the first thing read that
			     ringrun does not follow (CanonicalizeHostname) */
};

/* The most IdentityFile values kept for a host (ssh's limit too). */
#define RR_SSHCFG_MAX_IDENTITIES 100

/* Who asks: what ssh knows before it reads a file. */
struct rr_sshcfg_query {
	const char *alias;      /* the host as given: Host, %n, originalhost */
	const char *user;       /* the command line's (-l, user@), or NULL */
	unsigned port;          /* the command line's, or 0 */
	const char *local_user; /* Match localuser, the user by default */
	const char *home;       /* %d in Match exec */
};

/* What the configuration says about one host; strings borrowed from it. */
struct rr_sshcfg_host {
	unsigned set;              /* 1 << RR_SSHCFG_* for each value obtained */
	const char *hostname;      /* raw: %h and %% not expanded */
	const char *user;
	unsigned port;
	const char *identities[RR_SSHCFG_MAX_IDENTITIES]; /* raw, in order,
							     each once */
	const char *identity_at[RR_SSHCFG_MAX_IDENTITIES]; /* "FILE: line N" */
	size_t nidentities;
	bool identities_only;
	unsigned connect_timeout_s;
	int hostkey;               /* enum rr_hostkey_policy */
	char *const *known_hosts;  /* raw: UserKnownHostsFile's words */
	size_t nknown_hosts;
	unsigned alive_interval_s;
	const char *proxy_jump;    /* NULL: none (or "none") */
	const char *proxy_command; /* NULL: none (or "none") */
	const char *at[RR_SSHCFG_NKEYS]; /* "FILE: line N" of each value */
	/* The name ssh connects to: HostName with %h, else the alias, in
	   lower case unless it is an address (then as getnameinfo writes it). */
	char host[NI_MAXHOST];
};

/* What %-tokens, ~ and ${VAR} stand for. */
struct rr_sshcfg_tokens {
	const char *home;       /* ~ and %d */
	const char *local_user; /* %u */
	const char *hostname;   /* %h: the host connected to */
	const char *alias;      /* %n: the name as given */
	const char *key_alias;  /* %k: the alias, in Match exec the host */
	const char *user;       /* %r: the remote user */
	unsigned port;          /* %p */
	const char *this_host;  /* %l: this machine's name; %L up to a '.' */
	unsigned uid;           /* %i */
};

/* The tokens each place takes, as ssh expands them there. */
#define RR_SSHCFG_TOKENS_HOSTNAME "h"
#define RR_SSHCFG_TOKENS_FILE "CLiklnpdhru"  /* and ${VAR} */
#define RR_SSHCFG_TOKENS_EXEC "CLdhklnpriu"

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

/*
 * The values for the host ssh would be given as q->alias, Match blocks
 * evaluated as ssh evaluates them (exec run through $SHELL -c, else
 * /bin/sh, when reached).  Returns 0, or -EINVAL with "FILE: line N:
 * Keyword: cause" in err (a HostName with a token it cannot hold, a Match
 * exec that could not run), -ENOMEM.
 */
int rr__sshcfg_resolve(const struct rr_sshcfg *c, const struct rr_sshcfg_query *q,
		       struct rr_sshcfg_host *h, char *err, size_t errlen);

/*
 * raw with its %-tokens among allowed ("%%" always) expanded and, for a
 * file name, a leading ~ and ${VAR}, into *out (caller frees).  Returns 0,
 * -EINVAL with why ("unknown token %x", "${X} is not set"), -ENOMEM.
 */
int rr__sshcfg_expand(const char *raw, const struct rr_sshcfg_tokens *t,
		      const char *allowed, bool file, char **out,
		      char *why, size_t whylen);

void rr__sshcfg_free(struct rr_sshcfg *c);

#endif
