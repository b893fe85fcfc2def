/*
 * How each host of the fleet is reached: the command line over its
 * ssh_config.  A host whose configuration needs a proxy goes through the
 * system ssh, which reads that configuration itself.
 */
#include "hosts/sshhost.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts/hostfold.h"
#include "util/xalloc.h"

char *ssh_host_alias(const struct host_spec *s)
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

/* What the command line gives the library over the configuration: the
   host's user@ and :port, then -l and -p, -i, the other options given. */
static struct rr_host_opts overrides(const struct options *o,
				     const struct host_spec *s)
{
	return (struct rr_host_opts){
		.user = s->user ? s->user : o->user,
		.port = s->port ? s->port : o->port,
		.identities = o->identities,
		.no_agent = o->no_agent,
		.password_file = o->password_file,
		.password_env = o->password_env,
		.known_hosts = o->known_hosts,
		.hostkey = o->hostkey,
		.connect_timeout_ms = o->connect_timeout_given ?
				      (unsigned)o->connect_timeout_ms : 0,
		/* and the session that signals and stops them */
		.channels = o->per_host + 1,
	};
}

int ssh_host_lookup(const struct options *o, const struct host_spec *s,
		    const char *alias, struct rr_host_config *hc, char *why,
		    size_t whylen)
{
	const struct rr_host_opts over = overrides(o, s);

	assert(o->sshcfg); /* ssh_hosts_setup() read it */
	*hc = (struct rr_host_config){ .size = sizeof *hc };
	return rr_ssh_config_host(o->sshcfg, alias, &over, hc, why, whylen);
}

static enum ssh_route route_of(const struct options *o,
			       const struct rr_host_config *hc)
{
	if (o->ssh_exec)
		return ROUTE_EXEC;
	if (!hc->proxy)
		return ROUTE_NATIVE;
	return strcmp(hc->proxy, "ProxyJump") == 0 ? ROUTE_PROXY_JUMP :
						    ROUTE_PROXY_COMMAND;
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

void ssh_host_init(struct ssh_host *h, const struct options *o,
		   const struct host_spec *s)
{
	struct rr_host_config hc;
	char why[512];
	char *alias = ssh_host_alias(s);
	int r = ssh_host_lookup(o, s, alias, &hc, why, sizeof why);

	if (r < 0) { /* the system ssh reads it itself; else refused() said */
		*h = (struct ssh_host){
			.route = o->ssh_exec ? ROUTE_EXEC : ROUTE_NATIVE,
			.error = o->ssh_exec ? 0 : -r,
			.name = xstrdup(s->name), .alias = alias,
		};
		return;
	}
	*h = (struct ssh_host){
		.route = route_of(o, &hc),
		.config_timeout = hc.opts->connect_timeout_ms &&
				  !o->connect_timeout_given,
		.name = name_of(alias, hc.hostname,
				hc.opts->port ? hc.opts->port : 22),
		.alias = alias,
	};
	if (h->route != ROUTE_NATIVE)
		return;
	h->target = target_of(hc.hostname);
	h->ho = *hc.opts;
	/* --host-key-check strict wins too, though it is the zero */
	if (o->hostkey_given)
		h->ho.hostkey = o->hostkey;
	if (!h->ho.connect_timeout_ms)
		h->ho.connect_timeout_ms = (unsigned)o->connect_timeout_ms;
}

void ssh_host_free(struct ssh_host *h)
{
	free(h->target);
	free(h->name);
	free(h->alias);
	*h = (struct ssh_host){ 0 };
}

/* The hosts the configuration sends through the system ssh, per reason:
   said once, or refused when what they need it cannot do. */
struct proxied {
	const char **names[2]; /* ProxyJump's, ProxyCommand's */
	size_t n[2];
};

static int say_proxied(const struct options *o, struct proxied *p,
		       struct buf *notes, char *err, size_t errlen)
{
	static const char *const why[] = { "ProxyJump", "ProxyCommand" };
	int r = 0;

	for (size_t w = 0; w < 2 && r == 0; w++) {
		char *hosts = p->n[w] ? hostfold((const char *const *)p->names[w],
						 p->n[w]) : NULL;

		if (hosts && (o->password_env || o->password_file)) {
			snprintf(err, errlen, "%s: %s: needs the system ssh, which "
				 "cannot take %s", hosts, why[w], o->password_env ?
				 "--password-env" : "--password-file");
			r = -1;
		} else if (hosts && o->copy) {
			snprintf(err, errlen, "%s: %s: needs the system ssh, which "
				 "cannot copy files (%s)", hosts, why[w],
				 o->copy == COPY_PUT ? "--copy" : "--rcopy");
			r = -1;
		} else if (hosts) {
			buf_printf(notes, "ringrun: %s: %s: run through the system ssh\n",
				   hosts, why[w]);
		}
		free(hosts);
	}
	free(p->names[0]);
	free(p->names[1]);
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
 * into an option of ssh (or of a ProxyCommand that quotes them).  The
 * configuration is resolved once per host here (a Match exec runs), and
 * the hosts that need the system ssh noted in p.
 */
static int refused(const struct options *o, size_t from, struct proxied *p,
		   char *err, size_t errlen)
{
	for (size_t k = from; k < o->hosts.n; k++) {
		const struct host_spec *s = &o->hosts.v[k];
		struct rr_host_spec sp;
		struct rr_host_config hc;
		const char *why;
		char *alias, cause[512];
		int r;

		if (rr_host_spec_parse(s->name, strlen(s->name), &sp, &why) < 0) {
			say_refused(s->name, &sp, why, err, errlen);
			return -1;
		}
		if (o->ssh_exec)
			continue; /* the system ssh reads the configuration itself */
		alias = ssh_host_alias(s);
		r = ssh_host_lookup(o, s, alias, &hc, cause, sizeof cause);
		free(alias);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", s->name, cause);
			return -1;
		}
		enum ssh_route route = route_of(o, &hc);
		if (route == ROUTE_NATIVE)
			continue;
		size_t w = route == ROUTE_PROXY_COMMAND;
		p->names[w] = xreallocarray(p->names[w], p->n[w] + 1,
					    sizeof *p->names[w]);
		p->names[w][p->n[w]++] = s->name;
	}
	return 0;
}

/* The hosts from number from on: refused, or their proxies said. */
static int vet(const struct options *o, size_t from, struct buf *notes,
	       char *err, size_t errlen)
{
	struct proxied p = { { NULL, NULL }, { 0, 0 } };

	if (refused(o, from, &p, err, errlen) < 0) {
		free(p.names[0]);
		free(p.names[1]);
		return -1;
	}
	return say_proxied(o, &p, notes, err, errlen);
}

int ssh_hosts_setup(struct options *o, struct buf *notes, char *err,
		    size_t errlen)
{
	char why[768];

	o->sshcfg = rr_ssh_config_read(o->ssh_config, why, sizeof why);
	if (!o->sshcfg) {
		snprintf(err, errlen, "%s%s", o->ssh_config ? "-F: " : "", why);
		return -1;
	}
	if (*why && !o->ssh_exec) /* a CanonicalizeHostname not followed */
		buf_printf(notes, "ringrun: %s\n", why);
	return vet(o, 0, notes, err, errlen);
}

int ssh_hosts_more(const struct options *o, size_t from, struct buf *notes,
		   char *err, size_t errlen)
{
	return vet(o, from, notes, err, errlen);
}
