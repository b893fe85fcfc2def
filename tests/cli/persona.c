/*
 * The personalities and the options of pdsh, clush and pssh, against a
 * real OpenSSH sshd (sshd.h).  The oracle: tests/data/persona/cases.txt
 * and generated cases, each run by the real pdsh -R ssh, clush and
 * parallel-ssh and by ringrun called by their names (tests/cli/persona.py
 * compares them); then what the oracle leaves out: timeouts, and the
 * native options outside a personality.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/where.h"
#include "case.h"
#include "harness.h"
#include "sshd.h"

static void sshd_up(void)
{
	cli_dir_up("persona");
	cli_sshd_up(3);
}

/* Many connections at once: the oracle runs three cases at a time.  The
   sshd comes back with its keys on a new port. */
static void oracle_up(void)
{
	char *port;

	sshd_up();
	cli_sshd_stop();
	cli_sshd_start(3, "MaxStartups 100:30:200");
	port = cli_slurp("port");
	cr_assert_not_null(port, "the harness wrote no port");
	snprintf(cli.port, sizeof cli.port, "%.*s", (int)strcspn(port, "\n"), port);
	free(port);
}

/* The source tree's path to name (it holds the harness). */
static const char *source(const char *name)
{
	static char path[PATH_MAX];
	const char *harness = where_sshd_harness();
	const char *end = strstr(harness, "tests/sshd/sshd-harness.sh");

	cr_assert_not_null(end, "%s", harness);
	snprintf(path, sizeof path, "%.*s%s", (int)(end - harness), harness, name);
	return path;
}

Test(cli_persona, oracle, .init = oracle_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char script[PATH_MAX], cases[PATH_MAX];
	struct proc_result r;

	/* One ssh_config for the real tools (ssh -F) and for ringrun; names
	   for clush -L's order. */
	cli_write_file("ssh_config",
		       "Host h9 rack1-n10\n  HostName @H3\n"
		       "Host h10 h001\n  HostName @H1\n"
		       "Host h01 rack2-n1\n  HostName @H2\n"
		       "Host *\n"
		       "  Port @PORT\n"
		       "  IdentityFile @KEY\n"
		       "  IdentitiesOnly yes\n"
		       "  UserKnownHostsFile @KH\n"
		       "  StrictHostKeyChecking yes\n"
		       "  BatchMode yes\n");
	snprintf(script, sizeof script, "%s", source("tests/cli/persona.py"));
	snprintf(cases, sizeof cases, "%s", source("tests/data/persona/cases.txt"));
	run_prog((const char *const[]){ "python3", script, cli_expand("@DIR"),
					ringrun_bin(), cases, cli_expand("@H1"),
					cli_expand("@H2"), cli_expand("@H3"), NULL },
		 NULL, 0, 4 * HANG_GUARD_MS, &r);
	fputs(r.err, stderr); /* the agreement rates */
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	proc_result_free(&r);
}

#define LOGIN "--port", "@PORT", "--no-agent", "--identity", "@KEY", \
	"--known-hosts", "@KH"
#define ARGS(...) .args = { __VA_ARGS__, NULL }

#define CASE(name, ...)                                                        \
	Test(cli_persona, name, .init = sshd_up, .fini = cli_dir_down,         \
	     .timeout = TEST_TIMEOUT)                                          \
	{                                                                      \
		check_case(&(const struct cli_case){ __VA_ARGS__ });           \
	}

/* Timeouts, which the oracle leaves out: pssh's words and status 3, pdsh's
   and clush's 255 under -S; the remote command is gone. */
#define GONE(n)                                                   \
	static void gone_##n(const struct proc_result *r)         \
	{                                                         \
		(void)r;                                          \
		cli_expect_gone(#n);                              \
	}
GONE(6101)
GONE(6102)
GONE(6103)
GONE(6104)

CASE(pssh_timeout, ARGS("--as", "pssh", LOGIN, "-t", "1", "-H", "@H1", "sleep 6101"),
     .out_has = { "[1] ", " [FAILURE] @H1 Timed out, Killed by signal 9\n" },
     .err = { "timed out" }, .status = 3, .check = gone_6101)
CASE(pdsh_timeout_max_status,
     ARGS("--as", "pdsh", LOGIN, "-S", "-u", "1", "-w", "@H1", "sleep 6102"),
     .err = { ": @H1: command timeout\n", ": @H1: ssh exited with exit code 255\n" },
     .status = 255, .check = gone_6102)
CASE(clush_timeout_zero,
     ARGS("--as", "clush", LOGIN, "-u", "1", "-w", "@H1", "sleep 6103"),
     .err_exact = "clush: @H1: command timeout\n", .status = 0,
     .check = gone_6103)
/* clush -L: its failures said at the end, the timeouts after the codes */
CASE(clush_by_host_timeout,
     ARGS("--as", "clush", LOGIN, "-L", "-u", "1", "-w", "@H1,@H2",
	  "case \"$SSH_CONNECTION\" in *' @H1 '*) sleep 6104;; esac; exit 3"),
     .err_exact = "clush: @H2: exited with exit code 3\n"
		  "clush: @H1: command timeout\n", .status = 0,
     .check = gone_6104)

/* The native options, outside a personality. */
CASE(no_prefix_stream, ARGS(LOGIN, "-N", "-o", "stream", "-w", "@H1,@H2", "echo x"),
     .out = "x\nx\n")
CASE(no_prefix_group, ARGS(LOGIN, "-N", "-k", "-w", "@H1,@H2", "echo {}", ":::", "a"),
     .out = "a\na\n")
CASE(by_host_sorted_held, ARGS(LOGIN, "-L", "-w", "@H3,@H1,@H2", "echo one; echo two"),
     .out = "@H1: one\n@H1: two\n@H2: one\n@H2: two\n@H3: one\n@H3: two\n")
CASE(max_status, ARGS(LOGIN, "-S", "-w", "@H1,@H2,@H3", "exit {}", ":::", "1", "4"),
     .err_lines = 6, .err = { "exited with status 4" }, .status = 4)
CASE(max_status_unreachable,
     ARGS(LOGIN, "-S", "--connect-timeout", "20", "-w", "@H1,127.0.9.254", "exit 3"),
     .err_lines = 2, .err = { "connection refused" }, .status = 255)
CASE(exit_status_pssh, ARGS(LOGIN, "--exit-status", "pssh", "-w", "@H1,@H2", "exit 2"),
     .err_lines = 2, .status = 5)
CASE(stdout_and_stderr_dirs,
     ARGS(LOGIN, "--stdout-dir", "@DIR/o", "-e", "@DIR/e", "-o", "quiet",
	  "-w", "@H1,@H2", "echo out; echo err-$(echo {}) >&2", ":::", "a", "b"),
     .files = { { "o/@H1.1", "out\n" }, { "o/@H1.2", "out\n" },
		{ "e/@H2.1", "err-a\n" }, { "e/@H2.2", "err-b\n" } })
static void e_empty(const struct proc_result *r)
{
	(void)r;
	cr_assert_eq(cli_entries("e"), 0, "no file of an empty stream, as pssh");
}

CASE(stderr_dir_empty_file, ARGS(LOGIN, "-e", "@DIR/e", "-w", "@H1", "echo out"),
     .out = "---- @H1 ----\nout\n", .files = { { "e/@H1", "" } })
CASE(skip_empty_makes_none,
     ARGS(LOGIN, "-e", "@DIR/e", "--skip-empty", "-w", "@H1", "echo out"),
     .out = "---- @H1 ----\nout\n", .check = e_empty)

/* pssh -I: stdin to every host (--stdin). */
CASE(pssh_send_input, ARGS("--as", "pssh", LOGIN, "-I", "-i", "-H", "@H1", "-H", "@H2",
			   "tr a-z A-Z"),
     .in = "sent\n", .py = "import sys\nprint(sorted(l for l in sys.stdin.read().splitlines()"
			  " if not l.startswith('[')))\n",
     .py_out = "['SENT', 'SENT']\n")

/* pssh's colours on a terminal (here: --color always). */
CASE(pssh_colour, ARGS("--as", "pssh", LOGIN, "--color", "always", "-i", "-H", "@H1",
		       "echo e >&2; exit 1"),
     .out_has = { " \033[31m[FAILURE]\033[0m @H1 Exited with error code 1\n"
		  "\033[31mStderr: \033[0me\n" },
     .err = { "exited with status 1" }, .status = 5)

/* clush -X: a node group's hosts left out (--exclude-group). */
CASE(clush_exclude_group,
     ARGS("--as", "clush", LOGIN, "--groupsconf", "@DIR/groups", "-X", "two",
	  "-w", "@H1,@H2,@H3", "-L", "echo x"),
     .write = { { "groups", "two: @H2,@H3\n" } }, .out = "@H1: x\n")

/* What a personality does not take: one line naming the tool. */
CASE(refused_option, ARGS("--as", "clush", "-o", "-p 2222", "-w", "h", "true"),
     .err_exact = "ringrun: -o: clush's option is refused: no word of a command "
		  "line becomes an ssh option: write them in an ssh_config "
		  "(--ssh-config FILE)\nTry 'ringrun --help'.\n", .status = 2)
CASE(unknown_option, ARGS("--as", "pssh", "-g", "web*", "-H", "h", "true"),
     .err_exact = "ringrun: -g: not an option ringrun's pssh personality takes "
		  "(man ringrun: PERSONALITIES)\nTry 'ringrun --help'.\n",
     .status = 2)
