/*
 * xfer.h - the copy kind (rr_put, rr_get): a task whose channel runs
 * sftp-server instead of a command.  A copy is a list of entries (the
 * file, or a tree's directories, files and links, in pre-order); a window
 * of them moves at once, each through its phases, its requests in flight
 * together on the channel and its local reads and writes on the ring.
 * xfer.c: the task, the channel's packets, the entries' bookkeeping;
 * xferput.c and xferget.c: the two directions' phases.
 */
#ifndef RR_XFER_H
#define RR_XFER_H

#include "ssh/sftp.h"

#include <sys/stat.h>

#define RR_XFER_CHUNK (64 * 1024)    /* bytes per READ/WRITE request */
#define RR_XFER_DATA_MAX 32          /* data requests + local ops in flight:
					2 MiB, the server's channel window */
#define RR_XFER_REQS 256             /* requests in flight, any kind */
#define RR_XFER_ACTIVE 16            /* entries moving at once */
#define RR_XFER_OUT_HIGH (1u << 20)  /* request bytes queued before the
					channel took them */
#define RR_XFER_WINDOW (8u << 20)    /* our receive window (rr_get) */

enum rr_xphase {
	RR_XE_WAIT,    /* not started */
	RR_XE_OPEN,    /* its file, directory or link is being made/opened */
	RR_XE_DATA,    /* data moves (a directory: being listed) */
	RR_XE_FINISH,  /* closing, setting its attributes */
	RR_XE_PLACE,   /* renamed into place */
	RR_XE_UNDO,    /* failed: closing, removing its temporary file */
	RR_XE_DONE,
};

/* One file, directory or link of a copy. */
struct rr_xent {
	char *rel;               /* path under the copy's root ("" for it) */
	char *src, *dst;         /* set when it starts */
	char *tmp;               /* the temporary name it is written to */
	char *link;              /* a link's target */
	char type;               /* 'f', 'd', 'l' */
	struct rr_sftp_attrs attrs; /* the source's */
	int parent;              /* its directory's entry, or -1 */
	enum rr_xphase phase;
	unsigned waiting;        /* its requests and local ops in flight */
	unsigned reads;          /* rr_put: local reads; rr_get: READ requests */
	unsigned writes;         /* rr_put: WRITE requests; rr_get: local writes */
	unsigned char handle[256];
	uint32_t hlen;           /* 0: no remote handle open */
	int fd;                  /* the local file, or -1 */
	uint64_t next_off;       /* where the next read begins */
	uint64_t bytes;          /* landed */
	bool eof;                /* the source's end was read */
	bool created;            /* its temporary file may exist */
	bool renamed_over;       /* a plain RENAME was refused: dst removed once */
	bool skipped;            /* under a directory that failed: untouched */
	bool restart;            /* rr_get: a followed link is now what it
				    points to */
	uint64_t hole_off;       /* rr_get: the rest of a short read, to ask */
	uint32_t hole_len;       /* for when a data slot frees */
	int err;                 /* the first failure, -errno */
	char *cause;             /* its words */
};

/* A request in flight; its slot is id % RR_XFER_REQS. */
enum rr_xtag {
	RR_XT_NONE,    /* a reply nobody waits for (mkdir -p's) */
	RR_XT_ROOT,    /* what the destination (or rr_get's source) is */
	RR_XT_OPEN, RR_XT_DATA, RR_XT_CLOSE, RR_XT_ATTRS, RR_XT_RENAME,
	RR_XT_UNLINK_DST, RR_XT_REMOVE, RR_XT_MKDIR, RR_XT_ISDIR, RR_XT_LIST,
	RR_XT_LINK, RR_XT_STATVFS, RR_XT_FOLLOW, RR_XT_DIRATTRS,
};
struct rr_xreq {
	uint32_t id;
	bool busy;
	uint8_t tag;             /* enum rr_xtag */
	unsigned ent;
	uint64_t off;
	uint32_t len;
};

/* A local read or write on the ring, and its buffer. */
struct rr_xchunk {
	struct rr_op op;
	struct rr_xfer *x;
	struct rr_xchunk *next_free;
	unsigned ent;
	uint64_t off;
	uint32_t len;            /* bytes asked for */
	char *data;              /* RR_XFER_CHUNK bytes */
};

enum rr_xstage {
	RR_XS_START,   /* the sftp subsystem request */
	RR_XS_INIT,    /* INIT sent, waiting for VERSION */
	RR_XS_ROOT,    /* where the copy goes */
	RR_XS_RUN,     /* entries move */
	RR_XS_DIRS,    /* rr_put with RR_XFER_PRESERVE: directories' attributes */
	RR_XS_END,     /* detached from its channel */
};

struct rr_xfer {
	struct rr_channel chan;  /* first: the connection drives it as one */
	bool get;                /* rr_get */
	unsigned flags;          /* RR_XFER_* */
	rr_progress_cb *on_progress;
	rr_xfer_file_cb *on_file;
	char *local, *remote;    /* as given */
	char *root;              /* the destination of entry 0, once known */
	enum rr_xstage stage;
	unsigned ext;            /* RR_SFTP_EXT_* */
	struct rr_buf in, out;   /* the channel's bytes: replies, requests */
	size_t out_off;
	struct rr_xreq req[RR_XFER_REQS];
	uint32_t next_id;
	unsigned nreq;
	struct rr_xent *ents;
	unsigned nents, cap;
	unsigned next;           /* the first entry not started */
	unsigned active;         /* started, not done */
	unsigned data;           /* data requests and local ops in flight */
	struct rr_xchunk *chunks; /* RR_XFER_DATA_MAX of them */
	struct rr_xchunk *free_chunks;
	unsigned local_ops;      /* chunks on the ring: the task holds for them */
	uint64_t bytes, total;
	unsigned failed;         /* entries that failed */
	unsigned copied;
	char *first;             /* the first failure's message */
	bool stopping;           /* killed: undo what moves, start nothing */
	bool abandon;            /* the kill's grace is over: end now */
	bool fatal;              /* the channel cannot go on */
	char ending[160];
	enum rr_status cancel;    /* its host or loop is freed: how it ends */
	char *cancel_msg;
};

static inline struct rr_xfer *rr__xfer(struct rr_task *t)
{
	return rr__task_kind_data(t);
}

extern const struct rr_kind rr__kind_xfer;

/* xfer.c, for the directions */
#define RR_XFER_NO_ENT UINT32_MAX
bool rr__xfer_can_send(const struct rr_xfer *x, bool data);
struct rr_xreq *rr__xfer_begin(struct rr_xfer *x, struct rr_sftp_out *o, uint8_t type,
			       unsigned ent, enum rr_xtag tag);
void rr__xfer_send(struct rr_xfer *x, struct rr_sftp_out *o);
void rr__xfer_path_req(struct rr_xfer *x, uint8_t type, const char *path, unsigned ent,
		       enum rr_xtag tag);
void rr__xfer_handle_req(struct rr_xfer *x, uint8_t type, struct rr_xent *e,
			 enum rr_xtag tag);
void rr__xfer_mkdirs(struct rr_xfer *x, const char *dir);
void rr__xfer_rename(struct rr_xfer *x, struct rr_xent *e, unsigned ent);
int rr__xent_add(struct rr_xfer *x, const char *rel, char type,
		 const struct rr_sftp_attrs *a, int parent);
void rr__xent_fail(struct rr_xfer *x, struct rr_xent *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rr__xent_status(struct rr_xfer *x, struct rr_xent *e, const struct rr_sftp_reply *r,
		     const char *what);
void rr__xent_done(struct rr_xfer *x, struct rr_xent *e);
char *rr__xfer_tmpname(const char *dst);
const char *rr__xfer_cause(int err);
char *rr__xfer_join(const char *a, const char *b);
const char *rr__xfer_base(const char *path, char *buf, size_t size);
struct rr_xchunk *rr__xchunk_take(struct rr_xfer *x, unsigned ent);
/* k's read or write of the local fd, on the ring. */
void rr__xchunk_read(struct rr_xfer *x, struct rr_xchunk *k, int fd, uint64_t off,
		     uint32_t len);
void rr__xchunk_write(struct rr_xfer *x, struct rr_xchunk *k, int fd, const char *p,
		      uint64_t off, uint32_t len);
void rr__xchunk_give(struct rr_xfer *x, struct rr_xchunk *k);
void rr__xfer_progress(struct rr_xfer *x, uint64_t n);
void rr__xfer_poke(struct rr_xfer *x);

/* xferput.c / xferget.c: the same four steps each way */
int rr__xput_plan(struct rr_xfer *x, const struct stat *st);
void rr__xput_root(struct rr_xfer *x, const struct rr_sftp_reply *r);
void rr__xput_start(struct rr_xfer *x, unsigned i);
void rr__xput_pump(struct rr_xfer *x, unsigned i);
void rr__xput_reply(struct rr_xfer *x, struct rr_xreq *q, const struct rr_sftp_reply *r);
void rr__xput_chunk(struct rr_xfer *x, struct rr_xchunk *k, int res);

void rr__xget_root(struct rr_xfer *x, const struct rr_sftp_reply *r);
void rr__xget_start(struct rr_xfer *x, unsigned i);
void rr__xget_pump(struct rr_xfer *x, unsigned i);
void rr__xget_reply(struct rr_xfer *x, struct rr_xreq *q, const struct rr_sftp_reply *r);
void rr__xget_chunk(struct rr_xfer *x, struct rr_xchunk *k, int res);
void rr__xget_dirs(struct rr_xfer *x);

/* channel.c, for the copy kind */
void rr__channel_detach(struct rr_conn *c, struct rr_channel *ch);
void rr__channel_fail(struct rr_conn *c, struct rr_channel *ch, const char *what);
/* Both kinds' table: its command (or subsystem) was asked for; "host H: ". */
bool rr__channel_started(const struct rr_task *t);
size_t rr__channel_describe(const struct rr_task *t, char *buf, size_t size);
bool rr__xfer_step(struct rr_conn *c, struct rr_channel *ch);
bool rr__xfer_cancel(struct rr_conn *c, struct rr_channel *ch, enum rr_status status,
		     const char *msg);
void rr__xfer_aborted(struct rr_channel *ch);

#endif
