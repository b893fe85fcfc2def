/*
 * post.c - rr_loop_post: work handed to the loop from any thread.  Posts
 * queue under a mutex; the first into an empty queue writes an eventfd the
 * loop watches on its ring, so a loop asleep in io_uring_enter wakes.  Only
 * the loop's thread touches the ring (SINGLE_ISSUER), so the eventfd and its
 * poll are set up with the loop, on its thread: a first post from another
 * thread has nothing to set up.
 */
#include "core/core.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct rr_posted {
	void (*fn)(void *arg);
	void *arg;
	struct rr_posted *next;
};

struct rr_post {
	struct rr_hook hook;
	rr_loop *loop;
	pthread_mutex_t mu;
	struct rr_posted *head, **tail; /* under mu */
	int efd;
	bool closing; /* rr_loop_free: nothing posted runs any more */
};

static const char owner; /* the post queue's hook key */

static struct rr_post *post_of(const struct rr_hook *h)
{
	return container_of(h, struct rr_post, hook);
}

static bool queued(const struct rr_hook *h)
{
	struct rr_post *p = post_of(h);
	bool any;

	pthread_mutex_lock(&p->mu);
	any = p->head != NULL;
	pthread_mutex_unlock(&p->mu);
	return any;
}

/* Everything queued so far, in order: the queue is empty after. */
static struct rr_posted *take(struct rr_post *p)
{
	struct rr_posted *list;

	pthread_mutex_lock(&p->mu);
	list = p->head;
	p->head = NULL;
	p->tail = &p->head;
	pthread_mutex_unlock(&p->mu);
	return list;
}

/* Later posts find the queue empty and wake the loop again. */
static void run_queue(struct rr_post *p)
{
	struct rr_posted *list;

	if (p->closing)
		return;
	list = take(p);
	while (list) {
		struct rr_posted *e = list;

		list = e->next;
		RR_CALLBACK(p->loop, e->fn(e->arg));
		free(e);
	}
}

/* Posts made on the loop's own thread, or while it was not waiting. */
static void prepare(struct rr_hook *h)
{
	run_queue(post_of(h));
}

static void woken(rr_watch *w, int fd, unsigned revents, void *user)
{
	uint64_t v;

	(void)w;
	(void)revents;
	/* Reset first: a post into the queue emptied below writes again. */
	if (read(fd, &v, sizeof(v)) < 0)
		assert(errno == EAGAIN);
	run_queue(user);
}

/* rr_loop_free: what is still queued is dropped, never called. */
static void shutdown_post(struct rr_hook *h)
{
	struct rr_post *p = post_of(h);
	struct rr_posted *list = take(p);

	p->closing = true;
	while (list) {
		struct rr_posted *e = list;

		list = e->next;
		free(e);
	}
}

static void free_post(struct rr_hook *h)
{
	struct rr_post *p = post_of(h);

	assert(!p->head);
	p->loop->post = NULL;
	close(p->efd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int rr__post_init(rr_loop *loop)
{
	struct rr_post *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = (struct rr_post){
		.hook = { .owner = &owner, .prepare = prepare, .ready = queued,
			  .busy = queued, .shutdown = shutdown_post,
			  .free = free_post },
		.loop = loop,
	};
	p->tail = &p->head;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->efd < 0) {
		free(p);
		return -errno;
	}
	pthread_mutex_init(&p->mu, NULL);
	/* Not counted: a loop with nothing but this does not wait in ONCE. */
	if (!rr__watch_new(loop, p->efd, POLLIN, woken, p, false)) {
		pthread_mutex_destroy(&p->mu);
		close(p->efd);
		free(p);
		return -ENOMEM;
	}
	rr__hook_add(loop, &p->hook);
	loop->post = p;
	rr__submit_pending(loop); /* a new loop has nothing waiting to submit */
	return 0;
}

int rr_loop_post(rr_loop *loop, void (*fn)(void *arg), void *arg)
{
	struct rr_posted *e;
	struct rr_post *p;
	bool was_empty;
	uint64_t one = 1;

	if (!loop || !fn)
		return -EINVAL;
	p = loop->post;
	assert(p);
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct rr_posted){ .fn = fn, .arg = arg };
	pthread_mutex_lock(&p->mu);
	was_empty = !p->head;
	*p->tail = e;
	p->tail = &e->next;
	pthread_mutex_unlock(&p->mu);
	/* An eventfd write only fails when its counter would overflow, and a
	   non-empty queue means an earlier write is still unread. */
	if (was_empty && write(p->efd, &one, sizeof(one)) < 0)
		assert(errno == EAGAIN);
	return 0;
}
