/*
 * Host selection on the command line: ranges, ^FILE, node groups, regex
 * filters, -x, and their errors.
 * The cases that run commands do so against a real OpenSSH sshd (sshd.h)
 * on four loopback addresses 127.0.1.1-4, stopped by its pid when the test
 * ends.
 *
 * Arguments, files and expected text may hold @NET ("127.0.1."), @PORT and
 * @DIR (the test's directory).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("hostsel");
}

/* The sshd; its addresses must be @NET1 .. @NET4 for the ranges here. */
static void sshd_up(void)
{
	char *addrs, want[128] = "";

	dir_up();
	cli_sshd_up(CLI_NADDR);
	for (int k = 1; k <= CLI_NADDR; k++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d\n",
			 cli.net, k);
	addrs = cli_slurp("addrs");
	cr_assert_str_eq(addrs, want, "the harness's addresses changed");
	free(addrs);
}

#define ARGS(...) .args = { __VA_ARGS__, NULL }

/* Against the sshd. */
#define CASE(name, ...)                                                           \
	Test(cli_hostsel, name, .init = sshd_up, .fini = cli_dir_down,            \
	     .timeout = TEST_TIMEOUT)                                             \
	{                                                                         \
		check_case(&(const struct cli_case){ .ssh = true, __VA_ARGS__ }); \
	}

/* Refused before any connection: no sshd. */
#define LOCAL_CASE(name, ...)                                           \
	Test(cli_hostsel, name, .init = dir_up, .fini = cli_dir_down,   \
	     .timeout = TEST_TIMEOUT)                                   \
	{                                                               \
		check_case(&(const struct cli_case){ __VA_ARGS__ });    \
	}

/* ------------------------------------------------------ ranges */

CASE(range_runs_on_each, ARGS("-k", "-w", "@NET[1-3]", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET2 ----\nx\n---- @NET3 ----\nx\n")
CASE(ranges_and_names_in_order_once,
     ARGS("-k", "-w", "@NET4,@NET[1-2,4]", "-w", "@NET[2-3]", "echo x"),
     .out = "---- @NET4 ----\nx\n---- @NET1 ----\nx\n---- @NET2 ----\nx\n"
	    "---- @NET3 ----\nx\n")
CASE(range_with_user_and_port,
     ARGS("-k", "-w", "root@@NET[1-2]:@PORT", "id -un"),
     .out = "---- root@@NET1:@PORT ----\nroot\n---- root@@NET2:@PORT ----\nroot\n")
CASE(hostfile_ranges, ARGS("-k", "--hostfile", "-", "echo x"),
     .in = "@NET[3-4] # two\n@NET1\n",
     .out = "---- @NET3 ----\nx\n---- @NET4 ----\nx\n---- @NET1 ----\nx\n")

/* ClusterShell's steps and set operators, left to right. */
CASE(range_with_a_step, ARGS("-k", "-w", "@NET[1-4/2]", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET3 ----\nx\n")
CASE(set_operators, ARGS("-k", "-w", "@NET[1-4]!@NET2&@NET[2-3]^@NET1", "echo x"),
     .out = "---- @NET3 ----\nx\n---- @NET1 ----\nx\n")

/* ------------------------------------------------------ ^FILE */

CASE(caret_file, ARGS("-k", "-w", "@NET4,^@DIR/hosts", "echo x"),
     .write = { { "hosts", "# rack 1\n@NET[1-2]\n\n@NET4\n" } },
     .out = "---- @NET4 ----\nx\n---- @NET1 ----\nx\n---- @NET2 ----\nx\n")

/* ------------------------------------------------------ node groups */

#define GROUPS { "g.yaml", "lab:\n  rack: '@NET[1-3]'\n  odd: '@rack!@NET2'\n" \
		 "  loop: '@pool'\n  pool: '@loop'\n" }

CASE(group_option, ARGS("-k", "--groups-file", "@DIR/g.yaml", "-g", "rack", "-x",
			 "@lab:odd", "echo x"),
     .write = { GROUPS }, .out = "---- @NET2 ----\nx\n")
CASE(groups_in_lists_and_host_files,
     ARGS("-k", "--groups-file", "@DIR/g.yaml", "--hostfile", "-", "-w", "@NET4",
	  "echo x"),
     .write = { GROUPS }, .in = "@odd\n",
     .out = "---- @NET4 ----\nx\n---- @NET1 ----\nx\n---- @NET3 ----\nx\n")
/* pdsh's filters: every /RE/ must match, no -/RE/ may. */
CASE(regex_filters, ARGS("-k", "-w", "/[123]$/,@NET[1-4],-/3$/", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET2 ----\nx\n")

LOCAL_CASE(unknown_group, ARGS("--groups-file", "@DIR/g.yaml", "-g", "nope", "echo x"),
	   .write = { GROUPS },
	   .err_exact = "ringrun: -g: '@nope': no group 'nope' in source 'lab' "
			"(read from @DIR/g.yaml)\nTry 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(group_cycle, ARGS("--groups-file", "@DIR/g.yaml", "-w", "a,@loop", "echo x"),
	   .write = { GROUPS },
	   .err_exact = "ringrun: -w: '@loop': a cycle of groups: @lab:loop -> "
			"@lab:pool -> @lab:loop\nTry 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(regex_leaves_nothing, ARGS("-w", "a,b,/c/", "echo x"),
	   .err_exact = "ringrun: -w: every host is excluded\n", .status = 2, .out = "")

/* ------------------------------------------------------ -x */

CASE(exclude_removes, ARGS("-k", "-w", "@NET[1-4]", "-x", "@NET[2-3]", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET4 ----\nx\n")
CASE(exclude_repeatable_and_from_a_file,
     ARGS("-k", "-w", "@NET[1-4]", "-x", "@NET1", "--exclude", "^@DIR/done", "echo x"),
     .write = { { "done", "@NET3\n" } }, .out = "---- @NET2 ----\nx\n---- @NET4 ----\nx\n")
CASE(exclude_applies_to_the_hostfile,
     ARGS("-k", "--hostfile", "-", "-x", "@NET2", "echo x"), .in = "@NET[1-2]\n",
     .out = "---- @NET1 ----\nx\n")
/* Without user@ and :port, -x takes the host however it is written. */
CASE(exclude_by_host_name,
     ARGS("-k", "-w", "root@@NET1:@PORT,@NET2", "-x", "@NET1", "echo x"),
     .out = "---- @NET2 ----\nx\n")

LOCAL_CASE(exclude_everything_is_an_error,
	   ARGS("-w", "@NET[1-2]", "-x", "@NET[1-4]", "echo x"),
	   .err_exact = "ringrun: -x: every host is excluded\n", .status = 2, .out = "")
LOCAL_CASE(exclude_needs_hosts, ARGS("-x", "a", "echo x"),
	   .err_exact = "ringrun: -x: needs hosts (-w, -g or --hostfile)\nTry 'ringrun --help'.\n",
	   .status = 2, .out = "")
/* An empty host file still runs nothing, -x or not. */
LOCAL_CASE(exclude_from_no_host, ARGS("--hostfile", "-", "-x", "a", "echo x"),
	   .in = "# none\n", .out = "")

/* ------------------------------------------------------ errors */

LOCAL_CASE(syntax_error_names_the_column, ARGS("-w", "a,web[01-", "echo x"),
	   .err_exact = "ringrun: -w: 'web[01-': column 8: unclosed '['\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(syntax_error_in_exclude, ARGS("-w", "a", "--exclude", "b[3-1]", "echo x"),
	   .err_exact = "ringrun: --exclude: 'b[3-1]': column 3: the range goes down\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(syntax_error_in_a_hostfile, ARGS("--hostfile", "-", "echo x"),
	   .in = "b]\na\n",
	   .err_exact = "ringrun: --hostfile: stdin: line 1: 'b]': column 2: unmatched ']'\n",
	   .status = 2, .out = "")
LOCAL_CASE(set_operator_without_hosts, ARGS("-w", "a!", "echo x"),
	   .err_exact = "ringrun: -w: 'a!': column 2: no hosts after '!'\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(set_operators_leave_nothing, ARGS("-w", "a[1-2]&b", "echo x"),
	   .err_exact = "ringrun: -w: 'a[1-2]&b': the set operations leave no host\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(step_of_zero, ARGS("-w", "n[1-3/0]", "echo x"),
	   .err_exact = "ringrun: -w: 'n[1-3/0]': column 7: a step of 0\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(too_many_hosts, ARGS("-w", "h[1-99999999]", "echo x"),
	   .err_exact = "ringrun: -w: 'h[1-99999999]': more than 1000000 hosts in all\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(caret_file_missing, ARGS("-w", "^@DIR/nothere", "echo x"),
	   .err_exact = "ringrun: -w: @DIR/nothere: No such file or directory\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
LOCAL_CASE(caret_file_bad_line, ARGS("-w", "^@DIR/hosts", "echo x"),
	   .write = { { "hosts", "a\n\nb[1-2]x[\n" } },
	   .err_exact = "ringrun: -w: @DIR/hosts: line 3: 'b[1-2]x[': column 9: unclosed '['\n"
			"Try 'ringrun --help'.\n",
	   .status = 2, .out = "")
