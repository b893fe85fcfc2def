/*
 * ringrun.h - run thousands of commands at once from one thread on one
 * io_uring.
 *
 * A loop (rr_loop) owns one io_uring.  Tasks (rr_task) are local processes
 * started with rr_shell() or rr_exec(), or remote commands started with
 * rr_ssh() on a host (rr_host) over SSH, many of them as channels of one
 * connection.  Every wait - child output, child exit, socket I/O, deadlines
 * - is a ring completion; nothing blocks (but the documented exceptions: name
 * resolution in rr_host_new() and a local ssh-agent round trip), no thread
 * is started and no signal handler is installed.
 *
 * Conventions
 *  - Functions that return int return 0 (or a count) on success and a
 *    negative errno value on failure; rr_strerror() names it.  Functions that
 *    return a pointer return NULL and set errno on failure.
 *  - Options and every string or byte buffer they point to are copied when a
 *    task is submitted: the caller may free them on return.
 *  - A function that fails never calls a callback.  on_done fires exactly
 *    once for every task that is not freed first.  Data handed to a callback
 *    is borrowed for the duration of the call.
 *  - Callbacks may submit, kill and free tasks.  Calling rr_loop_run(),
 *    rr_task_wait() or rr_group_wait() from a callback fails with -EBUSY.
 *  - A loop is used by the thread that created it (rr_loop_post() excepted).
 *    There is no global state: loops in different threads are independent.
 *  - The host program must not reap the loop's children (no waitpid(-1) in a
 *    SIGCHLD handler) and must not set SIGCHLD to SIG_IGN: rr_loop_new()
 *    refuses with ECHILD when it is ignored.
 *  - A NULL handle is refused (-EINVAL, or NULL with errno EINVAL) by every
 *    function that takes one; the *_free functions take NULL as a no-op.
 *  - RINGRUN_DEBUG=1 in the environment when a loop is made traces every
 *    state change of its tasks, connections and channels to stderr.
 *
 * ABI: what may change without breaking a program built against an older
 * header (the soname stays libringrun.so.0; rr_version() tells the release)
 *  - The options structs passed in (rr_loop_opts, rr_opts, rr_host_opts,
 *    rr_pty) and rr_loop_stats and rr_host_config, which the library
 *    fills, begin with "size_t size": the size of the struct as the
 *    caller's header has it.
 *    0 means the first layout, so a zero-initialised struct keeps working.
 *    A field added later is added at the end, at or past the old sizeof,
 *    and is read only from a caller whose size covers it: to use one, set
 *    .size = sizeof(struct rr_opts) (for instance), and any library still
 *    older than that field refuses a non-zero value of it (E2BIG) instead of
 *    ignoring it.  A size below the first layout's is EINVAL.
 *  - struct rr_result and rr_capture are the library's own: fields are only
 *    added at the end of rr_result.  struct rr_kill_step and rr_host_spec
 *    never change.
 *  - Enum values and flag bits are never renumbered; new ones are added.
 */
#ifndef RINGRUN_H
#define RINGRUN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/select.h> /* sigset_t, which <signal.h> hides under -std=c11 */
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RR_VERSION "0.1.0"
#define RR_VERSION_NUM 0x000100

/* Lines longer than rr_opts.line_max (default this) are handed to on_line in
   pieces of that size. */
#define RR_LINE_MAX (1024 * 1024)

/* rr_opts.expect_exit: any exit code is success (only a death by signal,
   a timeout or a kill is not). */
#define RR_EXPECT_ANY INT_MIN

typedef struct rr_loop rr_loop;
typedef struct rr_task rr_task;
typedef struct rr_host rr_host;
typedef struct rr_group rr_group;

/* ------------------------------------------------------------------ loop */

/* Flags for rr_loop_opts.flags: force the fallback paths (tests use them). */
enum {
	RR_LOOP_NO_WAITID = 1 << 0,    /* exit by pidfd poll + waitid(WNOHANG) */
	RR_LOOP_NO_MULTISHOT = 1 << 1, /* one-shot READ per pipe chunk */
	RR_LOOP_SPAWN_VFORK = 1 << 2,  /* wait for each child's execve (chosen
					  by itself under valgrind) */
};

/* Loop options; all zero means the defaults given on each field. */
struct rr_loop_opts {
	size_t size; /* sizeof(struct rr_loop_opts), or 0: see ABI above */
	/*
	 * Most processes running at once; later tasks wait in FIFO order.
	 * Never more than the fd limit leaves room for (rr_loop_stats() tells
	 * the number in force): RLIMIT_NOFILE's soft limit is raised to the
	 * hard one (children get the original back), and 0 means just that
	 * many.  A start that still runs out of fds (or processes) waits for a
	 * running task to end; it fails only when none runs.
	 */
	unsigned max_running;
	unsigned flags; /* RR_LOOP_*; also RINGRUN_NO_WAITID=1,
			   RINGRUN_NO_MULTISHOT=1 and RINGRUN_SPAWN_VFORK=1 in
			   the environment */
	/*
	 * When set, the signal mask in force while the loop sleeps in the
	 * kernel (pselect-style).  A program that blocks SIGINT and passes its
	 * old mask here gets rr_loop_run() = -EINTR exactly when the signal
	 * arrives, with no race.
	 */
	const sigset_t *wait_sigmask;
	/*
	 * SSH admission control, loop-wide: connections between TCP connect
	 * and authenticated at once (default 6: sshd's MaxStartups starts
	 * dropping at 10 unauthenticated connections, and counts one a little
	 * past its authentication), and new connections per second (0: no
	 * limit).  A connection closed before the server's banner is retried
	 * with a backoff, up to 3 times.
	 */
	unsigned max_handshakes; /* default 6 */
	unsigned connect_rate;   /* per second; 0: no limit */
	/*
	 * What the loop went on past but the program may want to tell its user
	 * (a known_hosts line it could not read, ...): one line, no newline,
	 * each cause once.  Called on the loop's thread; NULL: not told.
	 */
	void (*on_warning)(rr_loop *loop, const char *msg, void *user);
	void *user; /* handed to on_warning */
	/*
	 * Processes started in one turn at most (0: 16, a few ms of spawning
	 * on a small machine).  When more could start, the turn does not wait
	 * and rr_loop_timeout_ms() is 0: the next turn starts more, after this
	 * one's output and exits are handled.
	 */
	unsigned max_spawns_per_turn;
};

/* Feature bits reported in rr_loop_stats.features (all known once the loop
   is made). */
enum {
	RR_FEAT_WAITID = 1 << 0,         /* exits as IORING_OP_WAITID */
	RR_FEAT_READ_MULTISHOT = 1 << 1, /* pipes read multishot from a buffer ring */
	RR_FEAT_DEFER_TASKRUN = 1 << 2,  /* never set: a DEFER_TASKRUN ring tells
					    rr_loop_fd() late (kept for the ABI) */
	RR_FEAT_GROUP_SIGNAL = 1 << 3,   /* pidfd_send_signal to a process group */
	RR_FEAT_ASYNC_SPAWN = 1 << 4,    /* spawns do not wait for execve */
};

struct rr_loop_stats {
	size_t size;        /* set by the caller (0: the first layout), and by
			       rr_loop_stats() to the bytes it filled */
	uint64_t enters;    /* io_uring_enter calls (submit and/or wait) */
	uint64_t sqes;      /* submission entries */
	uint64_t cqes;      /* completion entries reaped */
	uint64_t spawned;   /* processes started */
	uint64_t finished;  /* tasks ended */
	unsigned running;   /* processes running now */
	unsigned queued;    /* tasks waiting for a free slot */
	unsigned max_running; /* the limit in force (rr_loop_opts.max_running) */
	unsigned features;  /* RR_FEAT_* in use */
};

enum rr_run_mode {
	RR_RUN_DEFAULT = 0, /* until no task, no armed timer and no posted
			       function is left */
	RR_RUN_ONCE = 1,    /* one turn: wait for at least one completion,
			       a timer or a watched fd */
	RR_RUN_NOWAIT = 2,  /* one turn without waiting */
};

/*
 * Create a loop; opts may be NULL.  Returns NULL with errno set: ECHILD when
 * SIGCHLD is ignored in this process, ENOSYS when io_uring is unavailable,
 * EINVAL or E2BIG for opts of a size it cannot take (see ABI above).
 */
rr_loop *rr_loop_new(const struct rr_loop_opts *opts);

/*
 * Kill (SIGKILL, whole process group) and reap every process still running,
 * drop queued tasks, free every task not yet freed and the loop.  Remote
 * commands are killed on their servers too: it waits (at most 3 s per
 * connection) until the kills have run there, then says goodbye.  No
 * callback runs.  Must not be called from a callback.
 */
void rr_loop_free(rr_loop *loop);

/*
 * Run the loop.  Returns the number of tasks not yet ended (queued or
 * running), -EBUSY when called from a callback, or -EINTR when a signal
 * arrived during the wait and rr_loop_opts.wait_sigmask is set (the loop is
 * intact: call again).  Without wait_sigmask an interrupted wait is resumed.
 */
int rr_loop_run(rr_loop *loop, enum rr_run_mode mode);

/*
 * A file descriptor that becomes readable when the loop has work, for a host
 * program with its own poll/epoll loop: poll it for POLLIN (with
 * rr_loop_timeout_ms() as the timeout), then call
 * rr_loop_run(loop, RR_RUN_NOWAIT), which also drains it.  It also becomes
 * readable when work is added outside rr_loop_run() (a submit, a kill, a
 * signal, stdin written or closed, a task freed, a timer started or
 * stopped), so a host that polls it never sleeps past that.  Returns the fd
 * or a negative errno.  The fd belongs to the loop.
 */
int rr_loop_fd(rr_loop *loop);

/*
 * Milliseconds until the loop needs rr_loop_run() again even if rr_loop_fd()
 * stays quiet: 0 when work is ready now (queued tasks, unsubmitted entries),
 * else the time to the nearest deadline, or -1 when there is none.
 */
int rr_loop_timeout_ms(const rr_loop *loop);

/*
 * For a host that keeps one timer for the loop (curl's CURLMOPT_TIMERFUNCTION
 * model): cb gets what rr_loop_timeout_ms() returns (-1 none, 0 now, else
 * ms) whenever that changes - work became ready, or none is, or the nearest
 * deadline moved - not as time passes.  It is called at the end of
 * rr_loop_run() (changes made by callbacks during the run included), inside
 * the call from outside rr_loop_run() that changed it (those rr_loop_fd()
 * names), and here at once unless the value is -1.  It runs as a callback:
 * it must not run the loop.  NULL stops the calls.
 */
void rr_loop_on_timeout(rr_loop *loop, void (*cb)(rr_loop *loop, int ms, void *user),
			void *user);

/*
 * One-shot timers on the loop's clock (CLOCK_MONOTONIC), for a host
 * program's own waits: a retry's backoff, a progress tick.  They share the
 * loop's single ring TIMEOUT with every task deadline.  An armed timer is
 * pending work: RR_RUN_DEFAULT runs until it has fired and RR_RUN_ONCE may
 * wait for it.  The callback runs on the loop like a task's callbacks; it may
 * start, stop or free any timer, its own included.  rr_loop_free() frees the
 * timers still there (without calling them).
 */
typedef struct rr_timer rr_timer;
typedef void rr_timer_cb(rr_timer *timer, void *user);

/* A stopped timer.  Returns NULL with errno set (ENOMEM, EINVAL). */
rr_timer *rr_timer_new(rr_loop *loop, rr_timer_cb *cb, void *user);

/* Fire once, delay_ms from now; an armed timer is moved. */
void rr_timer_start(rr_timer *timer, uint64_t delay_ms);

/* Disarm it; nothing happens if it is not armed. */
void rr_timer_stop(rr_timer *timer);

bool rr_timer_armed(const rr_timer *timer);

/* Stop and free it; NULL is ignored. */
void rr_timer_free(rr_timer *timer);

/*
 * Watches: a callback on the loop each time an fd of the program is ready,
 * polled on the loop's ring.  The program keeps owning the fd (close it only
 * after freeing its watch).  A watch is not pending work: RR_RUN_DEFAULT
 * returns with watches left (as with libuv's unreferenced handles), while
 * RR_RUN_ONCE waits for one to be ready.  The readiness is edge-triggered on
 * kernels with multishot polls (the default): read or write until EAGAIN
 * before waiting again; with RR_LOOP_NO_MULTISHOT it is level-triggered.
 * An fd that cannot be polled (closed: POLLNVAL, else POLLERR) is told once,
 * then the watch is silent until freed.  rr_loop_free() frees the watches
 * still there (without calling them).
 */
typedef struct rr_watch rr_watch;
typedef void rr_watch_cb(rr_watch *watch, int fd, unsigned revents, void *user);

/*
 * Watch fd for events (POLLIN, POLLOUT, POLLPRI); cb gets what is ready
 * (POLLHUP and POLLERR included).  Returns NULL with errno set (EINVAL,
 * ENOMEM).
 */
rr_watch *rr_watch_fd(rr_loop *loop, int fd, unsigned events, rr_watch_cb *cb,
		      void *user);

/* Stop watching and free it, from its own callback too; NULL is ignored. */
void rr_watch_free(rr_watch *watch);

/*
 * Run fn(arg) on the loop's thread, during one of its turns: the only
 * function of this library that may be called from any thread.  Posted
 * functions run in the order they were posted, each exactly once, and wake a
 * loop asleep in rr_loop_run() (or polling rr_loop_fd()); while one is
 * pending RR_RUN_DEFAULT does not return.  fn runs as a callback does.
 * Functions still queued when rr_loop_free() runs are dropped, not called; no
 * thread may post once it has begun.  Returns 0, -EINVAL or -ENOMEM.
 */
int rr_loop_post(rr_loop *loop, void (*fn)(void *arg), void *arg);

/* Counters and the kernel features in use, into as much of *stats as its
   size member (0: the first layout) says there is room for. */
void rr_loop_stats(const rr_loop *loop, struct rr_loop_stats *stats);

/* Text for a negative errno value returned by this library. */
const char *rr_strerror(int err);

/* RR_VERSION_NUM of the library linked: may differ from the header's. */
unsigned rr_version(void);

/* ----------------------------------------------------------------- tasks */

enum rr_stream {
	RR_STDOUT = 1,
	RR_STDERR = 2,
};

/* Where a child's stdout or stderr goes. */
enum rr_io {
	RR_IO_CAPTURE = 0, /* read and keep (up to capture_max); callbacks too */
	RR_IO_CALLBACK,    /* read and hand to on_line/on_chunk; keep nothing */
	RR_IO_DISCARD,     /* /dev/null: the bytes are never read */
	RR_IO_INHERIT,     /* the host program's own fd */
	RR_IO_MERGE,       /* stderr only: into stdout, like 2>&1 */
};

enum rr_status {
	RR_RUNNING = 0,     /* not ended yet: queued or running */
	RR_OK,              /* exited with the expected code */
	RR_EXIT_NONZERO,    /* exited non-zero where 0 was expected */
	RR_EXIT_UNEXPECTED, /* exited with a code other than expect_exit */
	RR_SIGNALED,        /* killed by a signal it was not sent by us */
	RR_TIMEOUT,         /* killed after timeout_ms */
	RR_IDLE_TIMEOUT,    /* killed after idle_timeout_ms without output */
	RR_SPAWN_FAILED,    /* could not be started (message says why) */
	RR_CANCELLED,       /* rr_task_kill() */
	RR_ERROR,           /* system error while running (message says which) */
	RR_CONNECT_FAILED,  /* SSH: refused, unreachable, name not found, timed
			       out, or the handshake failed */
	RR_HOSTKEY_REJECTED, /* SSH: host key unknown (strict), changed, revoked,
				vouched for only by a @cert-authority, the
				known_hosts file could not be read, or
				rr_host_opts.hostkey_cb refused it */
	RR_AUTH_FAILED,     /* SSH: no authentication method was accepted */
	RR_SSH_ERROR,       /* SSH: the connection or channel failed while the
			       command ran */
};

/* Short lowercase name of a status: "ok", "exit", "timeout", ... */
const char *rr_status_name(enum rr_status status);

/*
 * The host was never reached or refused us (RR_CONNECT_FAILED,
 * RR_HOSTKEY_REJECTED, RR_AUTH_FAILED): the command certainly did not run
 * there, and trying the host again may help.
 */
bool rr_status_unreachable(enum rr_status status);

/* Flags for rr_opts.flags. */
enum {
	RR_F_STDIN_INHERIT = 1 << 0, /* stdin is the host's fd 0, not /dev/null */
	RR_F_RUSAGE = 1 << 1,        /* fill user_us, sys_us, maxrss_kb */
	RR_F_AUTOFREE = 1 << 2,      /* free the task when on_done returns */
	/*
	 * stdin stays open after stdin_data: rr_task_write() streams more,
	 * rr_task_close_stdin() ends it (EOF).  Locally a socketpair (a pty
	 * with RR_F_PTY), remotely the channel.
	 */
	RR_F_STDIN_PIPE = 1 << 3,
	/*
	 * Run on a pseudo-terminal (rr_opts.pty gives its size and TERM):
	 * locally the child gets a new session with the pty as its controlling
	 * terminal and as fds 0-2; remotely a pty request precedes the exec, as
	 * with ssh -t.  Output arrives as one stream, RR_STDOUT (stdout_mode
	 * applies; stderr_mode is ignored); stdin is the pty too, fed from
	 * stdin_data and rr_task_write(), and its end is the terminal's EOF
	 * character (VEOF, ^D) once what was written has gone out.
	 */
	RR_F_PTY = 1 << 4,
};

/* The terminal of a task run with RR_F_PTY; all zero means the defaults. */
struct rr_pty {
	size_t size;      /* sizeof(struct rr_pty), or 0: see ABI above */
	unsigned rows;    /* default 24 */
	unsigned cols;    /* default 80 */
	const char *term; /* TERM; default the host program's, else "dumb" */
};

/*
 * One step of what a kill sends (rr_opts.kill_seq): the signal, then how long
 * to wait for the task to end before the next step.
 */
struct rr_kill_step {
	int sig;     /* the signal sent */
	unsigned ms; /* then the wait, in milliseconds */
};

/* Most steps in a kill_seq. */
#define RR_KILL_SEQ_MAX 16

typedef void rr_data_cb(rr_task *task, enum rr_stream stream,
			const char *data, size_t len, void *user);
typedef void rr_done_cb(rr_task *task, void *user);
typedef void rr_start_cb(rr_task *task, pid_t pid, void *user);
typedef void rr_eof_cb(rr_task *task, enum rr_stream stream, void *user);
typedef void rr_drain_cb(rr_task *task, void *user);

/* Task options; all zero means the defaults given on each field. */
struct rr_opts {
	size_t size;            /* sizeof(struct rr_opts), or 0: see ABI above */
	enum rr_io stdout_mode; /* default RR_IO_CAPTURE */
	enum rr_io stderr_mode; /* default RR_IO_CAPTURE */
	/*
	 * One complete line, without its '\n'; a final line without one is
	 * delivered at EOF.  Lines of a stream come in order.  A merged stderr
	 * arrives as RR_STDOUT.
	 */
	rr_data_cb *on_line;
	rr_data_cb *on_chunk; /* raw bytes as read, before line splitting */
	/*
	 * Bytes written to the child's stdin, which is then closed
	 * (communicate-style).  NULL: stdin is /dev/null, or the host's fd 0
	 * with RR_F_STDIN_INHERIT.  A child that exits without reading them
	 * is not an error and never raises SIGPIPE in the host.
	 */
	const void *stdin_data;
	size_t stdin_len;
	/*
	 * 0 = none.  On expiry the process group gets the kill_seq: by default
	 * SIGTERM, then SIGKILL kill_grace_ms later (default 2000).  A grace
	 * after the SIGKILL - or after any signal that found nobody left in the
	 * group - the task stops reading output a daemon it started still
	 * holds, and ends.
	 */
	uint64_t timeout_ms;
	uint64_t idle_timeout_ms; /* no output on any stream for this long */
	uint64_t kill_grace_ms;   /* the wait after a SIGKILL step, and before
				     it in the default kill_seq; default 2000 */
	int expect_exit;          /* the exit code that means success; default 0;
				     RR_EXPECT_ANY: any */
	/*
	 * Bytes kept per captured stream; default 64 MiB.  The excess is still
	 * read (the child never blocks) and counted in total, and the result is
	 * flagged truncated.
	 */
	size_t capture_max;
	const char *const *env;  /* extra "NAME=value" entries, NULL-terminated;
				    they override the host's environment */
	const char *cwd;         /* working directory of the child */
	const char *title;       /* names the task in messages; default: the
				    command */
	void *user;              /* handed to every callback */
	rr_done_cb *on_done;     /* the task ended; its result is final */
	unsigned flags;          /* RR_F_* */
	/*
	 * The process exists (remote: pid 0, once the server accepted the exec
	 * request); rr_task_result()->pid is set by then.  Called once, before
	 * any output of the task is handed out; never for a command that could
	 * not be started.  Locally that is known once the child's execve has
	 * succeeded: the loop does not wait for it (a close-on-exec pipe tells
	 * it, read on the ring), and the task's output and exit are read from
	 * then on.  That pipe is a cost: a fan-out that needs no pid starts
	 * faster without on_start.
	 */
	rr_start_cb *on_start;
	/* A stream that is read (capture or callback) reached its end. */
	rr_eof_cb *on_eof;
	/*
	 * With RR_F_STDIN_PIPE: everything written so far has been handed to
	 * the child (rr_task_stdin_pending() fell to 0) - or will never be,
	 * because its reader is gone (then rr_task_write() says -EPIPE).  A
	 * writer that waits for it bounds the memory stdin holds.
	 */
	rr_drain_cb *on_drain;
	const struct rr_pty *pty; /* with RR_F_PTY; NULL: the defaults */
	size_t line_max;          /* default RR_LINE_MAX */
	/*
	 * What a kill sends (a timeout, an idle timeout, rr_task_kill()), as GNU
	 * parallel's --termseq: each step's signal, then its wait; a SIGKILL
	 * step waits its ms, or kill_grace_ms when 0, and is the last.  1 to
	 * RR_KILL_SEQ_MAX steps, then one whose sig is 0.  When the steps
	 * run out before a SIGKILL, SIGKILL follows (then kill_grace_ms).  NULL:
	 * {SIGTERM, kill_grace_ms}, {SIGKILL, 0}.
	 */
	const struct rr_kill_step *kill_seq;
	/* A group of the same loop the task belongs to (rr_group_new()), or
	   NULL; another loop's is -EINVAL. */
	rr_group *group;
};

/* One captured stream. */
struct rr_capture {
	const char *data;  /* NUL-terminated for convenience; may hold NULs */
	size_t len;        /* bytes kept */
	size_t total;      /* bytes the child wrote */
	bool truncated;    /* total > len: capture_max was reached */
};

/*
 * The outcome of a task, valid until rr_task_free().  Before the task ends
 * status is RR_RUNNING and only pid and start_ns may be set.
 */
struct rr_result {
	enum rr_status status;
	int exit_code;         /* exit status; -N when killed by signal N */
	const char *message;   /* one line naming the task and the cause; ""
				  when status is RR_OK */
	struct rr_capture out; /* empty unless stdout was captured */
	struct rr_capture err; /* empty unless stderr was captured */
	pid_t pid;             /* 0 if no process was created */
	uint64_t start_ns;     /* CLOCK_MONOTONIC at spawn (0 if never started) */
	uint64_t end_ns;       /* CLOCK_MONOTONIC when the task ended */
	uint64_t user_us;      /* with RR_F_RUSAGE: the child's user CPU, */
	uint64_t sys_us;       /* its system CPU */
	long maxrss_kb;        /* and its peak resident set size */
	/*
	 * The command may have run: its process was created and exec'd it, or
	 * its remote exec request went out.  False: it certainly never ran
	 * (spawn failed, cancelled while queued, host not reached, channel lost
	 * before the request), so running it again cannot run it twice.
	 */
	bool started;
};

/*
 * Queue "/bin/sh -c cmd".  Returns the task, or NULL with errno set (EINVAL,
 * E2BIG for opts with a field this library does not know, ENOMEM).  The task starts when a slot is free, on a later loop turn.
 */
rr_task *rr_shell(rr_loop *loop, const char *cmd, const struct rr_opts *opts);

/*
 * Queue argv[0] with arguments argv[1..], NULL-terminated, without a shell.
 * argv[0] without a '/' is looked up in PATH.  A program that cannot be
 * started ends with RR_SPAWN_FAILED ("spawn 'name': No such file or
 * directory"); it is not an error of this call.
 */
rr_task *rr_exec(rr_loop *loop, const char *const argv[],
		 const struct rr_opts *opts);

/*
 * Run the loop until this task has ended.  Returns 0, -EBUSY from a callback
 * or -EINTR as rr_loop_run() does.
 */
int rr_task_wait(rr_task *task);

/*
 * Send sig to the task's whole process group and mark it cancelled: it ends
 * as RR_CANCELLED (exit_code still says how the process ended).  sig takes
 * the place of the first step of the kill_seq, whose later steps follow if
 * the task has not ended (by default SIGKILL kill_grace_ms later), and a
 * grace after the SIGKILL it stops waiting for what still holds its output.
 * Called again while the steps run, it sends sig at once (SIGKILL: the last
 * step now) and keeps their schedule.  A remote command gets each signal as
 * rr_task_signal() sends one (its exit code is what the server says); one
 * whose channel the server still keeps open then ends saying that a process
 * it left still runs.  A task still queued ends at once, on the next loop
 * turn.  Returns 0, -ESRCH when the task has already ended, or -EINVAL for a
 * bad signal or NULL.
 */
int rr_task_kill(rr_task *task, int sig);

/* Flags for rr_task_signal(). */
enum {
	RR_SIG_LEADER = 1 << 0, /* the process the task started only, not its
				   whole process group */
};

/*
 * Deliver sig (SIGHUP, SIGUSR1, SIGSTOP, SIGCONT, SIGTERM, ...; 0 checks
 * that it is there) to the task's process group, or with RR_SIG_LEADER to
 * its leader only.  Nothing more: the task is not cancelled, no SIGKILL
 * follows, and it ends as it ends (a SIGTERM it dies of ends it as
 * RR_SIGNALED).  Remotely the signal is sent by a kill(1) on a second
 * channel of the connection (or by the SSH "signal" request where libssh2
 * has it), once the command has reported its process group.  Returns 0,
 * -EAGAIN while the task waits to start, -ESRCH once it has ended (or its
 * process is gone), -EINVAL for a bad signal, flag or NULL.
 */
int rr_task_signal(rr_task *task, int sig, unsigned flags);

/*
 * With RR_F_STDIN_PIPE: queue len bytes (copied) for the task's stdin, after
 * stdin_data and what was written before.  A task still waiting to start
 * gets them when it starts.  Returns 0; -EPIPE once its reader is gone or
 * stdin was closed (never a SIGPIPE); -EINVAL without RR_F_STDIN_PIPE or for
 * NULL; -ENOMEM.
 */
int rr_task_write(rr_task *task, const void *buf, size_t len);

/*
 * With RR_F_STDIN_PIPE: end the task's stdin once what is pending has been
 * written (EOF; remotely the channel's EOF).  Returns 0 (also when already
 * closed), -EINVAL without RR_F_STDIN_PIPE or for NULL.
 */
int rr_task_close_stdin(rr_task *task);

/* Bytes accepted by rr_task_write() (or stdin_data) not yet handed to the
   child; 0 for NULL. */
size_t rr_task_stdin_pending(const rr_task *task);

/*
 * With RR_F_PTY: the terminal is now rows x cols (the child gets SIGWINCH;
 * remotely a window-change request).  A task still waiting to start starts
 * with that size.  Returns 0, -EINVAL without RR_F_PTY, for a zero size or
 * NULL, -ESRCH once it has ended.
 */
int rr_task_resize(rr_task *task, unsigned rows, unsigned cols);

/*
 * Release a task.  A task still queued is dropped; a running one has its
 * process group killed with SIGKILL and is reaped by the loop in the
 * background.  Its callbacks never run again.  May be called from on_done.
 */
void rr_task_free(rr_task *task);

/*
 * A task's result (valid until rr_task_free()), whether it has ended, its
 * title (rr_opts.title, else the command), its rr_opts.user and its loop;
 * NULL (false) for a NULL task.
 */
const struct rr_result *rr_task_result(const rr_task *task);
bool rr_task_done(const rr_task *task);
const char *rr_task_title(const rr_task *task);
void *rr_task_user(const rr_task *task);
rr_loop *rr_task_loop(const rr_task *task);

/* ---------------------------------------------------------------- groups */

/*
 * Tasks waited for, looked at and signalled together (asyncio's gather):
 * a task submitted with rr_opts.group belongs to that group until it is
 * freed.  A task the user frees (rr_task_free(), or RR_F_AUTOFREE after its
 * on_done) leaves its group at once, so a group never hands out a freed
 * task, and is neither waited for nor counted.  rr_loop_free() frees the
 * groups left.
 */
rr_group *rr_group_new(rr_loop *loop);

/*
 * Run the loop until every task of the group has ended (at once when none
 * runs).  Returns 0, -EBUSY from a callback or -EINTR as rr_loop_run() does.
 */
int rr_group_wait(rr_group *group);

/*
 * The tasks of the group that ended with a status other than RR_OK, in the
 * order they ended: the first max of them into out (out may be NULL when
 * max is 0).  Returns how many there are in all.
 */
size_t rr_group_failed(rr_group *group, rr_task **out, size_t max);

/*
 * rr_task_signal() to every running task of the group.  Returns 0, or the
 * first error other than -ESRCH and -EAGAIN (a task ended or still queued).
 */
int rr_group_signal(rr_group *group, int sig, unsigned flags);

/* Tasks in the group, and those of them not ended yet; 0 for NULL. */
size_t rr_group_size(const rr_group *group);
size_t rr_group_running(const rr_group *group);

/*
 * Free the group: its tasks run on, stay valid, and just leave it.  May be
 * called from a callback, also while rr_group_wait() runs on the group
 * (which then returns 0).
 */
void rr_group_free(rr_group *group);

/* ------------------------------------------------------------------- SSH */

enum rr_hostkey_policy {
	RR_HOSTKEY_STRICT = 0, /* only keys already in known_hosts (default) */
	RR_HOSTKEY_ACCEPT_NEW, /* record unknown keys, refuse changed ones */
	RR_HOSTKEY_OFF,        /* no check at all */
};

/* What known_hosts says of the key a server shows (rr_hostkey_info.known). */
enum rr_hostkey_known {
	RR_KNOWN_MATCH = 0,  /* a line for the host has this key */
	RR_KNOWN_NEW,        /* no line for the host (strict refuses it,
				accept-new records it) */
	RR_KNOWN_CHANGED,    /* lines for the host have other keys only */
	RR_KNOWN_REVOKED,    /* a @revoked line has this key */
	RR_KNOWN_CA,         /* only a @cert-authority line names the host:
				libssh2 cannot check host certificates */
	RR_KNOWN_UNREADABLE, /* the file exists but could not be read */
	RR_KNOWN_OFF,        /* RR_HOSTKEY_OFF: the file was not read */
};

/* What rr_host_opts.hostkey_cb answers. */
enum rr_hostkey_answer {
	RR_HOSTKEY_REJECT = 0, /* refuse it: the host's tasks end
				  RR_HOSTKEY_REJECTED */
	RR_HOSTKEY_ACCEPT,     /* trust it for this connection */
	RR_HOSTKEY_RECORD,     /* trust it and append it to known_hosts as
				  accept-new does (nothing when it matches);
				  a file it cannot read or write refuses it */
};

/* The key a server showed, for rr_host_opts.hostkey_cb. */
struct rr_hostkey_info {
	const char *type;        /* "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
	const char *fingerprint; /* "SHA256:" and unpadded base64, as
				    ssh-keygen -l prints it */
	const unsigned char *key; /* the public key blob (SSH wire format) */
	size_t key_len;
	enum rr_hostkey_known known;
	const char *known_hosts; /* the file asked */
	unsigned line;           /* its line that matched, changed, revoked or
				    vouched (CA); 0 otherwise */
	/* What rr_host_opts.hostkey alone would answer. */
	enum rr_hostkey_answer policy;
};

/*
 * Decide a server's host key.  Called on the loop's thread during each
 * handshake with the host (again for a new connection), after known_hosts
 * was consulted; info is borrowed for the call.  It runs as a callback does:
 * it must not run the loop (-EBUSY) and should answer at once; it must not
 * free host.
 */
typedef enum rr_hostkey_answer rr_hostkey_cb(rr_host *host,
					      const struct rr_hostkey_info *info,
					      void *user);

/*
 * The passphrase of the encrypted identity file at path, for
 * rr_host_opts.passphrase_cb: up to size - 1 bytes into buf, returning their
 * number; a negative errno skips the key.  Called from rr_host_new() with
 * the host it is making (not to be freed), never from the loop, so it may
 * prompt the user.  buf is wiped once used.
 */
typedef int rr_passphrase_cb(rr_host *host, const char *path, char *buf,
			     size_t size, void *user);

/* Sessions on one connection by default: OpenSSH's MaxSessions, so 9
   commands at once and 1 session for stopping them (rr_host_opts.channels). */
#define RR_HOST_CHANNELS_DEFAULT 10

/* Host options; all zero means the defaults given on each field. */
struct rr_host_opts {
	size_t size;          /* sizeof(struct rr_host_opts), or 0: see ABI above */
	const char *user;     /* default: the spec's user@, else the current user */
	unsigned port;        /* default: the spec's :port, else 22 */
	/*
	 * Private key files to offer, NULL-terminated; read once, here.
	 * Default: ~/.ssh/id_ed25519 and ~/.ssh/id_ecdsa where they exist.
	 * (libssh2 1.10 cannot sign with RSA keys against OpenSSH >= 8.8.)
	 */
	const char *const *identities;
	bool no_agent;        /* do not ask the ssh-agent at $SSH_AUTH_SOCK */
	/* Password (and keyboard-interactive) login, offered after the keys:
	   at most one of password, password_file and password_env (EINVAL). */
	const char *password_file; /* its first line is the password */
	const char *password_env;  /* name of the variable holding it */
	const char *known_hosts;   /* default ~/.ssh/known_hosts */
	enum rr_hostkey_policy hostkey;
	unsigned connect_timeout_ms; /* TCP connect + SSH handshake; 10000 */
	unsigned auth_timeout_ms;    /* default 30000 */
	unsigned keepalive_s;        /* SSH keepalive interval; 0: none */
	/*
	 * Sessions on the connection (the server's MaxSessions counts them);
	 * default RR_HOST_CHANNELS_DEFAULT.  One is kept for the channel that
	 * signals and stops its commands, so channels - 1 commands run at
	 * once; with 1, one command, and that channel opened beyond it.
	 */
	unsigned channels;
	/*
	 * How messages name the host when it differs from the spec (an
	 * ssh_config alias): "host web7 (10.0.0.7:22): connection refused".
	 * Checked as a spec's host is.  Default: "host:port".
	 */
	const char *alias;
	/* Fields past the first layout: read only with .size set (see ABI). */
	/*
	 * Decides every host key in place of the policy: asked only when set,
	 * under any policy (RR_HOSTKEY_OFF then leaves known_hosts unread:
	 * known is RR_KNOWN_OFF), and its answer is final - it may accept a key
	 * the policy refuses (changed, revoked) and refuse one known_hosts
	 * has.  A refused key ends the host's tasks RR_HOSTKEY_REJECTED with a
	 * message naming the host, the key type and its fingerprint; an answer
	 * other than the three refuses it too.  NULL: the policy decides.
	 */
	rr_hostkey_cb *hostkey_cb;
	/*
	 * The password, copied here; the copy is wiped (explicit_bzero) when
	 * the host is freed and is never in a message or a RINGRUN_DEBUG
	 * trace (libssh2's own passing copies, as it sends it, are not
	 * wiped).  password_file and password_env are read here as well.
	 */
	const char *password;
	/*
	 * Asked here for each encrypted identity (OpenSSH format with
	 * bcrypt-pbkdf, or PEM) the loop has not unlocked yet: a key it
	 * unlocks is unlocked for the loop's other hosts too, and its
	 * passphrase kept (libssh2 decrypts the key again when it signs) until
	 * the loop is freed, then wiped.  A passphrase that does not decrypt
	 * the key fails rr_host_new() with EKEYREJECTED after an on_warning
	 * naming the file: call it again to ask again, or answer a negative
	 * errno to go on without the key (quietly).  NULL: a locked key is
	 * skipped, with one on_warning per loop.
	 */
	rr_passphrase_cb *passphrase_cb;
	void *cb_user; /* handed to hostkey_cb and passphrase_cb (user is the
			  login name) */
};

/*
 * A host spec, "[user@]host[:port]" ("[addr]:port" or a bare address for
 * IPv6), split in place: the pointers are into the string given.
 */
struct rr_host_spec {
	const char *user;   /* NULL when there is no "user@" */
	size_t user_len;    /* its length */
	const char *host;   /* without the brackets of "[addr]" */
	size_t host_len;    /* its length */
	unsigned port;      /* 0 when there is no ":port" */
	bool brackets;      /* an IPv6 address: bracketed where a port follows */
	size_t error_at;    /* refused: the offset of the byte at fault */
};

/*
 * Parse spec[0..len), the one grammar rr_host_new() and the ringrun command
 * line use.  Refused, so that a spec can never become an option of another
 * program: spaces, control characters, a user or host beginning with '-',
 * a host name of anything but letters, digits, '-', '.' and '_' (an IPv6
 * address also ':' and "%zone"), a port outside 1-65535.  Returns 0, or
 * -EINVAL with *why (may be NULL) set to a static phrase ("contains a
 * space", "cannot be in a host name": the byte at out->error_at).
 */
int rr_host_spec_parse(const char *spec, size_t len, struct rr_host_spec *out,
		       const char **why);

/*
 * A remote host, "[user@]host[:port]" (an IPv6 address in brackets), that
 * rr_ssh() tasks run on.  One TCP connection is opened when the first task
 * needs it and shared by all of them as channels; a task beyond the channel
 * limit, or refused by the server (MaxSessions), waits for a free channel.
 * The name is resolved here, with a blocking getaddrinfo(), so that the loop
 * never waits for DNS; a name that does not resolve is not an error of this
 * call: its tasks end RR_CONNECT_FAILED.  Returns NULL with errno set:
 * EINVAL for a bad spec or more than one password source, ENOENT/EACCES for
 * an identity or password file that cannot be read, EKEYREJECTED for a
 * passphrase that does not decrypt its identity (rr_host_opts.passphrase_cb),
 * E2BIG for opts with a field this library does not know,
 * ENOMEM.
 */
rr_host *rr_host_new(rr_loop *loop, const char *spec,
		     const struct rr_host_opts *opts);

/*
 * Close the host's connection and release it.  Its tasks that have not
 * ended end as RR_CANCELLED (on_done runs) on the next loop turn; their
 * commands are killed (SIGKILL) on the server before the connection says
 * goodbye (it waits at most 3 s for that, in the background).
 */
void rr_host_free(rr_host *host);

/*
 * How messages name the host: "web7:22", "[::1]:22", or with
 * rr_host_opts.alias "h7 (10.0.0.7:22)".
 */
const char *rr_host_name(const rr_host *host);

/*
 * A host as ssh_config(5) describes alias: the host rr_host_new() makes of
 * rr_ssh_config_host()'s values for it.  ssh_config_path is the only file
 * read, as with ssh -F; NULL reads what ssh reads, ~/.ssh/config then
 * /etc/ssh/ssh_config.  The files are read at each call: a program making
 * many hosts from one configuration reads it once with rr_ssh_config_read()
 * and makes them with rr_ssh_config_host() and rr_host_new().  Returns NULL
 * with errno set, and the one-line reason told through the loop's
 * on_warning ("cfg: line 3: Port: not a number", "host web7: User -x: a
 * user name cannot begin with '-'"): EINVAL for a bad configuration, alias
 * or value of it, ENOENT for a file given that does not exist (or another
 * errno of reading it), ENOTSUP for a host the configuration sends through
 * a ProxyJump or ProxyCommand, which ringrun's client cannot follow (the
 * ringrun command runs those through the system ssh); then as
 * rr_host_new().  What rr_ssh_config_read() has to tell (a
 * CanonicalizeHostname not followed) is told through on_warning.
 */
rr_host *rr_host_from_config(rr_loop *loop, const char *alias,
			     const char *ssh_config_path,
			     const struct rr_host_opts *overrides);

/* OpenSSH client configuration files, as read (rr_ssh_config_read()). */
typedef struct rr_ssh_config rr_ssh_config;

/*
 * Read ssh_config files: path alone, or with NULL ~/.ssh/config then
 * /etc/ssh/ssh_config where they exist, with their Include files.  Of
 * ssh_config(5) ringrun keeps Host blocks (patterns with * ? and '!'
 * negation, case-sensitive), Match blocks (host, originalhost, user,
 * localuser, all, exec, canonical, final, each negated by '!'), Include,
 * HostName, User, Port, IdentityFile, IdentitiesOnly, UserKnownHostsFile,
 * StrictHostKeyChecking (ask is yes: ringrun never asks), ConnectTimeout,
 * ServerAliveInterval, ProxyJump and ProxyCommand; every other keyword is
 * passed over.  Values are checked wherever they are, as ssh checks them;
 * %-tokens only for the host resolved, where ssh expands them.  Host names
 * are not canonicalized (CanonicalizeHostname is taken as no): "Match
 * canonical" and "Match final" hold in the second reading that a "Match
 * final" asks for, as ssh has them without canonicalization.  Returns the
 * configuration, with why[0..whylen) a line to tell the user (a
 * CanonicalizeHostname not followed) or empty; or NULL with errno set
 * (EINVAL, ENOENT for a path that does not exist, ENOMEM, ...) and the
 * reason in why ("FILE: line N: Keyword: cause").
 */
rr_ssh_config *rr_ssh_config_read(const char *path, char *why, size_t whylen);

/*
 * What the configuration and the program's overrides make of one host;
 * the library fills it as it fills rr_loop_stats (see ABI above).
 */
struct rr_host_config {
	size_t size;          /* sizeof(struct rr_host_config), or 0 */
	const char *hostname; /* what rr_host_new() takes: HostName (%h
				 expanded), else the alias; in lower case
				 unless an address, as ssh connects to it */
	/*
	 * The options for rr_host_new(), their .size the library's: a program
	 * that copies them to change a field sets its copy's .size =
	 * sizeof(struct rr_host_opts).
	 */
	const struct rr_host_opts *opts;
	const char *proxy;    /* "ProxyJump" or "ProxyCommand" when the
				 configuration sets one for the host (ringrun's
				 client cannot follow it; its User and HostName
				 are then not checked), else NULL */
	/* Fields past the first layout: filled only when .size has them. */
	/*
	 * The identity files as ssh -G prints them: the overrides', then the
	 * configuration's IdentityFile values before their %-tokens are
	 * expanded, each once, missing ones too; when neither names any, the
	 * defaults tried (~/.ssh/id_ed25519, ~/.ssh/id_ecdsa).
	 * NULL-terminated.
	 */
	const char *const *identity_files;
	const char *known_hosts_file; /* opts->known_hosts, else the default
					 (~/.ssh/known_hosts) expanded;
					 "none" for UserKnownHostsFile none */
	const char *proxy_jump;    /* as ssh -G prints it, else NULL */
	const char *proxy_command; /* before its %-tokens are expanded */
};

/*
 * The host ssh would reach as alias, into out: each field set (not zero) in
 * overrides (may be NULL) wins over the configuration, whose first value
 * obtained wins, as ssh has it (RR_HOSTKEY_STRICT is the zero: to impose
 * it over a configuration's accept-new or no, set it on a copy of
 * out->opts).  identities: the overrides', then those of
 * the configuration's IdentityFile that exist (ssh passes over the others,
 * and takes -i's first alike); the defaults only when neither names any.
 * IdentitiesOnly yes sets no_agent; UserKnownHostsFile none is /dev/null;
 * opts->alias is alias where it is not the hostname, so that messages say
 * "host web7 (10.0.0.7:22)".  IdentityFile and UserKnownHostsFile expand a
 * leading ~, ${VAR} and the tokens %C %d %h %i %k %l %L %n %p %r %u %%
 * (%h the host connected to); HostName %h (the alias) and %%; Match exec
 * those but ${VAR}.  IdentityFile values are offered each once.  A
 * Match exec runs through $SHELL -c (else /bin/sh), at each call, as ssh
 * runs it, only when the criteria before it hold.  A User or HostName the host would take from the configuration must be one
 * rr_host_spec_parse() takes: nothing from a configuration becomes an
 * option of another program.  What out points to is c's until the next
 * call on it or rr_ssh_config_free().  Returns 0, or -EINVAL (a bad alias,
 * a refused User or HostName: "User -x: a user name cannot begin with '-'"
 * in why; a token the host's value cannot hold or a Match exec that could
 * not run: "cfg: line 4: HostName: unknown token %r"), -E2BIG (overrides, see ABI above), -ENOMEM; out->opts is NULL
 * then.
 */
int rr_ssh_config_host(rr_ssh_config *c, const char *alias,
		       const struct rr_host_opts *overrides,
		       struct rr_host_config *out, char *why, size_t whylen);

void rr_ssh_config_free(rr_ssh_config *c);

/*
 * Queue cmd to run on host, through the user's login shell as ssh does.
 * The options are those of rr_shell(), except: RR_IO_INHERIT and
 * RR_F_STDIN_INHERIT are refused (EINVAL); a discarded stream is discarded
 * on the remote side, so its bytes never cross the network, and a merged
 * stderr is merged there (2>&1); env and cwd are applied by the remote
 * shell; RR_F_RUSAGE has no effect.  The command first reports its session
 * id on stdout (a line that never reaches the task's output): signals and
 * kills (rr_task_signal, rr_task_kill, timeouts) go to that process group
 * through a second channel of the connection, and wait for that report.
 * exit_code is the remote exit status, or -N when the remote command died
 * of signal N, as the server says.  A connection lost under a command
 * leaves it running on the server; its task ends RR_SSH_ERROR and says so.
 */
rr_task *rr_ssh(rr_loop *loop, rr_host *host, const char *cmd,
		const struct rr_opts *opts);

/* The host a task runs on, or NULL for a local task. */
rr_host *rr_task_host(const rr_task *task);

/* ------------------------------------------------------------- file copy */

/* rr_xfer_opts.flags */
enum {
	RR_XFER_RECURSIVE = 1u << 0, /* a directory and all it holds (cp -r) */
	RR_XFER_PRESERVE = 1u << 1,  /* keep mode bits, access and modification
					times (cp -p); else a new file's mode is
					the source's under the receiving side's
					umask, as scp sets it */
	RR_XFER_MKDIRS = 1u << 2,    /* create missing parent directories of
					the destination (mkdir -p) */
	RR_XFER_FOLLOW = 1u << 3,    /* copy what symbolic links point to; by
					default a link is copied as a link */
};

/* One entry of a copy (a file, a directory, a link) that is done. */
struct rr_xfer_file {
	const char *src;       /* its path on the sending side */
	const char *dst;       /* its final path on the receiving side */
	char type;             /* 'f' file, 'd' directory, 'l' symbolic link */
	uint64_t bytes;        /* bytes of it copied */
	int err;               /* 0, or the negative errno that failed it */
	const char *message;   /* "host web7:22: /etc/app.conf: permission
				  denied"; "" when err is 0 */
};

typedef void rr_xfer_file_cb(rr_task *task, const struct rr_xfer_file *file, void *user);
/* bytes_total grows as rr_get() finds files in a remote directory. */
typedef void rr_progress_cb(rr_task *task, uint64_t bytes_done, uint64_t bytes_total,
			    void *user);

struct rr_xfer_opts {
	size_t size;             /* sizeof(struct rr_xfer_opts), or 0: see ABI */
	unsigned flags;          /* RR_XFER_* */
	uint64_t timeout_ms;     /* 0 = none: the copy is stopped, as a kill */
	const char *title;       /* names the task; default "put SRC DST" */
	void *user;              /* handed to every callback */
	rr_done_cb *on_done;
	rr_progress_cb *on_progress; /* after each piece of data that landed */
	rr_xfer_file_cb *on_file;    /* after each entry, copied or failed */
	rr_group *group;
};

/*
 * Copy the local file (or tree) local to remote on host (rr_put), or
 * host's remote to local (rr_get); src and dst below are the one sent and
 * the one written.  Over SFTP on a channel of the host's connection,
 * with the local side read and written through the ring.  A task like any
 * other: on_done, rr_task_wait, rr_task_kill (the copy stops, nothing it
 * left behind stays), timeout_ms, group; rr_task_signal is EOPNOTSUPP.
 *
 * Where: dst that is an existing directory, or ends in '/', receives src
 * under its own name (cp's rule); otherwise dst is the new name.  A
 * directory needs RR_XFER_RECURSIVE.  Every file is written to a temporary
 * name in its destination directory and renamed over dst once complete
 * (posix-rename@openssh.com where the server has it): a reader never sees
 * half a file, two writers never interleave, and a failed or stopped copy
 * removes its temporary file.  A failure of one entry ends that entry
 * (on_file says why) and the others go on; the task ends RR_OK when every
 * entry was copied, else RR_ERROR with the first failure's message and the
 * count of the others.  Connection failures end it as they end rr_ssh's.
 *
 * NULL with errno set when it cannot begin: EINVAL (NULL arguments, host
 * of another loop), E2BIG (opts, see ABI), ENOENT/EACCES/... (rr_put's
 * local, looked at now with lstat, or stat with RR_XFER_FOLLOW), EISDIR (a
 * directory without RR_XFER_RECURSIVE), ENOMEM.
 */
rr_task *rr_put(rr_loop *loop, rr_host *host, const char *local, const char *remote,
		const struct rr_xfer_opts *opts);
rr_task *rr_get(rr_loop *loop, rr_host *host, const char *remote, const char *local,
		const struct rr_xfer_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
