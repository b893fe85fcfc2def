/*
 * task.c - what every task shares, whatever its kind runs: the copy of its
 * options taken at submit, its state, its deadlines and the escalation of a
 * kill, and the single place where it ends (settle), once its exit and the
 * EOF of each of its streams are in.  Kinds report through the rr__task_*
 * calls; only this file writes a task's state and result.
 */
#include "task.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first layouts (ringrun.h, ABI): fixed for good. */
#define OPTS_VER0 RR__SIZE_THROUGH(struct rr_opts, group)
#define PTY_VER0 RR__SIZE_THROUGH(struct rr_pty, term)

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

/* The steps of a kill_seq, or 0 when it is not one. */
static unsigned kill_seq_len(const struct rr_kill_step *seq)
{
	unsigned n = 0;

	while (n < RR_KILL_SEQ_MAX && seq[n].sig > 0 && seq[n].sig < NSIG)
		n++;
	return n && seq[n].sig == 0 ? n : 0;
}

static bool valid_opts(const struct rr_opts *o, bool remote)
{
	const struct rr_pty *pty = (o->flags & RR_F_PTY) ? o->pty : NULL;

	return valid_mode(o->stdout_mode, false) && valid_mode(o->stderr_mode, true) &&
	       valid_env(o->env, remote) && (!o->kill_seq || kill_seq_len(o->kill_seq)) &&
	       (!pty || (pty->rows <= USHRT_MAX && pty->cols <= USHRT_MAX &&
			 (!pty->term || pty->term[strcspn(pty->term, " \t\n\r'\"\\")] == '\0')));
}

/* The kill steps, strings, cwd, title and stdin bytes, after the pointer
   arrays. */
static void copy_strings(struct rr_task *t, const char *const *argv, size_t nargv,
			 struct rr_opts *o, size_t ptrs, size_t title_len)
{
	const char *const *shown = t->is_exec ? argv : argv + 2;
	char *pos = t->blob + ptrs;

	if (o->kill_seq) {
		o->kill_seq = memcpy(pos, o->kill_seq, t->kill_len * sizeof(*o->kill_seq));
		pos += t->kill_len * sizeof(*o->kill_seq);
	}

	t->argv = (char **)t->blob;
	vec_copy(t->argv, argv, nargv, &pos);
	if (o->env) {
		t->env = t->argv + nargv + 1;
		vec_copy(t->env, o->env, vec_len(o->env), &pos);
	}
	o->cwd = o->cwd ? str_copy(o->cwd, strlen(o->cwd), &pos) : NULL;
	if (o->title) {
		t->title = str_copy(o->title, title_len, &pos);
	} else {
		t->title = pos;
		join(pos, shown);
		pos += title_len + 1;
	}
	o->stdin_data = o->stdin_len ? memcpy(pos, o->stdin_data, o->stdin_len) : NULL;
	pos += o->stdin_len;
	if (t->pty.term)
		t->pty.term = str_copy(t->pty.term, strlen(t->pty.term), &pos);
	o->env = (const char *const *)t->env;
	o->title = t->title;
	o->pty = (o->flags & RR_F_PTY) ? &t->pty : NULL;
}

/* The terminal of RR_F_PTY with its defaults; TERM is copied with the rest. */
static void take_pty(struct rr_task *t, const struct rr_opts *o)
{
	const char *term = getenv("TERM");

	if (!(o->flags & RR_F_PTY))
		return;
	if (o->pty)
		t->pty = *o->pty;
	t->pty.rows = t->pty.rows ? t->pty.rows : 24;
	t->pty.cols = t->pty.cols ? t->pty.cols : 80;
	if (!t->pty.term)
		t->pty.term = term && *term ? term : "dumb";
}

/* The caller's options, and its pty, as this library's structs (ABI). */
static int take_opts(struct rr_opts *o, struct rr_pty *pty, const struct rr_opts *opts)
{
	int r = rr__sized_copy(o, sizeof *o, OPTS_VER0, opts);

	if (r == 0 && (o->flags & RR_F_PTY) && o->pty) {
		r = rr__sized_copy(pty, sizeof *pty, PTY_VER0, o->pty);
		o->pty = pty;
	}
	return r;
}

/*
 * Everything the task points to lives in one allocation, so the caller may
 * free its copies on return: the argv and env pointer arrays first (aligned
 * as malloc returns), the kill steps, then the strings, cwd, title and stdin
 * bytes.
 */
struct rr_task *rr__task_new(rr_loop *loop, const struct rr_kind *kind,
			     const char *const *argv, bool is_exec,
			     const struct rr_opts *opts, bool remote)
{
	const char *const *shown = is_exec ? argv : argv + 2;
	size_t nargv = vec_len(argv), nenv, ptrs, title_len;
	struct rr_opts o;
	struct rr_pty pty;
	unsigned kill_len;
	struct rr_task *t;
	int r = take_opts(&o, &pty, opts);

	if (r == 0 && (!valid_opts(&o, remote) ||
		       (o.group && ((struct rr_group_link *)o.group)->loop != loop)))
		r = -EINVAL;
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	nenv = vec_len(o.env);
	ptrs = (nargv + 1 + (o.env ? nenv + 1 : 0)) * sizeof(char *);
	title_len = o.title ? strlen(o.title) : join_len(shown);
	kill_len = o.kill_seq ? kill_seq_len(o.kill_seq) : 2;
	o.stdin_len = o.stdin_data ? o.stdin_len : 0;
	t = calloc(1, sizeof(*t) + kind->size);
	if (!t)
		return NULL;
	take_pty(t, &o);
	t->kill_len = kill_len;
	t->blob = malloc(ptrs + (o.kill_seq ? kill_len * sizeof(*o.kill_seq) : 0) +
			 vec_bytes(argv, nargv) + vec_bytes(o.env, nenv) +
			 (o.cwd ? strlen(o.cwd) : 0) + 1 + title_len + 1 + o.stdin_len + 1 +
			 (t->pty.term ? strlen(t->pty.term) + 1 : 0));
	if (!t->blob || rr__deadline_reserve(loop, 1) < 0) {
		free(t->blob);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->is_exec = is_exec;
	copy_strings(t, argv, nargv, &o, ptrs, title_len);
	if (!o.capture_max)
		o.capture_max = RR_DEFAULT_CAPTURE_MAX;
	if (!o.kill_grace_ms)
		o.kill_grace_ms = RR_DEFAULT_KILL_GRACE_MS;
	if (!o.line_max)
		o.line_max = RR_LINE_MAX;
	t->opts = o;
	t->in.first = o.stdin_data;
	t->in.first_len = t->in.pending = o.stdin_len;
	t->in.closed = !(o.flags & RR_F_STDIN_PIPE);
	t->loop = loop;
	t->kind = kind;
	t->result.message = "";
	rr__reader_init(&t->out, t, RR_STDOUT, o.stdout_mode == RR_IO_CAPTURE);
	rr__reader_init(&t->err, t, RR_STDERR, o.stderr_mode == RR_IO_CAPTURE);
	return t;
}

/* A task rr__task_new made that its kind gives up before submitting. */
void rr__task_discard(struct rr_task *t)
{
	assert(t->state == RR_TASK_QUEUED && !t->prev && !t->next);
	rr__deadline_unreserve(t->loop, 1);
	t->kind->destroy(t);
	free(t->blob);
	free(t);
}

rr_task *rr__task_submit(struct rr_task *t)
{
	rr_loop *loop;

	if (!t)
		return NULL;
	loop = t->loop;
	t->next = loop->tasks;
	if (loop->tasks)
		loop->tasks->prev = t;
	loop->tasks = t;
	loop->alive++;
	if (t->opts.group) {
		t->group = (struct rr_group_link *)t->opts.group;
		t->group->join(t);
	}
	t->kind->start(t);
	rr__loop_wake(loop);
	return t;
}

/* ------------------------------------------------------------- queues */

void rr__queue_push(struct rr_queue *q, struct rr_task *t)
{
	t->next_queued = NULL;
	if (q->tail)
		q->tail->next_queued = t;
	else
		q->head = t;
	q->tail = t;
}

void rr__queue_push_front(struct rr_queue *q, struct rr_task *t)
{
	t->next_queued = q->head;
	q->head = t;
	if (!q->tail)
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

void rr__queue_remove(struct rr_queue *q, struct rr_task *t)
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

/* -------------------------------------------------------------- state */

static const char *const state_names[] = {
	[RR_TASK_QUEUED] = "queued",
	[RR_TASK_RUNNING] = "running",
	[RR_TASK_ENDING] = "ending",
	[RR_TASK_DONE] = "done",
};

/* The one place a task's state changes: checked, and traced on request. */
#define set_state(t, to) set_state_at(t, to, __func__, __LINE__)
static void set_state_at(struct rr_task *t, enum rr_task_state to, const char *fn,
			 int line)
{
	static const bool allowed[4][4] = {
		[RR_TASK_QUEUED] = { [RR_TASK_RUNNING] = true, [RR_TASK_ENDING] = true },
		[RR_TASK_RUNNING] = { [RR_TASK_QUEUED] = true, [RR_TASK_DONE] = true },
		[RR_TASK_ENDING] = { [RR_TASK_DONE] = true },
	};

	assert(allowed[t->state][to]);
	rr__trace(t->loop, fn, line, "task", t->title, state_names[t->state],
		  state_names[to]);
	t->state = to;
}

/* ---------------------------------------------------------- deadlines */

/* The next moment something must happen to this task, or 0. */
static uint64_t next_deadline(const struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	uint64_t next = 0;

	if (t->kill_stage != RR_KILL_NONE)
		return t->kill_at;
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

/* Step i of the task's kill; past the last, SIGKILL. */
static struct rr_kill_step kill_step(const struct rr_task *t, unsigned i)
{
	static const struct rr_kill_step dflt[] = { { SIGTERM, 0 }, { SIGKILL, 0 } };

	if (i >= t->kill_len)
		return (struct rr_kill_step){ SIGKILL, 0 };
	if (t->opts.kill_seq)
		return t->opts.kill_seq[i];
	return (struct rr_kill_step){ dflt[i].sig, (unsigned)t->opts.kill_grace_ms };
}

/*
 * Send the kill's next step (sig in place of its signal, when not 0) and set
 * the moment of the one after.  A grace after the SIGKILL (or after any
 * signal that found nothing left to reach) the kind stops waiting for what
 * the task still holds - a pipe kept open by a daemon it started, a channel
 * the server does not close.
 */
static void kill_next(struct rr_task *t, int sig, uint64_t now)
{
	struct rr_kill_step step = kill_step(t, t->kill_next++);
	uint64_t wait_ms = step.ms;
	int r;

	step.sig = sig ? sig : step.sig;
	r = t->kind->signal(t, step.sig, RR__SIG_END);
	if (step.sig == SIGKILL || r == -ESRCH) {
		t->kill_stage = RR_KILL_FINAL;
		if (step.sig != SIGKILL || !wait_ms)
			wait_ms = t->opts.kill_grace_ms;
	} else {
		t->kill_stage = RR_KILL_STEPS;
	}
	t->kill_at = now + wait_ms * 1000000u;
	schedule(t);
}

/* SIGKILL now, whatever steps were left. */
static void kill_now(struct rr_task *t, uint64_t now)
{
	t->kill_next = t->kill_len;
	kill_next(t, SIGKILL, now);
}

static void deadline_fire(struct rr_deadline *d, uint64_t now)
{
	struct rr_task *t = container_of(d, struct rr_task, deadline);
	const struct rr_opts *o = &t->opts;

	assert(t->state == RR_TASK_RUNNING);
	if (t->kill_stage != RR_KILL_NONE) {
		if (now < t->kill_at) {
			schedule(t);
		} else if (t->kill_stage == RR_KILL_STEPS) {
			kill_next(t, 0, now);
		} else {
			t->kill_at = 0;
			t->kind->stop(t);
		}
		return;
	}
	if (o->timeout_ms && now >= t->result.start_ns + o->timeout_ms * 1000000u)
		t->reason = RR_TIMEOUT;
	else if (o->idle_timeout_ms &&
		 now >= t->last_output_ns + o->idle_timeout_ms * 1000000u)
		t->reason = RR_IDLE_TIMEOUT;
	if (t->reason)
		kill_next(t, 0, now);
	else
		schedule(t); /* output came since this was set: idle moved on */
}

void rr__task_output(struct rr_task *t)
{
	if (t->opts.idle_timeout_ms)
		t->last_output_ns = rr__now();
}

/* --------------------------------------------------- what kinds report */

void rr__task_begin(struct rr_task *t, pid_t pid, uint64_t since)
{
	set_state(t, RR_TASK_RUNNING);
	t->result.pid = pid;
	t->result.start_ns = t->last_output_ns = since;
	t->pending = 1; /* its exit */
	t->deadline.fire = deadline_fire;
	schedule(t);
}

void rr__task_started(struct rr_task *t, pid_t pid)
{
	assert(t->state == RR_TASK_RUNNING && !t->start_told);
	t->start_told = true;
	t->result.pid = pid;
	if (t->opts.on_start && !t->freed)
		RR_CALLBACK(t->loop, t->opts.on_start(t, pid, t->opts.user));
}

void rr__task_hold(struct rr_task *t)
{
	assert(t->state == RR_TASK_RUNNING && t->pending > 0);
	t->pending++;
}

static void settle(struct rr_task *t);
static void destroy(struct rr_task *t);

void rr__task_release(struct rr_task *t)
{
	assert(t->state == RR_TASK_RUNNING && t->pending > 0);
	if (--t->pending == 0)
		settle(t);
}

void rr__task_exited(struct rr_task *t, int code, const struct rusage *ru)
{
	struct rr_result *res = &t->result;

	assert(!t->exited);
	t->exited = true;
	res->exit_code = code;
	if (ru && (t->opts.flags & RR_F_RUSAGE)) {
		res->user_us = (uint64_t)ru->ru_utime.tv_sec * 1000000u +
			       (uint64_t)ru->ru_utime.tv_usec;
		res->sys_us = (uint64_t)ru->ru_stime.tv_sec * 1000000u +
			      (uint64_t)ru->ru_stime.tv_usec;
		res->maxrss_kb = ru->ru_maxrss;
	}
	rr__task_release(t);
}

/* Never ran: settled on the loop's turn, never inside the call or the spawn
   batch that ended it. */
static void end_unstarted(struct rr_task *t)
{
	set_state(t, RR_TASK_ENDING);
	t->next_queued = t->loop->unstarted;
	t->loop->unstarted = t;
	rr__loop_wake(t->loop);
}

void rr__task_end(struct rr_task *t, enum rr_status status, const char *fmt, ...)
{
	va_list ap;

	assert(status != RR_RUNNING && status != RR_OK && !t->failed);
	assert(t->state == RR_TASK_QUEUED || t->state == RR_TASK_RUNNING);
	t->failed = status;
	free(t->message);
	va_start(ap, fmt);
	if (vasprintf(&t->message, fmt, ap) < 0)
		t->message = NULL;
	va_end(ap);
	if (t->state == RR_TASK_RUNNING)
		rr__task_release(t); /* in place of its exit */
	else
		end_unstarted(t);
}

void rr__task_requeue(struct rr_task *t)
{
	assert(t->pending == 1 && !t->exited && !t->out.open && !t->err.open);
	set_state(t, RR_TASK_QUEUED);
	rr__deadline_clear(t->loop, &t->deadline);
	t->result.start_ns = 0;
	t->pending = 0;
}

/* --------------------------------------------------------------- stdin */

bool rr__stdin_wanted(const struct rr_task *t)
{
	return t->opts.stdin_len || (t->opts.flags & RR_F_STDIN_PIPE);
}

size_t rr__stdin_peek(struct rr_task *t, const char **p)
{
	struct rr_stdin *in = &t->in;

	if (in->first_len) {
		*p = in->first;
		return in->first_len;
	}
	if (!in->head)
		return 0;
	*p = in->head->data + in->head->off;
	return in->head->len - in->head->off;
}

static void drained(struct rr_task *t)
{
	if (t->opts.on_drain && !t->freed)
		RR_CALLBACK(t->loop, t->opts.on_drain(t, t->opts.user));
}

void rr__stdin_consume(struct rr_task *t, size_t n)
{
	struct rr_stdin *in = &t->in;

	assert(n <= in->pending);
	in->pending -= n;
	if (in->first_len) {
		assert(n <= in->first_len);
		in->first += n;
		in->first_len -= n;
	} else if (n) {
		struct rr_stdin_seg *s = in->head;

		assert(s && n <= s->len - s->off);
		s->off += n;
		if (s->off == s->len) {
			in->head = s->next;
			if (!in->head)
				in->tail = NULL;
			free(s);
		}
	}
	if (n && in->pending == 0 && (t->opts.flags & RR_F_STDIN_PIPE))
		drained(t);
}

bool rr__stdin_done(const struct rr_task *t)
{
	return t->in.closed && t->in.pending == 0;
}

static void stdin_free(struct rr_stdin *in)
{
	while (in->head) {
		struct rr_stdin_seg *s = in->head;

		in->head = s->next;
		free(s);
	}
	in->tail = NULL;
	in->first_len = in->pending = 0;
}

void rr__stdin_broken(struct rr_task *t)
{
	struct rr_stdin *in = &t->in;
	bool had = in->pending != 0;

	if (in->broken)
		return;
	in->broken = in->closed = true;
	stdin_free(in);
	if (had && (t->opts.flags & RR_F_STDIN_PIPE))
		drained(t);
}

/* Small writes share the tail's room: a dialogue costs one allocation. */
#define RR_STDIN_SEG_MIN 4096

static int stdin_append(struct rr_stdin *in, const void *buf, size_t len)
{
	struct rr_stdin_seg *s = in->tail;

	if (!s || s->cap - s->len < len) {
		size_t cap = RR_MAX(len, (size_t)RR_STDIN_SEG_MIN);

		s = malloc(sizeof(*s) + cap);
		if (!s)
			return -ENOMEM;
		*s = (struct rr_stdin_seg){ .cap = cap };
		if (in->tail)
			in->tail->next = s;
		else
			in->head = s;
		in->tail = s;
	}
	memcpy(s->data + s->len, buf, len);
	s->len += len;
	in->pending += len;
	return 0;
}

/* -------------------------------------------------------------- settle */

static enum rr_status final_status(const struct rr_task *t)
{
	const struct rr_result *res = &t->result;

	if (t->failed)
		return t->failed;
	if (t->reason)
		return t->reason;
	assert(t->exited);
	if (res->exit_code < 0)
		return RR_SIGNALED;
	if (res->exit_code == t->opts.expect_exit || t->opts.expect_exit == RR_EXPECT_ANY)
		return RR_OK;
	return t->opts.expect_exit == 0 ? RR_EXIT_NONZERO : RR_EXIT_UNEXPECTED;
}

static void fill_result(struct rr_task *t)
{
	struct rr_result *res = &t->result;

	res->end_ns = rr__now();
	rr__reader_finish(&t->out, &res->out);
	rr__reader_finish(&t->err, &res->err);
	res->started = t->kind->started(t);
	res->status = final_status(t);
	if (!t->failed)
		t->message = rr__message(t);
	res->message = t->message ? t->message :
		       res->status == RR_OK ? "" : rr_status_name(res->status);
}

static void settle(struct rr_task *t)
{
	rr_loop *loop = t->loop;

	assert(t->state == RR_TASK_RUNNING || t->state == RR_TASK_ENDING);
	rr__deadline_clear(loop, &t->deadline);
	loop->finished++;
	if (t->state == RR_TASK_RUNNING)
		t->kind->settle(t);
	if (t->freed) { /* rr_task_free already took it off alive */
		destroy(t);
		return;
	}
	fill_result(t);
	set_state(t, RR_TASK_DONE);
	assert(loop->alive > 0);
	loop->alive--;
	if (t->group)
		t->group->ended(t);
	if (t->opts.on_done) {
		t->in_done = true;
		RR_CALLBACK(loop, t->opts.on_done(t, t->opts.user));
		t->in_done = false;
	}
	if (t->freed || (t->opts.flags & RR_F_AUTOFREE))
		destroy(t);
}

static void settle_unstarted(rr_loop *loop)
{
	while (loop->unstarted) {
		struct rr_task *t = loop->unstarted;

		loop->unstarted = t->next_queued;
		t->next_queued = NULL;
		settle(t);
	}
}

static void leave_group(struct rr_task *t)
{
	if (t->group)
		t->group->leave(t);
	assert(!t->group);
}

static void destroy(struct rr_task *t)
{
	rr_loop *loop = t->loop;

	leave_group(t);
	if (t->prev)
		t->prev->next = t->next;
	else
		loop->tasks = t->next;
	if (t->next)
		t->next->prev = t->prev;
	rr__deadline_clear(loop, &t->deadline);
	rr__deadline_unreserve(loop, 1);
	/* Only after rr_loop_free tore the ring down can fds still be open. */
	if (t->out.fd >= 0)
		close(t->out.fd);
	if (t->err.fd >= 0)
		close(t->err.fd);
	rr__reader_release(&t->out);
	rr__reader_release(&t->err);
	stdin_free(&t->in);
	t->kind->destroy(t);
	free(t->message);
	free(t->blob);
	free(t);
}

/* ------------------------------------------------ the task core's hook */

static rr_loop *hook_loop(const struct rr_hook *h)
{
	return container_of(h, rr_loop, core_hook);
}

static void core_prepare(struct rr_hook *h)
{
	rr_loop *loop = hook_loop(h);

	settle_unstarted(loop);
	rr__reader_rearm_all(loop);
}

static bool core_ready(const struct rr_hook *h)
{
	const rr_loop *loop = hook_loop(h);

	return loop->unstarted || loop->rearm;
}

/* rr_loop_free: what runs is killed and reaped silently, the rest goes. */
static void core_shutdown(struct rr_hook *h)
{
	rr_loop *loop = hook_loop(h);
	struct rr_task *t, *next;

	loop->unstarted = NULL;
	for (t = loop->tasks; t; t = next) {
		next = t->next;
		if (t->state == RR_TASK_RUNNING) {
			t->freed = true;
			t->kind->signal(t, SIGKILL, RR__SIG_END);
			t->kill_stage = RR_KILL_FINAL;
			t->kill_at = 0;
			schedule(t);
			continue;
		}
		if (t->state == RR_TASK_QUEUED)
			t->kind->dequeue(t);
		destroy(t);
	}
}

static void core_free(struct rr_hook *h)
{
	rr_loop *loop = hook_loop(h);

	while (loop->tasks)
		destroy(loop->tasks);
}

/* Before any kind's: the task core shuts down (kills tasks) first. */
void rr__task_core_join(rr_loop *loop)
{
	if (loop->core_hook.owner)
		return;
	loop->core_hook = (struct rr_hook){
		.owner = &loop->core_hook,
		.prepare = core_prepare,
		.ready = core_ready,
		.shutdown = core_shutdown,
		.free = core_free,
	};
	rr__hook_add(loop, &loop->core_hook);
}

/* ---------------------------------------------------------- public API */

int rr_task_wait(rr_task *t)
{
	if (!t)
		return -EINVAL;
	if (t->loop->in_callback)
		return -EBUSY;
	while (t->state != RR_TASK_DONE) {
		int r = rr_loop_run(t->loop, RR_RUN_ONCE);

		if (r < 0)
			return r;
	}
	return 0;
}

static int kill_task(rr_task *t, int sig)
{
	if (t->state == RR_TASK_DONE)
		return -ESRCH;
	if (t->state == RR_TASK_ENDING)
		return 0;
	if (!t->reason)
		t->reason = RR_CANCELLED;
	if (t->state == RR_TASK_QUEUED) {
		t->kind->dequeue(t);
		end_unstarted(t);
		return 0;
	}
	if (t->kill_stage == RR_KILL_FINAL)
		return 0;
	if (sig == SIGKILL)
		kill_now(t, rr__now());
	else if (t->kill_stage == RR_KILL_NONE)
		kill_next(t, sig, rr__now());
	else
		t->kind->signal(t, sig, RR__SIG_END);
	return 0;
}

int rr_task_kill(rr_task *t, int sig)
{
	int r;

	if (!t || sig <= 0 || sig >= NSIG)
		return -EINVAL;
	r = kill_task(t, sig);
	if (r == 0)
		rr__loop_wake(t->loop); /* a deadline moved, or a task ended */
	return r;
}

int rr_task_signal(rr_task *t, int sig, unsigned flags)
{
	int r;

	if (!t || sig < 0 || sig >= NSIG || (flags & ~(unsigned)RR_SIG_LEADER))
		return -EINVAL;
	switch (t->state) {
	case RR_TASK_QUEUED:
		return -EAGAIN;
	case RR_TASK_RUNNING:
		r = t->kind->signal(t, sig, flags);
		rr__loop_wake(t->loop); /* remotely, a channel has work */
		return r;
	default:
		return -ESRCH;
	}
}

int rr_task_write(rr_task *t, const void *buf, size_t len)
{
	int r;

	if (!t || (!buf && len) || !(t->opts.flags & RR_F_STDIN_PIPE))
		return -EINVAL;
	if (t->in.closed || t->state == RR_TASK_DONE || t->state == RR_TASK_ENDING)
		return -EPIPE;
	if (!len)
		return 0;
	r = stdin_append(&t->in, buf, len);
	if (r == 0 && t->state == RR_TASK_RUNNING) {
		t->kind->stdin_kick(t);
		rr__loop_wake(t->loop);
	}
	return r;
}

int rr_task_close_stdin(rr_task *t)
{
	if (!t || !(t->opts.flags & RR_F_STDIN_PIPE))
		return -EINVAL;
	if (t->in.closed)
		return 0;
	t->in.closed = true;
	if (t->state == RR_TASK_RUNNING) {
		t->kind->stdin_kick(t);
		rr__loop_wake(t->loop);
	}
	return 0;
}

size_t rr_task_stdin_pending(const rr_task *t)
{
	return t ? t->in.pending : 0;
}

int rr_task_resize(rr_task *t, unsigned rows, unsigned cols)
{
	int r;

	if (!t || !(t->opts.flags & RR_F_PTY) || !rows || !cols || rows > USHRT_MAX ||
	    cols > USHRT_MAX)
		return -EINVAL;
	if (t->state == RR_TASK_DONE || t->state == RR_TASK_ENDING)
		return -ESRCH;
	t->pty.rows = rows;
	t->pty.cols = cols;
	if (t->state != RR_TASK_RUNNING)
		return 0;
	r = t->kind->resize(t, rows, cols);
	rr__loop_wake(t->loop); /* remotely, a request to send */
	return r;
}

void rr_task_free(rr_task *t)
{
	rr_loop *loop;

	if (!t)
		return;
	leave_group(t); /* a freed task is no group's: none points to it */
	switch (t->state) {
	case RR_TASK_QUEUED:
		loop = t->loop;
		t->kind->dequeue(t);
		assert(loop->alive > 0);
		loop->alive--;
		destroy(t);
		rr__loop_wake(loop); /* maybe no work is left */
		return;
	case RR_TASK_RUNNING:
		/* Ended in the background; no callback runs again. */
		t->freed = true;
		if (t->kill_stage != RR_KILL_FINAL)
			kill_now(t, rr__now());
		rr__loop_wake(t->loop);
		/* fall through */
	case RR_TASK_ENDING:
		t->freed = true; /* settle frees it */
		assert(t->loop->alive > 0);
		t->loop->alive--;
		return;
	case RR_TASK_DONE:
		if (t->in_done)
			t->freed = true; /* settle frees it when on_done returns */
		else
			destroy(t);
		return;
	}
}

const struct rr_result *rr_task_result(const rr_task *t)
{
	return t ? &t->result : NULL;
}

bool rr_task_done(const rr_task *t)
{
	return t && t->state == RR_TASK_DONE;
}

const char *rr_task_title(const rr_task *t)
{
	return t ? t->title : NULL;
}

void *rr_task_user(const rr_task *t)
{
	return t ? t->opts.user : NULL;
}

rr_loop *rr_task_loop(const rr_task *t)
{
	return t ? t->loop : NULL;
}
