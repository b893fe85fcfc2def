/*
 * Fleet mode against a real OpenSSH sshd: one per test (sshd.h), on four
 * loopback addresses, stopped by its pid when the test ends, failed or not.
 * Hosts x commands, the output modes, exit statuses 1 and 3, host-key
 * policies, logins, -j and --per-host, signals.
 *
 * Arguments, stdin, files and expected text may hold sshd.h's @TOKENs.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libssh2.h> /* LIBSSH2_VERSION_NUM: can a kill reach the host? */
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void sshd_up(void)
{
	cli_dir_up("fleet");
	cli_sshd_up(CLI_NADDR);
}

/* Every stdout line a JSON object with exactly these fields. */
static const char json_lines[] =
	"import json, sys\n"
	"data = sys.stdin.buffer.read()\n"
	"objs = [json.loads(l) for l in data.decode('utf-8').split('\\n')[:-1]]\n"
	"keys = ['seq', 'host', 'tag', 'command', 'status', 'exit', 'signal',\n"
	"        'duration_ms', 'stdout', 'stderr', 'stdout_truncated',\n"
	"        'stderr_truncated']\n"
	"for o in objs:\n"
	"    assert list(o) == keys, list(o)\n";

#define ARGS(...) .args = { __VA_ARGS__, NULL }

#define CASE(name, ...)                                                        \
	Test(cli_fleet, name, .init = sshd_up, .fini = cli_dir_down,           \
	     .timeout = TEST_TIMEOUT)                                          \
	{                                                                      \
		check_case(&(const struct cli_case){ .ssh = true,              \
						     .py_prelude = json_lines, \
						     __VA_ARGS__ });           \
	}

/* ------------------------------------------------------ output modes */

CASE(group_headers, ARGS("-k", "-w", "@H1,@H2,@H3", "echo hi; echo oops >&2"),
     .out = "---- @H1 ----\nhi\n---- @H2 ----\nhi\n---- @H3 ----\nhi\n",
     .err_exact = "---- @H1 ----\noops\n---- @H2 ----\noops\n---- @H3 ----\noops\n")
CASE(group_ends_last_line, ARGS("-k", "-w", "@H1,@H2", "printf 'a\\nb'"),
     .out = "---- @H1 ----\na\nb\n---- @H2 ----\na\nb\n")
CASE(group_silent_tasks_no_header, ARGS("-w", "@H1,@H2", "true"), .out = "")
CASE(stream_tag_is_the_host,
     ARGS("-o", "stream", "-j", "1", "-w", "@H1,@H2", "echo out; echo err >&2"),
     .out = "@H1: out\n@H2: out\n", .err_exact = "@H1: err\n@H2: err\n")
CASE(json_host_field,
     ARGS("-o", "json", "-k", "-w", "@H1,@H2", "echo {}; exit 3", ":::", "a", "b"),
     .err = { "host @H1:@PORT: 'echo a; exit 3' exited with status 3" },
     .err_lines = 4, .status = 1,
     .py = "for o in objs: print(o['seq'], o['host'], o['tag'], o['command'],"
	   " o['status'], o['exit'], repr(o['stdout']))\n",
     .py_out = "1 @H1 a echo a; exit 3 exit 3 'a\\n'\n"
	       "2 @H1 b echo b; exit 3 exit 3 'b\\n'\n"
	       "3 @H2 a echo a; exit 3 exit 3 'a\\n'\n"
	       "4 @H2 b echo b; exit 3 exit 3 'b\\n'\n")
CASE(json_signal_and_ok,
     ARGS("-o", "json", "-k", "-w", "@H1", "-C", "-"), .in = "kill -9 $$\necho fine\n",
     .err = { "host @H1:@PORT: 'kill -9 $$' killed by SIGKILL" }, .err_lines = 1,
     .status = 1,
     .py = "for o in objs: print(o['host'], o['status'], o['exit'], o['signal'])\n",
     .py_out = "@H1 signaled None 9\n@H1 ok 0 None\n")
CASE(quiet_only_failures,
     ARGS("-o", "quiet", "-w", "@H1", "echo out; echo err >&2; exit 2"), .out = "",
     .err_exact = "ringrun: host @H1:@PORT: 'echo out; echo err >&2; exit 2' "
		  "exited with status 2\n",
     .status = 1)
CASE(discard_on_the_host, ARGS("--discard", "-w", "@H1", "echo out; echo err >&2"),
     .out = "", .err_exact = "---- @H1 ----\nerr\n")

/* ------------------------------------------------------ inputs x hosts */

CASE(inputs_times_hosts,
     ARGS("-k", "-w", "@H1,@H2", "-a", "-", "echo {#} {}"), .in = "a\nb c\n",
     .out = "---- @H1 a ----\n1 a\n---- @H1 b c ----\n2 b c\n"
	    "---- @H2 a ----\n3 a\n---- @H2 b c ----\n4 b c\n")
CASE(inputs_stream_tag,
     ARGS("-o", "stream", "-j", "1", "--per-host", "1", "-w", "@H1,@H2", "echo", ":::",
	  "x", "y"),
     .out = "@H1 x: x\n@H1 y: y\n@H2 x: x\n@H2 y: y\n")
/* The remote login shell reads the inputs back as they were: quoted as
   GNU parallel quotes them, in shell mode and with --quote. */
#define NASTY ":::", "it's", "'", "a''b", "$HOME", "50%", "a\\b c", "`id`"
#define NASTY_OUT "<it's>\n<'>\n<a''b>\n<$HOME>\n<50%>\n<a\\b c>\n<`id`>\n"
CASE(inputs_quoted_for_the_remote_shell,
     ARGS("-o", "json", "-n", "7", "-w", "@H1", "printf '<%s>\\n'", NASTY),
     .py = "for o in objs: print(o['stdout'], end='')\n", .py_out = NASTY_OUT)
CASE(inputs_quoted_for_the_remote_shell_quote,
     ARGS("-o", "json", "--quote", "-n", "7", "-w", "@H1", "printf", "<%s>\\n", NASTY),
     .py = "for o in objs: print(o['stdout'], end='')\n", .py_out = NASTY_OUT)
CASE(commands_file_on_hosts, ARGS("-k", "-w", "@H2,@H1", "-C", "-"),
     .in = "echo one\necho two\n",
     .out = "---- @H2 echo one ----\none\n---- @H2 echo two ----\ntwo\n"
	    "---- @H1 echo one ----\none\n---- @H1 echo two ----\ntwo\n")
CASE(no_inputs_runs_nothing, ARGS("-w", "@H1", "-a", "-", "echo"), .in = "", .out = "")

/* {%}: unique among the tasks at once: host slot x --per-host + channel. */
CASE(job_slots_per_host,
     ARGS("-o", "json", "-k", "-j", "2", "--per-host", "2", "-w", "@H1,@H2",
	  "echo {#} {%}", ":::", "a", "b"),
     .py = "print([(o['host'], o['stdout'].split()[0]) for o in objs],"
	   " sorted(o['stdout'].split()[1] for o in objs[:2]),"
	   " sorted(o['stdout'].split()[1] for o in objs[2:]))\n",
     .py_out = "[('@H1', '1'), ('@H1', '2'), ('@H2', '3'), ('@H2', '4')]"
	       " ['1', '2'] ['3', '4']\n")

/* ------------------------------------------------------ host lists */

CASE(duplicates_run_once, ARGS("-k", "-w", "@H1,@H2", "-w", "@H1", "echo x"),
     .out = "---- @H1 ----\nx\n---- @H2 ----\nx\n")
CASE(hostfile, ARGS("-k", "--hostfile", "@DIR/hosts", "-w", "@H3", "echo x"),
     .write = { { "hosts", "# web tier\n@H1\n\n  @H2   # rack 2\n@H1\n" } },
     .out = "---- @H3 ----\nx\n---- @H1 ----\nx\n---- @H2 ----\nx\n")
CASE(hostfile_stdin, ARGS("-k", "--hostfile", "-", "echo", ":::", "x"),
     .in = "@H2\n@H1\n", .out = "---- @H2 x ----\nx\n---- @H1 x ----\nx\n")
CASE(hostfile_empty_runs_nothing, ARGS("--hostfile", "-", "echo x"), .in = "# none\n",
     .out = "")
CASE(hostfile_bad_line, ARGS("--hostfile", "@DIR/hosts", "echo x"),
     .write = { { "hosts", "@H1\n@H2 @H3\n" } },
     .err_exact = "ringrun: --hostfile: @DIR/hosts: line 2: '@H2 @H3': contains a space\n",
     .status = 2)
CASE(hostfile_missing, ARGS("--hostfile", "@DIR/nothere", "echo x"),
     .err_exact = "ringrun: --hostfile: @DIR/nothere: No such file or directory\n",
     .status = 2)
CASE(user_in_spec_wins_over_l, ARGS("-k", "-l", "nosuchuser-rr", "-w", "root@@H1", "id -un"),
     .out = "---- root@@H1 ----\nroot\n")

/* ------------------------------------------------------ exit 1 and 3 */

CASE(remote_failure_exit_1, ARGS("-w", "@H1,@H2", "echo ran; exit 3"),
     .out_has = { "---- @H1 ----\nran\n", "---- @H2 ----\nran\n" },
     .err = { "ringrun: host @H1:@PORT: 'echo ran; exit 3' exited with status 3\n",
	      "ringrun: host @H2:@PORT: 'echo ran; exit 3' exited with status 3\n" },
     .err_lines = 2, .status = 1)
CASE(closed_port_exit_3, ARGS("-w", "@H1:1", "echo ran"),
     .err_exact = "ringrun: host @H1:1: connection refused\n", .status = 3)
CASE(unreachable_wins_over_failure, ARGS("-w", "@H1,@H2:1", "exit 3"),
     .err = { "ringrun: host @H1:@PORT: 'exit 3' exited with status 3\n",
	      "ringrun: host @H2:1: connection refused\n" },
     .err_lines = 2, .status = 3)
/*
 * --failed: the hosts that failed or could not be reached, as written, and
 * --summary names them last; --hostfile runs them again, and --failed may
 * rewrite the very file it read.
 */
static void summary_last(const struct proc_result *r)
{
	const char *want = cli_expand("ringrun: 3 hosts: 1 ok, 1 failed @H2, 1 unreachable @H3:1\n");
	size_t len = strlen(r->err);

	cr_assert(len > strlen(want) && strcmp(r->err + len - strlen(want), want) == 0,
		  "the summary is not last: %s", r->err);
}

Test(cli_fleet, failed_hosts_run_again, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const struct cli_case first = {
		.ssh = true,
		ARGS("-o", "quiet", "--summary", "--failed", "@DIR/failed", "-w",
		     "@H1,@H2,@H3:1", "set -- $SSH_CONNECTION; test $3 != @H2"),
		.err = { "ringrun: host @H2:@PORT: 'set -- $SSH_CONNECTION; test $3 != @H2' "
			 "exited with status 1\n",
			 "ringrun: host @H3:1: connection refused\n" },
		.err_lines = 3, .status = 3, .check = summary_last,
	};
	const struct cli_case again = {
		.ssh = true,
		ARGS("-o", "stream", "--hostfile", "@DIR/failed", "--failed", "@DIR/failed",
		     "echo again"),
		.out = "@H2: again\n", .err_exact = "ringrun: host @H3:1: connection refused\n",
		.status = 3,
	};

	check_case(&first);
	char *failed = cli_slurp_or_empty("failed");
	cr_assert_str_eq(failed, cli_expand("@H2,@H3:1\n"));
	free(failed);
	check_case(&again);
	failed = cli_slurp_or_empty("failed");
	cr_assert_str_eq(failed, cli_expand("@H3:1\n"));
	free(failed);
}

/* --dry-run --resume-failed with hosts: a command some host failed is
   printed once, one every host ran ok is not; --resume: none is left. */
#define ON_H2_NOT_A "set -- $SSH_CONNECTION; test $3 != @H2 || test {} = a"
Test(cli_fleet, dry_run_resume_failed, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const struct cli_case first = {
		.ssh = true,
		ARGS("-o", "quiet", "--joblog", "@DIR/log", "-w", "@H1,@H2", ON_H2_NOT_A,
		     ":::", "a", "b", "c"),
		.err_lines = 2, .status = 1,
	};
	const struct cli_case failed = {
		.ssh = true,
		ARGS("--dry-run", "--resume-failed", "@DIR/log", "-w", "@H1,@H2",
		     ON_H2_NOT_A, ":::", "a", "b", "c"),
		.out = "@H1\n@H2\n"
		       "set -- $SSH_CONNECTION; test $3 != @H2 || test b = a\n"
		       "set -- $SSH_CONNECTION; test $3 != @H2 || test c = a\n",
	};
	const struct cli_case resume = {
		.ssh = true,
		ARGS("--dry-run", "--resume", "--joblog", "@DIR/log", "-w", "@H1,@H2",
		     ON_H2_NOT_A, ":::", "a", "b", "c"),
		.out = "@H1\n@H2\n",
	};

	check_case(&first);
	check_case(&failed);
	check_case(&resume);
}

CASE(one_line_per_unreachable_host,
     ARGS("-o", "json", "-k", "--per-host", "2", "-w", "@H1:1,@H2,@H3:1", "echo",
	  ":::", "a", "b", "c", "d", "e"),
     .err_exact = "ringrun: host @H1:1: connection refused\n"
		  "ringrun: host @H3:1: connection refused\n",
     .status = 3,
     .py = "print([(o['seq'], o['host'], o['tag'], o['status'], o['exit'])"
	   " for o in objs if o['host'] != '@H2'])\n"
	   "print([o['status'] for o in objs if o['host'] == '@H2'])\n",
     .py_out = "[(1, '@H1:1', 'a', 'connect-failed', None),"
	       " (2, '@H1:1', 'b', 'connect-failed', None),"
	       " (3, '@H1:1', 'c', 'connect-failed', None),"
	       " (4, '@H1:1', 'd', 'connect-failed', None),"
	       " (5, '@H1:1', 'e', 'connect-failed', None),"
	       " (11, '@H3:1', 'a', 'connect-failed', None),"
	       " (12, '@H3:1', 'b', 'connect-failed', None),"
	       " (13, '@H3:1', 'c', 'connect-failed', None),"
	       " (14, '@H3:1', 'd', 'connect-failed', None),"
	       " (15, '@H3:1', 'e', 'connect-failed', None)]\n"
	       "['ok', 'ok', 'ok', 'ok', 'ok']\n")
CASE(name_not_found, ARGS("-w", "nosuchhost.invalid", "true"),
     .err = { "ringrun: host nosuchhost.invalid:@PORT: name not found" },
     .err_lines = 1, .status = 3)
CASE(stats_count_hosts,
     ARGS("--stats", "-o", "quiet", "-j", "2", "-w", "@H1,@H2,@H3:1", "true", ":::", "a",
	  "b"),
     .err = { "ringrun: host @H3:1: connection refused\n",
	      "ringrun: tasks 6 (4 ok, 2 failed) in ", " tasks/s, 2 hosts at once\n",
	      "ringrun: hosts 3 (2 reached, 1 unreachable), 9 commands at once on each\n",
	      "ringrun: io_uring " },
     .err_lines = 6, .status = 3)
CASE(timeout_on_the_host, ARGS("-o", "json", "-t", "0.3", "-w", "@H1", "sleep 600"),
     .err = { "ringrun: host @H1:@PORT: 'sleep 600' timed out after 0.3 s; " },
     .err_lines = 1, .status = 1,
     .py = "print(objs[0]['status'], objs[0]['duration_ms'] >= 300)\n",
     .py_out = "timeout True\n")

/* A server that accepts the connection and never speaks: --connect-timeout
   (the message says it was that, not a refusal). */
Test(cli_fleet, connect_timeout, .timeout = TEST_TIMEOUT)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char host[64], want[128];
	struct proc_result r;

	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
		  listen(fd, 8) == 0 &&
		  getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	snprintf(host, sizeof host, "127.0.0.1:%u", ntohs(sa.sin_port));
	snprintf(want, sizeof want, "ringrun: host %s: no SSH handshake within 0.5 s\n",
		 host);
	const char *args[] = { "--connect-timeout", "0.5", "--no-agent", "-w", host,
			       "true", ":::", "a", "b", NULL };
	run_ringrun(args, NULL, 0, false, &r);
	close(fd);
	cr_assert_eq(r.status, 3, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, want);
	proc_result_free(&r);
}

/* ------------------------------------------------------ host keys, logins */

CASE(strict_rejects_unknown_key, ARGS("-w", "@H1", "-a", "-", "echo"),
     .known_hosts = "@DIR/empty_kh", .write = { { "empty_kh", "" } },
     .in = "a\nb\nc\n",
     .err = { "ringrun: host @H1:@PORT: host key unknown: ssh-ed25519 key SHA256:",
	      " is not in @DIR/empty_kh\n" },
     .err_lines = 1, .status = 3)
CASE(strict_known_hosts_missing,
     ARGS("--host-key-check", "strict", "-w", "@H1", "true"),
     .known_hosts = "@DIR/nothere",
     .err = { "host key unknown: ssh-ed25519 key SHA256:" }, .err_lines = 1,
     .status = 3)
CASE(changed_key_refused_even_accept_new,
     ARGS("--host-key-check", "accept-new", "-w", "@H1", "true"),
     .known_hosts = "@DIR/wrong_kh", .write = { { "wrong_kh", "[@H1]:@PORT @OTHERPUB\n" } },
     .err = { "ringrun: host @H1:@PORT: host key changed: the server offers "
	      "ssh-ed25519 key SHA256:", "(possible man-in-the-middle)\n" },
     .err_lines = 1, .status = 3)
CASE(host_key_check_off, ARGS("--host-key-check", "off", "-w", "@H1", "echo in"),
     .known_hosts = "@DIR/wrong_kh", .write = { { "wrong_kh", "[@H1]:@PORT @OTHERPUB\n" } },
     .out = "---- @H1 ----\nin\n")
CASE(wrong_identity_auth_failed, ARGS("-w", "@H1,@H2", "true", ":::", "1", "2", "3"),
     .identity = "@OTHER",
     .err = { "ringrun: host @H1:@PORT: authentication failed for user root (tried ",
	      "ringrun: host @H2:@PORT: authentication failed for user root (tried " },
     .err_lines = 2, .status = 3)
CASE(unknown_user_auth_failed, ARGS("-l", "nosuchuser-rr", "-w", "@H1", "true"),
     .err = { "authentication failed for user nosuchuser-rr" }, .err_lines = 1,
     .status = 3)

/* accept-new records each host's key; strict then takes the file. */
Test(cli_fleet, accept_new_records_keys, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const struct cli_case learn = {
		.ssh = true,
		ARGS("--host-key-check", "accept-new", "-w", "@H1,@H2", "echo ok"),
		.known_hosts = "@DIR/new_kh",
		.out_has = { "---- @H1 ----\nok\n", "---- @H2 ----\nok\n" },
	};
	const struct cli_case use = {
		.ssh = true,
		ARGS("-k", "-w", "@H2,@H1", "echo ok"), .known_hosts = "@DIR/new_kh",
		.out = "---- @H2 ----\nok\n---- @H1 ----\nok\n",
	};

	check_case(&learn);
	char *kh = cli_slurp_or_empty("new_kh");
	cr_assert_eq(cli_count(kh, "\n"), 2, "%s", kh);
	cr_assert_not_null(strstr(kh, cli_expand("[@H1]:@PORT ssh-ed25519 ")), "%s", kh);
	cr_assert_not_null(strstr(kh, cli_expand("[@H2]:@PORT ssh-ed25519 ")), "%s", kh);
	free(kh);
	check_case(&use);
}

/* ------------------------------------------------------ -j and --per-host */

/*
 * The commands append "start HOST" and "end HOST" to DIR/log (one write
 * each, so the file has them in the order they happened): the most tasks
 * and the most distinct hosts running at once.  Each waits, after its
 * start, until the log has n lines: the first n of them, all starts, are
 * then sure to have run at once, however slowly the machine goes.
 */
static void concurrency(int *tasks, int *hosts)
{
	char *log = cli_slurp_or_empty("log"), *save = NULL, name[64];
	int running[CLI_NADDR] = { 0 }, n = 0;

	*tasks = *hosts = 0;
	for (char *l = strtok_r(log, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int k = 0, on = 0;
		bool start = sscanf(l, "start %63s", name) == 1;

		cr_assert(start || sscanf(l, "end %63s", name) == 1, "bad line %s", l);
		while (k < CLI_NADDR && strcmp(name, cli.addr[k]))
			k++;
		cr_assert_lt(k, CLI_NADDR, "unknown host %s", name);
		running[k] += start ? 1 : -1;
		n += start ? 1 : -1;
		for (int h = 0; h < CLI_NADDR; h++)
			on += running[h] > 0;
		if (n > *tasks)
			*tasks = n;
		if (on > *hosts)
			*hosts = on;
	}
	cr_assert_eq(n, 0, "a task did not end: %s", log);
	free(log);
}

#define LOGGED(then) ": {}; set -- $SSH_CONNECTION; echo start $3 >> @DIR/log; " \
			   then "echo end $3 >> @DIR/log"
#define AT_ONCE(n) LOGGED(WAIT_LINES("@DIR/log", n))

static void one_host_at_a_time(const struct proc_result *r)
{
	int tasks, hosts;

	(void)r;
	concurrency(&tasks, &hosts);
	cr_assert_eq(hosts, 1, "%d hosts at once", hosts);
	cr_assert_eq(tasks, 1, "%d tasks at once", tasks);
}

/* Nothing to wait for: each holds a moment instead, for a task started
   beside it against -j 1 to show. */
CASE(jobs_1_one_host_at_a_time,
     ARGS("-j", "1", "-w", "@H1,@H2,@H3,@H4", LOGGED("sleep 0.2; ")),
     .check = one_host_at_a_time)

static void two_hosts_at_once(const struct proc_result *r)
{
	int tasks, hosts;

	(void)r;
	concurrency(&tasks, &hosts);
	cr_assert_eq(hosts, 2, "%d hosts at once", hosts);
	cr_assert_eq(tasks, 4, "%d tasks at once", tasks);
}

/* -j 2 hosts, each with 2 channels, 3 inputs each. */
CASE(jobs_limit_hosts_not_tasks,
     ARGS("-j", "2", "--per-host", "2", "-w", "@H1,@H2,@H3,@H4", AT_ONCE(4), ":::",
	  "a", "b", "c"),
     .check = two_hosts_at_once)

static void two_channels(const struct proc_result *r)
{
	int tasks, hosts;

	(void)r;
	concurrency(&tasks, &hosts);
	cr_assert_eq(tasks, 2, "%d tasks at once", tasks);
}

CASE(per_host_channels, ARGS("--per-host", "2", "-w", "@H1", AT_ONCE(2), ":::", "1",
			     "2", "3", "4", "5"),
     .check = two_channels)

static void all_at_once(const struct proc_result *r)
{
	int tasks, hosts;

	(void)r;
	concurrency(&tasks, &hosts);
	cr_assert_eq(hosts, 4, "%d hosts at once", hosts);
	cr_assert_eq(tasks, 8, "%d tasks at once", tasks);
}

/* -j 0: every host at once; the default --per-host runs both inputs. */
CASE(jobs_0_all_hosts, ARGS("-j", "0", "-w", "@H1,@H2,@H3,@H4", AT_ONCE(8), ":::", "a",
	  "b"),
     .check = all_at_once)

/* ------------------------------------------------------ signals */

/* Processes of this machine (the sshd runs the commands here) whose
   command line holds marker, other than this one. */
static int procs_with(const char *marker, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) && n < max) {
		char path[300], buf[4096];
		pid_t pid = (pid_t)atoi(e->d_name);
		FILE *f;
		size_t len;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t k = 0; k < len; k++)
			buf[k] = buf[k] ? buf[k] : ' ';
		buf[len] = '\0';
		if (strstr(buf, marker))
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

/* Poll (bounded) until no process holds marker, when wait; kill what is
   left, by pid.  Returns how many were. */
static int procs_left(const char *marker, bool wait)
{
	pid_t pids[16];
	long long deadline = now_ms() + (wait ? HANG_GUARD_MS : 0);
	int n;

	while ((n = procs_with(marker, pids, 16)) && now_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	for (int k = 0; k < n; k++)
		kill(pids[k], SIGKILL);
	return n;
}

/* A word no other process here has, that is also a sleep's duration. */
static const char *marker(void)
{
	static char m[32];

	snprintf(m, sizeof m, "600.%d", (int)getpid());
	return m;
}

/*
 * Two hosts run "echo begun; " then body (the sshd
 * runs them on this machine); once ringrun has printed both "begun" lines
 * as they came (-o stream: bytes a host wrote are not ringrun's until they
 * came), sig: ringrun cancels both tasks and exits 128+sig, printing
 * nothing more.
 */
static void interrupt_fleet(int sig, const char *body)
{
	char cmd[512], out[4096];
	struct proc p;
	struct proc_result r;

	snprintf(cmd, sizeof cmd, "echo begun; %s", body);
	const char *argv[] = { ringrun_bin(), "-o", "stream", "-p", cli.port, "--no-agent",
			       "-i", cli.key, "--known-hosts", cli.kh, "-w",
			       cli_expand("@H1,@H2"), cli_expand(cmd), NULL };
	proc_start(&p, argv, false);
	snprintf(out, sizeof out, "%s", cli_read_until(p.out, "begun\n"));
	if (cli_count(out, "begun\n") < 2)
		strncat(out, cli_read_until(p.out, "begun\n"), sizeof out - strlen(out) - 1);
	cr_assert_eq(kill(p.pid, sig), 0);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	strncat(out, r.out, sizeof out - strlen(out) - 1);
	cr_assert_eq(r.status, 128 + sig, "stderr: %s", r.err);
	cr_assert(strstr(out, cli_expand("@H1: begun\n")) &&
		  strstr(out, cli_expand("@H2: begun\n")) &&
		  cli_count(out, "\n") == 2, "stdout: %s", out);
	cr_assert_eq(cli_count(r.err, "cancelled"), 2, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 2, "%s", r.err);
	proc_result_free(&r);
}

#define SIGNAL_TEST(name)                                               \
	Test(cli_fleet, name, .init = sshd_up, .fini = cli_dir_down,    \
	     .timeout = TEST_TIMEOUT)

/* The remote commands may outlive the channel (libssh2 1.10): killed after. */
SIGNAL_TEST(sigint_cancels_tasks)
{
	char body[64];

	snprintf(body, sizeof body, "sleep %s", marker());
	interrupt_fleet(SIGINT, body);
	procs_left(marker(), false);
}

SIGNAL_TEST(sigterm_cancels_tasks)
{
	char body[64];

	snprintf(body, sizeof body, "sleep %s", marker());
	interrupt_fleet(SIGTERM, body);
	procs_left(marker(), false);
}

/*
 * What a pdsh user expects of ^C: nothing left running on the hosts.  Built
 * with libssh2 >= 1.11, the remote process group gets the signal.  libssh2
 * 1.10 cannot send it (no channel request after exec): the channels are
 * closed, so each command stops at its next write and goes no further.
 * There each command waits for DIR/go, made once ringrun has exited, then
 * writes.
 */
SIGNAL_TEST(sigint_stops_remote_commands)
{
	char body[256];

#if LIBSSH2_VERSION_NUM >= 0x010b00
	snprintf(body, sizeof body, "sleep %s", marker());
	interrupt_fleet(SIGINT, body);
	int left = procs_left(marker(), true);

	cr_assert_eq(left, 0, "%d remote commands survived ringrun", left);
#else
	snprintf(body, sizeof body, ": %s; until [ -e @DIR/go ]; do sleep 0.01; done; "
		 "echo late; echo y >> @DIR/continued", marker());
	interrupt_fleet(SIGINT, body);
	cli_write_file("go", "");
	int left = procs_left(marker(), true);

	cr_assert_eq(left, 0, "%d remote commands never wrote again", left);
	cr_assert_neq(access(cli_expand("@DIR/continued"), F_OK), 0,
		      "a remote command went on past its next write");
#endif
}
