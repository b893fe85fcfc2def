/*
 * reader.c - one child output pipe, read through the ring until EOF.
 *
 * Bytes go, in order of preference, into the capture (up to capture_max),
 * into a line buffer that only holds the unfinished line (when callbacks want
 * the bytes but nothing is kept), or into the loop's drain (nobody wants
 * them; they are only counted).  The pipe is always read to EOF, so a child
 * never blocks on a full pipe whatever we keep.
 *
 * Multishot reads land in the loop's buffer ring and are copied out; one-shot
 * reads (the fallback) land directly where space() says.  An open stream is
 * one more event its task waits for; it is released at EOF, or when the
 * task's kind stops reading it (a daemon holding the pipe past a kill).
 */
#include "task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RR_READ_MIN 4096 /* least room offered to a read */

static void reader_complete(struct rr_op *op, const struct io_uring_cqe *cqe);

void rr__reader_init(struct rr_reader *r, struct rr_task *t,
		     enum rr_stream which, bool capture)
{
	*r = (struct rr_reader){
		.op.complete = reader_complete,
		.task = t,
		.fd = -1,
		.which = which,
		.capture = capture,
	};
}

static bool multishot(const struct rr_reader *r)
{
	return (r->task->loop->features & RR_FEAT_READ_MULTISHOT) && !r->oneshot;
}

static bool wants_data(const struct rr_reader *r)
{
	return r->task->opts.on_line || r->task->opts.on_chunk;
}

/* Room for at least need more bytes, growing geometrically up to max. */
static int reserve(struct rr_buf *b, size_t need, size_t max)
{
	size_t want = b->len + need, size;
	char *p;

	if (b->size >= want)
		return 0;
	size = RR_MAX(RR_MAX(b->size * 2, want), (size_t)RR_READ_MIN);
	size = RR_MAX(RR_MIN(size, max), want);
	p = realloc(b->data, size);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->size = size;
	return 0;
}

/* capture_max is reached: the unfinished line moves to the line buffer. */
static void freeze(struct rr_reader *r)
{
	size_t n = r->cap.len - r->line_start;

	r->frozen = true;
	if (r->task->opts.on_line && n && reserve(&r->line, n, SIZE_MAX) == 0) {
		memcpy(r->line.data, r->cap.data + r->line_start, n);
		r->line.len = n;
	}
}

char *rr__reader_space(struct rr_reader *r, size_t *room)
{
	size_t max = r->task->opts.capture_max;

	/* The capture keeps one spare byte for the NUL rr_result promises. */
	if (r->capture && !r->frozen) {
		if (r->cap.len < max &&
		    reserve(&r->cap, RR_MIN((size_t)RR_READ_MIN, max - r->cap.len) + 1,
			    max + 1) == 0) {
			*room = RR_MIN(r->cap.size - 1, max) - r->cap.len;
			return r->cap.data + r->cap.len;
		}
		freeze(r);
	}
	if (wants_data(r) && reserve(&r->line, RR_READ_MIN, SIZE_MAX) == 0) {
		*room = r->line.size - r->line.len;
		return r->line.data + r->line.len;
	}
	*room = RR_DRAIN_SIZE;
	return r->task->loop->drain;
}

static void emit_line(struct rr_reader *r, const char *p, size_t n)
{
	struct rr_task *t = r->task;

	size_t max = t->opts.line_max;

	if (t->freed)
		return;
	while (n > max) {
		RR_CALLBACK(t->loop, t->opts.on_line(t, r->which, p, max, t->opts.user));
		p += max;
		n -= max;
	}
	RR_CALLBACK(t->loop, t->opts.on_line(t, r->which, p, n, t->opts.user));
}

/* Hand out the complete lines of b[*start, len); from: where new bytes begin. */
static void split_lines(struct rr_reader *r, struct rr_buf *b, size_t *start,
			size_t from)
{
	char *nl;

	while ((nl = memchr(b->data + from, '\n', b->len - from))) {
		size_t end = (size_t)(nl - b->data);

		emit_line(r, b->data + *start, end - *start);
		*start = from = end + 1;
	}
	while (b->len - *start >= r->task->opts.line_max) {
		emit_line(r, b->data + *start, r->task->opts.line_max);
		*start += r->task->opts.line_max;
	}
}

static void emit_chunk(struct rr_reader *r, const char *p, size_t n)
{
	struct rr_task *t = r->task;

	if (t->freed)
		return;
	RR_CALLBACK(t->loop, t->opts.on_chunk(t, r->which, p, n, t->opts.user));
}

/* n bytes have landed at p, which rr__reader_space() handed out. */
void rr__reader_commit(struct rr_reader *r, char *p, size_t n)
{
	struct rr_task *t = r->task;
	size_t start = 0, from;

	assert(r->open);
	r->total += n;
	rr__task_output(t);
	if (p == t->loop->drain) {
		r->truncated = true;
		return;
	}
	if (t->opts.on_chunk)
		emit_chunk(r, p, n);
	if (r->capture && !r->frozen) {
		from = r->cap.len;
		r->cap.len += n;
		if (t->opts.on_line)
			split_lines(r, &r->cap, &r->line_start, from);
		return;
	}
	r->truncated |= r->capture;
	from = r->line.len;
	r->line.len += n;
	if (t->opts.on_line)
		split_lines(r, &r->line, &start, from);
	else
		start = r->line.len;
	r->line.len -= start;
	memmove(r->line.data, r->line.data + start, r->line.len);
}

/* Copy bytes read elsewhere (a ring buffer, a channel) to where they
   belong, while the stream is open. */
void rr__reader_take(struct rr_reader *r, const char *data, size_t n)
{
	while (n && r->open) {
		size_t room, k;
		char *dst = rr__reader_space(r, &room);

		k = RR_MIN(n, room);
		if (dst != r->task->loop->drain)
			memcpy(dst, data, k);
		rr__reader_commit(r, dst, k);
		data += k;
		n -= k;
	}
}

void rr__reader_arm(struct rr_reader *r)
{
	struct io_uring_sqe *sqe = rr__sqe(r->task->loop, &r->op);
	size_t room;

	if (multishot(r)) {
		io_uring_prep_rw(RR_OP_READ_MULTISHOT, sqe, r->fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = RR_BGID;
		return;
	}
	r->armed_at = rr__reader_space(r, &room);
	io_uring_prep_read(sqe, r->fd, r->armed_at,
			   (unsigned)RR_MIN(room, (size_t)1 << 30), 0);
}

/* The task waits for this stream's EOF from now on. */
void rr__reader_open(struct rr_reader *r)
{
	assert(!r->open);
	r->open = true;
	rr__task_hold(r->task);
}

/* A pipe: read through the ring until EOF. */
void rr__reader_start(struct rr_reader *r, int fd)
{
	rr__reader_open(r);
	r->fd = fd;
	rr__reader_arm(r);
}

static void queue_rearm(struct rr_reader *r)
{
	rr_loop *loop = r->task->loop;

	assert(r->fd >= 0);
	if (r->rearm_queued)
		return;
	r->rearm_queued = true;
	r->next_rearm = loop->rearm;
	loop->rearm = r;
}

/* Readers whose multishot read ended (no buffer was free) read again. */
void rr__reader_rearm_all(rr_loop *loop)
{
	rr__bufring_publish(loop);
	while (loop->rearm) {
		struct rr_reader *r = loop->rearm;

		loop->rearm = r->next_rearm;
		r->next_rearm = NULL;
		r->rearm_queued = false;
		if (r->stopping)
			rr__reader_eof(r);
		else
			rr__reader_arm(r);
	}
}

/*
 * Read no more: what holds the other end (a daemon the command started) may
 * keep it open for ever.  The read in flight is cancelled; its completion,
 * or the re-arm that was due, ends the stream.  true: it was still open.
 */
bool rr__reader_stop(struct rr_reader *r)
{
	if (!r->open || r->stopping || r->fd < 0)
		return false;
	r->stopping = true;
	if (!r->rearm_queued)
		rr__cancel(r->task->loop, &r->op);
	return true;
}

void rr__reader_eof(struct rr_reader *r)
{
	struct rr_task *t = r->task;

	assert(r->open);
	r->open = false;
	if (t->opts.on_line) {
		if (r->capture && !r->frozen) {
			if (r->cap.len > r->line_start)
				emit_line(r, r->cap.data + r->line_start,
					  r->cap.len - r->line_start);
		} else if (r->line.len) {
			emit_line(r, r->line.data, r->line.len);
		}
	}
	if (r->fd >= 0) /* a channel's stream has none */
		rr__close(t->loop, r->fd);
	r->fd = -1;
	if (t->opts.on_eof && !t->freed)
		RR_CALLBACK(t->loop, t->opts.on_eof(t, r->which, t->opts.user));
	rr__task_release(t);
}

static void reader_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_reader *r = container_of(op, struct rr_reader, op);
	rr_loop *loop = r->task->loop;
	int res = cqe->res;

	if (multishot(r)) {
		if (cqe->flags & IORING_CQE_F_BUFFER) {
			unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

			char *data = rr__bufring_data(loop, bid);

			if (res > 0) {
				RR_KERNEL_WROTE(data, res);
				rr__reader_take(r, data, (size_t)res);
			}
			rr__bufring_recycle(loop, bid);
		}
		/* Out of buffers, or stopped for another reason: read again. */
		if (res > 0 || res == -ENOBUFS || res == -EINTR || res == -EAGAIN) {
			if (cqe->flags & IORING_CQE_F_MORE)
				return;
			if (!r->stopping) {
				queue_rearm(r);
				return;
			}
		}
	} else if (res > 0 || res == -EINTR || res == -EAGAIN) {
		if (res > 0) {
			RR_KERNEL_WROTE(r->armed_at, res);
			rr__reader_commit(r, r->armed_at, (size_t)res);
		}
		if (!r->stopping) {
			rr__reader_arm(r);
			return;
		}
	}
	rr__reader_eof(r); /* 0, or a read error: nothing more to read */
}

/*
 * Give the slack back.  A small capture moves to a block of its own size:
 * shrunk in place, its buffer would be split, and the tail left free is too
 * small for the next task's first read, so a long run would leave one hole
 * per task in the heap (3 KiB a task, 60 MiB for 20000 tasks, was seen).
 */
static void fit(struct rr_buf *b)
{
	char *p;

	if (b->len < RR_READ_MIN && (p = malloc(b->len + 1))) {
		memcpy(p, b->data, b->len);
		free(b->data);
		b->data = p;
	} else if ((p = realloc(b->data, b->len + 1))) {
		b->data = p;
	}
	b->size = b->len + 1;
}

void rr__reader_finish(struct rr_reader *r, struct rr_capture *c)
{
	free(r->line.data);
	r->line = (struct rr_buf){ 0 };
	c->total = r->total;
	c->truncated = r->capture && r->truncated;
	if (!r->cap.data) { /* nothing captured, or not a capture */
		c->data = "";
		c->len = 0;
		return;
	}
	fit(&r->cap);
	r->cap.data[r->cap.len] = '\0';
	c->data = r->cap.data;
	c->len = r->cap.len;
}

void rr__reader_release(struct rr_reader *r)
{
	free(r->cap.data);
	free(r->line.data);
	r->cap = r->line = (struct rr_buf){ 0 };
}
