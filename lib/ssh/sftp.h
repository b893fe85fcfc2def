/*
 * sftp.h - SFTP version 3 (draft-ietf-secsh-filexfer-02, as OpenSSH's
 * sftp-server speaks it) on a channel of the host's connection: the
 * packets (sftp.c) and the copy tasks built on them (xfer*.c).
 *
 * The protocol is ours rather than libssh2's SFTP layer: libssh2 1.10
 * cannot send posix-rename@openssh.com (the only rename that replaces a
 * file atomically) and keeps one request per call in flight per handle;
 * here any number of requests of any files are in flight at once, and a
 * reply is dispatched by its id.
 */
#ifndef RR_SFTP_H
#define RR_SFTP_H

#include "ssh/ssh.h"

#define RR_SFTP_VERSION 3
/* sftp-server's own limit on a packet (SFTP_MAX_MSG_LENGTH): longer is
   not SFTP. */
#define RR_SFTP_MAX_PACKET (256 * 1024)

enum rr_fxp {
	RR_FXP_INIT = 1, RR_FXP_VERSION = 2, RR_FXP_OPEN = 3, RR_FXP_CLOSE = 4,
	RR_FXP_READ = 5, RR_FXP_WRITE = 6, RR_FXP_LSTAT = 7, RR_FXP_FSTAT = 8,
	RR_FXP_SETSTAT = 9, RR_FXP_FSETSTAT = 10, RR_FXP_OPENDIR = 11,
	RR_FXP_READDIR = 12, RR_FXP_REMOVE = 13, RR_FXP_MKDIR = 14,
	RR_FXP_RMDIR = 15, RR_FXP_REALPATH = 16, RR_FXP_STAT = 17,
	RR_FXP_RENAME = 18, RR_FXP_READLINK = 19, RR_FXP_SYMLINK = 20,
	RR_FXP_STATUS = 101, RR_FXP_HANDLE = 102, RR_FXP_DATA = 103,
	RR_FXP_NAME = 104, RR_FXP_ATTRS = 105, RR_FXP_EXTENDED = 200,
	RR_FXP_EXTENDED_REPLY = 201,
};

enum rr_fx { /* SSH_FXP_STATUS codes */
	RR_FX_OK, RR_FX_EOF, RR_FX_NO_SUCH_FILE, RR_FX_PERMISSION_DENIED,
	RR_FX_FAILURE, RR_FX_BAD_MESSAGE, RR_FX_NO_CONNECTION,
	RR_FX_CONNECTION_LOST, RR_FX_OP_UNSUPPORTED,
};

/* attribute flags */
#define RR_FXA_SIZE 0x1u
#define RR_FXA_UIDGID 0x2u
#define RR_FXA_PERMISSIONS 0x4u
#define RR_FXA_ACMODTIME 0x8u
#define RR_FXA_EXTENDED 0x80000000u

/* open flags */
#define RR_FXF_READ 0x01u
#define RR_FXF_WRITE 0x02u
#define RR_FXF_CREAT 0x08u
#define RR_FXF_TRUNC 0x10u
#define RR_FXF_EXCL 0x20u

/* Extensions the server announced that we use. */
#define RR_SFTP_EXT_POSIX_RENAME 0x1u /* posix-rename@openssh.com */
#define RR_SFTP_EXT_STATVFS 0x2u      /* statvfs@openssh.com */

struct rr_sftp_attrs {
	uint32_t flags;          /* RR_FXA_* present */
	uint64_t size;
	uint32_t uid, gid;
	uint32_t perm;           /* st_mode: type and mode bits */
	uint32_t atime, mtime;
};

/* One reply; strings point into the packet it was parsed from. */
struct rr_sftp_reply {
	uint8_t type;            /* RR_FXP_* */
	uint32_t id;
	uint32_t code;           /* STATUS */
	const char *text;        /* STATUS: the server's words */
	uint32_t text_len;
	const unsigned char *str; /* HANDLE, DATA; EXTENDED_REPLY: the rest */
	uint32_t len;
	uint32_t count;          /* NAME: entries, read by rr__sftp_name_next */
	const unsigned char *rest;
	size_t rest_len;
	struct rr_sftp_attrs attrs; /* ATTRS */
};

struct rr_sftp_name {
	const char *name;        /* not NUL-terminated */
	uint32_t len;
	struct rr_sftp_attrs attrs;
};

static inline uint32_t rr__sftp_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* payload: a packet without its length.  0, or -EBADMSG. */
int rr__sftp_reply(const unsigned char *p, size_t n, struct rr_sftp_reply *r);
/* The next entry of a NAME reply: 0, -ENOENT after the last, -EBADMSG. */
int rr__sftp_name_next(struct rr_sftp_reply *r, struct rr_sftp_name *out);
/* A VERSION packet's payload: its version and the RR_SFTP_EXT_* named. */
int rr__sftp_version(const unsigned char *p, size_t n, uint32_t *version, unsigned *ext);
/* statvfs@openssh.com's reply (EXTENDED_REPLY's rest): bytes free to us. */
int rr__sftp_statvfs_free(const struct rr_sftp_reply *r, uint64_t *bytes);
/* What a STATUS code means as an errno. */
int rr__sftp_errno(uint32_t code);

/* A request being written into b: begin, fields, end. */
struct rr_sftp_out {
	struct rr_buf *b;
	size_t start;
	bool oom;
};
void rr__sftp_begin(struct rr_sftp_out *o, struct rr_buf *b, uint8_t type, uint32_t id);
void rr__sftp_u32(struct rr_sftp_out *o, uint32_t v);
void rr__sftp_u64(struct rr_sftp_out *o, uint64_t v);
void rr__sftp_str(struct rr_sftp_out *o, const void *p, size_t n);
void rr__sftp_cstr(struct rr_sftp_out *o, const char *s);
void rr__sftp_attrs(struct rr_sftp_out *o, const struct rr_sftp_attrs *a);
/* The length filled in: 0, or -ENOMEM (b is as it was). */
int rr__sftp_end(struct rr_sftp_out *o);

#endif
