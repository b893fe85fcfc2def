/*
 * internal.h - what the library's files share.  Nothing here is public:
 * rr__ names are linked across lib/ only and the version script exports just
 * the rr_ API.
 */
#ifndef RR_INTERNAL_H
#define RR_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <libssh2.h>
#include <liburing.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "core/op.h"
#include "ringrun.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * The kernel writes our buffers through the ring, which valgrind cannot see;
 * without telling it, every byte a child wrote looks uninitialised.
 */
#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define RR_KERNEL_WROTE(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#define RR_ON_VALGRIND RUNNING_ON_VALGRIND /* it cannot follow async spawns */
#else
#define RR_KERNEL_WROTE(p, n) ((void)(p), (void)(n))
#define RR_ON_VALGRIND 0
#endif

#define RR_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RR_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Opcodes liburing 2.3 does not name (notes/uring-pidfd-libssh2.md §0). */
#define RR_OP_READ_MULTISHOT 49
#define RR_OP_WAITID 50
#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2) /* linux/pidfd.h, kernel 6.9 */
#endif

#define RR_DEFAULT_CAPTURE_MAX ((size_t)64 << 20)
#define RR_DEFAULT_KILL_GRACE_MS 2000
#define RR_MESSAGE_MAX 256

/* A FIFO of tasks through next_queued: the loop's, and each host's. */
struct rr_queue {
	struct rr_task *head, *tail;
};

/* ------------------------------------------------------------- deadline.c */

/* A point in CLOCK_MONOTONIC time at which fire() runs on the loop. */
struct rr_deadline {
	uint64_t at;
	unsigned slot; /* index in the heap + 1; 0 when not queued */
	void (*fire)(struct rr_deadline *d, uint64_t now);
};

struct rr_heap {
	struct rr_deadline **v;
	unsigned n, cap;
};

/* --------------------------------------------------------------- bufring.c */

/* The provided-buffer ring that multishot pipe reads pick buffers from. */
struct rr_bufring {
	struct io_uring_buf_ring *br;
	char *mem;
	unsigned count;    /* buffers; a power of two */
	unsigned size;     /* bytes per buffer */
	unsigned returned; /* buffers given back since the last publish */
};

/* ---------------------------------------------------------------- reader.c */

struct rr_buf {
	char *data;
	size_t len, size;
};

/* One child output pipe: read through the ring into a capture and/or lines. */
struct rr_reader {
	struct rr_op op;
	struct rr_task *task;
	struct rr_reader *next_rearm; /* on the loop's re-arm list */
	int fd;
	enum rr_stream which;
	bool capture;       /* keep the bytes (RR_IO_CAPTURE) */
	bool frozen;        /* capture_max reached: keep no more */
	bool truncated;
	bool rearm_queued;
	struct rr_buf cap;  /* captured bytes */
	size_t line_start;  /* in cap: where the unfinished line begins */
	struct rr_buf line; /* unfinished line when not reading into cap */
	size_t total;
	char *armed_at;     /* one-shot read target while a read is in flight */
};

/* ----------------------------------------------------------------- feed.c */

/* Bytes for the child's stdin, sent through a socketpair with MSG_NOSIGNAL. */
struct rr_feed {
	struct rr_op op;
	int fd;
	const char *data;
	size_t len, off;
	bool busy; /* a SEND is in flight */
};

/* ----------------------------------------------------------------- proc.c */

struct rr_proc {
	struct rr_op op;
	pid_t pid;
	int pidfd;
	bool reaped;
	int wait_err;   /* the exit status could not be had: -errno */
	int end_sig;    /* the last signal sent to end the group, or 0 */
	siginfo_t si;
	struct rusage ru;
};

/* -------------------------------------------------------------- channel.c */

enum rr_chan_state {
	RR_CHAN_OPEN,  /* channel open in progress (one per connection) */
	RR_CHAN_EXEC,  /* exec request */
	RR_CHAN_RUN,   /* stdin out, stdout and stderr in, until EOF */
	RR_CHAN_CLOSE, /* close, wait for the server's close, exit status */
};

/* One remote command on one channel of its host's connection. */
struct rr_channel {
	LIBSSH2_CHANNEL *ch;
	enum rr_chan_state state;
	char *command;   /* what the remote shell runs: cmd, wrapped */
	size_t in_off;   /* stdin bytes sent */
	bool exec_sent;  /* the command may run from here on */
	bool eof_sent;
	bool close_sent;
	int signal;      /* libssh2 >= 1.11: send as a "signal" request */
	bool killed;     /* close it (after the signal, if any) */
	bool abandon;    /* past the grace: end without the server's close */
	struct rr_task *next; /* the connection's other channels */
};

/* ----------------------------------------------------------------- task.c */

/* ENDING: ended without running (spawn failed, cancelled in the queue) and
   waiting on the loop's unstarted list to be settled. */
enum rr_task_state {
	RR_TASK_QUEUED,
	RR_TASK_RUNNING,
	RR_TASK_ENDING,
	RR_TASK_DONE,
};
enum rr_kill_stage { RR_KILL_NONE, RR_KILL_TERM_SENT, RR_KILL_KILL_SENT };

struct rr_task {
	rr_loop *loop;
	struct rr_task *prev, *next; /* every task of the loop not yet freed */
	struct rr_task *next_queued;
	enum rr_task_state state;
	bool is_exec;           /* argv without a shell */
	struct rr_host *host;   /* remote: the host it runs on; else NULL */
	bool freed;             /* released by the user: no more callbacks */
	bool in_done;           /* on_done is running */
	int pending;            /* exit + open readers + busy feed */
	int spawn_errno;        /* set by the parent, or by the child itself */
	enum rr_status reason;  /* why we killed it: timeout, idle, cancel */
	enum rr_status failed;  /* ended before running, message already set */
	enum rr_kill_stage kill_stage;
	uint64_t kill_at;
	uint64_t last_output_ns;

	struct rr_opts opts;    /* owned copy; strings point into blob */
	char **argv;            /* {"sh", "-c", cmd} or the exec argv */
	char **env;             /* extra entries, or NULL */
	char *title;
	char *blob;             /* one allocation holding the strings above */

	struct rr_proc proc;
	struct rr_reader out, err;
	struct rr_feed feed;
	struct rr_channel chan;
	struct rr_deadline deadline;
	struct rr_result result;
	char message[RR_MESSAGE_MAX];
};

/* ----------------------------------------------------------------- conn.c */

enum rr_conn_state {
	RR_CONN_IDLE,      /* no connection */
	RR_CONN_ADMIT,     /* waiting for a handshake slot or the rate limit */
	RR_CONN_CONNECT,   /* ring CONNECT in flight */
	RR_CONN_HANDSHAKE, /* SSH banner and key exchange, then host key */
	RR_CONN_AUTH,
	RR_CONN_READY,     /* channels run */
	RR_CONN_CLOSING,   /* our disconnect is being sent */
	RR_CONN_DRAIN,     /* failed: waiting for the ring to give back its ops */
};

enum rr_auth_stage {
	RR_AUTH_LIST,      /* ask which methods the server takes */
	RR_AUTH_AGENT,
	RR_AUTH_KEYS,
	RR_AUTH_PASSWORD,
	RR_AUTH_DONE,
};

struct rr_auth {
	enum rr_auth_stage stage;
	char *methods;            /* the server's list, "publickey,password" */
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *identity;
	bool agent_listed;
	size_t key;               /* next identity file to offer */
	char tried[160];          /* what we offered, for the failure message */
};

/* A host's connection: a socket, ring I/O buffers, a libssh2 session. */
struct rr_conn {
	struct rr_host *host;
	enum rr_conn_state state;
	int fd;
	LIBSSH2_SESSION *session;
	struct rr_op connect_op, send_op, recv_op;
	int inflight;             /* of those three, held by the ring */
	bool admitted;            /* holds one of the loop's handshake slots */
	bool kicking;             /* inside rr__conn_kick: never release */
	char *rx;                 /* bytes received, handed to libssh2 */
	size_t rx_len, rx_off;
	int rx_err;               /* the socket's end: -errno, or -ECONNRESET */
	bool recv_busy, send_busy;
	struct rr_buf tx_out;     /* being sent by the ring (immutable) */
	struct rr_buf tx_next;    /* what libssh2 wrote meanwhile */
	size_t tx_off;
	struct rr_deadline deadline; /* connect/auth timeout, then keepalive */
	struct rr_auth auth;
	struct rr_task *channels; /* tasks with a channel on this connection */
	unsigned nchannels, channel_limit;
	struct rr_task *opening;  /* the task whose channel is being opened */
	struct rr_orphan *orphans; /* abandoned channels still to close */
	unsigned norphans;
	struct rr_deadline retry; /* a refused connection or channel: again */
	unsigned refusals;        /* in a row, for the backoff */
	uint64_t rx_total;        /* bytes the server sent on this connection */
	struct rr_conn *next_admit;
	struct rr_conn *next_poke;
	bool poked;               /* on the loop's list of connections to kick */
};

/* A channel whose task ended without the server's close: closed later. */
struct rr_orphan {
	struct rr_orphan *next;
	LIBSSH2_CHANNEL *ch;
};

/* ----------------------------------------------------------------- host.c */

struct rr_keyfile {
	struct rr_keyfile *next;
	char *path, *data;
	size_t len;
};

struct rr_khfile; /* a known_hosts file as read (knownhosts.c) */

struct rr_host {
	rr_loop *loop;
	struct rr_host *prev, *next;
	char *name;               /* "host:port" or "alias (host:port)" */
	char *hostname;           /* as given: looked up in known_hosts */
	bool addr6;               /* an IPv6 address: "[addr]:port" */
	char *user;
	unsigned port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int resolve_err;          /* getaddrinfo's EAI_*, or 0 */
	struct rr_host_opts opts;
	struct rr_keyfile **keys; /* identities to offer, in order */
	size_t nkeys;
	char *password;
	struct rr_khfile *known;
	struct rr_queue queue;    /* tasks waiting for a channel */
	unsigned refs;            /* its tasks not yet destroyed */
	bool freed;
	struct rr_conn conn;
};

/* ----------------------------------------------------------------- loop.c */

struct rr_path_cache {
	char *path_env;     /* PATH the entries were resolved with */
	struct {
		char *name, *path;
	} e[8];
	unsigned next;
};

struct rr_loop {
	struct io_uring ring;
	bool ring_ready;
	unsigned features;       /* RR_FEAT_* */
	unsigned max_running;
	unsigned running;        /* spawned and not yet settled (freed ones too) */
	unsigned alive;          /* queued or running tasks the user still owns */
	unsigned unreaped;       /* spawned processes not yet reaped */
	int in_callback;
	unsigned skip_cqe;       /* IOSQE_CQE_SKIP_SUCCESS where supported */
	bool nofile_raised;
	struct rlimit nofile_orig;

	struct rr_task *tasks;   /* every task not yet freed */
	struct rr_queue queue;   /* local tasks waiting for a process slot */
	struct rr_task *unstarted; /* tasks that ended without running: settle
				      them on the loop's turn, not inside the
				      call or spawn batch that ended them */
	struct rr_reader *rearm;   /* readers whose multishot read stopped */

	struct rr_heap heap;
	struct rr_op timer_op;
	struct __kernel_timespec timer_ts;
	uint64_t timer_at;
	bool timer_armed;

	struct rr_bufring bufs;
	char *drain;             /* scratch for bytes past every use */
	int devnull;
	int evfd;
	bool have_wait_mask;
	sigset_t wait_mask;
	void (*on_warning)(rr_loop *loop, const char *msg, void *user);
	void *user;

	struct rr_slot *slots;   /* children's stacks, reused (spawn.c) */
	bool spawn_vfork;        /* wait for each child's execve */
	sigset_t spawn_saved_mask;
	struct rr_path_cache paths;

	uint64_t enters, sqes, cqes, spawned, finished;

	/* SSH */
	bool ssh_ready;           /* libssh2_init done */
	struct rr_host *hosts;
	struct rr_conn *admit_head, *admit_tail; /* waiting to connect */
	struct rr_conn *pokes;    /* to kick on the next turn */
	unsigned handshakes, max_handshakes, connect_rate;
	unsigned closing;         /* connections sending their goodbye */
	uint64_t rate_at;         /* when the last connection was let in */
	struct rr_deadline admit_deadline;
	struct rr_keyfile *keyfiles;   /* identity files, read once */
	struct rr_khfile *khfiles;     /* known_hosts files, read once */

	/* The user's timers */
	struct rr_timer *timers;
	unsigned timers_armed;
};

#define RR_DRAIN_SIZE (64 * 1024)
#define RR_BGID 0

/* loop.c */
struct io_uring_sqe *rr__sqe(rr_loop *loop, struct rr_op *op);
void rr__close(rr_loop *loop, int fd);
void rr__cancel(rr_loop *loop, struct rr_op *op);
uint64_t rr__now(void);
void rr__warn(rr_loop *loop, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* probe.c */
int rr__ring_setup(rr_loop *loop, unsigned flags);

/* bufring.c */
int rr__bufring_init(rr_loop *loop);
void rr__bufring_free(rr_loop *loop);
char *rr__bufring_data(rr_loop *loop, unsigned bid);
void rr__bufring_recycle(rr_loop *loop, unsigned bid);
void rr__bufring_publish(rr_loop *loop);

/* deadline.c */
void rr__deadline_set(rr_loop *loop, struct rr_deadline *d, uint64_t at);
void rr__deadline_clear(rr_loop *loop, struct rr_deadline *d);
void rr__deadline_arm(rr_loop *loop);
void rr__deadline_expire(rr_loop *loop);
int rr__deadline_ms(const rr_loop *loop);
void rr__deadline_free(rr_loop *loop);

/* timer.c */
void rr__timers_free(rr_loop *loop);

/* spawn.c */
struct rr_spawn {
	const char *path;
	char *const *argv;
	char *const *env;  /* extra entries over environ, or NULL */
	int fds[3];        /* what becomes fd 0, 1, 2; -1 keeps the host's */
	const char *cwd;
	int *err;          /* the child writes its errno here if it fails */
};
void rr__spawn_free(rr_loop *loop);
void rr__spawn_batch_begin(rr_loop *loop);
void rr__spawn_batch_end(rr_loop *loop);
int rr__spawn(rr_loop *loop, const struct rr_spawn *sp, pid_t *pid, int *pidfd);

/* path.c */
int rr__resolve(rr_loop *loop, const char *name, const char **path);
void rr__paths_free(struct rr_path_cache *c);

/* proc.c */
void rr__proc_wait(struct rr_task *t);
int rr__proc_signal(struct rr_task *t, int sig);

/* reader.c */
void rr__reader_init(struct rr_reader *r, struct rr_task *t,
		     enum rr_stream which, bool capture);
void rr__reader_start(struct rr_reader *r, int fd);
void rr__reader_arm(struct rr_reader *r);
void rr__reader_finish(struct rr_reader *r, struct rr_capture *res);
void rr__reader_release(struct rr_reader *r);

/* feed.c */
void rr__feed_start(struct rr_task *t, int fd);
void rr__feed_stop(struct rr_task *t);

/* task.c */
void rr__task_start(struct rr_task *t);
void rr__task_event_done(struct rr_task *t);
void rr__task_settle_unstarted(rr_loop *loop);
void rr__task_destroy(struct rr_task *t);

/* message.c */
void rr__message(struct rr_task *t);

/* task.c, for remote tasks */
void rr__task_begin(struct rr_task *t, int pending);
void rr__task_fail(struct rr_task *t, enum rr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rr__queue_push(struct rr_queue *q, struct rr_task *t);
struct rr_task *rr__queue_pop(struct rr_queue *q);

/* reader.c, for channels */
char *rr__reader_space(struct rr_reader *r, size_t *room);
void rr__reader_commit(struct rr_reader *r, char *p, size_t n);
void rr__reader_eof(struct rr_reader *r);

/* host.c */
void rr__host_unref(struct rr_host *host);
void rr__host_maybe_free(struct rr_host *host);
void rr__hosts_free(rr_loop *loop);

/* conn.c */
void rr__conn_want(struct rr_conn *c);
void rr__conn_kick(struct rr_conn *c);
void rr__conn_poke(struct rr_conn *c);
void rr__conn_pokes(rr_loop *loop);
void rr__conn_admit(rr_loop *loop);
void rr__conn_fail(struct rr_conn *c, enum rr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rr__conn_close(struct rr_conn *c);
bool rr__conn_bye(struct rr_conn *c);
void rr__conn_retry_in(struct rr_conn *c, uint64_t ms);
void rr__conn_recycle(struct rr_conn *c);
bool rr__conn_tx_full(const struct rr_conn *c);

/* channel.c */
void rr__channels_step(struct rr_conn *c);
void rr__orphans_free(struct rr_conn *c);
void rr__channel_kill(struct rr_task *t, int sig, bool abandon);
void rr__channel_abort(struct rr_task *t, enum rr_status status, const char *msg);

/* knownhosts.c */
void rr__hostkey_prefer(struct rr_conn *c);
int rr__hostkey_check(struct rr_conn *c, char *why, size_t size);
void rr__khfiles_free(rr_loop *loop);

/* khparse.c */
struct rr_hostkey {           /* a public key as ssh compares keys */
	const char *type;     /* its type's name (static) */
	const char *alg;      /* libssh2's host key algorithm for it, or NULL */
	bool cert;            /* a certificate: equal to no plain key */
	unsigned char *blob;  /* the plain key, canonical (a certificate's:
				 the key it certifies) */
	size_t len;
};
enum rr_khmarker { RR_KH_KEY, RR_KH_REVOKED, RR_KH_CA };
struct rr_khentry {           /* a known_hosts line with a key */
	enum rr_khmarker marker;
	unsigned line;
	char *patterns;       /* lowercase; NULL when hashed */
	LIBSSH2_KNOWNHOSTS *hashed; /* "|1|salt|hash", matched by libssh2 */
	struct rr_hostkey key;
};
size_t rr__base64(const void *p, size_t n, char *out, size_t size);
int rr__hostkey_parse(const void *blob, size_t len, struct rr_hostkey *key);
int rr__khline_parse(char *line, LIBSSH2_SESSION *s, struct rr_khentry *e,
		     const char **why);
void rr__khentry_free(struct rr_khentry *e);
int rr__khentry_names(const struct rr_khentry *e, const char *name);

/* auth.c */
int rr__auth_step(struct rr_conn *c, char *why, size_t size);
void rr__auth_reset(struct rr_conn *c);

#endif
