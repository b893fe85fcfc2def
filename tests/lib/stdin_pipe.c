/* stdin_pipe.c - streaming stdin (RR_F_STDIN_PIPE): rr_task_write,
 * rr_task_close_stdin, rr_task_stdin_pending and on_drain. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

TestSuite(lib_stdin_pipe, .timeout = TEST_TIMEOUT);

static bool line_is(const char *d, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(d, s, n) == 0;
}

/* ------------------------------------------------------------ dialogue */

struct dialogue {
	struct lines lines;
	int step;
	const char *answers[2]; /* the line that answers each question */
	bool pty;
};

/* Ask the next question on each answer; close stdin after the last.  On a
 * pty the terminal echoes the questions and ends lines with \r. */
static void dialogue_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct dialogue *dl = u;

	lines_add(&dl->lines, s, d, n);
	if (dl->pty && n && d[n - 1] == '\r')
		n--;
	if (dl->step < 2 && line_is(d, n, dl->answers[dl->step])) {
		dl->step++;
		if (dl->step == 1)
			cr_assert_eq(rr_task_write(t, "2+3\n", 4), 0);
		else
			cr_assert_eq(rr_task_close_stdin(t), 0);
	}
}

/* bc answers each line before the next is written: the first question is
 * written while the task is still queued. */
static void run_bc_dialogue(unsigned flags)
{
	rr_loop *loop = loop_new(0, 0);
	struct dialogue dl = {.answers = {"2", "5"}, .pty = flags & RR_F_PTY};
	struct rr_pty pty = {.term = "dumb"};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE | flags, .on_line = dialogue_line,
			    .user = &dl, .pty = &pty};
	const char *argv[] = {"bc", "-q", NULL};
	/* On a terminal bc's readline switches it to raw mode and back around
	 * each line, and the terminal makes an EOF character that came in
	 * canonical mode a NUL once raw mode is on: bc then never sees its
	 * EOF.  With its output to a pipe bc reads the terminal plainly. */
	rr_task *t = dl.pty ? shell_task(loop, "bc -q | cat", &o) : exec_task(loop, argv, &o);

	cr_assert_eq(rr_task_write(t, "1+1\n", 4), 0);
	cr_assert_eq(rr_task_stdin_pending(t), 4);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(dl.step, 2, "answers seen: %d", dl.step);
	cr_assert_eq(rr_task_stdin_pending(t), 0);
	lines_free(&dl.lines);
	free_loop(loop);
}

Test(lib_stdin_pipe, bc_dialogue)
{
	run_bc_dialogue(0);
}

/* The same on a terminal: it echoes the questions, ends lines with \r\n,
 * and the close is its EOF character. */
Test(lib_stdin_pipe, bc_dialogue_on_a_pty)
{
	run_bc_dialogue(RR_F_PTY);
}

/* ------------------------------------------------- 100 MiB, bounded */

#define STREAM_TOTAL (100 * MiB)
#define STREAM_BOUND (4 * MiB)

struct stream {
	char *chunk;         /* 1 MiB written again and again */
	size_t written, out;
	size_t max_pending;
	int drains;
	bool mismatch;
};

/* Write while a whole chunk fits under the bound; EOF after the last. */
static void refill(rr_task *t, struct stream *s)
{
	while (s->written < STREAM_TOTAL && rr_task_stdin_pending(t) + MiB <= STREAM_BOUND) {
		cr_assert_eq(rr_task_write(t, s->chunk, MiB), 0);
		s->written += MiB;
		if (rr_task_stdin_pending(t) > s->max_pending)
			s->max_pending = rr_task_stdin_pending(t);
	}
	if (s->written == STREAM_TOTAL)
		cr_assert_eq(rr_task_close_stdin(t), 0);
}

static void stream_drain(rr_task *t, void *u)
{
	struct stream *s = u;

	s->drains++;
	cr_assert_eq(rr_task_stdin_pending(t), 0);
	refill(t, s);
}

/* cat hands back what it got: byte i of the stream is chunk[i % MiB]. */
static void stream_chunk(rr_task *t, enum rr_stream st, const char *d, size_t n, void *u)
{
	struct stream *s = u;

	(void)t;
	cr_assert_eq(st, RR_STDOUT);
	while (n) {
		size_t at = s->out % MiB, k = n < MiB - at ? n : MiB - at;

		s->mismatch |= memcmp(d, s->chunk + at, k) != 0;
		s->out += k;
		d += k;
		n -= k;
	}
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

Test(lib_stdin_pipe, stream_100mib_through_cat_bounded)
{
	rr_loop *loop = loop_new(0, 0);
	struct stream s = {.chunk = (char *)pattern_buf(MiB, 7100)};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .stdout_mode = RR_IO_CALLBACK,
			    .on_chunk = stream_chunk, .on_drain = stream_drain, .user = &s};
	const char *argv[] = {"cat", NULL};
	long rss_before = maxrss_kb();
	rr_task *t = exec_task(loop, argv, &o);

	refill(t, &s);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(s.written, STREAM_TOTAL);
	cr_assert_eq(s.out, STREAM_TOTAL, "stdout bytes: %zu", s.out);
	cr_assert_not(s.mismatch, "cat's output differs from what was written");
	cr_assert_leq(s.max_pending, STREAM_BOUND);
	cr_assert_geq(s.drains, (int)(STREAM_TOTAL / STREAM_BOUND));
	long grown_kb = maxrss_kb() - rss_before;
#ifndef __SANITIZE_ADDRESS__ /* its quarantine keeps what was freed resident */
	cr_assert_lt(grown_kb, 32 * 1024, "peak RSS grew by %ld KiB", grown_kb);
#endif
	(void)grown_kb;
	free(s.chunk);
	free_loop(loop);
}

/* ------------------------------------------- the reader goes away */

struct gone {
	int drains;
	size_t pending_at_drain;
	int write_rc, late_rc;
};

static void gone_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s;
	(void)u;
	/* Its stdin is closed now: this write finds nobody to read it. */
	if (line_is(d, n, "closed"))
		cr_assert_eq(rr_task_write(t, "lost\n", 5), 0);
}

static void gone_drain(rr_task *t, void *u)
{
	struct gone *g = u;

	g->drains++;
	g->pending_at_drain = rr_task_stdin_pending(t);
	g->write_rc = rr_task_write(t, "more\n", 5);
	rr_task_kill(t, SIGTERM);
}

static void gone_done(rr_task *t, void *u)
{
	struct gone *g = u;

	g->late_rc = rr_task_write(t, "late\n", 5);
}

/* SIGPIPE is at its default here: a write that raised one would kill the
 * test.  The child closes its stdin and lives on; what was pending is
 * dropped (on_drain) and every later write is -EPIPE. */
Test(lib_stdin_pipe, write_after_reader_gone_is_epipe_no_sigpipe)
{
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	rr_loop *loop = loop_new(0, 0);
	struct gone g = {.write_rc = 99, .late_rc = 99};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = gone_line,
			    .on_drain = gone_drain, .on_done = gone_done, .user = &g};
	const struct rr_result *r = run_shell(loop, "exec 0<&-; echo closed; exec sleep 7101", &o);

	expect_status(r, RR_CANCELLED, -15);
	cr_assert_eq(g.drains, 1);
	cr_assert_eq(g.pending_at_drain, 0);
	cr_assert_eq(g.write_rc, -EPIPE, "write after EPIPE: %d", g.write_rc);
	cr_assert_eq(g.late_rc, -EPIPE, "write after the end: %d", g.late_rc);
	free_loop(loop);
}

/* The child exits without reading: writes after its exit are -EPIPE. */
static void exited_eof(rr_task *t, enum rr_stream s, void *u)
{
	(void)s;
	*(int *)u = rr_task_write(t, "x\n", 2);
}

Test(lib_stdin_pipe, write_after_exit_is_epipe)
{
	signal(SIGPIPE, SIG_DFL);
	rr_loop *loop = loop_new(0, 0);
	int rc = 99;
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .stderr_mode = RR_IO_DISCARD,
			    .on_eof = exited_eof, .user = &rc};
	rr_task *t = shell_task(loop, "exec 0<&-; echo bye", &o);
	const struct rr_result *r = wait_task(t);

	expect_status(r, RR_OK, 0);
	/* At stdout's EOF the child may not be reaped yet: the write was
	 * taken (and dropped with the rest) or refused. */
	cr_assert(rc == 0 || rc == -EPIPE, "write at EOF: %d", rc);
	cr_assert_eq(rr_task_write(t, "y\n", 2), -EPIPE);
	cr_assert_eq(rr_task_stdin_pending(t), 0);
	free_loop(loop);
}

/* --------------------------------------------------------- the API */

Test(lib_stdin_pipe, without_the_flag_einval_close_twice_ok)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *plain = shell_task(loop, "cat", NULL);
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE};
	rr_task *piped = shell_task(loop, "cat", &o);

	cr_assert_eq(rr_task_write(plain, "x", 1), -EINVAL);
	cr_assert_eq(rr_task_close_stdin(plain), -EINVAL);
	cr_assert_eq(rr_task_write(NULL, "x", 1), -EINVAL);
	cr_assert_eq(rr_task_close_stdin(NULL), -EINVAL);
	cr_assert_eq(rr_task_stdin_pending(NULL), 0);
	cr_assert_eq(rr_task_write(piped, "abc\n", 4), 0);
	cr_assert_eq(rr_task_close_stdin(piped), 0);
	cr_assert_eq(rr_task_close_stdin(piped), 0);
	cr_assert_eq(rr_task_write(piped, "x", 1), -EPIPE);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(plain), RR_OK, 0);
	expect_status(rr_task_result(piped), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(piped)->out.data, "abc\n");
	free_loop(loop);
}

/* stdin_data goes first, then the writes, in order; with no write at
 * all, a pipe that is closed at once is plain EOF. */
Test(lib_stdin_pipe, stdin_data_then_writes_in_order)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .stdin_data = "first\n",
			    .stdin_len = 6};
	rr_task *t = shell_task(loop, "cat", &o);
	struct rr_opts e = {.flags = RR_F_STDIN_PIPE};
	rr_task *empty = shell_task(loop, "cat; echo end", &e);

	cr_assert_eq(rr_task_write(t, "second\n", 7), 0);
	cr_assert_eq(rr_task_write(t, "third\n", 6), 0);
	cr_assert_eq(rr_task_stdin_pending(t), 19);
	cr_assert_eq(rr_task_close_stdin(t), 0);
	cr_assert_eq(rr_task_close_stdin(empty), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t), RR_OK, 0);
	cr_assert_str_eq(rr_task_result(t)->out.data, "first\nsecond\nthird\n");
	cr_assert_str_eq(rr_task_result(empty)->out.data, "end\n");
	free_loop(loop);
}

/* Many small writes from on_line, each answered: a dialogue of 200 turns
 * through one long-lived reader; on_drain follows each write. */
struct echo {
	int turns, drains;
};

static void echo_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct echo *e = u;
	char want[32], next[32];

	(void)s;
	snprintf(want, sizeof want, "n %d", e->turns);
	cr_assert(line_is(d, n, want), "line %d: %.*s", e->turns, (int)n, d);
	if (++e->turns == 200) {
		cr_assert_eq(rr_task_close_stdin(t), 0);
		return;
	}
	int len = snprintf(next, sizeof next, "n %d\n", e->turns);
	cr_assert_eq(rr_task_write(t, next, (size_t)len), 0);
}

static void echo_drain(rr_task *t, void *u)
{
	(void)t;
	((struct echo *)u)->drains++;
}

Test(lib_stdin_pipe, two_hundred_turns)
{
	rr_loop *loop = loop_new(0, 0);
	struct echo e = {0};
	struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_line = echo_line,
			    .on_drain = echo_drain, .user = &e};
	rr_task *t = shell_task(loop, "while read l; do echo \"$l\"; done", &o);

	cr_assert_eq(rr_task_write(t, "n 0\n", 4), 0);
	expect_status(wait_task(t), RR_OK, 0);
	cr_assert_eq(e.turns, 200);
	cr_assert_eq(e.drains, 200);
	free_loop(loop);
}

/* ------------------------------------------------------------ leaks */

static void kill_now(rr_task *t, pid_t pid, void *u)
{
	(void)pid, (void)u;
	rr_task_kill(t, SIGKILL);
}

/* Streams that end every way - EOF, a reader that leaves, a kill and a
 * free with bytes pending - leave no fd, child or byte behind. */
Test(lib_stdin_pipe, no_fd_or_child_left)
{
	int before_loop = count_fds();
	rr_loop *loop = loop_new(16, 0);
	int done = 0;
	char *big = calloc(1, MiB);

	cr_assert(big);
	for (int i = 0; i < 200; i++) {
		struct rr_opts o = {.flags = RR_F_STDIN_PIPE, .on_done = count_done,
				    .user = &done};
		rr_task *t;

		switch (i % 4) {
		case 0:
			t = shell_task(loop, "cat", &o);
			cr_assert_eq(rr_task_write(t, "x\n", 2), 0);
			cr_assert_eq(rr_task_close_stdin(t), 0);
			break;
		case 1:
			t = shell_task(loop, "exec 0<&-; echo gone", &o);
			cr_assert_eq(rr_task_write(t, big, MiB), 0);
			break;
		case 2:
			o.on_start = kill_now;
			t = shell_task(loop, "exec sleep 7102", &o);
			cr_assert_eq(rr_task_write(t, big, MiB), 0);
			break;
		default:
			o.on_done = NULL;
			t = shell_task(loop, "exec sleep 7103", &o);
			cr_assert_eq(rr_task_write(t, big, MiB), 0);
			cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
			rr_task_free(t);
			break;
		}
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 150);
	expect_no_children();
	free(big);
	free_loop(loop);
	cr_assert_eq(count_fds(), before_loop, "fds after: %d, before: %d", count_fds(),
		     before_loop);
}

/* on_drain closes stdin while the child may be exiting already: whichever
 * comes first, each task ends once, and (RR_F_AUTOFREE) is freed once. */
static void close_on_drain(rr_task *t, void *u)
{
	(void)u;
	cr_assert_eq(rr_task_close_stdin(t), 0);
}

Test(lib_stdin_pipe, close_from_on_drain_as_the_child_exits)
{
	rr_loop *loop = loop_new(32, 0);
	int done = 0;
	char *buf = calloc(1, 64 * 1024);

	cr_assert(buf);
	for (int i = 0; i < 300; i++) {
		struct rr_opts o = {.flags = RR_F_STDIN_PIPE | RR_F_AUTOFREE,
				    .on_drain = close_on_drain, .on_done = count_done,
				    .user = &done, .stdout_mode = RR_IO_DISCARD};
		rr_task *t = shell_task(loop, i % 2 ? "head -c 65536 >/dev/null" : "cat", &o);

		cr_assert_eq(rr_task_write(t, buf, 64 * 1024), 0);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 300);
	free(buf);
	free_loop(loop);
}
