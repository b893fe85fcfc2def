/*
 * stop.c - signals for remote commands, where libssh2 (1.10) cannot send
 * the SSH "signal" request after exec.  A second channel of the connection,
 * the control channel, runs one remote sh that reads kill(1) lines on its
 * stdin: "kill -s TERM -- -SID" for a command's process group, "kill -s
 * USR1 SID" for its shell alone (SID from the command's report, report.c).
 *
 * One long-lived channel rather than an exec per signal: a signal then
 * costs one channel-data packet, not a channel open and an exec round trip
 * first, signals to many commands (a host freed, a halt) share packets, and
 * however many there are they need one session.  It is opened when the
 * first signal is to go.  OpenSSH's MaxSessions counts it, so the
 * connection keeps one of the host's channels free for it (channel.c).  A
 * server that refuses it leaves a killed command only its channel closed.
 *
 * A connection going away (its host or the loop freed) sends EOF after its
 * last line and waits for the sh to end: the lines have then been run,
 * which a disconnect right after them would not promise.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Its errors (a group already gone) are nobody's business. */
#define RR_CTL_COMMAND "exec sh -s 2>/dev/null"

static const char *const ctl_state_names[] = {
	[RR_CTL_NONE] = "none",
	[RR_CTL_OPEN] = "open",
	[RR_CTL_EXEC] = "exec",
	[RR_CTL_RUN] = "run",
	[RR_CTL_FAILED] = "failed",
};

/* The one place its state changes: traced. */
#define set_state(c, to) set_state_at(c, to, __func__, __LINE__)
static void set_state_at(struct rr_conn *c, enum rr_ctl_state to, const char *fn,
			 int line)
{
	rr__trace(c->host->loop, fn, line, "control", c->host->name,
		  ctl_state_names[c->ctl.state], ctl_state_names[to]);
	c->ctl.state = to;
}

int rr__stop_signal(struct rr_conn *c, pid_t sid, int sig, bool leader)
{
	const char *name = sigabbrev_np(sig);
	char line[64];
	int n;

	assert(sid > 1);
	if (c->ctl.state == RR_CTL_FAILED)
		return -ENOTCONN;
	if (!name)
		return -EINVAL;
	n = snprintf(line, sizeof(line), leader ? "kill -s %s %d\n" : "kill -s %s -- -%d\n",
		     name, (int)sid);
	if (rr__buf_append(&c->ctl.out, line, (size_t)n) < 0)
		return -ENOMEM;
	rr__conn_poke(c);
	return 0;
}

bool rr__stop_failed(const struct rr_conn *c)
{
	return c->ctl.state == RR_CTL_FAILED;
}

/* Lines not yet run on the server, as far as we know. */
bool rr__stop_pending(const struct rr_conn *c)
{
	return c->ctl.state != RR_CTL_FAILED &&
	       (c->ctl.off < c->ctl.out.len || c->ctl.state != RR_CTL_NONE);
}

/* The server refused it or it failed: its lines are lost. */
static void give_up(struct rr_conn *c)
{
	struct rr_control *k = &c->ctl;

	if (k->ch && libssh2_channel_free(k->ch) == LIBSSH2_ERROR_EAGAIN)
		rr__orphan_channel(c, k->ch);
	k->ch = NULL;
	k->out.len = k->off = 0;
	set_state(c, RR_CTL_FAILED);
}

static void step_open(struct rr_conn *c)
{
	struct rr_control *k = &c->ctl;

	k->ch = libssh2_channel_open_session(c->session);
	if (k->ch) {
		set_state(c, RR_CTL_EXEC);
		return;
	}
	if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN)
		give_up(c);
}

static void step_exec(struct rr_conn *c)
{
	int rc = libssh2_channel_exec(c->ctl.ch, RR_CTL_COMMAND);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc < 0)
		give_up(c);
	else
		set_state(c, RR_CTL_RUN);
}

/* Lines out while the send buffer has room; EOF when the connection goes
   and all are out; the sh's end (EOF) makes it NONE again. */
static void step_run(struct rr_conn *c)
{
	struct rr_control *k = &c->ctl;
	char *buf = c->host->loop->drain;
	ssize_t n;

	while (k->off < k->out.len && !rr__conn_tx_full(c)) {
		n = libssh2_channel_write(k->ch, k->out.data + k->off, k->out.len - k->off);
		if (n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (n < 0) {
			give_up(c);
			return;
		}
		k->off += (size_t)n;
	}
	if (k->off == k->out.len) {
		k->off = k->out.len = 0;
		if (c->going && !k->eof_sent)
			k->eof_sent = libssh2_channel_send_eof(k->ch) == 0;
	}
	while (libssh2_channel_read(k->ch, buf, RR_DRAIN_SIZE) > 0 ||
	       libssh2_channel_read_stderr(k->ch, buf, RR_DRAIN_SIZE) > 0)
		;
	if (libssh2_channel_eof(k->ch)) {
		if (libssh2_channel_free(k->ch) == LIBSSH2_ERROR_EAGAIN)
			rr__orphan_channel(c, k->ch);
		k->ch = NULL;
		k->eof_sent = false;
		set_state(c, RR_CTL_NONE);
	}
}

void rr__stop_step(struct rr_conn *c)
{
	struct rr_control *k = &c->ctl;

	if (k->state == RR_CTL_NONE && k->off < k->out.len && !c->opening)
		set_state(c, RR_CTL_OPEN);
	if (k->state == RR_CTL_OPEN)
		step_open(c);
	if (k->state == RR_CTL_EXEC)
		step_exec(c);
	if (k->state == RR_CTL_RUN)
		step_run(c);
}

/* The connection is released: the session frees the channel. */
void rr__stop_free(struct rr_conn *c)
{
	free(c->ctl.out.data);
	c->ctl = (struct rr_control){ 0 };
}
