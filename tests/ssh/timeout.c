/* timeout.c - time limits on remote commands: they end the task on time and
 * stop the work on the server too; a limit not reached changes nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_timeout);

/* A sleep no other process on this machine runs: "sleep 600.NNNN". */
static void unique_sleep(char *marker, size_t size, int salt)
{
	snprintf(marker, size, "sleep 6%02d.%07d", salt, (int)getpid());
}

/* timeout_ms 500 on "sleep 600": RR_TIMEOUT, not before 0.5 s, and no
 * process of the command is left on the server. */
Test(ssh_timeout, timeout_stops_remote_command)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char marker[64];
	unique_sleep(marker, sizeof marker, 1);

	/* Connected first, so that only the command is timed. */
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	uint64_t t0 = now_ns();
	const struct rr_result *r = run_ssh(loop, h, marker, &(struct rr_opts){
		.timeout_ms = 500});
	double took = secs_since(t0);
	expect_status_only(r, RR_TIMEOUT);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "timed out");
	cr_assert_geq(took, 0.45, "ended after %.2f s", took);
	cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
		     "'%s' still runs on the server", marker);

	/* The connection is still good. */
	r = run_ssh(loop, h, "echo after", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "after\n");
	free_loop(loop);
}

/* A command that ignores SIGTERM: the grace runs out on both sides. */
Test(ssh_timeout, timeout_stops_term_ignoring_command)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char marker[64], cmd[128];
	unique_sleep(marker, sizeof marker, 2);
	snprintf(cmd, sizeof cmd, "trap '' TERM; %s; echo survived", marker);

	const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
		.timeout_ms = 500, .kill_grace_ms = 300});
	expect_status_only(r, RR_TIMEOUT);
	cr_assert_null(strstr(r->out.data, "survived"));
	cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
		     "'%s' still runs on the server", marker);
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* A command whose streams are closed sends EOF long before it ends (sshd
 * sends EOF when no process holds the session's pipes): it is still
 * stopped, whether ringrun discards the streams or the command closes
 * them itself. */
Test(ssh_timeout, timeout_stops_command_after_its_eof)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	static const struct {
		const char *before; /* the command's own redirections */
		enum rr_io mode;
	} cases[] = {
		{ "", RR_IO_DISCARD },
		{ "exec >/dev/null 2>&1; ", RR_IO_CAPTURE },
		{ "exec >&- 2>&-; ", RR_IO_CALLBACK },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char marker[64], cmd[128];

		unique_sleep(marker, sizeof marker, 10 + (int)k);
		snprintf(cmd, sizeof cmd, "%s%s", cases[k].before, marker);
		const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
			.timeout_ms = 300, .stdout_mode = cases[k].mode,
			.stderr_mode = cases[k].mode});
		expect_status_only(r, RR_TIMEOUT);
		cr_assert_null(strstr(r->message, "could not be signalled"),
			       "%s: %s", cmd, r->message);
		cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
			     "'%s' still runs on the server", cmd);
	}
	free_loop(loop);
}

/* A limit that is not reached: output, stdin, exit status, remote signal,
 * env and cwd are what they are without one. */
Test(ssh_timeout, limit_not_reached_changes_nothing)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	struct rr_opts o = {.timeout_ms = 20000};
	const char *env[] = {"FOO=it's", NULL};
	char want[256];

	const struct rr_result *r = run_ssh(loop, h, "echo out; echo err >&2; exit 3", &o);
	expect_status(r, RR_EXIT_NONZERO, 3);
	expect_capture("stdout", &r->out, "out\n");
	expect_capture("stderr", &r->err, "err\n");

	r = run_ssh(loop, h, "kill -TERM $$", &o);
	expect_status(r, RR_SIGNALED, -15);

	r = run_ssh(loop, h, "exit 124", &o); /* timeout(1)'s code: nothing of ours */
	expect_status(r, RR_EXIT_NONZERO, 124);

	o.stdin_data = "a'b\"c\n";
	o.stdin_len = 6;
	o.env = env;
	o.cwd = s->dir;
	r = run_ssh(loop, h, "cat; echo \"$FOO\"; pwd", &o);
	expect_status(r, RR_OK, 0);
	snprintf(want, sizeof want, "a'b\"c\nit's\n%s\n", s->dir);
	expect_capture("stdout", &r->out, want);

	o = (struct rr_opts){.timeout_ms = 20000, .stdout_mode = RR_IO_DISCARD};
	r = run_ssh(loop, h, "echo gone; echo kept >&2", &o);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(r->out.total, 0);
	expect_capture("stderr", &r->err, "kept\n");
	free_loop(loop);
}

/* An idle timeout: the message names the host like every other, and the
 * command does not go on running on the server. */
Test(ssh_timeout, idle_timeout)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char marker[64], cmd[400], prefix[96];
	unique_sleep(marker, sizeof marker, 3);
	snprintf(cmd, sizeof cmd, "echo start; %s", marker);

	uint64_t t0 = now_ns();
	const struct rr_result *r = run_ssh(loop, h, cmd, &(struct rr_opts){
		.idle_timeout_ms = 500, .kill_grace_ms = 300});
	double took = secs_since(t0);
	expect_status_only(r, RR_IDLE_TIMEOUT);
	expect_capture("stdout", &r->out, "start\n");
	cr_assert_geq(took, 0.45, "ended after %.2f s", took);
	snprintf(prefix, sizeof prefix, "host %s: ", rr_host_name(h));
	cr_assert(strncmp(r->message, prefix, strlen(prefix)) == 0,
		  "'%s' does not start with '%s'", r->message, prefix);
	expect_contains(r->message, "wrote nothing");
	cr_assert_eq(r->exit_code, -SIGTERM, "exit code %d", r->exit_code);
	cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
		     "'%s' still runs on the server after the idle timeout", marker);
	free_loop(loop);
}

/* Output keeps an idle timeout from firing: a line every 0.2 s for 2.6 s
 * against 2 s, longer than the limit in all, each pause far shorter. */
Test(ssh_timeout, idle_timeout_not_reached)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	const struct rr_result *r = run_ssh(loop, h,
		"for i in $(seq 13); do echo $i; sleep 0.2; done",
		&(struct rr_opts){.idle_timeout_ms = 2000});
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out,
		       "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n");
	free_loop(loop);
}

static void set_flag(rr_task *t, enum rr_stream s, const char *d, size_t n,
		     void *user)
{
	(void)t, (void)s, (void)d, (void)n;
	*(int *)user = 1;
}

/*
 * rr_task_kill on a running remote command: it ends RR_CANCELLED, killed on
 * the server by the SIGTERM (its exit code says so, as the server said it:
 * the 30 s grace never ran out), and the connection goes on serving.
 */
Test(ssh_timeout, kill_running_remote)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char marker[64], cmd[128];
	int up = 0;
	unique_sleep(marker, sizeof marker, 4);
	snprintf(cmd, sizeof cmd, "echo up; %s", marker);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_line = set_flag, .user = &up, .kill_grace_ms = 30000});
	while (!up)
		cr_assert_gt(rr_loop_run(loop, RR_RUN_ONCE), 0, "never up");
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, -SIGTERM);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "killed by SIGTERM");
	cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
		     "'%s' still runs on the server", marker);
	cr_assert_eq(rr_task_kill(t, SIGTERM), -ESRCH);
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* A task killed while it waits for the connection ends at once, without
 * ever running. */
Test(ssh_timeout, kill_queued_remote)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char marker[160], cmd[256];
	sshd_path(s, "ran", marker, sizeof marker);
	snprintf(cmd, sizeof cmd, "touch %s", marker);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	int done = 0;

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_done = count_done, .user = &done});
	rr_task *other = ssh_task(loop, h, "echo other", NULL);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	cr_assert_eq(done, 0, "on_done ran inside rr_task_kill");
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(done, 1);
	expect_status_only(rr_task_result(t), RR_CANCELLED);
	expect_status(rr_task_result(other), RR_OK, 0);
	cr_assert_eq(access(marker, F_OK), -1, "the killed command ran");
	free_loop(loop);
}
