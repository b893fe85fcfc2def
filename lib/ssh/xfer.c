/*
 * xfer.c - the copy kind: rr_put and rr_get, the task's table, its
 * channel's packets (requests out, replies dispatched by id), and what
 * both directions share: entries, local chunks on the ring, temporary
 * names, the end.
 */
#include "ssh/xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define NO_ENT RR_XFER_NO_ENT

static struct rr_task *task_of(struct rr_xfer *x)
{
	return rr__task_of(x);
}

/* ------------------------------------------------------------- requests */

bool rr__xfer_can_send(const struct rr_xfer *x, bool data)
{
	/* Room is kept for the requests an entry under way still has to
	   send (close, rename, remove), so those never wait. */
	if (x->fatal || x->nreq + 4 * RR_XFER_ACTIVE + RR_XFER_DATA_MAX >= RR_XFER_REQS ||
	    x->out.len - x->out_off > RR_XFER_OUT_HIGH)
		return false;
	return !data || x->data < RR_XFER_DATA_MAX;
}

struct rr_xreq *rr__xfer_begin(struct rr_xfer *x, struct rr_sftp_out *o, uint8_t type,
			       unsigned ent, enum rr_xtag tag)
{
	uint32_t id = x->next_id++;
	struct rr_xreq *q;
	unsigned i = 0;

	assert(x->nreq < RR_XFER_REQS);
	while (x->req[(id + i) % RR_XFER_REQS].busy)
		i++;
	q = &x->req[(id + i) % RR_XFER_REQS];
	*q = (struct rr_xreq){ .id = id, .busy = true, .tag = (uint8_t)tag, .ent = ent };
	x->nreq++;
	if (tag == RR_XT_DATA)
		x->data++;
	if (ent != NO_ENT)
		x->ents[ent].waiting++;
	rr__sftp_begin(o, &x->out, type, id);
	return q;
}

void rr__xfer_send(struct rr_xfer *x, struct rr_sftp_out *o)
{
	if (rr__sftp_end(o) < 0) /* its request stays busy: the copy fails */
		x->fatal = true;
}

void rr__xfer_path_req(struct rr_xfer *x, uint8_t type, const char *path, unsigned ent,
		       enum rr_xtag tag)
{
	struct rr_sftp_out o;
	rr__xfer_begin(x, &o, type, ent, tag);

	rr__sftp_cstr(&o, path);
	if (type == RR_FXP_MKDIR) {
		struct rr_sftp_attrs a = { .flags = RR_FXA_PERMISSIONS, .perm = 0777 };

		if (ent != NO_ENT)
			a.perm = (x->ents[ent].attrs.perm & 07777) | 0700;
		rr__sftp_attrs(&o, &a);
	}
	rr__xfer_send(x, &o);
}

void rr__xfer_handle_req(struct rr_xfer *x, uint8_t type, struct rr_xent *e,
			 enum rr_xtag tag)
{
	struct rr_sftp_out o;
	rr__xfer_begin(x, &o, type, (unsigned)(e - x->ents), tag);

	rr__sftp_str(&o, e->handle, e->hlen);
	rr__xfer_send(x, &o);
	if (type == RR_FXP_CLOSE)
		e->hlen = 0;
}

/* mkdir -p: every directory on the way, in order; what they answer does
   not matter (one that exists refuses), what comes after them does. */
void rr__xfer_mkdirs(struct rr_xfer *x, const char *dir)
{
	char *p = strdup(dir), *s;

	if (!p) {
		x->fatal = true;
		return;
	}
	for (s = p + 1; *s; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		if (x->nreq + 1 < RR_XFER_REQS)
			rr__xfer_path_req(x, RR_FXP_MKDIR, p, NO_ENT, RR_XT_NONE);
		*s = '/';
	}
	if (*p && x->nreq + 1 < RR_XFER_REQS)
		rr__xfer_path_req(x, RR_FXP_MKDIR, p, NO_ENT, RR_XT_NONE);
	free(p);
}

/* The temporary name over the final one: posix-rename replaces it at
   once; SFTP's own RENAME refuses an existing name (the reply handler
   then removes it and renames again). */
void rr__xfer_rename(struct rr_xfer *x, struct rr_xent *e, unsigned ent)
{
	struct rr_sftp_out o;

	if (x->ext & RR_SFTP_EXT_POSIX_RENAME) {
		rr__xfer_begin(x, &o, RR_FXP_EXTENDED, ent, RR_XT_RENAME);
		rr__sftp_cstr(&o, "posix-rename@openssh.com");
	} else {
		rr__xfer_begin(x, &o, RR_FXP_RENAME, ent, RR_XT_RENAME);
	}
	rr__sftp_cstr(&o, e->tmp);
	rr__sftp_cstr(&o, e->dst);
	rr__xfer_send(x, &o);
}

static struct rr_xreq *req_find(struct rr_xfer *x, uint32_t id)
{
	for (unsigned i = 0; i < RR_XFER_REQS; i++) {
		struct rr_xreq *q = &x->req[(id + i) % RR_XFER_REQS];

		if (q->busy && q->id == id)
			return q;
	}
	return NULL;
}

/* --------------------------------------------------------------- entries */

int rr__xent_add(struct rr_xfer *x, const char *rel, char type,
		 const struct rr_sftp_attrs *a, int parent)
{
	struct rr_xent *e;

	if (x->nents == x->cap) {
		unsigned cap = x->cap ? x->cap * 2 : 8;
		struct rr_xent *v = realloc(x->ents, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->ents = v;
		x->cap = cap;
	}
	e = &x->ents[x->nents];
	*e = (struct rr_xent){ .rel = strdup(rel), .type = type, .attrs = *a,
			       .parent = parent, .fd = -1 };
	if (!e->rel)
		return -ENOMEM;
	if (type == 'f' && (a->flags & RR_FXA_SIZE))
		x->total += a->size;
	return (int)x->nents++;
}

/* The first failure of e is the one it reports. */
void rr__xent_fail(struct rr_xfer *x, struct rr_xent *e, int err, const char *fmt, ...)
{
	va_list ap;

	(void)x;
	assert(err < 0);
	if (e->err)
		return;
	e->err = err;
	va_start(ap, fmt);
	if (vasprintf(&e->cause, fmt, ap) < 0)
		e->cause = NULL;
	va_end(ap);
}

/* The server's words for a failed request about e's path. */
void rr__xent_status(struct rr_xfer *x, struct rr_xent *e, const struct rr_sftp_reply *r,
		     const char *what)
{
	const char *path = x->get ? e->src : e->dst; /* the name the user gave */
	int err = r->type == RR_FXP_STATUS ? rr__sftp_errno(r->code) : -EBADMSG;

	if (err == -ENODATA || !err)
		err = -EIO;
	if (err == -EIO && r->text_len)
		rr__xent_fail(x, e, err, "%s: %s: the server says \"%.*s\"", path, what,
			      (int)RR_MIN(r->text_len, 200u), r->text);
	else
		rr__xent_fail(x, e, err, "%s: %s", path, rr__xfer_cause(err));
}

/* "permission denied": strerror's words, as a clause. */
const char *rr__xfer_cause(int err)
{
	static __thread char buf[96]; /* for one format's arguments */

	return rr__lower_error(err, buf, sizeof(buf));
}

void rr__xent_done(struct rr_xfer *x, struct rr_xent *e)
{
	struct rr_task *t = task_of(x);
	struct rr_host *h = x->chan.host;
	char *msg = NULL;

	assert(e->waiting == 0 && e->phase != RR_XE_DONE && x->active > 0);
	e->phase = RR_XE_DONE;
	x->active--;
	if (e->fd >= 0) {
		close(e->fd);
		e->fd = -1;
	}
	if (e->err) {
		x->failed++;
		if (asprintf(&msg, "host %s: %s", h->name,
			     e->cause ? e->cause : rr__xfer_cause(e->err)) < 0)
			msg = NULL;
	}
	if (x->on_file && !t->freed) {
		struct rr_xfer_file f = { .src = e->src ? e->src : "", .dst = e->dst ? e->dst : "",
					  .type = e->type, .bytes = e->bytes, .err = e->err,
					  .message = msg ? msg : "" };

		RR_CALLBACK(t->loop, x->on_file(t, &f, t->opts.user));
	}
	if (!e->err)
		x->copied++;
	if (msg && !x->first)
		x->first = msg;
	else
		free(msg);
	free(e->src);
	free(e->tmp);
	free(e->link);
	free(e->cause);
	e->src = e->tmp = e->link = e->cause = NULL;
	if (e->type != 'd') { /* a directory's is wanted at the end */
		free(e->dst);
		e->dst = NULL;
	}
}

/* ---------------------------------------------------------------- paths */

char *rr__xfer_join(const char *a, const char *b)
{
	char *s;
	size_t n = strlen(a);

	if (!*b || !*a)
		return strdup(*b ? b : a);
	while (n > 1 && a[n - 1] == '/')
		n--;
	if (asprintf(&s, "%.*s%s%s", (int)n, a, n && a[n - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* The last component of path ("a/b/" -> "b"); "." and "/" for those. */
const char *rr__xfer_base(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);
	const char *s;

	while (n > 1 && path[n - 1] == '/')
		n--;
	s = memrchr(path, '/', n);
	s = s && n > 1 ? s + 1 : path;
	snprintf(buf, size, "%.*s", (int)(n - (size_t)(s - path)), s);
	return buf;
}

/* DIR/.NAME.rr-XXXXXX beside dst: the same file system, so the rename is
   one; a dot, so that globs and ls pass it by. */
char *rr__xfer_tmpname(const char *dst)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	char base[256], suffix[7], *s;
	const char *slash = strrchr(dst, '/');
	int dirlen = slash ? (int)(slash - dst + 1) : 0;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return NULL;
	for (size_t i = 0; i < sizeof(r); i++)
		suffix[i] = set[r[i] % (sizeof(set) - 1)];
	suffix[6] = '\0';
	snprintf(base, sizeof(base), "%.200s", dst + dirlen);
	if (asprintf(&s, "%.*s.%s.rr-%s", dirlen, dst, base, suffix) < 0)
		return NULL;
	return s;
}

/* --------------------------------------------------------- local chunks */

static void chunk_done(struct rr_op *op, const struct io_uring_cqe *cqe);

struct rr_xchunk *rr__xchunk_take(struct rr_xfer *x, unsigned ent)
{
	struct rr_xchunk *k = x->free_chunks;

	assert(k); /* one per data slot, and a slot is held */
	if (!k->data && !(k->data = malloc(RR_XFER_CHUNK)))
		return NULL;
	x->free_chunks = k->next_free;
	k->ent = ent;
	x->data++;
	return k;
}

void rr__xchunk_give(struct rr_xfer *x, struct rr_xchunk *k)
{
	assert(x->data > 0);
	x->data--;
	k->next_free = x->free_chunks;
	x->free_chunks = k;
}

/* k on the ring (read or write prepared by the caller): the task waits
   for it, its buffer must outlive the op. */
static void chunk_submitted(struct rr_xfer *x, struct rr_xchunk *k)
{
	x->ents[k->ent].waiting++;
	if (x->local_ops++ == 0)
		rr__task_hold(task_of(x));
}

void rr__xchunk_read(struct rr_xfer *x, struct rr_xchunk *k, int fd, uint64_t off,
		     uint32_t len)
{
	struct io_uring_sqe *sqe = rr__sqe(task_of(x)->loop, &k->op);

	k->off = off;
	k->len = len;
	io_uring_prep_read(sqe, fd, k->data, len, off);
	chunk_submitted(x, k);
}

void rr__xchunk_write(struct rr_xfer *x, struct rr_xchunk *k, int fd, const char *p,
		      uint64_t off, uint32_t len)
{
	struct io_uring_sqe *sqe = rr__sqe(task_of(x)->loop, &k->op);

	k->off = off;
	k->len = len;
	io_uring_prep_write(sqe, fd, p, len, off);
	chunk_submitted(x, k);
}

static void chunk_done(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_xchunk *k = container_of(op, struct rr_xchunk, op);
	struct rr_xfer *x = k->x;
	struct rr_xent *e = &x->ents[k->ent];

	assert(x->local_ops > 0 && e->waiting > 0);
	e->waiting--;
	if (cqe->res > 0)
		RR_KERNEL_WROTE(k->data, (size_t)cqe->res);
	if (x->stage == RR_XS_END)
		rr__xchunk_give(x, k); /* the task ended without it */
	else if (x->get)
		rr__xget_chunk(x, k, cqe->res);
	else
		rr__xput_chunk(x, k, cqe->res);
	if (x->stage != RR_XS_END)
		rr__conn_poke(&x->chan.host->conn);
	if (--x->local_ops == 0)
		rr__task_release(task_of(x)); /* may end it: the last thing */
}

void rr__xfer_progress(struct rr_xfer *x, uint64_t n)
{
	struct rr_task *t = task_of(x);

	x->bytes += n;
	if (x->total < x->bytes)
		x->total = x->bytes; /* a file that grew while it was copied */
	if (x->on_progress && !t->freed)
		RR_CALLBACK(t->loop, x->on_progress(t, x->bytes, x->total, t->opts.user));
}

/* ---------------------------------------------------------- the channel */

static void send_init(struct rr_xfer *x)
{
	struct rr_sftp_out o;

	rr__sftp_begin(&o, &x->out, RR_FXP_INIT, RR_SFTP_VERSION);
	rr__xfer_send(x, &o);
}

/* What the destination is (rr_put) or the source (rr_get): the root. */
static void send_root(struct rr_xfer *x)
{
	if (x->get)
		rr__xfer_path_req(x, (x->flags & RR_XFER_FOLLOW) ? RR_FXP_STAT : RR_FXP_LSTAT,
				  x->remote, NO_ENT, RR_XT_ROOT);
	else
		rr__xfer_path_req(x, RR_FXP_STAT, x->remote, NO_ENT, RR_XT_ROOT);
	x->stage = RR_XS_ROOT;
}

static void dispatch(struct rr_xfer *x, const unsigned char *p, size_t n)
{
	struct rr_sftp_reply r;
	struct rr_xreq *q, copy;

	if (x->stage == RR_XS_INIT) {
		uint32_t version;

		if (rr__sftp_version(p, n, &version, &x->ext) < 0 || version < RR_SFTP_VERSION) {
			x->fatal = true;
			return;
		}
		send_root(x);
		return;
	}
	if (rr__sftp_reply(p, n, &r) < 0 || !(q = req_find(x, r.id))) {
		x->fatal = true;
		return;
	}
	copy = *q;
	q->busy = false;
	x->nreq--;
	if (copy.tag == RR_XT_DATA) {
		assert(x->data > 0);
		x->data--;
	}
	if (copy.ent != NO_ENT) {
		assert(x->ents[copy.ent].waiting > 0);
		x->ents[copy.ent].waiting--;
	}
	if (copy.tag == RR_XT_NONE)
		return;
	if (copy.tag == RR_XT_DIRATTRS) {
		if (r.type != RR_FXP_STATUS || r.code != RR_FX_OK)
			x->failed++; /* the entry was told ok: the end says it */
		return;
	}
	if (copy.tag == RR_XT_ROOT) {
		x->stage = RR_XS_RUN;
		if (x->get)
			rr__xget_root(x, &r);
		else
			rr__xput_root(x, &r);
		return;
	}
	if (x->get)
		rr__xget_reply(x, &copy, &r);
	else
		rr__xput_reply(x, &copy, &r);
}

/* Replies as far as the channel has them: true when bytes came. */
static bool read_replies(struct rr_xfer *x)
{
	LIBSSH2_CHANNEL *ch = x->chan.ch;
	bool got = false;

	for (;;) {
		size_t off = 0;
		ssize_t n;

		if (x->in.size - x->in.len < RR_XFER_CHUNK + 4096) {
			char *d = realloc(x->in.data, x->in.len + RR_SFTP_MAX_PACKET + 4 + 65536);

			if (!d) {
				x->fatal = true;
				return got;
			}
			x->in.data = d;
			x->in.size = x->in.len + RR_SFTP_MAX_PACKET + 4 + 65536;
		}
		n = libssh2_channel_read(ch, x->in.data + x->in.len, x->in.size - x->in.len);
		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return got;
		if (n < 0) {
			x->fatal = true;
			return got;
		}
		got = true;
		x->in.len += (size_t)n;
		while (x->in.len - off >= 4 && !x->fatal && x->stage != RR_XS_END) {
			const unsigned char *p = (const unsigned char *)x->in.data + off;
			uint32_t len = rr__sftp_be32(p);

			if (len > RR_SFTP_MAX_PACKET + 1024) {
				x->fatal = true;
				break;
			}
			if (x->in.len - off - 4 < len)
				break;
			dispatch(x, p + 4, len);
			off += 4 + len;
		}
		memmove(x->in.data, x->in.data + off, x->in.len - off);
		x->in.len -= off;
		if (x->fatal)
			return got;
	}
}

/* Requests onto the channel while the connection has room: true when
   some went. */
static bool flush(struct rr_conn *c, struct rr_xfer *x)
{
	bool sent = false;

	while (x->out_off < x->out.len && !rr__conn_tx_full(c)) {
		ssize_t n = libssh2_channel_write(x->chan.ch, x->out.data + x->out_off,
						  x->out.len - x->out_off);

		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			break;
		if (n < 0) {
			x->fatal = true;
			break;
		}
		x->out_off += (size_t)n;
		sent = true;
	}
	if (x->out_off == x->out.len)
		x->out.len = x->out_off = 0;
	return sent;
}

static bool parent_ready(const struct rr_xfer *x, const struct rr_xent *p)
{
	if (x->get) /* its local directory is made when it starts */
		return p->phase >= RR_XE_DATA && !p->err;
	return p->phase == RR_XE_DONE;
}

/* e starts: its paths on both sides.  false: it is over already (a
   failure known before it started: when it was walked, at the root). */
static bool begin(struct rr_xfer *x, struct rr_xent *e)
{
	e->phase = RR_XE_OPEN;
	if (!e->src)
		e->src = rr__xfer_join(x->get ? x->remote : x->local, e->rel);
	if (!e->dst)
		e->dst = rr__xfer_join(x->root, e->rel);
	if (!e->src || !e->dst) {
		x->fatal = true;
		return false;
	}
	if (e->err) {
		rr__xent_done(x, e);
		return false;
	}
	return true;
}

/* Start what may start, move what moves. */
static void advance(struct rr_xfer *x)
{
	unsigned low = 0;

	while (!x->stopping && x->next < x->nents && x->active < RR_XFER_ACTIVE &&
	       rr__xfer_can_send(x, false)) {
		unsigned i = x->next;
		struct rr_xent *e = &x->ents[i];

		if (e->parent >= 0) {
			const struct rr_xent *p = &x->ents[e->parent];

			if (p->err || p->skipped) {
				e->skipped = true;
				e->phase = RR_XE_DONE;
				x->next++;
				continue;
			}
			if (!parent_ready(x, p))
				break;
		}
		x->next++;
		x->active++;
		if (!begin(x, e))
			continue;
		if (x->get)
			rr__xget_start(x, i);
		else
			rr__xput_start(x, i);
	}
	while (low < x->next && x->ents[low].phase == RR_XE_DONE)
		low++;
	for (unsigned i = low; i < x->next && !x->fatal; i++) {
		if (x->ents[i].phase == RR_XE_DONE || x->ents[i].phase == RR_XE_WAIT)
			continue;
		if (x->get)
			rr__xget_pump(x, i);
		else
			rr__xput_pump(x, i);
	}
}

/* Every entry is done and nothing is in flight. */
static bool quiet(const struct rr_xfer *x)
{
	return !x->nreq && !x->local_ops && !x->active &&
	       (x->stopping || x->next == x->nents);
}

/* With RR_XFER_PRESERVE, once their files are in (which changed their
   times), the directories' modes and times, deepest first. */
static void set_dirs(struct rr_xfer *x)
{
	if (x->stage != RR_XS_RUN || x->stopping || !(x->flags & RR_XFER_PRESERVE) || !quiet(x))
		return;
	x->stage = RR_XS_DIRS;
	if (x->get) {
		rr__xget_dirs(x);
		return;
	}
	for (unsigned i = x->nents; i-- > 0;) {
		struct rr_xent *e = &x->ents[i];
		struct rr_sftp_out o;
		struct rr_sftp_attrs a = { .flags = RR_FXA_PERMISSIONS | RR_FXA_ACMODTIME,
					   .perm = e->attrs.perm & 07777,
					   .atime = e->attrs.atime, .mtime = e->attrs.mtime };

		if (e->type != 'd' || e->err || e->skipped || !e->dst ||
		    x->nreq + 1 >= RR_XFER_REQS)
			continue;
		rr__xfer_begin(x, &o, RR_FXP_SETSTAT, NO_ENT, RR_XT_DIRATTRS);
		rr__sftp_cstr(&o, e->dst);
		rr__sftp_attrs(&o, &a);
		rr__xfer_send(x, &o);
	}
}

static bool finished(const struct rr_xfer *x)
{
	return quiet(x) && (x->stage == RR_XS_DIRS || x->stopping ||
			    !(x->flags & RR_XFER_PRESERVE));
}

/* The local side let go: files closed, rr_get's temporary files gone. */
static void local_cleanup(struct rr_xfer *x)
{
	for (unsigned i = 0; i < x->nents; i++) {
		struct rr_xent *e = &x->ents[i];

		if (e->fd >= 0) {
			close(e->fd);
			e->fd = -1;
		}
		if (x->get && e->created && e->tmp) {
			unlink(e->tmp);
			e->created = false;
		}
	}
	x->stage = RR_XS_END;
}

static unsigned remote_leftovers(const struct rr_xfer *x)
{
	unsigned n = 0;

	for (unsigned i = 0; i < x->nents && !x->get; i++)
		n += x->ents[i].created;
	return n;
}

/* The copy is over: its channel goes (closed once the server lets go),
   the task ends as its entries did. */
static void finish(struct rr_conn *c, struct rr_xfer *x)
{
	struct rr_task *t = task_of(x);
	unsigned left = remote_leftovers(x);

	local_cleanup(x);
	rr__orphan_channel(c, x->chan.ch);
	rr__channel_detach(c, &x->chan);
	if (x->stopping || x->abandon) {
		snprintf(x->ending, sizeof(x->ending), "stopped after %u of %u entries%s",
			 x->copied, x->nents,
			 left ? "; the server did not answer: temporary files may be left on it" :
				"; no partial file left");
		if (x->cancel_msg)
			rr__task_end(t, x->cancel, "%s; %s", x->cancel_msg, x->ending);
		else
			rr__task_exited(t, 1, NULL);
	} else if (x->failed) {
		rr__task_end(t, RR_ERROR, "%s%s%.0u%s",
			     x->first ? x->first : "host: setting directory attributes failed",
			     x->failed > 1 ? " (and " : "", x->failed > 1 ? x->failed - 1 : 0,
			     x->failed > 1 ? " more)" : "");
	} else {
		rr__task_exited(t, 0, NULL);
	}
}

static void fail(struct rr_conn *c, struct rr_xfer *x, const char *what)
{
	rr__channel_fail(c, &x->chan, what);
}

bool rr__xfer_step(struct rr_conn *c, struct rr_channel *ch)
{
	struct rr_xfer *x = (struct rr_xfer *)ch;

	assert(ch->ch && x->stage != RR_XS_END);
	if (x->abandon) {
		finish(c, x);
		return true;
	}
	if (x->stage == RR_XS_START) {
		int rc = libssh2_channel_process_startup(ch->ch, "subsystem", 9, "sftp", 4);

		if (rc == LIBSSH2_ERROR_EAGAIN)
			return false;
		if (rc < 0) {
			fail(c, x, "the server refused its sftp subsystem");
			return true;
		}
		ch->exec_sent = true;
		rr__task_started(task_of(x), 0);
		send_init(x);
		x->stage = RR_XS_INIT;
	}
	if (x->stopping && x->stage < RR_XS_RUN) { /* nothing made yet */
		finish(c, x);
		return true;
	}
	for (;;) {
		bool moved = read_replies(x);

		if (x->stage >= RR_XS_RUN && !x->fatal) {
			advance(x);
			set_dirs(x);
		}
		moved |= flush(c, x);
		if (!moved || x->fatal)
			break;
	}
	if (x->fatal) {
		fail(c, x, "the sftp conversation failed");
		return true;
	}
	if (libssh2_channel_eof(ch->ch)) {
		fail(c, x, "the sftp server ended");
		return true;
	}
	if (x->stage >= RR_XS_RUN && finished(x)) {
		finish(c, x);
		return true;
	}
	return false;
}

/* Requests queued and not begun are dropped (one half written stays), as
   if answered: nothing waits for them. */
static void drop_unsent(struct rr_xfer *x)
{
	size_t at = 0, end;

	while (at < x->out_off)
		at += 4 + rr__sftp_be32((const unsigned char *)x->out.data + at);
	end = x->out.len;
	x->out.len = at;
	while (at < end) {
		const unsigned char *p = (const unsigned char *)x->out.data + at;
		struct rr_xreq *q = p[4] == RR_FXP_INIT ? NULL : req_find(x, rr__sftp_be32(p + 5));

		at += 4 + rr__sftp_be32(p);
		if (!q)
			continue;
		q->busy = false;
		x->nreq--;
		if (q->tag == RR_XT_DATA) {
			x->data--;
			if (x->get)
				x->ents[q->ent].reads--;
			else
				x->ents[q->ent].writes--;
		}
		if (q->ent != NO_ENT)
			x->ents[q->ent].waiting--;
	}
}

/*
 * The host or the loop is freed.  rr_put's temporary files on the server
 * are removed first: the copy stays, stopping, its queued requests
 * dropped, and ends once its removals are answered (the connection waits
 * for that, bounded by its going deadline); true then.  Anything else
 * ends now.
 */
bool rr__xfer_cancel(struct rr_conn *c, struct rr_channel *ch, enum rr_status status,
		     const char *msg)
{
	struct rr_xfer *x = (struct rr_xfer *)ch;

	if (!ch->ch || x->get || x->stage < RR_XS_RUN || x->fatal || x->abandon ||
	    !remote_leftovers(x))
		return false;
	if (!x->cancel_msg && !(x->cancel_msg = strdup(msg)))
		return false;
	x->cancel = status;
	x->stopping = true;
	ch->killed = true;
	drop_unsent(x);
	rr__conn_poke(c);
	return true;
}

/* Its channel ends under it (a connection lost, a cancel). */
void rr__xfer_aborted(struct rr_channel *ch)
{
	local_cleanup((struct rr_xfer *)ch);
}

/* ------------------------------------------------------------ the table */

static void xfer_start(struct rr_task *t)
{
	struct rr_host *h = rr__xfer(t)->chan.host;

	rr__queue_push(&h->queue, t);
	rr__conn_want(&h->conn);
}

static void xfer_dequeue(struct rr_task *t)
{
	rr__queue_remove(&rr__xfer(t)->chan.host->queue, t);
}

/* A kill stops the copy: what moves is undone, nothing more starts.  No
   other signal means anything to a copy. */
static int xfer_signal(struct rr_task *t, int sig, unsigned flags)
{
	struct rr_xfer *x = rr__xfer(t);
	struct rr_channel *ch = &x->chan;

	if (x->stage == RR_XS_END || x->abandon)
		return -ESRCH;
	if (!(flags & RR__SIG_END))
		return sig == 0 ? 0 : -EOPNOTSUPP;
	x->stopping = true;
	ch->killed = true;
	if (t->freed && !ch->counted) { /* the loop runs until it is undone */
		ch->counted = true;
		ch->host->ssh->killing++;
	}
	rr__conn_poke(&ch->host->conn);
	return 0;
}

static void xfer_stdin_kick(struct rr_task *t)
{
	(void)t; /* a copy has no stdin */
}

static int xfer_resize(struct rr_task *t, unsigned rows, unsigned cols)
{
	(void)t, (void)rows, (void)cols;
	return -ENOTTY;
}

static void xfer_stop(struct rr_task *t)
{
	struct rr_xfer *x = rr__xfer(t);

	x->abandon = true;
	rr__conn_poke(&x->chan.host->conn);
}

static const char *xfer_ending(const struct rr_task *t)
{
	const struct rr_xfer *x = rr__task_kind_data_const(t);

	return x->ending[0] ? x->ending : NULL;
}

static void xfer_settle(struct rr_task *t)
{
	assert(!rr__xfer(t)->chan.ch && rr__xfer(t)->local_ops == 0);
}

static void xfer_destroy(struct rr_task *t)
{
	struct rr_xfer *x = rr__xfer(t);

	for (unsigned i = 0; i < x->nents; i++) {
		struct rr_xent *e = &x->ents[i];

		assert(e->fd < 0);
		free(e->rel);
		free(e->src);
		free(e->dst);
		free(e->tmp);
		free(e->link);
		free(e->cause);
	}
	free(x->ents);
	if (x->chunks)
		for (unsigned i = 0; i < RR_XFER_DATA_MAX; i++)
			free(x->chunks[i].data);
	free(x->chunks);
	free(x->in.data);
	free(x->out.data);
	free(x->local);
	free(x->remote);
	free(x->root);
	free(x->first);
	free(x->cancel_msg);
	rr__host_unref(x->chan.host);
}

const struct rr_kind rr__kind_xfer = {
	.name = "copy",
	.size = sizeof(struct rr_xfer),
	.start = xfer_start,
	.dequeue = xfer_dequeue,
	.signal = xfer_signal,
	.stdin_kick = xfer_stdin_kick,
	.resize = xfer_resize,
	.stop = xfer_stop,
	.started = rr__channel_started, /* its sftp subsystem was asked for */
	.describe = rr__channel_describe,
	.ending = xfer_ending,
	.settle = xfer_settle,
	.destroy = xfer_destroy,
};

/* ------------------------------------------------------------------ API */

/* rr_xfer_opts' first layout (ABI): fixed for good. */
#define XFER_OPTS_VER0 RR__SIZE_THROUGH(struct rr_xfer_opts, group)

static struct rr_task *xfer_new(rr_loop *loop, rr_host *host, bool get, const char *remote,
				const char *local, const struct rr_xfer_opts *in)
{
	const char *argv[] = { get ? "get" : "put", get ? remote : local,
			       get ? local : remote, NULL };
	struct rr_xfer_opts xo;
	struct rr_opts o;
	struct rr_task *t;
	struct rr_xfer *x;
	int r;

	if (!loop || !host || !remote || !local || !*remote || !*local ||
	    host->loop != loop || host->freed) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = rr__sized_copy(&xo, sizeof(xo), XFER_OPTS_VER0, in)) < 0) {
		errno = -r;
		return NULL;
	}
	o = (struct rr_opts){ .size = sizeof(o), .stdout_mode = RR_IO_DISCARD,
			      .stderr_mode = RR_IO_DISCARD, .timeout_ms = xo.timeout_ms,
			      .title = xo.title, .user = xo.user, .on_done = xo.on_done,
			      .group = xo.group };
	t = rr__task_new(loop, &rr__kind_xfer, argv, true, &o, true);
	if (!t)
		return NULL;
	x = rr__xfer(t);
	x->chan.host = host;
	host->refs++;
	x->get = get;
	x->flags = xo.flags;
	x->on_progress = xo.on_progress;
	x->on_file = xo.on_file;
	x->local = strdup(local);
	x->remote = strdup(remote);
	x->chunks = calloc(RR_XFER_DATA_MAX, sizeof(*x->chunks));
	if (!x->local || !x->remote || !x->chunks) {
		errno = ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < RR_XFER_DATA_MAX; i++) {
		x->chunks[i] = (struct rr_xchunk){ .op.complete = chunk_done, .x = x,
						   .next_free = x->free_chunks };
		x->free_chunks = &x->chunks[i];
	}
	return t;
fail:
	/* never submitted: the task core frees it as it frees one it refused */
	rr__task_discard(t);
	return NULL;
}

rr_task *rr_put(rr_loop *loop, rr_host *host, const char *local, const char *remote,
		const struct rr_xfer_opts *opts)
{
	struct rr_task *t = xfer_new(loop, host, false, remote, local, opts);
	struct stat st;
	int r;

	if (!t)
		return NULL;
	r = (rr__xfer(t)->flags & RR_XFER_FOLLOW) ? stat(local, &st) : lstat(local, &st);
	r = r < 0 ? -errno : rr__xput_plan(rr__xfer(t), &st);
	if (r < 0) {
		rr__task_discard(t);
		errno = -r;
		return NULL;
	}
	return rr__task_submit(t);
}

rr_task *rr_get(rr_loop *loop, rr_host *host, const char *remote, const char *local,
		const struct rr_xfer_opts *opts)
{
	struct rr_task *t = xfer_new(loop, host, true, remote, local, opts);
	struct rr_sftp_attrs none = { 0 };

	if (!t)
		return NULL;
	if (rr__xent_add(rr__xfer(t), "", 'f', &none, -1) < 0) {
		rr__task_discard(t);
		errno = ENOMEM;
		return NULL;
	}
	return rr__task_submit(t);
}
