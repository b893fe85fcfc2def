/*
 * lib/ssh/config.c, the ssh_config reader inside the library: the file grammar, Host patterns and negation, the first
 * value obtained winning, Include (relative, globs, nesting, blocks), Match
 * skipped, %-tokens and ~, and the errors with their file and line.
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

static void resolve(const char *alias)
{
	rr__sshcfg_resolve(&cfg, alias, &h);
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
	cr_assert_str_eq(h.known_hosts, "/kh one");
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
	cr_assert_null(h.proxy_command, "the first of ProxyJump and ProxyCommand wins");
	resolve("b");
	cr_assert_not(h.identities_only);
	cr_assert(h.set & 1u << RR_SSHCFG_IDENTITIES_ONLY);
	cr_assert_eq(h.hostkey, RR_HOSTKEY_STRICT);
	cr_assert_str_eq(h.proxy_command, "ssh -W %h:%p gw  # kept whole");
	cr_assert_null(h.proxy_jump);
	resolve("c");
	cr_assert_eq(h.hostkey, RR_HOSTKEY_OFF);
	cr_assert_null(h.proxy_jump, "none");
	cr_assert_null(h.proxy_command, "none took the place");
	resolve("d");
	cr_assert_eq(h.hostkey, RR_HOSTKEY_STRICT);
	cr_assert(h.set & 1u << RR_SSHCFG_PROXY);
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

Test(ssh_config, match_blocks_are_skipped)
{
	parse("Host a\n  User one\n"
	      "Match host a\n  Port 7\n  User two\n"
	      "Host a\n  Port 8\n");
	resolve("a");
	cr_assert_str_eq(h.user, "one");
	cr_assert_eq(h.port, 8);
	cr_assert_str_eq(cfg.match_note, "cfg: line 3");
}

Test(ssh_config, match_without_what_ringrun_uses_is_not_noted)
{
	parse("Match all\n  ForwardAgent yes\n  SendEnv LANG\nHost a\n  Port 8\n");
	cr_assert_null(cfg.match_note);
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
	parse_fails("IdentityFile ~/.ssh/%x\n", "cfg: line 1: IdentityFile: unknown token %x");
	parse_fails("HostName %r.example\n", "cfg: line 1: HostName: unknown token %r");
	parse_fails("UserKnownHostsFile kh%\n", "cfg: line 1: UserKnownHostsFile: '%' at the end");
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

Test(ssh_config, tokens_and_tilde)
{
	const struct rr_sshcfg_tokens t = {
		.home = "/home/me", .local_user = "me", .hostname = "10.0.0.7",
		.alias = "web", .user = "deploy", .port = 2222,
	};
	char *s = rr__sshcfg_expand("~/.ssh/%h-%r@%n:%p by %u in %d 100%%", &t);

	cr_assert_str_eq(s, "/home/me/.ssh/10.0.0.7-deploy@web:2222 by me in /home/me 100%");
	free(s);
	s = rr__sshcfg_expand("~", &t);
	cr_assert_str_eq(s, "/home/me");
	free(s);
	s = rr__sshcfg_expand("~other/x", &t);
	cr_assert_str_eq(s, "~other/x", "only ~ and ~/ are the home directory");
	free(s);
	s = rr__sshcfg_expand("", &t);
	cr_assert_str_eq(s, "");
	free(s);
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
	      "Match all\n  Include inc\n");
	resolve("a");
	cr_assert_str_eq(h.user, "included");
	cr_assert_eq(h.port, 6, "the including block is back after the file");
	resolve("other");
	cr_assert_null(h.user);
	cr_assert_eq(h.port, 0, "a block that is off keeps the whole file off");
	cr_assert_str_eq(cfg.match_note, "cfg: line 4", "the Match hides what inc sets");
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
	resolve(alias);
	cr_assert_eq(h.port, 0);
}
