/* exec.c - a remote command's exit: status 0, 1, 255, death by a signal,
 * expect_exit, and the environment and directory it runs in. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_exec);

Test(ssh_exec, exit_0_1_255)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	const struct rr_result *r = run_ssh(loop, h, "echo hello", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "hello\n");
	expect_capture("stderr", &r->err, "");
	cr_assert(r->start_ns > 0 && r->end_ns >= r->start_ns);
	cr_assert(r->started, "its exec request went out");

	r = run_ssh(loop, h, "echo out; echo err >&2; exit 1", NULL);
	expect_status(r, RR_EXIT_NONZERO, 1);
	expect_capture("stdout", &r->out, "out\n");
	expect_capture("stderr", &r->err, "err\n");
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "exited with status 1");

	r = run_ssh(loop, h, "exit 255", NULL);
	expect_status(r, RR_EXIT_NONZERO, 255);
	expect_contains(r->message, "255");

	r = run_ssh(loop, h, "exit 7", &(struct rr_opts){.expect_exit = 7});
	expect_status(r, RR_OK, 7);
	r = run_ssh(loop, h, "exit 0", &(struct rr_opts){.expect_exit = 7});
	expect_status(r, RR_EXIT_UNEXPECTED, 0);
	expect_contains(r->message, "expected 7");
	free_loop(loop);
}

/* The remote shell kills itself: exit_code -15, RR_SIGNALED, and a message
 * naming the host and the command. */
Test(ssh_exec, remote_signal)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	const struct rr_result *r = run_ssh(loop, h, "echo before; kill -TERM $$", NULL);
	expect_status(r, RR_SIGNALED, -15);
	expect_capture("stdout", &r->out, "before\n");
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "kill -TERM $$");
	expect_contains(r->message, "SIGTERM");

	r = run_ssh(loop, h, "kill -KILL $$", NULL);
	expect_status(r, RR_SIGNALED, -9);
	expect_contains(r->message, "SIGKILL");
	free_loop(loop);
}

/* The host name in messages is "host:port". */
Test(ssh_exec, host_name)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char want[64];

	cr_assert_str_eq(rr_host_name(h), sshd_spec(s, 0, want, sizeof want));
	rr_task *t = ssh_task(loop, h, "true", NULL);
	cr_assert_eq(rr_task_host(t), h);
	expect_status(wait_task(t), RR_OK, 0);
	cr_assert_str_eq(rr_task_title(t), "true");
	free_loop(loop);
}

Test(ssh_exec, env_and_cwd)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	const char *env[] = {"FOO=bar baz", "QUOTE=it's \"q\" $HOME `x`", "EMPTY=", NULL};
	char want[512];

	const struct rr_result *r = run_ssh(
		loop, h, "echo \"$FOO\"; echo \"$QUOTE\"; echo \"[$EMPTY]\"; pwd",
		&(struct rr_opts){.env = env, .cwd = s->dir});
	expect_status(r, RR_OK, 0);
	snprintf(want, sizeof want, "bar baz\nit's \"q\" $HOME `x`\n[]\n%s\n", s->dir);
	expect_capture("stdout", &r->out, want);

	/* A directory with a quote and a space in its name. */
	char odd[160];
	snprintf(odd, sizeof odd, "%s/it's a dir", s->dir);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/it'\\''s a dir'", s->dir);
	expect_status(run_ssh(loop, h, cmd, NULL), RR_OK, 0);
	r = run_ssh(loop, h, "pwd", &(struct rr_opts){.cwd = odd});
	expect_status(r, RR_OK, 0);
	snprintf(want, sizeof want, "%s\n", odd);
	expect_capture("stdout", &r->out, want);

	/* A directory that does not exist: the command does not run. */
	char marker[160];
	snprintf(marker, sizeof marker, "%s/ran", s->dir);
	snprintf(cmd, sizeof cmd, "touch %s", marker);
	r = run_ssh(loop, h, cmd, &(struct rr_opts){.cwd = "/nonexistent/dir"});
	cr_assert_neq(r->status, RR_OK, "ran in a missing directory");
	cr_assert_eq(r->exit_code, 1, "exit %d: %s", r->exit_code, r->message);
	cr_assert(r->err.len > 0, "no word on stderr about the missing directory");
	cr_assert_eq(access(marker, F_OK), -1, "the command ran anyway");
	free_loop(loop);
}

/* stdin: 1 MiB through a remote cat comes back exact; tr sees its input. */
Test(ssh_exec, stdin_round_trip)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	size_t n = MiB;
	uint8_t *in = pattern_buf(n, 42);

	const struct rr_result *r = run_ssh(loop, h, "cat", &(struct rr_opts){
		.stdin_data = in, .stdin_len = n});
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, n);
	expect_bytes("cat", r->out.data, r->out.len, in, n);

	const char text[] = "hello, world\nsecond line";
	r = run_ssh(loop, h, "tr a-z A-Z", &(struct rr_opts){
		.stdin_data = text, .stdin_len = strlen(text)});
	expect_status(r, RR_OK, 0);
	expect_capture("tr", &r->out, "HELLO, WORLD\nSECOND LINE");

	/* No stdin: the remote side reads end of file at once. */
	r = run_ssh(loop, h, "wc -c", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("wc", &r->out, "0\n");

	/* A command that does not read its stdin is not an error. */
	r = run_ssh(loop, h, "exit 3", &(struct rr_opts){
		.stdin_data = in, .stdin_len = n});
	expect_status(r, RR_EXIT_NONZERO, 3);
	free(in);
	free_loop(loop);
}

/* Ten tasks, each with 1 MiB of stdin, at once on one connection. */
Test(ssh_exec, stdin_parallel)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	uint8_t *in[10];
	rr_task *t[10];

	for (int i = 0; i < 10; i++) {
		in[i] = pattern_buf(MiB, 100 + (uint64_t)i);
		t[i] = ssh_task(loop, h, "cat", &(struct rr_opts){
			.stdin_data = in[i], .stdin_len = MiB});
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 10; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		expect_bytes("cat", r->out.data, r->out.len, in[i], MiB);
		free(in[i]);
	}
	free_loop(loop);
}

/* 32 MiB of stdin: written as the connection drains (the send buffer is
 * bounded), all of it arrives. */
Test(ssh_exec, stdin_32mib)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	size_t n = 32 * MiB;
	uint8_t *in = pattern_buf(n, 77);

	const struct rr_result *r = run_ssh(loop, h, "md5sum", &(struct rr_opts){
		.stdin_data = in, .stdin_len = n});
	expect_status(r, RR_OK, 0);
	char path[160], cmd[256], want[128];
	sshd_path(s, "stdin", path, sizeof path);
	write_file(path, in, n);
	snprintf(cmd, sizeof cmd, "md5sum < %s", path);
	cr_assert_eq(sh_capture(cmd, want, sizeof want), 0);
	expect_capture("md5sum", &r->out, want);
	free(in);
	free_loop(loop);
}

/* An env entry without '=': a local task takes it (and ignores it); a
 * remote one must not fail with a made-up reason. */
Test(ssh_exec, env_entry_without_equals)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	const char *env[] = {"NOEQUALS", "OK=1", NULL};

	rr_task *t = rr_ssh(loop, h, "echo $OK", &(struct rr_opts){.env = env});
	if (!t) {
		cr_assert_eq(errno, EINVAL, "rr_ssh: %s", strerror(errno));
	} else {
		const struct rr_result *r = wait_task(t);
		cr_assert_eq(r->status, RR_OK, "status %s: '%s'",
			     rr_status_name(r->status), r->message);
		expect_capture("stdout", &r->out, "1\n");
	}
	free_loop(loop);
}

/* env names are names: one that is really shell code is refused, never run
 * by the remote shell. */
Test(ssh_exec, env_name_is_not_code)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char marker[160], entry[256];
	sshd_path(s, "injected", marker, sizeof marker);
	snprintf(entry, sizeof entry, "A;touch %s;B=1", marker);
	const char *env[] = {entry, NULL};

	rr_task *t = rr_ssh(loop, h, "true", &(struct rr_opts){.env = env});
	if (t)
		wait_task(t);
	else
		cr_assert_eq(errno, EINVAL);
	cr_assert_eq(access(marker, F_OK), -1, "the env name ran as a command");
	free_loop(loop);
}
