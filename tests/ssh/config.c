/*
 * lib/ssh/config.c, the ssh_config reader inside the library: the file
 * grammar, Host patterns and negation, the first value obtained winning,
 * Include (relative, globs, nesting, blocks), Match blocks, %-tokens, ~
 * and ${VAR}, and the errors with their file and line.  tests/cli/sshg.c
 * compares all of it with ssh -G.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ringrun.h>

#include "ssh/config.h"
#include "util.h"

static struct rr_sshcfg cfg;
static struct rr_sshcfg_host h;
static char err[512];
static char dir[64]; /* a home directory of the test's own */

static void setup(void)
{
	rr__sshcfg_init(&cfg);
	strcpy(dir, "/tmp/rr-sshcfg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	setenv("HOME", dir, 1);
}

static void teardown(void)
{
	char cmd[128];

	rr__sshcfg_free(&cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ssh_config, .init = setup, .fini = teardown);

static void parse(const char *text)
{
	cr_assert_eq(rr__sshcfg_parse(&cfg, "cfg", text, strlen(text), RR_SSHCFG_USER_FILE,
				  err, sizeof err), 0, "%s", err);
}

static void parse_fails(const char *text, const char *want)
{
	cr_assert_lt(rr__sshcfg_parse(&cfg, "cfg", text, strlen(text), RR_SSHCFG_USER_FILE,
				  err, sizeof err), 0, "no error for %s", text);
	cr_assert_str_eq(err, want);
}

static int resolve_as(const char *alias, const char *user)
{
	const struct rr_sshcfg_query q = {
		.alias = alias, .user = user, .local_user = "me", .home = dir,
	};

	return rr__sshcfg_resolve(&cfg, &q, &h, err, sizeof err);
}

static void resolve(const char *alias)
{
	cr_assert_eq(resolve_as(alias, NULL), 0, "%s: %s", alias, err);
}

/* dir/name holds text. */
static void file_in(const char *in, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", in, name);
	write_file(path, text, strlen(text));
}

static void make_dir(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(mkdir(path, 0700), 0, "%s", path);
}

Test(ssh_config, keywords_any_case_equals_and_quotes)
{
	parse("# a comment\n"
	      "\n"
	      "Host web\n"
	      "  hostname=10.0.0.7\n"
	      "\tUSER = \"deploy\"\n"
	      "  Port\t2222   # trailing comment\n"
	      "  IdentityFile \"/keys/my key\"\r\n"
	      "  UserKnownHostsFile '/kh one' /kh2\n"
	      "  SomethingElse whatever \"unbalanced\n");
	resolve("web");
	cr_assert_str_eq(h.hostname, "10.0.0.7");
	cr_assert_str_eq(h.user, "deploy");
	cr_assert_eq(h.port, 2222);
	cr_assert_eq(h.nidentities, 1);
	cr_assert_str_eq(h.identities[0], "/keys/my key");
	cr_assert_eq(h.nknown_hosts, 2);
	cr_assert_str_eq(h.known_hosts[0], "/kh one");
	cr_assert_str_eq(h.known_hosts[1], "/kh2");
}

Test(ssh_config, escapes_in_values)
{
	parse("Host a\n  User a\\ b\n  HostName \"x\\\"y\"\n  IdentityFile 'q\\\\r'\n");
	resolve("a");
	cr_assert_str_eq(h.user, "a b");
	cr_assert_str_eq(h.hostname, "x\"y");
	cr_assert_str_eq(h.identities[0], "q\\r");
}

Test(ssh_config, patterns_wildcards_and_lists)
{
	parse("Host db? *.lab web1 web2\n  User one\n"
	      "Host *\n  User fallback\n  Port 2200\n");
	resolve("db1");
	cr_assert_str_eq(h.user, "one");
	cr_assert_eq(h.port, 2200, "a later Host * adds what is not set");
	resolve("DB7");
	cr_assert_str_eq(h.user, "fallback", "patterns are case-sensitive, as ssh's");
	resolve("db10");
	cr_assert_str_eq(h.user, "fallback", "? is one character");
	resolve("x.y.lab");
	cr_assert_str_eq(h.user, "one");
	resolve("web2");
	cr_assert_str_eq(h.user, "one");
	resolve("web3");
	cr_assert_str_eq(h.user, "fallback");
}

Test(ssh_config, negation_wins)
{
	parse("Host web* !web-test*\n  User prod\n"
	      "Host !bastion\n  Port 2\n");
	resolve("web-1");
	cr_assert_str_eq(h.user, "prod");
	resolve("web-test-3");
	cr_assert_null(h.user, "a negated pattern that matches excludes the host");
	cr_assert_eq(h.port, 0, "a Host line of negations alone never matches");
}

Test(ssh_config, first_value_wins_identities_accumulate)
{
	parse("Port 1\n"
	      "Host a\n  Port 2\n  User first\n  IdentityFile k1\n"
	      "Host a b\n  User second\n  IdentityFile k2\n  IdentityFile k3\n"
	      "Host *\n  IdentityFile k4\n");
	resolve("a");
	cr_assert_eq(h.port, 1, "a directive before any Host is for every host");
	cr_assert_str_eq(h.user, "first");
	cr_assert_eq(h.nidentities, 4);
	cr_assert_str_eq(h.identities[0], "k1");
	cr_assert_str_eq(h.identities[3], "k4");
	resolve("b");
	cr_assert_str_eq(h.user, "second");
	cr_assert_eq(h.nidentities, 3);
}

Test(ssh_config, values_of_each_keyword)
{
	parse("Host a\n  IdentitiesOnly yes\n  ConnectTimeout 1m30s\n"
	      "  StrictHostKeyChecking accept-new\n  ServerAliveInterval 15\n"
	      "  ProxyJump bastion\n  ProxyCommand nc %h %p\n"
	      "Host b\n  IdentitiesOnly no\n  StrictHostKeyChecking ask\n"
	      "  ProxyCommand  ssh -W %h:%p gw  # kept whole\n  ProxyJump x\n"
	      "Host c\n  StrictHostKeyChecking off\n  ProxyJump none\n  ProxyCommand nc\n"
	      "Host d\n  StrictHostKeyChecking yes\n  ProxyCommand=none\n");
	resolve("a");
	cr_assert(h.identities_only);
	cr_assert_eq(h.connect_timeout_s, 90);
	cr_assert_eq(h.hostkey, RR_HOSTKEY_ACCEPT_NEW);
	cr_assert_eq(h.alive_interval_s, 15);
	cr_assert_str_eq(h.proxy_jump, "bastion");
	cr_assert_null(h.proxy_command, "a ProxyJump sets ProxyCommand none");
	resolve("b");
	cr_assert_not(h.identities_only);
	cr_assert(h.set & 1u << RR_SSHCFG_IDENTITIES_ONLY);
	cr_assert_eq(h.hostkey, RR_HOSTKEY_STRICT);
	cr_assert_str_eq(h.proxy_command, "ssh -W %h:%p gw  # kept whole");
	cr_assert_null(h.proxy_jump);
	resolve("c");
	cr_assert_eq(h.hostkey, RR_HOSTKEY_OFF);
	cr_assert_null(h.proxy_jump, "none");
	cr_assert_str_eq(h.proxy_command, "nc", "ProxyJump none leaves ProxyCommand free");
	resolve("d");
	cr_assert_eq(h.hostkey, RR_HOSTKEY_STRICT);
	cr_assert(h.set & 1u << RR_SSHCFG_PROXY_COMMAND);
	cr_assert_null(h.proxy_command);
	resolve("e");
	cr_assert_eq(h.set, 0);
}

Test(ssh_config, times)
{
	parse("Host a\n ConnectTimeout 2h\nHost b\n ConnectTimeout 1w\n"
	      "Host c\n ServerAliveInterval 10S\n");
	resolve("a");
	cr_assert_eq(h.connect_timeout_s, 7200);
	resolve("b");
	cr_assert_eq(h.connect_timeout_s, 604800);
	resolve("c");
	cr_assert_eq(h.alive_interval_s, 10);
}

Test(ssh_config, match_criteria)
{
	parse("Match host 10.0.0.7 user deploy\n  Port 1\n"
	      "Host web\n  HostName 10.0.0.7\n"
	      "Match host 10.0.0.7 user deploy\n  Port 2\n"
	      "Match originalhost WEB\n  ServerAliveInterval 5\n"
	      "Match localuser m?,nobody !user root\n  ConnectTimeout 9\n"
	      "Match user deploy,!root\n  IdentitiesOnly yes\n"
	      "Match !host *.lab\n  IdentityFile k1\n"
	      "Match canonical\n  User never\n"
	      "Match all\n  User deploy\n");
	resolve("web");
	cr_assert_eq(h.port, 0, "the user is not deploy yet");
	cr_assert_eq(h.alive_interval_s, 5, "originalhost: any case");
	cr_assert_eq(h.connect_timeout_s, 9);
	cr_assert_not(h.identities_only);
	cr_assert_str_eq(h.identities[0], "k1");
	cr_assert_str_eq(h.user, "deploy", "canonical holds only in a final pass");
	cr_assert_eq(resolve_as("web", "deploy"), 0, "%s", err);
	cr_assert_eq(h.port, 2, "HostName is the host of the Match after it");
	cr_assert(h.identities_only);
	resolve("a.lab");
	cr_assert_eq(h.nidentities, 0);
}

/* A Match final asks for a second reading, with the name found. */
Test(ssh_config, match_final_reads_again)
{
	parse("Host Web\n  HostName WEB.Example\n"
	      "Match final host web.example\n  User final\n"
	      "Host web.example\n  Port 7\n"
	      "Match canonical\n  IdentityFile k2\n");
	resolve("Web");
	cr_assert_str_eq(h.host, "web.example", "lower case, as ssh connects");
	cr_assert_str_eq(h.user, "final");
	cr_assert_eq(h.port, 7, "Host lines match the name found then");
	cr_assert_str_eq(h.identities[0], "k2");
}

/* Match exec: through $SHELL -c, with the tokens; not run when what comes
   before it does not hold. */
Test(ssh_config, match_exec)
{
	char text[PATH_MAX + 512], marker[PATH_MAX];

	snprintf(marker, sizeof marker, "%s/ran", dir);
	setenv("SHELL", "/bin/sh", 1);
	snprintf(text, sizeof text,
		 "Match exec \"test %%n = web -a %%h = 10.0.0.1 -a %%r = me\"\n  Port 1\n"
		 "Host web\n  HostName 10.0.0.1\n"
		 "Match host nothing exec \"touch %s\"\n  Port 2\n"
		 "Match exec \"test %%h = 10.0.0.1 -a %%p = 22\"\n  Port 3\n"
		 "Match !exec false\n  User x\n", marker);
	parse(text);
	resolve("web");
	cr_assert_eq(h.port, 3);
	cr_assert_str_eq(h.user, "x");
	cr_assert_neq(access(marker, F_OK), 0, "an exec after a criterion that fails never runs");
	rr__sshcfg_free(&cfg);
	parse("Match exec \"kill -9 $$\"\n  Port 1\n");
	cr_assert_eq(resolve_as("web", NULL), -EINTR);
	cr_assert_str_eq(err, "cfg: line 1: Match: exec 'kill -9 $$': killed by a signal");
}

Test(ssh_config, match_errors)
{
	parse_fails("Match\n", "cfg: line 1: Match: one or more attributes required");
	parse_fails("Match host\n", "cfg: line 1: Match: host: missing argument");
	parse_fails("Match tagged x\n", "cfg: line 1: Match: unsupported attribute tagged");
	parse_fails("Match all host x\n",
		    "cfg: line 1: Match: 'all' cannot be combined with other attributes");
	parse("Match canonical all\n  Port 3\n");
}

/* ProxyJump none leaves ProxyCommand free; ProxyCommand none takes both. */
Test(ssh_config, proxy_jump_and_command)
{
	parse("Host a\n  ProxyJump none\n  ProxyCommand nc %h\n"
	      "Host b\n  ProxyCommand none\n  ProxyJump j\n"
	      "Host c\n  ProxyJump j1,j2\n  ProxyCommand nc\n");
	resolve("a");
	cr_assert_null(h.proxy_jump);
	cr_assert_str_eq(h.proxy_command, "nc %h");
	resolve("b");
	cr_assert_null(h.proxy_jump);
	cr_assert_null(h.proxy_command);
	resolve("c");
	cr_assert_str_eq(h.proxy_jump, "j1,j2");
	cr_assert_null(h.proxy_command);
}

Test(ssh_config, identity_files_once)
{
	parse("Host *\n  IdentityFile k1\n  IdentityFile k2\n  IdentityFile k1\n");
	resolve("a");
	cr_assert_eq(h.nidentities, 2);
}

Test(ssh_config, canonicalize_is_noted)
{
	parse("CanonicalizeHostname no\nHost a\n  CanonicalizeHostname always\n");
	cr_assert_str_eq(cfg.note, "cfg: line 3: CanonicalizeHostname always: not followed "
		"(ringrun does not canonicalize host names)");
}

/* The host connected to: lower case, an address as getnameinfo writes it. */
Test(ssh_config, host_names)
{
	parse("Host v6\n  HostName 2001:DB8:0:0::1\nHost v4\n  HostName 010.1\n"
	      "Host bad\n  HostName %r\n");
	resolve("Web.Example");
	cr_assert_str_eq(h.host, "web.example");
	resolve("v6");
	cr_assert_str_eq(h.host, "2001:db8::1");
	resolve("v4");
	cr_assert_str_eq(h.host, "8.0.0.1");
	cr_assert_eq(resolve_as("bad", NULL), -EINVAL);
	cr_assert_str_eq(err, "cfg: line 6: HostName: unknown token %r");
}

Test(ssh_config, every_file_starts_for_every_host)
{
	parse("Host other\n");
	parse("User everyone\n");
	resolve("a");
	cr_assert_str_eq(h.user, "everyone");
}

Test(ssh_config, errors_name_the_file_and_line)
{
	parse_fails("Host a\n\n  Port web\n", "cfg: line 3: Port: not a number");
	parse_fails("Port 0\n", "cfg: line 1: Port: out of range (1 to 65535)");
	parse_fails("Port 65536\n", "cfg: line 1: Port: out of range (1 to 65535)");
	parse_fails("Host\n", "cfg: line 1: Host: missing argument");
	parse_fails("User=\n", "cfg: line 1: User: missing argument");
	parse_fails("User \"\"\n", "cfg: line 1: User: missing argument");
	parse_fails("User a b\n", "cfg: line 1: User: too many arguments");
	parse_fails("User \"a\n", "cfg: line 1: User: unterminated quote");
	parse_fails("IdentitiesOnly maybe\n", "cfg: line 1: IdentitiesOnly: not yes or no");
	parse_fails("ConnectTimeout 5x\n", "cfg: line 1: ConnectTimeout: not a time");
	parse_fails("ConnectTimeout 9999999\n", "cfg: line 1: ConnectTimeout: out of range");
	parse_fails("ServerAliveInterval\n", "cfg: line 1: ServerAliveInterval: missing argument");
	parse_fails("StrictHostKeyChecking sometimes\n",
		    "cfg: line 1: StrictHostKeyChecking: not yes, ask, accept-new, no or off");
	parse_fails("ProxyJump a,,b\n", "cfg: line 1: ProxyJump: not [user@]host[:port],...");
	parse_fails("ProxyCommand\n", "cfg: line 1: ProxyCommand: missing argument");
	parse_fails("Include\n", "cfg: line 1: Include: missing argument");
	const char nul[] = "Host a\nUser x\0y\n";
	cr_assert_eq(rr__sshcfg_parse(&cfg, "cfg", nul, sizeof nul - 1, 0, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "cfg: line 2: contains a NUL byte");
}

Test(ssh_config, errors_in_blocks_that_do_not_match_too)
{
	parse_fails("Host nothing-matches-this\n  Port x\n", "cfg: line 2: Port: not a number");
}

static char *expand(const char *raw, const char *allowed, bool file, int want)
{
	const struct rr_sshcfg_tokens t = {
		.home = "/home/me", .local_user = "me", .hostname = "10.0.0.7",
		.alias = "web", .user = "deploy", .port = 2222, .this_host = "box.lan",
		.uid = 1000,
	};
	char *s = NULL;

	cr_assert_eq(rr__sshcfg_expand(raw, &t, allowed, file, &s, err, sizeof err), want,
		     "%s: %s", raw, err);
	return s;
}

Test(ssh_config, tokens_tilde_and_variables)
{
	char *s = expand("~/.ssh/%h-%r@%n:%p by %u in %d 100%% %i %k %l %L", RR_SSHCFG_TOKENS_FILE,
			 true, 0);

	cr_assert_str_eq(s, "/home/me/.ssh/10.0.0.7-deploy@web:2222 by me in /home/me 100% "
			    "1000 web box.lan box");
	free(s);
	s = expand("%C", RR_SSHCFG_TOKENS_FILE, true, 0); /* sha1("box.lan10.0.0.72222deploy") */
	cr_assert_eq(strlen(s), 40);
	free(s);
	s = expand("~", RR_SSHCFG_TOKENS_FILE, true, 0);
	cr_assert_str_eq(s, "/home/me");
	free(s);
	s = expand("~other/x", RR_SSHCFG_TOKENS_FILE, true, 0);
	cr_assert_str_eq(s, "~other/x", "only ~ and ~/ are the home directory");
	free(s);
	s = expand("~/%h", RR_SSHCFG_TOKENS_HOSTNAME, false, 0);
	cr_assert_str_eq(s, "~/10.0.0.7", "a HostName is no file");
	free(s);
	setenv("RR_SSHCFG_VAR", "val", 1);
	s = expand("${RR_SSHCFG_VAR}/x", RR_SSHCFG_TOKENS_FILE, true, 0);
	cr_assert_str_eq(s, "val/x");
	free(s);
	expand("%r", RR_SSHCFG_TOKENS_HOSTNAME, false, -EINVAL);
	cr_assert_str_eq(err, "unknown token %r");
	expand("kh%", RR_SSHCFG_TOKENS_FILE, true, -EINVAL);
	cr_assert_str_eq(err, "'%' at the end");
	expand("${RR_SSHCFG_UNSET}", RR_SSHCFG_TOKENS_FILE, true, -EINVAL);
	cr_assert_str_eq(err, "${RR_SSHCFG_UNSET} is not set");
	s = expand("", RR_SSHCFG_TOKENS_FILE, true, 0);
	cr_assert_str_eq(s, "");
	free(s);
}

/* A token only fails the host whose value holds it. */
Test(ssh_config, tokens_of_other_hosts_pass)
{
	parse("Host other\n  HostName %x\n  IdentityFile %x\n  UserKnownHostsFile %x\n"
	      "Host a\n  Port 3\n");
	resolve("a");
	cr_assert_eq(h.port, 3);
}

Test(ssh_config, include_relative_to_dot_ssh_with_globs)
{
	char path[PATH_MAX];

	make_dir(".ssh");
	make_dir(".ssh/conf.d");
	file_in(dir, ".ssh/conf.d/20-b.conf", "Host b\n  User bee\n");
	file_in(dir, ".ssh/conf.d/10-a.conf", "Host a\n  User ay\nHost b\n  Port 10\n");
	file_in(dir, ".ssh/conf.d/notes.txt", "Host a\n  User wrong\n");
	file_in(dir, ".ssh/config", "Include conf.d/*.conf nothing-here\nHost *\n  Port 22\n");
	snprintf(path, sizeof path, "%s/.ssh/config", dir);
	cr_assert_eq(rr__sshcfg_read(&cfg, path, "~/.ssh/config", RR_SSHCFG_USER_FILE, true, err,
				 sizeof err), 0, "%s", err);
	resolve("a");
	cr_assert_str_eq(h.user, "ay");
	cr_assert_eq(h.port, 22);
	resolve("b");
	cr_assert_str_eq(h.user, "bee");
	cr_assert_eq(h.port, 10, "files in name order");
}

/* An Include in a Host block: the file's lines apply only to that host, and
   the block goes on after it. */
Test(ssh_config, include_inside_a_block)
{
	make_dir(".ssh");
	file_in(dir, ".ssh/inc", "User included\nHost other\n  Port 5\n");
	parse("Host a\n  Include ~/.ssh/inc\n  Port 6\n"
	      "Match host nothing\n  Include inc\n");
	resolve("a");
	cr_assert_str_eq(h.user, "included");
	cr_assert_eq(h.port, 6, "the including block is back after the file");
	resolve("other");
	cr_assert_null(h.user);
	cr_assert_eq(h.port, 0, "a block that is off keeps the whole file off");
}

Test(ssh_config, include_errors)
{
	char want[PATH_MAX];

	make_dir(".ssh");
	file_in(dir, ".ssh/bad", "\n\nPort none\n");
	file_in(dir, ".ssh/loop", "Include loop\n");
	parse_fails("Include bad\n", "~/.ssh/bad: line 3: Port: not a number");
	parse_fails("Include loop\n", "~/.ssh/loop: line 1: Include: nested more than 16 deep");
	file_in(dir, ".ssh/secret", "Port 1\n");
	snprintf(want, sizeof want, "%s/.ssh/secret", dir);
	chmod(want, 0);
	if (access(want, R_OK) == 0)
		return; /* root reads it anyway */
	parse_fails("Include secret\n", "~/.ssh/secret: Permission denied");
}

/* Six files including six including six ...: 6 + 36 + 216 + ... files. */
Test(ssh_config, include_fan_out_is_bounded)
{
	const char *next[] = { "Include b*\n", "Include c*\n", "Include d*\n", "" };
	char name[32];

	make_dir(".ssh");
	for (int level = 0; level < 4; level++) {
		for (int k = 1; k <= 6; k++) {
			snprintf(name, sizeof name, ".ssh/%c%d", 'a' + level, k);
			file_in(dir, name, next[level]);
		}
	}
	cr_assert_eq(rr__sshcfg_parse(&cfg, "cfg", "Include a*\n", 11, RR_SSHCFG_USER_FILE, err,
				  sizeof err), -EINVAL);
	cr_assert(strstr(err, "Include: more than 256 files in all"), "%s", err);
}

Test(ssh_config, no_include_flag)
{
	make_dir(".ssh");
	file_in(dir, ".ssh/inc", "User included\n");
	cr_assert_eq(rr__sshcfg_parse(&cfg, "cfg", "Include inc\n", 12, RR_SSHCFG_NO_INCLUDE, err,
				  sizeof err), 0);
	resolve("a");
	cr_assert_null(h.user);
}

Test(ssh_config, system_file_includes_from_etc_ssh)
{
	/* Not RR_SSHCFG_USER_FILE: relative to /etc/ssh, never to ~/.ssh. */
	make_dir(".ssh");
	file_in(dir, ".ssh/rr-no-such-include", "User wrong\n");
	cr_assert_eq(rr__sshcfg_parse(&cfg, "sys", "Include rr-no-such-include\n", 27, 0, err,
				  sizeof err), 0, "%s", err);
	resolve("a");
	cr_assert_null(h.user);
}

Test(ssh_config, load_reads_home_config_then_system)
{
	make_dir(".ssh");
	file_in(dir, ".ssh/config", "Host a\n  Port 9\n");
	cr_assert_eq(rr__sshcfg_load(&cfg, NULL, err, sizeof err), 0, "%s", err);
	resolve("a");
	cr_assert_eq(h.port, 9);
}

Test(ssh_config, load_without_home_config)
{
	cr_assert_eq(rr__sshcfg_load(&cfg, NULL, err, sizeof err), 0, "%s", err);
}

Test(ssh_config, load_names_the_home_config)
{
	make_dir(".ssh");
	file_in(dir, ".ssh/config", "Host a\n\n\n\n\n\n\n\n\n\n\n  Port x\n");
	cr_assert_eq(rr__sshcfg_load(&cfg, NULL, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "~/.ssh/config: line 12: Port: not a number");
}

Test(ssh_config, load_given_file_must_exist)
{
	char path[PATH_MAX], want[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/nothere", dir);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	cr_assert_eq(rr__sshcfg_load(&cfg, path, err, sizeof err), -ENOENT);
	cr_assert_str_eq(err, want);
	cr_assert_eq(rr__sshcfg_load(&cfg, dir, err, sizeof err), -EISDIR);
	cr_assert(strstr(err, ": Is a directory"), "%s", err);
}

/* ssh -F /dev/null: no configuration at all; a FIFO must not block. */
Test(ssh_config, load_special_files_as_empty)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(rr__sshcfg_load(&cfg, "/dev/null", err, sizeof err), 0, "%s", err);
	cr_assert_eq(rr__sshcfg_load(&cfg, path, err, sizeof err), 0, "%s", err);
	cr_assert_eq(cfg.n, 2, "two empty files");
	cr_assert_eq(rr__sshcfg_load(&cfg, "none", err, sizeof err), 0, "ssh -F none: no file");
	cr_assert_eq(cfg.n, 2);
}

Test(ssh_config, long_patterns_stay_fast)
{
	char line[4200], alias[2100];

	memset(alias, 'a', sizeof alias - 1);
	alias[sizeof alias - 1] = '\0';
	strcpy(line, "Host ");
	for (int k = 0; k < 2000; k++)
		strcat(line, "*a");
	strcat(line, "b\n  Port 3\n");
	parse(line);
	cr_assert_eq(resolve_as(alias, NULL), -EINVAL, "longer than a host name can be");
	cr_assert_str_eq(err, "a host name longer than 1024 bytes");
	cr_assert_eq(h.port, 0);
}
