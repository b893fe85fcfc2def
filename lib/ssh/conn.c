/*
 * conn.c - one SSH connection on the ring: connect, handshake, host key,
 * auth, then channels; and the loop-wide admission of new connections.
 *
 * libssh2 never touches the socket.  Its send callback copies every packet
 * into tx_next and returns the full length - refusing part of a packet would
 * pin libssh2 to resending exactly it, and any other channel's call would
 * fail with LIBSSH2_ERROR_BAD_USE (notes §5) - and one ring SEND drains the
 * buffers.  Its recv callback hands out what one ring RECV brought, or
 * -EAGAIN; a RECV stays in flight whenever that buffer is empty.  Every
 * completion "kicks" the connection: its state machine and every channel run
 * until each would block.  Back-pressure lives above libssh2: channels stop
 * writing stdin while tx holds more than RR_TX_HIGH.
 */
#include "ssh/ssh.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RR_RX_SIZE (128 * 1024)
#define RR_TX_HIGH (1024 * 1024)
#define RR_DROP_RETRIES 3 /* connections closed before the banner, retried */
#define RR_BYE_MS 1000    /* longest wait for our goodbye to go out */
#define RR_GOING_MS 3000  /* longest wait for the last kills to be run */
#define RR_CIPHERS "aes128-ctr,aes192-ctr,aes256-ctr,aes256-cbc,rijndael-cbc@lysator.liu.se," \
	"aes192-cbc,aes128-cbc,blowfish-cbc,arcfour128,arcfour,cast128-cbc,3des-cbc"

static void connect_complete(struct rr_op *op, const struct io_uring_cqe *cqe);
static void send_complete(struct rr_op *op, const struct io_uring_cqe *cqe);
static void recv_complete(struct rr_op *op, const struct io_uring_cqe *cqe);
static void conn_deadline(struct rr_deadline *d, uint64_t now);

/* "Connection refused" -> "connection refused", for messages. */
const char *rr__lower_error(int err, char *buf, size_t size)
{
	snprintf(buf, size, "%s", rr_strerror(err));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static const char *const conn_state_names[] = {
	[RR_CONN_IDLE] = "idle",
	[RR_CONN_ADMIT] = "admit",
	[RR_CONN_CONNECT] = "connect",
	[RR_CONN_HANDSHAKE] = "handshake",
	[RR_CONN_AUTH] = "auth",
	[RR_CONN_READY] = "ready",
	[RR_CONN_CLOSING] = "closing",
	[RR_CONN_DRAIN] = "drain",
};

/*
 * The one place a connection's state changes: forward through the states
 * a connection lives, to DRAIN from any (failed, replaced, closed), back to
 * IDLE only from DRAIN.  Checked, and traced with RINGRUN_DEBUG=1.
 */
#define set_state(c, to) set_state_at(c, to, __func__, __LINE__)
static void set_state_at(struct rr_conn *c, enum rr_conn_state to, const char *fn,
			 int line)
{
	enum rr_conn_state from = c->state;

	if (from == to)
		return;
	assert(to == RR_CONN_DRAIN || (from == RR_CONN_DRAIN && to == RR_CONN_IDLE) ||
	       (from != RR_CONN_DRAIN && from != RR_CONN_CLOSING && to == from + 1));
	rr__trace(c->host->loop, fn, line, "connection", c->host->name,
		  conn_state_names[from], conn_state_names[to]);
	c->state = to;
}

static bool alive(const struct rr_conn *c)
{
	return c->state >= RR_CONN_HANDSHAKE && c->state <= RR_CONN_READY;
}

/* ------------------------------------------------------------- buffers */

int rr__buf_append(struct rr_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		size_t size = RR_MAX(b->size * 2, b->len + n);
		char *d = realloc(b->data, RR_MAX(size, (size_t)16384));

		if (!d)
			return -ENOMEM;
		b->data = d;
		b->size = RR_MAX(size, (size_t)16384);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

bool rr__conn_tx_full(const struct rr_conn *c)
{
	return c->tx_next.len + (c->tx_out.len - c->tx_off) > RR_TX_HIGH;
}

static void start_send(struct rr_conn *c)
{
	struct io_uring_sqe *sqe;

	if (c->send_busy || c->fd < 0)
		return;
	if (c->tx_off == c->tx_out.len) {
		struct rr_buf t = c->tx_out;

		if (!c->tx_next.len)
			return;
		c->tx_out = c->tx_next; /* the ring sends this one, untouched */
		c->tx_next = t;
		c->tx_next.len = 0;
		c->tx_off = 0;
	}
	c->send_op.complete = send_complete;
	sqe = rr__sqe(c->host->loop, &c->send_op);
	io_uring_prep_send(sqe, c->fd, c->tx_out.data + c->tx_off,
			   c->tx_out.len - c->tx_off, MSG_NOSIGNAL);
	c->send_busy = true;
	c->inflight++;
}

static void arm_recv(struct rr_conn *c)
{
	struct io_uring_sqe *sqe;

	if (c->recv_busy || c->rx_err || c->rx_off < c->rx_len || !alive(c))
		return;
	if (!c->rx && !(c->rx = malloc(RR_RX_SIZE))) {
		c->rx_err = -ENOMEM;
		return;
	}
	c->recv_op.complete = recv_complete;
	sqe = rr__sqe(c->host->loop, &c->recv_op);
	io_uring_prep_recv(sqe, c->fd, c->rx, RR_RX_SIZE, 0);
	c->recv_busy = true;
	c->inflight++;
}

/* --------------------------------------------------- libssh2 callbacks */

/*
 * libssh2 also routes ssh-agent traffic through these, with the agent's
 * socket: any fd but ours gets plain, blocking send/recv (a local round trip).
 */
static ssize_t send_cb(libssh2_socket_t sock, const void *buf, size_t len,
		       int flags, void **abstract)
{
	struct rr_conn *c = *abstract;

	if (sock != c->fd) {
		ssize_t n = send(sock, buf, len, flags | MSG_NOSIGNAL);

		return n < 0 ? -errno : n;
	}
	if (!alive(c))
		return (ssize_t)len; /* the connection is going: drop it */
	if (rr__buf_append(&c->tx_next, buf, len) < 0)
		return -ENOMEM;
	start_send(c);
	return (ssize_t)len;
}

static ssize_t recv_cb(libssh2_socket_t sock, void *buf, size_t len, int flags,
		       void **abstract)
{
	struct rr_conn *c = *abstract;
	size_t n;

	if (sock != c->fd) {
		ssize_t r = recv(sock, buf, len, flags);

		return r < 0 ? -errno : r;
	}
	if (c->rx_off < c->rx_len) {
		n = RR_MIN(len, c->rx_len - c->rx_off);
		memcpy(buf, c->rx + c->rx_off, n);
		c->rx_off += n;
		return (ssize_t)n;
	}
	if (c->rx_err)
		return c->rx_err; /* never 0: libssh2 reads that as an error too */
	arm_recv(c);
	return -EAGAIN;
}

/* ------------------------------------------------------------- lifetime */

/*
 * Kicks asked for outside a completion (rr_ssh, a kill, a callback during a
 * kick) run on the loop's next turn, never inside the call that asked.
 */
void rr__conn_poke(struct rr_conn *c)
{
	struct rr_ssh *ssh = c->host->ssh;

	if (c->poked)
		return;
	c->poked = true;
	c->next_poke = ssh->pokes;
	ssh->pokes = c;
}

static void unpoke(struct rr_conn *c)
{
	struct rr_conn **pp = &c->host->ssh->pokes;

	if (!c->poked)
		return;
	while (*pp != c)
		pp = &(*pp)->next_poke;
	*pp = c->next_poke;
	c->poked = false;
}

void rr__conn_pokes(struct rr_ssh *ssh)
{
	while (ssh->pokes) {
		struct rr_conn *c = ssh->pokes;

		ssh->pokes = c->next_poke;
		c->poked = false;
		if (c->host->freed && !c->going) { /* rr_host_free asked for this turn */
			struct rr_host *h = c->host;

			if (rr__conn_go(c, "cancelled: host freed"))
				continue; /* it keeps the hold until it has gone */
			if (c->state != RR_CONN_CLOSING && !rr__conn_bye(c))
				rr__conn_fail(c, RR_CANCELLED, "cancelled: host freed");
			rr__host_let_go(h);
			continue;
		}
		rr__conn_kick(c);
	}
}

static void retry_fire(struct rr_deadline *d, uint64_t now)
{
	struct rr_conn *c = container_of(d, struct rr_conn, retry);

	(void)now;
	if (c->state == RR_CONN_IDLE && c->host->queue.head)
		rr__conn_want(c);
	else
		rr__conn_poke(c);
}

/* Connect again, or open channels again, ms from now. */
void rr__conn_retry_in(struct rr_conn *c, uint64_t ms)
{
	c->retry.fire = retry_fire;
	rr__deadline_set(c->host->loop, &c->retry, rr__now() + ms * 1000000u);
}

static void release(struct rr_conn *c)
{
	unpoke(c);
	rr__auth_reset(c);
	rr__stop_free(c);
	/*
	 * Freeing the session closes its channels through our callbacks: they
	 * must neither touch the ring (rr_loop_free has torn it down) nor say
	 * EAGAIN (libssh2 would give up and keep the session).
	 */
	set_state(c, RR_CONN_DRAIN);
	c->rx_off = c->rx_len;
	if (!c->rx_err)
		c->rx_err = -ECONNRESET;
	rr__orphans_free(c);
	if (c->session)
		libssh2_session_free(c->session); /* frees its channels */
	c->session = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rx);
	free(c->tx_out.data);
	free(c->tx_next.data);
	c->rx = NULL;
	c->tx_out = c->tx_next = (struct rr_buf){ 0 };
	c->rx_len = c->rx_off = c->tx_off = 0;
	c->rx_err = 0;
	c->rx_total = 0;
	c->banner = false;
	c->channel_limit = 0;
	set_state(c, RR_CONN_IDLE);
}

/*
 * An idle connection says goodbye as ssh does, so that the server logs a
 * disconnect, not a dropped client; it closes once that is sent (or after
 * RR_BYE_MS).  false: not idle, nothing done.
 */
bool rr__conn_bye(struct rr_conn *c)
{
	rr_loop *loop = c->host->loop;

	if (c->state != RR_CONN_READY || c->channels)
		return false;
	libssh2_session_disconnect(c->session, "ringrun: done");
	set_state(c, RR_CONN_CLOSING); /* not alive(): kicks leave it alone */
	c->host->ssh->closing++;
	c->deadline.fire = conn_deadline;
	rr__deadline_set(loop, &c->deadline, rr__now() + RR_BYE_MS * 1000000u);
	if (!c->send_busy)
		rr__conn_recycle(c);
	return true;
}

/* rr_loop_free or a freed host: no op of ours is in the ring any more. */
void rr__conn_close(struct rr_conn *c)
{
	release(c);
	rr__deadline_clear(c->host->loop, &c->retry);
	rr__deadline_clear(c->host->loop, &c->deadline);
}

/*
 * A failed connection is released once the ring has given back its ops and
 * no kick is on the stack (a channel step may be what failed it).
 */
static void drained(struct rr_conn *c)
{
	struct rr_host *h = c->host;

	if (c->inflight > 0 || c->kicking)
		return;
	release(c);
	if (h->freed)
		rr__host_maybe_free(h); /* may free c */
	else if (h->queue.head && !c->retry.slot)
		rr__conn_want(c); /* tasks still wait: connect again */
}

static void unlink_admit(struct rr_conn *c)
{
	struct rr_ssh *ssh = c->host->ssh;
	struct rr_conn **pp = &ssh->admit_head, *prev = NULL;

	while (*pp && *pp != c) {
		prev = *pp;
		pp = &(*pp)->next_admit;
	}
	if (!*pp)
		return;
	*pp = c->next_admit;
	if (ssh->admit_tail == c)
		ssh->admit_tail = prev;
	c->next_admit = NULL;
}

/* Give the handshake slot, the deadline and the ring's ops back. */
static void drop(struct rr_conn *c)
{
	struct rr_host *h = c->host;

	if (c->state == RR_CONN_CLOSING) {
		assert(h->ssh->closing > 0);
		h->ssh->closing--;
	}
	if (c->state == RR_CONN_ADMIT)
		unlink_admit(c);
	if (c->admitted) {
		assert(h->ssh->handshakes > 0);
		h->ssh->handshakes--;
		c->admitted = false;
	}
	rr__deadline_clear(h->loop, &c->deadline);
	if (c->state == RR_CONN_CONNECT)
		rr__cancel(h->loop, &c->connect_op);
	if (c->recv_busy)
		rr__cancel(h->loop, &c->recv_op);
	if (c->send_busy)
		rr__cancel(h->loop, &c->send_op);
	set_state(c, RR_CONN_DRAIN);
}

/*
 * The connection failed.  Commands on it end with RR_SSH_ERROR when it had
 * been up, else with status; queued tasks end too unless the connection was
 * up (they get a new one).  The ring's ops are cancelled and the rest waits
 * for them (drained).
 */
void rr__conn_fail(struct rr_conn *c, enum rr_status status, const char *fmt, ...)
{
	struct rr_host *h = c->host;
	bool was_up = c->state == RR_CONN_READY && !h->freed, was_going = c->going;
	char *why = NULL, *msg = NULL;
	const char *line;
	struct rr_task *t;
	va_list ap;
	int n;

	if (c->state == RR_CONN_IDLE || c->state == RR_CONN_DRAIN) {
		if (h->freed) /* never connected: only its queue is left */
			while ((t = rr__queue_pop(&h->queue)))
				rr__task_end(t, status, "host %s: cancelled", h->name);
		return;
	}
	if (was_going) {
		c->going = false;
		h->ssh->going--;
	}
	va_start(ap, fmt);
	n = vasprintf(&why, fmt, ap);
	va_end(ap);
	if (n < 0 || asprintf(&msg, "host %s: %s", h->name, why) < 0)
		msg = NULL;
	line = msg ? msg : "out of memory";
	while (c->channels)
		rr__channel_abort(c->channels, was_up ? RR_SSH_ERROR : status, line);
	if (!was_up)
		while ((t = rr__queue_pop(&h->queue)))
			rr__task_end(t, status, "%s", line);
	free(why);
	free(msg);
	drop(c);
	drained(c);
	if (was_going)
		rr__host_let_go(h);
}

/*
 * Its kills are run on the server (or can no longer go): goodbye.  A freed
 * host's connection gives back the hold rr_host_free took; c may be gone.
 */
static void gone(struct rr_conn *c)
{
	struct rr_host *h = c->host;

	assert(c->going && h->ssh->going > 0);
	c->going = false;
	h->ssh->going--;
	rr__deadline_clear(h->loop, &c->deadline);
	while (c->channels) /* copies still removing their files: too long */
		rr__channel_abort(c->channels, RR_CANCELLED, "cancelled");
	if (c->state != RR_CONN_CLOSING && !rr__conn_bye(c))
		rr__conn_fail(c, RR_CANCELLED, "cancelled");
	rr__host_let_go(h);
}

/*
 * The host or the loop is freed: every command on the connection ends now
 * (why), and the connection stays, bounded by RR_GOING_MS, until their
 * kills have been run on the server.  false: nothing to wait for.
 */
bool rr__conn_go(struct rr_conn *c, const char *why)
{
	char *msg;

	if (c->state != RR_CONN_READY || c->going || !c->channels)
		return false;
	if (asprintf(&msg, "host %s: %s", c->host->name, why) < 0)
		msg = NULL;
	if (!rr__channels_cancel(c, RR_CANCELLED, msg ? msg : why)) {
		free(msg);
		return false;
	}
	free(msg);
	c->going = true;
	c->host->ssh->going++;
	c->deadline.fire = conn_deadline;
	rr__deadline_set(c->host->loop, &c->deadline,
			 rr__now() + RR_GOING_MS * 1000000u);
	rr__conn_kick(c);
	return true;
}

/* Replace a healthy connection (its orphans hold every slot): tasks wait. */
void rr__conn_recycle(struct rr_conn *c)
{
	drop(c);
	drained(c);
}

/*
 * Closed before the server's SSH banner: sshd dropping connections past
 * MaxStartups (since OpenSSH 8.x it writes "Exceeded MaxStartups" first).
 * Not a failure of the host: connect again after a backoff.
 */
static bool dropped_early(struct rr_conn *c)
{
	if (c->banner || !c->rx_err || c->refusals >= RR_DROP_RETRIES)
		return false;
	c->refusals++;
	drop(c);
	rr__conn_retry_in(c, 50u << c->refusals);
	drained(c);
	return true;
}

/* ------------------------------------------------------------ admission */

void rr__conn_want(struct rr_conn *c)
{
	struct rr_ssh *ssh = c->host->ssh;

	if (c->state == RR_CONN_READY) {
		rr__conn_poke(c); /* a channel may be free for it */
		return;
	}
	if (c->state == RR_CONN_DRAIN)
		return; /* drained() connects again for the queue */
	if (c->state != RR_CONN_IDLE)
		return;
	set_state(c, RR_CONN_ADMIT);
	c->next_admit = NULL;
	if (ssh->admit_tail)
		ssh->admit_tail->next_admit = c;
	else
		ssh->admit_head = c;
	ssh->admit_tail = c;
}

static void connect_start(struct rr_conn *c)
{
	struct rr_host *h = c->host;
	rr_loop *loop = h->loop;
	struct io_uring_sqe *sqe;
	char err[64];
	int one = 1;

	if (h->resolve_err) {
		rr__conn_fail(c, RR_CONNECT_FAILED, "name not found: %s",
			      gai_strerror(h->resolve_err));
		return;
	}
	c->fd = socket(h->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (c->fd < 0) {
		rr__conn_fail(c, RR_CONNECT_FAILED, "socket: %s",
			      rr__lower_error(errno, err, sizeof(err)));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->admitted = true;
	h->ssh->handshakes++;
	set_state(c, RR_CONN_CONNECT);
	c->connect_op.complete = connect_complete;
	sqe = rr__sqe(loop, &c->connect_op);
	io_uring_prep_connect(sqe, c->fd, (struct sockaddr *)&h->addr, h->addrlen);
	c->inflight++;
	c->deadline.fire = conn_deadline;
	rr__deadline_set(loop, &c->deadline,
			 rr__now() + (uint64_t)h->opts.connect_timeout_ms * 1000000u);
}

static void admit_later(struct rr_deadline *d, uint64_t now)
{
	(void)now;
	rr__conn_admit(container_of(d, struct rr_ssh, admit_deadline));
}

/* Let waiting connections in while handshake slots and the rate allow. */
void rr__conn_admit(struct rr_ssh *ssh)
{
	const rr_loop *loop = ssh->loop;

	while (ssh->admit_head && ssh->handshakes < loop->max_handshakes) {
		struct rr_conn *c = ssh->admit_head;

		if (loop->connect_rate) {
			uint64_t gap = 1000000000u / loop->connect_rate, now = rr__now();

			if (ssh->rate_at && now < ssh->rate_at + gap) {
				ssh->admit_deadline.fire = admit_later;
				rr__deadline_set(ssh->loop, &ssh->admit_deadline,
						 ssh->rate_at + gap);
				return;
			}
			ssh->rate_at = now;
		}
		ssh->admit_head = c->next_admit;
		if (!ssh->admit_head)
			ssh->admit_tail = NULL;
		c->next_admit = NULL;
		connect_start(c);
	}
}

/* ------------------------------------------------------- state machine */

static void connect_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_conn *c = container_of(op, struct rr_conn, connect_op);
	char err[64];

	assert(c->state == RR_CONN_CONNECT || c->state == RR_CONN_DRAIN);
	assert(c->inflight > 0);
	c->inflight--;
	if (c->state == RR_CONN_DRAIN) {
		drained(c);
		return;
	}
	if (cqe->res < 0) {
		rr__conn_fail(c, RR_CONNECT_FAILED, "%s",
			      rr__lower_error(cqe->res, err, sizeof(err)));
		return;
	}
	c->session = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (!c->session) {
		rr__conn_fail(c, RR_CONNECT_FAILED, "cannot start an SSH session");
		return;
	}
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_SEND, (void *)send_cb);
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_RECV, (void *)recv_cb);
	libssh2_session_set_blocking(c->session, 0);
	rr__hostkey_prefer(c);
	/* OpenSSH's order among the ciphers libssh2 1.10 has (its own puts
	   aes256 first): the same strength ssh picks, a third fewer rounds. */
	libssh2_session_method_pref(c->session, LIBSSH2_METHOD_CRYPT_CS, RR_CIPHERS);
	libssh2_session_method_pref(c->session, LIBSSH2_METHOD_CRYPT_SC, RR_CIPHERS);
	set_state(c, RR_CONN_HANDSHAKE);
	rr__conn_kick(c);
}

static const char *session_error(struct rr_conn *c)
{
	char *msg = NULL;

	libssh2_session_last_error(c->session, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

static void step_handshake(struct rr_conn *c)
{
	int rc = libssh2_session_handshake(c->session, c->fd);
	char err[64], why[RR_WHY_MAX];

	assert(c->state == RR_CONN_HANDSHAKE);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc && dropped_early(c))
		return;
	if (rc) {
		if (c->rx_err)
			rr__conn_fail(c, RR_CONNECT_FAILED, "SSH handshake failed: %s",
				      rr__lower_error(c->rx_err, err, sizeof(err)));
		else
			rr__conn_fail(c, RR_CONNECT_FAILED, "SSH handshake failed: %s",
				      session_error(c));
		return;
	}
	if (rr__hostkey_check(c, why, sizeof(why)) < 0) {
		rr__conn_fail(c, RR_HOSTKEY_REJECTED, "%s", why);
		return;
	}
	c->refusals = 0;
	set_state(c, RR_CONN_AUTH);
	rr__deadline_set(c->host->loop, &c->deadline,
			 rr__now() + (uint64_t)c->host->opts.auth_timeout_ms * 1000000u);
}

static void keepalive_at(struct rr_conn *c, unsigned seconds)
{
	rr__deadline_set(c->host->loop, &c->deadline,
			 rr__now() + (uint64_t)RR_MAX(seconds, 1u) * 1000000000u);
}

static void step_auth(struct rr_conn *c)
{
	struct rr_host *h = c->host;
	char why[RR_WHY_MAX];
	int rc;

	assert(c->state == RR_CONN_AUTH);
	rc = rr__auth_step(c, why, sizeof(why));
	if (rc == -EAGAIN)
		return;
	if (rc < 0) {
		rr__conn_fail(c, RR_AUTH_FAILED, "%s", why);
		return;
	}
	set_state(c, RR_CONN_READY);
	c->admitted = false;
	assert(h->ssh->handshakes > 0);
	h->ssh->handshakes--;
	/* One session stays free for the control channel (stop.c). */
	c->channel_limit = h->opts.channels > 1 ? h->opts.channels - 1 : 1;
	rr__deadline_clear(h->loop, &c->deadline);
	if (h->opts.keepalive_s) {
		libssh2_keepalive_config(c->session, 1, h->opts.keepalive_s);
		keepalive_at(c, h->opts.keepalive_s);
	}
	rr__conn_admit(h->ssh); /* a handshake slot is free */
}

void rr__conn_kick(struct rr_conn *c)
{
	enum rr_conn_state before;

	if (c->kicking) {
		rr__conn_poke(c); /* e.g. rr_ssh() from a callback of ours */
		return;
	}
	if (c->host->freed && !c->going)
		return; /* the poke rr_host_free made tears it down */
	c->kicking = true;
	do {
		before = c->state;
		if (c->state == RR_CONN_HANDSHAKE)
			step_handshake(c);
		if (c->state == RR_CONN_AUTH)
			step_auth(c);
		if (c->state == RR_CONN_READY)
			rr__channels_step(c);
	} while (c->state != before && alive(c));
	c->kicking = false;
	if (c->state == RR_CONN_DRAIN) {
		drained(c);
		return;
	}
	if (c->going && !c->channels && !rr__stop_pending(c) && !rr__orphans_waiting(c)) {
		gone(c); /* may free c */
		return;
	}
	if (alive(c) && c->rx_err && c->rx_off == c->rx_len) {
		char err[64];

		if (c->state != RR_CONN_READY && dropped_early(c))
			return;
		/* The peer has gone and nothing above noticed: say so. */
		rr__conn_fail(c, c->state == RR_CONN_READY ? RR_SSH_ERROR : RR_CONNECT_FAILED,
			      "connection lost: %s", rr__lower_error(c->rx_err, err, sizeof(err)));
		return;
	}
	arm_recv(c);
}

static void recv_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_conn *c = container_of(op, struct rr_conn, recv_op);

	assert(c->recv_busy && c->inflight > 0);
	c->inflight--;
	c->recv_busy = false;
	if (c->state == RR_CONN_DRAIN) {
		drained(c);
		return;
	}
	if (cqe->res > 0) {
		RR_KERNEL_WROTE(c->rx, cqe->res);
		c->rx_len = (size_t)cqe->res;
		c->rx_off = 0;
		if (!c->rx_total)
			c->banner = !memcmp(c->rx, "SSH-", RR_MIN((size_t)cqe->res, (size_t)4));
		c->rx_total += (uint64_t)cqe->res;
	} else if (cqe->res != -EINTR && cqe->res != -EAGAIN) {
		c->rx_err = cqe->res ? cqe->res : -ECONNRESET;
	}
	rr__conn_kick(c);
}

static void send_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_conn *c = container_of(op, struct rr_conn, send_op);
	bool was_full = rr__conn_tx_full(c);
	char err[64];

	assert(c->send_busy && c->inflight > 0);
	c->inflight--;
	c->send_busy = false;
	if (c->state == RR_CONN_DRAIN) {
		drained(c);
		return;
	}
	if (cqe->res < 0 && cqe->res != -EINTR && cqe->res != -EAGAIN) {
		rr__conn_fail(c, c->state == RR_CONN_READY ? RR_SSH_ERROR : RR_CONNECT_FAILED,
			      "connection lost: %s", rr__lower_error(cqe->res, err, sizeof(err)));
		return;
	}
	if (cqe->res > 0)
		c->tx_off += (size_t)cqe->res;
	start_send(c);
	if (c->state == RR_CONN_CLOSING && !c->send_busy) {
		rr__conn_recycle(c); /* the goodbye is out */
		return;
	}
	if (was_full && !rr__conn_tx_full(c))
		rr__conn_kick(c); /* channels held stdin back: room again */
}

static void conn_deadline(struct rr_deadline *d, uint64_t now)
{
	struct rr_conn *c = container_of(d, struct rr_conn, deadline);
	const struct rr_host_opts *o = &c->host->opts;
	int next = 0;

	(void)now;
	switch (c->state) {
	case RR_CONN_CONNECT:
		rr__conn_fail(c, RR_CONNECT_FAILED, "connection timed out after %g s",
			      o->connect_timeout_ms / 1000.0);
		return;
	case RR_CONN_HANDSHAKE:
		rr__conn_fail(c, RR_CONNECT_FAILED, "no SSH handshake within %g s",
			      o->connect_timeout_ms / 1000.0);
		return;
	case RR_CONN_AUTH:
		rr__conn_fail(c, RR_AUTH_FAILED, "authentication timed out after %g s",
			      o->auth_timeout_ms / 1000.0);
		return;
	case RR_CONN_READY:
		if (c->going) {
			gone(c); /* its last kills took too long */
			return;
		}
		libssh2_keepalive_send(c->session, &next);
		keepalive_at(c, (unsigned)next);
		return;
	case RR_CONN_CLOSING:
		rr__conn_recycle(c); /* the goodbye did not go out: close anyway */
		return;
	default:
		return;
	}
}
