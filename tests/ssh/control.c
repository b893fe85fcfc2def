/* control.c - talking to a running remote command: signals that do not end
 * it (rr_task_signal), streamed stdin, a pty and its size, on_start, merged
 * stderr in order, and the command's report line that never shows. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_control);

static const char *mark(char *buf, size_t size, int salt)
{
	snprintf(buf, size, "sleep 8%03d.%07d", salt, (int)getpid());
	return buf;
}

/* Turns until l holds want lines. */
static void run_until_lines(rr_loop *loop, const struct lines *l, size_t want)
{
	while (l->n < want)
		cr_assert_gt(rr_loop_run(loop, RR_RUN_ONCE), 0, "%zu of %zu lines",
			     l->n, want);
}

/* Nothing the command reports of itself shows in what was read. */
static void expect_no_report(const char *what, const char *data, size_t len)
{
	cr_assert_null(memmem(data, len, "\036", 1), "%s holds the report: %.*s", what,
		       (int)len, data);
	cr_assert_null(memmem(data, len, "ringrun-sid", 11), "%s holds the report", what);
}

/* SIGUSR1 to a command that traps it: it carries on and ends 0. */
Test(ssh_control, usr1_trapped_carries_on)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines l = {0};

	rr_task *t = ssh_task(loop, h, "trap 'got=1' USR1; echo up; "
			      "while [ -z \"$got\" ]; do sleep 0.05; done; echo after",
			      &(struct rr_opts){.on_line = record_cb, .user = &l});
	run_until_lines(loop, &l, 1);
	cr_assert_eq(rr_task_signal(t, 0, 0), 0);
	cr_assert_eq(rr_task_signal(t, SIGUSR1, 0), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "up\nafter\n");
	cr_assert_eq(rr_task_signal(t, SIGUSR1, 0), -ESRCH);
	lines_free(&l);
	free_loop(loop);
}

/* RR_SIG_LEADER reaches the shell only: its child lives on (and holds the
 * output) until the task is killed.  The trap notes the signal, so one that
 * comes before the shell is in its wait (under load) does not leave it
 * waiting for the child. */
Test(ssh_control, leader_only)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines l = {0};
	char m[64], cmd[256];
	mark(m, sizeof m, 201);
	snprintf(cmd, sizeof cmd, "trap 'got=1; echo got' USR1; %s & echo up; "
		 "while [ -z \"$got\" ]; do wait; done; echo waited; wait", m);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = record_cb,
		.user = &l});
	run_until_lines(loop, &l, 1);
	cr_assert_eq(rr_task_signal(t, SIGUSR1, RR_SIG_LEADER), 0);
	run_until_lines(loop, &l, 3);
	expect_line(&l, 1, RR_STDOUT, "got");
	expect_line(&l, 2, RR_STDOUT, "waited");
	/* (a process in the middle of its execve shows no command line) */
	cr_assert_eq(procs_wait_count(m, 2, HANG_GUARD_MS), 2, "the child did not live on");
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	expect_status_only(wait_task(t), RR_CANCELLED);
	cr_assert_eq(procs_wait_gone(m, HANG_GUARD_MS), 0);
	lines_free(&l);
	free_loop(loop);
}

/* SIGSTOP then SIGCONT: stopped (state T on the server), no output comes;
 * continued, it completes. */
Test(ssh_control, stop_and_continue)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[256];
	snprintf(m, sizeof m, "rr-8202.%07d", (int)getpid());
	snprintf(cmd, sizeof cmd, "echo up; sh -c 'cat; :' %s; echo done", m);
	struct lines l = {0};

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = record_cb,
		.user = &l, .flags = RR_F_STDIN_PIPE});
	run_until_lines(loop, &l, 1);
	/* The shell and sh show m (and a child of either while it forks). */
	uint64_t end = now_ns() + HANG_GUARD_MS * 1000000ull;
	while (procs_with_cmdline(m) < 2 && now_ns() < end)
		pause_ms(10);
	cr_assert_geq(procs_with_cmdline(m), 2);
	cr_assert_eq(rr_task_signal(t, SIGSTOP, 0), 0);
	end = now_ns() + HANG_GUARD_MS * 1000000ull;
	while ((procs_in_state(m, 'T') < 2 || procs_in_state(m, 'T') < procs_with_cmdline(m)) &&
	       now_ns() < end)
		rr_loop_run(loop, RR_RUN_NOWAIT), pause_ms(10);
	cr_assert_geq(procs_in_state(m, 'T'), 2, "not stopped");
	cr_assert_eq(procs_in_state(m, 'T'), procs_with_cmdline(m), "not all stopped");
	cr_assert_eq(rr_task_write(t, "x\n", 2), 0);
	cr_assert_eq(rr_task_close_stdin(t), 0);
	/* Turns while it is stopped: nothing more is read. */
	for (int i = 0; i < 20; i++)
		rr_loop_run(loop, RR_RUN_NOWAIT), pause_ms(10);
	cr_assert_eq(l.n, 1, "output while stopped");
	cr_assert_eq(rr_task_stdin_pending(t), 0);
	cr_assert_eq(rr_task_signal(t, SIGCONT, 0), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "up\nx\ndone\n");
	lines_free(&l);
	free_loop(loop);
}

/* A signal asked for before the command reported (from on_start) is held
 * and delivered once it has: SIGUSR1 ends the sleep it runs (a trap could
 * not be set before it, as the report comes first). */
static void usr1_on_start(rr_task *t, pid_t pid, void *user)
{
	(void)pid, (void)user;
	cr_assert_eq(rr_task_signal(t, SIGUSR1, 0), 0);
}

Test(ssh_control, signal_before_report_is_held)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64];

	rr_task *t = ssh_task(loop, h, mark(m, sizeof m, 203),
			      &(struct rr_opts){.on_start = usr1_on_start});
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_SIGNALED, -SIGUSR1);
	expect_contains(r->message, "killed by SIGUSR1");
	cr_assert_eq(procs_wait_gone(m, HANG_GUARD_MS), 0);
	free_loop(loop);
}

/* A bc dialogue: each answer read before the next question is written. */
Test(ssh_control, bc_dialogue)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines l = {0};

	rr_task *t = ssh_task(loop, h, "bc -q", &(struct rr_opts){.on_line = record_cb,
		.user = &l, .flags = RR_F_STDIN_PIPE});
	cr_assert_eq(rr_task_write(t, "1+1\n", 4), 0);
	run_until_lines(loop, &l, 1);
	expect_line(&l, 0, RR_STDOUT, "2");
	cr_assert_eq(rr_task_write(t, "2+3\n", 4), 0);
	run_until_lines(loop, &l, 2);
	expect_line(&l, 1, RR_STDOUT, "5");
	cr_assert_eq(rr_task_close_stdin(t), 0);
	expect_status(wait_task(t), RR_OK, 0);
	cr_assert_eq(rr_task_write(t, "x", 1), -EPIPE);
	lines_free(&l);
	free_loop(loop);
}

/* Streamed stdin through cat, 8 MiB in 64 KiB writes each after on_drain:
 * every byte back in order. */
struct feeder {
	const uint8_t *data;
	size_t len, off;
};

static void feed(rr_task *t, void *user)
{
	struct feeder *f = user;
	size_t n = f->len - f->off < 65536 ? f->len - f->off : 65536;

	if (!n) {
		cr_assert_eq(rr_task_close_stdin(t), 0);
		return;
	}
	cr_assert_eq(rr_task_write(t, f->data + f->off, n), 0);
	f->off += n;
}

Test(ssh_control, stdin_stream)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	size_t len = 8 * MiB;
	uint8_t *data = pattern_buf(len, 8);
	struct feeder f = {data, len, 0};

	rr_task *t = ssh_task(loop, h, "cat", &(struct rr_opts){.on_drain = feed,
		.user = &f, .flags = RR_F_STDIN_PIPE});
	feed(t, &f);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_OK, 0);
	expect_bytes("stdout", r->out.data, r->out.len, data, len);
	free(data);
	free_loop(loop);
}

/* A pty: tty names it, stty size says the size given, then the new one
 * after rr_task_resize; closing stdin ends cat's input there (^D). */
Test(ssh_control, pty_tty_and_size)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct rr_pty pty = {.rows = 33, .cols = 101, .term = "xterm"};
	struct lines l = {0};

	const struct rr_result *r = run_ssh(loop, h, "tty; echo $TERM",
		&(struct rr_opts){.flags = RR_F_PTY, .pty = &pty});
	expect_status(r, RR_OK, 0);
	cr_assert(strncmp(r->out.data, "/dev/pts/", 9) == 0, "tty said %s", r->out.data);
	cr_assert(strstr(r->out.data, "\r\nxterm\r\n"), "%s", r->out.data);
	expect_no_report("stdout", r->out.data, r->out.len);

	rr_task *t = ssh_task(loop, h, "stty size; read x; stty size", &(struct rr_opts){
		.flags = RR_F_PTY | RR_F_STDIN_PIPE, .pty = &pty, .on_line = record_cb,
		.user = &l});
	run_until_lines(loop, &l, 1);
	expect_line(&l, 0, RR_STDOUT, "33 101\r");
	cr_assert_eq(rr_task_resize(t, 40, 120), 0);
	cr_assert_eq(rr_task_write(t, "\n", 1), 0);
	r = wait_task(t);
	expect_status(r, RR_OK, 0);
	cr_assert(strstr(r->out.data, "40 120\r\n"), "%s", r->out.data);
	cr_assert_eq(rr_task_resize(t, 1, 1), -ESRCH);

	t = ssh_task(loop, h, "cat; echo end", &(struct rr_opts){
		.flags = RR_F_PTY | RR_F_STDIN_PIPE, .pty = &pty});
	cr_assert_eq(rr_task_write(t, "a\nb", 3), 0);
	cr_assert_eq(rr_task_close_stdin(t), 0);
	r = wait_task(t);
	expect_status(r, RR_OK, 0);
	cr_assert(strstr(r->out.data, "end\r\n"), "%s", r->out.data);
	lines_free(&l);
	free_loop(loop);
}

/* on_start: pid 0, once, before any output. */
struct start_rec {
	int starts, lines_before;
	pid_t pid;
	struct lines l;
};

static void rec_start(rr_task *t, pid_t pid, void *user)
{
	struct start_rec *sr = user;
	(void)t;
	sr->starts++;
	sr->pid = pid;
	sr->lines_before = (int)sr->l.n;
}

static void rec_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *user)
{
	(void)t;
	lines_add(&((struct start_rec *)user)->l, s, d, n);
}

Test(ssh_control, on_start_before_output)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct start_rec sr = {.pid = -1};

	const struct rr_result *r = run_ssh(loop, h, "echo x", &(struct rr_opts){
		.on_start = rec_start, .on_line = rec_line, .user = &sr});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(sr.starts, 1);
	cr_assert_eq(sr.pid, 0);
	cr_assert_eq(sr.lines_before, 0);
	cr_assert_eq(r->pid, 0);
	lines_free(&sr.l);
	free_loop(loop);
}

/* The report line never reaches a capture, lines or chunks: captured,
 * through callbacks, with stdout discarded (stderr still read), on a pty. */
Test(ssh_control, report_never_shows)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct lines lines = {0}, chunks = {0};

	const struct rr_result *r = run_ssh(loop, h, "echo out", NULL);
	expect_capture("stdout", &r->out, "out\n");
	cr_assert_eq(r->out.total, 4);

	r = run_ssh(loop, h, "printf 'a\\nb'", &(struct rr_opts){
		.stdout_mode = RR_IO_CALLBACK, .on_line = record_cb, .user = &lines});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(lines.n, 2);
	expect_line(&lines, 0, RR_STDOUT, "a");
	expect_line(&lines, 1, RR_STDOUT, "b");

	r = run_ssh(loop, h, "echo one", &(struct rr_opts){.on_chunk = record_cb,
		.user = &chunks});
	for (size_t i = 0; i < chunks.n; i++)
		expect_no_report("chunk", chunks.v[i].data, chunks.v[i].len);
	expect_capture("stdout", &r->out, "one\n");

	r = run_ssh(loop, h, "echo gone; echo kept >&2", &(struct rr_opts){
		.stdout_mode = RR_IO_DISCARD});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, 0);
	expect_capture("stderr", &r->err, "kept\n");

	r = run_ssh(loop, h, "echo pty", &(struct rr_opts){.flags = RR_F_PTY});
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "pty\r\n");
	lines_free(&lines);
	lines_free(&chunks);
	free_loop(loop);
}

/* A login shell's rc that prints: its lines come before the report and
 * are output; the report is still found and the command still stopped. */
Test(ssh_control, rc_output_before_report)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char rc[160], m[64], cmd[128];

	sshd_path(s, "home/.bashrc", rc, sizeof rc);
	write_file(rc, "echo rc-line\n", 13);
	const struct rr_result *r = run_ssh(loop, h, "echo out", NULL);
	expect_status(r, RR_OK, 0);
	if (strcmp(r->out.data, "out\n") == 0) /* this bash reads no rc here */
		cr_skip_test("the login shell does not read ~/.bashrc over ssh");
	expect_capture("stdout", &r->out, "rc-line\nout\n");

	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 204));
	struct lines l = {0};
	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = record_cb,
		.user = &l});
	run_until_lines(loop, &l, 2);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	expect_status(wait_task(t), RR_CANCELLED, -SIGTERM);
	cr_assert_eq(procs_wait_gone(m, HANG_GUARD_MS), 0);
	lines_free(&l);
	free_loop(loop);
}

/* A merged stderr keeps the order of one pipe: 20 runs in a row. */
Test(ssh_control, merged_stderr_in_order)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char *want = malloc(4096);
	size_t n = 0;

	for (int i = 1; i <= 200; i++)
		n += (size_t)sprintf(want + n, "o%d\ne%d\n", i, i);
	for (int run = 0; run < 20; run++) {
		const struct rr_result *r = run_ssh(loop, h,
			"for i in $(seq 200); do echo o$i; echo e$i >&2; done",
			&(struct rr_opts){.stderr_mode = RR_IO_MERGE});
		expect_status(r, RR_OK, 0);
		expect_capture("stdout", &r->out, want);
		cr_assert_eq(r->err.total, 0);
	}
	free(want);
	free_loop(loop);
}
