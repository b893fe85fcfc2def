/*
 * loop.c - the loop: one io_uring, one thread.  A turn starts queued tasks,
 * publishes what must be re-armed, submits everything prepared in one
 * io_uring_enter (waiting in the same call), dispatches every completion
 * and fires expired deadlines.
 */
#include "internal.h"
#include "proc/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define RR_MAX_RUNNING_CAP 32768
#define RR_FDS_PER_TASK 8 /* 3-4 held while running, 3 more while spawning */
#define RR_WAIT_SLICE_S 60 /* longest single wait when a signal may end it */

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

	io_uring_prep_close(sqe, fd);
	sqe->flags |= loop->skip_cqe;
}

void rr__cancel(rr_loop *loop, struct rr_op *op)
{
	struct io_uring_sqe *sqe = rr__sqe(loop, NULL);

	io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
	sqe->flags |= loop->skip_cqe;
}

/* One line for the program's on_warning, if it has one. */
void rr__warn(rr_loop *loop, const char *fmt, ...)
{
	char msg[RR_MESSAGE_MAX];
	va_list ap;

	if (!loop->on_warning)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	loop->in_callback++;
	loop->on_warning(loop, msg, loop->user);
	loop->in_callback--;
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* Raise the soft fd limit to the hard one; children get the old one back. */
static void raise_nofile(rr_loop *loop)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	loop->nofile_orig = rl;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		loop->nofile_raised = true;
}

static unsigned default_max_running(void)
{
	struct rlimit rl;
	rlim_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return RR_MAX_RUNNING_CAP;
	n = rl.rlim_cur > 64 ? (rl.rlim_cur - 64) / RR_FDS_PER_TASK : 1;
	return (unsigned)RR_MAX(RR_MIN(n, (rlim_t)RR_MAX_RUNNING_CAP), 1);
}

rr_loop *rr_loop_new(const struct rr_loop_opts *opts)
{
	struct rr_loop_opts o = opts ? *opts : (struct rr_loop_opts){ 0 };
	struct sigaction sa;
	rr_loop *loop;
	int r;

	/* An ignored SIGCHLD makes the kernel reap our children for us. */
	if (sigaction(SIGCHLD, NULL, &sa) == 0 &&
	    (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT))) {
		errno = ECHILD;
		return NULL;
	}
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->devnull = loop->evfd = -1;
	raise_nofile(loop);
	loop->max_running = o.max_running ? o.max_running : default_max_running();
	if (env_set("RINGRUN_NO_WAITID"))
		o.flags |= RR_LOOP_NO_WAITID;
	if (env_set("RINGRUN_NO_MULTISHOT"))
		o.flags |= RR_LOOP_NO_MULTISHOT;
	if (env_set("RINGRUN_SPAWN_VFORK"))
		o.flags |= RR_LOOP_SPAWN_VFORK;
	loop->max_handshakes = o.max_handshakes ? o.max_handshakes : 6;
	loop->on_warning = o.on_warning;
	loop->user = o.user;
	loop->connect_rate = o.connect_rate;
	if (o.wait_sigmask) {
		loop->wait_mask = *o.wait_sigmask;
		loop->have_wait_mask = true;
	}
	r = rr__ring_setup(loop, o.flags);
	if (r < 0)
		goto fail;
	loop->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	loop->drain = malloc(RR_DRAIN_SIZE);
	if (loop->devnull < 0 || !loop->drain) {
		r = loop->devnull < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	/* Spawns that run alongside us need sys.h's errno-free calls. */
	loop->spawn_vfork = (o.flags & RR_LOOP_SPAWN_VFORK) || !RR_RAW_SYSCALLS ||
			    RR_ON_VALGRIND;
	if (!loop->spawn_vfork)
		loop->features |= RR_FEAT_ASYNC_SPAWN;
	return loop;
fail:
	rr_loop_free(loop);
	errno = -r;
	return NULL;
}

static void start_queued(rr_loop *loop)
{
	if (!loop->queue.head || loop->running >= loop->max_running)
		return;
	rr__spawn_batch_begin(loop);
	while (loop->queue.head && loop->running < loop->max_running)
		rr__task_start(rr__queue_pop(&loop->queue));
	rr__spawn_batch_end(loop);
}

/* Readers whose multishot read ended (no buffer was free) read again. */
static void rearm_readers(rr_loop *loop)
{
	rr__bufring_publish(loop);
	while (loop->rearm) {
		struct rr_reader *r = loop->rearm;

		loop->rearm = r->next_rearm;
		r->next_rearm = NULL;
		r->rearm_queued = false;
		rr__reader_arm(r);
	}
}

static bool work_ready(const rr_loop *loop)
{
	return loop->unstarted || loop->rearm || loop->pokes ||
	       (loop->queue.head && loop->running < loop->max_running) ||
	       (loop->admit_head && loop->handshakes < loop->max_handshakes &&
		!loop->admit_deadline.slot);
}

/* Hand prepared entries (ring closes above all) to the kernel now. */
static void submit_pending(rr_loop *loop)
{
	if (io_uring_sq_ready(&loop->ring)) {
		loop->enters++;
		io_uring_submit(&loop->ring);
	}
}

static int enter(rr_loop *loop, bool wait)
{
	struct __kernel_timespec slice = { .tv_sec = RR_WAIT_SLICE_S };
	struct io_uring_cqe *cqe;
	uint64_t start;
	int r;

	loop->enters++;
	if (!wait)
		return io_uring_submit_and_get_events(&loop->ring);
	if (!loop->have_wait_mask)
		return io_uring_submit_and_wait(&loop->ring, 1);
	/*
	 * Without a timeout liburing 2.3 re-enters after a signal that came
	 * with a submission, and waits on with the handler already run; with
	 * one it makes exactly one io_uring_enter.  Back with nothing to reap
	 * and the slice not over means a signal ended the wait.
	 */
	start = rr__now();
	r = io_uring_submit_and_wait_timeout(&loop->ring, &cqe, 1, &slice,
					     &loop->wait_mask);
	if (io_uring_cq_ready(&loop->ring))
		return r < 0 ? 0 : r;
	if (rr__now() - start >= (uint64_t)RR_WAIT_SLICE_S * 1000000000u)
		return -ETIME;
	return -EINTR;
}

static void reap(rr_loop *loop)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&loop->ring, head, cqe) {
		struct rr_op *op = io_uring_cqe_get_data(cqe);

		n++;
		if (op)
			op->complete(op, cqe);
	}
	io_uring_cq_advance(&loop->ring, n);
	loop->cqes += n;
}

static void drain_eventfd(rr_loop *loop)
{
	uint64_t v;

	/* Before entering: work queued after this read signals it again. */
	if (loop->evfd >= 0 && read(loop->evfd, &v, sizeof(v)) < 0)
		return;
}

static int turn(rr_loop *loop, bool may_wait)
{
	int r;

	start_queued(loop);
	rr__conn_admit(loop);
	rr__conn_pokes(loop);
	rr__task_settle_unstarted(loop);
	rearm_readers(loop);
	rr__deadline_arm(loop);
	drain_eventfd(loop);
	r = enter(loop, may_wait && (loop->running > 0 || loop->alive > 0 ||
				     loop->closing > 0 || loop->timers_armed > 0) &&
			!work_ready(loop));
	reap(loop);
	rr__deadline_expire(loop);
	if (r == -EINTR)
		return loop->have_wait_mask ? -EINTR : 0;
	if (r < 0 && r != -ETIME && r != -EAGAIN && r != -EBUSY)
		return r;
	return 0;
}

int rr_loop_run(rr_loop *loop, enum rr_run_mode mode)
{
	if (loop->in_callback)
		return -EBUSY;
	for (;;) {
		int r = turn(loop, mode != RR_RUN_NOWAIT);

		if (r < 0)
			return r;
		if (loop->alive == 0 && loop->running == 0 &&
		    (loop->timers_armed == 0 || mode != RR_RUN_DEFAULT)) {
			submit_pending(loop); /* the last closes: leave no fd open */
			return 0;
		}
		if (mode != RR_RUN_DEFAULT)
			return (int)loop->alive;
	}
}

int rr_loop_fd(rr_loop *loop)
{
	int fd, r;

	if (loop->evfd >= 0)
		return loop->evfd;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = io_uring_register_eventfd(&loop->ring, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	loop->evfd = fd;
	return fd;
}

int rr_loop_timeout_ms(const rr_loop *loop)
{
	if (work_ready(loop) || io_uring_sq_ready(&loop->ring))
		return 0;
	return rr__deadline_ms(loop);
}

void rr_loop_stats(const rr_loop *loop, struct rr_loop_stats *st)
{
	unsigned queued = 0;

	for (const struct rr_task *t = loop->queue.head; t; t = t->next_queued)
		queued++;
	*st = (struct rr_loop_stats){
		.enters = loop->enters,
		.sqes = loop->sqes,
		.cqes = loop->cqes,
		.spawned = loop->spawned,
		.finished = loop->finished,
		.running = loop->running,
		.queued = queued,
		.max_running = loop->max_running,
		.features = loop->features,
	};
}

/* Kill what still runs and wait for the kernel to hand back every exit. */
static void kill_and_reap_all(rr_loop *loop)
{
	struct rr_task *t, *next;

	for (t = loop->tasks; t; t = next) {
		next = t->next;
		if (t->state == RR_TASK_RUNNING) {
			t->freed = true;
			rr__proc_signal(t, SIGKILL);
			t->kill_stage = RR_KILL_KILL_SENT;
		} else {
			rr__task_destroy(t);
		}
	}
	loop->queue.head = loop->queue.tail = NULL;
	loop->unstarted = NULL;
	loop->in_callback++; /* nothing may re-enter the loop from here */
	while (loop->unreaped > 0) {
		int r = turn(loop, true);

		if (r < 0 && r != -EINTR)
			break; /* the ring failed: the kernel reaps at our exit */
	}
	loop->in_callback--;
}

/* Idle SSH connections disconnect before the ring goes (bounded wait). */
static void say_goodbye(rr_loop *loop)
{
	for (struct rr_host *h = loop->hosts; h; h = h->next)
		rr__conn_bye(&h->conn);
	loop->in_callback++;
	while (loop->closing) {
		int r = turn(loop, true);

		if (r < 0 && r != -EINTR)
			break;
	}
	loop->in_callback--;
}

void rr_loop_free(rr_loop *loop)
{
	if (!loop)
		return;
	rr__timers_free(loop); /* first: no timer may fire while we wait */
	if (loop->ring_ready) {
		kill_and_reap_all(loop);
		say_goodbye(loop);
		submit_pending(loop);
		io_uring_queue_exit(&loop->ring);
	}
	while (loop->tasks)
		rr__task_destroy(loop->tasks);
	rr__hosts_free(loop); /* after the ring: no op of theirs is in flight */
	rr__bufring_free(loop);
	rr__deadline_free(loop);
	rr__spawn_free(loop);
	if (loop->devnull >= 0)
		close(loop->devnull);
	if (loop->evfd >= 0)
		close(loop->evfd);
	free(loop->drain);
	free(loop);
}
