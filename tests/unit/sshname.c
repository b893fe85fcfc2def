/*
 * cli/hosts/sshhost.c and sshexec.c: how failure lines name a host - as
 * written, then HostName and port, in rr_host_name()'s words - whichever
 * route reaches it, and the system ssh's reasons in the library's words.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "hosts/sshexec.h"
#include "hosts/sshhost.h"

static struct options o;
static struct ssh_host sh;
static char home[64];

static void setup(void)
{
	strcpy(home, "/tmp/rr-sshname-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	o = (struct options){ .fleet = true, .connect_timeout_ms = 10000,
			      .per_host = RR_HOST_CHANNELS_DEFAULT };
}

static void teardown(void)
{
	char cmd[128];

	ssh_host_free(&sh);
	options_free(&o);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(unit_sshname, .init = setup, .fini = teardown);

/* Hosts list, configuration text (-F), then host k set up. */
static void host(const char *list, const char *cfg, size_t k)
{
	char err[512], path[PATH_MAX];
	struct buf notes = BUF_INIT;
	FILE *f;

	if (!o.hosts.n)
		cr_assert_eq(hosts_add_list(&o.hosts, list, err, sizeof err), 0, "%s", err);
	if (cfg && !o.sshcfg) {
		snprintf(path, sizeof path, "%s/cfg", home);
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(cfg, f);
		fclose(f);
		o.ssh_config = path;
		cr_assert_eq(ssh_hosts_setup(&o, &notes, err, sizeof err), 0, "%s", err);
		o.ssh_config = NULL;
	}
	buf_free(&notes);
	ssh_host_free(&sh);
	if (!o.sshcfg) /* no -F given: no configuration */
		o.sshcfg = rr_ssh_config_read("/dev/null", err, sizeof err);
	cr_assert_not_null(o.sshcfg);
	ssh_host_init(&sh, &o, &o.hosts.v[k]);
}

Test(unit_sshname, plain_hosts_are_host_and_port)
{
	host("web7,root@web8:2222,[::1]", NULL, 0);
	cr_assert_str_eq(sh.name, "web7:22");
	cr_assert_null(sh.ho.alias, "no alias: the library names it the same");
	host(NULL, NULL, 1);
	cr_assert_str_eq(sh.name, "web8:2222", "the user is not the host's name");
	host(NULL, NULL, 2);
	cr_assert_str_eq(sh.name, "[::1]:22");
}

/* An ssh_config alias: as written, then where it leads. */
Test(unit_sshname, an_alias_names_its_hostname)
{
	host("h7,h8,[::2]", "Host h7\n  HostName 127.0.1.200\n  Port 50973\n"
			    "Host h8\n  HostName h8\n"
			    "Host ::2\n  HostName ::3\n", 0);
	cr_assert_str_eq(sh.name, "h7 (127.0.1.200:50973)");
	cr_assert_str_eq(sh.target, "127.0.1.200");
	cr_assert_str_eq(sh.ho.alias, "h7");
	host(NULL, NULL, 1);
	cr_assert_str_eq(sh.name, "h8:22", "a HostName that is the alias");
	host(NULL, NULL, 2);
	cr_assert_str_eq(sh.name, "::2 ([::3]:22)");
}

/* The system ssh's hosts are named the same way. */
Test(unit_sshname, exec_hosts_named_alike)
{
	o.ssh_exec = true;
	host("h7,web", "Host h7\n  HostName 10.0.0.7\n  Port 2200\n", 0);
	cr_assert_eq(sh.route, ROUTE_EXEC);
	cr_assert_str_eq(sh.name, "h7 (10.0.0.7:2200)");
	host(NULL, NULL, 1);
	cr_assert_str_eq(sh.name, "web:22");
}

/* ssh's last line before its exit 255, as the failure line has it. */
static void expect_reason(const char *line, const char *want)
{
	struct ssh_task *t = ssh_task_new();
	const struct rr_result failed = {
		.status = RR_EXIT_NONZERO, .exit_code = 255, .start_ns = 1,
		.message = "",
	};
	const struct rr_result *r;

	ssh_task_hold(t, line, strlen(line));
	r = ssh_task_end(t, &failed, "h7 (10.0.0.7:22)");
	cr_assert_eq(r->status, RR_CONNECT_FAILED);
	cr_assert_str_eq(r->message, want);
	ssh_task_free(t);
}

Test(unit_sshname, ssh_reasons_in_the_library_words)
{
	expect_reason("ssh: connect to host 10.0.0.7 port 22: Connection refused\r",
		      "host h7 (10.0.0.7:22): connection refused");
	expect_reason("ssh: connect to host ::1 port 22: Network is unreachable",
		      "host h7 (10.0.0.7:22): network is unreachable");
	expect_reason("ssh: Could not resolve hostname h7: Name or service not known",
		      "host h7 (10.0.0.7:22): name not found: Name or service not known");
	expect_reason("Permission denied (publickey).",
		      "host h7 (10.0.0.7:22): Permission denied (publickey).");
	/* No cause after the colon: the line as ssh wrote it (its spaces
	   and CR trimmed). */
	expect_reason("ssh: connect to host x port 1: ",
		      "host h7 (10.0.0.7:22): connect to host x port 1:");
}
