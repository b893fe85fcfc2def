/*
 * How each host of the fleet is reached: the command line over its
 * ssh_config.  A host whose configuration needs a proxy goes through the
 * system ssh, which reads that configuration itself.
 */
#include "hosts/sshhost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts/hostfold.h"
#include "hosts/sshconfig.h"
#include "util/xalloc.h"

#define HAS(c, key) (((c)->set >> (key)) & 1u)

/* The host as ssh takes it: an IPv6 address without its brackets. */
static char *alias_of(const struct host_spec *s)
{
	const char *t = s->target;
	size_t n = strlen(t);
	struct buf b = BUF_INIT;

	if (n >= 2 && t[0] == '[' && t[n - 1] == ']')
		buf_add(&b, t + 1, n - 2);
	else
		buf_adds(&b, t);
	return buf_detach(&b);
}

static void lookup(const struct options *o, const char *alias,
		   struct sshcfg_host *c)
{
	if (o->sshcfg)
		sshcfg_resolve(o->sshcfg, alias, c);
	else
		*c = (struct sshcfg_host){ 0 };
}

static enum ssh_route route_of(const struct options *o,
			       const struct sshcfg_host *c)
{
	if (o->ssh_exec)
		return ROUTE_EXEC;
	if (c->proxy_jump)
		return ROUTE_PROXY_JUMP;
	if (c->proxy_command)
		return ROUTE_PROXY_COMMAND;
	return ROUTE_NATIVE;
}

/*
 * -i's keys, then the configuration's that exist (ssh passes over the
 * others); NULL for the library's defaults when neither names any.
 */
static const char **identities(struct ssh_host *h, const struct options *o,
			       const struct sshcfg_host *c,
			       const struct sshcfg_tokens *t)
{
	size_t n = 0;

	if (!c->nidentities)
		return o->identities;
	h->config_ids = xcalloc(c->nidentities, sizeof *h->config_ids);
	h->ids = xcalloc(o->nidentities + c->nidentities + 1, sizeof *h->ids);
	for (size_t k = 0; k < o->nidentities; k++)
		h->ids[n++] = o->identities[k];
	for (size_t k = 0; k < c->nidentities; k++) {
		char *path = sshcfg_expand(c->identities[k], t);

		if (access(path, F_OK) < 0) {
			free(path);
			continue;
		}
		h->config_ids[h->nconfig_ids++] = path;
		h->ids[n++] = path;
	}
	return h->ids;
}

/* --known-hosts, else the configuration's first file ("none": no host is
   known), else the library's default. */
static const char *known_hosts(struct ssh_host *h, const struct options *o,
			       const struct sshcfg_host *c,
			       const struct sshcfg_tokens *t)
{
	if (o->known_hosts || !c->known_hosts)
		return o->known_hosts;
	if (strcmp(c->known_hosts, "none") == 0)
		return "/dev/null";
	h->known_hosts = sshcfg_expand(c->known_hosts, t);
	return h->known_hosts;
}

static unsigned connect_timeout_ms(const struct options *o,
				   const struct sshcfg_host *c)
{
	if (o->connect_timeout_given || !c->connect_timeout_s)
		return (unsigned)o->connect_timeout_ms;
	return c->connect_timeout_s * 1000u;
}

/* A name to connect to, with brackets when it is an IPv6 address. */
static char *target_of(const char *hostname)
{
	struct buf b = BUF_INIT;

	if (strchr(hostname, ':'))
		buf_printf(&b, "[%s]", hostname);
	else
		buf_adds(&b, hostname);
	return buf_detach(&b);
}

/*
 * How failure lines name the host, in rr_host_name()'s words, so that both
 * routes say it alike: "web7:22", "[::1]:22", "h7 (10.0.0.7:22)" when the
 * name as written is not the HostName.
 */
static char *name_of(const char *alias, const char *hostname, unsigned port)
{
	char *target = target_of(hostname);
	struct buf b = BUF_INIT;

	if (strcmp(alias, hostname) != 0)
		buf_printf(&b, "%s (%s:%u)", alias, target, port);
	else
		buf_printf(&b, "%s:%u", target, port);
	free(target);
	return buf_detach(&b);
}

/* What the library gets: the command line over the configuration. */
static void native(struct ssh_host *h, const struct options *o,
		   const struct sshcfg_host *c, const struct sshcfg_tokens *t,
		   const char *user, unsigned port)
{
	h->target = target_of(t->hostname);
	h->ho = (struct rr_host_opts){
		.user = user,
		.port = port,
		.identities = identities(h, o, c, t),
		.no_agent = o->no_agent || c->identities_only,
		.password_file = o->password_file,
		.password_env = o->password_env,
		.known_hosts = known_hosts(h, o, c, t),
		.hostkey = o->hostkey_given || !HAS(c, SSHCFG_STRICT_HOST_KEY) ?
				   o->hostkey : (enum rr_hostkey_policy)c->hostkey,
		.connect_timeout_ms = connect_timeout_ms(o, c),
		.keepalive_s = c->alive_interval_s,
		/* and the session that signals and stops them */
		.channels = o->per_host + 1,
		/* Only where it says more: the library checks it as a host. */
		.alias = strcmp(h->alias, t->hostname) ? h->alias : NULL,
	};
}

void ssh_host_init(struct ssh_host *h, const struct options *o,
		   const struct host_spec *s)
{
	struct sshcfg_host c;
	char *alias = alias_of(s);
	char *hostname;

	lookup(o, alias, &c);
	const char *user = s->user ? s->user : o->user ? o->user : c.user;
	unsigned port = s->port ? s->port : o->port ? o->port : c.port;
	struct sshcfg_tokens t = {
		.home = sshcfg_home(), .local_user = sshcfg_local_user(),
		.hostname = alias, .alias = alias, .port = port ? port : 22,
	};

	hostname = c.hostname ? sshcfg_expand(c.hostname, &t) : xstrdup(alias);
	t.user = user ? user : t.local_user;
	t.hostname = hostname;
	*h = (struct ssh_host){
		.route = route_of(o, &c),
		.config_timeout = HAS(&c, SSHCFG_CONNECT_TIMEOUT),
		.name = name_of(alias, hostname, t.port),
		.alias = alias,
	};
	if (h->route == ROUTE_NATIVE)
		native(h, o, &c, &t, user, port);
	free(hostname);
}

void ssh_host_free(struct ssh_host *h)
{
	for (size_t k = 0; k < h->nconfig_ids; k++)
		free(h->config_ids[k]);
	free(h->config_ids);
	free(h->ids);
	free(h->known_hosts);
	free(h->target);
	free(h->name);
	free(h->alias);
	*h = (struct ssh_host){ 0 };
}

/* The hosts from number from on that the configuration sends through the
   system ssh, per reason. */
static int proxied(const struct options *o, size_t from, struct buf *notes,
		   char *err, size_t errlen)
{
	static const char *const why[] = { "ProxyJump", "ProxyCommand" };
	const char **names[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };
	int r = 0;

	for (size_t k = from; k < o->hosts.n; k++) {
		struct sshcfg_host c;
		char *alias = alias_of(&o->hosts.v[k]);
		enum ssh_route route;

		lookup(o, alias, &c);
		free(alias);
		route = route_of(o, &c);
		if (route == ROUTE_NATIVE)
			continue;
		size_t w = route == ROUTE_PROXY_COMMAND;
		names[w] = xreallocarray(names[w], n[w] + 1, sizeof *names[w]);
		names[w][n[w]++] = o->hosts.v[k].name;
	}
	for (size_t w = 0; w < 2 && r == 0; w++) {
		char *hosts = n[w] ? hostfold((const char *const *)names[w], n[w]) :
				     NULL;

		if (hosts && (o->password_env || o->password_file)) {
			snprintf(err, errlen, "%s: %s: needs the system ssh, which "
				 "cannot take %s", hosts, why[w], o->password_env ?
				 "--password-env" : "--password-file");
			r = -1;
		} else if (hosts) {
			buf_printf(notes, "ringrun: %s: %s: run through the system ssh\n",
				   hosts, why[w]);
		}
		free(hosts);
	}
	free(names[0]);
	free(names[1]);
	return r;
}

const char *ssh_user_refused(const char *user)
{
	struct buf b = BUF_INIT;
	struct rr_host_spec sp;
	const char *why = NULL;

	buf_printf(&b, "%s@h", user);
	rr_host_spec_parse(b.data, b.len, &sp, &why);
	buf_free(&b);
	return why;
}

/* "host 'SPEC': why", and which byte when it is one that cannot be there. */
static void say_refused(const char *spec, const struct rr_host_spec *sp,
			const char *why, char *err, size_t errlen)
{
	if (strcmp(why, "cannot be in a host name") == 0)
		snprintf(err, errlen, "host '%s': '%c' %s", spec,
			 spec[sp->error_at], why);
	else
		snprintf(err, errlen, "host '%s': %s", spec, why);
}

/*
 * Every host must parse as the library's grammar has it, and a user the
 * configuration gives ringrun's own client must be one: neither may turn
 * into an option of ssh (or of a ProxyCommand that quotes them).
 */
static int refused(const struct options *o, size_t from, char *err, size_t errlen)
{
	for (size_t k = from; k < o->hosts.n; k++) {
		const struct host_spec *s = &o->hosts.v[k];
		struct rr_host_spec sp;
		struct sshcfg_host c;
		const char *why;
		char *alias;

		if (rr_host_spec_parse(s->name, strlen(s->name), &sp, &why) < 0) {
			say_refused(s->name, &sp, why, err, errlen);
			return -1;
		}
		alias = alias_of(s);
		lookup(o, alias, &c);
		free(alias);
		if (route_of(o, &c) != ROUTE_NATIVE || s->user || o->user ||
		    !c.user || !(why = ssh_user_refused(c.user)))
			continue;
		snprintf(err, errlen, "%s: User %s: %s", s->name, c.user, why);
		return -1;
	}
	return 0;
}

int ssh_hosts_setup(struct options *o, struct buf *notes, char *err,
		    size_t errlen)
{
	struct sshcfg *c = xmalloc(sizeof *c);
	char why[768];

	sshcfg_init(c);
	if (sshcfg_load(c, o->ssh_config, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s%s", o->ssh_config ? "-F: " : "", why);
		sshcfg_free(c);
		free(c);
		return -1;
	}
	o->sshcfg = c;
	if (refused(o, 0, err, errlen) < 0)
		return -1;
	if (o->ssh_exec)
		return 0; /* ssh reads its configuration itself, Match too */
	if (c->match_note)
		buf_printf(notes, "ringrun: %s: Match: not supported; its block "
			   "is skipped\n", c->match_note);
	return proxied(o, 0, notes, err, errlen);
}

int ssh_hosts_more(const struct options *o, size_t from, struct buf *notes,
		   char *err, size_t errlen)
{
	if (refused(o, from, err, errlen) < 0)
		return -1;
	return o->ssh_exec ? 0 : proxied(o, from, notes, err, errlen);
}
