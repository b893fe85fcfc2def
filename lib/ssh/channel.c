/*
 * channel.c - one remote command on one channel of its host's connection:
 * open -> (pty) -> exec -> stdin out, stdout and stderr in, until EOF ->
 * close -> exit status or signal.  Every step runs until libssh2 says
 * EAGAIN; the connection kicks all its channels on every completion.
 *
 * The command first reports its session (report.c); signals, a kill's
 * among them, are held until then and go out as kill(1) lines on the
 * connection's control channel (stop.c), or as the RFC 4254 "signal"
 * request where libssh2 >= 1.11 can send one after exec.  A killed command
 * ends as the server says it ended.  A channel the server does not close
 * within the grace after the SIGKILL (a process the command left holds its
 * output) is abandoned: its task ends, and the channel stays counted
 * against the connection's limit as an orphan until the server closes it.
 * When orphans hold every slot and tasks wait, the connection is replaced,
 * as a new ssh would be.
 *
 * Only the channel's own step changes the connection's channel list (a kill
 * only marks the channel), and a step that ended its task - which runs
 * callbacks that may submit, kill or free anything - makes the caller start
 * over, so no list walk outlives a change.
 */
#include "ssh/xfer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * What the remote login shell runs: the report of its session first (before
 * anything can write to stdout, or close it), cwd and env, discarded streams
 * sent to /dev/null there (so their bytes never cross the network), a merged
 * stderr merged there (so that order is kept as in one pipe), the command.
 */
static char *remote_command(const struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	bool pty = o->flags & RR_F_PTY;
	char *s = NULL;
	int r = add(&s, "%s", rr__report_command);

	if (r == 0 && o->cwd)
		r = add_quoted(&s, "cd ", o->cwd, " || exit 1; ");
	for (size_t i = 0; o->env && o->env[i] && r == 0; i++)
		r = add_env(&s, o->env[i]);
	if (r == 0 && o->stdout_mode == RR_IO_DISCARD)
		r = add(&s, "exec >/dev/null; ");
	if (r == 0 && !pty && o->stderr_mode == RR_IO_DISCARD)
		r = add(&s, "exec 2>/dev/null; ");
	if (r == 0 && !pty && o->stderr_mode == RR_IO_MERGE)
		r = add(&s, "exec 2>&1; ");
	if (r == 0)
		r = add(&s, "%s", t->argv[2]);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------ lifetime */

static const char *const chan_state_names[] = {
	[RR_CHAN_OPEN] = "open",
	[RR_CHAN_PTY] = "pty",
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


void rr__channel_detach(struct rr_conn *c, struct rr_channel *ch)
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
	if (ch->counted) {
		assert(c->host->ssh->killing > 0);
		c->host->ssh->killing--;
		ch->counted = false;
	}
}

/* Bytes of stdout that are output (not the report): to the reader. */
static void give(void *arg, const char *p, size_t n)
{
	rr__reader_take(arg, p, n);
}

/* The command is over for us: its streams end, its stdin has no reader. */
static void end_streams(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);

	if (ch->sftp)
		rr__xfer_aborted(ch);
	rr__channel_detach(c, ch);
	rr__report_end(&ch->report, give, &t->out);
	rr__stdin_broken(t);
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

/* A connection lost under a command leaves it to itself on the server. */
void rr__channel_abort(struct rr_channel *ch, enum rr_status status, const char *msg)
{
	bool lost = status == RR_SSH_ERROR && ch->exec_sent;

	end_streams(&ch->host->conn, ch);
	rr__task_end(rr__task_of(ch), status, "%s%s", msg,
		     !lost ? "" : ch->sftp ? "; a temporary file of the copy may be left on it" :
					     "; the remote command may still run");
}

void rr__channel_fail(struct rr_conn *c, struct rr_channel *ch, const char *what)
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

/* The channel outlives its task: kill_sig once its command reports. */
static void orphan(struct rr_conn *c, struct rr_channel *ch, int kill_sig)
{
	rr__orphan_adopt(c, ch->ch, ch->report, kill_sig);
	ch->report = (struct rr_report){ .done = true };
}

/* ---------------------------------------------------------- signals */

/* Hold s until the command can get it: the step sends it. */
static int hold_signal(struct rr_channel *ch, struct rr_rsig s)
{
	struct rr_rsig *v = realloc(ch->held, (ch->nheld + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ch->held = v;
	ch->held[ch->nheld++] = s;
	rr__conn_poke(&ch->host->conn);
	return 0;
}

/* libssh2 >= 1.11 sends the "signal" request after exec, which sshd >= 7.9
   turns into killpg() of the session: the group needs no control channel. */
static bool by_request(bool leader)
{
#if LIBSSH2_VERSION_NUM >= 0x010b00
	return !leader;
#else
	(void)leader;
	return false;
#endif
}

/* One held signal out: 0, -EAGAIN (not yet), or why it cannot go. */
static int send_signal(struct rr_conn *c, struct rr_channel *ch, const struct rr_rsig *s)
{
#if LIBSSH2_VERSION_NUM >= 0x010b00
	if (by_request(s->leader)) {
		const char *name = sigabbrev_np(s->sig);
		int rc = libssh2_channel_signal_ex(ch->ch, name, strlen(name));

		return rc == LIBSSH2_ERROR_EAGAIN ? -EAGAIN : rc < 0 ? -EIO : 0;
	}
#endif
	if (!ch->report.done)
		return -EAGAIN;
	if (!ch->report.sid)
		return -ESRCH;
	return rr__stop_signal(c, ch->report.sid, s->sig, s->leader);
}

/* The held signals, in order, as far as they can go now. */
static void flush_signals(struct rr_conn *c, struct rr_channel *ch)
{
	unsigned i;

	if (!ch->nheld)
		return; /* held is NULL then */
	for (i = 0; i < ch->nheld; i++) {
		int r = send_signal(c, ch, &ch->held[i]);

		if (r == -EAGAIN)
			break;
		if (ch->held[i].end) {
			ch->kill_sent |= r == 0;
			ch->no_stop |= r < 0;
		}
	}
	memmove(ch->held, ch->held + i, (ch->nheld - i) * sizeof(*ch->held));
	ch->nheld -= i;
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
	unsigned held;

	if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_CHANNEL_FAILURE ||
	    (c->nchannels + c->norphans < 2 && c->refusals >= RR_OPEN_REFUSALS_MAX))
		return false;
	rr__channel_detach(c, ch);
	held = c->nchannels + c->norphans;
	if (held) /* one session stays free for stopping them, when there is room */
		c->channel_limit = held - (held > 1 && c->ctl.state == RR_CTL_NONE);
	else
		c->refusals++;
	rr__task_requeue(t);
	rr__queue_push_front(&h->queue, t);
	rr__conn_retry_in(c, 10u << RR_MIN(c->refusals, 6u));
	return true;
}

/* The channel is open: the task waits for the streams it reads (a pty's
   output is one stream). */
static void open_streams(struct rr_task *t)
{
	if (read_wanted(t->opts.stdout_mode))
		rr__reader_open(&t->out);
	if (read_wanted(t->opts.stderr_mode) && !(t->opts.flags & RR_F_PTY))
		rr__reader_open(&t->err);
}

/* Killed before its exec went out: it never ran, nothing is left to stop. */
static void end_unrun(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	char name[128], msg[1024];

	snprintf(msg, sizeof(msg), "host %s: %s stopped before it started", c->host->name,
		 rr__quoted_name(t->title, name, sizeof(name)));
	orphan(c, ch, 0);
	rr__channel_abort(ch, t->reason ? t->reason : RR_CANCELLED, msg);
}

static bool step_open(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	LIBSSH2_CHANNEL *lch;

	assert(ch->state == RR_CHAN_OPEN && c->opening == ch);
	/* a copy's DATA replies stream in: a window wide enough for them */
	lch = ch->sftp ? libssh2_channel_open_ex(c->session, "session", 7, RR_XFER_WINDOW,
						 LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0) :
			 libssh2_channel_open_session(c->session);

	if (!lch) {
		if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
			return false;
		if (!refused(c, ch))
			rr__channel_fail(c, ch, "channel open failed");
		return true;
	}
	c->opening = NULL;
	c->refusals = 0;
	ch->ch = lch;
	open_streams(t);
	if (ch->killed) {
		end_unrun(c, ch);
		return true;
	}
	if (ch->sftp) {
		set_state(ch, RR_CHAN_RUN);
		return false;
	}
	ch->command = remote_command(t);
	if (!ch->command) {
		rr__channel_abort(ch, RR_ERROR, "out of memory");
		return true;
	}
	set_state(ch, (t->opts.flags & RR_F_PTY) ? RR_CHAN_PTY : RR_CHAN_EXEC);
	return false;
}

/* As ssh -t asks for one: the task's TERM and size, default modes. */
static bool step_pty(struct rr_conn *c, struct rr_channel *ch)
{
	const struct rr_pty *pty = &rr__task_of(ch)->pty;
	int rc;

	assert(ch->state == RR_CHAN_PTY);
	rc = libssh2_channel_request_pty_ex(ch->ch, pty->term, (unsigned)strlen(pty->term),
					    NULL, 0, (int)pty->cols, (int)pty->rows, 0, 0);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc < 0) {
		rr__channel_fail(c, ch, "pty request refused");
		return true;
	}
	set_state(ch, RR_CHAN_EXEC);
	return false;
}

static bool step_exec(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	int rc;

	assert(ch->state == RR_CHAN_EXEC);
	if (ch->killed && !ch->exec_sent) {
		end_unrun(c, ch);
		return true;
	}
	/* Our send callback takes the whole request at once: out it goes. */
	ch->exec_sent = true;
	rc = libssh2_channel_exec(ch->ch, ch->command);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc < 0) {
		rr__channel_fail(c, ch, "exec failed");
		return true;
	}
	set_state(ch, RR_CHAN_RUN);
	rr__task_started(t, 0);
	return false;
}

/*
 * End of input.  The channel's EOF, and on a pty first what a terminal
 * sends: sshd does not pass a channel EOF on to the pty, so the program
 * would read for ever; ^D at the start of a line is its EOF (a second
 * ^D ends a line left unfinished).
 */
static int send_eof(struct rr_channel *ch)
{
	bool pty = rr__task_of(ch)->opts.flags & RR_F_PTY;
	int rc;

	if (pty && !ch->veof_sent) {
		const char *veof = "\004\004";
		size_t n = ch->last_in && ch->last_in != '\n' ? 2 : 1;
		ssize_t w = libssh2_channel_write(ch->ch, veof, n);

		if (w < 0)
			return w == LIBSSH2_ERROR_EAGAIN ? 0 : (int)w;
		ch->veof_sent = (size_t)w == n;
		if (!ch->veof_sent)
			return 0;
	}
	rc = libssh2_channel_send_eof(ch->ch);
	if (rc == 0)
		ch->eof_sent = true;
	return rc == LIBSSH2_ERROR_EAGAIN ? 0 : rc;
}

/* stdin from the task core's queue, while the connection's send buffer
   has room; then EOF. */
static int write_stdin(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	const char *p;
	size_t len;

	while (!rr__conn_tx_full(c) && (len = rr__stdin_peek(t, &p))) {
		ssize_t n = libssh2_channel_write(ch->ch, p, len);

		if (n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		if (n > 0)
			ch->last_in = p[n - 1];
		rr__stdin_consume(t, (size_t)n);
	}
	return rr__stdin_done(t) ? send_eof(ch) : 0;
}

/*
 * Read one stream until libssh2 has nothing more; stdout through the
 * report until it came.  Returns true when a callback changed what we
 * stand on (the connection or this channel).
 */
static bool read_stream(struct rr_conn *c, struct rr_channel *ch, struct rr_reader *r,
			int id, int *err)
{
	for (;;) {
		bool raw = id == 0 && !ch->report.done;
		size_t room = RR_DRAIN_SIZE;
		char *p = r->open && !raw ? rr__reader_space(r, &room) : c->host->loop->drain;
		ssize_t n = libssh2_channel_read_ex(ch->ch, id, p, room);

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return false;
		if (n < 0) {
			*err = (int)n;
			return false;
		}
		if (raw)
			rr__report_feed(&ch->report, p, (size_t)n, give, r);
		else if (r->open)
			rr__reader_commit(r, p, (size_t)n);
		if (c->state != RR_CONN_READY || !ch->ch)
			return true;
	}
}

static bool step_run(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_task *t = rr__task_of(ch);
	int err = 0;

	if (read_stream(c, ch, &t->out, 0, &err) ||
	    read_stream(c, ch, &t->err, SSH_EXTENDED_DATA_STDERR, &err))
		return true;
	if (err < 0) {
		rr__channel_fail(c, ch, "reading output");
		return true;
	}
	flush_signals(c, ch);
	if (ch->resize) {
		int rc = libssh2_channel_request_pty_size_ex(ch->ch, (int)t->pty.cols,
							     (int)t->pty.rows, 0, 0);

		ch->resize = rc == LIBSSH2_ERROR_EAGAIN;
	}
	/* Input waits for the report, or a pty's echo could come before it. */
	if (ch->report.done && !ch->eof_sent && (err = write_stdin(c, ch)) < 0) {
		rr__channel_fail(c, ch, "writing stdin");
		return true;
	}
	if (libssh2_channel_eof(ch->ch) ||
	    (ch->killed && (ch->no_stop || rr__stop_failed(c))))
		set_state(ch, RR_CHAN_CLOSE); /* a command we cannot stop: close */
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

/* The remote exit status, or -N for a remote death by signal N: what the
   server said (0 when it said nothing). */
static int exit_code(struct rr_conn *c, struct rr_channel *ch)
{
	char *name = NULL;
	size_t len = 0;
	int sig = 0;

	libssh2_channel_get_exit_signal(ch->ch, &name, &len, NULL, NULL, NULL, NULL);
	if (name) {
		sig = signal_number(name);
		libssh2_free(c->session, name);
	}
	if (sig)
		return -sig;
	if (name)
		return 255; /* a signal this system has no name for */
	return libssh2_channel_get_exit_status(ch->ch);
}

static bool step_close(struct rr_conn *c, struct rr_channel *ch)
{
	int rc, code;

	assert(ch->state == RR_CHAN_CLOSE && ch->ch);
	flush_signals(c, ch); /* after EOF the command may still run */
	if (!ch->close_sent) {
		rc = libssh2_channel_close(ch->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return false;
		ch->close_sent = true;
	}
	/* Closed by us before its end (it could not be stopped): what comes
	   until the server's close is nobody's. */
	while (!libssh2_channel_eof(ch->ch) &&
	       libssh2_channel_read(ch->ch, c->host->loop->drain, RR_DRAIN_SIZE) > 0)
		;
	if (!libssh2_channel_eof(ch->ch) && !c->rx_err)
		return false;
	rc = libssh2_channel_wait_closed(ch->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return false;
	if (rc < 0 && c->rx_err) {
		rr__channel_fail(c, ch, "closing");
		return true;
	}
	code = exit_code(c, ch);
	libssh2_channel_free(ch->ch);
	ch->ch = NULL;
	finish(c, ch, code);
	return true;
}

/*
 * The grace after the SIGKILL is over and the server has not closed the
 * channel: what it said of the command's end (if it did) is its exit code,
 * and the message says what still runs.
 */
static void abandon(struct rr_conn *c, struct rr_channel *ch)
{
	int code = exit_code(c, ch);
	const char *sig = code < 0 ? sigabbrev_np(-code) : NULL;
	char how[48];

	if (sig)
		snprintf(how, sizeof(how), "killed by SIG%s", sig);
	else
		snprintf(how, sizeof(how), "exited with status %d", code);
	if (ch->kill_sent && !ch->no_stop)
		snprintf(ch->ending, sizeof(ch->ending),
			 "%s; a process it left still runs and holds its output", how);
	else
		snprintf(ch->ending, sizeof(ch->ending),
			 "could not be signalled (%s); the remote command may still run",
			 rr__stop_failed(c) ? "the server refused a control channel" :
			 !ch->report.sid ? "it never reported its session" : "no kill went out");
	orphan(c, ch, 0);
	finish(c, ch, code);
}

/* Run one channel until it would block.  true: it ended (lists changed). */
static bool channel_step(struct rr_conn *c, struct rr_channel *ch)
{
	if (ch->abandon && ch->state >= RR_CHAN_RUN) {
		abandon(c, ch);
		return true;
	}
	if (ch->state == RR_CHAN_OPEN && step_open(c, ch))
		return true;
	if (ch->sftp)
		return ch->state != RR_CHAN_OPEN && rr__xfer_step(c, ch);
	if (ch->state == RR_CHAN_PTY && step_pty(c, ch))
		return true;
	if (ch->state == RR_CHAN_EXEC && step_exec(c, ch))
		return true;
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
	if (c->opening || c->ctl.state == RR_CTL_OPEN ||
	    c->nchannels + c->norphans >= c->channel_limit || !h->queue.head ||
	    c->rx_err || c->retry.slot)
		return;
	t = rr__queue_pop(&h->queue);
	ch = rr__chan(t);
	*ch = (struct rr_channel){ .host = h, .state = RR_CHAN_OPEN, .next = c->channels,
				   .sftp = t->kind == &rr__kind_xfer };
	c->channels = ch;
	c->nchannels++;
	c->opening = ch;
	rr__task_begin(t, 0, rr__now());
}

void rr__channels_step(struct rr_conn *c)
{
	bool changed;

	rr__orphans_step(c);
	if (c->norphans && c->norphans >= c->channel_limit && !c->nchannels &&
	    c->host->queue.head) {
		rr__conn_recycle(c); /* the server holds every slot for orphans */
		return;
	}
	do {
		changed = false;
		rr__stop_step(c);
		start_channels(c);
		for (struct rr_channel *ch = c->channels; ch; ch = ch->next) {
			if (channel_step(c, ch)) {
				changed = true; /* ch may be gone: start over */
				break;
			}
		}
	} while (changed && c->state == RR_CONN_READY);
	rr__stop_step(c); /* what the steps asked for goes out now */
}

/*
 * The host is freed, or the loop: every command on the connection ends
 * now (msg), each killed on the server, through an orphan when it has yet
 * to report; a copy first removes its temporary files on the server.
 * true: something is still to be sent for them.
 */
bool rr__channels_cancel(struct rr_conn *c, enum rr_status status, const char *msg)
{
	struct rr_channel **pp = &c->channels;

	while (*pp) {
		struct rr_channel *ch = *pp;

		if (ch->sftp && rr__xfer_cancel(c, ch, status, msg)) {
			pp = &ch->next; /* it ends once its files are removed */
			continue;
		}
		if (!ch->sftp && ch->ch && ch->exec_sent) {
			if (ch->report.sid)
				rr__stop_signal(c, ch->report.sid, SIGKILL, false);
			orphan(c, ch, SIGKILL);
		}
		rr__channel_abort(ch, status, msg);
	}
	return c->channels || rr__stop_pending(c) || rr__orphans_waiting(c);
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

/*
 * Every signal is held until the command has reported its session (the
 * step sends it then, in order); a kill also marks the channel, so that a
 * command not yet started never starts.
 */
static int chan_signal(struct rr_task *t, int sig, unsigned flags)
{
	struct rr_channel *ch = rr__chan(t);
	bool end = flags & RR__SIG_END;

	/* EOF (the CLOSE state) is not the command's end: one that sent its
	   streams to /dev/null runs on, and its session can still be killed
	   until the server's close says it exited. */
	if (ch->abandon || (!ch->ch && ch->state != RR_CHAN_OPEN) ||
	    (ch->state == RR_CHAN_CLOSE && !ch->report.sid))
		return -ESRCH; /* its command has ended, or cannot be reached */
	if (end)
		ch->killed = true;
	if (end && t->freed && !ch->counted) { /* the loop runs until it is out */
		ch->counted = true;
		ch->host->ssh->killing++;
	}
	if (sig == 0)
		return 0;
	if (!sigabbrev_np(sig))
		return -EINVAL; /* no name to send it by (a real-time signal) */
	if (!end && !by_request(flags & RR_SIG_LEADER) && rr__stop_failed(&ch->host->conn))
		return -ENOTCONN; /* the server refused the control channel */
	return hold_signal(ch, (struct rr_rsig){ .sig = sig,
						  .leader = flags & RR_SIG_LEADER,
						  .end = end });
}

static void chan_stdin_kick(struct rr_task *t)
{
	rr__conn_poke(&rr__chan(t)->host->conn);
}

/* The step tells the server (a window-change request, no reply awaited). */
static int chan_resize(struct rr_task *t, unsigned rows, unsigned cols)
{
	struct rr_channel *ch = rr__chan(t);

	(void)rows, (void)cols; /* the task's pty holds them */
	ch->resize = true;
	rr__conn_poke(&ch->host->conn);
	return 0;
}

/* The grace after SIGKILL is over: the server has not closed the channel. */
static void chan_stop(struct rr_task *t)
{
	struct rr_channel *ch = rr__chan(t);

	ch->abandon = true;
	rr__conn_poke(&ch->host->conn);
}

bool rr__channel_started(const struct rr_task *t)
{
	return ((const struct rr_channel *)rr__task_kind_data_const(t))->exec_sent;
}

size_t rr__channel_describe(const struct rr_task *t, char *buf, size_t size)
{
	const struct rr_channel *ch = rr__task_kind_data_const(t);

	return (size_t)snprintf(buf, size, "host %s: ", ch->host->name);
}

static const char *chan_ending(const struct rr_task *t)
{
	const struct rr_channel *ch = rr__task_kind_data_const(t);

	return ch->ending[0] ? ch->ending : NULL;
}

static void chan_settle(struct rr_task *t)
{
	assert(!rr__chan(t)->ch); /* detached before it could end */
}

static void chan_destroy(struct rr_task *t)
{
	struct rr_channel *ch = rr__chan(t);

	free(ch->command);
	free(ch->held);
	rr__report_free(&ch->report);
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
	.started = rr__channel_started,
	.describe = rr__channel_describe,
	.ending = chan_ending,
	.settle = chan_settle,
	.destroy = chan_destroy,
};
