/*
 * ring.c - what every part of the library does with the ring: take a
 * submission entry, close an fd or cancel an op through it, hand what is
 * prepared to the kernel; and the loop's clock.
 */
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

uint64_t rr__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * An SQE for op (NULL: nobody wants the completion).  A full submission
 * queue is handed to the kernel first; the turn's final enter submits the
 * rest, so a batch is one syscall however many tasks it starts.
 */
struct io_uring_sqe *rr__sqe(rr_loop *loop, struct rr_op *op)
{
	struct io_uring_sqe *sqe;

	assert(loop->ring_ready);
	while (!(sqe = io_uring_get_sqe(&loop->ring))) {
		int r = io_uring_submit(&loop->ring);

		loop->enters++;
		if (r == -EBUSY || r == -EAGAIN)
			io_uring_get_events(&loop->ring);
		else if (r < 0)
			abort(); /* the ring itself is broken */
	}
	loop->sqes++;
	io_uring_sqe_set_data(sqe, op);
	return sqe;
}

void rr__close(rr_loop *loop, int fd)
{
	struct io_uring_sqe *sqe = rr__sqe(loop, NULL);

	assert(fd >= 0);
	io_uring_prep_close(sqe, fd);
	sqe->flags |= loop->skip_cqe;
}

void rr__cancel(rr_loop *loop, struct rr_op *op)
{
	struct io_uring_sqe *sqe = rr__sqe(loop, NULL);

	io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
	sqe->flags |= loop->skip_cqe;
}

/* Hand prepared entries (ring closes above all) to the kernel now. */
void rr__submit_pending(rr_loop *loop)
{
	if (io_uring_sq_ready(&loop->ring)) {
		loop->enters++;
		io_uring_submit(&loop->ring);
	}
}
