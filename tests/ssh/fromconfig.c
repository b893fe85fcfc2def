/*
 * fromconfig.c - rr_host_from_config() and rr_ssh_config_host(): hosts as
 * ssh_config describes them.  What a configuration says of an alias is
 * compared with ssh -G, the system ssh's own reading, on generated
 * configurations; a host made from a configuration alone reaches a real
 * sshd; the program's overrides win; a bad configuration, a missing file,
 * a refused User or HostName and a proxy give NULL, errno and one warning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_fromconfig);

/* The warnings the loop told: the first and how many. */
struct told {
	unsigned n;
	char first[512];
};

static void note(rr_loop *loop, const char *msg, void *user)
{
	struct told *t = user;

	(void)loop;
	if (!t->n++)
		snprintf(t->first, sizeof t->first, "%s", msg);
}

/* A directory of the test's own under /tmp: removed by rm_dir. */
static void make_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/rr-fromcfg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rm_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* dir/name holds text; its path into path. */
static const char *file_at(const char *dir, const char *name, const char *text,
			   char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	write_file(path, text, strlen(text));
	return path;
}

/* ------------------------------------------------ ssh -G as the oracle */

/* xorshift64*: the same configurations on every run. */
static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static const char *const aliases[] = { "web1", "web2", "web3", "db1", "db12",
				       "a.lab", "x.lab", "Web1", "other" };
#define NALIASES (sizeof aliases / sizeof aliases[0])

/* A Host line: one to three patterns, now and then one negated. */
static void host_line(FILE *f)
{
	static const char *const patterns[] = { "web1", "web2", "web*", "db?",
						"*", "*.lab", "a.lab", "Web1",
						"db1*", "other" };
	unsigned n = 1 + rnd(3);

	fputs("Host", f);
	for (unsigned k = 0; k < n; k++)
		fprintf(f, " %s%s", k && !rnd(4) ? "!" : "",
			patterns[rnd(sizeof patterns / sizeof patterns[0])]);
	fputc('\n', f);
}

/* One directive; identity files are new each time, and exist. */
static void directive(FILE *f, const char *dir, unsigned *ids)
{
	static const char *const users[] = { "alice", "bob", "deploy_1", "Ops" };
	char path[PATH_MAX];

	switch (rnd(4)) {
	case 0: /* an address, a name, or the alias (%h) in one */
		if (rnd(2))
			fprintf(f, "  HostName %s\n", rnd(2) ? "%h.example" : "%h");
		else
			fprintf(f, "  HostName %s%u%s\n", rnd(2) ? "10.0.0." : "h",
				rnd(100), rnd(2) ? "" : ".lab");
		break;
	case 1:
		fprintf(f, "  User %s\n", users[rnd(4)]);
		break;
	case 2:
		fprintf(f, "  Port %u\n", 1 + rnd(65535));
		break;
	default:
		snprintf(path, sizeof path, "%s/id-%u", dir, (*ids)++);
		write_file(path, "", 0);
		fprintf(f, "  IdentityFile %s\n", path);
		break;
	}
}

/* A file of blocks; at depth 0 some Include a file made the same way. */
static void config_file(const char *dir, const char *name, unsigned depth,
			unsigned *ids, unsigned *files)
{
	char path[PATH_MAX], inc[64];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	for (unsigned d = rnd(2); d; d--) /* before any Host: every host's */
		directive(f, dir, ids);
	for (unsigned b = 2 + rnd(4); b; b--) {
		host_line(f);
		for (unsigned d = 1 + rnd(4); d; d--)
			directive(f, dir, ids);
		if (!depth && !rnd(3)) {
			snprintf(inc, sizeof inc, "inc-%u", (*files)++);
			fprintf(f, "  Include %s/%s\n", dir, inc);
			config_file(dir, inc, depth + 1, ids, files);
		}
	}
	cr_assert_eq(fclose(f), 0);
}

/* What ssh -G says of alias: the values compared. */
struct seen {
	char hostname[256], user[64];
	unsigned port;
	char ids[16][PATH_MAX];
	size_t nids;
	bool default_ids; /* ssh's own list: the configuration named none */
};

static void ssh_g(const char *cfg, const char *alias, struct seen *s)
{
	static char out[64 * 1024];
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof cmd, "ssh -G -F '%s' '%s' </dev/null 2>/dev/null",
		 cfg, alias);
	cr_assert_eq(sh_capture(cmd, out, sizeof out), 0, "%s", cmd);
	*s = (struct seen){ 0 };
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "hostname ", 9) == 0)
			snprintf(s->hostname, sizeof s->hostname, "%s", line + 9);
		else if (strncmp(line, "user ", 5) == 0)
			snprintf(s->user, sizeof s->user, "%s", line + 5);
		else if (strncmp(line, "port ", 5) == 0)
			s->port = (unsigned)atoi(line + 5);
		if (strncmp(line, "identityfile ", 13) != 0)
			continue;
		if (strncmp(line + 13, "~/.ssh/id_", 10) == 0)
			s->default_ids = true;
		else if (s->nids < 16)
			snprintf(s->ids[s->nids++], PATH_MAX, "%s", line + 13);
	}
}

static void compare(rr_ssh_config *c, const char *cfg, const char *alias)
{
	struct rr_host_config hc;
	struct seen s;
	char why[256];
	size_t n = 0;

	ssh_g(cfg, alias, &s);
	cr_assert_eq(rr_ssh_config_host(c, alias, NULL, &hc, why, sizeof why), 0,
		     "%s %s: %s", cfg, alias, why);
	/* in lower case, as ssh writes it and connects to it */
	cr_assert_str_eq(hc.hostname, s.hostname, "%s %s: hostname %s, ssh %s", cfg, alias,
			 hc.hostname, s.hostname);
	if (hc.opts->user)
		cr_assert_str_eq(hc.opts->user, s.user, "%s %s: user %s, ssh %s", cfg, alias,
				 hc.opts->user, s.user);
	else
		cr_assert_str_eq(s.user, getpwuid(geteuid())->pw_name, "%s %s", cfg, alias);
	cr_assert_eq(hc.opts->port ? hc.opts->port : 22, s.port, "%s %s: port", cfg, alias);
	if (!hc.opts->identities) {
		cr_assert(s.default_ids && !s.nids, "%s %s: ssh has identities", cfg, alias);
		return;
	}
	cr_assert_not(s.default_ids, "%s %s: ssh has none", cfg, alias);
	for (; hc.opts->identities[n]; n++) {
		cr_assert_lt(n, s.nids, "%s %s: more identities than ssh's", cfg, alias);
		cr_assert_str_eq(hc.opts->identities[n], s.ids[n], "%s %s: identity %zu",
				 cfg, alias, n);
	}
	cr_assert_eq(n, s.nids, "%s %s: fewer identities than ssh's", cfg, alias);
}

/* Random mixes of Host patterns (negated too), HostName with %h, User,
   Port, IdentityFile and Include, every alias: what ssh -G reads. */
Test(ssh_fromconfig, resolution_is_ssh_g)
{
	char dir[64], name[32], cfg[PATH_MAX], why[256];
	unsigned ids = 0, files = 0;

	make_dir(dir, sizeof dir);
	for (unsigned k = 0; k < 24; k++) {
		rng_state = 0x9e3779b97f4a7c15ull * (k + 1);
		snprintf(name, sizeof name, "cfg-%u", k);
		config_file(dir, name, 0, &ids, &files);
		snprintf(cfg, sizeof cfg, "%s/%s", dir, name);
		rr_ssh_config *c = rr_ssh_config_read(cfg, why, sizeof why);
		cr_assert_not_null(c, "%s", why);
		cr_assert_str_eq(why, "", "nothing to tell");
		for (size_t a = 0; a < NALIASES; a++)
			compare(c, cfg, aliases[a]);
		rr_ssh_config_free(c);
	}
	rm_dir(dir);
}

/* ------------------------------------------------ a real sshd */

/* A configuration that names the sshd's address, port, key and
   known_hosts for alias "web". */
static const char *sshd_config_file(const struct sshd *s, const char *extra,
				    char *path, size_t size)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "Host web\n  HostName %s\n  Port %u\n  IdentityFile %s\n"
		 "  UserKnownHostsFile %s\n  IdentitiesOnly yes\n%s",
		 s->addr[0], s->port, s->client_key, s->known_hosts, extra);
	return file_at(s->dir, "ssh_config", text, path, size);
}

Test(ssh_fromconfig, config_alone_reaches_the_host)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	struct told told = { 0 };
	rr_loop *loop = loop_new(&(struct rr_loop_opts){ .on_warning = note,
							 .user = &told });
	char cfg[PATH_MAX], name[64];
	rr_host *h;

	sshd_config_file(s, "", cfg, sizeof cfg);
	h = rr_host_from_config(loop, "web", cfg, NULL);
	cr_assert_not_null(h, "%s (%s)", strerror(errno), told.first);
	snprintf(name, sizeof name, "web (%s:%u)", s->addr[0], s->port);
	cr_assert_str_eq(rr_host_name(h), name);
	const struct rr_result *r = run_ssh(loop, h, "echo from-config", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "from-config\n");
	cr_assert_eq(told.n, 0, "told: %s", told.first);
	free_loop(loop);
}

/* Every field the program sets wins: here what the configuration says
   would reach nothing. */
Test(ssh_fromconfig, overrides_win)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	char cfg[PATH_MAX], text[512];
	const char *ids[] = { s->client_key, NULL };
	rr_host *h;

	snprintf(text, sizeof text,
		 "Host web\n  HostName %s\n  Port 1\n  User nosuchuser-rr\n"
		 "  IdentityFile %s\n  UserKnownHostsFile %s/nothere\n"
		 "  IdentitiesOnly yes\n", s->addr[0], s->other_key, s->dir);
	file_at(s->dir, "ssh_config", text, cfg, sizeof cfg);
	h = rr_host_from_config(loop, "web", cfg, &(struct rr_host_opts){
		.port = s->port, .user = getpwuid(geteuid())->pw_name,
		.known_hosts = s->known_hosts, .identities = ids });
	cr_assert_not_null(h, "%s", strerror(errno));
	const struct rr_result *r = run_ssh(loop, h, "echo over", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "over\n");
	free_loop(loop);
}

/* ------------------------------------------------ values, no server */

Test(ssh_fromconfig, values_and_overrides)
{
	char dir[64], text[1024], cfg[PATH_MAX], key[PATH_MAX], why[256];
	struct rr_host_config hc;
	const char *mine[] = { "/my/key", NULL };

	make_dir(dir, sizeof dir);
	file_at(dir, "k-deploy-2200", "", key, sizeof key);
	snprintf(text, sizeof text,
		 "Host web\n  HostName 10.0.0.7\n  User deploy\n  Port 2200\n"
		 "  IdentityFile %s/nothere\n  IdentityFile %s/k-%%r-%%p\n"
		 "  UserKnownHostsFile none\n  StrictHostKeyChecking accept-new\n"
		 "  ConnectTimeout 1m\n  ServerAliveInterval 15\n"
		 "  IdentitiesOnly yes\n", dir, dir);
	file_at(dir, "cfg", text, cfg, sizeof cfg);
	rr_ssh_config *c = rr_ssh_config_read(cfg, why, sizeof why);
	cr_assert_not_null(c, "%s", why);

	cr_assert_eq(rr_ssh_config_host(c, "web", NULL, &hc, why, sizeof why), 0, "%s", why);
	cr_assert_str_eq(hc.hostname, "10.0.0.7");
	cr_assert_str_eq(hc.opts->alias, "web");
	cr_assert_str_eq(hc.opts->user, "deploy");
	cr_assert_eq(hc.opts->port, 2200);
	cr_assert_str_eq(hc.opts->identities[0], key, "%%r and %%p; a missing one passed over");
	cr_assert_null(hc.opts->identities[1]);
	cr_assert_str_eq(hc.opts->known_hosts, "/dev/null");
	cr_assert_eq(hc.opts->hostkey, RR_HOSTKEY_ACCEPT_NEW);
	cr_assert_eq(hc.opts->connect_timeout_ms, 60000);
	cr_assert_eq(hc.opts->keepalive_s, 15);
	cr_assert(hc.opts->no_agent, "IdentitiesOnly");
	cr_assert_null(hc.proxy);

	cr_assert_eq(rr_ssh_config_host(c, "web", &(struct rr_host_opts){
		.user = "me", .port = 22, .identities = mine, .known_hosts = "/kh",
		.hostkey = RR_HOSTKEY_OFF, .connect_timeout_ms = 5, .keepalive_s = 3,
		.alias = "front", .channels = 4 }, &hc, why, sizeof why), 0, "%s", why);
	cr_assert_str_eq(hc.opts->user, "me");
	cr_assert_eq(hc.opts->port, 22);
	cr_assert_str_eq(hc.opts->identities[0], "/my/key", "the program's first");
	cr_assert_null(hc.opts->identities[1], "k-me-22 does not exist");
	cr_assert_str_eq(hc.opts->known_hosts, "/kh");
	cr_assert_eq(hc.opts->hostkey, RR_HOSTKEY_OFF);
	cr_assert_eq(hc.opts->connect_timeout_ms, 5);
	cr_assert_eq(hc.opts->keepalive_s, 3);
	cr_assert_str_eq(hc.opts->alias, "front");
	cr_assert_eq(hc.opts->channels, 4);

	cr_assert_eq(rr_ssh_config_host(c, "10.0.0.9", NULL, &hc, why, sizeof why), 0);
	cr_assert_str_eq(hc.hostname, "10.0.0.9");
	cr_assert_null(hc.opts->alias, "the alias is the host: nothing more to say");
	cr_assert_null(hc.opts->identities, "none named: the library's defaults");
	/* a newer caller's overrides, with a field this library does not know */
	struct {
		struct rr_host_opts known;
		uint64_t future;
	} newer = { .known.size = sizeof newer, .future = 1 };
	cr_assert_eq(rr_ssh_config_host(c, "web", &newer.known, &hc, why, sizeof why),
		     -E2BIG);
	cr_assert_null(hc.opts);
	newer.future = 0;
	cr_assert_eq(rr_ssh_config_host(c, "web", &newer.known, &hc, why, sizeof why), 0,
		     "%s", why);
	rr_ssh_config_free(c);
	rm_dir(dir);
}

/* What ssh -G would print, past the first layout; a caller of that
   layout gets none of it. */
Test(ssh_fromconfig, ssh_g_fields)
{
	char dir[64], cfg[PATH_MAX], why[256], want[PATH_MAX + 64];
	struct rr_host_config hc = { .size = sizeof hc };
	const char *mine[] = { "/my/key", NULL };

	make_dir(dir, sizeof dir);
	setenv("HOME", dir, 1);
	file_at(dir, "cfg", "Host web\n  IdentityFile ~/k-%h\n  IdentityFile /my/key\n"
		"  IdentityFile ~/k-%h\n  ProxyJump a,u@10.0.0.1:022\n"
		"Host db\n  UserKnownHostsFile none\n  ProxyJump none\n"
		"  ProxyCommand nc %h %p\n"
		"Host bad\n  UserKnownHostsFile ~/kh %x\n", cfg, sizeof cfg);
	rr_ssh_config *c = rr_ssh_config_read(cfg, why, sizeof why);
	cr_assert_not_null(c, "%s", why);
	cr_assert_eq(rr_ssh_config_host(c, "web", &(struct rr_host_opts){
		.identities = mine }, &hc, why, sizeof why), 0, "%s", why);
	cr_assert_str_eq(hc.identity_files[0], "/my/key");
	cr_assert_str_eq(hc.identity_files[1], "~/k-%h", "raw, each once");
	cr_assert_null(hc.identity_files[2]);
	cr_assert_str_eq(hc.proxy_jump, "a,u@[10.0.0.1]:22");
	cr_assert_null(hc.proxy_command);
	cr_assert(!strncmp(hc.known_hosts_file, dir, strlen(dir)) &&
		  !strcmp(hc.known_hosts_file + strlen(dir), "/.ssh/known_hosts"), "%s",
		  hc.known_hosts_file);
	cr_assert_eq(rr_ssh_config_host(c, "db", NULL, &hc, why, sizeof why), 0, "%s", why);
	cr_assert_str_eq(hc.identity_files[0], "~/.ssh/id_ed25519", "the defaults");
	cr_assert_str_eq(hc.identity_files[1], "~/.ssh/id_ecdsa");
	cr_assert_null(hc.identity_files[2]);
	cr_assert_str_eq(hc.known_hosts_file, "none");
	cr_assert_str_eq(hc.opts->known_hosts, "/dev/null");
	cr_assert_null(hc.proxy_jump);
	cr_assert_str_eq(hc.proxy_command, "nc %h %p");
	cr_assert_str_eq(hc.proxy, "ProxyCommand");
	cr_assert_eq(rr_ssh_config_host(c, "bad", NULL, &hc, why, sizeof why), -EINVAL);
	snprintf(want, sizeof want, "%s: line 11: UserKnownHostsFile: unknown token %%x", cfg);
	cr_assert_str_eq(why, want);
	cr_assert_eq(rr_ssh_config_host(c, "bad", &(struct rr_host_opts){
		.known_hosts = "/kh" }, &hc, why, sizeof why), 0,
		"the program's file wins: the file's is never read (%s)", why);
	cr_assert_str_eq(hc.known_hosts_file, "/kh");
	/* the first layout: through proxy, nothing after it written */
	struct rr_host_config old;
	memset(&old, 0x5a, sizeof old);
	old.size = offsetof(struct rr_host_config, identity_files);
	cr_assert_eq(rr_ssh_config_host(c, "db", NULL, &old, why, sizeof why), 0, "%s", why);
	cr_assert_str_eq(old.proxy, "ProxyCommand");
	for (const unsigned char *b = (const unsigned char *)&old.identity_files;
	     b < (const unsigned char *)(&old + 1); b++)
		cr_assert_eq(*b, 0x5a, "a field past the caller's layout was written");
	rr_ssh_config_free(c);
	rm_dir(dir);
}

/* NULL: ~/.ssh/config, as ssh reads it. */
Test(ssh_fromconfig, null_path_reads_the_home_config)
{
	char dir[64], path[PATH_MAX];
	struct told told = { 0 };
	rr_loop *loop = loop_new(&(struct rr_loop_opts){ .on_warning = note,
							 .user = &told });
	const char *none[] = { NULL };

	make_dir(dir, sizeof dir);
	setenv("HOME", dir, 1);
	snprintf(path, sizeof path, "%s/.ssh", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	file_at(dir, ".ssh/config", "Host h7\n  HostName 127.0.0.7\n  Port 2207\n",
		path, sizeof path);
	rr_host *h = rr_host_from_config(loop, "h7", NULL, &(struct rr_host_opts){
		.identities = none, .no_agent = true });
	cr_assert_not_null(h, "%s (%s)", strerror(errno), told.first);
	cr_assert_str_eq(rr_host_name(h), "h7 (127.0.0.7:2207)");
	rr_host_free(h);
	free_loop(loop);
	rm_dir(dir);
}

/* rr_host_from_config(cfg with text, alias): NULL with errno e and the
   warning want, after the file's path when of_file. */
static void refused(const char *text, const char *alias, int e, bool of_file,
		    const char *want)
{
	char dir[64], cfg[PATH_MAX], expect[PATH_MAX + 256];
	struct told told = { 0 };
	rr_loop *loop = loop_new(&(struct rr_loop_opts){ .on_warning = note,
							 .user = &told });

	make_dir(dir, sizeof dir);
	if (text)
		file_at(dir, "cfg", text, cfg, sizeof cfg);
	else
		snprintf(cfg, sizeof cfg, "%s/nothere", dir);
	snprintf(expect, sizeof expect, "%s%s", of_file ? cfg : "", want);
	errno = 0;
	cr_assert_null(rr_host_from_config(loop, alias, cfg, NULL), "%s", alias);
	cr_assert_eq(errno, e, "%s: errno %s", alias, strerror(errno));
	cr_assert_eq(told.n, 1, "one warning: %u", told.n);
	cr_assert_str_eq(told.first, expect);
	free_loop(loop);
	rm_dir(dir);
}

Test(ssh_fromconfig, bad_line_is_einval_and_told)
{
	refused("Host web\n  Port web\n", "web", EINVAL, true,
		": line 2: Port: not a number");
	refused("Host web\n  User \"deploy\n", "other", EINVAL, true,
		": line 2: User: unterminated quote");
}

Test(ssh_fromconfig, missing_file_is_enoent_and_told)
{
	refused(NULL, "web", ENOENT, true, ": No such file or directory");
}

/* Nothing from a configuration becomes an option of anything. */
Test(ssh_fromconfig, refused_names_are_einval_and_told)
{
	refused("Host web\n  User -oProxyCommand=x\n", "web", EINVAL, false,
		"host web: User -oProxyCommand=x: a user name cannot begin with '-'");
	refused("Host web\n  HostName -oProxyCommand=x\n", "web", EINVAL, false,
		"host web: HostName -oproxycommand=x: a host name cannot begin with '-'");
	refused("Host web\n  HostName a;b\n", "web", EINVAL, false,
		"host web: HostName a;b: cannot be in a host name");
	refused("Host web\n  HostName root@10.0.0.1\n", "web", EINVAL, false,
		"host web: HostName root@10.0.0.1: a host name cannot hold a user or a port");
	refused("", "-oProxyCommand=x", EINVAL, false,
		"host -oProxyCommand=x: a host name cannot begin with '-'");
}

Test(ssh_fromconfig, proxies_are_enotsup_and_told)
{
	refused("Host j1\n  ProxyJump bastion\n", "j1", ENOTSUP, false,
		"host j1: ProxyJump: not supported by ringrun's client");
	refused("Host j2\n  ProxyCommand nc %h %p\n", "j2", ENOTSUP, false,
		"host j2: ProxyCommand: not supported by ringrun's client");
}

/* A Match block applies; a CanonicalizeHostname not followed is told; the
   host is made. */
Test(ssh_fromconfig, match_applies_canonicalize_told)
{
	char dir[64], cfg[PATH_MAX], want[PATH_MAX + 128];
	struct told told = { 0 };
	rr_loop *loop = loop_new(&(struct rr_loop_opts){ .on_warning = note,
							 .user = &told });
	const char *none[] = { NULL };

	make_dir(dir, sizeof dir);
	file_at(dir, "cfg", "Match host web\n  Port 2201\nHost web\n  Port 7\n"
		"CanonicalizeHostname yes\n", cfg, sizeof cfg);
	rr_host *h = rr_host_from_config(loop, "web", cfg, &(struct rr_host_opts){
		.identities = none, .no_agent = true });
	cr_assert_not_null(h, "%s", strerror(errno));
	cr_assert_str_eq(rr_host_name(h), "web:2201");
	snprintf(want, sizeof want, "%s: line 5: CanonicalizeHostname yes: not followed "
		 "(ringrun does not canonicalize host names)", cfg);
	cr_assert_eq(told.n, 1);
	cr_assert_str_eq(told.first, want);
	rr_host_free(h);
	free_loop(loop);
	rm_dir(dir);
}
