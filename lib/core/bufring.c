/*
 * bufring.c - the provided-buffer ring for multishot pipe reads.
 *
 * The kernel picks a buffer per read, so an idle child costs no memory; we
 * copy the bytes out at once and give the buffer back.  liburing 2.3 lacks
 * io_uring_setup_buf_ring(), so the ring is mapped and registered by hand
 * as 2.4's br_setup() does.  Returned buffers are published once per turn.
 */
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

/*
 * Buffers are reused in FIFO order, so all of them get touched under load:
 * the total is what the loop's resident memory pays for output.
 */
#define RR_BUF_COUNT 256
#define RR_BUF_SIZE (32 * 1024)

int rr__bufring_init(rr_loop *loop)
{
	struct rr_bufring *b = &loop->bufs;
	size_t ring_bytes = RR_BUF_COUNT * sizeof(struct io_uring_buf);
	struct io_uring_buf_reg reg = { .ring_entries = RR_BUF_COUNT, .bgid = RR_BGID };
	int r;

	b->br = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE,
		     MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (b->br == MAP_FAILED) {
		b->br = NULL;
		return -errno;
	}
	b->mem = malloc((size_t)RR_BUF_COUNT * RR_BUF_SIZE);
	if (!b->mem) {
		rr__bufring_free(loop);
		return -ENOMEM;
	}
	reg.ring_addr = (uintptr_t)b->br;
	r = io_uring_register_buf_ring(&loop->ring, &reg, 0);
	if (r < 0) {
		rr__bufring_free(loop);
		return r;
	}
	b->count = RR_BUF_COUNT;
	b->size = RR_BUF_SIZE;
	io_uring_buf_ring_init(b->br);
	for (unsigned i = 0; i < b->count; i++)
		rr__bufring_recycle(loop, i);
	rr__bufring_publish(loop);
	return 0;
}

void rr__bufring_free(rr_loop *loop)
{
	struct rr_bufring *b = &loop->bufs;

	if (b->br)
		munmap(b->br, RR_BUF_COUNT * sizeof(struct io_uring_buf));
	free(b->mem);
	*b = (struct rr_bufring){ 0 };
}

char *rr__bufring_data(rr_loop *loop, unsigned bid)
{
	return loop->bufs.mem + (size_t)bid * loop->bufs.size;
}

void rr__bufring_recycle(rr_loop *loop, unsigned bid)
{
	struct rr_bufring *b = &loop->bufs;

	io_uring_buf_ring_add(b->br, rr__bufring_data(loop, bid), RR_BUF_SIZE,
			      (unsigned short)bid,
			      io_uring_buf_ring_mask(RR_BUF_COUNT), (int)b->returned++);
}

void rr__bufring_publish(rr_loop *loop)
{
	struct rr_bufring *b = &loop->bufs;

	if (b->returned) {
		io_uring_buf_ring_advance(b->br, (int)b->returned);
		b->returned = 0;
	}
}
