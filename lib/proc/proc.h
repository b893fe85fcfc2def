/*
 * proc.h - the local-process kind: a task that is a child process of ours,
 * started with clone on a reused stack slot, its exit a ring completion on
 * its pidfd, its stdin fed through a socketpair (or its pseudo-terminal).
 * The loop's processes wait in one FIFO for a slot (max_running) and join
 * the turn through a hook registered by the first rr_shell() or rr_exec().
 */
#ifndef RR_PROC_H
#define RR_PROC_H

#include "task.h"

#include <limits.h>
#include <signal.h>

/* Programs found in PATH, by name, for the PATH they were found with. */
struct rr_path_cache {
	char *path_env;
	struct {
		char *name, *path;
	} e[8];
	unsigned next;
};

/* The loop's local processes. */
struct rr_procs {
	struct rr_hook hook;
	rr_loop *loop;
	struct rr_queue queue;   /* waiting for a slot, FIFO */
	unsigned running;        /* spawned and not yet settled (freed too) */
	unsigned unreaped;       /* spawned and not yet reaped */
	uint64_t spawned;
	bool fd_wait;            /* a start met EMFILE: wait for one to end */
	bool shutting_down;      /* rr_loop_free: only reaping is left */
	int devnull;
	struct rr_slot *slots;   /* children's stacks, reused (spawn.c) */
	bool spawn_vfork;        /* wait for each child's execve */
	sigset_t spawn_saved_mask;
	struct rr_path_cache paths;
};

/* The child's stdin: a socketpair's end, or a dup of the pty master. */
struct rr_feed {
	struct rr_op op;
	int fd;
	bool pty;      /* a terminal: WRITEs, and EOF is its EOF character */
	bool busy;     /* an op is in flight */
	bool eof_sent; /* the EOF character is in flight */
	char eof;
};

/* A local task's own state, in the bytes after its struct rr_task. */
struct rr_proc {
	struct rr_procs *procs;
	struct rr_op op;         /* the wait for its exit */
	struct rr_op exec_op;    /* the read that tells its execve (on_start) */
	int exec_fd;             /* what that reads, or -1 */
	char exec_byte;
	int held[3];             /* its stdout, stderr and stdin ends, read and
				    fed once it has exec'd; -1: none */
	pid_t pid;
	int pidfd;
	bool reaped;
	bool stopping;           /* its kill's grace is over: read no more */
	bool dropped;            /* output was still held open then */
	char ending[96];         /* how it ended, when the exit code is not all */
	int spawn_errno;         /* set by the parent, or by the child itself */
	int end_sig;             /* the last signal sent to end the group, or 0 */
	siginfo_t si;
	struct rusage ru;
	struct rr_feed feed;
};

static inline struct rr_proc *rr__proc(struct rr_task *t)
{
	return rr__task_kind_data(t);
}

/* kind.c: it could not start (err: a positive errno); said once, here. */
void rr__proc_spawn_failed(struct rr_task *t, int err);

/* spawn.c */
struct rr_spawn {
	const char *path;
	char *const *argv;
	char *const *env;  /* extra entries over environ, or NULL */
	int fds[3];        /* what becomes fd 0, 1, 2; -1 keeps the host's */
	bool pty;          /* fd 0 is a pty slave: a new session, its terminal */
	const char *term;  /* TERM over the environment's, or NULL */
	/* Where to put the fd whose end of file says the child has exec'd or
	   exited (-1: the spawn waited for that itself), or NULL. */
	int *exec_fd;
	const char *cwd;
	int *err;          /* the child writes its errno here if it fails */
};
void rr__spawn_free(struct rr_procs *ps);
void rr__spawn_batch_begin(struct rr_procs *ps);
void rr__spawn_batch_end(struct rr_procs *ps);
int rr__spawn(struct rr_procs *ps, const struct rr_spawn *sp, pid_t *pid, int *pidfd);

/* path.c */
int rr__resolve(struct rr_path_cache *c, const char *name, const char **path);
void rr__paths_free(struct rr_path_cache *c);

/* exit.c */
void rr__proc_wait(struct rr_task *t);
int rr__proc_signal(struct rr_task *t, int sig, unsigned flags);
void rr__proc_drop_output(struct rr_task *t, int code);

/* feed.c */
void rr__feed_start(struct rr_task *t, int fd, bool pty);
void rr__feed_kick(struct rr_task *t);
void rr__feed_stop(struct rr_task *t);

/* pty.c */
int rr__pty_open(const struct rr_task *t, int *master, int *slave);
int rr__pty_resize(int master, unsigned rows, unsigned cols);
char rr__pty_eof_char(int master);

#endif
