/*
 * feed.c - the child's stdin: bytes sent through a socketpair with ring
 * SENDs, then closed so the child sees EOF.  MSG_NOSIGNAL means a child that
 * exits without reading costs an EPIPE completion, never a SIGPIPE in the
 * host program (a ring WRITE to a pipe would raise one).
 */
#include "proc/proc.h"

#include <errno.h>
#include <sys/socket.h>

static void feed_complete(struct rr_op *op, const struct io_uring_cqe *cqe);

static void feed_send(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;
	struct io_uring_sqe *sqe = rr__sqe(t->loop, &f->op);

	io_uring_prep_send(sqe, f->fd, f->data + f->off,
			   RR_MIN(f->len - f->off, (size_t)1 << 30), MSG_NOSIGNAL);
	f->busy = true;
}

static void feed_close(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	if (f->fd >= 0)
		rr__close(t->loop, f->fd);
	f->fd = -1;
}

void rr__feed_start(struct rr_task *t, int fd)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	f->op.complete = feed_complete;
	f->fd = fd;
	f->data = t->opts.stdin_data;
	f->len = t->opts.stdin_len;
	f->off = 0;
	rr__task_hold(t);
	feed_send(t);
}

/* The child has exited: what it did not read will never be read. */
void rr__feed_stop(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	if (f->busy)
		rr__cancel(t->loop, &f->op);
}

static void feed_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_feed *f = container_of(op, struct rr_feed, op);
	struct rr_proc *p = container_of(f, struct rr_proc, feed);
	struct rr_task *t = rr__task_of(p);

	f->busy = false;
	if (cqe->res > 0)
		f->off += (size_t)cqe->res;
	if ((cqe->res > 0 || cqe->res == -EINTR || cqe->res == -EAGAIN) &&
	    f->off < f->len && !p->reaped) {
		feed_send(t);
		return;
	}
	/* All sent, or the reader is gone (EPIPE, ECONNRESET, ECANCELED). */
	feed_close(t);
	rr__task_release(t);
}
