/*
 * sftp.c - SFTP version 3 packets: requests written into a buffer, replies
 * read out of the server's bytes.  Every length in a reply is checked
 * against the packet before it is used (fuzz/sftp.c).
 */
#include "ssh/sftp.h"

#include <errno.h>
#include <string.h>

/* ---------------------------------------------------------------- reading */

struct rd {
	const unsigned char *p;
	size_t n;
	bool bad;
};

static uint32_t rd_u32(struct rd *r)
{
	uint32_t v;

	if (r->bad || r->n < 4) {
		r->bad = true;
		return 0;
	}
	v = rr__sftp_be32(r->p);
	r->p += 4;
	r->n -= 4;
	return v;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t hi = rd_u32(r);

	return hi << 32 | rd_u32(r);
}

static const unsigned char *rd_str(struct rd *r, uint32_t *len)
{
	const unsigned char *s;

	*len = rd_u32(r);
	if (r->bad || *len > r->n) {
		r->bad = true;
		*len = 0;
		return NULL;
	}
	s = r->p;
	r->p += *len;
	r->n -= *len;
	return s;
}

static void rd_attrs(struct rd *r, struct rr_sftp_attrs *a)
{
	*a = (struct rr_sftp_attrs){ .flags = rd_u32(r) };
	if (a->flags & RR_FXA_SIZE)
		a->size = rd_u64(r);
	if (a->flags & RR_FXA_UIDGID) {
		a->uid = rd_u32(r);
		a->gid = rd_u32(r);
	}
	if (a->flags & RR_FXA_PERMISSIONS)
		a->perm = rd_u32(r);
	if (a->flags & RR_FXA_ACMODTIME) {
		a->atime = rd_u32(r);
		a->mtime = rd_u32(r);
	}
	if (a->flags & RR_FXA_EXTENDED) {
		uint32_t count = rd_u32(r), len;

		for (uint32_t i = 0; i < count && !r->bad; i++) {
			rd_str(r, &len); /* name */
			rd_str(r, &len); /* data */
		}
	}
}

int rr__sftp_reply(const unsigned char *p, size_t n, struct rr_sftp_reply *out)
{
	struct rd r = { .p = p, .n = n };

	*out = (struct rr_sftp_reply){ 0 };
	if (n < 5)
		return -EBADMSG;
	out->type = *r.p++;
	r.n--;
	out->id = rd_u32(&r);
	switch (out->type) {
	case RR_FXP_STATUS:
		out->code = rd_u32(&r);
		if (r.n) /* the message and its language: optional before v3 */
			out->text = (const char *)rd_str(&r, &out->text_len);
		break;
	case RR_FXP_HANDLE:
	case RR_FXP_DATA:
		out->str = rd_str(&r, &out->len);
		break;
	case RR_FXP_NAME:
		out->count = rd_u32(&r);
		out->rest = r.p;
		out->rest_len = r.n;
		break;
	case RR_FXP_ATTRS:
		rd_attrs(&r, &out->attrs);
		break;
	case RR_FXP_EXTENDED_REPLY:
		out->rest = r.p;
		out->rest_len = r.n;
		break;
	default:
		return -EBADMSG;
	}
	return r.bad ? -EBADMSG : 0;
}

int rr__sftp_name_next(struct rr_sftp_reply *reply, struct rr_sftp_name *out)
{
	struct rd r = { .p = reply->rest, .n = reply->rest_len };
	uint32_t len;

	if (!reply->count)
		return -ENOENT;
	out->name = (const char *)rd_str(&r, &out->len);
	rd_str(&r, &len); /* longname, as ls -l shows it */
	rd_attrs(&r, &out->attrs);
	if (r.bad)
		return -EBADMSG;
	reply->count--;
	reply->rest = r.p;
	reply->rest_len = r.n;
	return 0;
}

static bool named(const unsigned char *s, uint32_t len, const char *name)
{
	return len == strlen(name) && memcmp(s, name, len) == 0;
}

int rr__sftp_version(const unsigned char *p, size_t n, uint32_t *version, unsigned *ext)
{
	struct rd r = { .p = p, .n = n };

	*ext = 0;
	if (n < 5 || p[0] != RR_FXP_VERSION)
		return -EBADMSG;
	r.p++, r.n--;
	*version = rd_u32(&r);
	while (r.n && !r.bad) {
		uint32_t nlen, dlen;
		const unsigned char *name = rd_str(&r, &nlen);

		rd_str(&r, &dlen);
		if (r.bad)
			break;
		if (named(name, nlen, "posix-rename@openssh.com"))
			*ext |= RR_SFTP_EXT_POSIX_RENAME;
		else if (named(name, nlen, "statvfs@openssh.com"))
			*ext |= RR_SFTP_EXT_STATVFS;
	}
	return r.bad ? -EBADMSG : 0;
}

int rr__sftp_statvfs_free(const struct rr_sftp_reply *reply, uint64_t *bytes)
{
	struct rd r = { .p = reply->rest, .n = reply->rest_len };
	uint64_t frsize, bavail;

	rd_u64(&r);          /* f_bsize */
	frsize = rd_u64(&r); /* f_frsize */
	rd_u64(&r);          /* f_blocks */
	rd_u64(&r);          /* f_bfree */
	bavail = rd_u64(&r); /* f_bavail */
	if (r.bad)
		return -EBADMSG;
	*bytes = frsize && bavail > UINT64_MAX / frsize ? UINT64_MAX : frsize * bavail;
	return 0;
}

int rr__sftp_errno(uint32_t code)
{
	switch (code) {
	case RR_FX_OK:
		return 0;
	case RR_FX_EOF:
		return -ENODATA;
	case RR_FX_NO_SUCH_FILE:
		return -ENOENT;
	case RR_FX_PERMISSION_DENIED:
		return -EACCES;
	case RR_FX_BAD_MESSAGE:
		return -EBADMSG;
	case RR_FX_NO_CONNECTION:
	case RR_FX_CONNECTION_LOST:
		return -ECONNRESET;
	case RR_FX_OP_UNSUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* ---------------------------------------------------------------- writing */

static void put(struct rr_sftp_out *o, const void *p, size_t n)
{
	if (!o->oom && rr__buf_append(o->b, p, n) < 0)
		o->oom = true;
}

void rr__sftp_u32(struct rr_sftp_out *o, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(o, b, sizeof(b));
}

void rr__sftp_u64(struct rr_sftp_out *o, uint64_t v)
{
	rr__sftp_u32(o, (uint32_t)(v >> 32));
	rr__sftp_u32(o, (uint32_t)v);
}

void rr__sftp_str(struct rr_sftp_out *o, const void *p, size_t n)
{
	rr__sftp_u32(o, (uint32_t)n);
	put(o, p, n);
}

void rr__sftp_cstr(struct rr_sftp_out *o, const char *s)
{
	rr__sftp_str(o, s, strlen(s));
}

void rr__sftp_attrs(struct rr_sftp_out *o, const struct rr_sftp_attrs *a)
{
	assert(!(a->flags & ~(RR_FXA_SIZE | RR_FXA_PERMISSIONS | RR_FXA_ACMODTIME)));
	rr__sftp_u32(o, a->flags);
	if (a->flags & RR_FXA_SIZE)
		rr__sftp_u64(o, a->size);
	if (a->flags & RR_FXA_PERMISSIONS)
		rr__sftp_u32(o, a->perm);
	if (a->flags & RR_FXA_ACMODTIME) {
		rr__sftp_u32(o, a->atime);
		rr__sftp_u32(o, a->mtime);
	}
}

void rr__sftp_begin(struct rr_sftp_out *o, struct rr_buf *b, uint8_t type, uint32_t id)
{
	*o = (struct rr_sftp_out){ .b = b, .start = b->len };
	rr__sftp_u32(o, 0); /* the length, filled in by rr__sftp_end */
	put(o, &type, 1);
	rr__sftp_u32(o, id); /* INIT's version takes this place */
}

int rr__sftp_end(struct rr_sftp_out *o)
{
	size_t n;

	if (o->oom) {
		o->b->len = o->start;
		return -ENOMEM;
	}
	n = o->b->len - o->start - 4;
	assert(n <= RR_SFTP_MAX_PACKET);
	unsigned char *p = (unsigned char *)o->b->data + o->start;

	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	return 0;
}
