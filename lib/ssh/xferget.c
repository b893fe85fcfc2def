/*
 * xferget.c - rr_get's side of a copy: what the source is (LSTAT), then
 * each entry made here.  A file's READs are in flight together and each
 * DATA reply is written through the ring at its offset into a temporary
 * file beside the destination, renamed over it once complete; a
 * directory is made here and listed there (READDIR), its entries added
 * as they come; a link is read (READLINK) and made.
 */
#include "ssh/xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char type_of(const struct rr_sftp_attrs *a)
{
	if (!(a->flags & RR_FXA_PERMISSIONS))
		return 'f'; /* a server that does not say: take it as a file */
	return S_ISREG(a->perm) ? 'f' : S_ISDIR(a->perm) ? 'd' : S_ISLNK(a->perm) ? 'l' : 'x';
}

/* mkdir -p here; what fails shows when the entry is made. */
static void mkdirs(const char *dir)
{
	char *p = strdup(dir);

	if (!p)
		return;
	for (char *s = p + 1; *s; s++) {
		if (*s == '/' && s[-1] != '/') {
			*s = '\0';
			mkdir(p, 0777);
			*s = '/';
		}
	}
	mkdir(p, 0777);
	free(p);
}

void rr__xget_root(struct rr_xfer *x, const struct rr_sftp_reply *r)
{
	struct rr_xent *e = &x->ents[0];
	bool slash = x->local[strlen(x->local) - 1] == '/';
	struct stat st;
	char base[256];
	int have;

	if (!(e->src = strdup(x->remote))) {
		x->fatal = true;
		return;
	}
	if (r->type != RR_FXP_ATTRS) {
		rr__xent_status(x, e, r, "the source");
		x->root = strdup(x->local);
		x->fatal |= !x->root;
		return;
	}
	e->attrs = r->attrs;
	e->type = type_of(&r->attrs);
	if (e->type == 'f')
		x->total += r->attrs.size;
	if (e->type == 'd' && !(x->flags & RR_XFER_RECURSIVE))
		rr__xent_fail(x, e, -EISDIR, "%s: %s", x->remote, rr__xfer_cause(-EISDIR));
	rr__xfer_base(x->remote, base, sizeof(base));
	have = stat(x->local, &st) == 0;
	if (have && S_ISDIR(st.st_mode)) {
		x->root = rr__xfer_join(x->local, base);
	} else if (slash && (have || !(x->flags & RR_XFER_MKDIRS))) {
		rr__xent_fail(x, e, have ? -ENOTDIR : -ENOENT, "%s: %s", x->local,
			      have ? rr__xfer_cause(-ENOTDIR) : "no such directory");
		x->root = strdup(x->local);
	} else if (slash) {
		mkdirs(x->local);
		x->root = rr__xfer_join(x->local, base);
	} else {
		x->root = strdup(x->local);
		if ((x->flags & RR_XFER_MKDIRS) && strrchr(x->local, '/')) {
			char *dir = strndup(x->local, (size_t)(strrchr(x->local, '/') - x->local));

			if (dir && *dir)
				mkdirs(dir);
			free(dir);
		}
	}
	x->fatal |= !x->root;
}

static void send_open(struct rr_xfer *x, struct rr_xent *e, unsigned i, uint8_t type)
{
	struct rr_sftp_out o;
	rr__xfer_begin(x, &o, type, i, RR_XT_OPEN);

	rr__sftp_cstr(&o, e->src);
	if (type == RR_FXP_OPEN) {
		rr__sftp_u32(&o, RR_FXF_READ);
		rr__sftp_u32(&o, 0); /* no attributes */
	}
	rr__xfer_send(x, &o);
}

/* The part of starting that depends on what it is. */
static void start_as(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	mode_t mode = (e->attrs.flags & RR_FXA_PERMISSIONS) ? e->attrs.perm & 0777 : 0666;
	struct stat st;

	switch (e->type) {
	case 'l':
		rr__xfer_path_req(x, (x->flags & RR_XFER_FOLLOW) ? RR_FXP_STAT : RR_FXP_READLINK,
				  e->src, i, (x->flags & RR_XFER_FOLLOW) ? RR_XT_FOLLOW : RR_XT_LINK);
		return;
	case 'd':
		if (mkdir(e->dst, mode | 0700) < 0 &&
		    (errno != EEXIST || stat(e->dst, &st) < 0 || !S_ISDIR(st.st_mode))) {
			rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
			rr__xent_done(x, e);
			return;
		}
		send_open(x, e, i, RR_FXP_OPENDIR);
		return;
	case 'f':
		if (!(e->tmp = rr__xfer_tmpname(e->dst))) {
			x->fatal = true;
			return;
		}
		/* the umask applies, as it does to scp's; PRESERVE sets it all */
		e->fd = open(e->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
		if (e->fd < 0) {
			rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
			rr__xent_done(x, e);
			return;
		}
		e->created = true;
		send_open(x, e, i, RR_FXP_OPEN);
		return;
	default:
		rr__xent_fail(x, e, -EINVAL, "%s: not a regular file, directory or link", e->src);
		rr__xent_done(x, e);
	}
}

void rr__xget_start(struct rr_xfer *x, unsigned i)
{
	start_as(x, &x->ents[i], i);
}

static void undo(struct rr_xfer *x, struct rr_xent *e)
{
	if (!e->err)
		rr__xent_fail(x, e, -ECANCELED, "%s: stopped before it was complete", e->dst);
	if (e->hlen)
		rr__xfer_handle_req(x, RR_FXP_CLOSE, e, RR_XT_NONE);
	if (e->fd >= 0) {
		close(e->fd);
		e->fd = -1;
	}
	if (e->created) {
		unlink(e->tmp);
		e->created = false;
	}
	e->phase = RR_XE_UNDO;
	if (!e->waiting)
		rr__xent_done(x, e);
}

static void send_read(struct rr_xfer *x, struct rr_xent *e, unsigned i, uint64_t off,
		      uint32_t len)
{
	struct rr_sftp_out o;
	struct rr_xreq *q = rr__xfer_begin(x, &o, RR_FXP_READ, i, RR_XT_DATA);

	q->off = off;
	q->len = len;
	rr__sftp_str(&o, e->handle, e->hlen);
	rr__sftp_u64(&o, off);
	rr__sftp_u32(&o, len);
	rr__xfer_send(x, &o);
	e->reads++;
}

/* Everything landed: the file takes its place. */
static void place(struct rr_xfer *x, struct rr_xent *e)
{
	if (x->flags & RR_XFER_PRESERVE) {
		struct timespec ts[2] = { { .tv_sec = e->attrs.atime },
					  { .tv_sec = e->attrs.mtime } };

		if (fchmod(e->fd, e->attrs.perm & 07777) < 0 ||
		    ((e->attrs.flags & RR_FXA_ACMODTIME) && futimens(e->fd, ts) < 0)) {
			rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
			return;
		}
	}
	if (close(e->fd) < 0) { /* a file system that reports late */
		e->fd = -1;
		rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
		return;
	}
	e->fd = -1;
	if (rename(e->tmp, e->dst) < 0) {
		rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
		return;
	}
	e->created = false;
}

static void pump_data(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	if (e->hole_len && rr__xfer_can_send(x, true)) {
		send_read(x, e, i, e->hole_off, e->hole_len);
		e->hole_len = 0;
	}
	/* past the size it had, one read at a time finds the end */
	while (!e->eof && (e->next_off < e->attrs.size || !e->reads) &&
	       rr__xfer_can_send(x, true)) {
		send_read(x, e, i, e->next_off, RR_XFER_CHUNK);
		e->next_off += RR_XFER_CHUNK;
	}
	if (!e->eof || e->reads || e->writes || e->hole_len)
		return;
	place(x, e);
	rr__xfer_handle_req(x, RR_FXP_CLOSE, e, RR_XT_CLOSE);
	e->phase = RR_XE_FINISH;
}

static void place_link(struct rr_xfer *x, struct rr_xent *e)
{
	if (!(e->tmp = rr__xfer_tmpname(e->dst))) {
		x->fatal = true;
		return;
	}
	if (symlink(e->link, e->tmp) < 0) {
		rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
		return;
	}
	if (rename(e->tmp, e->dst) < 0) {
		rr__xent_fail(x, e, -errno, "%s: %s", e->dst, rr__xfer_cause(-errno));
		unlink(e->tmp);
	}
}

void rr__xget_pump(struct rr_xfer *x, unsigned i)
{
	struct rr_xent *e = &x->ents[i];

	if (e->phase == RR_XE_DATA && e->type == 'f' && !e->err && !x->stopping) {
		pump_data(x, e, i);
		return;
	}
	if (e->waiting)
		return;
	if (e->phase == RR_XE_UNDO) {
		rr__xent_done(x, e);
		return;
	}
	if (e->err || x->stopping) {
		undo(x, e);
		return;
	}
	if (e->restart) { /* a followed link: what it points to */
		e->restart = false;
		start_as(x, e, i);
		return;
	}
	if (e->phase == RR_XE_OPEN && e->type == 'l') {
		place_link(x, e);
		rr__xent_done(x, e);
	} else if (e->phase == RR_XE_OPEN) {
		e->phase = RR_XE_DATA;
		if (e->type == 'd')
			rr__xfer_handle_req(x, RR_FXP_READDIR, e, RR_XT_LIST);
		else
			pump_data(x, e, i);
	} else if (e->phase == RR_XE_DATA && e->type == 'd') {
		if (e->eof) {
			rr__xfer_handle_req(x, RR_FXP_CLOSE, e, RR_XT_CLOSE);
			e->phase = RR_XE_FINISH;
		} else {
			rr__xfer_handle_req(x, RR_FXP_READDIR, e, RR_XT_LIST);
		}
	} else if (e->phase == RR_XE_FINISH) {
		rr__xent_done(x, e);
	}
}

/* A DATA reply: its bytes go to the file through the ring. */
static void got_data(struct rr_xfer *x, struct rr_xreq *q, const struct rr_sftp_reply *r)
{
	struct rr_xent *e = &x->ents[q->ent];
	struct rr_xchunk *k;

	if (r->len > q->len || !r->len) {
		x->fatal = true; /* more than asked, or nothing: not SFTP */
		return;
	}
	if (e->err || x->stopping)
		return;
	if (r->len < q->len) { /* short: the rest is asked for again */
		if (e->hole_len) {
			rr__xent_fail(x, e, -EIO, "%s: the server's reads came back short",
				      e->src);
			return;
		}
		e->hole_off = q->off + r->len;
		e->hole_len = q->len - r->len;
	}
	if (!(k = rr__xchunk_take(x, q->ent))) {
		x->fatal = true;
		return;
	}
	memcpy(k->data, r->str, r->len);
	rr__xchunk_write(x, k, e->fd, k->data, q->off, r->len);
	e->writes++;
}

static int add_child(struct rr_xfer *x, unsigned dir, const struct rr_sftp_name *n)
{
	char *name = strndup(n->name, n->len), *rel;
	int r = 0;

	if (!name)
		return -ENOMEM;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		free(name);
		return 0;
	}
	if (!*name || strchr(name, '/')) { /* a name that would lead elsewhere */
		free(name);
		return -EBADMSG;
	}
	rel = rr__xfer_join(x->ents[dir].rel, name);
	if (!rel)
		r = -ENOMEM;
	else
		r = rr__xent_add(x, rel, type_of(&n->attrs), &n->attrs, (int)dir);
	free(rel);
	free(name);
	return r < 0 ? r : 0;
}

static void got_names(struct rr_xfer *x, struct rr_xreq *q, struct rr_sftp_reply *r)
{
	struct rr_sftp_name n;
	int err;

	while ((err = rr__sftp_name_next(r, &n)) == 0)
		if ((err = add_child(x, q->ent, &n)) < 0)
			break;
	if (err == -ENOMEM || err == -EBADMSG)
		x->fatal = true;
}

void rr__xget_reply(struct rr_xfer *x, struct rr_xreq *q, const struct rr_sftp_reply *cr)
{
	struct rr_sftp_reply r = *cr;
	struct rr_xent *e = &x->ents[q->ent];
	struct rr_sftp_name n;

	switch (q->tag) {
	case RR_XT_OPEN:
		if (r.type == RR_FXP_HANDLE && r.len && r.len <= sizeof(e->handle)) {
			memcpy(e->handle, r.str, r.len);
			e->hlen = r.len;
		} else {
			rr__xent_status(x, e, &r, e->type == 'd' ? "listing" : "opening");
		}
		break;
	case RR_XT_DATA:
		assert(e->reads > 0);
		e->reads--;
		if (r.type == RR_FXP_DATA)
			got_data(x, q, &r);
		else if (r.type == RR_FXP_STATUS && r.code == RR_FX_EOF)
			e->eof = true;
		else
			rr__xent_status(x, e, &r, "reading");
		break;
	case RR_XT_LIST:
		if (r.type == RR_FXP_NAME)
			got_names(x, q, &r);
		else if (r.type == RR_FXP_STATUS && r.code == RR_FX_EOF)
			e->eof = true;
		else
			rr__xent_status(x, e, &r, "listing");
		break;
	case RR_XT_LINK:
		if (r.type == RR_FXP_NAME && rr__sftp_name_next(&r, &n) == 0) {
			if (!(e->link = strndup(n.name, n.len)))
				x->fatal = true;
		} else {
			rr__xent_status(x, e, &r, "reading the link");
		}
		break;
	case RR_XT_FOLLOW:
		if (r.type != RR_FXP_ATTRS) {
			rr__xent_status(x, e, &r, "following the link");
			break;
		}
		e->attrs = r.attrs;
		e->type = type_of(&r.attrs);
		e->restart = true;
		if (e->type == 'f')
			x->total += r.attrs.size;
		break;
	default: /* CLOSE: what was read is here whatever it says */
		break;
	}
}

/* A local write came back. */
void rr__xget_chunk(struct rr_xfer *x, struct rr_xchunk *k, int res)
{
	struct rr_xent *e = &x->ents[k->ent];

	assert(e->writes > 0);
	e->writes--;
	if (res <= 0) {
		rr__xent_fail(x, e, res ? res : -EIO, "%s: %s", e->dst,
			      rr__xfer_cause(res ? res : -EIO));
	} else {
		e->bytes += (uint64_t)res;
		rr__xfer_progress(x, (uint64_t)res);
		if ((uint32_t)res < k->len && !e->err && !x->stopping) {
			uint32_t rest = k->len - (uint32_t)res;

			memmove(k->data, k->data + res, rest);
			rr__xchunk_write(x, k, e->fd, k->data, k->off + (uint64_t)res, rest);
			e->writes++;
			return;
		}
	}
	rr__xchunk_give(x, k);
}

/* With RR_XFER_PRESERVE, once their files are in: directories' modes and
   times, deepest first. */
void rr__xget_dirs(struct rr_xfer *x)
{
	for (unsigned i = x->nents; i-- > 0;) {
		struct rr_xent *e = &x->ents[i];
		struct timespec ts[2] = { { .tv_sec = e->attrs.atime },
					  { .tv_sec = e->attrs.mtime } };

		if (e->type != 'd' || e->err || e->skipped || !e->dst)
			continue;
		if (chmod(e->dst, e->attrs.perm & 07777) < 0 ||
		    ((e->attrs.flags & RR_FXA_ACMODTIME) && utimensat(AT_FDCWD, e->dst, ts, 0) < 0))
			x->failed++;
	}
}
