/*
 * task.c - what every task shares: the copy of its options taken at submit,
 * the FIFO of tasks waiting for a slot, start, deadlines, and the single
 * place where a task ends (settle), after its exit and the EOF of each of
 * its streams.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------- submit */

static size_t vec_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static size_t vec_bytes(const char *const *v, size_t n)
{
	size_t bytes = 0;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(v[i]) + 1;
	return bytes;
}

/* Copy n strings to *pos, their pointers to out[0..n]. */
static void vec_copy(char **out, const char *const *v, size_t n, char **pos)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		out[i] = memcpy(*pos, v[i], len);
		*pos += len;
	}
	out[n] = NULL;
}

static char *str_copy(const char *src, size_t len, char **pos)
{
	char *out = memcpy(*pos, src, len);

	out[len] = '\0';
	*pos += len + 1;
	return out;
}

/* The default title: the command line, argv words joined by spaces. */
static size_t join_len(const char *const *argv)
{
	size_t n = 0;

	for (size_t i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	return n ? n - 1 : 0;
}

static void join(char *dst, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			*dst++ = ' ';
		dst = stpcpy(dst, argv[i]);
	}
	*dst = '\0';
}

static bool valid_mode(enum rr_io m, bool is_stderr)
{
	return (unsigned)m <= RR_IO_INHERIT || (is_stderr && m == RR_IO_MERGE);
}

/*
 * "NAME=value" entries; a remote shell also reads the name, so there it must
 * be an identifier, or it would run as shell code on the host.
 */
static bool valid_env(const char *const *env, bool remote)
{
	static const char ident[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
				    "0123456789";

	for (size_t i = 0; env && env[i]; i++) {
		size_t n = remote ? strspn(env[i], ident) : strcspn(env[i], "=");

		if (n == 0 || env[i][n] != '=' || (remote && env[i][0] >= '0' && env[i][0] <= '9'))
			return false;
	}
	return true;
}

/*
 * Everything the task points to lives in one allocation, so the caller may
 * free its copies on return: the argv and env pointer arrays first (aligned
 * as malloc returns), then the strings, cwd, title and stdin bytes.
 */
static struct rr_task *task_new(rr_loop *loop, const char *const *argv,
				bool is_exec, const struct rr_opts *opts)
{
	struct rr_opts o = opts ? *opts : (struct rr_opts){ 0 };
	const char *const *shown = is_exec ? argv : argv + 2;
	size_t nargv = vec_len(argv), nenv = vec_len(o.env);
	size_t ptrs = (nargv + 1 + (o.env ? nenv + 1 : 0)) * sizeof(char *);
	size_t cwd_len = o.cwd ? strlen(o.cwd) : 0;
	size_t title_len = o.title ? strlen(o.title) : join_len(shown);
	size_t in_len = o.stdin_data ? o.stdin_len : 0;
	struct rr_task *t;
	char *pos;

	if (!valid_mode(o.stdout_mode, false) || !valid_mode(o.stderr_mode, true) ||
	    !valid_env(o.env, false)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->blob = malloc(ptrs + vec_bytes(argv, nargv) + vec_bytes(o.env, nenv) +
			 cwd_len + 1 + title_len + 1 + in_len + 1);
	if (!t->blob) {
		free(t);
		return NULL;
	}
	t->argv = (char **)t->blob;
	pos = t->blob + ptrs;
	vec_copy(t->argv, argv, nargv, &pos);
	if (o.env) {
		t->env = t->argv + nargv + 1;
		vec_copy(t->env, o.env, nenv, &pos);
	}
	o.cwd = o.cwd ? str_copy(o.cwd, cwd_len, &pos) : NULL;
	if (o.title) {
		t->title = str_copy(o.title, title_len, &pos);
	} else {
		t->title = pos;
		join(pos, shown);
		pos += title_len + 1;
	}
	o.stdin_data = in_len ? memcpy(pos, o.stdin_data, in_len) : NULL;
	o.stdin_len = in_len;
	o.env = (const char *const *)t->env;
	o.title = t->title;
	if (!o.capture_max)
		o.capture_max = RR_DEFAULT_CAPTURE_MAX;
	if (!o.kill_grace_ms)
		o.kill_grace_ms = RR_DEFAULT_KILL_GRACE_MS;
	t->opts = o;
	t->loop = loop;
	t->is_exec = is_exec;
	t->proc.pidfd = t->feed.fd = -1;
	rr__reader_init(&t->out, t, RR_STDOUT, o.stdout_mode == RR_IO_CAPTURE);
	rr__reader_init(&t->err, t, RR_STDERR, o.stderr_mode == RR_IO_CAPTURE);
	return t;
}

void rr__queue_push(struct rr_queue *q, struct rr_task *t)
{
	t->next_queued = NULL;
	if (q->tail)
		q->tail->next_queued = t;
	else
		q->head = t;
	q->tail = t;
}

struct rr_task *rr__queue_pop(struct rr_queue *q)
{
	struct rr_task *t = q->head;

	if (t) {
		q->head = t->next_queued;
		if (!q->head)
			q->tail = NULL;
		t->next_queued = NULL;
	}
	return t;
}

static void queue_remove(struct rr_queue *q, struct rr_task *t)
{
	struct rr_task **pp = &q->head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->next_queued;
	}
	if (!*pp)
		return;
	*pp = t->next_queued;
	if (q->tail == t)
		q->tail = prev;
	t->next_queued = NULL;
}

/* Where a queued task waits: the loop's process FIFO or its host's. */
static struct rr_queue *queue_of(struct rr_task *t)
{
	return t->host ? &t->host->queue : &t->loop->queue;
}

static rr_task *submit(rr_loop *loop, struct rr_task *t)
{
	if (!t)
		return NULL;
	t->next = loop->tasks;
	if (loop->tasks)
		loop->tasks->prev = t;
	loop->tasks = t;
	rr__queue_push(queue_of(t), t);
	loop->alive++;
	return t;
}

rr_task *rr_shell(rr_loop *loop, const char *cmd, const struct rr_opts *opts)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	if (!loop || !cmd) {
		errno = EINVAL;
		return NULL;
	}
	return submit(loop, task_new(loop, argv, false, opts));
}

rr_task *rr_exec(rr_loop *loop, const char *const argv[],
		 const struct rr_opts *opts)
{
	if (!loop || !argv || !argv[0] || !argv[0][0]) {
		errno = EINVAL;
		return NULL;
	}
	return submit(loop, task_new(loop, argv, true, opts));
}

rr_task *rr_ssh(rr_loop *loop, rr_host *host, const char *cmd,
		const struct rr_opts *opts)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct rr_task *t;

	if (!loop || !host || !cmd || host->loop != loop || host->freed ||
	    (opts && (opts->stdout_mode == RR_IO_INHERIT ||
		      opts->stderr_mode == RR_IO_INHERIT ||
		      (opts->flags & RR_F_STDIN_INHERIT) || !valid_env(opts->env, true)))) {
		errno = EINVAL;
		return NULL;
	}
	t = task_new(loop, argv, false, opts);
	if (!t)
		return NULL;
	t->host = host;
	host->refs++;
	submit(loop, t);
	rr__conn_want(&host->conn);
	return t;
}

/* -------------------------------------------------------------- start */

static void deadline_fire(struct rr_deadline *d, uint64_t now);

/* The next moment something must happen to this task, or 0. */
static uint64_t next_deadline(const struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	uint64_t next = 0;

	if (t->kill_stage == RR_KILL_TERM_SENT)
		return t->kill_at;
	if (t->kill_stage == RR_KILL_KILL_SENT)
		return t->host ? t->kill_at : 0; /* remote: abandon it then */
	if (o->timeout_ms)
		next = t->result.start_ns + o->timeout_ms * 1000000u;
	if (o->idle_timeout_ms) {
		uint64_t idle = t->last_output_ns + o->idle_timeout_ms * 1000000u;

		next = next ? RR_MIN(next, idle) : idle;
	}
	return next;
}

static void schedule(struct rr_task *t)
{
	uint64_t at = next_deadline(t);

	if (at)
		rr__deadline_set(t->loop, &t->deadline, at);
	else
		rr__deadline_clear(t->loop, &t->deadline);
}

/*
 * Send sig to the group (remote: the session's group, by a channel request);
 * SIGTERM-like signals get a SIGKILL after the grace, and a remote channel
 * still open a grace after that is abandoned.
 */
static void kill_group(struct rr_task *t, int sig, uint64_t now)
{
	if (t->host)
		rr__channel_kill(t, sig, false);
	else
		rr__proc_signal(t, sig);
	if (sig == SIGKILL) {
		t->kill_stage = RR_KILL_KILL_SENT;
		t->kill_at = now + t->opts.kill_grace_ms * 1000000u;
	} else if (t->kill_stage == RR_KILL_NONE) {
		t->kill_stage = RR_KILL_TERM_SENT;
		t->kill_at = now + t->opts.kill_grace_ms * 1000000u;
	}
	schedule(t);
}

static void deadline_fire(struct rr_deadline *d, uint64_t now)
{
	struct rr_task *t = container_of(d, struct rr_task, deadline);
	const struct rr_opts *o = &t->opts;

	if (t->kill_stage != RR_KILL_NONE) {
		if (now < t->kill_at) {
			schedule(t);
		} else if (t->kill_stage == RR_KILL_TERM_SENT) {
			kill_group(t, SIGKILL, now);
		} else {
			t->kill_at = 0;
			rr__channel_kill(t, SIGKILL, true);
		}
		return;
	}
	if (o->timeout_ms && now >= t->result.start_ns + o->timeout_ms * 1000000u)
		t->reason = RR_TIMEOUT;
	else if (o->idle_timeout_ms &&
		 now >= t->last_output_ns + o->idle_timeout_ms * 1000000u)
		t->reason = RR_IDLE_TIMEOUT;
	if (t->reason)
		kill_group(t, SIGTERM, now);
	else
		schedule(t); /* output came since this was set: idle moved on */
}

/* The task runs from now on; pending: events to wait for before it ends. */
void rr__task_begin(struct rr_task *t, int pending)
{
	t->state = RR_TASK_RUNNING;
	t->result.start_ns = t->last_output_ns = rr__now();
	t->pending = pending;
	t->deadline.fire = deadline_fire;
	schedule(t);
}

static int pipe_for(enum rr_io mode, int p[2])
{
	if (mode != RR_IO_CAPTURE && mode != RR_IO_CALLBACK)
		return 0;
	return pipe2(p, O_CLOEXEC) < 0 ? -errno : 0;
}

/* What the child gets for a stream we do not read: /dev/null or the host's. */
static int fixed_fd(rr_loop *loop, enum rr_io mode)
{
	return mode == RR_IO_DISCARD ? loop->devnull : -1;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

/* A task that ends without running is settled on the loop's turn. */
static void end_unstarted(struct rr_task *t)
{
	t->state = RR_TASK_ENDING;
	t->next_queued = t->loop->unstarted;
	t->loop->unstarted = t;
}

static void spawn_failed(struct rr_task *t, int err)
{
	t->spawn_errno = -err;
	end_unstarted(t);
}

/* A queued remote task (already off its queue) ends with status. */
void rr__task_fail(struct rr_task *t, enum rr_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof(t->message), fmt, ap);
	va_end(ap);
	t->failed = status;
	end_unstarted(t);
}

void rr__task_start(struct rr_task *t)
{
	rr_loop *loop = t->loop;
	const struct rr_opts *o = &t->opts;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	struct rr_spawn sp = { .argv = t->argv, .env = t->env, .cwd = o->cwd,
			       .err = &t->spawn_errno };
	int r, pidfd;
	pid_t pid;

	r = t->is_exec ? rr__resolve(loop, t->argv[0], &sp.path) : 0;
	if (!t->is_exec)
		sp.path = "/bin/sh";
	if (r == 0)
		r = pipe_for(o->stdout_mode, outp);
	if (r == 0)
		r = pipe_for(o->stderr_mode, errp);
	if (r == 0 && o->stdin_data &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, inp) < 0)
		r = -errno;
	if (r < 0)
		goto fail;
	sp.fds[0] = inp[1] >= 0 ? inp[1] :
		    (o->flags & RR_F_STDIN_INHERIT ? -1 : loop->devnull);
	sp.fds[1] = outp[1] >= 0 ? outp[1] : fixed_fd(loop, o->stdout_mode);
	if (errp[1] >= 0)
		sp.fds[2] = errp[1];
	else if (o->stderr_mode == RR_IO_MERGE) /* 2>&1 wherever 1 goes */
		sp.fds[2] = sp.fds[1] >= 0 ? sp.fds[1] : 1;
	else
		sp.fds[2] = fixed_fd(loop, o->stderr_mode);
	r = rr__spawn(loop, &sp, &pid, &pidfd);
	if (r < 0)
		goto fail;
	/* Our copies of the child's ends go through the ring, in this batch. */
	if (outp[1] >= 0)
		rr__close(loop, outp[1]);
	if (errp[1] >= 0)
		rr__close(loop, errp[1]);
	if (inp[1] >= 0)
		rr__close(loop, inp[1]);
	t->result.pid = t->proc.pid = pid;
	t->proc.pidfd = pidfd;
	loop->running++;
	loop->unreaped++;
	rr__task_begin(t, 1);
	rr__proc_wait(t);
	if (outp[0] >= 0) {
		t->pending++;
		rr__reader_start(&t->out, outp[0]);
	}
	if (errp[0] >= 0) {
		t->pending++;
		rr__reader_start(&t->err, errp[0]);
	}
	if (inp[0] >= 0)
		rr__feed_start(t, inp[0]);
	return;
fail:
	close_pair(outp);
	close_pair(errp);
	close_pair(inp);
	spawn_failed(t, r);
}

/* -------------------------------------------------------------- settle */

static enum rr_status final_status(const struct rr_task *t)
{
	const struct rr_result *res = &t->result;

	if (t->spawn_errno)
		return RR_SPAWN_FAILED;
	if (t->failed)
		return t->failed;
	if (t->reason)
		return t->reason;
	if (t->proc.wait_err)
		return RR_ERROR;
	if (res->exit_code < 0)
		return RR_SIGNALED;
	if (res->exit_code == t->opts.expect_exit)
		return RR_OK;
	return t->opts.expect_exit == 0 ? RR_EXIT_NONZERO : RR_EXIT_UNEXPECTED;
}

static void fill_result(struct rr_task *t)
{
	struct rr_result *res = &t->result;
	const siginfo_t *si = &t->proc.si;

	if (t->proc.reaped && !t->proc.wait_err)
		res->exit_code = si->si_code == CLD_EXITED ? si->si_status :
							      -si->si_status;
	res->end_ns = rr__now();
	rr__reader_finish(&t->out, &res->out);
	rr__reader_finish(&t->err, &res->err);
	if (t->opts.flags & RR_F_RUSAGE) {
		const struct rusage *ru = &t->proc.ru;

		res->user_us = (uint64_t)ru->ru_utime.tv_sec * 1000000u +
			       (uint64_t)ru->ru_utime.tv_usec;
		res->sys_us = (uint64_t)ru->ru_stime.tv_sec * 1000000u +
			      (uint64_t)ru->ru_stime.tv_usec;
		res->maxrss_kb = ru->ru_maxrss;
	}
	res->started = t->host ? t->chan.exec_sent :
				 res->pid != 0 && !t->spawn_errno;
	res->status = final_status(t);
	rr__message(t);
	res->message = t->message;
}

static void settle(struct rr_task *t)
{
	rr_loop *loop = t->loop;

	rr__deadline_clear(loop, &t->deadline);
	loop->finished++;
	if (t->state == RR_TASK_RUNNING && !t->host) {
		loop->running--;
		rr__close(loop, t->proc.pidfd);
		t->proc.pidfd = -1;
	}
	if (t->freed) { /* rr_task_free already took it off alive */
		rr__task_destroy(t);
		return;
	}
	fill_result(t);
	t->state = RR_TASK_DONE;
	loop->alive--;
	if (t->opts.on_done) {
		t->in_done = true;
		loop->in_callback++;
		t->opts.on_done(t, t->opts.user);
		loop->in_callback--;
		t->in_done = false;
	}
	if (t->freed || (t->opts.flags & RR_F_AUTOFREE))
		rr__task_destroy(t);
}

/* One of exit / stream EOF / stdin done has happened. */
void rr__task_event_done(struct rr_task *t)
{
	if (--t->pending == 0)
		settle(t);
}

void rr__task_settle_unstarted(rr_loop *loop)
{
	while (loop->unstarted) {
		struct rr_task *t = loop->unstarted;

		loop->unstarted = t->next_queued;
		t->next_queued = NULL;
		settle(t);
	}
}

void rr__task_destroy(struct rr_task *t)
{
	rr_loop *loop = t->loop;

	if (t->prev)
		t->prev->next = t->next;
	else
		loop->tasks = t->next;
	if (t->next)
		t->next->prev = t->prev;
	rr__deadline_clear(loop, &t->deadline);
	/* Only after rr_loop_free tore the ring down can fds still be open. */
	if (t->out.fd >= 0)
		close(t->out.fd);
	if (t->err.fd >= 0)
		close(t->err.fd);
	if (t->feed.fd >= 0)
		close(t->feed.fd);
	if (t->proc.pidfd >= 0)
		close(t->proc.pidfd);
	rr__reader_release(&t->out);
	rr__reader_release(&t->err);
	free(t->chan.command);
	if (t->host)
		rr__host_unref(t->host);
	free(t->blob);
	free(t);
}

/* ---------------------------------------------------------- public API */

int rr_task_wait(rr_task *t)
{
	if (t->loop->in_callback)
		return -EBUSY;
	while (t->state != RR_TASK_DONE) {
		int r = rr_loop_run(t->loop, RR_RUN_ONCE);

		if (r < 0)
			return r;
	}
	return 0;
}

int rr_task_kill(rr_task *t, int sig)
{
	if (sig <= 0 || sig >= NSIG)
		return -EINVAL;
	if (t->state == RR_TASK_DONE)
		return -ESRCH;
	if (t->state == RR_TASK_ENDING)
		return 0;
	if (!t->reason)
		t->reason = RR_CANCELLED;
	if (t->state == RR_TASK_QUEUED) {
		queue_remove(queue_of(t), t);
		end_unstarted(t);
		return 0;
	}
	if (t->kill_stage == RR_KILL_KILL_SENT)
		return 0;
	kill_group(t, sig, rr__now());
	return 0;
}

void rr_task_free(rr_task *t)
{
	if (!t)
		return;
	switch (t->state) {
	case RR_TASK_QUEUED:
		queue_remove(queue_of(t), t);
		t->loop->alive--;
		rr__task_destroy(t);
		return;
	case RR_TASK_RUNNING:
		/* Reaped in the background; no callback runs again. */
		t->freed = true;
		kill_group(t, SIGKILL, rr__now());
		/* fall through */
	case RR_TASK_ENDING:
		t->freed = true; /* settle frees it */
		t->loop->alive--;
		return;
	case RR_TASK_DONE:
		if (t->in_done)
			t->freed = true; /* settle frees it when on_done returns */
		else
			rr__task_destroy(t);
		return;
	}
}

const struct rr_result *rr_task_result(const rr_task *t)
{
	return &t->result;
}

bool rr_task_done(const rr_task *t)
{
	return t->state == RR_TASK_DONE;
}

const char *rr_task_title(const rr_task *t)
{
	return t->title;
}

void *rr_task_user(const rr_task *t)
{
	return t->opts.user;
}

rr_loop *rr_task_loop(const rr_task *t)
{
	return t->loop;
}

rr_host *rr_task_host(const rr_task *t)
{
	return t->host;
}
