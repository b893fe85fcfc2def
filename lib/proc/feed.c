/*
 * feed.c - the child's stdin, fed from the task core's queue (stdin_data,
 * then what rr_task_write() adds): one ring op in flight at a time, then
 * EOF.  Through a socketpair the op is a SEND with MSG_NOSIGNAL, so a child
 * that exits without reading costs an EPIPE completion, never a SIGPIPE in
 * the host program (a ring WRITE to a pipe would raise one), and EOF is
 * closing our end.  Through a pty master (pty.c) it is a WRITE, and EOF is
 * the terminal's EOF character.  The feed holds the task until EOF went out
 * or its reader is gone.
 */
#include "proc/proc.h"

#include <errno.h>
#include <sys/socket.h>

#define RR_FEED_MAX ((size_t)1 << 30) /* the most one op is handed */

static void feed_complete(struct rr_op *op, const struct io_uring_cqe *cqe);

/* A tty write may block in the kernel however the file is opened: io-wq
   waits for it, never the loop's thread. */
static void feed_write(struct rr_task *t, const char *p, size_t n)
{
	struct rr_feed *f = &rr__proc(t)->feed;
	struct io_uring_sqe *sqe = rr__sqe(t->loop, &f->op);

	if (f->pty) {
		io_uring_prep_write(sqe, f->fd, p, (unsigned)n, (uint64_t)-1);
		sqe->flags |= IOSQE_ASYNC;
	} else {
		io_uring_prep_send(sqe, f->fd, p, n, MSG_NOSIGNAL);
	}
	f->busy = true;
}

/* The feed is over: EOF was sent, or nobody reads any more. */
static void feed_end(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	assert(f->fd >= 0 && !f->busy);
	rr__close(t->loop, f->fd);
	f->fd = -1;
	rr__task_release(t);
}

static void feed_broken(struct rr_task *t)
{
	rr__stdin_broken(t); /* on_drain may run: nothing is in flight now */
	feed_end(t);
}

void rr__feed_kick(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;
	const char *p;
	size_t n;

	if (f->fd < 0 || f->busy)
		return;
	if (rr__proc(t)->reaped || t->in.broken) {
		feed_broken(t);
		return;
	}
	n = rr__stdin_peek(t, &p);
	if (n) {
		feed_write(t, p, RR_MIN(n, RR_FEED_MAX));
	} else if (rr__stdin_done(t) && !f->pty) {
		feed_end(t); /* closing our end is the EOF */
	} else if (rr__stdin_done(t)) {
		f->eof = rr__pty_eof_char(f->fd);
		f->eof_sent = true;
		feed_write(t, &f->eof, 1);
	}
}

void rr__feed_start(struct rr_task *t, int fd, bool pty)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	f->op.complete = feed_complete;
	f->fd = fd;
	f->pty = pty;
	rr__task_hold(t);
	rr__feed_kick(t);
}

/* The child has exited: what it did not read will never be read. */
void rr__feed_stop(struct rr_task *t)
{
	struct rr_feed *f = &rr__proc(t)->feed;

	if (f->busy)
		rr__cancel(t->loop, &f->op); /* its completion ends the feed */
	else if (f->fd >= 0)
		feed_broken(t);
}

static void feed_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_feed *f = container_of(op, struct rr_feed, op);
	struct rr_proc *p = container_of(f, struct rr_proc, feed);
	struct rr_task *t = rr__task_of(p);
	int res = cqe->res;

	f->busy = false;
	if (f->eof_sent) { /* the terminal's EOF went out, or could not */
		feed_end(t);
		return;
	}
	/* on_drain may write more, or close stdin and so end the feed - and
	   the task with it, were this hold not the last to go. */
	rr__task_hold(t);
	if (res > 0)
		rr__stdin_consume(t, (size_t)res);
	else if (res != -EINTR && res != -EAGAIN)
		rr__stdin_broken(t); /* EPIPE, ECONNRESET, EIO, ECANCELED */
	rr__feed_kick(t);
	rr__task_release(t);
}
