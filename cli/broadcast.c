/*
 * --stdin: ringrun's stdin to every task as it arrives, as clush
 * broadcasts it.  A chunk read is written to each task's stdin at once
 * (RR_F_STDIN_PIPE); its end closes each task's stdin.  Memory stays
 * bounded: a task holding more than STDIN_HIGH bytes it has not taken
 * yet clogs the broadcast, and nothing more is read until its on_drain
 * says it took them all (or its reader is gone).  While tasks are still
 * to start (more than -j, hosts waiting for a slot, inputs still read,
 * --retries) everything read is kept, so that each starts with what came
 * before it; once the last one has started nothing is kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

/* One read, at most. */
#define STDIN_CHUNK (64 * 1024)

/* Bytes a task may hold, not taken yet, before reading waits for it. */
#define STDIN_HIGH (256 * 1024)

void broadcast_init(struct runner *r)
{
	r->bc = (struct broadcast){
		.on = r->o->stdin_all || r->interactive,
		.fd = 0,
		.kept = BUF_INIT,
	};
}

int broadcast_fd(const struct runner *r)
{
	if (!r->bc.on || r->bc.fd < 0 || r->bc.clogged || r->stopping)
		return -1;
	return r->bc.fd;
}

/* May a task start later, and need what is read now? */
static bool more_to_start(const struct runner *r)
{
	if (r->o->retries || intake_reading(r))
		return true;
	if (r->o->fleet)
		return r->hosts->more || r->made < r->total * r->hosts->n;
	return r->next < r->ntasks;
}

static void mark_clogged(struct runner *r, struct job *j)
{
	if (j->clogged || rr_task_stdin_pending(j->task) <= STDIN_HIGH)
		return;
	j->clogged = true;
	r->bc.clogged++;
}

static void unmark_clogged(struct runner *r, struct job *j)
{
	if (!j->clogged)
		return;
	j->clogged = false;
	r->bc.clogged--;
}

struct chunk {
	const char *data;
	size_t len; /* 0: the end */
};

static void give(struct runner *r, struct job *j, void *arg)
{
	const struct chunk *c = arg;

	if (!j->task)
		return;
	if (!c->len) {
		rr_task_close_stdin(j->task);
	} else if (rr_task_write(j->task, c->data, c->len) == 0) {
		j->info.sent += c->len;
		mark_clogged(r, j);
	}
}

void broadcast_fill(struct runner *r)
{
	static char data[STDIN_CHUNK];
	ssize_t n = read(r->bc.fd, data, sizeof data);
	struct chunk c = { data, n > 0 ? (size_t)n : 0 };

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0)
		output_note(&r->out, "--stdin: read: %s", strerror(errno));
	if (n <= 0)
		r->bc.fd = -1;
	if (!more_to_start(r))
		buf_free(&r->bc.kept);
	else if (n > 0)
		buf_add(&r->bc.kept, data, (size_t)n);
	run_each_job(r, give, &c);
}

static void drained(rr_task *task, void *user)
{
	struct job *j = user;

	(void)task;
	unmark_clogged(j->r, j);
}

void broadcast_opts(struct runner *r, struct rr_opts *opts)
{
	if (!r->bc.on)
		return;
	opts->flags |= RR_F_STDIN_PIPE;
	opts->stdin_data = r->bc.kept.data;
	opts->stdin_len = r->bc.kept.len;
	opts->on_drain = drained;
}

void broadcast_started(struct runner *r, struct job *j)
{
	if (!r->bc.on)
		return;
	j->info.sent = r->bc.kept.len;
	if (r->bc.fd < 0)
		rr_task_close_stdin(j->task);
	mark_clogged(r, j);
	if (!more_to_start(r)) /* the last one has its copy */
		buf_free(&r->bc.kept);
}

void broadcast_ended(struct runner *r, struct job *j)
{
	unmark_clogged(r, j);
}

void broadcast_free(struct runner *r)
{
	buf_free(&r->bc.kept);
}
