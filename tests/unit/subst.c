/* cli/subst.c: replacement strings and shell quoting. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs/subst.h"

static char *expand(const char *tmpl, const char *line, bool quote)
{
	struct subst v = { line, strlen(line), 42, 3 };
	struct buf b = BUF_INIT;

	subst_expand(&b, tmpl, &v, quote);
	return buf_detach(&b);
}

static void expect(const char *tmpl, const char *line, const char *want)
{
	char *got = expand(tmpl, line, false);

	cr_assert_str_eq(got, want, "%s with \"%s\"", tmpl, line);
	free(got);
}

Test(unit_subst, present)
{
	const char *yes[] = { "{}", "echo {}", "x{.}", "{/}", "{//}", "{/.}",
			      "{#}", "a{%}b", "{{}}", NULL };
	const char *no[] = { "", "echo", "{", "}", "{ }", "{x}", "{..}", "{/./}",
			     "{#", "%}", "{{", NULL };

	for (const char **s = yes; *s; s++)
		cr_assert(subst_present(*s), "%s", *s);
	for (const char **s = no; *s; s++)
		cr_assert_not(subst_present(*s), "%s", *s);
}

Test(unit_subst, every_string)
{
	const char *line = "dir/sub/file.tar.gz";

	expect("{}", line, "dir/sub/file.tar.gz");
	expect("{.}", line, "dir/sub/file.tar");
	expect("{/}", line, "file.tar.gz");
	expect("{//}", line, "dir/sub");
	expect("{/.}", line, "file.tar");
	expect("{#}", line, "42");
	expect("{%}", line, "3");
}

/* Each row as GNU parallel 20221122 prints {.} {/} {//} {/.} for it. */
Test(unit_subst, paths_like_gnu_parallel)
{
	static const char *const rows[][5] = {
		{ ".bashrc", "", ".bashrc", ".", "" },
		{ "a/b.c", "a/b", "b.c", "a", "b" },
		{ "a.b/c", "a.b/c", "c", "a.b", "c" },
		{ "foo.", "foo", "foo.", ".", "foo" },
		{ "a/b/", "a/b/", "", "a", "" },
		{ "/", "/", "", "/", "" },
		{ "a//b.x", "a//b", "b.x", "a", "b" },
		{ "", "", "", ".", "" },
		{ "a.tar.gz", "a.tar", "a.tar.gz", ".", "a.tar" },
		{ "/x.y", "/x", "x.y", "/", "x" },
		{ "./a", "./a", "a", ".", "a" },
		{ "a/.b", "a/", ".b", "a", "" },
		{ "dir/", "dir/", "", ".", "" },
		{ "a.b.", "a.b", "a.b.", ".", "a.b" },
		{ "//a", "//a", "a", "/", "a" },
		{ "a b/c d.e f", "a b/c d", "c d.e f", "a b", "c d" },
	};

	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		expect("{.}", rows[k][0], rows[k][1]);
		expect("{/}", rows[k][0], rows[k][2]);
		expect("{//}", rows[k][0], rows[k][3]);
		expect("{/.}", rows[k][0], rows[k][4]);
	}
}

Test(unit_subst, around_text)
{
	expect("x{}y", "a", "xay");
	expect("{}-{}-{#}", "a", "a-a-42");
	expect("{{}}", "a", "{a}");
	expect("{x}{}{", "a", "{x}a{");
	expect("no strings here", "a", "no strings here");
	expect("{}", "", "");
	expect("[{}]", "", "[]");
	expect("{/}{//}", "p/q", "qp");
}

Test(unit_subst, quoted_values)
{
	struct subst v = { "it's a/b c", 10, 7, 2 };
	struct buf b = BUF_INIT;

	subst_expand(&b, "echo {} {/} {#} {%}", &v, true);
	cr_assert_str_eq(b.data, "echo 'it'\"'\"'s a/b c' 'b c' 7 2");
	buf_free(&b);
	char *empty = expand("echo {}", "", true);
	cr_assert_str_eq(empty, "echo ''");
	free(empty);
}

Test(unit_subst, shell_command)
{
	struct subst v = { "a b", 3, 1, 1 };
	struct buf b = BUF_INIT;

	subst_shell(&b, "echo", false, &v);
	cr_assert_str_eq(b.data, "echo 'a b'");
	buf_reset(&b);
	subst_shell(&b, "echo {} x", true, &v);
	cr_assert_str_eq(b.data, "echo 'a b' x");
	buf_reset(&b);
	/* {#} alone counts: nothing is appended (as GNU parallel). */
	subst_shell(&b, "echo {#}", true, &v);
	cr_assert_str_eq(b.data, "echo 1");
	buf_free(&b);
}

Test(unit_subst, argv_words)
{
	char w0[] = "printf", w1[] = "%s|", w2[] = "<{}>", w3[] = "{#}";
	char *const words[] = { w0, w1, w2, w3 };
	struct subst v = { "a b", 3, 5, 1 };
	char **argv = subst_argv(words, 4, true, &v);

	cr_assert_str_eq(argv[0], "printf");
	cr_assert_str_eq(argv[1], "%s|");
	cr_assert_str_eq(argv[2], "<a b>");
	cr_assert_str_eq(argv[3], "5");
	cr_assert_null(argv[4]);
	free(argv);

	argv = subst_argv(words, 2, false, &v); /* appended as one word */
	cr_assert_str_eq(argv[1], "%s|");
	cr_assert_str_eq(argv[2], "a b");
	cr_assert_null(argv[3]);
	free(argv);

	argv = subst_argv(words, 3, true, NULL); /* no input: as written */
	cr_assert_str_eq(argv[2], "<{}>");
	cr_assert_null(argv[3]);
	free(argv);

	struct subst empty = { "", 0, 1, 1 };
	argv = subst_argv(words, 1, false, &empty);
	cr_assert_str_eq(argv[1], "");
	cr_assert_null(argv[2]);
	free(argv);
}

/* A packed input (combine.h): three arguments, the last empty. */
static const char packed[] = "d/a.b c\0x/y.z\0";
#define PACKED { packed, sizeof packed - 1, 9, 1 }

Test(unit_subst, positional)
{
	const char *yes[] = { "{1}", "{2.}", "{-1}", "{-2/}", "{3//}", "{1/.}",
			      "{12}", "{01}", "x{1}y", NULL };
	const char *no[] = { "{0}", "{-0}", "{-}", "{1#}", "{1%}", "{1 }",
			     "{+1}", "{1..}", "{99999999999}", "{1", NULL };
	const struct subst v = PACKED;
	struct buf b = BUF_INIT;

	for (const char **s = yes; *s; s++)
		cr_assert(subst_present(*s), "%s", *s);
	for (const char **s = no; *s; s++)
		cr_assert_not(subst_present(*s), "%s", *s);
	subst_expand(&b, "{1}|{2}|{3}|{4}|{-1}|{-3}|{-4}|{1.}|{2/}|{2//}|{2/.}",
		     &v, false);
	cr_assert_str_eq(b.data, "d/a.b c|x/y.z||||d/a.b c||d/a|y.z|x|y");
	buf_reset(&b);
	/* Each argument quoted alone; one that is not there is nothing. */
	subst_expand(&b, "e {} {1} {3} {4} {.}", &v, true);
	cr_assert_str_eq(b.data, "e 'd/a.b c' x/y.z '' 'd/a.b c' ''  "
			 "d/a x/y ''");
	buf_free(&b);
}

Test(unit_subst, packed_appended)
{
	const struct subst v = PACKED;
	char w0[] = "echo", w1[] = "{}", w2[] = "<{}>";
	char *const words[] = { w0, w1, w2 };
	struct buf b = BUF_INIT;
	char **argv;

	subst_shell(&b, "echo", false, &v);
	cr_assert_str_eq(b.data, "echo 'd/a.b c' x/y.z ''");
	buf_free(&b);
	argv = subst_argv(words, 1, false, &v); /* a word per argument */
	cr_assert_str_eq(argv[1], "d/a.b c");
	cr_assert_str_eq(argv[2], "x/y.z");
	cr_assert_str_eq(argv[3], "");
	cr_assert_null(argv[4]);
	free(argv);
	/* {} alone: a word per argument; inside a word: joined by spaces. */
	argv = subst_argv(words, 3, true, &v);
	cr_assert_str_eq(argv[1], "d/a.b c");
	cr_assert_str_eq(argv[2], "x/y.z");
	cr_assert_str_eq(argv[3], "");
	cr_assert_str_eq(argv[4], "<d/a.b c x/y.z >");
	cr_assert_null(argv[5]);
	free(argv);
}

/* What shell -c cmd writes, at most size - 1 bytes, NUL-terminated. */
static size_t run_shell(const char *shell, const char *cmd, char *got,
			size_t size)
{
	int fd[2], status;
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp(shell, shell, "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (n < size - 1 && (r = read(fd[0], got + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "%s -c %s", shell, cmd);
	got[n] = '\0';
	return n;
}

/* What each POSIX shell (a remote login shell may be any of them) makes of
   "printf %s QUOTED": must be s, byte for byte. */
static void expect_round_trip(const char *s)
{
	static const char *const shells[] = { "sh", "dash", "bash" };
	struct buf cmd = BUF_INIT;
	char got[4096];

	buf_adds(&cmd, "printf %s ");
	shell_quote(&cmd, s, strlen(s));
	for (size_t k = 0; k < sizeof shells / sizeof *shells; k++) {
		size_t n = run_shell(shells[k], cmd.data, got, sizeof got);

		cr_assert_eq(n, strlen(s), "%s: %s -> %s", shells[k], cmd.data, got);
		cr_assert_str_eq(got, s, "%s: %s", shells[k], cmd.data);
	}
	buf_free(&cmd);
}

Test(unit_quote, round_trip_through_sh)
{
	const char *nasty[] = {
		"", "plain", "two words", "it's", "''", "'\\''", "\"dq\"",
		"$HOME", "${x:-y}", "`id`", "$(id)", "a\\b", "\\", "*", "?[a]",
		"~", "a;b", "a|b&c", "<>", "#x", "-n", "%s%d", "line\nbreak",
		"tab\there", "\x01\x7f", "\xff\xfe caf\xc3\xa9", "!event", "{a,b}",
		"   ", "'\"'\"'", "'", "'a", "a'", "a''b", "'''", "=", "a=b",
		NULL,
	};

	for (const char **s = nasty; *s; s++)
		expect_round_trip(*s);
}

Test(unit_quote, exact_form)
{
	struct buf b = BUF_INIT;

	shell_quote(&b, "a'b", 3);
	cr_assert_str_eq(b.data, "'a'\"'\"'b'");
	buf_reset(&b);
	shell_quote(&b, "'a''", 4); /* no '' left at either end */
	cr_assert_str_eq(b.data, "\"'\"'a'\"'\"''\"'\"");
	buf_reset(&b);
	shell_quote(&b, "'", 1);
	cr_assert_str_eq(b.data, "\"'\"");
	buf_reset(&b);
	shell_quote(&b, "", 0);
	cr_assert_str_eq(b.data, "''");
	buf_free(&b);
}

Test(unit_quote, only_when_needed)
{
	static const char *const rows[][2] = {
		{ "printf", "printf" }, { "/usr/bin/x-y_z.1", "/usr/bin/x-y_z.1" },
		{ "b-c_d.e+f", "b-c_d.e+f" }, { "a,b", "'a,b'" }, { "a:b", "'a:b'" },
		{ "a@b", "'a@b'" }, { "a%b", "'a%b'" }, { "caf\xc3\xa9", "'caf\xc3\xa9'" },
		{ "a=b", "'a=b'" }, { "", "''" }, { "a b", "'a b'" },
		{ "it's", "'it'\"'\"'s'" }, { "$x", "'$x'" },
		{ "*", "'*'" }, { "%s\\n", "'%s\\n'" },
	};
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		buf_reset(&b);
		shell_quote(&b, rows[k][0], strlen(rows[k][0]));
		cr_assert_str_eq(b.data, rows[k][1]);
	}
	buf_free(&b);
}
