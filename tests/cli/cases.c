/*
 * The ringrun binary, case by case: arguments and stdin in; stdout, stderr
 * and the exit status checked.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "sshd.h"

#define ARGS(...) .args = { __VA_ARGS__, NULL }

/* Every stdout line must be a JSON object with exactly these fields. */
static const char json_lines[] =
	"import json, sys\n"
	"data = sys.stdin.buffer.read()\n"
	"assert data == b'' or data.endswith(b'\\n'), 'unterminated line'\n"
	"objs = [json.loads(l) for l in data.decode('utf-8').split('\\n')[:-1]]\n"
	"keys = ['seq', 'tag', 'command', 'status', 'exit', 'signal',\n"
	"        'duration_ms', 'stdout', 'stderr', 'stdout_truncated',\n"
	"        'stderr_truncated']\n"
	"for o in objs:\n"
	"    assert list(o) == keys, list(o)\n"
	"    assert type(o['seq']) is int and o['seq'] >= 1\n"
	"    assert type(o['duration_ms']) is float and o['duration_ms'] >= 0\n"
	"    assert o['exit'] is None or type(o['exit']) is int\n"
	"    assert o['signal'] is None or type(o['signal']) is int\n"
	"    assert type(o['stdout_truncated']) is bool\n"
	"    assert type(o['stderr_truncated']) is bool\n";

static void dir_up(void)
{
	cli_dir_up("cases");
}

#define CASE(name, ...)                                                        \
	Test(cli_cases, name, .init = dir_up, .fini = cli_dir_down,            \
	     .timeout = TEST_TIMEOUT)                                          \
	{                                                                      \
		check_case(&(const struct cli_case){ .py_prelude = json_lines, \
						     __VA_ARGS__ });           \
	}

/*
 * Three tasks at once that end in the reverse of their input order: each
 * waits for the job log rows of the ones after it (the log's header is its
 * first line).
 */
#define LAST_FIRST "case {} in a) " WAIT_LINES("@DIR/log", 3) ";; b) "  \
		   WAIT_LINES("@DIR/log", 2) ";; esac; echo {}"

/* ------------------------------------------------------ commands, inputs */

CASE(once, ARGS("echo", "hello"), .out = "hello\n")
CASE(words_joined_for_sh, ARGS("echo a;", "echo", "b"), .out = "a\nb\n")
CASE(options_after_command_are_its, ARGS("echo", "-k", "--stats"),
     .out = "-k --stats\n")
CASE(double_dash, ARGS("--", "echo", "x"), .out = "x\n")
CASE(input_list, ARGS("-k", "echo", ":::", "a", "b c", "d"),
     .out = "a\nb c\nd\n")
CASE(input_appended_quoted,
     ARGS("-k", "printf '<%s>\\n'", ":::", "it's", "$HOME", "a\\b", "*", "",
	  "-n", "`id`"),
     .out = "<it's>\n<$HOME>\n<a\\b>\n<*>\n<>\n<-n>\n<`id`>\n")
CASE(replacement_strings,
     ARGS("-k", "-j", "1", "echo {} {.} {/} {//} {/.} {#} {%}", ":::",
	  "dir/a.tar.gz", "b"),
     .out = "dir/a.tar.gz dir/a.tar a.tar.gz dir a.tar 1 1\nb b b . b 2 1\n")
CASE(replacement_next_to_text, ARGS("-k", "echo", "x{}y", "{}{}", ":::", "a", "b c"),
     .out = "xay aa\nxb cy b cb c\n")
CASE(unknown_braces_are_text, ARGS("echo", "{x}", "{}", "{", ":::", "a"),
     .out = "{x} a {\n")
CASE(sequence_number_only, ARGS("-k", "echo", "{#}", ":::", "a", "b"),
     .out = "1\n2\n")
CASE(serial_jobs_keep_input_order, ARGS("-j1", "echo", ":::", "a", "b", "c"),
     .out = "a\nb\nc\n")
CASE(args_from_stdin, ARGS("-k", "-a", "-", "printf", "'[%s]\\n'"),
     .in = "x\n\ny z\nlast", .out = "[x]\n[]\n[y z]\n[last]\n")
CASE(args_bytes_exact, ARGS("-k", "--args", "-", "printf", "'[%s]\\n'"),
     .in = "cr\r\n tab\t \n", .out = "[cr\r]\n[ tab\t ]\n")
CASE(args_empty_runs_nothing, ARGS("-a", "-", "echo", "ran"), .in = "",
     .out = "")
CASE(args_dev_null_runs_nothing, ARGS("-a", "/dev/null", "echo", "ran"),
     .out = "")
CASE(empty_list_runs_nothing, ARGS("echo", "ran", ":::"), .out = "")
/* GNU parallel's grammar, run for real (tests/cli/parallel.c compares
   the commands with parallel's own). */
CASE(lists_cartesian_and_linked,
     ARGS("-k", "echo", "{1}-{2}-{3}", ":::", "a", "b", ":::", "x", "y",
	  ":::+", "1", "2", "3"),
     .out = "a-x-1\na-y-2\nb-x-1\nb-y-2\n")
CASE(empty_list_in_product_runs_nothing, ARGS("echo", ":::", "a", ":::"),
     .out = "")
CASE(lists_appended_each_a_word, ARGS("-k", "printf", "'<%s>'", ":::", "a b",
				       ":::", "", "it's"),
     .out = "<a b><><a b><it's>")
CASE(list_files_and_args,
     ARGS("-k", "-a", "@DIR/f", "-a", "-", "echo", "{2}{1}{3}", "::::", "@DIR/g"),
     .write = { { "f", "f1\nf2\n" }, { "g", "g\n" } },
     .in = "s\n", .out = "sf1g\nsf2g\n")
CASE(colsep_columns, ARGS("-k", "--colsep", ",", "echo", "{2}:{1}:{-1}", ":::",
			  "a,b", " c , d ,e"),
     .out = "b:a:b\nd:c:e\n")
CASE(max_args_groups, ARGS("-k", "-n", "2", "echo", "{#}", "{}", ":::", "a",
			   "b", "c"),
     .out = "1 a b\n2 c\n")
CASE(max_replace_args, ARGS("-k", "--max-replace-args", "2", "echo", "{2}{1}",
			    ":::", "a", "b", "c"),
     .out = "ba\nc\n")
CASE(exec_several_args, ARGS("-k", "-X", "printf", "<%s>", "{}", ":::", "a b",
			     ":::", "c"),
     .out = "<a b><c>")
CASE(quote_keeps_words, ARGS("-k", "--quote", "sh", "-c", "echo \"[$1]\"", "sh",
			     ":::", "x;y"),
     .out = "[x;y]\n")
CASE(shuf_runs_each_once, ARGS("--shuf", "-o", "json", "echo", ":::", "a", "b",
			       "c", "d"),
     .py = "print(sorted(o['stdout'] for o in objs))",
     .py_out = "['a\\n', 'b\\n', 'c\\n', 'd\\n']\n")
CASE(stream_tag_shows_every_arg, ARGS("-o", "stream", "echo", "x", ":::", "a b",
				       ":::", "c"),
     .out = "a b c: x a b c\n")
CASE(tag_of_several_args, ARGS("--tag", "-k", "echo", ":::", "a", ":::", "b c"),
     .out = "a b c\ta b c\n") /* as parallel --tag */
CASE(unknown_list_word_runs_nothing,
     ARGS("sh", "-c", "touch @DIR/d/ran", ":::", "a", ":::-", "b"),
     .err_exact = "ringrun: ':::-': not a word of the input grammar (:::, :::+, "
		  "::::, ::::+)\nTry 'ringrun --help'.\n",
     .status = 2, .write = { { "d/f", "" } }, .files_only = true,
     .files = { { "d/f", "" } })
CASE(link_first_runs_nothing, ARGS("echo", ":::+", "a"),
     .err_exact = "ringrun: ':::+': no input list before it to link to\n"
		  "Try 'ringrun --help'.\n", .status = 2)
CASE(list_file_missing, ARGS("echo", ":::", "a", "::::", "/nonexistent/rr-in"),
     .err_exact = "ringrun: /nonexistent/rr-in: No such file or directory\n",
     .status = 2)
CASE(list_file_alone_missing, ARGS("echo", "::::", "/nonexistent/rr-in"),
     .err_exact = "ringrun: /nonexistent/rr-in: No such file or directory\n",
     .status = 2)
CASE(dry_run_runs_nothing,
     ARGS("-q", "-k", "touch @DIR/d/ran-{}", ":::", "a", "b c", "it's"),
     .out = "touch @DIR/d/ran-a\ntouch @DIR/d/ran-'b c'\ntouch @DIR/d/ran-'it'\"'\"'s'\n",
     .write = { { "d/f", "" } }, .files_only = true,
     .files = { { "d/f", "" } })
CASE(dry_run_exec_and_commands, ARGS("--dry-run", "-X", "printf", "%s", "{}",
				     ":::", "a b"),
     .out = "printf '%s' 'a b'\n")
CASE(dry_run_stdout_closed, ARGS("-q", "echo", ":::", "a"), .stdout_closed = true,
     .status = 141)
CASE(dry_run_hosts_then_commands,
     ARGS("-q", "-w", "h[1-3],u@g:2222", "-x", "h2", "echo", "{}", ":::", "a",
	  "b"),
     .out = "h1\nh3\nu@g:2222\necho a\necho b\n")
CASE(args_missing_file, ARGS("-a", "/nonexistent/rr-in", "echo"),
     .err_exact = "ringrun: -a: /nonexistent/rr-in: No such file or directory\n",
     .status = 2)
CASE(args_directory, ARGS("-a", "/", "echo"),
     .err_exact = "ringrun: -a: /: Is a directory\n", .status = 2)
CASE(commands_missing_file, ARGS("--commands", "/nonexistent/rr-in"),
     .err_exact = "ringrun: -C: /nonexistent/rr-in: No such file or directory\n",
     .status = 2)
CASE(commands_from_stdin, ARGS("-k", "-C", "-"),
     .in = "echo one\necho two; echo three\n", .out = "one\ntwo\nthree\n")
CASE(commands_failing_line, ARGS("-k", "-C", "-"), .in = "exit 4\necho fine\n",
     .out = "fine\n", .err_exact = "ringrun: 'exit 4' exited with status 4\n",
     .status = 1)
CASE(exec_replacement_in_word,
     ARGS("-X", "-k", "printf", "%s|\\n", "<{}>", ":::", "a b", "c"),
     .out = "<a b>|\n<c>|\n")
CASE(exec_input_appended, ARGS("--exec", "-k", "printf", "[%s]", ":::", "x y", "$z"),
     .out = "[x y][$z]")
CASE(exec_no_shell, ARGS("-X", "echo", "a;", "$HOME", "{}"),
     .out = "a; $HOME {}\n")

/* ------------------------------------------------------ exit status */

CASE(all_ok, ARGS("true", ":::", "1", "2", "3"), .out = "")
CASE(one_line_per_failure, ARGS("-k", "exit", ":::", "0", "3", "0", "5"),
     .err = { "exited with status 3", "exited with status 5" }, .err_lines = 2,
     .status = 1)
CASE(shell_command_not_found, ARGS("nosuchcmd-rr"),
     .err = { "not found", "ringrun: 'nosuchcmd-rr' exited with status 127\n" },
     .err_lines = 2, .status = 1)
CASE(exec_spawn_failure, ARGS("-X", "nosuchcmd-rr", "x"),
     .err = { "ringrun: spawn 'nosuchcmd-rr", "No such file or directory\n" },
     .err_lines = 1, .status = 1)
CASE(killed_by_signal, ARGS("kill -9 $$"), .err = { "killed by SIGKILL" },
     .err_lines = 1, .status = 1)

/* ------------------------------------------------------ group, order */

CASE(keep_order, ARGS("-k", "-j", "3", "--joblog", "@DIR/log", LAST_FIRST, ":::", "a",
		     "b", "c"),
     .out = "a\nb\nc\n")
CASE(finish_order_without_k, ARGS("-j", "3", "--joblog", "@DIR/log", LAST_FIRST, ":::",
				  "a", "b", "c"),
     .out = "c\nb\na\n")

/* Each slot number is in 1..jobs. */
static void slots_1_2(const struct proc_result *r)
{
	cr_assert_eq(cli_count(r->out, "\n"), 6, "%s", r->out);
	for (const char *l = r->out; *l; l += 2)
		cr_assert((l[0] == '1' || l[0] == '2') && l[1] == '\n', "%s", r->out);
}

CASE(slot_numbers, ARGS("-k", "-j", "2", "echo {%}", ":::", "a", "b", "c", "d", "e", "f"),
     .check = slots_1_2)

/* Four tasks' 2000 lines each: every task's block whole and in order. */
static void whole_blocks(const struct proc_result *r)
{
	const char *l = r->out;
	char seen[4] = { 0 };

	for (int task = 0; task < 4; task++) {
		char tag = *l;
		cr_assert(tag >= 'a' && tag <= 'd' && !seen[tag - 'a'], "at %.40s", l);
		seen[tag - 'a'] = 1;
		for (int i = 1; i <= 2000; i++) {
			char want[32];
			int n = snprintf(want, sizeof want, "%c%d\n", tag, i);
			cr_assert(strncmp(l, want, (size_t)n) == 0,
				  "expected %c%d at %.40s", tag, i, l);
			l += n;
		}
	}
	cr_assert_eq(*l, '\0');
}

CASE(group_never_interleaves,
     ARGS("-j", "4", "for i in $(seq 2000); do echo {}$i; done", ":::", "a", "b", "c", "d"),
     .check = whole_blocks)

static void forty_mb_of_a(const struct proc_result *r)
{
	cr_assert_eq(r->out_len, 40000000);
	for (size_t k = 0; k < r->out_len; k++)
		if (r->out[k] != 'a')
			cr_assert_fail("byte %zu is %d", k, r->out[k]);
}

CASE(group_large_output, ARGS("head -c 40000000 /dev/zero | tr '\\0' a"),
     .check = forty_mb_of_a)
CASE(discard, ARGS("--discard", "echo out; echo err >&2"), .out = "",
     .err_exact = "err\n")
CASE(discard_keeps_failure_line, ARGS("--discard", "echo out; exit 2"), .out = "",
     .err = { "exited with status 2" }, .err_lines = 1, .status = 1)

/* ------------------------------------------------------ stream, quiet */

CASE(stream_prefixed, ARGS("-o", "stream", "-j", "1", "echo out {}; echo err {} >&2",
			   ":::", "a", "b"),
     .out = "a: out a\nb: out b\n", .err_exact = "a: err a\nb: err b\n")
CASE(stream_tag_is_the_command, ARGS("--output", "stream", "echo hi"),
     .out = "echo hi: hi\n")
CASE(stream_last_line_without_newline, ARGS("-o", "stream", "-X", "printf", "x\\ny"),
     .out = "printf 'x\\ny': x\nprintf 'x\\ny': y\n")
CASE(stream_discard, ARGS("-o", "stream", "--discard", "echo out; echo err >&2"),
     .out = "", .err_exact = "echo out; echo err >&2: err\n")

/* 4 x 3000 lines as they came: each whole, each task's in order. */
static void whole_lines(const struct proc_result *r)
{
	int next[4] = { 1, 1, 1, 1 }, lines = 0;

	for (const char *l = r->out; *l; lines++) {
		char tag = l[0];
		char want[80];
		cr_assert(tag >= 'a' && tag <= 'd', "at %.60s", l);
		int n = snprintf(want, sizeof want, "%c: %c-%d-%s\n", tag, tag,
				 next[tag - 'a']++, "................................");
		cr_assert(strncmp(l, want, (size_t)n) == 0, "expected %s at %.60s", want, l);
		l += n;
	}
	cr_assert_eq(lines, 12000);
}

CASE(stream_lines_never_torn,
     ARGS("-o", "stream", "-j", "4",
	  "for i in $(seq 3000); do echo {}-$i-................................; done",
	  ":::", "a", "b", "c", "d"),
     .check = whole_lines)
CASE(quiet, ARGS("-o", "quiet", "echo hi; printf '\\123ECRET' >&2; exit 3"),
     .out = "", .err = { "exited with status 3" }, .err_not = "SECRET",
     .err_lines = 1, .status = 1)
CASE(quiet_ok, ARGS("-o", "quiet", "echo hi; echo there >&2"), .out = "")

/* ------------------------------------------------------ timeouts */

CASE(timeout, ARGS("-t", "0.3", "sleep 10"),
     .err_exact = "ringrun: 'sleep 10' timed out after 0.3 s; killed by SIGTERM\n",
     .status = 1)
CASE(timeout_not_reached, ARGS("--timeout", "5", "echo fast"), .out = "fast\n")
CASE(idle_timeout, ARGS("--idle-timeout", "0.3", "echo a; sleep 10"), .out = "a\n",
     .err = { "ringrun: 'echo a; sleep 10' wrote nothing for 0.3 s" },
     .err_lines = 1, .status = 1)
/* A line every 0.25 s for 2.5 s: longer than the 2 s limit in all, each
   pause far shorter than it. */
#define TEN_LINES "for i in $(seq 10); do echo $i; sleep 0.25; done"
CASE(idle_timeout_reset_by_output, ARGS("--idle-timeout", "2", TEN_LINES),
     .out = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n")
CASE(idle_timeout_sees_discarded_stdout,
     ARGS("--discard", "--idle-timeout", "2", TEN_LINES), .out = "")
CASE(idle_timeout_sees_quiet_output,
     ARGS("-o", "quiet", "--idle-timeout", "2", "exec >&2; " TEN_LINES), .out = "")

/* --kill-grace: a task that takes 3 s to wind up after its SIGTERM gets
   them; the default grace (2 s) would have killed it first. */
CASE(kill_grace_given,
     ARGS("-t", "0.2", "--kill-grace", "600",
	  "trap 'sleep 3; echo survived; exit 0' TERM; sleep 600 & wait"),
     .out = "survived\n",
     .err = { "' timed out after 0.2 s; exited with status 0\n" }, .err_lines = 1,
     .status = 1)

/* ------------------------------------------------------ jobs, stats */

CASE(jobs_percent, ARGS("-j", "50%", "echo", "{%}", ":::", "a"), .out = "1\n")
CASE(jobs_zero_is_the_library_limit, ARGS("-j", "0", "-k", "echo", ":::", "a", "b"),
     .out = "a\nb\n")
CASE(stats, ARGS("--stats", "-j", "2", "true", ":::", "a", "b", "c"),
     .err = { "ringrun: tasks 3 (3 ok, 0 failed) in ", " tasks/s, 2 at once\n",
	      "ringrun: cpu ringrun ", " peak rss ", "; children ",
	      "ringrun: io_uring ", " enters ", "ringrun: features " },
     .err_lines = 4)
CASE(stats_count_failures, ARGS("--stats", "false"),
     .err = { "exited with status 1", "ringrun: tasks 1 (0 ok, 1 failed)" },
     .err_lines = 5, .status = 1)

/* ------------------------------------------------------ help, usage errors */

CASE(version_short, ARGS("-V"), .out = "ringrun 0.1.0\n")
CASE(version_long, ARGS("--version"), .out = "ringrun 0.1.0\n")
CASE(help, ARGS("--help"),
     .out_has = { "Usage: ringrun", "--args", "--commands", "--jobs", "--exec",
		  "--timeout", "--idle-timeout", "--output", "--keep-order",
		  "--discard", "--stats", "--version", ":::", "{%}" })
CASE(help_short, ARGS("-h"), .out_has = { "Usage: ringrun" })
CASE(unknown_option, ARGS("--bogus", "x"),
     .err_exact = "ringrun: --bogus: unknown option\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(no_command, .args = { NULL },
     .err_exact = "ringrun: COMMAND: missing\nTry 'ringrun --help'.\n", .status = 2)
CASE(bad_jobs, ARGS("-j", "lots", "true"),
     .err_exact = "ringrun: -j: lots: not a number\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(bad_timeout, ARGS("--timeout", "-1", "true"),
     .err_exact = "ringrun: --timeout: -1: not a number\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(bad_output_mode, ARGS("-o", "xml", "true"),
     .err_exact = "ringrun: -o: xml: unknown mode (group, stream, json, quiet, collate, "
		   "pssh, pssh-inline, pssh-print)\n"
		  "Try 'ringrun --help'.\n",
     .status = 2)
CASE(missing_argument, ARGS("-j"),
     .err_exact = "ringrun: -j: missing argument\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(commands_take_no_command, ARGS("-C", "-", "echo"),
     .err = { "ringrun: -C: takes no COMMAND", "Try 'ringrun --help'.\n" },
     .err_lines = 2, .status = 2)

/* ------------------------------------------------------ closed stdout */

CASE(stdout_closed_group, ARGS("echo hi"), .stdout_closed = true, .status = 141)
CASE(stdout_closed_stream, ARGS("-o", "stream", "yes"), .stdout_closed = true,
     .status = 141)

/* ------------------------------------------------------ json */

CASE(json_fields, ARGS("-o", "json", "-k", "echo {}; echo e >&2; exit {}", ":::", "0", "3"),
     .err_exact = "ringrun: 'echo 3; echo e >&2; exit 3' exited with status 3\n",
     .status = 1,
     .py = "for o in objs: print(o['seq'], o['tag'], o['command'], o['status'],"
	   " o['exit'], o['signal'], repr(o['stdout']), repr(o['stderr']),"
	   " o['stdout_truncated'], o['stderr_truncated'])\n",
     .py_out = "1 0 echo 0; echo e >&2; exit 0 ok 0 None '0\\n' 'e\\n' False False\n"
	       "2 3 echo 3; echo e >&2; exit 3 exit 3 None '3\\n' 'e\\n' False False\n")
CASE(json_signal, ARGS("-o", "json", "kill -9 $$"), .err_lines = 1, .status = 1,
     .py = "o = objs[0]; print(o['status'], o['exit'], o['signal'])\n",
     .py_out = "signaled None 9\n")
CASE(json_spawn_failed, ARGS("-o", "json", "-X", "nosuchcmd-rr"), .err_lines = 1,
     .status = 1,
     .py = "o = objs[0]; print(o['status'], o['exit'], o['signal'], o['duration_ms'])\n",
     .py_out = "spawn-failed None None 0.0\n")
CASE(json_timeout, ARGS("-o", "json", "-t", "0.2", "sleep 10"), .err_lines = 1,
     .status = 1,
     .py = "o = objs[0]; print(o['status'], o['exit'], o['signal'],"
	   " o['duration_ms'] > 150)\n",
     .py_out = "timeout None 15 True\n")
CASE(json_tag_without_input, ARGS("-o", "json", "echo hi"),
     .py = "o = objs[0]; print(o['tag'] + '|' + o['command'])\n",
     .py_out = "echo hi|echo hi\n")
CASE(json_exec_command, ARGS("-o", "json", "-X", "printf", "%s\\n", "{}", ":::", "a b"),
     .py = "o = objs[0]; print(o['tag'] + '|' + o['command'] + '|' + o['stdout'], end='')\n",
     .py_out = "a b|printf '%s\\n' 'a b'|a b\n")
CASE(json_keep_order,
     ARGS("-o", "json", "-k", "-j", "3", "--joblog", "@DIR/log", LAST_FIRST, ":::", "a",
	  "b", "c"),
     .py = "print([o['seq'] for o in objs], [o['stdout'] for o in objs])\n",
     .py_out = "[1, 2, 3] ['a\\n', 'b\\n', 'c\\n']\n")
CASE(json_non_utf8_round_trip,
     ARGS("-o", "json", "printf '\\377\\300\\200ok\\342\\202 \\355\\240\\200 caf\\303\\251'"),
     .py = "print(objs[0]['stdout'].encode('utf-8', 'surrogateescape').hex())\n",
     .py_out = "ffc0806f6be28220eda08020636166c3a9\n")
CASE(json_control_characters,
     ARGS("-o", "json", "-X", "printf", "\\001\\t\"\\\\x\\033\\r\\000"),
     .py = "print(repr(objs[0]['stdout']))\n",
     .py_out = "'\\x01\\t\"\\\\x\\x1b\\r\\x00'\n")
CASE(json_large_binary, ARGS("-o", "json", "head -c 5000000 /dev/urandom"),
     .py = "print(len(objs[0]['stdout'].encode('utf-8', 'surrogateescape')))\n",
     .py_out = "5000000\n")
CASE(json_discard, ARGS("-o", "json", "--discard", "echo out; echo err >&2"),
     .py = "o = objs[0]; print(repr(o['stdout']), repr(o['stderr']))\n",
     .py_out = "'' 'err\\n'\n")
CASE(json_many, ARGS("-o", "json", "-j", "8", "echo {}", ":::", "1", "2", "3", "4",
		     "5", "6", "7", "8", "9", "10", "11", "12"),
     .py = "print(sorted(o['seq'] for o in objs) == list(range(1, 13)),"
	   " all(o['stdout'] == o['tag'] + '\\n' for o in objs))\n",
     .py_out = "True True\n")

/* ------------------------------------------------------ fleet usage */

CASE(help_fleet, ARGS("--help"),
     .out_has = { "--hosts LIST", "--hostfile FILE", "--user USER", "--port PORT",
		  "--identity FILE", "--no-agent", "--password-env VAR",
		  "--password-file FILE", "--known-hosts FILE", "--host-key-check",
		  "--connect-timeout SEC", "--per-host N", "---- TAG ----",
		  "3 some host unreachable" })
CASE(fleet_option_needs_hosts, ARGS("-l", "root", "true"),
     .err_exact = "ringrun: -l: needs hosts (-w, -g or --hostfile)\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(fleet_bad_host, ARGS("-w", "web1,web:0", "true"),
     .err_exact = "ringrun: -w: 'web:0': port must be 1 to 65535\n"
		  "Try 'ringrun --help'.\n",
     .status = 2)
CASE(fleet_no_exec, ARGS("-w", "web1", "-X", "true"),
     .err_exact = "ringrun: -X: cannot be combined with hosts: remote commands run "
		  "through the login shell\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(fleet_identity_missing, ARGS("-w", "web1", "-i", "/nonexistent/rr-key", "true"),
     .err_exact = "ringrun: -i: /nonexistent/rr-key: No such file or directory\n",
     .status = 2)
CASE(fleet_password_file_missing,
     ARGS("-w", "web1", "--password-file", "/nonexistent/rr-pw", "true"),
     .err_exact = "ringrun: --password-file: /nonexistent/rr-pw: No such file or "
		  "directory\n",
     .status = 2)
CASE(fleet_password_env_unset,
     ARGS("-w", "web1", "--password-env", "RR_TEST_NO_SUCH_VARIABLE", "true"),
     .err_exact = "ringrun: --password-env: RR_TEST_NO_SUCH_VARIABLE: not set\n",
     .status = 2)
CASE(fleet_hostfile_stdin_taken, ARGS("--hostfile", "-", "-a", "-", "echo"),
     .err_exact = "ringrun: --hostfile: stdin is already the input of -a\n"
		  "Try 'ringrun --help'.\n",
     .status = 2)
CASE(fleet_empty_hostfile_runs_nothing, ARGS("--hostfile", "/dev/null", "echo"),
     .out = "")
CASE(fleet_identity_directory, ARGS("-w", "web1", "-i", "/", "true"),
     .err_exact = "ringrun: -i: /: Is a directory\n", .status = 2)
