/*
 * watch.c - rr_watch: a callback each time an fd of the program is ready,
 * from one POLL_ADD on the ring: multishot, re-armed whenever the kernel ends
 * it (CQ overflow), or one-shot and re-armed after every completion with
 * RR_LOOP_NO_MULTISHOT.  A freed watch lives on, silent, until the ring gives
 * back its poll: the op is the poll's user_data.
 */
#include "core/core.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

struct rr_watch {
	rr_loop *loop;
	struct rr_op op;
	int fd;
	unsigned events;
	rr_watch_cb *cb;
	void *user;
	bool counted; /* in loop->watching: RR_RUN_ONCE waits for it */
	bool armed;   /* a poll of ours is in the ring */
	bool dead;    /* freed by the program, or the loop shuts down */
	bool in_cb;
	struct rr_watch *prev, *next;
};

/* The loop's watches, freed with it (once the ring is gone). */
struct rr_watches {
	struct rr_hook hook;
	struct rr_watch *list;
};

static const char owner; /* the watches' hook key */

static void arm(struct rr_watch *w)
{
	struct io_uring_sqe *sqe = rr__sqe(w->loop, &w->op);

	if (w->loop->flags & RR_LOOP_NO_MULTISHOT)
		io_uring_prep_poll_add(sqe, w->fd, w->events);
	else
		io_uring_prep_poll_multishot(sqe, w->fd, w->events);
	w->armed = true;
}

static void unlink_free(struct rr_watch *w)
{
	struct rr_watches *ws = container_of(rr__hook_find(w->loop, &owner),
					     struct rr_watches, hook);

	assert(w->dead && !w->armed && !w->in_cb);
	if (w->prev)
		w->prev->next = w->next;
	else
		ws->list = w->next;
	if (w->next)
		w->next->prev = w->prev;
	free(w);
}

/* It will not be called again: RR_RUN_ONCE no longer waits for it. */
static void uncount(struct rr_watch *w)
{
	if (!w->counted)
		return;
	assert(w->loop->watching > 0);
	w->loop->watching--;
	w->counted = false;
}

static void complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_watch *w = container_of(op, struct rr_watch, op);
	unsigned revents;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		w->armed = false;
	if (w->dead) {
		if (!w->armed)
			unlink_free(w);
		return;
	}
	if (cqe->res < 0) {
		/* A closed fd or one that cannot be polled: said once. */
		revents = cqe->res == -EBADF ? POLLNVAL : POLLERR;
		uncount(w);
	} else {
		revents = (unsigned)cqe->res;
	}
	w->in_cb = true;
	RR_CALLBACK(w->loop, w->cb(w, w->fd, revents, w->user));
	w->in_cb = false;
	if (w->dead) {
		if (!w->armed)
			unlink_free(w);
		return;
	}
	if (!w->armed && cqe->res >= 0)
		arm(w);
}

static void shutdown_watches(struct rr_hook *h)
{
	struct rr_watches *ws = container_of(h, struct rr_watches, hook);

	/* No callback runs from here on; the ring's exit ends the polls. */
	for (struct rr_watch *w = ws->list; w; w = w->next) {
		uncount(w);
		w->dead = true;
	}
}

static void free_watches(struct rr_hook *h)
{
	struct rr_watches *ws = container_of(h, struct rr_watches, hook);

	while (ws->list) {
		struct rr_watch *w = ws->list;

		ws->list = w->next;
		free(w);
	}
	free(ws);
}

static struct rr_hook *watches_make(rr_loop *loop)
{
	struct rr_watches *ws = calloc(1, sizeof(*ws));

	(void)loop;
	if (!ws)
		return NULL;
	ws->hook = (struct rr_hook){
		.owner = &owner, .shutdown = shutdown_watches, .free = free_watches,
	};
	return &ws->hook;
}

static struct rr_watches *watches(rr_loop *loop)
{
	struct rr_hook *h = rr__hook_get(loop, &owner, watches_make);

	return h ? container_of(h, struct rr_watches, hook) : NULL;
}

struct rr_watch *rr__watch_new(rr_loop *loop, int fd, unsigned events,
			       rr_watch_cb *cb, void *user, bool counted)
{
	struct rr_watches *ws;
	struct rr_watch *w;

	if (!loop || fd < 0 || !cb || !events ||
	    (events & ~(unsigned)(POLLIN | POLLOUT | POLLPRI))) {
		errno = EINVAL;
		return NULL;
	}
	ws = watches(loop);
	w = ws ? calloc(1, sizeof(*w)) : NULL;
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	*w = (struct rr_watch){
		.loop = loop, .op.complete = complete, .fd = fd, .events = events,
		.cb = cb, .user = user, .counted = counted, .next = ws->list,
	};
	if (ws->list)
		ws->list->prev = w;
	ws->list = w;
	if (counted)
		loop->watching++;
	arm(w);
	return w;
}

rr_watch *rr_watch_fd(rr_loop *loop, int fd, unsigned events, rr_watch_cb *cb,
		      void *user)
{
	return rr__watch_new(loop, fd, events, cb, user, true);
}

void rr_watch_free(rr_watch *w)
{
	if (!w)
		return;
	assert(!w->dead);
	uncount(w);
	w->dead = true;
	if (w->armed)
		rr__cancel(w->loop, &w->op); /* its last completion frees it */
	else if (!w->in_cb)
		unlink_free(w);
}
