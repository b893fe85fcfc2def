/* channels.c - many commands to one host share one connection as channels:
 * up to the channel limit at once, the rest queued, and a server that allows
 * fewer sessions (MaxSessions) than asked for is learnt, not failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_channels);

/* n tasks "echo i" (with a pause first if sleep is set); all must be ok with
 * their own output. */
static void run_numbered(rr_loop *loop, rr_host *h, int n, const char *sleep)
{
	rr_task **t = calloc((size_t)n, sizeof *t);
	char cmd[128], want[32];
	cr_assert(t);
	for (int i = 0; i < n; i++) {
		snprintf(cmd, sizeof cmd, "%s%secho %d", sleep ? sleep : "",
			 sleep ? "; " : "", i);
		t[i] = ssh_task(loop, h, cmd, NULL);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < n; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		snprintf(want, sizeof want, "%d\n", i);
		expect_capture("stdout", &r->out, want);
		rr_task_free(t[i]);
	}
	free(t);
}

/* 25 commands, one TCP connection: sshd logs one "Connection from" and 25
 * sessions. */
Test(ssh_channels, twenty_five_on_one_connection)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	run_numbered(loop, h, 25, NULL);
	cr_assert_eq(sshd_log_wait(s, "Starting session", 25, HANG_GUARD_MS), 25);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1,
		     "%d connections for one host", sshd_log_count(s, "Connection from"));
	cr_assert_eq(sshd_sessions(s), 1, "one per-connection sshd");
	free_loop(loop);
}

/*
 * At most `channels` commands run at once (here 4), and the queue drains.
 * Each command records itself in DIR/running while it runs and counts who
 * is there.  The commands go in pairs, 2k and 2k+1, that meet through two
 * FIFOs (an open blocks until the other side opens): each counts while its
 * partner is certainly there, so some count is at least 2 however the
 * machine schedules them.
 */
#define LIMIT_TASKS 12

Test(ssh_channels, limit_is_kept)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char dir[160], env[LIMIT_TASKS][4][200];
	const char *envp[LIMIT_TASKS][5];
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.channels = 4, .no_agent = true});
	rr_task *t[LIMIT_TASKS];

	sshd_path(s, "running", dir, sizeof dir);
	cr_assert_eq(mkdir(dir, 0700), 0, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < LIMIT_TASKS; i++) {
		char f1[160], f2[160], name[32];

		snprintf(name, sizeof name, "to_b%d", i / 2);
		sshd_path(s, name, f1, sizeof f1);
		snprintf(name, sizeof name, "to_a%d", i / 2);
		sshd_path(s, name, f2, sizeof f2);
		if (i % 2 == 0)
			cr_assert(mkfifo(f1, 0600) == 0 && mkfifo(f2, 0600) == 0,
				  "mkfifo: %s", strerror(errno));
		snprintf(env[i][0], sizeof env[i][0], "D=%s", dir);
		snprintf(env[i][1], sizeof env[i][1], "TO_B=%s", f1);
		snprintf(env[i][2], sizeof env[i][2], "TO_A=%s", f2);
		snprintf(env[i][3], sizeof env[i][3], "SIDE=%c", i % 2 ? 'b' : 'a');
		for (int k = 0; k < 4; k++)
			envp[i][k] = env[i][k];
		envp[i][4] = NULL;
		t[i] = ssh_task(loop, h,
				"touch \"$D/$$\"; if [ $SIDE = a ]; then echo >\"$TO_B\"; "
				"n=$(ls \"$D\" | wc -l); cat \"$TO_A\" >/dev/null; "
				"else cat \"$TO_B\" >/dev/null; "
				"n=$(ls \"$D\" | wc -l); echo >\"$TO_A\"; fi; "
				"rm \"$D/$$\"; echo $n",
				&(struct rr_opts){.env = envp[i]});
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	int most = 0;
	for (int i = 0; i < LIMIT_TASKS; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status(r, RR_OK, 0);
		int k = atoi(r->out.data);
		cr_assert_geq(k, 2, "command %d counted %d: its partner was not there", i, k);
		most = k > most ? k : most;
	}
	cr_assert_leq(most, 4, "%d commands ran at once with channels = 4", most);
	free_loop(loop);
}

/* The server allows 10 sessions, the host asks for 12: the refused ones wait
 * and all 12 succeed, on one connection. */
Test(ssh_channels, more_than_maxsessions)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 10", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.channels = 12, .no_agent = true});

	run_numbered(loop, h, 12, "sleep 0.3");
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	/* And again on the same connection, now that the limit is known. */
	run_numbered(loop, h, 12, "sleep 0.1");
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

/* The default channel count against a default sshd. */
Test(ssh_channels, default_channels)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 10", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	run_numbered(loop, h, 12, "sleep 0.3");
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

/* A server far below the default (MaxSessions 2): every command still runs. */
Test(ssh_channels, small_maxsessions)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 2", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	run_numbered(loop, h, 9, "sleep 0.1");
	run_numbered(loop, h, 30, NULL);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

/* A server that allows a single session: commands run one after the other. */
Test(ssh_channels, maxsessions_1)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 1", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);

	run_numbered(loop, h, 6, NULL);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

struct chain {
	rr_loop *loop;
	rr_host *host;
	int left, done;
	char out[256];
};

static void chain_next(rr_task *t, void *user)
{
	struct chain *c = user;
	const struct rr_result *r = rr_task_result(t);
	cr_assert_eq(r->status, RR_OK, "%s", r->message);
	strncat(c->out, r->out.data, sizeof c->out - strlen(c->out) - 1);
	c->done++;
	if (c->left-- > 0) {
		char cmd[32];
		snprintf(cmd, sizeof cmd, "echo %d", c->done);
		cr_assert(rr_ssh(c->loop, c->host, cmd, &(struct rr_opts){
			.on_done = chain_next, .user = c, .flags = RR_F_AUTOFREE}));
	}
}

/* Each command submitted from the previous one's on_done: 20 in a row on the
 * one connection. */
Test(ssh_channels, chain_from_on_done)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	struct chain c = {loop, host_on(loop, s, 0, NULL), 19, 0, ""};

	cr_assert(rr_ssh(loop, c.host, "echo 0", &(struct rr_opts){
		.on_done = chain_next, .user = &c, .flags = RR_F_AUTOFREE}));
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(c.done, 20);
	char want[256] = "";
	for (int i = 0; i < 20; i++) {
		char l[16];
		snprintf(l, sizeof l, "%d\n", i);
		strcat(want, l);
	}
	cr_assert_str_eq(c.out, want);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

static void count_line(rr_task *t, enum rr_stream s, const char *d, size_t n,
		       void *user)
{
	(void)t, (void)s, (void)d, (void)n;
	++*(int *)user;
}

/* Killed channels give their place back: nine commands that never end
 * (the default channels, one kept for stopping them) are killed (SIGKILL:
 * no grace), then ten more commands run on the connection. */
Test(ssh_channels, killed_channels_free_their_slots)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	rr_task *t[RR_HOST_CHANNELS_DEFAULT - 1];
	int up = 0, n = RR_HOST_CHANNELS_DEFAULT - 1;
	char cmd[64];

	snprintf(cmd, sizeof cmd, "echo up; exec sleep 800.%07d", (int)getpid());
	for (int i = 0; i < n; i++)
		t[i] = ssh_task(loop, h, cmd, &(struct rr_opts){
			.on_line = count_line, .user = &up});
	while (up < n)
		cr_assert_gt(rr_loop_run(loop, RR_RUN_ONCE), 0, "only %d are up", up);
	for (int i = 0; i < n; i++)
		cr_assert_eq(rr_task_kill(t[i], SIGKILL), 0);
	for (int i = 0; i < n; i++) {
		const struct rr_result *r = wait_task(t[i]);
		expect_status(r, RR_CANCELLED, -SIGKILL);
		expect_contains(r->message, rr_host_name(h));
	}
	run_numbered(loop, h, 10, NULL); /* slots not given back: it never ends */
	free_loop(loop);
}

/* 100 short commands against MaxSessions 10 with channels = 12: a refusal
 * right after a close (the server frees a session only after it has handled
 * the close) must not fail a command, however often it happens. */
Test(ssh_channels, many_more_than_maxsessions)
{
	struct sshd *s = sshd_start(1, 0, "MaxSessions 10", NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.channels = 12, .no_agent = true});

	run_numbered(loop, h, 100, NULL);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}
