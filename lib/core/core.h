/*
 * core.h - the loop core: one io_uring, the record every submission points
 * to, deadlines, timers, the provided-buffer ring and the hooks through which
 * the rest of the library joins a turn.  The core knows no task kind: local
 * processes and SSH register hooks (libuv's prepare handles) and are driven
 * only through them.  Nothing here is public: rr__ names are linked across
 * lib/ only and the version script exports just the rr_ API.
 */
#ifndef RR_CORE_H
#define RR_CORE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <liburing.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "core/op.h"
#include "ringrun.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * The kernel writes our buffers through the ring, which valgrind cannot see;
 * without telling it, every byte a child wrote looks uninitialised.
 */
#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define RR_KERNEL_WROTE(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#define RR_ON_VALGRIND RUNNING_ON_VALGRIND /* it cannot follow async spawns */
#else
#define RR_KERNEL_WROTE(p, n) ((void)(p), (void)(n))
#define RR_ON_VALGRIND 0
#endif

#define RR_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RR_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Opcodes liburing 2.3 does not name (notes/uring-pidfd-libssh2.md §0). */
#define RR_OP_READ_MULTISHOT 49
#define RR_OP_WAITID 50
#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2) /* linux/pidfd.h, kernel 6.9 */
#endif

#define RR_DRAIN_SIZE (64 * 1024)
#define RR_BGID 0

/* A growable byte buffer. */
struct rr_buf {
	char *data;
	size_t len, size;
};

/* ------------------------------------------------------------- deadline.c */

/* A point in CLOCK_MONOTONIC time at which fire() runs on the loop. */
struct rr_deadline {
	uint64_t at;
	unsigned slot; /* index in the heap + 1; 0 when not queued */
	void (*fire)(struct rr_deadline *d, uint64_t now);
};

/*
 * Every owner of a deadline reserves its place when it is made, so that
 * setting one never allocates: a task that exists can always be timed out.
 */
struct rr_heap {
	struct rr_deadline **v;
	unsigned n, cap;
	unsigned reserved; /* deadlines that may be queued at once */
};

/* --------------------------------------------------------------- bufring.c */

/* The provided-buffer ring that multishot pipe reads pick buffers from. */
struct rr_bufring {
	struct io_uring_buf_ring *br;
	char *mem;
	unsigned count;    /* buffers; a power of two */
	unsigned size;     /* bytes per buffer */
	unsigned returned; /* buffers given back since the last publish */
};

/* ------------------------------------------------------------------ hooks */

/*
 * How a part of the library joins the loop's turn.  Registered on first use
 * (the task core before any kind, processes at the first local task, SSH at
 * the first host), called in that order; every member may be NULL.
 */
struct rr_hook {
	struct rr_hook *next;
	const void *owner;  /* what it is the hook of: rr__hook_find's key */
	/* Before the wait: start what may start, settle what ended. */
	void (*prepare)(struct rr_hook *h);
	/* Something is ready for the next turn: do not wait. */
	bool (*ready)(const struct rr_hook *h);
	/* Something the loop must still wait for (unreaped children, goodbyes). */
	bool (*busy)(const struct rr_hook *h);
	/* Its share of rr_loop_stats. */
	void (*stats)(const struct rr_hook *h, struct rr_loop_stats *st);
	/* rr_loop_free with the ring up: end everything (no callback runs). */
	void (*shutdown)(struct rr_hook *h);
	/* rr_loop_free after the ring is gone: free what is left. */
	void (*free)(struct rr_hook *h);
};

/* ----------------------------------------------------------------- loop.c */

struct rr_loop {
	struct io_uring ring;
	bool ring_ready;
	unsigned features;       /* RR_FEAT_* */
	unsigned flags;          /* RR_LOOP_*, the environment's included */
	unsigned max_running;    /* processes at once, within the fd budget */
	unsigned max_handshakes, connect_rate;
	unsigned max_spawns;     /* processes started per turn at most */
	unsigned skip_cqe;       /* IOSQE_CQE_SKIP_SUCCESS where supported */
	bool trace;              /* RINGRUN_DEBUG=1: state changes to stderr */
	bool nofile_raised;
	struct rlimit nofile_orig;

	/* The task core's share (task.c): every task not yet freed, those the
	   user still owns and has not seen end, and those that ended without
	   running, to be settled on the loop's turn. */
	struct rr_task *tasks;
	unsigned alive;
	struct rr_task *unstarted;
	struct rr_reader *rearm;   /* readers whose multishot read stopped */
	int in_callback;

	struct rr_hook *hooks;
	struct rr_hook core_hook;  /* the task core's */

	struct rr_heap heap;
	struct rr_op timer_op;
	struct __kernel_timespec timer_ts;
	uint64_t timer_at;
	bool timer_armed;

	struct rr_bufring bufs;
	char *drain;             /* scratch for bytes past every use */
	int evfd;
	bool have_wait_mask;
	sigset_t wait_mask;
	void (*on_warning)(rr_loop *loop, const char *msg, void *user);
	void *user;

	uint64_t enters, sqes, cqes, finished;

	/* The user's timers */
	struct rr_timer *timers;
	unsigned timers_armed;

	/* What a host driving the loop is told (rr__loop_wake). */
	bool turning;            /* in rr_loop_run or rr_loop_free: no wakeup */
	bool woken;              /* evfd written since a turn last drained it */
	void (*on_timeout)(rr_loop *loop, int ms, void *user);
	void *timeout_user;
	uint64_t timeout_told;   /* RR_TOLD_*, or the deadline on_timeout got */

	/* The user's fd watches (watch.c) and the queue other threads post to
	   (post.c), set up with the loop. */
	unsigned watching;       /* live watches: RR_RUN_ONCE waits for them */
	struct rr_post *post;
};

/* A callback of the program, under the guard that keeps it from running
   the loop (rr_loop_run() from a callback is -EBUSY). */
#define RR_CALLBACK(loop, call) \
	do {                      \
		(loop)->in_callback++; \
		call;             \
		(loop)->in_callback--; \
	} while (0)

/*
 * Work was added from outside the loop (a submit, a kill, a timer...): make
 * rr_loop_fd readable and tell on_timeout, unless a turn runs (its end looks).
 */
/*
 * An options struct that begins with its size (sized.c): copy the caller's
 * into dst (own bytes, the defaults where the caller's ends; src may be
 * NULL).  ver0 is the size of its first layout, which a size of 0 means.
 * Returns 0, -EINVAL for a size below ver0, -E2BIG for a non-zero field we
 * do not know.
 */
int rr__sized_copy(void *dst, size_t own, size_t ver0, const void *src);
/* The other way, for a struct we fill (rr_loop_stats): as much of full as
   the caller's dst has room for, its size set to what was written. */
void rr__sized_fill(void *dst, size_t ver0, const void *full, size_t own);
/* The size of a first layout: through its last member. */
#define RR__SIZE_THROUGH(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

void rr__loop_wake(rr_loop *loop);

void rr__hook_add(rr_loop *loop, struct rr_hook *h);
/* The hook owner added, or NULL: how a part finds its state in a loop. */
struct rr_hook *rr__hook_find(const rr_loop *loop, const void *owner);
/* The same, made by make() and added on first use (NULL with errno set when
   make() fails): a part's state comes to a loop when the loop first needs
   it. */
struct rr_hook *rr__hook_get(rr_loop *loop, const void *owner,
			     struct rr_hook *(*make)(rr_loop *loop));
void rr__warn(rr_loop *loop, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A state change of one of the library's machines, traced to stderr with
 * RINGRUN_DEBUG=1 as "function:line what name: old -> new".
 */
void rr__trace(const rr_loop *loop, const char *fn, int line, const char *what,
	       const char *name, const char *from, const char *to);

/* ring.c */
struct io_uring_sqe *rr__sqe(rr_loop *loop, struct rr_op *op);
void rr__close(rr_loop *loop, int fd);
void rr__cancel(rr_loop *loop, struct rr_op *op);
void rr__submit_pending(rr_loop *loop);
uint64_t rr__now(void);

/* probe.c */
int rr__ring_setup(rr_loop *loop, unsigned flags);

/* bufring.c */
int rr__bufring_init(rr_loop *loop);
void rr__bufring_free(rr_loop *loop);
char *rr__bufring_data(rr_loop *loop, unsigned bid);
void rr__bufring_recycle(rr_loop *loop, unsigned bid);
void rr__bufring_publish(rr_loop *loop);

/* deadline.c */
int rr__deadline_reserve(rr_loop *loop, unsigned n);
void rr__deadline_unreserve(rr_loop *loop, unsigned n);
void rr__deadline_set(rr_loop *loop, struct rr_deadline *d, uint64_t at);
void rr__deadline_clear(rr_loop *loop, struct rr_deadline *d);
void rr__deadline_arm(rr_loop *loop);
void rr__deadline_expire(rr_loop *loop);
int rr__deadline_ms(const rr_loop *loop);
void rr__deadline_free(rr_loop *loop);

/* timer.c */
void rr__timers_free(rr_loop *loop);

/* watch.c; an uncounted watch does not make RR_RUN_ONCE wait. */
rr_watch *rr__watch_new(rr_loop *loop, int fd, unsigned events,
			rr_watch_cb *cb, void *user, bool counted);

/* post.c */
int rr__post_init(rr_loop *loop);

#endif
