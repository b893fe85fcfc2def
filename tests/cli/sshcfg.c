/*
 * ssh_config and the system ssh against a real OpenSSH sshd (sshd.h, on
 * four loopback addresses, stopped by its pid): hosts reached through a
 * configuration alone, the command line over it, ProxyCommand and
 * ProxyJump hosts run through the system ssh with one notice, --ssh=exec
 * for every host, and exit 255 as an unreachable host.
 *
 * HOME is the test's own empty directory, so that this machine's ~/.ssh
 * never matters, and SSH_AUTH_SOCK is unset.  Arguments, files and
 * expected text may hold sshd.h's @TOKENs.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

/* A home of the test's own, for ringrun and the ssh it runs. */
static void own_home(void)
{
	char home[PATH_MAX];

	cli_dir_up("sshcfg");
	snprintf(home, sizeof home, "%s/home", cli.dir);
	cr_assert_eq(mkdir(home, 0700), 0);
	setenv("HOME", home, 1);
	unsetenv("SSH_AUTH_SOCK");
}

static void sshd_up(void)
{
	own_home();
	cli_sshd_up(CLI_NADDR);
}

/*
 * web: the first address; jump: the second; viajump: the third, through
 * jump by ProxyCommand; j1 j2 j3: the fourth, through jump by ProxyJump.
 * Every host logs in as root with the authorized key.
 */
#define FLEET_CFG                                                          \
	"Host web\n  HostName @H1\n"                                       \
	"Host jump\n  HostName @H2\n"                                      \
	"Host viajump\n  HostName @H3\n"                                   \
	"  ProxyCommand /usr/bin/ssh -F @DIR/cfg -W %h:%p jump\n"          \
	"Host j1 j2 j3\n  HostName @H4\n  ProxyJump jump\n"                \
	"Host *\n  User root\n  Port @PORT\n  IdentityFile @KEY\n"         \
	"  UserKnownHostsFile @KH\n  IdentitiesOnly yes\n"

#define ARGS(...) .args = { __VA_ARGS__, NULL }

#define CASE(name, ...)                                                 \
	Test(cli_sshcfg, name, .init = sshd_up, .fini = cli_dir_down,   \
	     .timeout = TEST_TIMEOUT)                                   \
	{                                                               \
		check_case(&(const struct cli_case){ __VA_ARGS__ });    \
	}

/* No sshd: the errors come before any connection. */
#define OFFLINE(name, ...)                                              \
	Test(cli_sshcfg, name, .init = own_home, .fini = cli_dir_down,  \
	     .timeout = TEST_TIMEOUT)                                   \
	{                                                               \
		check_case(&(const struct cli_case){ __VA_ARGS__ });    \
	}

/* ------------------------------------------------ the configuration alone */

CASE(config_file_alone_reaches_the_host, ARGS("-F", "@DIR/cfg", "-k", "-w", "web,web2", "id -un"),
     .write = { { "cfg",
		  "Host web web2\n  HostName @H1\n  User root\n  Port @PORT\n"
		  "  IdentityFile @KEY\n  UserKnownHostsFile @KH\n" } },
     .out = "---- web ----\nroot\n---- web2 ----\nroot\n")
CASE(home_config_read_by_default, ARGS("-w", "web", "echo $SSH_CONNECTION"),
     .write = { { "home/.ssh/config",
		  "Host web\n  HostName @H2\n  User root\n  Port @PORT\n"
		  "  IdentityFile ~/../client_ed25519\n"
		  "  UserKnownHostsFile %d/../known_hosts\n" } },
     .out_has = { "---- web ----\n", " @H2 @PORT\n" })
CASE(f_replaces_the_home_config, ARGS("-F", "@DIR/cfg", "-w", "web", "true"),
     .write = { { "home/.ssh/config",
		  "Host web\n  HostName @H1\n  User root\n  Port @PORT\n"
		  "  IdentityFile @KEY\n  UserKnownHostsFile @KH\n" },
		{ "cfg", "Host web\n  HostName @H1\n  Port 1\n" } },
     .err_exact = "ringrun: host web (@H1:1): connection refused\n", .status = 3)
CASE(first_value_wins, ARGS("-F", "@DIR/cfg", "-w", "web", "id -un"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User root\n  Port @PORT\n"
		  "Host *\n  User nosuchuser-rr\n  Port 1\n  IdentityFile @KEY\n"
		  "  UserKnownHostsFile @KH\n" } },
     .out = "---- web ----\nroot\n")

/* ------------------------------------------------ the command line wins */

CASE(command_line_over_config,
     ARGS("-F", "@DIR/cfg", "-l", "root", "-p", "@PORT", "--known-hosts", "@KH", "-w", "web",
	  "id -un"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User nosuchuser-rr\n  Port 1\n"
		  "  IdentityFile @KEY\n  UserKnownHostsFile @DIR/nothere\n" } },
     .out = "---- web ----\nroot\n")
CASE(host_spec_over_l_and_config, ARGS("-F", "@DIR/cfg", "-l", "nobody", "-w", "root@web:@PORT",
				       "id -un"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User nosuchuser-rr\n  Port 1\n"
		  "  IdentityFile @KEY\n  UserKnownHostsFile @KH\n" } },
     .out = "---- root@web:@PORT ----\nroot\n")
CASE(identities_command_line_first_then_config,
     ARGS("-F", "@DIR/cfg", "-i", "@OTHER", "-w", "web", "echo in"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User root\n  Port @PORT\n"
		  "  IdentityFile @DIR/no-such-key\n  IdentityFile @KEY\n"
		  "  UserKnownHostsFile @KH\n" } },
     .out = "---- web ----\nin\n")
CASE(config_host_key_policy, ARGS("-F", "@DIR/cfg", "-w", "web", "echo in"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User root\n  Port @PORT\n  IdentityFile @KEY\n"
		  "  UserKnownHostsFile @DIR/empty_kh\n  StrictHostKeyChecking no\n" } },
     .out = "---- web ----\nin\n")
CASE(host_key_check_over_config,
     ARGS("-F", "@DIR/cfg", "--host-key-check", "strict", "-w", "web", "echo in"),
     .write = { { "cfg",
		  "Host web\n  HostName @H1\n  User root\n  Port @PORT\n  IdentityFile @KEY\n"
		  "  UserKnownHostsFile @DIR/empty_kh\n  StrictHostKeyChecking no\n" } },
     .err = { "ringrun: host web (@H1:@PORT): host key unknown: ssh-ed25519 key SHA256:",
	      " is not in @DIR/empty_kh\n" },
     .err_lines = 1, .status = 3)

/* ------------------------------------------------ through the system ssh */

CASE(proxy_command_through_system_ssh,
     ARGS("-F", "@DIR/cfg", "-k", "-w", "web,viajump", "echo {}; echo $SSH_CONNECTION",
	  ":::", "a", "b", "c"),
     .write = { { "cfg", FLEET_CFG } },
     .out_has = { "---- viajump a ----\na\n", "---- viajump c ----\nc\n",
		  " @H3 @PORT\n", "---- web b ----\nb\n", " @H1 @PORT\n" },
     .err_exact = "ringrun: viajump: ProxyCommand: run through the system ssh\n")
CASE(proxy_jump_hosts_named_once,
     ARGS("-F", "@DIR/cfg", "-o", "stream", "-k", "-w", "j2,web,j1,j3", "echo $SSH_CONNECTION"),
     .write = { { "cfg", FLEET_CFG } },
     .out_has = { "j1: ", "j2: ", "j3: ", "web: ", " @H4 @PORT\n" },
     .err_exact = "ringrun: j[1-3]: ProxyJump: run through the system ssh\n")
CASE(proxy_host_failure_names_the_host,
     ARGS("-F", "@DIR/cfg", "-w", "viajump", "echo ran; exit 4"),
     .write = { { "cfg", FLEET_CFG } },
     .out = "---- viajump ----\nran\n",
     .err_exact = "ringrun: viajump: ProxyCommand: run through the system ssh\n"
		  "ringrun: host viajump (@H3:@PORT): 'echo ran; exit 4' exited with status 4\n",
     .status = 1)
CASE(match_block_applies,
     ARGS("-F", "@DIR/cfg", "-w", "web", "id -un"),
     .write = { { "cfg",
		  "Match originalhost web user nosuchuser-rr\n  Port 1\n"
		  "Host web\n  HostName @H1\n  Port @PORT\n  IdentityFile @KEY\n"
		  "  UserKnownHostsFile @KH\n"
		  "Match host @H1 exec \"test %n = web\"\n  User root\n" } },
     .out = "---- web ----\nroot\n", .err_exact = "")

/* ------------------------------------------------ --ssh=exec */

CASE(exec_with_command_line_options,
     ARGS("--ssh=exec", "-F", "/dev/null", "-p", "@PORT", "-i", "@KEY", "--known-hosts", "@KH",
	  "--no-agent", "-k", "-w", "@H1,root@@H2", "id -un; echo $SSH_CONNECTION"),
     .out_has = { "---- @H1 ----\nroot\n", " @H1 @PORT\n", "---- root@@H2 ----\nroot\n",
		  " @H2 @PORT\n" })
CASE(exec_reads_the_config_itself,
     ARGS("--ssh", "exec", "-F", "@DIR/cfg", "-k", "-w", "web,viajump,j1", "echo", ":::", "x"),
     .write = { { "cfg", FLEET_CFG } },
     .out = "---- web x ----\nx\n---- viajump x ----\nx\n---- j1 x ----\nx\n")
CASE(exec_stream_and_json,
     ARGS("--ssh=exec", "-F", "@DIR/cfg", "-o", "stream", "-w", "web",
	  "echo out; echo e1 >&2; echo e2 >&2; exit 5"),
     .write = { { "cfg", FLEET_CFG } }, .out = "web: out\n",
     .err_exact = "web: e1\nweb: e2\nringrun: host web (@H1:@PORT): 'echo out; echo e1 >&2; "
		  "echo e2 >&2; exit 5' exited with status 5\n",
     .status = 1)
CASE(exec_json_fields,
     ARGS("--ssh=exec", "-F", "@DIR/cfg", "-o", "json", "-w", "web,web:1", "echo hi"),
     .write = { { "cfg", FLEET_CFG } },
     .out_has = { "{\"seq\":1,\"host\":\"web\",\"tag\":\"echo hi\",\"command\":\"echo hi\","
		  "\"status\":\"ok\",\"exit\":0,\"signal\":null,",
		  "\"stdout\":\"hi\\n\",\"stderr\":\"\",",
		  "{\"seq\":2,\"host\":\"web:1\",\"tag\":\"echo hi\",\"command\":\"echo hi\","
		  "\"status\":\"connect-failed\",\"exit\":null,\"signal\":null,"
		  "\"duration_ms\":0.000,\"stdout\":\"\",\"stderr\":\"\"," },
     .err_exact = "ringrun: host web (@H1:1): connection refused\n",
     .status = 3)
CASE(exec_closed_port_one_line,
     ARGS("--ssh=exec", "-F", "/dev/null", "-p", "@PORT", "-i", "@KEY", "--known-hosts", "@KH",
	  "--per-host", "3", "-w", "@H1,@H2:1", "echo", ":::", "a", "b", "c", "d"),
     .out_has = { "---- @H1 a ----\na\n", "---- @H1 d ----\nd\n" },
     .err_exact = "ringrun: host @H2:1: connection refused\n",
     .status = 3)
CASE(exec_quiet_still_says_why,
     ARGS("--ssh=exec", "-F", "/dev/null", "-i", "@OTHER", "--known-hosts", "@KH", "-o", "quiet",
	  "-w", "root@@H1:@PORT", "echo x"),
     .err_exact = "ringrun: host @H1:@PORT: root@@H1: Permission denied (publickey).\n",
     .status = 3)
CASE(exec_host_key_policy_passed,
     ARGS("--ssh=exec", "-F", "/dev/null", "-p", "@PORT", "-i", "@KEY", "--known-hosts",
	  "@DIR/new kh", "--host-key-check", "accept-new", "-w", "@H3", "echo in"),
     .out = "---- @H3 ----\nin\n",
     .err = { "Permanently added '[@H3]:@PORT'" })
/* ssh cannot tell its own failure from a command's exit 255: as pssh does,
   the host counts as not reached. */
CASE(exec_exit_255_is_unreachable,
     ARGS("--ssh=exec", "-F", "@DIR/cfg", "-w", "web", "exit 255"),
     .write = { { "cfg", FLEET_CFG } },
     .err_exact = "ringrun: host web (@H1:@PORT): ssh exited with status 255\n", .status = 3)

/* The commands append "start" and "end" to DIR/log: the most at once.  Each
   waits, after its start, until the log has two lines: the first two, both
   starts, are then sure to have run at once. */
static int most_at_once(void)
{
	char *log = cli_slurp_or_empty("log"), *save = NULL;
	int n = 0, most = 0;

	for (char *l = strtok_r(log, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		n += strcmp(l, "start") == 0 ? 1 : -1;
		if (n > most)
			most = n;
	}
	cr_assert_eq(n, 0, "a task did not end: %s", log);
	free(log);
	return most;
}

static void two_at_once(const struct proc_result *r)
{
	(void)r;
	cr_assert_eq(most_at_once(), 2);
}

CASE(exec_per_host_processes,
     ARGS("--ssh=exec", "-F", "@DIR/cfg", "--per-host", "2", "-w", "web",
	  ": {}; echo start >> @DIR/log; " WAIT_LINES("@DIR/log", 2)
	  "echo end >> @DIR/log", ":::", "1", "2", "3",
	  "4", "5"),
     .write = { { "cfg", FLEET_CFG } }, .out = "", .check = two_at_once)

/* ------------------------------------------------ -G */

OFFLINE(print_config_runs_nothing,
	ARGS("-F", "@DIR/cfg", "-G", "web,deploy@db:2201", "-i", "@DIR/k1", "--connect-timeout", "3"),
	.write = { { "cfg",
		  "Host web\n  HostName Web7.Example\n  User root\n  Port 2222\n"
		  "  IdentityFile ~/.ssh/id_%h\n  IdentityFile ~/.ssh/id_%h\n"
		  "  StrictHostKeyChecking accept-new\n  ServerAliveInterval 1m\n"
		  "Match originalhost db\n  ProxyJump none\n  ProxyCommand nc %h %p\n"
		  "  UserKnownHostsFile none\n  IdentitiesOnly yes\n" } },
	.out = "host web\nuser root\nhostname web7.example\nport 2222\nbatchmode yes\n"
	       "identitiesonly no\nstricthostkeychecking accept-new\nserveraliveinterval 60\n"
	       "identityfile @DIR/k1\nidentityfile ~/.ssh/id_%h\n"
	       "userknownhostsfile @DIR/home/.ssh/known_hosts\nconnecttimeout 3\n"
	       "host db\nuser deploy\nhostname db\nport 2201\nbatchmode yes\n"
	       "identitiesonly yes\nstricthostkeychecking true\nserveraliveinterval 0\n"
	       "identityfile @DIR/k1\nuserknownhostsfile none\nconnecttimeout 3\n"
	       "proxycommand nc %h %p\n",
	.err_exact = "")
/* exec runs through the shell with its tokens, once per reading, and only
   when what comes before it holds: the log is the one ssh -G writes. */
OFFLINE(print_config_match_exec,
	ARGS("-G", "web,db", "-F", "@DIR/cfg"),
	.write = { { "cfg",
		  "Match host db exec \"echo %n %h %p >> @DIR/log\"\n  Port 2\n"
		  "Match exec \"echo %n >> @DIR/log; test %n = web\"\n  Port 3\n"
		  "Match final exec \"echo final %n >> @DIR/log\"\n" } },
	.out_has = { "host web\n", "port 3\n", "host db\n", "port 2\n" },
	.files = { { "log", "web\nweb\nfinal web\ndb db 22\ndb\ndb db 2\ndb\nfinal db\n" } })
OFFLINE(print_config_bad_file,
	ARGS("-G", "web", "-F", "@DIR/cfg"),
	.write = { { "cfg", "Host web\n  Port 22x\n" } },
	.err_exact = "ringrun: -F: @DIR/cfg: line 2: Port: not a number\n", .status = 2)
OFFLINE(print_config_bad_token,
	ARGS("-G", "other,web", "-F", "@DIR/cfg"),
	.write = { { "cfg", "Host web\n  HostName %r.example\n" } },
	.out_has = { "host other\n" },
	.err_exact = "ringrun: web: @DIR/cfg: line 2: HostName: unknown token %r\n", .status = 2)
OFFLINE(print_config_exclusions, ARGS("-G", "web[1-3],-web2", "-x", "web3", "-F", "none"),
	.out_prefix = "host web1\n", .out_not = "\nhost web")
OFFLINE(print_config_no_host_left, ARGS("-G", "web1,-web1", "-F", "none"),
	.err_exact = "ringrun: -G: no host left to print\n", .status = 2)
OFFLINE(print_config_takes_no_command, ARGS("-G", "web", "true"),
	.err_exact = "ringrun: -G: takes no COMMAND or input: it runs nothing\n"
		     "Try 'ringrun --help'.\n", .status = 2)

/* ------------------------------------------------ errors */

OFFLINE(config_error_names_file_and_line, ARGS("-w", "web", "true"),
	.write = { { "home/.ssh/config", "Host web\n\n  Port 22x\n" } },
	.err_exact = "ringrun: ~/.ssh/config: line 3: Port: not a number\n", .status = 2)
OFFLINE(given_config_missing, ARGS("-F", "@DIR/nothere", "-w", "web", "true"),
	.err_exact = "ringrun: -F: @DIR/nothere: No such file or directory\n", .status = 2)
OFFLINE(f_needs_hosts, ARGS("-F", "@DIR/cfg", "true"),
	.err_exact = "ringrun: -F: needs hosts (-w, -g or --hostfile)\nTry 'ringrun --help'.\n",
	.status = 2)
OFFLINE(ssh_mode_unknown, ARGS("--ssh", "openssh", "-w", "web", "true"),
	.err_exact = "ringrun: --ssh: openssh: unknown mode (native, exec)\n"
		     "Try 'ringrun --help'.\n",
	.status = 2)
OFFLINE(exec_takes_no_password, ARGS("--ssh=exec", "--password-file", "@DIR/pw", "-w", "web",
				     "true"),
	.err_exact = "ringrun: --password-file: cannot be combined with --ssh=exec: the "
		     "system ssh runs in batch mode\nTry 'ringrun --help'.\n",
	.status = 2)
OFFLINE(proxy_hosts_take_no_password,
	ARGS("-F", "@DIR/cfg", "--password-file", "@DIR/cfg", "-w", "viajump,j1,j2", "true"),
	.write = { { "cfg",
		  "Host viajump\n  ProxyCommand nc %h %p\nHost j?\n  ProxyJump jump\n" } },
	.err_exact = "ringrun: j[1-2]: ProxyJump: needs the system ssh, which cannot take "
		     "--password-file\n",
	.status = 2)
