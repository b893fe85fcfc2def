/*
 * task.h - the task core: what every task is, whatever runs it, and the
 * table through which a kind of task (a local process, a remote command on
 * an SSH channel, ...) is driven.  Only task.c writes a task's state and
 * result; a kind reports what happened through the rr__task_* calls below
 * and keeps its own state in the bytes after the task (rr__task_kind_data).
 * Adding a kind touches neither the loop nor the other kinds.
 */
#ifndef RR_TASK_H
#define RR_TASK_H

#include "core/core.h"

#include <sys/resource.h>
#include <sys/types.h>

#define RR_DEFAULT_CAPTURE_MAX ((size_t)64 << 20)
#define RR_DEFAULT_KILL_GRACE_MS 2000

/* A FIFO of tasks through next_queued: a kind's waiting tasks. */
struct rr_queue {
	struct rr_task *head, *tail;
};

void rr__queue_push(struct rr_queue *q, struct rr_task *t);
void rr__queue_push_front(struct rr_queue *q, struct rr_task *t);
struct rr_task *rr__queue_pop(struct rr_queue *q);
void rr__queue_remove(struct rr_queue *q, struct rr_task *t);

/* ---------------------------------------------------------------- reader.c */

/* One output stream of a task: read into a capture and/or lines.  Local
   streams are pipes read through the ring; a remote one is fed by its
   channel (rr__reader_space/commit/eof) and has no fd. */
struct rr_reader {
	struct rr_op op;
	struct rr_task *task;
	struct rr_reader *next_rearm; /* on the loop's re-arm list */
	int fd;
	enum rr_stream which;
	bool open;          /* started and not at EOF: the task waits for it */
	bool capture;       /* keep the bytes (RR_IO_CAPTURE) */
	bool frozen;        /* capture_max reached: keep no more */
	bool truncated;
	bool rearm_queued;
	bool stopping;      /* read no more: EOF once the ring gives it back */
	bool oneshot;       /* never multishot: a tty's hangup wakes no such read */
	struct rr_buf cap;  /* captured bytes */
	size_t line_start;  /* in cap: where the unfinished line begins */
	struct rr_buf line; /* unfinished line when not reading into cap */
	size_t total;
	char *armed_at;     /* one-shot read target while a read is in flight */
};

void rr__reader_init(struct rr_reader *r, struct rr_task *t, enum rr_stream which,
		     bool capture);
void rr__reader_open(struct rr_reader *r);
void rr__reader_start(struct rr_reader *r, int fd);
void rr__reader_arm(struct rr_reader *r);
bool rr__reader_stop(struct rr_reader *r);
void rr__reader_rearm_all(rr_loop *loop);
char *rr__reader_space(struct rr_reader *r, size_t *room);
void rr__reader_commit(struct rr_reader *r, char *p, size_t n);
void rr__reader_take(struct rr_reader *r, const char *data, size_t n);
void rr__reader_eof(struct rr_reader *r);
void rr__reader_finish(struct rr_reader *r, struct rr_capture *res);
void rr__reader_release(struct rr_reader *r);

/* ------------------------------------------------------------------ stdin */

/* A piece of stdin written by rr_task_write(); small writes share one. */
struct rr_stdin_seg {
	struct rr_stdin_seg *next;
	size_t cap, len, off; /* data[off, len) is still to go */
	char data[];
};

/*
 * The task's stdin as the task core keeps it for its kind: stdin_data (in
 * the task's blob) first, then the copies of what was written.  The kind
 * peeks at the next bytes, sends them, and consumes what went out; bytes
 * peeked stay where they are until consumed (writes only append).
 */
struct rr_stdin {
	const char *first;   /* stdin_data still to go */
	size_t first_len;
	struct rr_stdin_seg *head, *tail;
	size_t pending;      /* bytes accepted, not yet consumed */
	bool closed;         /* no more writes: EOF once pending is 0 */
	bool broken;         /* its reader is gone: writes say -EPIPE */
};

/* Does the task have a stdin to feed (stdin_data, or RR_F_STDIN_PIPE)? */
bool rr__stdin_wanted(const struct rr_task *t);
/* The next bytes to send and their count; 0 when there are none now. */
size_t rr__stdin_peek(struct rr_task *t, const char **p);
/* n bytes of those went out; on_drain when nothing is left pending. */
void rr__stdin_consume(struct rr_task *t, size_t n);
/* Everything went out and no more will come: time for EOF. */
bool rr__stdin_done(const struct rr_task *t);
/* Its reader is gone: drop what is pending (on_drain), refuse writes. */
void rr__stdin_broken(struct rr_task *t);

/* ------------------------------------------------------------------ kinds */

/* rr_kind.signal flags beyond the public RR_SIG_*: the signal is a kill's
   (it is meant to end the task, and the kind ends what it left too). */
#define RR__SIG_END (1u << 31)

/* What the task core asks of a kind.  Every member is required. */
struct rr_kind {
	const char *name;   /* "process", "ssh", in traces */
	size_t size;        /* bytes of the kind's state after the task */
	/* Submitted: queue it where it waits for what it needs to run. */
	void (*start)(struct rr_task *t);
	/* Still queued and cancelled or freed: take it off that queue. */
	void (*dequeue)(struct rr_task *t);
	/* Running: deliver sig to what runs (flags: RR_SIG_LEADER,
	   RR__SIG_END); -ESRCH when nothing is left. */
	int (*signal)(struct rr_task *t, int sig, unsigned flags);
	/* Running: rr_task_write() or rr_task_close_stdin() left something for
	   stdin (rr__stdin_peek / rr__stdin_done): send it when idle. */
	void (*stdin_kick)(struct rr_task *t);
	/* Running with RR_F_PTY: the terminal is now rows x cols. */
	int (*resize)(struct rr_task *t, unsigned rows, unsigned cols);
	/* The grace after the last signal is over and it has not ended: stop
	   waiting for what it still holds. */
	void (*stop)(struct rr_task *t);
	/* The command may have run (rr_result.started). */
	bool (*started)(const struct rr_task *t);
	/* What messages put before the cause ("host web7:22: "), as snprintf
	   writes it: the length it needs is returned, buf may be NULL. */
	size_t (*describe)(const struct rr_task *t, char *buf, size_t size);
	/* How it ended, in place of what its exit code says, or NULL. */
	const char *(*ending)(const struct rr_task *t);
	/* It ended: give back what it held while running. */
	void (*settle)(struct rr_task *t);
	/* It is going: free what the kind owns. */
	void (*destroy)(struct rr_task *t);
};

/* ------------------------------------------------------------------ groups */

/*
 * What the task core knows of a task's group (group.c, whose rr_group
 * begins with this): a table it reaches the group through, so that the
 * task core calls no function of group.c.  The group sees a task join at
 * submit, end (before on_done) and leave (freed by the user, or destroyed).
 */
struct rr_group_link {
	rr_loop *loop;
	void (*join)(struct rr_task *t);
	void (*ended)(struct rr_task *t);
	void (*leave)(struct rr_task *t);
};

/* ------------------------------------------------------------------ tasks */

/* ENDING: ended without running (the kind refused it, or it was cancelled
   while queued), waiting on the loop's unstarted list to be settled. */
enum rr_task_state {
	RR_TASK_QUEUED,
	RR_TASK_RUNNING,
	RR_TASK_ENDING,
	RR_TASK_DONE,
};
/* A kill: not begun, sending its steps, or past its SIGKILL (or a signal
   that found nobody left): what remains is to stop waiting. */
enum rr_kill_stage { RR_KILL_NONE, RR_KILL_STEPS, RR_KILL_FINAL };

struct rr_task {
	rr_loop *loop;
	const struct rr_kind *kind;
	struct rr_task *prev, *next; /* every task of the loop not yet freed */
	struct rr_task *next_queued; /* its kind's queue, or the unstarted list */
	enum rr_task_state state;
	bool is_exec;           /* argv without a shell */
	bool freed;             /* released by the user: no more callbacks */
	bool in_done;           /* on_done is running */
	bool exited;            /* the command's end is known: result.exit_code */
	int pending;            /* events to wait for: the exit and each stream */
	enum rr_status reason;  /* why we killed it: timeout, idle, cancel */
	enum rr_status failed;  /* ended by its kind with this status */
	enum rr_kill_stage kill_stage;
	unsigned kill_next;     /* the step of opts.kill_seq to send next */
	unsigned kill_len;      /* its steps (the default's without one) */
	uint64_t kill_at;
	uint64_t last_output_ns;

	struct rr_opts opts;    /* owned copy; strings point into blob */
	char **argv;            /* {"sh", "-c", cmd} or the exec argv */
	char **env;             /* extra entries, or NULL */
	char *title;
	char *blob;             /* one allocation holding the strings above */

	struct rr_reader out, err;
	struct rr_stdin in;
	struct rr_pty pty;      /* with RR_F_PTY: its size now, and TERM */
	bool start_told;        /* on_start has run */
	struct rr_deadline deadline;
	struct rr_result result;
	char *message;          /* the one line of result.message, or NULL */
	struct rr_group_link *group; /* opts.group's, until it leaves */
	struct rr_task *group_prev, *group_next; /* its group's failed tasks */
	_Alignas(max_align_t) unsigned char kind_data[]; /* kind->size bytes */
};

static inline void *rr__task_kind_data(struct rr_task *t)
{
	return t->kind_data;
}

static inline const void *rr__task_kind_data_const(const struct rr_task *t)
{
	return t->kind_data;
}

/* The kind's own task from its state, as container_of does for members. */
#define rr__task_of(data) container_of((unsigned char *)(data), struct rr_task, kind_data)

/*
 * The task core joins the loop's turn: every kind calls this before it adds
 * its own hook, so that the core's comes first (it kills what runs first).
 */
void rr__task_core_join(rr_loop *loop);

/*
 * A task of kind with its own copy of argv and opts (NULL with errno set:
 * EINVAL, ENOMEM); remote: env names must be shell identifiers.  Then
 * rr__task_submit makes it the loop's and calls kind->start.
 */
struct rr_task *rr__task_new(rr_loop *loop, const struct rr_kind *kind,
			     const char *const *argv, bool is_exec,
			     const struct rr_opts *opts, bool remote);
rr_task *rr__task_submit(struct rr_task *t);
/* Not submitted after all (its kind's set-up failed): freed. */
void rr__task_discard(struct rr_task *t);

/* Queued -> running: deadlines start, the task waits for its exit.  since:
   the clock read before the process was made, so that start_ns never comes
   after the command's own start. */
void rr__task_begin(struct rr_task *t, pid_t pid, uint64_t since);
/* The command runs (pid: its process, 0 remotely): on_start. */
void rr__task_started(struct rr_task *t, pid_t pid);
/* One more event to wait for before it ends (a stream, stdin); done. */
void rr__task_hold(struct rr_task *t);
void rr__task_release(struct rr_task *t);
/* The command ended: code is its exit status, or -N for signal N. */
void rr__task_exited(struct rr_task *t, int code, const struct rusage *ru);
/* It ends with status and the message fmt: settled on the loop's turn when
   it never ran, else as soon as its streams are in (this is its exit). */
void rr__task_end(struct rr_task *t, enum rr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Running -> queued: its kind starts it again later (a refused channel). */
void rr__task_requeue(struct rr_task *t);
/* Output came: an idle timeout starts over. */
void rr__task_output(struct rr_task *t);

/* --------------------------------------------------------------- message.c */

/* "'cmd'" shortened as messages show it; returns buf. */
const char *rr__quoted_name(const char *name, char *buf, size_t size);
/* The one line for a task that ended as its result says; malloc'd. */
char *rr__message(const struct rr_task *t);

#endif
