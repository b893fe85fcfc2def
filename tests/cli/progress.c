/*
 * The progress line, the summary, --failed and colour, with ringrun's
 * stderr on a pseudo-terminal (and on pipes, where they stay off).
 *
 * What a terminal shows is checked by replaying the bytes as a terminal
 * would ("\r", erase to the end of the line, newlines): the progress line
 * must leave nothing behind and never tear another line.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname, pipe2 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

#define PTY_TIMEOUT_MS HANG_GUARD_MS

struct pty_result {
	char *out, *err; /* err: what the terminal got */
	int status;
};

/* A terminal 200 columns wide, bytes passed as they are (no \n -> \r\n). */
static void open_pty(int *master, int *slave)
{
	struct termios t;
	struct winsize ws = { .ws_row = 24, .ws_col = 200 };

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert(*master >= 0 && grantpt(*master) == 0 && unlockpt(*master) == 0);
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(*slave, 0);
	cr_assert_eq(tcgetattr(*slave, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	cr_assert_eq(tcsetattr(*slave, TCSANOW, &t), 0);
	cr_assert_eq(ioctl(*slave, TIOCSWINSZ, &ws), 0);
}

static void child(const char *const argv[], int out, int err, const char *no_color)
{
	int null = open("/dev/null", O_RDONLY);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || null < 0)
		_exit(127);
	dup2(null, 0);
	dup2(out, 1);
	dup2(err, 2);
	if (no_color)
		setenv("NO_COLOR", no_color, 1);
	else
		unsetenv("NO_COLOR");
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* Read fd into *s until EOF (a terminal whose other side is closed: EIO). */
static void take(int *fd, char **s, size_t *len)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof chunk);

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	*s = realloc(*s, *len + (size_t)n + 1);
	memcpy(*s + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*s)[*len] = '\0';
}

/*
 * ringrun with args (NULL-terminated); its stderr, and its stdout when
 * both, on a terminal.  no_color: NO_COLOR's value, NULL: unset.
 */
static void run_pty(const char *const args[], bool both, const char *no_color,
		    struct pty_result *r)
{
	const char *argv[40] = { ringrun_bin() };
	int master, slave, out[2];
	size_t out_len = 0, err_len = 0;
	long long deadline = now_ms() + PTY_TIMEOUT_MS;
	int status;

	for (size_t k = 0; args[k]; k++) {
		cr_assert_lt(k + 2, sizeof argv / sizeof argv[0]);
		argv[k + 1] = args[k];
	}
	open_pty(&master, &slave);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	*r = (struct pty_result){ .out = calloc(1, 1), .err = calloc(1, 1) };
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		child(argv, both ? slave : out[1], slave, no_color);
	close(slave);
	close(out[1]);
	while (master >= 0 || out[0] >= 0) {
		struct pollfd fds[2] = { { .fd = master, .events = POLLIN },
					 { .fd = out[0], .events = POLLIN } };
		long long left = deadline - now_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			cr_assert_fail("ringrun ran longer than %d ms", PTY_TIMEOUT_MS);
		}
		if (poll(fds, 2, (int)left) <= 0)
			continue;
		if (fds[0].revents)
			take(&master, &r->err, &err_len);
		if (fds[1].revents)
			take(&out[0], &r->out, &out_len);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void pty_result_free(struct pty_result *r)
{
	free(r->out);
	free(r->err);
}

/*
 * What a terminal shows after bytes s: each finished line with its
 * newline, then the unfinished one.  "\r" goes back to the first column,
 * ESC [ K erases from the cursor to the end of the line, colours are
 * dropped; any other escape fails the test.
 */
static char *screen(const char *s)
{
	char line[4096], *shown;
	size_t len = 0, col = 0, size;
	FILE *f = open_memstream(&shown, &size);

	for (; *s; s++) {
		if (*s == '\r') {
			col = 0;
		} else if (*s == '\n') {
			fprintf(f, "%.*s\n", (int)len, line);
			len = col = 0;
		} else if (*s == '\033') {
			size_t n = strspn(s + 2, "0123456789;");

			cr_assert(s[1] == '[' && (s[2 + n] == 'K' || s[2 + n] == 'm'),
				  "unexpected escape: %.8s", s);
			if (s[2 + n] == 'K')
				len = col;
			s += 2 + n;
		} else {
			cr_assert_lt(col, sizeof line);
			line[col++] = *s;
			len = col > len ? col : len;
		}
	}
	fprintf(f, "%.*s", (int)len, line);
	fclose(f);
	return shown;
}

static void expect_screen(const struct pty_result *r, const char *want)
{
	char *got = screen(r->err);

	cr_assert_str_eq(got, want, "the terminal got: %s", r->err);
	free(got);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Six tasks of 0.15 s two at a time: the line is redrawn in place several
   times, then erased and the summary takes its place. */
Test(cli_progress, redrawn_then_summary, .timeout = TEST_TIMEOUT)
{
	struct pty_result r;

	run_pty(ARGV("--color=never", "-j", "2", ": {}; sleep 0.15", ":::", "1", "2", "3",
		     "4", "5", "6"), false, NULL, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_geq(count(r.err, "\rringrun: "), 2, "too few draws: %s", r.err);
	cr_assert_eq(count(r.err, "\rringrun: "), count(r.err, "/6 done, "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, " running, 0 failed, "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "/s, ETA "), "%s", r.err);
	size_t len = strlen(r.err);
	const char *end = "\r\033[Kringrun: 6 tasks: 6 ok\n";
	cr_assert(len > strlen(end) && strcmp(r.err + len - strlen(end), end) == 0,
		  "not erased and replaced by the summary: %s", r.err);
	expect_screen(&r, "ringrun: 6 tasks: 6 ok\n");
	pty_result_free(&r);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s sorted, each with its newline (s is changed). */
static char *sorted_lines(char *s)
{
	char *lines[64], *save = NULL, *sorted;
	size_t n = 0, size;
	FILE *f = open_memstream(&sorted, &size);

	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_assert_lt(n, 64);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof *lines, by_text);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s\n", lines[k]);
	fclose(f);
	return sorted;
}

/*
 * Failure lines and the tasks' own output, on the same terminal as the
 * progress line: each line whole, nothing of the progress line left, the
 * summary last.  (Which of stdout and stderr is written first in a turn
 * is not the point: the lines are compared as a set.)
 */
Test(cli_progress, other_lines_never_torn, .timeout = TEST_TIMEOUT)
{
	struct pty_result r;
	const char *summary = "ringrun: 4 tasks: 2 ok, 2 failed\n";

	run_pty(ARGV("--color=never", "-j", "2",
		     "sleep 0.15; echo out {}; echo err {} >&2; exit {}", ":::", "0", "1",
		     "0", "2"), true, NULL, &r);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_geq(count(r.err, "\rringrun: "), 2, "too few draws: %s", r.err);
	char *shown = screen(r.err);
	size_t len = strlen(shown);
	cr_assert(len > strlen(summary) &&
		  strcmp(shown + len - strlen(summary), summary) == 0,
		  "the summary is not last: %s", shown);
	char *got = sorted_lines(shown);
	cr_assert_str_eq(got, "err 0\nerr 0\nerr 1\nerr 2\nout 0\nout 0\nout 1\nout 2\n"
			      "ringrun: 'sleep 0.15; echo out 1; echo err 1 >&2; exit 1' "
			      "exited with status 1\n"
			      "ringrun: 'sleep 0.15; echo out 2; echo err 2 >&2; exit 2' "
			      "exited with status 2\n"
			      "ringrun: 4 tasks: 2 ok, 2 failed\n", "the terminal got: %s", r.err);
	free(got);
	free(shown);
	pty_result_free(&r);
}

Test(cli_progress, no_progress_on_a_terminal, .timeout = TEST_TIMEOUT)
{
	struct pty_result r;

	run_pty(ARGV("--no-progress", "--color=never", "-j", "2", ": {}; sleep 0.15",
		     ":::", "1", "2", "3", "4"), false, NULL, &r);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.err, "ringrun: 4 tasks: 4 ok\n");
	pty_result_free(&r);
}

Test(cli_progress, no_summary_on_a_terminal, .timeout = TEST_TIMEOUT)
{
	struct pty_result r;

	run_pty(ARGV("--no-summary", "--no-progress", "exit {}", ":::", "0", "3"), false,
		NULL, &r);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "ringrun: \033[31m'exit 3' exited with status 3\033[0m\n");
	pty_result_free(&r);
}

/* On a terminal, colour unless NO_COLOR (not empty) or --color=never;
   --color=always wins over NO_COLOR. */
#define PAINTED "ringrun: \033[31m'exit 3' exited with status 3\033[0m\n" \
		"ringrun: 1 task: 0 ok, \033[31m1 failed\033[0m\n"
#define PLAIN "ringrun: 'exit 3' exited with status 3\nringrun: 1 task: 0 ok, 1 failed\n"

static void expect_colour(const char *flag, const char *no_color, const char *want)
{
	struct pty_result r;

	run_pty(flag ? ARGV("--no-progress", flag, "exit 3") : ARGV("--no-progress", "exit 3"),
		false, no_color, &r);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, want, "%s NO_COLOR=%s", flag ? flag : "(auto)",
			 no_color ? no_color : "(unset)");
	pty_result_free(&r);
}

Test(cli_progress, colour, .timeout = TEST_TIMEOUT)
{
	expect_colour(NULL, NULL, PAINTED);
	expect_colour(NULL, "", PAINTED);
	expect_colour(NULL, "1", PLAIN);
	expect_colour("--color=never", NULL, PLAIN);
	expect_colour("--color=always", "1", PAINTED);
	expect_colour("--color=auto", "yes", PLAIN);
}

/* The progress line in colour: failures red. */
Test(cli_progress, colour_in_the_progress_line, .timeout = TEST_TIMEOUT)
{
	struct pty_result r;

	run_pty(ARGV("--color=always", "-j", "1", "sleep 0.15; exit {}", ":::", "1", "0",
		     "0"), false, NULL, &r);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, ", \033[31m1 failed\033[0m, "), "%s", r.err);
	expect_screen(&r, "ringrun: 'sleep 0.15; exit 1' exited with status 1\n"
			  "ringrun: 3 tasks: 2 ok, 1 failed\n");
	pty_result_free(&r);
}

/* ------------------------------------------------------ on pipes */

#define ARGS(...) .args = { __VA_ARGS__, NULL }
#define PIPE_CASE(name, ...)                                            \
	Test(cli_progress, name, .timeout = TEST_TIMEOUT)               \
	{                                                               \
		check_case(&(const struct cli_case){ __VA_ARGS__ });    \
	}

PIPE_CASE(nothing_on_a_pipe, ARGS("-j", "2", ": {}; sleep 0.15", ":::", "1", "2", "3"))
PIPE_CASE(only_failure_lines_on_a_pipe, ARGS("-k", "exit {}", ":::", "0", "4"),
	  .err_exact = "ringrun: 'exit 4' exited with status 4\n", .status = 1)
PIPE_CASE(summary_on_a_pipe, ARGS("--summary", "-k", "exit {}", ":::", "0", "4", "0"),
	  .err_exact = "ringrun: 'exit 4' exited with status 4\n"
		       "ringrun: 3 tasks: 2 ok, 1 failed\n",
	  .status = 1)
PIPE_CASE(colour_always_on_a_pipe, ARGS("--color=always", "exit 4"),
	  .err_exact = "ringrun: \033[31m'exit 4' exited with status 4\033[0m\n", .status = 1)
PIPE_CASE(bad_color, ARGS("--color=sometimes", "true"),
	  .err_exact = "ringrun: --color: sometimes: unknown value (auto, always, never)\n"
		       "Try 'ringrun --help'.\n",
	  .status = 2)
PIPE_CASE(color_missing_argument, ARGS("--color"),
	  .err_exact = "ringrun: --color: missing argument\nTry 'ringrun --help'.\n",
	  .status = 2)
PIPE_CASE(progress_takes_no_argument, ARGS("--progress=yes", "true"),
	  .err_exact = "ringrun: --progress: takes no argument\nTry 'ringrun --help'.\n",
	  .status = 2)
PIPE_CASE(failed_twice, ARGS("--failed", "a", "--failed", "b", "true"),
	  .err_exact = "ringrun: --failed: given twice\nTry 'ringrun --help'.\n", .status = 2)
PIPE_CASE(failed_unwritable, ARGS("--failed", "/nonexistent/rr-dir/failed", "true"),
	  .err_exact = "ringrun: --failed: /nonexistent/rr-dir/failed: No such file or "
		       "directory\n",
	  .status = 2)
PIPE_CASE(failed_directory, ARGS("--failed", "/", "true"),
	  .err_exact = "ringrun: --failed: /: Is a directory\n", .status = 2)

/* Forced on a pipe: a line of its own at most once a second, no escapes. */
Test(cli_progress, forced_on_a_pipe, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "--progress", "-j", "1", ": {}; sleep 0.7", ":::", "1", "2",
			       NULL };
	struct proc_result r;
	char *save = NULL, *line;
	int lines = 0;

	long long t0 = now_ms();
	run_ringrun(args, NULL, 0, false, &r);
	long long took = now_ms() - t0;
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_null(strpbrk(r.err, "\r\033"), "%s", r.err);
	for (line = strtok_r(r.err, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "/2 done, "))
			break;
		lines++;
	}
	cr_assert_geq(lines, 1, "no progress line");
	cr_assert_leq(lines, took / 1000, "%d lines in %lld ms", lines, took);
	cr_assert_str_eq(line, "ringrun: 2 tasks: 2 ok");
	cr_assert_null(strtok_r(NULL, "\n", &save));
	proc_result_free(&r);
}

/* ------------------------------------------------------ --failed */

static void make_dir(void)
{
	cli_dir_up("progress");
}

/* DIR/name holds exactly want. */
static void expect_file(const char *name, const char *want)
{
	char *got = cli_slurp(name);

	cr_assert_not_null(got, "@DIR/%s is missing", name);
	cr_assert_str_eq(got, want, "@DIR/%s", name);
	free(got);
}

static void run_quiet(const char *const args[], int status)
{
	struct proc_result r;

	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, status, "stderr: %s", r.err);
	proc_result_free(&r);
}

/* The failed inputs in input order, whatever order they ended in; -a
   reads the file back, and may be the very file --failed rewrites. */
Test(cli_progress, failed_inputs, .init = make_dir, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	run_quiet(ARGV("--failed", cli_expand("@DIR/failed"), "-j", "4",
		       "sleep 0.$(( 9 - {#} )); test {} = ok", ":::", "a b", "ok", "c", "ok",
		       "d"), 1);
	expect_file("failed", "a b\nc\nd\n");
	run_quiet(ARGV("-a", cli_expand("@DIR/failed"), "--failed", cli_expand("@DIR/failed"),
		       "test {} != c"), 1);
	expect_file("failed", "c\n");
}

/* Nothing failed: the file is emptied. */
Test(cli_progress, failed_none, .init = make_dir, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	cli_write_file("failed", "stale\nlist\n");
	run_quiet(ARGV("--failed", cli_expand("@DIR/failed"), "true", ":::", "a", "b"), 0);
	expect_file("failed", "");
}

/* -C: the failed command lines, for -C to run again. */
Test(cli_progress, failed_commands, .init = make_dir, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	cli_write_file("cmds", "true\nexit 3\necho hi\nfalse\n");
	run_quiet(ARGV("--failed", cli_expand("@DIR/failed"), "-o", "quiet", "-C",
		       cli_expand("@DIR/cmds")), 1);
	expect_file("failed", "exit 3\nfalse\n");
}

/* A job of several arguments (several sources, -n): one line, the
   arguments separated by tabs, which --colsep '\t' reads back as the same
   jobs; --tagstring changes nothing of it. */
Test(cli_progress, failed_several_arguments, .init = make_dir, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *cmd = "printf '%s\\n' {2}-{1} >>@DIR/ran; test {2} != 2";

	run_quiet(ARGV("--failed", cli_expand("@DIR/failed"), "-o", "quiet",
		       "--tagstring", "T", cli_expand(cmd), ":::", "a b", "c", ":::", "1",
		       "2"), 1);
	expect_file("failed", "a b\t2\nc\t2\n");
	cli_write_file("ran", "");
	run_quiet(ARGV("--colsep", "\\t", "-a", cli_expand("@DIR/failed"), "-o", "quiet",
		       "-k", "-j", "1", cli_expand(cmd)), 1);
	expect_file("ran", "2-a b\n2-c\n");
	run_quiet(ARGV("--failed", cli_expand("@DIR/failed"), "-o", "quiet", "-n", "2",
		       "test {1} != x", ":::", "a", "b", "x", "y", "z"), 1);
	expect_file("failed", "x\ty\n");
}
