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
void rr__reader_eof(struct rr_reader *r);
void rr__reader_finish(struct rr_reader *r, struct rr_capture *res);
void rr__reader_release(struct rr_reader *r);

/* ------------------------------------------------------------------ kinds */

/* What the task core asks of a kind.  Every member is required. */
struct rr_kind {
	const char *name;   /* "process", "ssh", in traces */
	size_t size;        /* bytes of the kind's state after the task */
	/* Submitted: queue it where it waits for what it needs to run. */
	void (*start)(struct rr_task *t);
	/* Still queued and cancelled or freed: take it off that queue. */
	void (*dequeue)(struct rr_task *t);
	/* Running: deliver sig to what runs; -ESRCH when nothing is left. */
	int (*signal)(struct rr_task *t, int sig);
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

/* ------------------------------------------------------------------ tasks */

/* ENDING: ended without running (the kind refused it, or it was cancelled
   while queued), waiting on the loop's unstarted list to be settled. */
enum rr_task_state {
	RR_TASK_QUEUED,
	RR_TASK_RUNNING,
	RR_TASK_ENDING,
	RR_TASK_DONE,
};
enum rr_kill_stage { RR_KILL_NONE, RR_KILL_TERM_SENT, RR_KILL_KILL_SENT };

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
	uint64_t kill_at;
	uint64_t last_output_ns;

	struct rr_opts opts;    /* owned copy; strings point into blob */
	char **argv;            /* {"sh", "-c", cmd} or the exec argv */
	char **env;             /* extra entries, or NULL */
	char *title;
	char *blob;             /* one allocation holding the strings above */

	struct rr_reader out, err;
	struct rr_deadline deadline;
	struct rr_result result;
	char *message;          /* the one line of result.message, or NULL */
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

/* Queued -> running: deadlines start, the task waits for its exit. */
void rr__task_begin(struct rr_task *t, pid_t pid);
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
