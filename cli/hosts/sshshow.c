/*
 * -G: each host as ringrun would reach it, in ssh -G's format (lower-case
 * keyword, a space, the value), so that users and tests compare it with
 * the system ssh's own reading.
 */
#include "hosts/sshshow.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hosts/hosts.h"
#include "hosts/sshhost.h"
#include "util/buf.h"

/* StrictHostKeyChecking in ssh -G's words (ringrun never asks). */
static const char *const policy_words[] = {
	[RR_HOSTKEY_STRICT] = "true",
	[RR_HOSTKEY_ACCEPT_NEW] = "accept-new",
	[RR_HOSTKEY_OFF] = "false",
};

/* Milliseconds as ssh's whole seconds, rounded up. */
static unsigned long long seconds(unsigned long long ms)
{
	return (ms + 999) / 1000;
}

static void print_host(const struct options *o, const char *alias,
		       const struct rr_host_config *hc)
{
	const struct rr_host_opts *ho = hc->opts;
	const struct passwd *pw = getpwuid(geteuid());
	enum rr_hostkey_policy policy = o->hostkey_given ? o->hostkey : ho->hostkey;

	printf("host %s\n", alias);
	printf("user %s\n", ho->user ? ho->user : pw ? pw->pw_name : "root");
	printf("hostname %s\n", hc->hostname);
	printf("port %u\n", ho->port ? ho->port : 22);
	printf("batchmode yes\n"); /* ringrun never asks, nor lets ssh ask */
	printf("identitiesonly %s\n", ho->no_agent ? "yes" : "no");
	printf("stricthostkeychecking %s\n", policy_words[policy]);
	printf("serveraliveinterval %u\n", ho->keepalive_s);
	for (size_t k = 0; hc->identity_files[k]; k++)
		printf("identityfile %s\n", hc->identity_files[k]);
	printf("userknownhostsfile %s\n", hc->known_hosts_file);
	printf("connecttimeout %llu\n", seconds(ho->connect_timeout_ms ?
						ho->connect_timeout_ms :
						o->connect_timeout_ms));
	if (hc->proxy_jump)
		printf("proxyjump %s\n", hc->proxy_jump);
	else if (hc->proxy_command)
		printf("proxycommand %s\n", hc->proxy_command);
}

int ssh_print_config(struct options *o)
{
	char why[768];

	hosts_exclude(&o->hosts, &o->exclude); /* -x, and -w's -HOST */
	if (!o->hosts.n) {
		fprintf(stderr, "ringrun: -G: no host left to print\n");
		return 2;
	}
	o->sshcfg = rr_ssh_config_read(o->ssh_config, why, sizeof why);
	if (!o->sshcfg) {
		fprintf(stderr, "ringrun: %s%s\n", o->ssh_config ? "-F: " : "", why);
		return 2;
	}
	if (*why)
		fprintf(stderr, "ringrun: %s\n", why);
	for (size_t k = 0; k < o->hosts.n; k++) {
		const struct host_spec *s = &o->hosts.v[k];
		struct rr_host_config hc;
		char *alias = ssh_host_alias(s);
		int r = ssh_host_lookup(o, s, alias, &hc, why, sizeof why);

		if (r == 0)
			print_host(o, alias, &hc);
		else
			fprintf(stderr, "ringrun: %s: %s\n", s->name, why);
		free(alias);
		if (r < 0)
			return 2;
	}
	return fflush(stdout) == 0 ? 0 : 2;
}
