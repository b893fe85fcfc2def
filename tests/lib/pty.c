/* pty.c - RR_F_PTY: the child's terminal, its size and TERM, resizing,
 * stdin through it, a kill, and no fd left behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_pty, .timeout = TEST_TIMEOUT);

/* The capture without the \r a terminal puts before each \n. */
static char *plain(const struct rr_capture *c)
{
	char *s = malloc(c->len + 1), *d = s;

	cr_assert(s);
	for (size_t i = 0; i < c->len; i++)
		if (c->data[i] != '\r')
			*d++ = c->data[i];
	*d = '\0';
	return s;
}

static void expect_output(const struct rr_result *r, const char *want)
{
	char *got = plain(&r->out);

	expect_status(r, RR_OK, 0);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(lib_pty, tty_is_a_pts)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_PTY};
	const struct rr_result *r = run_shell(loop, "tty", &o);
	char *got = plain(&r->out);
	unsigned n;
	char end;

	expect_status(r, RR_OK, 0);
	cr_assert_eq(sscanf(got, "/dev/pts/%u%c", &n, &end), 2, "tty said: %s", got);
	cr_assert_eq(end, '\n');
	free(got);
	free_loop(loop);
}

/* One stream: stderr arrives on it too, whatever stderr_mode says. */
Test(lib_pty, size_default_and_given_one_stream)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts dflt = {.flags = RR_F_PTY, .stderr_mode = RR_IO_DISCARD};
	struct rr_pty pty = {.rows = 33, .cols = 101};
	struct rr_opts given = {.flags = RR_F_PTY, .pty = &pty};

	expect_output(run_shell(loop, "stty size >&2", &dflt), "24 80\n");
	const struct rr_result *r = run_shell(loop, "stty size", &given);
	expect_output(r, "33 101\n");
	cr_assert_eq(r->err.len, 0);
	free_loop(loop);
}

struct resize {
	int lines;
	char second[32];
};

/* After the first size: resize, then the line that lets it ask again. */
static void resize_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct resize *rs = u;

	cr_assert_eq(s, RR_STDOUT);
	if (n && d[n - 1] == '\r')
		n--;
	if (n == 0) /* the terminal's echo of the empty line */
		return;
	if (++rs->lines == 1) {
		cr_assert(n == 5 && memcmp(d, "24 80", 5) == 0, "first: %.*s", (int)n, d);
		cr_assert_eq(rr_task_resize(t, 50, 132), 0);
		cr_assert_eq(rr_task_write(t, "\n", 1), 0);
	} else {
		snprintf(rs->second, sizeof rs->second, "%.*s", (int)n, d);
		cr_assert_eq(rr_task_close_stdin(t), 0);
	}
}

Test(lib_pty, resize_while_running)
{
	rr_loop *loop = loop_new(0, 0);
	struct resize rs = {0};
	struct rr_opts o = {.flags = RR_F_PTY | RR_F_STDIN_PIPE, .on_line = resize_line,
			    .user = &rs};
	const struct rr_result *r = run_shell(loop, "stty size; read x; stty size", &o);

	expect_status(r, RR_OK, 0);
	cr_assert_eq(rs.lines, 2);
	cr_assert_str_eq(rs.second, "50 132");
	free_loop(loop);
}

/* A resize before the start is the size it starts with; the API's
 * refusals. */
Test(lib_pty, resize_queued_and_refusals)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_PTY};
	rr_task *t = shell_task(loop, "stty size", &o);
	rr_task *plain_task = shell_task(loop, "true", NULL);

	cr_assert_eq(rr_task_resize(t, 40, 90), 0);
	cr_assert_eq(rr_task_resize(t, 0, 90), -EINVAL);
	cr_assert_eq(rr_task_resize(t, 40, 0), -EINVAL);
	cr_assert_eq(rr_task_resize(plain_task, 40, 90), -EINVAL);
	cr_assert_eq(rr_task_resize(NULL, 40, 90), -EINVAL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_output(rr_task_result(t), "40 90\n");
	cr_assert_eq(rr_task_resize(t, 40, 90), -ESRCH);
	free_loop(loop);
}

Test(lib_pty, term_given_and_default)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_pty pty = {.term = "vt100-rrtest"};
	struct rr_opts o = {.flags = RR_F_PTY, .pty = &pty};
	const char *env[] = {"TERM=from-env", NULL};
	struct rr_opts over = {.flags = RR_F_PTY, .pty = &pty, .env = env};
	struct rr_opts dflt = {.flags = RR_F_PTY};

	expect_output(run_shell(loop, "echo $TERM", &o), "vt100-rrtest\n");
	expect_output(run_shell(loop, "echo $TERM", &over), "vt100-rrtest\n");
	setenv("TERM", "host-term-rr", 1);
	expect_output(run_shell(loop, "echo $TERM", &dflt), "host-term-rr\n");
	unsetenv("TERM");
	expect_output(run_shell(loop, "echo $TERM", &dflt), "dumb\n");
	free_loop(loop);
}

/* The child leads a session of its own with the terminal as its
 * controlling one: its group is its pid, and /dev/tty opens. */
Test(lib_pty, own_session_controlling_terminal)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_PTY};
	const struct rr_result *r =
		run_shell(loop, "cut -d\" \" -f1,5,6 /proc/$$/stat; echo ok >/dev/tty", &o);
	char *got = plain(&r->out);
	long pid, pgid, sid;

	expect_status(r, RR_OK, 0);
	cr_assert_eq(sscanf(got, "%ld %ld %ld", &pid, &pgid, &sid), 3, "stat said: %s", got);
	cr_assert_eq(pid, r->pid);
	cr_assert_eq(pgid, r->pid);
	cr_assert_eq(sid, r->pid);
	cr_assert(strstr(got, "\nok\n"), "/dev/tty: %s", got);
	free(got);
	free_loop(loop);
}

/* stdin_data without RR_F_STDIN_PIPE is followed by the EOF character;
 * with no stdin at all the terminal gives EOF at once, as /dev/null would. */
Test(lib_pty, stdin_data_then_eof_and_no_stdin_is_eof)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_PTY, .stdin_data = "hello\n", .stdin_len = 6};
	struct rr_opts none = {.flags = RR_F_PTY};

	/* The terminal echoes the line, then cat writes it. */
	expect_output(run_shell(loop, "cat; echo end", &o), "hello\nhello\nend\n");
	expect_output(run_shell(loop, "read x; echo \"read $?\"", &none), "read 1\n");
	free_loop(loop);
}

static void kill_on_ready(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s;
	if (n >= 5 && memcmp(d, "ready", 5) == 0)
		*(int *)u = rr_task_kill(t, SIGTERM);
}

Test(lib_pty, killed_task_is_cancelled)
{
	rr_loop *loop = loop_new(0, 0);
	int rc = 99;
	struct rr_opts o = {.flags = RR_F_PTY, .on_line = kill_on_ready, .user = &rc,
			    .kill_grace_ms = 30000};
	const struct rr_result *r = run_shell(loop, "echo ready; sleep 7201", &o);

	cr_assert_eq(rc, 0);
	expect_status_only(r, RR_CANCELLED);
	cr_assert_eq(r->exit_code, -SIGTERM);
	expect_no_children();
	free_loop(loop);
}

/* Many pty tasks, some with stdin, some killed: fds come back to where
 * they were. */
Test(lib_pty, no_fd_left)
{
	int before_loop = count_fds();
	rr_loop *loop = loop_new(8, 0);
	int done = 0, rc = 0;

	for (int i = 0; i < 60; i++) {
		struct rr_opts o = {.flags = RR_F_PTY, .on_done = count_done, .user = &done};

		if (i % 3 == 1) {
			o.flags |= RR_F_STDIN_PIPE;
			rr_task *t = shell_task(loop, "cat", &o);
			cr_assert_eq(rr_task_write(t, "x\n", 2), 0);
			cr_assert_eq(rr_task_close_stdin(t), 0);
		} else if (i % 3 == 2) {
			o.on_line = kill_on_ready;
			o.user = &rc;
			o.on_done = NULL;
			shell_task(loop, "echo ready; sleep 7202", &o);
		} else {
			shell_task(loop, "tty", &o);
		}
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 40);
	cr_assert_eq(rc, 0);
	expect_no_children();
	free_loop(loop);
	cr_assert_eq(count_fds(), before_loop, "fds after: %d, before: %d", count_fds(),
		     before_loop);
}

/* A child that never reads: what is written fills the terminal and the
 * write waits in the kernel, never the loop: a timer still fires, and its
 * kill ends the task.  The write starts once the terminal is in
 * non-canonical mode: a canonical one that holds no whole line drops
 * what does not fit instead of making the writer wait. */
struct stuck {
	rr_timer *timer;
	rr_task *task;
	char *big;
	int rc;
};

static void stuck_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct stuck *x = u;

	(void)s;
	if (n >= 5 && memcmp(d, "ready", 5) == 0) {
		cr_assert_eq(rr_task_write(t, x->big, MiB), 0);
		rr_timer_start(x->timer, 300);
	}
}

static void stuck_timer(rr_timer *tm, void *u)
{
	struct stuck *x = u;

	(void)tm;
	cr_assert_gt(rr_task_stdin_pending(x->task), 0);
	x->rc = rr_task_kill(x->task, SIGKILL);
}

Test(lib_pty, unread_stdin_never_blocks_the_loop)
{
	rr_loop *loop = loop_new(0, 0);
	struct stuck x = {.rc = 99, .big = malloc(MiB)};
	struct rr_opts o = {.flags = RR_F_PTY | RR_F_STDIN_PIPE, .on_line = stuck_line,
			    .user = &x};

	x.timer = rr_timer_new(loop, stuck_timer, &x);
	cr_assert(x.big && x.timer);
	memset(x.big, 'a', MiB);
	x.task = shell_task(loop, "stty -icanon; echo ready; exec sleep 7203", &o);
	const struct rr_result *r = wait_task(x.task);
	cr_assert_eq(x.rc, 0);
	expect_status(r, RR_CANCELLED, -SIGKILL);
	cr_assert_eq(rr_task_stdin_pending(x.task), 0);
	rr_timer_free(x.timer);
	free(x.big);
	free_loop(loop);
}
