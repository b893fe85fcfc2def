/*
 * OpenSSH client configuration (ssh_config(5)), the part ringrun uses:
 * Host blocks, Include, and the keywords that say how to reach a host.
 * Parsing keeps those directives in order; resolving walks them for one
 * host alias, first value obtained wins, as ssh does.
 */
#ifndef CLI_SSHCONFIG_H
#define CLI_SSHCONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Flags for sshcfg_parse() and sshcfg_read(). */
enum {
	SSHCFG_USER_FILE = 1 << 0,  /* a user's file: a relative Include is
				       against ~/.ssh, not /etc/ssh */
	SSHCFG_NO_INCLUDE = 1 << 1, /* check Include lines, follow none */
};

/* The keywords kept; anything else in a file is ignored. */
enum sshcfg_key {
	SSHCFG_HOSTNAME,
	SSHCFG_USER,
	SSHCFG_PORT,
	SSHCFG_IDENTITY_FILE,
	SSHCFG_IDENTITIES_ONLY,
	SSHCFG_CONNECT_TIMEOUT,
	SSHCFG_STRICT_HOST_KEY,
	SSHCFG_KNOWN_HOSTS,
	SSHCFG_ALIVE_INTERVAL,
	SSHCFG_PROXY,               /* ProxyJump or ProxyCommand: one slot */
	SSHCFG_NKEYS
};

struct sshcfg_entry;

struct sshcfg {
	struct sshcfg_entry *v;
	size_t n, cap;
	unsigned files;  /* read so far, includes too: bounded */
	char *match_note; /* "FILE: line N": the first Match block that sets
			     something ringrun uses (it is skipped) */
};

/* The most IdentityFile values kept for a host (ssh's limit too). */
#define SSHCFG_MAX_IDENTITIES 100

/* What the configuration says about one host; strings borrowed from it. */
struct sshcfg_host {
	unsigned set;              /* 1 << SSHCFG_* for each value obtained */
	const char *hostname;      /* raw: %h and %% not expanded */
	const char *user;
	unsigned port;
	const char *identities[SSHCFG_MAX_IDENTITIES]; /* raw, in order */
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
struct sshcfg_tokens {
	const char *home;       /* ~ and %d */
	const char *local_user; /* %u */
	const char *hostname;   /* %h: the HostName, expanded */
	const char *alias;      /* %n: the name as given */
	const char *user;       /* %r: the remote user */
	unsigned port;          /* %p */
};

void sshcfg_init(struct sshcfg *c);

/*
 * Parse text[0..len), named shown in messages, and append its directives
 * (and those of the files it includes).  Returns 0, or -1 with
 * "SHOWN: line N: Keyword: cause" in err.
 */
int sshcfg_parse(struct sshcfg *c, const char *shown, const char *text,
		 size_t len, unsigned flags, char *err, size_t errlen);

/*
 * Read the file at path and parse it.  A file that does not exist is
 * nothing to read unless must_exist.  Returns 0 or -1 with err set.
 */
int sshcfg_read(struct sshcfg *c, const char *path, const char *shown,
		unsigned flags, bool must_exist, char *err, size_t errlen);

/*
 * What ssh reads: file (-F) alone, else ~/.ssh/config then
 * /etc/ssh/ssh_config where they exist.  Returns 0 or -1 with err set.
 */
int sshcfg_load(struct sshcfg *c, const char *file, char *err, size_t errlen);

/* The values for the host ssh would be given as alias. */
void sshcfg_resolve(const struct sshcfg *c, const char *alias,
		    struct sshcfg_host *h);

/* raw with a leading ~ and its %-tokens expanded (caller frees). */
char *sshcfg_expand(const char *raw, const struct sshcfg_tokens *t);

/* $HOME, else the password database's; "/" at worst. */
const char *sshcfg_home(void);

/* The user ringrun runs as. */
const char *sshcfg_local_user(void);

void sshcfg_free(struct sshcfg *c);

#endif
