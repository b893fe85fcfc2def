/*
 * ringrun -G against ssh -G -F FILE HOST, the system ssh's own reading of
 * the same file (an oracle, not a mock: ssh -G connects to nothing), on
 * every keyword ringrun uses: the cases of the .conf files in tests/data/sshg
 * ("# case: HOST [OPTIONS]" lines) and configurations made by a fixed-seed generator
 * (Host and Match blocks, patterns with * ? ! and case, tokens, repeated
 * keywords, an Include of a second generated file).  A case both refuse
 * (an unknown token for the host resolved) agrees on every keyword.
 *
 * Where ringrun's meaning is ssh's under other words, ssh's is read as
 * ringrun's (and said here, once): StrictHostKeyChecking ask is true
 * (ringrun never asks; ssh in batch mode, as ringrun runs it, refuses
 * alike); ConnectTimeout none is ringrun's default, 10; of
 * UserKnownHostsFile ringrun reads the first file; ssh's default identity
 * files are ringrun's (~/.ssh/id_ed25519, ~/.ssh/id_ecdsa).  batchmode is
 * not compared: ringrun always runs in batch mode and reads no BatchMode.
 *
 * HOME is the password database's, as ssh takes it.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "../common/guard.h"
#include "../common/where.h"

static const char *const keywords[] = {
	"host", "user", "hostname", "port", "identityfile", "identitiesonly",
	"stricthostkeychecking", "serveraliveinterval", "userknownhostsfile",
	"connecttimeout", "proxyjump", "proxycommand",
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

#define SSH_DEFAULT_IDS                                                   \
	"~/.ssh/id_rsa\n~/.ssh/id_ecdsa\n~/.ssh/id_ecdsa_sk\n"            \
	"~/.ssh/id_ed25519\n~/.ssh/id_ed25519_sk\n~/.ssh/id_xmss\n"       \
	"~/.ssh/id_dsa\n"
#define RINGRUN_DEFAULT_IDS "~/.ssh/id_ed25519\n~/.ssh/id_ecdsa\n"

/* What one program printed: each keyword's values, one a line. */
struct reading {
	int status;
	char *values[NKEYWORDS];
	size_t len[NKEYWORDS];
};

/* Agreements per keyword, over every case. */
struct tally {
	size_t agree[NKEYWORDS], total[NKEYWORDS];
	size_t cases, both_refused, told;
};

static void add_value(struct reading *r, size_t k, const char *v, size_t n)
{
	r->values[k] = realloc(r->values[k], r->len[k] + n + 2);
	cr_assert_not_null(r->values[k]);
	memcpy(r->values[k] + r->len[k], v, n);
	r->len[k] += n;
	r->values[k][r->len[k]++] = '\n';
	r->values[k][r->len[k]] = '\0';
}

/* ssh's words read as ringrun's (see the top of the file). */
static void as_ringrun(size_t k, const char **v, size_t *n)
{
	if (!strcmp(keywords[k], "connecttimeout") && *n == 4 && !strncmp(*v, "none", 4)) {
		*v = "10";
		*n = 2;
	} else if (!strcmp(keywords[k], "stricthostkeychecking") && *n == 3 &&
		   !strncmp(*v, "ask", 3)) {
		*v = "true";
		*n = 4;
	} else if (!strcmp(keywords[k], "userknownhostsfile") &&
		   memchr(*v, ' ', *n)) {
		*n = (size_t)((const char *)memchr(*v, ' ', *n) - *v);
	}
}

static void parse_output(const char *out, bool ssh, struct reading *r)
{
	for (const char *line = out; *line;) {
		size_t len = strcspn(line, "\n"), key = strcspn(line, " ");

		for (size_t k = 0; k < NKEYWORDS && key < len; k++) {
			const char *v = line + key + 1;
			size_t n = len - key - 1;

			if (strlen(keywords[k]) != key || strncmp(line, keywords[k], key))
				continue;
			if (ssh)
				as_ringrun(k, &v, &n);
			add_value(r, k, v, n);
		}
		line += len + (line[len] == '\n');
	}
	for (size_t k = 0; ssh && k < NKEYWORDS; k++)
		if (!strcmp(keywords[k], "identityfile") && r->values[k] &&
		    !strcmp(r->values[k], SSH_DEFAULT_IDS)) {
			free(r->values[k]);
			r->values[k] = strdup(RINGRUN_DEFAULT_IDS);
		}
}

static void reading_free(struct reading *r)
{
	for (size_t k = 0; k < NKEYWORDS; k++)
		free(r->values[k]);
}

/* argv[n] = s, bounded. */
static void push(const char **argv, size_t *n, size_t max, const char *s)
{
	cr_assert_lt(*n + 1, max);
	argv[(*n)++] = s;
}

/*
 * spec (ringrun's [user@]host[:port]) and options, to both; ssh takes the
 * port as -p.
 */
static void one_case(const char *cfg, const char *spec, const char *const *opts, size_t nopts,
		     struct tally *t)
{
	const char *ssh[32] = { "ssh", "-G", "-F", cfg }, *rr[32] = { "-F", cfg, "-G", spec };
	size_t ns = 4, nr = 4;
	char host[256];
	const char *colon;
	struct proc_result a, b;
	struct reading sr = { 0 }, rrd = { 0 };

	for (size_t k = 0; k < nopts; k++) {
		push(ssh, &ns, 32, opts[k]);
		push(rr, &nr, 32, opts[k]);
	}
	/* [user@]host:port and [user@][addr]:port: ssh takes -p, no brackets */
	const char *at = strchr(spec, '@'), *name = at ? at + 1 : spec;
	const char *close = *name == '[' ? strchr(name, ']') : NULL;

	colon = close ? (close[1] == ':' ? close + 1 : NULL) :
		strchr(name, ':') == strrchr(name, ':') ? strchr(name, ':') : NULL;
	snprintf(host, sizeof host, "%.*s%.*s", at ? (int)(at + 1 - spec) : 0, spec,
		 (int)(close ? close - name - 1 : colon ? colon - name : (int)strlen(name)),
		 name + (close != NULL));
	if (colon) {
		push(ssh, &ns, 32, "-p");
		push(ssh, &ns, 32, colon + 1);
	}
	push(ssh, &ns, 32, host);
	ssh[ns] = rr[nr] = NULL;
	run_prog(ssh, "", 0, HANG_GUARD_MS, &a);
	run_ringrun(rr, "", 0, false, &b);
	sr.status = a.status;
	rrd.status = b.status;
	parse_output(a.out, true, &sr);
	parse_output(b.out, false, &rrd);
	t->cases++;
	t->both_refused += a.status && b.status;
	cr_expect(!b.status || b.status == 2, "%s %s: ringrun exit %d", cfg, spec, b.status);
	for (size_t k = 0; k < NKEYWORDS; k++) {
		bool same = (a.status && b.status) ||
			    (!a.status && !b.status &&
			     !strcmp(sr.values[k] ? sr.values[k] : "",
				     rrd.values[k] ? rrd.values[k] : ""));

		t->total[k]++;
		t->agree[k] += same;
		if (!same && t->told++ < 20)
			cr_expect(false, "%s %s: %s: ssh -G (exit %d) '%s', ringrun -G (exit %d) "
				  "'%s' %s", cfg, spec, keywords[k], a.status,
				  sr.values[k] ? sr.values[k] : "", b.status,
				  rrd.values[k] ? rrd.values[k] : "", b.err);
	}
	reading_free(&sr);
	reading_free(&rrd);
	proc_result_free(&a);
	proc_result_free(&b);
}

/* Each "# case: HOST [OPTIONS]" line of path. */
static void data_file(const char *path, struct tally *t)
{
	FILE *f = fopen(path, "r");
	char line[512];

	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof line, f)) {
		char *words[16], *save = NULL;
		size_t n = 0;

		if (strncmp(line, "# case:", 7) != 0)
			continue;
		for (char *w = strtok_r(line + 7, " \t\n", &save); w && n < 16;
		     w = strtok_r(NULL, " \t\n", &save))
			words[n++] = w;
		cr_assert_gt(n, 0, "%s: a case without a host", path);
		one_case(path, words[0], (const char *const *)words + 1, n - 1, t);
	}
	fclose(f);
}

/* ------------------------------------------------ generated */

/* xorshift64*: the same configurations on every run. */
static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

static const char *const aliases[] = { "web1", "web2", "Web1", "WEB2", "db1", "db12",
				       "a.lab", "x.lab", "other", "10.0.0.5" };

static void host_line(FILE *f)
{
	static const char *const patterns[] = { "web1", "web2", "web*", "Web1", "WEB*", "db?",
						"db1*", "*.lab", "a.lab", "*", "w?b2", "other",
						"10.0.0.*", "*1" };
	unsigned n = 1 + rnd(3);

	fputs("Host", f);
	for (unsigned k = 0; k < n; k++)
		fprintf(f, " %s%s", k && !rnd(4) ? "!" : "", PICK(patterns));
	fputc('\n', f);
}

static void match_line(FILE *f)
{
	static const char *const lines[] = {
		"Match host web*", "Match host WEB1,db*", "Match host !*.lab,*",
		"Match !host *.lab", "Match originalhost Web1", "Match originalhost *2",
		"Match user root", "Match user bob,alice", "Match !user root",
		"Match localuser root", "Match !localuser root", "Match all",
		"Match exec \"test %h = web1\"", "Match exec \"test %n = Web1\"",
		"Match exec \"test %r = bob -a %p = 2200\"", "Match host db* exec true",
		"Match exec false", "Match !exec false host *1",
		"Match final host *.example", "Match final", "Match canonical",
		"Match canonical all", "Match host node-* final",
		"Match host 10.0.0.5,192.0.2.7",
	};

	fprintf(f, "%s\n", PICK(lines));
}

static void directive(FILE *f, const char *inc, bool *included)
{
	static const char *const lines[] = {
		"HostName %h", "HostName %h.Example", "HostName Node-%h", "HostName 192.0.2.7",
		"User alice", "User Bob", "User root", "Port 2200", "Port 22",
		"Port 2222", "IdentityFile ~/.ssh/id_a", "IdentityFile ~/.ssh/id_%h",
		"IdentityFile %d/.ssh/k-%r", "IdentityFile ~/.ssh/id_a", "IdentityFile /k/%n-%p",
		"IdentitiesOnly yes", "IdentitiesOnly no", "ConnectTimeout 5",
		"ConnectTimeout 1m", "StrictHostKeyChecking yes", "StrictHostKeyChecking no",
		"StrictHostKeyChecking accept-new", "StrictHostKeyChecking ask",
		"StrictHostKeyChecking off", "UserKnownHostsFile ~/.ssh/kh-%h",
		"UserKnownHostsFile /kh/%C %d/kh2",
		"UserKnownHostsFile %d/%k-%n-%p-%r-%u-%l-%L-%i", "UserKnownHostsFile none",
		"ServerAliveInterval 30", "ServerAliveInterval 2m", "ProxyJump none",
		"ProxyJump gw", "ProxyJump bob@gw:2022", "ProxyJump gw1,gw2",
		"ProxyJump 192.0.2.1", "ProxyCommand none", "ProxyCommand nc %h %p",
		"ProxyCommand ssh -W %h:%p gw", "UserKnownHostsFile ${HOME}/kh-%n",
		/* the host that takes one of these fails: the last, rarer */
		"HostName %r", "UserKnownHostsFile /kh/%x",
		"UserKnownHostsFile ${RR_SSHG_UNSET}/kh",
	};
	unsigned pick = rnd(sizeof lines / sizeof lines[0] + 1);

	if (pick == sizeof lines / sizeof lines[0] && inc && !*included) {
		fprintf(f, "  Include %s\n", inc);
		*included = true;
	} else {
		if (pick >= sizeof lines / sizeof lines[0] - 3 && rnd(3))
			pick = rnd(sizeof lines / sizeof lines[0] - 3);
		fprintf(f, "  %s\n", lines[pick % (sizeof lines / sizeof lines[0])]);
	}
}

/* A file of blocks; inc, when given, is Included from one of them. */
static void config_file(const char *path, const char *inc)
{
	FILE *f = fopen(path, "w");
	bool included = false;

	cr_assert_not_null(f, "%s", path);
	for (unsigned d = rnd(2); d; d--) /* before any Host: every host's */
		directive(f, NULL, NULL);
	for (unsigned b = 3 + rnd(5); b; b--) {
		if (rnd(3))
			host_line(f);
		else
			match_line(f);
		for (unsigned d = 1 + rnd(3); d; d--)
			directive(f, inc, &included);
	}
	if (inc && !included)
		fprintf(f, "Host *\n  Include %s\n", inc);
	cr_assert_eq(fclose(f), 0);
}

static void generated(const char *dir, unsigned nconfigs, struct tally *t)
{
	static const char *const with_l[] = { "-l", "bob" }, *const with_p[] = { "-p", "2200" };

	for (unsigned k = 0; k < nconfigs; k++) {
		char cfg[PATH_MAX], inc[PATH_MAX];

		rng_state = 0x9e3779b97f4a7c15ull * (k + 1);
		snprintf(cfg, sizeof cfg, "%s/cfg-%u", dir, k);
		snprintf(inc, sizeof inc, "%s/inc-%u", dir, k);
		config_file(inc, NULL);
		config_file(cfg, inc);
		for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
			one_case(cfg, aliases[a], NULL, 0, t);
		one_case(cfg, PICK(aliases), with_l, 2, t);
		one_case(cfg, PICK(aliases), with_p, 2, t);
		one_case(cfg, "bob@web1:2200", NULL, 0, t);
	}
}

static void report(const struct tally *t, const char *what)
{
	size_t agree = 0, total = 0;

	for (size_t k = 0; k < NKEYWORDS; k++) {
		agree += t->agree[k];
		total += t->total[k];
		if (t->agree[k] != t->total[k])
			fprintf(stderr, "cli_sshg: %s: %s: %zu/%zu\n", what, keywords[k],
				t->agree[k], t->total[k]);
	}
	fprintf(stderr, "cli_sshg: oracle ssh -G (%s): %zu/%zu keyword values agree "
		"over %zu cases (%zu refused by both)\n", what, agree, total, t->cases,
		t->both_refused);
	cr_assert_eq(agree, total, "%s: %zu of %zu disagree", what, total - agree, total);
}

static void own_home(void)
{
	const struct passwd *pw = getpwuid(geteuid());

	cr_assert_not_null(pw);
	setenv("HOME", pw->pw_dir, 1); /* ssh takes it from there */
	setenv("SHELL", "/bin/sh", 1);  /* Match exec's */
}

Test(cli_sshg, data_files_agree, .init = own_home, .timeout = TEST_TIMEOUT)
{
	struct tally t = { 0 };
	glob_t g;

	cr_assert_eq(glob(where_data("sshg/*.conf"), 0, NULL, &g), 0, "%s",
		     where_data("sshg/*.conf"));
	for (size_t k = 0; k < g.gl_pathc; k++)
		data_file(g.gl_pathv[k], &t);
	globfree(&g);
	report(&t, "tests/data/sshg");
}

Test(cli_sshg, generated_configurations_agree, .init = own_home, .timeout = TEST_TIMEOUT)
{
	char dir[] = "/tmp/rr-sshg-XXXXXX", cmd[64];
	struct tally t = { 0 };

	cr_assert_not_null(mkdtemp(dir));
	generated(dir, 30, &t);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	report(&t, "generated");
}
