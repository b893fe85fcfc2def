/*
 * group.c - tasks waited for, looked at and signalled together.  A group
 * counts its tasks and keeps those that failed in the order they ended;
 * the task core tells it when a task joins, ends and leaves through the
 * table at the head of the group (struct rr_group_link), so that it never
 * calls this file.  A loop's groups hang off one hook, which frees those
 * left when the loop goes.
 */
#include "task.h"

#include <errno.h>
#include <stdlib.h>

struct rr_group {
	struct rr_group_link link; /* first: what opts.group points the core to */
	struct rr_groups *all;
	rr_group *prev, *next;     /* the loop's groups */
	size_t size, running;      /* its tasks, those not ended */
	size_t nfailed;
	struct rr_task *failed, *failed_tail; /* in the order they ended */
	bool waiting;              /* rr_group_wait() runs on it */
	bool freed;                /* rr_group_free() came while it waited */
};

/* The loop's groups, found by the hook's owner. */
struct rr_groups {
	struct rr_hook hook;
	rr_group *head;
};

static const char groups_owner;

static rr_group *group_of(const struct rr_task *t)
{
	return container_of(t->group, rr_group, link);
}

static bool ok(const struct rr_task *t)
{
	return t->result.status == RR_OK;
}

/* ----------------------------------------------- what the core tells */

static void joined(struct rr_task *t)
{
	rr_group *g = group_of(t);

	g->size++;
	g->running++;
}

static void ended(struct rr_task *t)
{
	rr_group *g = group_of(t);

	assert(g->running > 0 && t->state == RR_TASK_DONE);
	g->running--;
	if (ok(t))
		return;
	t->group_prev = g->failed_tail;
	t->group_next = NULL;
	if (g->failed_tail)
		g->failed_tail->group_next = t;
	else
		g->failed = t;
	g->failed_tail = t;
	g->nfailed++;
}

static void left(struct rr_task *t)
{
	rr_group *g = group_of(t);

	assert(g->size > 0);
	g->size--;
	if (t->state != RR_TASK_DONE) {
		assert(g->running > 0);
		g->running--;
	} else if (!ok(t)) {
		if (t->group_prev)
			t->group_prev->group_next = t->group_next;
		else
			g->failed = t->group_next;
		if (t->group_next)
			t->group_next->group_prev = t->group_prev;
		else
			g->failed_tail = t->group_prev;
		g->nfailed--;
	}
	t->group = NULL;
	t->group_prev = t->group_next = NULL;
}

/* ------------------------------------------------------ the loop's hook */

static void unlink_group(rr_group *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		g->all->head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	g->prev = g->next = NULL;
}

/* rr_loop_free: the task core's hook went first, so no task points here. */
static void groups_free(struct rr_hook *h)
{
	struct rr_groups *all = container_of(h, struct rr_groups, hook);

	while (all->head) {
		rr_group *g = all->head;

		assert(!g->size);
		unlink_group(g);
		free(g);
	}
	free(all);
}

static struct rr_hook *groups_make(rr_loop *loop)
{
	struct rr_groups *all = calloc(1, sizeof(*all));

	if (!all)
		return NULL;
	all->hook = (struct rr_hook){ .owner = &groups_owner, .free = groups_free };
	rr__task_core_join(loop); /* its hook first: tasks leave before groups go */
	return &all->hook;
}

static struct rr_groups *groups_of(rr_loop *loop)
{
	struct rr_hook *h = rr__hook_get(loop, &groups_owner, groups_make);

	return h ? container_of(h, struct rr_groups, hook) : NULL;
}

/* ---------------------------------------------------------- public API */

rr_group *rr_group_new(rr_loop *loop)
{
	struct rr_groups *all;
	rr_group *g;

	if (!loop) {
		errno = EINVAL;
		return NULL;
	}
	all = groups_of(loop);
	g = all ? calloc(1, sizeof(*g)) : NULL;
	if (!g) {
		errno = ENOMEM;
		return NULL;
	}
	g->link = (struct rr_group_link){
		.loop = loop, .join = joined, .ended = ended, .leave = left,
	};
	g->all = all;
	g->next = all->head;
	if (all->head)
		all->head->prev = g;
	all->head = g;
	return g;
}

int rr_group_wait(rr_group *g)
{
	int r = 0;

	if (!g)
		return -EINVAL;
	if (g->link.loop->in_callback)
		return -EBUSY;
	g->waiting = true;
	while (g->running && !g->freed && r >= 0)
		r = rr_loop_run(g->link.loop, RR_RUN_ONCE);
	g->waiting = false;
	if (g->freed)
		free(g);
	return r < 0 ? r : 0;
}

size_t rr_group_failed(rr_group *g, rr_task **out, size_t max)
{
	size_t n = 0;

	if (!g)
		return 0;
	for (struct rr_task *t = g->failed; t && n < max; t = t->group_next)
		out[n++] = t;
	return g->nfailed;
}

int rr_group_signal(rr_group *g, int sig, unsigned flags)
{
	struct rr_task *t, *next;
	int first = 0;

	if (!g || sig < 0 || sig >= NSIG || (flags & ~(unsigned)RR_SIG_LEADER))
		return -EINVAL;
	for (t = g->link.loop->tasks; t; t = next) {
		int r;

		next = t->next;
		if (t->group != &g->link || t->state != RR_TASK_RUNNING)
			continue;
		r = rr_task_signal(t, sig, flags);
		if (r < 0 && r != -ESRCH && r != -EAGAIN && !first)
			first = r;
	}
	return first;
}

size_t rr_group_size(const rr_group *g)
{
	return g ? g->size : 0;
}

size_t rr_group_running(const rr_group *g)
{
	return g ? g->running : 0;
}

void rr_group_free(rr_group *g)
{
	if (!g)
		return;
	for (struct rr_task *t = g->link.loop->tasks; t; t = t->next) {
		if (t->group == &g->link) {
			t->group = NULL;
			t->group_prev = t->group_next = NULL;
		}
	}
	unlink_group(g);
	if (g->waiting) {
		/* rr_group_wait() frees it when it returns. */
		g->freed = true;
		g->running = 0;
		return;
	}
	free(g);
}
