/*
 * probe.c - set the ring up with the best flags this kernel takes and pick
 * each mechanism by what it supports: WAITID or pidfd poll for exits,
 * multishot reads from a buffer ring or one-shot reads for pipes.
 */
#include "core/core.h"
#include "proc/sys.h" /* RR_RAW_SYSCALLS */

#include <errno.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Only this thread submits (SINGLE_ISSUER) and task work waits for our next
 * enter instead of interrupting us (COOP_TASKRUN); older kernels refuse
 * flags they do not know.  Not DEFER_TASKRUN: its completions reach a
 * registered eventfd only after an RCU grace period (10-16 ms here) and a
 * poll of the ring fd not at all, so a host polling rr_loop_fd() would run
 * one task per 16 ms; a fan-out run by rr_loop_run() is as fast without it
 * (5000 tasks at 64: the same tasks/s and CPU).
 */
static const unsigned setup_flags[] = {
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
	0,
};

#define RR_SQ_ENTRIES 1024 /* a turn's batch; a fuller queue is submitted early */

static unsigned cq_entries(unsigned max_running)
{
	/* Room for every in-flight op of every task: 2 reads, exit, stdin. */
	unsigned want = max_running > 16384 ? 65536 : max_running * 4, n = 4096;

	while (n < want && n < 65536)
		n <<= 1;
	return n;
}

static int init_ring(rr_loop *loop)
{
	int r = -EINVAL;

	for (size_t i = 0; i < sizeof(setup_flags) / sizeof(setup_flags[0]); i++) {
		struct io_uring_params p = {
			.flags = setup_flags[i] | IORING_SETUP_CQSIZE,
			.cq_entries = cq_entries(loop->max_running),
		};

		r = io_uring_queue_init_params(RR_SQ_ENTRIES, &loop->ring, &p);
		if (r == 0) {
			if (p.features & IORING_FEAT_CQE_SKIP)
				loop->skip_cqe = IOSQE_CQE_SKIP_SUCCESS;
			loop->ring_ready = true;
			return 0;
		}
		if (r != -EINVAL)
			break;
	}
	return r;
}

static unsigned probe_group_signal(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	unsigned ok;

	if (fd < 0)
		return 0;
	/*
	 * Signal 0 only checks.  EINVAL: the flag is unknown; ESRCH is the
	 * answer of a kernel that knows it (we lead no group of our own).
	 */
	ok = pidfd_send_signal(fd, 0, NULL, PIDFD_SIGNAL_PROCESS_GROUP) == 0 ||
	     errno != EINVAL;
	close(fd);
	return ok ? RR_FEAT_GROUP_SIGNAL : 0;
}

int rr__ring_setup(rr_loop *loop, unsigned flags)
{
	struct io_uring_probe *probe;
	int r = init_ring(loop);

	if (r < 0)
		return r == -EPERM ? -ENOSYS : r;
	io_uring_register_ring_fd(&loop->ring); /* cheaper enters; optional */
	probe = io_uring_get_probe_ring(&loop->ring);
	if (probe) {
		if (!(flags & RR_LOOP_NO_WAITID) &&
		    io_uring_opcode_supported(probe, RR_OP_WAITID))
			loop->features |= RR_FEAT_WAITID;
		if (!(flags & RR_LOOP_NO_MULTISHOT) &&
		    io_uring_opcode_supported(probe, RR_OP_READ_MULTISHOT) &&
		    rr__bufring_init(loop) == 0)
			loop->features |= RR_FEAT_READ_MULTISHOT;
		io_uring_free_probe(probe);
	}
	loop->features |= probe_group_signal();
	/* Spawns that run alongside us need sys.h's errno-free calls. */
	if (!(flags & RR_LOOP_SPAWN_VFORK) && RR_RAW_SYSCALLS && !RR_ON_VALGRIND)
		loop->features |= RR_FEAT_ASYNC_SPAWN;
	return 0;
}
