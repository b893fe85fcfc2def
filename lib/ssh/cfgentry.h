/*
 * cfgentry.h - one directive of an ssh_config as read (config.c), what
 * resolving a host walks (resolve.c) and what a Match line holds
 * (match.c).
 */
#ifndef RR_SSH_CFGENTRY_H
#define RR_SSH_CFGENTRY_H

#include "ssh/config.h"

#define RR__CFG_MAX_DEPTH 16 /* Include nesting, as ssh allows */

enum rr__cfg_kind {
	RR__CFG_FILE,  /* a file given to ssh starts: every host again */
	RR__CFG_ENTER, /* an included file starts ... */
	RR__CFG_LEAVE, /* ... and ends: the including block is back */
	RR__CFG_HOST,
	RR__CFG_MATCH,
	RR__CFG_VALUE,
};

/* One criterion of a Match line. */
enum rr__crit_kind {
	RR__CRIT_ALL,
	RR__CRIT_CANONICAL,
	RR__CRIT_FINAL,
	RR__CRIT_HOST,
	RR__CRIT_ORIGINALHOST,
	RR__CRIT_USER,
	RR__CRIT_LOCALUSER,
	RR__CRIT_EXEC,
};

struct rr__crit {
	enum rr__crit_kind kind;
	bool negate;
	char *arg; /* NULL for all, canonical, final */
};

struct rr_sshcfg_entry {
	enum rr__cfg_kind kind;
	enum rr_sshcfg_key key;   /* RR__CFG_VALUE */
	char **words;          /* HOST: its patterns; KNOWN_HOSTS: its files */
	size_t nwords;
	struct rr__crit *crits; /* MATCH */
	size_t ncrits;
	char *value;           /* VALUE; NULL: "none" */
	unsigned num;          /* port, seconds, yes/no, policy */
	char *at;              /* VALUE, MATCH: "FILE: line N" */
};

/* Where the Match line's evaluation stands. */
struct rr__match_ctx {
	const struct rr_sshcfg_query *q;
	const struct rr_sshcfg_host *h; /* the values so far */
	bool final;            /* the second pass ("Match final") */
	char *err;
	size_t errlen;
};

/* A Host line: one pattern matches and no negated one does. */
bool rr__cfg_host_matches(const struct rr_sshcfg_entry *e, const char *alias);

/*
 * The criteria of a Match line (its words), checked as ssh checks them;
 * 0, or -EINVAL with the cause in why, -ENOMEM.
 */
int rr__cfg_match_parse(struct rr_sshcfg_entry *e, char **words, size_t n,
			char *why, size_t whylen);

/* Whether the Match line e holds for x: 1, 0, or -errno with x->err set. */
int rr__cfg_match_eval(const struct rr_sshcfg_entry *e,
		       const struct rr__match_ctx *x);

/* The name HostName (or the alias) gives, %h expanded, as ssh connects to
   it: lower case unless an address; 0 or -errno with err set. */
int rr__cfg_host_name(const struct rr_sshcfg_host *h,
		      const struct rr_sshcfg_query *q, char *out, size_t size,
		      char *err, size_t errlen);

void rr__cfg_crits_free(struct rr_sshcfg_entry *e);

#endif
