/*
 * ssh.h - the SSH kind: a remote command on a channel of its host's one
 * connection, everything on the loop's ring.  Hosts, their connections
 * (admission, handshake, host key, auth) and channels live here; the SSH
 * module joins the loop's turn through a hook it registers when the first
 * host is made, so a loop that runs only local tasks never runs SSH code.
 */
#ifndef RR_SSH_H
#define RR_SSH_H

#include "task.h"

#include <libssh2.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Room for why a host key or a login was refused. */
#define RR_WHY_MAX 1024

/* ------------------------------------------------------------ the module */

/* The loop's SSH state, made by the first rr_host_new(). */
struct rr_ssh {
	struct rr_hook hook;
	rr_loop *loop;
	struct rr_host *hosts;
	struct rr_conn *admit_head, *admit_tail; /* waiting to connect */
	struct rr_conn *pokes;    /* to kick on the next turn */
	unsigned handshakes;      /* connections between connect and auth */
	unsigned closing;         /* connections sending their goodbye */
	unsigned going;           /* connections sending their last kills */
	unsigned killing;         /* channels of freed tasks, being killed */
	uint64_t rate_at;         /* when the last connection was let in */
	struct rr_deadline admit_deadline;
	struct rr_keyfile *keyfiles;   /* identity files, read once */
	struct rr_khfile *khfiles;     /* known_hosts files, read once */
};

/* -------------------------------------------------------------- channel.c */

enum rr_chan_state {
	RR_CHAN_OPEN,  /* channel open in progress (one per connection) */
	RR_CHAN_PTY,   /* with RR_F_PTY: the pty request */
	RR_CHAN_EXEC,  /* exec request */
	RR_CHAN_RUN,   /* stdin out, stdout and stderr in, until EOF */
	RR_CHAN_CLOSE, /* close, wait for the server's close, exit status */
};

/* A signal asked for before the command could get it (see chan_signal). */
struct rr_rsig {
	int sig;
	bool leader;     /* RR_SIG_LEADER: the shell only */
	bool end;        /* a kill's (RR__SIG_END) */
};

/* The remote command's report of its session, taken out of its stdout. */
struct rr_report {
	struct rr_buf held;  /* stdout bytes before the report line */
	pid_t sid;           /* the remote shell: session and process group */
	bool done;           /* reported (or given up): bytes pass through */
};

/* A remote task's own state, in the bytes after its struct rr_task: one
   command on one channel of its host's connection. */
struct rr_channel {
	struct rr_host *host;
	LIBSSH2_CHANNEL *ch;
	enum rr_chan_state state;
	char *command;   /* what the remote shell runs: cmd, wrapped */
	struct rr_report report;
	struct rr_rsig *held; /* signals waiting for the report, in order */
	unsigned nheld;
	bool exec_sent;  /* the command may run from here on */
	bool resize;     /* the pty's size changed: tell the server */
	bool veof_sent;  /* a pty's end of input (^D) went out */
	char last_in;    /* the last stdin byte sent */
	bool eof_sent;
	bool close_sent;
	bool killed;     /* a kill (RR__SIG_END) was asked for */
	bool kill_sent;  /* ... and went out to the server */
	bool no_stop;    /* it cannot be signalled: close the channel instead */
	bool abandon;    /* past the grace: end without the server's close */
	bool counted;    /* in rr_ssh.killing */
	bool sftp;       /* a copy's (xfer.h): sftp-server, not a command */
	char ending[160]; /* how it ended, when its exit code cannot say */
	struct rr_channel *next; /* the connection's other channels */
};
static inline struct rr_channel *rr__chan(struct rr_task *t)
{
	return rr__task_kind_data(t);
}

/* stop.c: the connection's control channel, a remote sh reading kill(1)
   lines on its stdin. */
enum rr_ctl_state {
	RR_CTL_NONE,    /* not open: opened when a signal is to go */
	RR_CTL_OPEN,    /* channel open in progress */
	RR_CTL_EXEC,
	RR_CTL_RUN,     /* lines out */
	RR_CTL_FAILED,  /* the server refused it: commands are only closed */
};

struct rr_control {
	enum rr_ctl_state state;
	LIBSSH2_CHANNEL *ch;
	struct rr_buf out;   /* kill lines not yet written */
	size_t off;
	bool eof_sent;       /* the connection goes: the sh ends after them */
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
	struct rr_channel *channels; /* commands on this connection */
	unsigned nchannels, channel_limit;
	struct rr_channel *opening; /* the channel being opened */
	struct rr_orphan *orphans; /* abandoned channels still to close */
	unsigned norphans;
	struct rr_control ctl;    /* where remote signals are sent from */
	bool going;               /* its host or the loop is freed: the kills of
				     its commands go out, then goodbye */
	struct rr_deadline retry; /* a refused connection or channel: again */
	unsigned refusals;        /* in a row, for the backoff */
	uint64_t rx_total;        /* bytes the server sent on this connection */
	bool banner;              /* its first bytes were an SSH banner ("SSH-") */
	struct rr_conn *next_admit;
	struct rr_conn *next_poke;
	bool poked;               /* on the loop's list of connections to kick */
};

/* A channel whose task ended without the server's close: closed later,
   once it could be stopped (kill_sig waits for its report). */
struct rr_orphan {
	struct rr_orphan *next;
	LIBSSH2_CHANNEL *ch;
	struct rr_report report;
	int kill_sig;
};

/* ----------------------------------------------------------------- host.c */

struct rr_keyfile {              /* keyfile.c */
	struct rr_keyfile *next;
	char *path, *data;
	size_t len;
	bool locked;                /* encrypted, and no passphrase opened it */
	bool warned;                /* that it was skipped, locked */
	char *passphrase;           /* the one that did, or NULL */
	struct rr_ed25519 *ed25519; /* unencrypted ed25519: signed with directly */
};

struct rr_khfile; /* a known_hosts file as read (knownhosts.c) */

struct rr_host {
	rr_loop *loop;
	struct rr_ssh *ssh;
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
	struct rr_queue queue;    /* tasks waiting for a channel */
	unsigned refs;            /* its tasks not yet destroyed */
	bool freed;
	bool held;                /* rr_host_free's ref, until its connection is done */
	struct rr_conn conn;
};

/* ssh.c */
struct rr_ssh *rr__ssh_of(rr_loop *loop);

/* file.c: path whole (NUL-terminated) into *data; -EFBIG past max bytes.
   !may_block: on the loop, where a FIFO must not make it wait. */
int rr__file_read(const char *path, size_t max, bool may_block, char **data,
		  size_t *len);

/* host.c */
/* rr_host_opts' first layout (ringrun.h, ABI): fixed for good. */
#define RR_HOST_OPTS_VER0 RR__SIZE_THROUGH(struct rr_host_opts, alias)
const char *rr__home_dir(void);     /* $HOME, else the password database's */
/* The identities offered when none is named ("~/..."), NULL-terminated,
   and the known_hosts file when none is, under the home directory. */
extern const char *const rr__default_identities[];
#define RR__DEFAULT_KNOWN_HOSTS ".ssh/known_hosts"
/* rel under the home directory (caller frees); NULL: out of memory. */
char *rr__path_in_home(const char *rel);
const char *rr__current_user(void);
/* Why s cannot be a user (or a host) of a spec, or NULL when it can. */
const char *rr__word_refused(const char *s, bool user);
void rr__host_unref(struct rr_host *host);
void rr__host_let_go(struct rr_host *host);
void rr__host_maybe_free(struct rr_host *host);
void rr__hosts_free(struct rr_ssh *ssh);

/* conn.c */
/* strerror's words as a clause ("connection refused"), into buf. */
const char *rr__lower_error(int err, char *buf, size_t size);
void rr__conn_want(struct rr_conn *c);
void rr__conn_kick(struct rr_conn *c);
void rr__conn_poke(struct rr_conn *c);
void rr__conn_pokes(struct rr_ssh *ssh);
void rr__conn_admit(struct rr_ssh *ssh);
void rr__conn_fail(struct rr_conn *c, enum rr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rr__conn_close(struct rr_conn *c);
bool rr__conn_bye(struct rr_conn *c);
void rr__conn_retry_in(struct rr_conn *c, uint64_t ms);
void rr__conn_recycle(struct rr_conn *c);
bool rr__conn_go(struct rr_conn *c, const char *why);
bool rr__conn_tx_full(const struct rr_conn *c);
/* n bytes at p after b's; -ENOMEM. */
int rr__buf_append(struct rr_buf *b, const void *p, size_t n);

/* channel.c */
extern const struct rr_kind rr__kind_ssh;
void rr__channels_step(struct rr_conn *c);
bool rr__channels_cancel(struct rr_conn *c, enum rr_status status, const char *msg);

/* orphan.c */
void rr__orphan_adopt(struct rr_conn *c, LIBSSH2_CHANNEL *ch, struct rr_report report,
		      int kill_sig);
void rr__orphan_channel(struct rr_conn *c, LIBSSH2_CHANNEL *ch);
void rr__orphans_step(struct rr_conn *c);
bool rr__orphans_waiting(const struct rr_conn *c);
void rr__orphans_free(struct rr_conn *c);
void rr__channel_abort(struct rr_channel *ch, enum rr_status status, const char *msg);

/* report.c */
extern const char rr__report_command[]; /* the wrapper's first words */
typedef void rr__report_give_fn(void *arg, const char *p, size_t n);
/* stdout bytes: what is output goes to give, the report line does not. */
void rr__report_feed(struct rr_report *r, const char *p, size_t n,
		     rr__report_give_fn *give, void *arg);
/* stdout ended: what is held is output after all. */
void rr__report_end(struct rr_report *r, rr__report_give_fn *give, void *arg);
void rr__report_free(struct rr_report *r);

/* stop.c */
int rr__stop_signal(struct rr_conn *c, pid_t sid, int sig, bool leader);
void rr__stop_step(struct rr_conn *c);
bool rr__stop_failed(const struct rr_conn *c);
bool rr__stop_pending(const struct rr_conn *c);
void rr__stop_free(struct rr_conn *c);

/* keyfile.c: the loop's copy of the identity at path, read the first time. */
int rr__keyfile_get(struct rr_ssh *ssh, const char *path, struct rr_keyfile **out);
/* 0: usable (unlocked by h's passphrase_cb if need be); -ENOKEY: to be
   skipped; -EKEYREJECTED: a passphrase that does not open it; -EINVAL. */
int rr__keyfile_unlock(struct rr_host *h, struct rr_keyfile *k);
void rr__keyfiles_free(struct rr_ssh *ssh);

/* ed25519.c: an unencrypted OpenSSH ed25519 identity, decoded once. */
#define RR_ED25519_BLOB 51 /* string "ssh-ed25519", string pub32 */
#define RR_ED25519_SIG 64
struct rr_ed25519;
/* 0; -EINVAL: not one (libssh2 is to read it); -ENOMEM. */
int rr__ed25519_parse(const char *data, size_t len, struct rr_ed25519 **out);
/* The public key blob, RR_ED25519_BLOB bytes. */
const unsigned char *rr__ed25519_blob(const struct rr_ed25519 *k);
int rr__ed25519_sign(const struct rr_ed25519 *k, const unsigned char *msg, size_t len,
		     unsigned char sig[RR_ED25519_SIG]);
/* libssh2_userauth_publickey with k: 0, or a LIBSSH2_ERROR_* (EAGAIN too). */
int rr__ed25519_userauth(LIBSSH2_SESSION *s, const char *user, struct rr_ed25519 *k);
void rr__ed25519_free(struct rr_ed25519 *k);

/* knownhosts.c */
void rr__hostkey_prefer(struct rr_conn *c);
int rr__hostkey_check(struct rr_conn *c, char *why, size_t size);
void rr__khfiles_free(struct rr_ssh *ssh);

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
/* s[0..n) decoded into out (room for n * 3 / 4 bytes), whitespace skipped,
   as OpenSSH decodes: the length, or -EINVAL. */
ssize_t rr__unbase64(const char *s, size_t n, unsigned char *out);
int rr__hostkey_parse(const void *blob, size_t len, struct rr_hostkey *key);
int rr__khline_parse(char *line, LIBSSH2_SESSION *s, struct rr_khentry *e,
		     const char **why);
void rr__khentry_free(struct rr_khentry *e);
int rr__khentry_names(const struct rr_khentry *e, const char *name);

/* auth.c */
int rr__auth_step(struct rr_conn *c, char *why, size_t size);
void rr__auth_reset(struct rr_conn *c);

#endif
