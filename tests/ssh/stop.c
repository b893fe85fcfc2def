/* stop.c - remote commands really stop: every kind of kill (rr_task_kill,
 * timeout, idle timeout, rr_host_free, rr_loop_free) reaches the command's
 * processes on the server, and its exit code is what the server said.  The
 * harness's sshd runs here as this user: its sessions' processes are found
 * by their unique "sleep 8NNN.PID" command lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_stop);

/* "sleep 8NNN.PID": a sleep no other process on this machine runs. */
static const char *mark(char *buf, size_t size, int salt)
{
	snprintf(buf, size, "sleep 8%03d.%07d", salt, (int)getpid());
	return buf;
}

static void count_line(rr_task *t, enum rr_stream s, const char *d, size_t n,
		       void *user)
{
	(void)t, (void)s, (void)d, (void)n;
	++*(int *)user;
}

static void run_until(rr_loop *loop, const int *count, int want)
{
	while (*count < want)
		cr_assert_gt(rr_loop_run(loop, RR_RUN_ONCE), 0, "%d of %d", *count, want);
}

static void expect_gone(const char *marker)
{
	cr_assert_eq(procs_wait_gone(marker, HANG_GUARD_MS), 0,
		     "'%s' still runs on the server", marker);
}

/* A SIGTERM reaches the whole process group: the shell and both of its
 * children; the shell's death by it is the exit code, and no grace ran. */
Test(ssh_stop, kill_reaches_the_group)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[256];
	int up = 0;
	mark(m, sizeof m, 101);
	snprintf(cmd, sizeof cmd, "%s & %s & echo up; wait", m, m);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_line = count_line, .user = &up, .kill_grace_ms = 60000});
	run_until(loop, &up, 1);
	cr_assert_geq(procs_wait_count(m, 2, HANG_GUARD_MS), 2); /* and the shell's */
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, -SIGTERM);
	expect_contains(r->message, "killed by SIGTERM");
	expect_gone(m);
	free_loop(loop);
}

/* A command that ignores SIGTERM is killed by the SIGKILL after the grace:
 * its -9 is the server's word. */
Test(ssh_stop, term_ignored_then_killed)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[256];
	int up = 0;
	mark(m, sizeof m, 102);
	snprintf(cmd, sizeof cmd, "trap '' TERM; echo up; %s; echo survived", m);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_line = count_line, .user = &up, .kill_grace_ms = 300});
	run_until(loop, &up, 1);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, -SIGKILL);
	expect_capture("stdout", &r->out, "up\n");
	expect_gone(m);
	free_loop(loop);
}

/* A command that traps SIGTERM and exits: its own exit status. */
Test(ssh_stop, term_trapped_exit_status)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[256];
	int up = 0;
	mark(m, sizeof m, 103);
	snprintf(cmd, sizeof cmd, "trap 'echo bye; exit 7' TERM; echo up; %s & wait", m);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_line = count_line, .user = &up, .kill_grace_ms = 60000});
	run_until(loop, &up, 1);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, 7);
	expect_capture("stdout", &r->out, "up\nbye\n");
	expect_gone(m);
	free_loop(loop);
}

/* A timeout and an idle timeout stop the command on the server (TERM). */
Test(ssh_stop, timeouts_stop_the_command)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m1[64], m2[64], c1[128], c2[128];
	snprintf(c1, sizeof c1, "echo up; %s", mark(m1, sizeof m1, 104));
	snprintf(c2, sizeof c2, "echo up; %s", mark(m2, sizeof m2, 105));

	rr_task *t1 = ssh_task(loop, h, c1, &(struct rr_opts){.timeout_ms = 300,
		.kill_grace_ms = 60000});
	rr_task *t2 = ssh_task(loop, h, c2, &(struct rr_opts){.idle_timeout_ms = 300,
		.kill_grace_ms = 60000});
	expect_status(wait_task(t1), RR_TIMEOUT, -SIGTERM);
	expect_status(wait_task(t2), RR_IDLE_TIMEOUT, -SIGTERM);
	expect_gone(m1);
	expect_gone(m2);
	free_loop(loop);
}

/* A kill asked for before the command reported its session (from on_start:
 * the exec was accepted, nothing was read yet) is held until it reports. */
static void kill_on_start(rr_task *t, pid_t pid, void *user)
{
	(void)user;
	cr_assert_eq(pid, 0);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
}

Test(ssh_stop, kill_before_the_report)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[128];
	snprintf(cmd, sizeof cmd, "%s", mark(m, sizeof m, 106));

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_start = kill_on_start, .kill_grace_ms = 60000});
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, -SIGTERM);
	cr_assert(r->started);
	expect_gone(m);
	free_loop(loop);
}

/* A process the command left in a session of its own holds its output: the
 * task ends after the graces with the command's real exit code, and says
 * what it left.  That process is cleaned up here. */
Test(ssh_stop, left_process_reported)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char left[64], m[64], cmd[256];
	int up = 0;
	mark(left, sizeof left, 107);
	mark(m, sizeof m, 108);
	/* "left" once it runs in a session of its own. */
	snprintf(cmd, sizeof cmd, "setsid sh -c 'echo left; exec %s' & exec %s", left, m);

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){
		.on_line = count_line, .user = &up, .kill_grace_ms = 200});
	run_until(loop, &up, 1);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	const struct rr_result *r = wait_task(t);
	expect_status(r, RR_CANCELLED, -SIGTERM);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "a process it left still runs");
	expect_gone(m);
	cr_assert_eq(procs_with_cmdline(left), 1, "the process it left is gone");
	cr_assert_eq(procs_kill(left, SIGKILL), 1);
	expect_gone(left);
	/* The connection still serves. */
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* rr_host_free: its commands end now, and on the server too. */
Test(ssh_stop, host_free_stops_commands)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[128];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 109));

	for (int i = 0; i < 3; i++)
		ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line, .user = &up,
			.flags = RR_F_AUTOFREE});
	run_until(loop, &up, 3);
	cr_assert_geq(procs_wait_count(m, 3, HANG_GUARD_MS), 3);
	rr_host_free(h);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_gone(m);
	cr_assert_eq(sshd_sessions_wait_gone(s, HANG_GUARD_MS), 0);
	free_loop(loop);
	cr_assert_eq(sshd_log_wait(s, "Received disconnect", 1, HANG_GUARD_MS), 1);
}

/* rr_loop_free: the commands die on the server before it returns... or
 * soon after; none is left. */
Test(ssh_stop, loop_free_stops_commands)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[128];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 110));

	for (int i = 0; i < 3; i++)
		ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line, .user = &up});
	run_until(loop, &up, 3);
	free_loop(loop);
	expect_gone(m);
	cr_assert_eq(sshd_sessions_wait_gone(s, HANG_GUARD_MS), 0);
}

/* rr_task_free of a running command kills it on the server. */
Test(ssh_stop, task_free_stops_command)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[128];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 111));

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line,
		.user = &up});
	run_until(loop, &up, 1);
	rr_task_free(t);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_gone(m);
	free_loop(loop);
}

/* With 9 commands on the 9 channels the host gives commands (one of the
 * default 10 is kept), a kill still gets through: it ends by its SIGTERM,
 * long before a 60 s grace could. */
Test(ssh_stop, kill_through_reserved_session)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 10", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	enum { N = RR_HOST_CHANNELS_DEFAULT - 1 };
	char m[64], cmd[128];
	rr_task *t[N];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 112));

	for (int i = 0; i < N; i++)
		t[i] = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line,
			.user = &up, .kill_grace_ms = 60000});
	run_until(loop, &up, N);
	cr_assert_eq(rr_task_kill(t[4], SIGTERM), 0);
	expect_status(wait_task(t[4]), RR_CANCELLED, -SIGTERM);
	for (int i = 0; i < N; i++)
		if (i != 4)
			cr_assert_eq(rr_task_kill(t[i], SIGKILL), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < N; i++)
		if (i != 4)
			expect_status(rr_task_result(t[i]), RR_CANCELLED, -SIGKILL);
	expect_gone(m);
	free_loop(loop);
}

/* The connection is lost under a command: the message says the command
 * may still run (it does: sshd does not kill it), naming the host. */
Test(ssh_stop, connection_lost_message)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[160];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; exec %s >/dev/null 2>&1 </dev/null",
		 mark(m, sizeof m, 113));

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line,
		.user = &up});
	run_until(loop, &up, 1);
	sshd_drop_connections(s);
	const struct rr_result *r = wait_task(t);
	expect_status_only(r, RR_SSH_ERROR);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "connection lost");
	expect_contains(r->message, "the remote command may still run");
	cr_assert_null(strchr(r->message, '\n'));
	procs_kill(m, SIGKILL); /* the dropped connection's session, if it lives */
	expect_gone(m);
	free_loop(loop);
}

/* rr_host_free, then rr_loop_free before the host's last kills were run:
 * none of its commands is left. */
Test(ssh_stop, host_free_then_loop_free)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	char m[64], cmd[128];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 114));

	for (int i = 0; i < 2; i++)
		ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line, .user = &up});
	run_until(loop, &up, 2);
	rr_host_free(h);
	free_loop(loop);
	expect_gone(m);
	cr_assert_eq(sshd_sessions_wait_gone(s, HANG_GUARD_MS), 0);
}

/* With channels = 1 the one command runs, and the channel that stops it is
 * opened beyond it. */
Test(ssh_stop, one_channel_host)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){.channels = 1,
		.no_agent = true});
	char m[64], cmd[128];
	int up = 0;
	snprintf(cmd, sizeof cmd, "echo up; %s", mark(m, sizeof m, 115));

	rr_task *t = ssh_task(loop, h, cmd, &(struct rr_opts){.on_line = count_line,
		.user = &up, .kill_grace_ms = 60000});
	run_until(loop, &up, 1);
	cr_assert_eq(rr_task_kill(t, SIGTERM), 0);
	expect_status(wait_task(t), RR_CANCELLED, -SIGTERM);
	expect_gone(m);
	expect_status(run_ssh(loop, h, "echo next", NULL), RR_OK, 0);
	free_loop(loop);
}
