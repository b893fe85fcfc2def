/*
 * fromconfig.c - a host as ssh_config describes it: the files read as ssh
 * reads them (config.c), one alias's values over which a program's own
 * win, checked as a spec is, and the host made from them.
 */
#include "ssh/ssh.h"
#include "ssh/config.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* rr_host_config's first layout (ringrun.h, ABI): fixed for good. */
#define HOST_CONFIG_VER0 RR__SIZE_THROUGH(struct rr_host_config, proxy)

/* The files as read, and what the last rr_ssh_config_host() handed out. */
struct rr_ssh_config {
	struct rr_sshcfg cfg;
	struct rr_host_opts opts;
	char *known_hosts;
	char **ids;           /* the configuration's identities, expanded */
	size_t nids;
	const char **idv;     /* the program's, then those; NULL-terminated */
	const char **raw_ids; /* the same unexpanded, each once, missing too */
	char *jump;           /* ProxyJump as ssh -G prints it */
	char *default_kh;     /* the default known_hosts, expanded */
	bool kh_none;         /* UserKnownHostsFile none: no host is known */
	struct rr_sshcfg_host h;
};

/* Give back what the last resolution handed out. */
static void forget(struct rr_ssh_config *c)
{
	for (size_t k = 0; k < c->nids; k++)
		free(c->ids[k]);
	free(c->ids);
	free(c->idv);
	free(c->raw_ids);
	free(c->known_hosts);
	free(c->jump);
	free(c->default_kh);
	c->known_hosts = c->jump = c->default_kh = NULL;
	c->kh_none = false;
	c->ids = NULL;
	c->idv = c->raw_ids = NULL;
	c->nids = 0;
}

rr_ssh_config *rr_ssh_config_read(const char *path, char *why, size_t whylen)
{
	struct rr_ssh_config *c = calloc(1, sizeof(*c));
	int r;

	if (!c) {
		snprintf(why, whylen, "ssh_config: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rr__sshcfg_init(&c->cfg);
	r = rr__sshcfg_load(&c->cfg, path, why, whylen);
	if (r < 0) {
		rr_ssh_config_free(c);
		errno = -r;
		return NULL;
	}
	if (c->cfg.note)
		snprintf(why, whylen, "%s", c->cfg.note);
	else if (whylen)
		*why = '\0';
	return c;
}

void rr_ssh_config_free(rr_ssh_config *c)
{
	if (!c)
		return;
	forget(c);
	rr__sshcfg_free(&c->cfg);
	free(c);
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* A value the host cannot take: "FILE: line N: Keyword: cause". */
static int bad_value(const char *at, const char *keyword, const char *cause,
		     char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: %s: %s", at, keyword, cause);
	return -EINVAL;
}

/* raw in o->identities or the config's already: ssh offers a file once. */
static bool named(const char **v, size_t n, const char *raw)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(v[k], raw) == 0)
			return true;
	return false;
}

/*
 * The program's identities, then the configuration's that exist (ssh passes
 * over the others, as it does for -i); the program's alone when the
 * configuration names none.  raw_ids: all of them as ssh -G prints them.
 */
static int identities(struct rr_ssh_config *c, const struct rr_sshcfg_host *h,
		      const struct rr_sshcfg_tokens *t, struct rr_host_opts *o,
		      char *why, size_t whylen)
{
	size_t n = count(o->identities), nraw = n;
	char cause[96];

	if (!n && !h->nidentities)
		return 0;
	c->raw_ids = calloc(n + h->nidentities + 1, sizeof(*c->raw_ids));
	if (!c->raw_ids)
		return -ENOMEM;
	if (n) /* o->identities may be NULL */
		memcpy(c->raw_ids, o->identities, n * sizeof(*c->raw_ids));
	if (!h->nidentities)
		return 0;
	c->ids = calloc(h->nidentities, sizeof(*c->ids));
	c->idv = calloc(n + h->nidentities + 1, sizeof(*c->idv));
	if (!c->ids || !c->idv)
		return -ENOMEM;
	if (n)
		memcpy(c->idv, o->identities, n * sizeof(*c->idv));
	for (size_t k = 0; k < h->nidentities; k++) {
		char *path;
		int r;

		if (named(c->raw_ids, nraw, h->identities[k]))
			continue;
		c->raw_ids[nraw++] = h->identities[k];
		r = rr__sshcfg_expand(h->identities[k], t, RR_SSHCFG_TOKENS_FILE,
				      true, &path, cause, sizeof cause);
		if (r == -EINVAL)
			return bad_value(h->identity_at[k], "IdentityFile", cause,
					 why, whylen);
		if (r < 0)
			return r;
		if (access(path, F_OK) < 0) {
			free(path);
			continue;
		}
		c->ids[c->nids++] = path;
		c->idv[n++] = path;
	}
	o->identities = c->idv;
	return 0;
}

/* The first UserKnownHostsFile ("none": no host is known); ssh expands
   them all, so a bad token in any is the host's error. */
static int known_hosts(struct rr_ssh_config *c, const struct rr_sshcfg_host *h,
		       const struct rr_sshcfg_tokens *t, struct rr_host_opts *o,
		       char *why, size_t whylen)
{
	const char *at = h->at[RR_SSHCFG_KNOWN_HOSTS];
	char cause[96];

	if (!h->nknown_hosts || o->known_hosts)
		return 0; /* the program's wins: ssh never reads the file's */
	if (strcasecmp(h->known_hosts[0], "none") == 0) {
		if (h->nknown_hosts > 1)
			return bad_value(at, "UserKnownHostsFile", "none with "
					 "other files", why, whylen);
		o->known_hosts = "/dev/null";
		c->kh_none = true;
		return 0;
	}
	for (size_t k = 0; k < h->nknown_hosts; k++) {
		char *path;
		int r = rr__sshcfg_expand(h->known_hosts[k], t, RR_SSHCFG_TOKENS_FILE,
					  true, &path, cause, sizeof cause);

		if (r == -EINVAL)
			return bad_value(at, "UserKnownHostsFile", cause, why, whylen);
		if (r < 0)
			return r;
		if (k == 0)
			c->known_hosts = path;
		else
			free(path);
	}
	o->known_hosts = c->known_hosts;
	return 0;
}

/*
 * ProxyJump as ssh -G prints it: the hops before the last as written, the
 * last one's user, its host (in brackets when it is an address) and port.
 */
static int format_jump(struct rr_ssh_config *c, const char *jump)
{
	const char *last = strrchr(jump, ','), *at, *host, *port = NULL;
	size_t before = last ? (size_t)(last - jump) + 1 : 0, hostlen;

	last = last ? last + 1 : jump;
	if (strncasecmp(last, "ssh://", 6) == 0)
		last += 6;
	at = strrchr(last, '@');
	host = at ? at + 1 : last;
	if (*host == '[' && strchr(host, ']')) {
		hostlen = (size_t)(strchr(host, ']') - host) - 1;
		host++;
		if (host[hostlen + 1] == ':')
			port = host + hostlen + 2;
	} else {
		hostlen = strcspn(host, ":");
		if (host[hostlen] == ':')
			port = host + hostlen + 1;
	}
	bool numeric = memchr(host, ':', hostlen) ||
		       strspn(host, "0123456789.") >= hostlen;
	int portnum = port ? atoi(port) : 0;
	char portstr[16] = "";

	if (portnum > 0)
		snprintf(portstr, sizeof portstr, ":%d", portnum);
	int n = asprintf(&c->jump, "%.*s%.*s%s%s%.*s%s%s", (int)before, jump,
			 at ? (int)(at - last) : 0, last, at ? "@" : "",
			 numeric ? "[" : "", (int)hostlen, host,
			 numeric ? "]" : "", portstr);

	if (n < 0)
		c->jump = NULL;
	return n < 0 ? -ENOMEM : 0;
}

/* The values that are neither names nor files: the program's, else the
   configuration's. */
static void settings(const struct rr_sshcfg_host *h, struct rr_host_opts *o)
{
	o->no_agent = o->no_agent || h->identities_only;
	if (!o->hostkey)
		o->hostkey = (enum rr_hostkey_policy)h->hostkey;
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = h->connect_timeout_s * 1000u;
	if (!o->keepalive_s)
		o->keepalive_s = h->alive_interval_s;
}

/* A name the configuration gives that ringrun's client would use must be
   one a spec could hold: it never becomes an option of anything. */
static int refused(const char *what, const char *value, bool user, char *why,
		   size_t whylen)
{
	const char *bad = rr__word_refused(value, user);

	if (!bad)
		return 0;
	snprintf(why, whylen, "%s %s: %s", what, value, bad);
	return -EINVAL;
}

/* Who, where and which names, checked; then the rest. */
static int resolve(struct rr_ssh_config *c, const char *alias,
		   const struct rr_sshcfg_host *h, struct rr_host_config *out,
		   char *why, size_t whylen)
{
	struct rr_host_opts *o = &c->opts;
	char this_host[NI_MAXHOST] = "";
	struct rr_sshcfg_tokens t = {
		.home = rr__home_dir(), .local_user = rr__current_user(),
		.hostname = h->host, .alias = alias, .this_host = this_host,
		.uid = (unsigned)getuid(),
	};
	int r;

	gethostname(this_host, sizeof this_host - 1);
	if (!o->user)
		o->user = h->user;
	if (!o->port)
		o->port = h->port;
	t.port = o->port ? o->port : 22;
	t.user = o->user ? o->user : t.local_user;
	out->hostname = h->host;
	if (!o->alias && strcmp(alias, out->hostname) != 0)
		o->alias = alias; /* only where it says more */
	if (!out->proxy && h->user && o->user == h->user &&
	    (r = refused("User", h->user, true, why, whylen)) < 0)
		return r;
	if (!out->proxy && h->hostname &&
	    (r = refused("HostName", out->hostname, false, why, whylen)) < 0)
		return r;
	if ((r = identities(c, h, &t, o, why, whylen)) < 0 ||
	    (r = known_hosts(c, h, &t, o, why, whylen)) < 0)
		goto failed;
	if (h->proxy_jump && (r = format_jump(c, h->proxy_jump)) < 0)
		goto failed;
	settings(h, o);
	if (!o->known_hosts &&
	    !(c->default_kh = rr__path_in_home(RR__DEFAULT_KNOWN_HOSTS))) {
		r = -ENOMEM;
		goto failed;
	}
	out->known_hosts_file = c->kh_none ? "none" :
				o->known_hosts ? o->known_hosts : c->default_kh;
	out->identity_files = c->raw_ids ? c->raw_ids : rr__default_identities;
	out->proxy_jump = c->jump;
	out->proxy_command = h->proxy_command;
	return 0;
failed:
	if (r == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	return r;
}

/* The host for alias, into full; 0 or -errno with why set. */
static int host_of(rr_ssh_config *c, const char *alias,
		   const struct rr_host_opts *overrides,
		   struct rr_host_config *full, char *why, size_t whylen)
{
	const char *bad = rr__word_refused(alias, false);
	int r;

	if (bad) {
		snprintf(why, whylen, "%s", bad);
		return -EINVAL;
	}
	r = rr__sized_copy(&c->opts, sizeof(c->opts), RR_HOST_OPTS_VER0, overrides);
	if (r < 0) {
		snprintf(why, whylen, "overrides: %s", r == -E2BIG ?
			 "a field this library does not know is set" :
			 "size below the first layout's");
		return r;
	}
	const struct rr_sshcfg_query q = {
		.alias = alias, .user = c->opts.user, .port = c->opts.port,
		.local_user = rr__current_user(), .home = rr__home_dir(),
	};
	r = rr__sshcfg_resolve(&c->cfg, &q, &c->h, why, whylen);
	if (r == -ENOMEM)
		snprintf(why, whylen, "out of memory");
	if (r < 0)
		return r;
	full->proxy = c->h.proxy_jump ? "ProxyJump" :
		      c->h.proxy_command ? "ProxyCommand" : NULL;
	r = resolve(c, alias, &c->h, full, why, whylen);
	full->opts = r == 0 ? &c->opts : NULL;
	return r;
}

int rr_ssh_config_host(rr_ssh_config *c, const char *alias,
		       const struct rr_host_opts *overrides,
		       struct rr_host_config *out, char *why, size_t whylen)
{
	struct rr_host_config full = { .size = sizeof(full) };
	int r;

	if (!c || !alias || !out) {
		snprintf(why, whylen, "no configuration or alias");
		return -EINVAL;
	}
	forget(c);
	r = host_of(c, alias, overrides, &full, why, whylen);
	rr__sized_fill(out, HOST_CONFIG_VER0, &full, sizeof(full));
	return r;
}

rr_host *rr_host_from_config(rr_loop *loop, const char *alias,
			     const char *ssh_config_path,
			     const struct rr_host_opts *overrides)
{
	char why[RR_WHY_MAX];
	struct rr_host_config hc;
	rr_ssh_config *c;
	rr_host *host = NULL;
	int r;

	if (!loop || !alias) {
		errno = EINVAL;
		return NULL;
	}
	c = rr_ssh_config_read(ssh_config_path, why, sizeof(why));
	if (!c) {
		r = -errno;
		rr__warn(loop, "%s", why);
		errno = -r;
		return NULL;
	}
	if (*why)
		rr__warn(loop, "%s", why);
	hc.size = sizeof(hc);
	r = rr_ssh_config_host(c, alias, overrides, &hc, why, sizeof(why));
	if (r == 0 && hc.proxy) {
		snprintf(why, sizeof(why), "%s: not supported by ringrun's client",
			 hc.proxy);
		r = -ENOTSUP;
	}
	if (r < 0)
		rr__warn(loop, "host %s: %s", alias, why);
	else if (!(host = rr_host_new(loop, hc.hostname, hc.opts)))
		r = -errno;
	rr_ssh_config_free(c);
	if (r < 0)
		errno = -r;
	return host;
}
