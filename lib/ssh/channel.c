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
#include "ssh/ssh.h"

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

static const char *const chan_state_names[] = {
	[RR_CHAN_OPEN] = "open",
	[RR_CHAN_EXEC] = "exec",
	[RR_CHAN_RUN] = "run",
	[RR_CHAN_CLOSE] = "close",
};

/* The one place a channel's state changes: forward only, traced. */
#define set_state(ch, to) set_state_at(ch, to, __func__, __LINE__)
static void set_state_at(struct rr_channel *ch, enum rr_chan_state to,
			 const char *fn, int line)
{
	assert(to > ch->state);
	rr__trace(ch->host->loop, fn, line, "channel", rr__task_of(ch)->title,
		  chan_state_names[ch->state], chan_state_names[to]);
	ch->state = to;
}

static void detach(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_channel **pp = &c->channels;

	while (*pp != ch)
		pp = &(*pp)->next;
	*pp = ch->next;
	ch->next = NULL;
	ch->ch = NULL; /* the session frees what is left of it */
	assert(c->nchannels > 0);
	c->nchannels--;
	if (c->opening == ch)
		c->opening = NULL;
}

/* The command is over for us: its streams end. */
static void end_streams(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);

	detach(c, ch);
	if (t->out.open)
		rr__reader_eof(&t->out);
	if (t->err.open)
		rr__reader_eof(&t->err);
}

/* It ended as the server says: code is its exit status or -signal. */
static void finish(struct rr_conn *c, struct rr_channel *ch, int code)
{
	end_streams(c, ch);
	rr__task_exited(rr__task_of(ch), code, NULL);
}

void rr__channel_abort(struct rr_channel *ch, enum rr_status status, const char *msg)
{
	end_streams(&ch->host->conn, ch);
	rr__task_end(rr__task_of(ch), status, "%s", msg);
}

static void fail(struct rr_conn *c, struct rr_channel *ch, const char *what)
{
	char *msg = NULL;
	char buf[1024];

	libssh2_session_last_error(c->session, &msg, NULL, 0);
	if (c->rx_err) /* the peer went away: that is the cause, not the call */
		snprintf(buf, sizeof(buf), "host %s: connection lost: %s",
			 c->host->name, rr_strerror(c->rx_err));
	else
		snprintf(buf, sizeof(buf), "host %s: %s: %s", c->host->name, what,
			 msg && *msg ? msg : "unknown error");
	rr__channel_abort(ch, RR_SSH_ERROR, buf);
}

/*
 * Marks only: the channel's own step signals and closes it (see the top of
 * the file).  abandon: stop waiting for the server's close.
 */
static void mark_killed(struct rr_task *t, int sig, bool abandon)
{
	struct rr_channel *ch = rr__chan(t);

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
	rr__conn_poke(&ch->host->conn);
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
		assert(c->norphans > 0);
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
static bool refused(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_host *h = c->host;
	struct rr_task *t = rr__task_of(ch);

	if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_CHANNEL_FAILURE ||
	    (c->nchannels + c->norphans < 2 && c->refusals >= RR_OPEN_REFUSALS_MAX))
		return false;
	detach(c, ch);
	if (c->nchannels + c->norphans)
		c->channel_limit = c->nchannels + c->norphans;
	else
		c->refusals++;
	rr__task_requeue(t);
	rr__queue_push_front(&h->queue, t);
	rr__conn_retry_in(c, 10u << RR_MIN(c->refusals, 6u));
	return true;
}

/* The channel is open: the task waits for the streams it reads. */
static void open_streams(struct rr_task *t)
{
	if (read_wanted(t->opts.stdout_mode))
		rr__reader_open(&t->out);
	if (read_wanted(t->opts.stderr_mode))
		rr__reader_open(&t->err);
}

static bool step_open(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	LIBSSH2_CHANNEL *lch;

	assert(ch->state == RR_CHAN_OPEN && c->opening == ch);
	lch = libssh2_channel_open_session(c->session);

	if (!lch) {
		if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
			return false;
		if (!refused(c, ch))
			fail(c, ch, "channel open failed");
		return true;
	}
	c->opening = NULL;
	c->refusals = 0;
	ch->ch = lch;
	open_streams(t);
	if (ch->killed) { /* killed while opening: nothing to run */
		set_state(ch, RR_CHAN_CLOSE);
		return false;
	}
	if (t->opts.stderr_mode == RR_IO_MERGE)
		libssh2_channel_handle_extended_data2(lch, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
	ch->command = remote_command(t);
	if (!ch->command) {
		rr__channel_abort(ch, RR_ERROR, "out of memory");
		return true;
	}
	set_state(ch, RR_CHAN_EXEC);
	return false;
}

static bool step_exec(struct rr_conn *c, struct rr_channel *ch)
{
	int rc;

	assert(ch->state == RR_CHAN_EXEC);
	/* Our send callback takes the whole request at once: out it goes. */
	ch->exec_sent = true;
	rc = libssh2_channel_exec(ch->ch, ch->command);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc < 0) {
		fail(c, ch, "exec failed");
		return true;
	}
	set_state(ch, RR_CHAN_RUN);
	return false;
}

/* stdin, while the connection's send buffer has room; then EOF. */
static int write_stdin(struct rr_conn *c, struct rr_channel *ch)
{
	const struct rr_task *t = rr__task_of(ch);
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
static bool read_stream(struct rr_conn *c, struct rr_channel *ch, struct rr_reader *r,
			int id, int *err)
{
	for (;;) {
		size_t room = RR_DRAIN_SIZE;
		char *p = r->open ? rr__reader_space(r, &room) : c->host->loop->drain;
		ssize_t n = libssh2_channel_read_ex(ch->ch, id, p, room);

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return false;
		if (n < 0) {
			*err = (int)n;
			return false;
		}
		if (r->open)
			rr__reader_commit(r, p, (size_t)n);
		if (c->state != RR_CONN_READY || !ch->ch)
			return true;
	}
}

#if LIBSSH2_VERSION_NUM >= 0x010b00
/* The pending signal, once; the close that follows happens either way. */
static void step_signal(struct rr_channel *ch)
{
	const char *name = sigabbrev_np(ch->signal);

	if (name && libssh2_channel_signal_ex(ch->ch, name, strlen(name)) ==
			    LIBSSH2_ERROR_EAGAIN)
		return;
	ch->signal = 0;
}
#endif

static bool step_run(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	int err = 0;

#if LIBSSH2_VERSION_NUM >= 0x010b00
	if (ch->signal)
		step_signal(ch);
#endif
	if (!ch->eof_sent && (err = write_stdin(c, ch)) < 0) {
		fail(c, ch, "writing stdin");
		return true;
	}
	if (read_stream(c, ch, &t->out, 0, &err) ||
	    read_stream(c, ch, &t->err, SSH_EXTENDED_DATA_STDERR, &err))
		return true;
	if (err < 0) {
		fail(c, ch, "reading output");
		return true;
	}
	if (libssh2_channel_eof(ch->ch))
		set_state(ch, RR_CHAN_CLOSE);
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
static int exit_code(struct rr_conn *c, struct rr_channel *ch)
{
	const struct rr_task *t = rr__task_of(ch);
	char *name = NULL;
	size_t len = 0;
	int sig = 0, code;

	libssh2_channel_get_exit_signal(ch->ch, &name, &len, NULL, NULL, NULL, NULL);
	if (name) {
		sig = signal_number(name);
		libssh2_free(c->session, name);
	}
	if (sig)
		return -sig;
	if (name)
		return 255; /* a signal this system has no name for */
	code = libssh2_channel_get_exit_status(ch->ch);
	/* Closed by us before the server said how it ended: as a SIGTERM. */
	return code == 0 && t->reason ? -SIGTERM : code;
}

static bool step_close(struct rr_conn *c, struct rr_channel *ch)
{
	int rc, code;

	assert(ch->state == RR_CHAN_CLOSE && ch->ch);
	if (!ch->close_sent) {
		rc = libssh2_channel_close(ch->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return false;
		ch->close_sent = true;
	}
	rc = libssh2_channel_wait_closed(ch->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	code = exit_code(c, ch);
	libssh2_channel_free(ch->ch);
	ch->ch = NULL;
	finish(c, ch, code);
	return true;
}

/* Run one channel until it would block.  true: it ended (lists changed). */
static bool channel_step(struct rr_conn *c, struct rr_channel *ch)
{
	if (ch->abandon && ch->state != RR_CHAN_OPEN) {
		if (ch->ch)
			orphan(c, ch->ch);
		finish(c, ch, -SIGKILL);
		return true;
	}
	if (ch->state == RR_CHAN_OPEN && step_open(c, ch))
		return true;
	if (ch->state == RR_CHAN_EXEC && step_exec(c, ch))
		return true;
	if (ch->killed && !ch->signal && ch->state == RR_CHAN_RUN)
		set_state(ch, RR_CHAN_CLOSE);
	if (ch->state == RR_CHAN_RUN && step_run(c, ch))
		return true;
	return ch->state == RR_CHAN_CLOSE && step_close(c, ch);
}

/* Give queued tasks channels: one open at a time, up to the limit. */
static void start_channels(struct rr_conn *c)
{
	struct rr_host *h = c->host;
	struct rr_channel *ch;
	struct rr_task *t;

	/* A connection whose peer has gone takes no new command: it is failed
	   at the end of this kick and its queue goes to the next one. */
	if (c->opening || c->nchannels + c->norphans >= c->channel_limit ||
	    !h->queue.head || c->rx_err || c->retry.slot)
		return;
	t = rr__queue_pop(&h->queue);
	ch = rr__chan(t);
	*ch = (struct rr_channel){ .host = h, .state = RR_CHAN_OPEN, .next = c->channels };
	c->channels = ch;
	c->nchannels++;
	c->opening = ch;
	rr__task_begin(t, 0);
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
		for (struct rr_channel *ch = c->channels; ch; ch = ch->next) {
			if (channel_step(c, ch)) {
				changed = true; /* ch may be gone: start over */
				break;
			}
		}
	} while (changed && c->state == RR_CONN_READY);
}

/* ----------------------------------------------------------- the table */

static void chan_start(struct rr_task *t)
{
	struct rr_host *h = rr__chan(t)->host;

	rr__queue_push(&h->queue, t);
	rr__conn_want(&h->conn);
}

static void chan_dequeue(struct rr_task *t)
{
	rr__queue_remove(&rr__chan(t)->host->queue, t);
}

static int chan_signal(struct rr_task *t, int sig, unsigned flags)
{
	(void)flags; /* FIXME(issue 8): remote signals, remote stop */
	mark_killed(t, sig, false);
	return 0;
}

static void chan_stdin_kick(struct rr_task *t)
{
	(void)t; /* FIXME(issue 8): streaming stdin */
}

static int chan_resize(struct rr_task *t, unsigned rows, unsigned cols)
{
	(void)t, (void)rows, (void)cols; /* FIXME(issue 8): pty */
	return -ENOTSUP;
}

/* The grace after SIGKILL is over: the server has not closed the channel. */
static void chan_stop(struct rr_task *t)
{
	mark_killed(t, SIGKILL, true);
}

static bool chan_started(const struct rr_task *t)
{
	return ((const struct rr_channel *)rr__task_kind_data_const(t))->exec_sent;
}

static size_t chan_describe(const struct rr_task *t, char *buf, size_t size)
{
	const struct rr_channel *ch = rr__task_kind_data_const(t);

	return (size_t)snprintf(buf, size, "host %s: ", ch->host->name);
}

static const char *chan_ending(const struct rr_task *t)
{
	const struct rr_channel *ch = rr__task_kind_data_const(t);

	return ch->abandon ? "channel abandoned (the server did not close it)" : NULL;
}

static void chan_settle(struct rr_task *t)
{
	assert(!rr__chan(t)->ch); /* detached before it could end */
}

static void chan_destroy(struct rr_task *t)
{
	struct rr_channel *ch = rr__chan(t);

	free(ch->command);
	rr__host_unref(ch->host);
}

const struct rr_kind rr__kind_ssh = {
	.name = "ssh",
	.size = sizeof(struct rr_channel),
	.start = chan_start,
	.dequeue = chan_dequeue,
	.signal = chan_signal,
	.stdin_kick = chan_stdin_kick,
	.resize = chan_resize,
	.stop = chan_stop,
	.started = chan_started,
	.describe = chan_describe,
	.ending = chan_ending,
	.settle = chan_settle,
	.destroy = chan_destroy,
};
