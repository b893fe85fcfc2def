/*
 * One host's values from an ssh_config as read: the directives walked in
 * order, a block on when its Host or Match line holds, the first value
 * obtained winning (IdentityFile adds, each file once), ProxyJump and
 * ProxyCommand as ssh weighs them; a second walk when a "Match final"
 * asks for it, with the name ssh connects to by then in place of the
 * alias (Host lines, Match host).
 */
#include "ssh/ssh.h"
#include "ssh/cfgentry.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

/* IdentityFile: each raw name once, as ssh registers them. */
static void add_identity(struct rr_sshcfg_host *h, const struct rr_sshcfg_entry *e)
{
	for (size_t k = 0; k < h->nidentities; k++)
		if (strcmp(h->identities[k], e->value) == 0)
			return;
	if (h->nidentities < RR_SSHCFG_MAX_IDENTITIES) {
		h->identity_at[h->nidentities] = e->at;
		h->identities[h->nidentities++] = e->value;
	}
}

/*
 * A ProxyJump is taken only while neither is set, and sets ProxyCommand to
 * none with it ("none" leaves ProxyCommand free); a ProxyCommand is taken
 * while ProxyCommand is not set.
 */
static bool proxy_taken(struct rr_sshcfg_host *h, const struct rr_sshcfg_entry *e)
{
	const unsigned jump = 1u << RR_SSHCFG_PROXY_JUMP,
		       command = 1u << RR_SSHCFG_PROXY_COMMAND;

	if (e->key == RR_SSHCFG_PROXY_COMMAND)
		return !(h->set & command);
	if (h->set & (jump | command))
		return false;
	if (e->value) {
		h->set |= command;
		h->at[RR_SSHCFG_PROXY_COMMAND] = e->at;
	}
	return true;
}

static void apply(struct rr_sshcfg_host *h, const struct rr_sshcfg_entry *e)
{
	unsigned bit = 1u << e->key;

	if (e->key == RR_SSHCFG_IDENTITY_FILE) {
		add_identity(h, e);
		h->set |= bit;
		return;
	}
	if (e->key == RR_SSHCFG_PROXY_JUMP || e->key == RR_SSHCFG_PROXY_COMMAND) {
		if (!proxy_taken(h, e))
			return;
	} else if (h->set & bit) {
		return; /* the first value obtained wins */
	}
	h->set |= bit;
	h->at[e->key] = e->at;
	switch (e->key) {
	case RR_SSHCFG_HOSTNAME: h->hostname = e->value; break;
	case RR_SSHCFG_USER: h->user = e->value; break;
	case RR_SSHCFG_PORT: h->port = e->num; break;
	case RR_SSHCFG_IDENTITIES_ONLY: h->identities_only = e->num; break;
	case RR_SSHCFG_CONNECT_TIMEOUT: h->connect_timeout_s = e->num; break;
	case RR_SSHCFG_STRICT_HOST_KEY: h->hostkey = (int)e->num; break;
	case RR_SSHCFG_KNOWN_HOSTS:
		h->known_hosts = e->words;
		h->nknown_hosts = e->nwords;
		break;
	case RR_SSHCFG_ALIVE_INTERVAL: h->alive_interval_s = e->num; break;
	case RR_SSHCFG_PROXY_JUMP: h->proxy_jump = e->value; break;
	case RR_SSHCFG_PROXY_COMMAND: h->proxy_command = e->value; break;
	default: break;
	}
}

/*
 * Host and Match lines switch blocks on and off.  An included file starts
 * in the state of the block its Include is in, and when that is off
 * nothing in it can be on (its Match lines are still evaluated, as ssh
 * does: an exec runs); when it ends that block is back.
 */
static int walk(const struct rr_sshcfg *c, const struct rr_sshcfg_query *q,
		struct rr_sshcfg_host *h, bool final, char *err, size_t errlen)
{
	bool on = true, saved[RR__CFG_MAX_DEPTH + 1];
	bool never[RR__CFG_MAX_DEPTH + 2] = { false };
	unsigned depth = 0;
	/* the second reading matches Host lines against the name found */
	const char *host = final ? h->host : q->alias;
	const struct rr__match_ctx x = { .q = q, .h = h, .final = final,
					 .err = err, .errlen = errlen };

	for (size_t k = 0; k < c->n; k++) {
		const struct rr_sshcfg_entry *e = &c->v[k];
		int r;

		switch (e->kind) {
		case RR__CFG_FILE:
			on = true;
			depth = 0;
			break;
		case RR__CFG_ENTER:
			assert(depth < RR__CFG_MAX_DEPTH);
			saved[depth] = on;
			never[depth + 1] = never[depth] || !on;
			depth++;
			break;
		case RR__CFG_LEAVE:
			if (depth)
				on = saved[--depth];
			break;
		case RR__CFG_HOST:
			on = !never[depth] && rr__cfg_host_matches(e, host);
			break;
		case RR__CFG_MATCH:
			if ((r = rr__cfg_match_eval(e, &x)) < 0)
				return r;
			on = !never[depth] && r;
			break;
		case RR__CFG_VALUE:
			if (on)
				apply(h, e);
			break;
		}
	}
	return 0;
}

int rr__sshcfg_resolve(const struct rr_sshcfg *c, const struct rr_sshcfg_query *q,
		       struct rr_sshcfg_host *h, char *err, size_t errlen)
{
	int r;

	*h = (struct rr_sshcfg_host){ 0 };
	r = walk(c, q, h, false, err, errlen);
	if (r == 0)
		r = rr__cfg_host_name(h, q, h->host, sizeof h->host, err, errlen);
	if (r < 0 || !c->want_final)
		return r;
	/* ssh's second reading: its HostName is now the name found */
	h->set |= 1u << RR_SSHCFG_HOSTNAME;
	return walk(c, q, h, true, err, errlen);
}
