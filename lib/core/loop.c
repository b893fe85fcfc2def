/*
 * loop.c - the loop: one io_uring, one thread.  A turn lets every hook
 * prepare (start what may start, settle what ended), arms the nearest
 * deadline, submits everything prepared in one io_uring_enter (waiting in
 * the same call), dispatches every completion and fires expired deadlines.
 * The loop knows no task kind: each joins the turn through its hook.
 */
#include "core/core.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define RR_MAX_RUNNING_CAP 32768
#define RR_FDS_RESERVED 32 /* the program's own, the ring's, ours */
#define RR_FDS_PER_TASK 6  /* 3-4 held while running, more while spawning */
#define RR_WAIT_SLICE_S 60 /* longest single wait when a signal may end it */
/* A spawn costs 30-300 us on a small loaded machine: 16 keep a turn's
   batch near 5 ms, so reaping and callbacks interleave with a long fill. */
#define RR_SPAWNS_PER_TURN 16
/* loop->timeout_told besides a deadline: work is ready now, or nothing is. */
/* The first layouts (ringrun.h, ABI): fixed for good. */
#define LOOP_OPTS_VER0 RR__SIZE_THROUGH(struct rr_loop_opts, max_spawns_per_turn)
#define STATS_VER0 RR__SIZE_THROUGH(struct rr_loop_stats, features)

#define RR_TOLD_NOW 0
#define RR_TOLD_NONE UINT64_MAX

/* One line for the program's on_warning, if it has one. */
void rr__warn(rr_loop *loop, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!loop->on_warning)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	RR_CALLBACK(loop, loop->on_warning(loop, msg, loop->user));
}

void rr__trace(const rr_loop *loop, const char *fn, int line, const char *what,
	       const char *name, const char *from, const char *to)
{
	if (loop->trace)
		fprintf(stderr, "ringrun: %s:%d %s %s: %s -> %s\n", fn, line, what,
			name, from, to);
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/*
 * Raise the soft fd limit to the hard one (children get the old one back);
 * the soft limit in force after, RLIM_INFINITY when it cannot be read.
 */
static rlim_t raise_nofile(rr_loop *loop)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return RLIM_INFINITY;
	if (rl.rlim_cur < rl.rlim_max) {
		loop->nofile_orig = rl;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			loop->nofile_raised = true;
		else
			rl.rlim_cur = loop->nofile_orig.rlim_cur;
	}
	return rl.rlim_cur;
}

/*
 * Processes a limit of nofile fds leaves room for; more would fail to start
 * with EMFILE.  A spawn that still meets EMFILE waits for one to end (proc/).
 */
static unsigned fd_budget(rlim_t nofile)
{
	rlim_t n;

	if (nofile == RLIM_INFINITY)
		return RR_MAX_RUNNING_CAP;
	n = nofile > RR_FDS_RESERVED ? (nofile - RR_FDS_RESERVED) / RR_FDS_PER_TASK : 1;
	return (unsigned)RR_MAX(RR_MIN(n, (rlim_t)RR_MAX_RUNNING_CAP), 1);
}

struct rr_hook *rr__hook_find(const rr_loop *loop, const void *owner)
{
	for (struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->owner == owner)
			return h;
	return NULL;
}

void rr__hook_add(rr_loop *loop, struct rr_hook *h)
{
	struct rr_hook **pp = &loop->hooks;

	assert(h->owner && !rr__hook_find(loop, h->owner));
	while (*pp)
		pp = &(*pp)->next;
	h->next = NULL;
	*pp = h;
}

struct rr_hook *rr__hook_get(rr_loop *loop, const void *owner,
			     struct rr_hook *(*make)(rr_loop *loop))
{
	struct rr_hook *h = rr__hook_find(loop, owner);

	if (h)
		return h;
	h = make(loop);
	if (h) {
		assert(h->owner == owner);
		rr__hook_add(loop, h);
	}
	return h;
}

static unsigned env_flags(unsigned flags)
{
	if (env_set("RINGRUN_NO_WAITID"))
		flags |= RR_LOOP_NO_WAITID;
	if (env_set("RINGRUN_NO_MULTISHOT"))
		flags |= RR_LOOP_NO_MULTISHOT;
	if (env_set("RINGRUN_SPAWN_VFORK"))
		flags |= RR_LOOP_SPAWN_VFORK;
	return flags;
}

rr_loop *rr_loop_new(const struct rr_loop_opts *opts)
{
	struct rr_loop_opts o;
	struct sigaction sa;
	rr_loop *loop;
	unsigned budget;
	int r;

	r = rr__sized_copy(&o, sizeof o, LOOP_OPTS_VER0, opts);
	if (r < 0) {
		errno = -r;
		return NULL;
	}

	/* An ignored SIGCHLD makes the kernel reap our children for us. */
	if (sigaction(SIGCHLD, NULL, &sa) == 0 &&
	    (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT))) {
		errno = ECHILD;
		return NULL;
	}
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->evfd = -1;
	loop->timeout_told = RR_TOLD_NONE;
	loop->trace = env_set("RINGRUN_DEBUG");
	budget = fd_budget(raise_nofile(loop));
	loop->max_running = o.max_running ? RR_MIN(o.max_running, budget) : budget;
	loop->flags = env_flags(o.flags);
	loop->max_handshakes = o.max_handshakes ? o.max_handshakes : 6;
	loop->connect_rate = o.connect_rate;
	loop->max_spawns = o.max_spawns_per_turn ? o.max_spawns_per_turn : RR_SPAWNS_PER_TURN;
	loop->on_warning = o.on_warning;
	loop->user = o.user;
	if (o.wait_sigmask) {
		loop->wait_mask = *o.wait_sigmask;
		loop->have_wait_mask = true;
	}
	r = rr__ring_setup(loop, loop->flags);
	if (r < 0)
		goto fail;
	r = rr__post_init(loop);
	if (r < 0)
		goto fail;
	loop->drain = malloc(RR_DRAIN_SIZE);
	if (!loop->drain) {
		r = -ENOMEM;
		goto fail;
	}
	return loop;
fail:
	rr_loop_free(loop);
	errno = -r;
	return NULL;
}

static bool hooks_ready(const rr_loop *loop)
{
	for (const struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->ready && h->ready(h))
			return true;
	return false;
}

static bool hooks_busy(const rr_loop *loop)
{
	for (const struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->busy && h->busy(h))
			return true;
	return false;
}

/* Nothing left to wait for: no task, no process, no armed timer. */
static bool idle(const rr_loop *loop, bool count_timers)
{
	return loop->alive == 0 && !hooks_busy(loop) &&
	       (!count_timers || loop->timers_armed == 0);
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
	loop->woken = false;
	if (loop->evfd >= 0 && read(loop->evfd, &v, sizeof(v)) < 0)
		return;
}

/* What rr_loop_timeout_ms() says, as a point in time that does not move. */
static uint64_t timeout_state(const rr_loop *loop)
{
	if (hooks_ready(loop) || io_uring_sq_ready(&loop->ring))
		return RR_TOLD_NOW;
	return loop->heap.n ? loop->heap.v[0]->at : RR_TOLD_NONE;
}

/* on_timeout hears of every change, not of time passing. */
static void tell_timeout(rr_loop *loop)
{
	uint64_t state;

	if (!loop->on_timeout)
		return;
	state = timeout_state(loop);
	if (state == loop->timeout_told)
		return;
	loop->timeout_told = state;
	RR_CALLBACK(loop, loop->on_timeout(loop, rr_loop_timeout_ms(loop),
					   loop->timeout_user));
}

void rr__loop_wake(rr_loop *loop)
{
	uint64_t one = 1;

	if (loop->turning)
		return;
	/* Once until a turn drains it: the host polls for readable, not a count. */
	if (loop->evfd >= 0 && !loop->woken && write(loop->evfd, &one, sizeof(one)) > 0)
		loop->woken = true;
	tell_timeout(loop);
}

/* once: RR_RUN_ONCE, which waits for a watched fd too (DEFAULT does not). */
static int turn(rr_loop *loop, bool may_wait, bool once)
{
	bool wait;
	int r;

	for (struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->prepare)
			h->prepare(h);
	rr__deadline_arm(loop);
	drain_eventfd(loop);
	wait = may_wait && !hooks_ready(loop) &&
	       (!idle(loop, true) || (once && loop->watching));
	r = enter(loop, wait);
	reap(loop);
	rr__deadline_expire(loop);
	if (r == -EINTR)
		return loop->have_wait_mask ? -EINTR : 0;
	if (r < 0 && r != -ETIME && r != -EAGAIN && r != -EBUSY)
		return r;
	return 0;
}

static int run(rr_loop *loop, enum rr_run_mode mode)
{
	for (;;) {
		int r = turn(loop, mode != RR_RUN_NOWAIT, mode == RR_RUN_ONCE);

		if (r < 0)
			return r;
		if (idle(loop, mode == RR_RUN_DEFAULT)) {
			rr__submit_pending(loop); /* the last closes: leave no fd open */
			return 0;
		}
		if (mode != RR_RUN_DEFAULT)
			return (int)loop->alive;
	}
}

int rr_loop_run(rr_loop *loop, enum rr_run_mode mode)
{
	int r;

	if (!loop || (unsigned)mode > RR_RUN_NOWAIT)
		return -EINVAL;
	if (loop->in_callback)
		return -EBUSY;
	assert(!loop->turning);
	loop->turning = true;
	r = run(loop, mode);
	loop->turning = false;
	tell_timeout(loop);
	return r;
}

int rr_loop_fd(rr_loop *loop)
{
	int fd, r;

	if (!loop)
		return -EINVAL;
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
	if (!loop)
		return -EINVAL;
	if (hooks_ready(loop) || io_uring_sq_ready(&loop->ring))
		return 0;
	return rr__deadline_ms(loop);
}

void rr_loop_on_timeout(rr_loop *loop, void (*cb)(rr_loop *loop, int ms, void *user),
			void *user)
{
	if (!loop)
		return;
	loop->on_timeout = cb;
	loop->timeout_user = user;
	loop->timeout_told = RR_TOLD_NONE; /* a new cb knows nothing: tell it now */
	if (!loop->turning)
		tell_timeout(loop);
}

unsigned rr_version(void)
{
	return RR_VERSION_NUM;
}

/* Every counter, as the struct of this library has them. */
static void count(const rr_loop *loop, struct rr_loop_stats *st)
{
	st->enters = loop->enters;
	st->sqes = loop->sqes;
	st->cqes = loop->cqes;
	st->finished = loop->finished;
	st->max_running = loop->max_running;
	st->features = loop->features;
	for (const struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->stats)
			h->stats(h, st);
}

void rr_loop_stats(const rr_loop *loop, struct rr_loop_stats *stats)
{
	struct rr_loop_stats full = { 0 }, *st = &full;

	if (!stats)
		return;
	if (loop)
		count(loop, st);
	rr__sized_fill(stats, STATS_VER0, st, sizeof *st);
}

/*
 * Every hook ends what it runs - the task core kills every task, processes
 * wait to be reaped, idle connections say goodbye - and the loop turns until
 * none is busy.  Nothing may re-enter the loop meanwhile.
 */
static void shut_down(rr_loop *loop)
{
	loop->in_callback++;
	for (struct rr_hook *h = loop->hooks; h; h = h->next)
		if (h->shutdown)
			h->shutdown(h);
	while (hooks_busy(loop)) {
		int r = turn(loop, true, false);

		if (r < 0 && r != -EINTR)
			break; /* the ring failed: the kernel reaps at our exit */
	}
	loop->in_callback--;
}

void rr_loop_free(rr_loop *loop)
{
	if (!loop)
		return;
	loop->turning = true; /* what it frees wakes nobody */
	rr__timers_free(loop); /* first: no timer may fire while we wait */
	if (loop->ring_ready) {
		shut_down(loop);
		rr__submit_pending(loop);
		io_uring_queue_exit(&loop->ring);
		loop->ring_ready = false;
	}
	/* After the ring: no op of theirs is in flight any more. */
	for (struct rr_hook *h = loop->hooks, *next; h; h = next) {
		next = h->next; /* free() may free the hook */
		if (h->free)
			h->free(h);
	}
	rr__bufring_free(loop);
	rr__deadline_free(loop);
	if (loop->evfd >= 0)
		close(loop->evfd);
	free(loop->drain);
	free(loop);
}
