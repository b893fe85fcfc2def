/*
 * cli/sshhost.c and cli/sshexec.c: the command line over the ssh_config
 * for each host (what rr_host_new() is given), which hosts go through the
 * system ssh and the notice about them, the system ssh's argv, and what an
 * ssh task's result and stderr mean.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "hosts/sshexec.h"
#include "hosts/sshhost.h"

static struct options o;
static struct ssh_host sh;
static char err[512];
static char home[64];
static struct buf notes = BUF_INIT;

static void setup(void)
{
	strcpy(home, "/tmp/rr-sshhost-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	o = (struct options){ .fleet = true, .connect_timeout_ms = 10000,
			      .per_host = PER_HOST_DEFAULT };
}

static void teardown(void)
{
	char cmd[128];

	ssh_host_free(&sh);
	o.identities = NULL; /* the tests' own arrays */
	options_free(&o);
	buf_free(&notes);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(unit_sshhost, .init = setup, .fini = teardown);

static void hosts(const char *list)
{
	cr_assert_eq(hosts_add_list(&o.hosts, list, err, sizeof err), 0, "%s", err);
}

/* The configuration (-F FILE) with this text. */
static void config(const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/cfg", home);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	o.ssh_config = strdup(path);
	cr_assert_eq(ssh_hosts_setup(&o, &notes, err, sizeof err), 0, "%s", err);
	free((char *)o.ssh_config);
	o.ssh_config = NULL;
}

static void init(size_t k)
{
	ssh_host_free(&sh);
	if (!o.sshcfg) /* no -F given: no configuration */
		o.sshcfg = rr_ssh_config_read("/dev/null", err, sizeof err);
	cr_assert_not_null(o.sshcfg);
	ssh_host_init(&sh, &o, &o.hosts.v[k]);
}

/* A file in home that exists. */
static const char *touch(const char *name)
{
	static char path[4][PATH_MAX];
	static int n;
	char *p = path[n++ % 4];
	FILE *f;

	snprintf(p, PATH_MAX, "%s/%s", home, name);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fclose(f);
	return p;
}

Test(unit_sshhost, no_config_is_the_command_line)
{
	const char *ids[] = { "/k1", NULL };

	hosts("web1,deploy@[::1]:2200");
	o.user = "me";
	o.port = 23;
	o.identities = ids;
	o.nidentities = 1;
	o.known_hosts = "/kh";
	o.hostkey = RR_HOSTKEY_ACCEPT_NEW;
	init(0);
	cr_assert_eq(sh.route, ROUTE_NATIVE);
	cr_assert_str_eq(sh.target, "web1");
	cr_assert_str_eq(sh.ho.user, "me");
	cr_assert_eq(sh.ho.port, 23);
	cr_assert_eq(sh.ho.identities, ids);
	cr_assert_str_eq(sh.ho.known_hosts, "/kh");
	cr_assert_eq(sh.ho.hostkey, RR_HOSTKEY_ACCEPT_NEW);
	cr_assert_eq(sh.ho.connect_timeout_ms, 10000);
	cr_assert_eq(sh.ho.channels, RR_HOST_CHANNELS_DEFAULT); /* and the one that stops them */
	cr_assert_eq(sh.ho.keepalive_s, 0);
	init(1);
	cr_assert_str_eq(sh.target, "[::1]");
	cr_assert_str_eq(sh.ho.user, "deploy");
	cr_assert_eq(sh.ho.port, 2200);
}

Test(unit_sshhost, config_fills_what_the_command_line_leaves)
{
	hosts("web,[::1]");
	config("Host web\n  HostName %h.example.com\n  User deploy\n  Port 2222\n"
	       "  IdentitiesOnly yes\n  ConnectTimeout 3\n  StrictHostKeyChecking no\n"
	       "  UserKnownHostsFile ~/kh_%n\n  ServerAliveInterval 20\n"
	       "Host ::1\n  HostName ::2\n");
	init(0);
	cr_assert_eq(sh.route, ROUTE_NATIVE);
	cr_assert_str_eq(sh.target, "web.example.com");
	cr_assert_str_eq(sh.ho.user, "deploy");
	cr_assert_eq(sh.ho.port, 2222);
	cr_assert(sh.ho.no_agent, "IdentitiesOnly yes: no agent");
	cr_assert_eq(sh.ho.connect_timeout_ms, 3000);
	cr_assert_eq(sh.ho.hostkey, RR_HOSTKEY_OFF);
	cr_assert_eq(sh.ho.keepalive_s, 20);
	cr_assert(sh.config_timeout);
	char want[PATH_MAX];
	snprintf(want, sizeof want, "%s/kh_web", home);
	cr_assert_str_eq(sh.ho.known_hosts, want);
	cr_assert_null(sh.ho.identities, "none named: the library's defaults");
	init(1);
	cr_assert_str_eq(sh.target, "[::2]", "an IPv6 alias is matched bare");
	cr_assert_null(notes.data, "nothing to say");
}

Test(unit_sshhost, command_line_wins)
{
	hosts("web,root@web:2");
	o.user = "me";
	o.port = 23;
	o.known_hosts = "/kh";
	o.hostkey = RR_HOSTKEY_STRICT;
	o.hostkey_given = true;
	o.connect_timeout_ms = 500;
	o.connect_timeout_given = true;
	config("Host web\n  User deploy\n  Port 2222\n  ConnectTimeout 3\n"
	       "  StrictHostKeyChecking no\n  UserKnownHostsFile /cfg_kh\n");
	init(0);
	cr_assert_str_eq(sh.ho.user, "me");
	cr_assert_eq(sh.ho.port, 23);
	cr_assert_str_eq(sh.ho.known_hosts, "/kh");
	cr_assert_eq(sh.ho.hostkey, RR_HOSTKEY_STRICT);
	cr_assert_eq(sh.ho.connect_timeout_ms, 500);
	init(1);
	cr_assert_str_eq(sh.ho.user, "root");
	cr_assert_eq(sh.ho.port, 2);
}

Test(unit_sshhost, identities_command_line_first_and_tokens)
{
	const char *ids[] = { "/given", NULL };
	char text[1024], want[PATH_MAX];

	hosts("web:2200");
	o.identities = ids;
	o.nidentities = 1;
	o.user = "deploy";
	touch("id_web_deploy_2200");
	touch("plain");
	snprintf(text, sizeof text, "Host web\n  IdentityFile %%d/id_%%h_%%r_%%p\n"
		 "  IdentityFile ~/missing\n  IdentityFile ~/plain\n");
	config(text);
	init(0);
	cr_assert_str_eq(sh.ho.identities[0], "/given");
	snprintf(want, sizeof want, "%s/id_web_deploy_2200", home);
	cr_assert_str_eq(sh.ho.identities[1], want);
	snprintf(want, sizeof want, "%s/plain", home);
	cr_assert_str_eq(sh.ho.identities[2], want, "one that is not there is passed over");
	cr_assert_null(sh.ho.identities[3]);
}

Test(unit_sshhost, named_identities_none_there_means_none)
{
	hosts("web");
	config("IdentityFile ~/missing\n");
	init(0);
	cr_assert_not_null(sh.ho.identities, "not the library's defaults, as ssh");
	cr_assert_null(sh.ho.identities[0]);
}

Test(unit_sshhost, known_hosts_none)
{
	hosts("web");
	config("UserKnownHostsFile none\n");
	init(0);
	cr_assert_str_eq(sh.ho.known_hosts, "/dev/null");
}

Test(unit_sshhost, proxies_go_through_the_system_ssh_with_one_notice)
{
	hosts("web1,web2,web3,db1,other,web4");
	config("Host web[0-9] web?\n  ProxyJump bastion\n"
	       "Host db*\n  ProxyCommand nc %h %p\n"
	       "Host web4\n  ProxyJump none\n");
	cr_assert_str_eq(notes.data,
			 "ringrun: web[1-4]: ProxyJump: run through the system ssh\n"
			 "ringrun: db1: ProxyCommand: run through the system ssh\n");
	init(0);
	cr_assert_eq(sh.route, ROUTE_PROXY_JUMP);
	cr_assert_null(sh.target);
	init(3);
	cr_assert_eq(sh.route, ROUTE_PROXY_COMMAND);
	init(4);
	cr_assert_eq(sh.route, ROUTE_NATIVE);
}

Test(unit_sshhost, proxies_refuse_passwords)
{
	char path[PATH_MAX];
	FILE *f;

	hosts("a,b");
	o.password_env = "PW";
	snprintf(path, sizeof path, "%s/cfg", home);
	f = fopen(path, "w");
	fputs("Host b\n  ProxyCommand nc %h %p\n", f);
	fclose(f);
	o.ssh_config = path;
	cr_assert_eq(ssh_hosts_setup(&o, &notes, err, sizeof err), -1);
	cr_assert_str_eq(err, "b: ProxyCommand: needs the system ssh, which cannot take "
			      "--password-env");
	o.ssh_config = NULL;
}

Test(unit_sshhost, exec_mode_every_host_and_no_notice)
{
	hosts("a,b");
	o.ssh_exec = true;
	config("Host b\n  ProxyCommand nc %h %p\nMatch all\n  User x\n");
	cr_assert_null(notes.data, "ssh reads its configuration itself");
	init(0);
	cr_assert_eq(sh.route, ROUTE_EXEC);
	cr_assert_not(sh.config_timeout);
}

Test(unit_sshhost, match_block_applies)
{
	hosts("a");
	config("Host a\n  Port 2\nMatch host a\n  Port 3\n  User x\n");
	cr_assert_null(notes.data, "nothing to tell");
	init(0);
	cr_assert_str_eq(sh.ho.user, "x");
	cr_assert_eq(sh.ho.port, 2);
}

Test(unit_sshhost, canonicalize_note)
{
	hosts("a");
	config("Host a\n  Port 2\nCanonicalizeHostname yes\n");
	cr_assert(strstr(notes.data, "/cfg: line 3: CanonicalizeHostname yes: not followed "
				     "(ringrun does not canonicalize host names)\n"), "%s",
		  notes.data);
}

Test(unit_sshhost, bad_config_names_f)
{
	hosts("a");
	o.ssh_config = "/nonexistent/rr-cfg";
	cr_assert_eq(ssh_hosts_setup(&o, &notes, err, sizeof err), -1);
	cr_assert_str_eq(err, "-F: /nonexistent/rr-cfg: No such file or directory");
	o.ssh_config = NULL;
}

/* ------------------------------------------------ the system ssh */

static char *joined(const char *const *argv)
{
	struct buf b = BUF_INIT;

	for (size_t k = 0; argv[k]; k++)
		buf_printf(&b, "%s%s", k ? "|" : "", argv[k]);
	return buf_detach(&b);
}

Test(unit_sshhost, exec_argv_minimal)
{
	hosts("web");
	struct sshexec *x = sshexec_new(&o, &o.hosts.v[0], false, "web:22");
	char *s = joined(sshexec_argv(x, "uptime; df"));

	cr_assert_str_eq(s, "ssh|-T|-o|BatchMode=yes|-o|ConnectTimeout=10|--|web|uptime; df");
	free(s);
	sshexec_free(x);
}

Test(unit_sshhost, exec_argv_everything)
{
	const char *ids[] = { "/k1", "/k 2", NULL };

	hosts("root@[::1]:2200,web");
	o.ssh_config = "/cfg";
	o.user = "me";
	o.port = 23;
	o.identities = ids;
	o.nidentities = 2;
	o.no_agent = true;
	o.hostkey = RR_HOSTKEY_ACCEPT_NEW;
	o.hostkey_given = true;
	o.known_hosts = "/my \"kh\"";
	o.connect_timeout_ms = 1500;
	o.connect_timeout_given = true;
	struct sshexec *x = sshexec_new(&o, &o.hosts.v[0], true, "web:22");
	char *s = joined(sshexec_argv(x, "id"));

	cr_assert_str_eq(s, "ssh|-T|-o|BatchMode=yes|-F|/cfg|-l|root|-p|2200|-i|/k1|-i|/k 2|"
			    "-o|IdentityAgent=none|-o|StrictHostKeyChecking=accept-new|"
			    "-o|UserKnownHostsFile=\"/my \\\"kh\\\"\"|-o|ConnectTimeout=2|--|::1|id");
	free(s);
	sshexec_free(x);
	x = sshexec_new(&o, &o.hosts.v[1], true, "web:22");
	s = joined(sshexec_argv(x, "id"));
	cr_assert(strstr(s, "|-l|me|-p|23|"), "%s", s);
	free(s);
	sshexec_free(x);
}

Test(unit_sshhost, exec_argv_leaves_the_timeout_to_the_config)
{
	hosts("web");
	struct sshexec *x = sshexec_new(&o, &o.hosts.v[0], true, "web:22");
	char *s = joined(sshexec_argv(x, "id"));

	cr_assert_str_eq(s, "ssh|-T|-o|BatchMode=yes|--|web|id");
	free(s);
	sshexec_free(x);
}

Test(unit_sshhost, ssh_task_holds_the_last_stderr_line)
{
	struct ssh_task *t = ssh_task_new();
	const struct buf *b;

	cr_assert_null(ssh_task_hold(t, "one", 3));
	b = ssh_task_hold(t, "two", 3);
	cr_assert_str_eq(b->data, "one");
	b = ssh_task_hold(t, "", 0);
	cr_assert_str_eq(b->data, "two");
	const struct rr_result ok = { .status = RR_OK, .start_ns = 5, .message = "" };
	const struct rr_result *r = ssh_task_end(t, &ok, "web");
	cr_assert_eq(r->status, RR_OK);
	cr_assert_str_eq(r->message, "");
	b = ssh_task_held(t);
	cr_assert_not_null(b, "an empty last line is a line");
	cr_assert_eq(b->len, 0);
	ssh_task_free(t);
}

Test(unit_sshhost, ssh_task_exit_255_is_unreachable)
{
	struct ssh_task *t = ssh_task_new();
	const struct rr_result failed = {
		.status = RR_EXIT_NONZERO, .exit_code = 255, .start_ns = 5, .end_ns = 9,
		.err = { .data = "x\n", .len = 2, .total = 2 }, .message = "'true' exited",
	};

	ssh_task_hold(t, "Warning: something", 18);
	ssh_task_hold(t, "ssh: connect to host h port 1: Connection refused\r", 50);
	const struct rr_result *r = ssh_task_end(t, &failed, "web7");
	cr_assert_eq(r->status, RR_CONNECT_FAILED);
	cr_assert_eq(r->start_ns, 0);
	cr_assert_eq(r->err.len, 0);
	cr_assert_str_eq(r->message, "host web7: connection refused");
	cr_assert_null(ssh_task_held(t), "it is the failure line");
	ssh_task_free(t);

	t = ssh_task_new();
	r = ssh_task_end(t, &failed, "web7");
	cr_assert_str_eq(r->message, "host web7: ssh exited with status 255");
	ssh_task_free(t);
}

Test(unit_sshhost, ssh_task_other_failures_name_the_host)
{
	struct ssh_task *t = ssh_task_new();
	const struct rr_result failed = {
		.status = RR_EXIT_NONZERO, .exit_code = 3, .start_ns = 5,
		.message = "'false' exited with status 3",
	};
	const struct rr_result *r = ssh_task_end(t, &failed, "web7");

	cr_assert_eq(r->status, RR_EXIT_NONZERO);
	cr_assert_eq(r->exit_code, 3);
	cr_assert_eq(r->start_ns, 5);
	cr_assert_str_eq(r->message, "host web7: 'false' exited with status 3");
	ssh_task_free(t);
}
