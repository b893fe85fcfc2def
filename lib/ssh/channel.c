/*
 * channel.c - one remote command on one channel of its host's connection:
 * open -> exec -> stdin out, stdout and stderr in, until EOF -> close -> exit
 * status or signal.  Every step runs until libssh2 says EAGAIN; the
 * connection kicks all its channels on every completion.
 *
 * A kill closes the channel.  Built against libssh2 >= 1.11 it first sends
 * the RFC 4254 "signal" request, which sshd >= 7.9 turns into killpg() of
 * the session; libssh2 1.10 cannot send a request after exec, so there a
 * timeout relies on the remote timeout(1) and a kill or idle timeout only
 * closes the channel (the process then dies at its next write).  sshd keeps
 * a session open while its process lives, so a channel it does not close
 * within the grace is abandoned: its task ends, and the channel stays counted
 * against the connection's limit as an orphan until the server closes it.
 * When orphans hold every slot and tasks wait, the connection is replaced,
 * as a new ssh would be.
 *
 * Only the channel's own step changes the connection's channel list (a kill
 * only marks the channel), and a step that ended its task - which runs
 * callbacks that may submit, kill or free anything - makes the caller start
 * over, so no list walk outlives a change.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RR_REMOTE_TIMEOUT_MARGIN_MS 500 /* ours fires first; timeout(1) after */
#define RR_OPEN_REFUSALS_MAX 12         /* ~4 s of backoff with none of ours open */

static bool read_wanted(enum rr_io mode)
{
	return mode == RR_IO_CAPTURE || mode == RR_IO_CALLBACK;
}

/* ------------------------------------------------------- remote command */

/* *s with fmt appended (NULL: nothing yet); -1 when out of memory. */
__attribute__((format(printf, 2, 3)))
static int add(char **s, const char *fmt, ...)
{
	char *piece, *n;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&piece, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = asprintf(&n, "%s%s", *s ? *s : "", piece);
	free(piece);
	if (r < 0)
		return -1;
	free(*s);
	*s = n;
	return 0;
}

/* 'it'\''s', for the remote POSIX shell. */
static char *quote(const char *s)
{
	size_t n = 2;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	q = p = malloc(n + 1);
	if (!q)
		return NULL;
	*p++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *s;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/* before, arg quoted, after. */
static int add_quoted(char **s, const char *before, const char *arg,
		      const char *after)
{
	char *q = quote(arg);
	int r = q ? add(s, "%s%s%s", before, q, after) : -1;

	free(q);
	return r;
}

static int add_env(char **s, const char *entry)
{
	const char *eq = strchr(entry, '=');
	char *name = eq ? strndup(entry, (size_t)(eq - entry)) : NULL;
	int r = name ? add(s, "export %s=", name) : -1;

	if (r == 0)
		r = add_quoted(s, "", eq + 1, "; ");
	free(name);
	return r;
}

/*
 * What the remote login shell runs: cwd and env first, discarded streams
 * sent to /dev/null there (so their bytes never cross the network), and with
 * a timeout, the command under timeout(1), so that it stops on the host too.
 */
static char *remote_command(const struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	const char *cmd = t->argv[2];
	char *s = NULL;
	int r = 0;

	if (o->cwd)
		r = add_quoted(&s, "cd ", o->cwd, " || exit 1; ");
	for (size_t i = 0; o->env && o->env[i] && r == 0; i++)
		r = add_env(&s, o->env[i]);
	if (r == 0 && o->stdout_mode == RR_IO_DISCARD)
		r = add(&s, "exec >/dev/null; ");
	if (r == 0 && o->stderr_mode == RR_IO_DISCARD)
		r = add(&s, "exec 2>/dev/null; ");
	if (r == 0 && o->timeout_ms) {
		r = add(&s, "exec timeout -k %g %g sh -c ",
			(double)o->kill_grace_ms / 1000.0,
			(double)(o->timeout_ms + RR_REMOTE_TIMEOUT_MARGIN_MS) / 1000.0);
		if (r == 0)
			r = add_quoted(&s, "", cmd, "");
	} else if (r == 0) {
		r = add(&s, "%s", cmd);
	}
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------ lifetime */

static void detach(struct rr_conn *c, struct rr_task *t)
{
	struct rr_task **pp = &c->channels;

	while (*pp != t)
		pp = &(*pp)->chan.next;
	*pp = t->chan.next;
	t->chan.next = NULL;
	t->chan.ch = NULL; /* the session frees what is left of it */
	c->nchannels--;
	if (c->opening == t)
		c->opening = NULL;
}

/* The command is over for us: its streams end, then the task. */
static void finish(struct rr_conn *c, struct rr_task *t)
{
	detach(c, t);
	if (read_wanted(t->opts.stdout_mode))
		rr__reader_eof(&t->out);
	if (read_wanted(t->opts.stderr_mode))
		rr__reader_eof(&t->err);
	rr__task_event_done(t);
}

void rr__channel_abort(struct rr_task *t, enum rr_status status, const char *msg)
{
	t->failed = status;
	snprintf(t->message, sizeof(t->message), "%s", msg);
	finish(&t->host->conn, t);
}

static void fail(struct rr_conn *c, struct rr_task *t, const char *what)
{
	char *msg = NULL;
	char buf[RR_MESSAGE_MAX];

	libssh2_session_last_error(c->session, &msg, NULL, 0);
	if (c->rx_err) /* the peer went away: that is the cause, not the call */
		snprintf(buf, sizeof(buf), "host %s: connection lost: %s",
			 c->host->name, rr_strerror(c->rx_err));
	else
		snprintf(buf, sizeof(buf), "host %s: %s: %s", c->host->name, what,
			 msg && *msg ? msg : "unknown error");
	rr__channel_abort(t, RR_SSH_ERROR, buf);
}

/*
 * Marks only: the channel's own step signals and closes it (see the top of
 * the file).  abandon: stop waiting for the server's close.
 */
void rr__channel_kill(struct rr_task *t, int sig, bool abandon)
{
	struct rr_channel *ch = &t->chan;

	if (t->state != RR_TASK_RUNNING)
		return;
#if LIBSSH2_VERSION_NUM >= 0x010b00
	if (ch->signal != SIGKILL)
		ch->signal = sig;
#else
	(void)sig;
	abandon |= ch->killed; /* a second kill has nothing more to send */
#endif
	ch->killed = true;
	ch->abandon |= abandon;
	rr__conn_poke(&t->host->conn);
}

/* Abandoned channels: freed once the server has closed them. */
static void orphans_step(struct rr_conn *c)
{
	struct rr_orphan **pp = &c->orphans;

	while (*pp) {
		struct rr_orphan *o = *pp;

		if (libssh2_channel_free(o->ch) == LIBSSH2_ERROR_EAGAIN) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		c->norphans--;
		free(o);
	}
}

/* The session frees what is left of them. */
void rr__orphans_free(struct rr_conn *c)
{
	while (c->orphans) {
		struct rr_orphan *o = c->orphans;

		c->orphans = o->next;
		free(o);
	}
	c->norphans = 0;
}

static void orphan(struct rr_conn *c, LIBSSH2_CHANNEL *ch)
{
	struct rr_orphan *o = malloc(sizeof(*o));

	if (!o)
		return; /* then the session frees it */
	o->ch = ch;
	o->next = c->orphans;
	c->orphans = o;
	c->norphans++;
}

/* ---------------------------------------------------------------- steps */

/*
 * A refused open is the server's session limit (MaxSessions), reached by
 * ours, or by sessions it has not yet freed after our close: the task waits
 * at the head of the queue, for one of ours to end or a short backoff.
 */
static bool refused(struct rr_conn *c, struct rr_task *t)
{
	struct rr_host *h = c->host;

	if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_CHANNEL_FAILURE ||
	    (c->nchannels + c->norphans < 2 && c->refusals >= RR_OPEN_REFUSALS_MAX))
		return false;
	detach(c, t);
	if (c->nchannels + c->norphans)
		c->channel_limit = c->nchannels + c->norphans;
	else
		c->refusals++;
	rr__deadline_clear(h->loop, &t->deadline);
	t->state = RR_TASK_QUEUED;
	t->next_queued = h->queue.head;
	h->queue.head = t;
	if (!h->queue.tail)
		h->queue.tail = t;
	rr__conn_retry_in(c, 10u << RR_MIN(c->refusals, 6u));
	return true;
}

static bool step_open(struct rr_conn *c, struct rr_task *t)
{
	LIBSSH2_CHANNEL *ch = libssh2_channel_open_session(c->session);

	if (!ch) {
		if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
			return false;
		if (!refused(c, t))
			fail(c, t, "channel open failed");
		return true;
	}
	c->opening = NULL;
	c->refusals = 0;
	t->chan.ch = ch;
	if (t->chan.killed) { /* killed while opening: nothing to run */
		t->chan.state = RR_CHAN_CLOSE;
		return false;
	}
	if (t->opts.stderr_mode == RR_IO_MERGE)
		libssh2_channel_handle_extended_data2(ch, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
	t->chan.command = remote_command(t);
	if (!t->chan.command) {
		rr__channel_abort(t, RR_ERROR, "out of memory");
		return true;
	}
	t->chan.state = RR_CHAN_EXEC;
	return false;
}

static bool step_exec(struct rr_conn *c, struct rr_task *t)
{
	int rc;

	/* Our send callback takes the whole request at once: out it goes. */
	t->chan.exec_sent = true;
	rc = libssh2_channel_exec(t->chan.ch, t->chan.command);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc < 0) {
		fail(c, t, "exec failed");
		return true;
	}
	t->chan.state = RR_CHAN_RUN;
	return false;
}

/* stdin, while the connection's send buffer has room; then EOF. */
static int write_stdin(struct rr_conn *c, struct rr_task *t)
{
	struct rr_channel *ch = &t->chan;
	const char *data = t->opts.stdin_data;
	size_t len = t->opts.stdin_len;
	ssize_t n;

	while (ch->in_off < len && !rr__conn_tx_full(c)) {
		n = libssh2_channel_write(ch->ch, data + ch->in_off, len - ch->in_off);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		ch->in_off += (size_t)n;
	}
	if (ch->in_off == len) {
		int rc = libssh2_channel_send_eof(ch->ch);

		if (rc == 0)
			ch->eof_sent = true;
		else if (rc != LIBSSH2_ERROR_EAGAIN)
			return rc;
	}
	return 0;
}

/*
 * Read one stream until libssh2 has nothing more.  Returns true when a
 * callback changed what we stand on (the connection or this channel).
 */
static bool read_stream(struct rr_conn *c, struct rr_task *t, struct rr_reader *r,
			int id, bool wanted, int *err)
{
	for (;;) {
		size_t room = RR_DRAIN_SIZE;
		char *p = wanted ? rr__reader_space(r, &room) : c->host->loop->drain;
		ssize_t n = libssh2_channel_read_ex(t->chan.ch, id, p, room);

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return false;
		if (n < 0) {
			*err = (int)n;
			return false;
		}
		if (wanted)
			rr__reader_commit(r, p, (size_t)n);
		if (c->state != RR_CONN_READY || !t->chan.ch)
			return true;
	}
}

#if LIBSSH2_VERSION_NUM >= 0x010b00
/* The pending signal, once; the close that follows happens either way. */
static void step_signal(struct rr_task *t)
{
	const char *name = sigabbrev_np(t->chan.signal);

	if (name && libssh2_channel_signal_ex(t->chan.ch, name, strlen(name)) ==
			    LIBSSH2_ERROR_EAGAIN)
		return;
	t->chan.signal = 0;
}
#endif

static bool step_run(struct rr_conn *c, struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	int err = 0;

#if LIBSSH2_VERSION_NUM >= 0x010b00
	if (t->chan.signal)
		step_signal(t);
#endif
	if (!t->chan.eof_sent && (err = write_stdin(c, t)) < 0) {
		fail(c, t, "writing stdin");
		return true;
	}
	if (read_stream(c, t, &t->out, 0, read_wanted(o->stdout_mode), &err) ||
	    read_stream(c, t, &t->err, SSH_EXTENDED_DATA_STDERR,
			read_wanted(o->stderr_mode), &err))
		return true;
	if (err < 0) {
		fail(c, t, "reading output");
		return true;
	}
	if (libssh2_channel_eof(t->chan.ch))
		t->chan.state = RR_CHAN_CLOSE;
	return false;
}

static int signal_number(const char *name)
{
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcmp(abbrev, name) == 0)
			return sig;
	}
	return 0;
}

/* The remote exit status, or -N for a remote death by signal N. */
static void exit_code(struct rr_conn *c, struct rr_task *t)
{
	char *name = NULL;
	size_t len = 0;
	int sig = 0;

	libssh2_channel_get_exit_signal(t->chan.ch, &name, &len, NULL, NULL, NULL, NULL);
	if (name) {
		sig = signal_number(name);
		libssh2_free(c->session, name);
	}
	if (sig)
		t->result.exit_code = -sig;
	else if (name)
		t->result.exit_code = 255; /* a signal this system has no name for */
	else
		t->result.exit_code = libssh2_channel_get_exit_status(t->chan.ch);
	/* Closed by us before the server said how it ended: as a SIGTERM. */
	if (!name && t->result.exit_code == 0 && t->reason)
		t->result.exit_code = -SIGTERM;
}

static bool step_close(struct rr_conn *c, struct rr_task *t)
{
	struct rr_channel *ch = &t->chan;
	int rc;

	if (!ch->close_sent) {
		rc = libssh2_channel_close(ch->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return false;
		ch->close_sent = true;
	}
	rc = libssh2_channel_wait_closed(ch->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	exit_code(c, t);
	libssh2_channel_free(ch->ch);
	ch->ch = NULL;
	finish(c, t);
	return true;
}

/* Run one channel until it would block.  true: it ended (lists changed). */
static bool channel_step(struct rr_conn *c, struct rr_task *t)
{
	struct rr_channel *ch = &t->chan;

	if (ch->abandon && ch->state != RR_CHAN_OPEN) {
		if (ch->ch)
			orphan(c, ch->ch);
		t->result.exit_code = -SIGKILL;
		finish(c, t);
		return true;
	}
	if (ch->state == RR_CHAN_OPEN && step_open(c, t))
		return true;
	if (ch->state == RR_CHAN_EXEC && step_exec(c, t))
		return true;
	if (ch->killed && !ch->signal && ch->state == RR_CHAN_RUN)
		ch->state = RR_CHAN_CLOSE;
	if (ch->state == RR_CHAN_RUN && step_run(c, t))
		return true;
	return ch->state == RR_CHAN_CLOSE && step_close(c, t);
}

/* Give queued tasks channels: one open at a time, up to the limit. */
static void start_channels(struct rr_conn *c)
{
	struct rr_host *h = c->host;
	struct rr_task *t;

	/* A connection whose peer has gone takes no new command: it is failed
	   at the end of this kick and its queue goes to the next one. */
	if (c->opening || c->nchannels + c->norphans >= c->channel_limit ||
	    !h->queue.head || c->rx_err || c->retry.slot)
		return;
	t = rr__queue_pop(&h->queue);
	t->chan = (struct rr_channel){ .state = RR_CHAN_OPEN, .next = c->channels };
	c->channels = t;
	c->nchannels++;
	c->opening = t;
	rr__task_begin(t, 1 + read_wanted(t->opts.stdout_mode) +
				  read_wanted(t->opts.stderr_mode));
}

void rr__channels_step(struct rr_conn *c)
{
	bool changed;

	orphans_step(c);
	if (c->norphans && c->norphans >= c->channel_limit && !c->nchannels &&
	    c->host->queue.head) {
		rr__conn_recycle(c); /* the server holds every slot for orphans */
		return;
	}
	do {
		changed = false;
		start_channels(c);
		for (struct rr_task *t = c->channels; t; t = t->chan.next) {
			if (channel_step(c, t)) {
				changed = true; /* t may be gone: start over */
				break;
			}
		}
	} while (changed && c->state == RR_CONN_READY);
}
