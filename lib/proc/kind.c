/*
 * kind.c - the local-process kind: rr_shell() and rr_exec(), the FIFO of
 * processes waiting for a slot, their start (pipes, a socketpair for stdin,
 * or a pty; the spawn; on_start) and the loop hook that starts them, at
 * most max_running at once and never more than the fd limit lets start: a
 * start that meets EMFILE waits, at the head of the queue, for a running
 * one to end.
 */
#include "proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

extern const struct rr_kind rr__kind_process;

/* ---------------------------------------------------------------- start */

static int pipe_for(enum rr_io mode, int p[2])
{
	if (mode != RR_IO_CAPTURE && mode != RR_IO_CALLBACK)
		return 0;
	return pipe2(p, O_CLOEXEC) < 0 ? -errno : 0;
}

/* What the child gets for a stream we do not read: /dev/null or the host's. */
static int fixed_fd(const struct rr_procs *ps, enum rr_io mode)
{
	return mode == RR_IO_DISCARD ? ps->devnull : -1;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

/* A start failed for want of fds or processes: others ending would help. */
static bool worth_waiting(const struct rr_procs *ps, int err)
{
	return (err == -EMFILE || err == -ENFILE || err == -EAGAIN) && ps->running > 0;
}

/* What the child gets on fds 0-2: our pipes' ends, /dev/null or the host's. */
static void child_fds(const struct rr_task *t, const struct rr_procs *ps,
		      const int outp[2], const int errp[2], const int inp[2], int fds[3])
{
	const struct rr_opts *o = &t->opts;

	fds[0] = inp[1] >= 0 ? inp[1] : (o->flags & RR_F_STDIN_INHERIT ? -1 : ps->devnull);
	fds[1] = outp[1] >= 0 ? outp[1] : fixed_fd(ps, o->stdout_mode);
	if (errp[1] >= 0)
		fds[2] = errp[1];
	else if (o->stderr_mode == RR_IO_MERGE) /* 2>&1 wherever 1 goes */
		fds[2] = fds[1] >= 0 ? fds[1] : 1;
	else
		fds[2] = fixed_fd(ps, o->stderr_mode);
}

/* Pipes for the streams read, a socketpair for stdin bytes. */
static int pipes_for(const struct rr_task *t, int outp[2], int errp[2], int inp[2])
{
	const struct rr_opts *o = &t->opts;
	int r = pipe_for(o->stdout_mode, outp);

	if (r == 0)
		r = pipe_for(o->stderr_mode, errp);
	if (r == 0 && rr__stdin_wanted(t) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, inp) < 0)
		r = -errno;
	return r;
}

/*
 * A terminal: the master is read as stdout and, dup'd, fed as stdin (each
 * end closes on its own); the child gets the slave as fds 0-2.
 */
static int pty_for(const struct rr_task *t, int outp[2], int inp[2], int fds[3])
{
	int r = rr__pty_open(t, &outp[0], &outp[1]);

	if (r < 0)
		return r;
	inp[0] = fcntl(outp[0], F_DUPFD_CLOEXEC, 0);
	if (inp[0] < 0)
		return -errno;
	fds[0] = fds[1] = fds[2] = outp[1];
	return 0;
}

/*
 * Pipes for the streams read, a socketpair for stdin bytes (or a pty for
 * both), then the child.  A failure leaves none of them open.
 */
static int spawn_task(struct rr_task *t, int outp[2], int errp[2], int inp[2])
{
	struct rr_proc *p = rr__proc(t);
	struct rr_procs *ps = p->procs;
	const struct rr_opts *o = &t->opts;
	struct rr_spawn sp = { .argv = t->argv, .env = t->env, .cwd = o->cwd,
			       .err = &p->spawn_errno, .path = "/bin/sh",
			       .wait_exec = o->on_start != NULL };
	int r = t->is_exec ? rr__resolve(&ps->paths, t->argv[0], &sp.path) : 0;

	if (r == 0 && (o->flags & RR_F_PTY)) {
		sp.pty = true;
		sp.term = t->pty.term;
		r = pty_for(t, outp, inp, sp.fds);
	} else if (r == 0) {
		r = pipes_for(t, outp, errp, inp);
		child_fds(t, ps, outp, errp, inp, sp.fds);
	}
	if (r == 0)
		r = rr__spawn(ps, &sp, &p->pid, &p->pidfd);
	if (r < 0) {
		close_pair(outp);
		close_pair(errp);
		close_pair(inp);
	}
	return r;
}

void rr__proc_spawn_failed(struct rr_task *t, int err)
{
	char name[128];

	rr__proc(t)->spawn_errno = err;
	rr__task_end(t, RR_SPAWN_FAILED, "spawn %s: %s",
		     rr__quoted_name(t->is_exec ? t->argv[0] : t->title, name, sizeof(name)),
		     rr_strerror(err));
}

/*
 * true: it runs, and on_start may tell it.  A task with on_start waits for
 * its child's execve, so that one that fails there is never told started.
 */
static bool start_one(struct rr_task *t)
{
	struct rr_proc *p = rr__proc(t);
	struct rr_procs *ps = p->procs;
	rr_loop *loop = t->loop;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	uint64_t since = rr__now();
	int r = spawn_task(t, outp, errp, inp);

	if ((r == -EMFILE || r == -ENFILE) && io_uring_sq_ready(&loop->ring)) {
		/* Closes of fds that ended are still in the submission queue. */
		rr__submit_pending(loop);
		r = spawn_task(t, outp, errp, inp);
	}
	if (r < 0 && worth_waiting(ps, r)) {
		ps->fd_wait = true;
		rr__queue_push_front(&ps->queue, t);
		return false;
	}
	if (r < 0) {
		rr__proc_spawn_failed(t, -r);
		return false;
	}
	/* Our copies of the child's ends go through the ring, in this batch. */
	if (outp[1] >= 0)
		rr__close(loop, outp[1]);
	if (errp[1] >= 0)
		rr__close(loop, errp[1]);
	if (inp[1] >= 0)
		rr__close(loop, inp[1]);
	ps->running++;
	ps->unreaped++;
	rr__task_begin(t, p->pid, since);
	rr__proc_wait(t);
	t->out.oneshot = t->opts.flags & RR_F_PTY;
	if (outp[0] >= 0)
		rr__reader_start(&t->out, outp[0]);
	if (errp[0] >= 0)
		rr__reader_start(&t->err, errp[0]);
	if (inp[0] >= 0)
		rr__feed_start(t, inp[0], t->opts.flags & RR_F_PTY);
	return !t->opts.on_start || !p->spawn_errno;
}

static bool may_start(const struct rr_procs *ps)
{
	return ps->queue.head && ps->running < ps->loop->max_running && !ps->fd_wait;
}

/*
 * The hook's prepare: one signal-mask block/restore pair for the batch of
 * at most max_spawns (what is left makes the hook ready: the next turn
 * comes at once, after this one's completions).  on_start runs after it,
 * with the host's mask back, and before any completion of the turn can
 * hand out output.  The started tasks wait in a list of their own
 * meanwhile (next_queued: they are on no queue).
 */
static void start_queued(struct rr_hook *h)
{
	struct rr_procs *ps = container_of(h, struct rr_procs, hook);
	struct rr_queue started = { 0 };
	struct rr_task *t;
	unsigned budget = ps->loop->max_spawns;

	if (!may_start(ps))
		return;
	assert(budget > 0);
	rr__spawn_batch_begin(ps);
	while (budget-- > 0 && may_start(ps)) {
		t = rr__queue_pop(&ps->queue);
		if (start_one(t))
			rr__queue_push(&started, t);
	}
	rr__spawn_batch_end(ps);
	while ((t = rr__queue_pop(&started)))
		rr__task_started(t, rr__proc(t)->pid);
}

/* ---------------------------------------------------------------- hook */

static bool procs_ready(const struct rr_hook *h)
{
	return may_start(container_of(h, const struct rr_procs, hook));
}

static bool procs_busy(const struct rr_hook *h)
{
	const struct rr_procs *ps = container_of(h, const struct rr_procs, hook);

	return ps->shutting_down ? ps->unreaped > 0 : ps->running > 0;
}

static void procs_stats(const struct rr_hook *h, struct rr_loop_stats *st)
{
	const struct rr_procs *ps = container_of(h, const struct rr_procs, hook);

	st->spawned = ps->spawned;
	st->running = ps->running;
	for (const struct rr_task *t = ps->queue.head; t; t = t->next_queued)
		st->queued++;
}

/* The task core has killed every process: only their exits are awaited. */
static void procs_shutdown(struct rr_hook *h)
{
	struct rr_procs *ps = container_of(h, struct rr_procs, hook);

	assert(!ps->queue.head);
	ps->shutting_down = true;
}

static void procs_free(struct rr_hook *h)
{
	struct rr_procs *ps = container_of(h, struct rr_procs, hook);

	rr__spawn_free(ps);
	rr__paths_free(&ps->paths);
	if (ps->devnull >= 0)
		close(ps->devnull);
	free(ps);
}

/* The loop's processes, made and hooked into its turn on first use. */
static struct rr_hook *procs_make(rr_loop *loop)
{
	struct rr_procs *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (ps->devnull < 0) {
		free(ps);
		return NULL;
	}
	ps->loop = loop;
	ps->spawn_vfork = !(loop->features & RR_FEAT_ASYNC_SPAWN);
	ps->hook = (struct rr_hook){
		.owner = &rr__kind_process,
		.prepare = start_queued,
		.ready = procs_ready,
		.busy = procs_busy,
		.stats = procs_stats,
		.shutdown = procs_shutdown,
		.free = procs_free,
	};
	rr__task_core_join(loop);
	return &ps->hook;
}

static struct rr_procs *procs_of(rr_loop *loop)
{
	struct rr_hook *h = rr__hook_get(loop, &rr__kind_process, procs_make);

	return h ? container_of(h, struct rr_procs, hook) : NULL;
}

/* A process settled: its slot is free, and so are the fds it held. */
static void slot_free(struct rr_procs *ps)
{
	assert(ps->running > 0);
	ps->running--;
	ps->fd_wait = false;
}

/* ----------------------------------------------------------- the table */

static void proc_start(struct rr_task *t)
{
	rr__queue_push(&rr__proc(t)->procs->queue, t);
}

static void proc_dequeue(struct rr_task *t)
{
	rr__queue_remove(&rr__proc(t)->procs->queue, t);
}

static int proc_signal(struct rr_task *t, int sig, unsigned flags)
{
	return rr__proc_signal(t, sig, flags);
}

static void proc_stdin_kick(struct rr_task *t)
{
	rr__feed_kick(t);
}

/* The master is the reader's fd until its EOF; after that no terminal is
   left to resize. */
static int proc_resize(struct rr_task *t, unsigned rows, unsigned cols)
{
	return t->out.fd < 0 ? -ESRCH : rr__pty_resize(t->out.fd, rows, cols);
}

/*
 * The grace after the last signal is over: what still holds the pipes (a
 * daemon it started in a session of its own) is not waited for.  Before
 * the child is reaped, its exit stops the reading.
 */
static void proc_stop(struct rr_task *t)
{
	struct rr_proc *p = rr__proc(t);

	p->stopping = true;
	if (p->reaped)
		rr__proc_drop_output(t, t->result.exit_code);
}

static bool proc_started(const struct rr_task *t)
{
	const struct rr_proc *p = rr__task_kind_data_const(t);

	return p->pid != 0 && !p->spawn_errno;
}

static size_t proc_describe(const struct rr_task *t, char *buf, size_t size)
{
	(void)t;
	if (size)
		buf[0] = '\0';
	return 0;
}

static const char *proc_ending(const struct rr_task *t)
{
	const struct rr_proc *p = rr__task_kind_data_const(t);

	return p->dropped ? p->ending : NULL;
}

static void proc_settle(struct rr_task *t)
{
	struct rr_proc *p = rr__proc(t);

	slot_free(p->procs);
	rr__close(t->loop, p->pidfd);
	p->pidfd = -1;
}

/* Only after rr_loop_free tore the ring down can its fds still be open. */
static void proc_destroy(struct rr_task *t)
{
	struct rr_proc *p = rr__proc(t);

	if (p->feed.fd >= 0)
		close(p->feed.fd);
	if (p->pidfd >= 0)
		close(p->pidfd);
}

const struct rr_kind rr__kind_process = {
	.name = "process",
	.size = sizeof(struct rr_proc),
	.start = proc_start,
	.dequeue = proc_dequeue,
	.signal = proc_signal,
	.stdin_kick = proc_stdin_kick,
	.resize = proc_resize,
	.stop = proc_stop,
	.started = proc_started,
	.describe = proc_describe,
	.ending = proc_ending,
	.settle = proc_settle,
	.destroy = proc_destroy,
};

/* ---------------------------------------------------------- public API */

static rr_task *submit(rr_loop *loop, const char *const *argv, bool is_exec,
		       const struct rr_opts *opts)
{
	struct rr_procs *ps = procs_of(loop);
	struct rr_task *t;
	struct rr_proc *p;

	if (!ps)
		return NULL;
	t = rr__task_new(loop, &rr__kind_process, argv, is_exec, opts, false);
	if (!t)
		return NULL;
	p = rr__proc(t);
	p->procs = ps;
	p->pidfd = p->feed.fd = -1;
	return rr__task_submit(t);
}

rr_task *rr_shell(rr_loop *loop, const char *cmd, const struct rr_opts *opts)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	if (!loop || !cmd) {
		errno = EINVAL;
		return NULL;
	}
	return submit(loop, argv, false, opts);
}

rr_task *rr_exec(rr_loop *loop, const char *const argv[],
		 const struct rr_opts *opts)
{
	if (!loop || !argv || !argv[0] || !argv[0][0]) {
		errno = EINVAL;
		return NULL;
	}
	return submit(loop, argv, true, opts);
}
