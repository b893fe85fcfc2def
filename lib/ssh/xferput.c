/*
 * xferput.c - rr_put's side of a copy: the local tree walked into entries
 * when it is asked for, then each entry made on the server.  A file is
 * read through the ring and written to a temporary name (OPEN ... EXCL),
 * its WRITEs in flight together, then closed and renamed over its
 * destination; a directory is made (one that exists is taken); a link is
 * made at a temporary name and renamed.  A failure removes what it made.
 */
#include "ssh/xfer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WALK_DEPTH_MAX 256

static struct rr_sftp_attrs attrs_of(const struct stat *st)
{
	return (struct rr_sftp_attrs){
		.flags = RR_FXA_SIZE | RR_FXA_PERMISSIONS | RR_FXA_ACMODTIME,
		.size = (uint64_t)st->st_size,
		.perm = st->st_mode,
		.atime = (uint32_t)st->st_atim.tv_sec,
		.mtime = (uint32_t)st->st_mtim.tv_sec,
	};
}

static char type_of(mode_t m)
{
	return S_ISREG(m) ? 'f' : S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : 'x';
}

/* The directories above, by device and inode: a followed link that leads
   back into one would never end. */
struct walk_up {
	const struct walk_up *up;
	dev_t dev;
	ino_t ino;
};

static bool looped(const struct walk_up *up, const struct stat *st)
{
	for (; up; up = up->up)
		if (up->dev == st->st_dev && up->ino == st->st_ino)
			return true;
	return false;
}

static int walk(struct rr_xfer *x, const char *path, const char *rel, const struct stat *st,
		int parent, const struct walk_up *up, unsigned depth);

static int walk_dir(struct rr_xfer *x, const char *path, const char *rel, int self,
		    const struct stat *st, const struct walk_up *up, unsigned depth)
{
	struct walk_up here = { .up = up, .dev = st->st_dev, .ino = st->st_ino };
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort), r = 0;

	if (n < 0) {
		rr__xent_fail(x, &x->ents[self], -errno, "%s: %s", path, rr__xfer_cause(-errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *cpath, *crel;
		struct stat cst;

		if (r == 0 && strcmp(name, ".") && strcmp(name, "..")) {
			cpath = rr__xfer_join(path, name);
			crel = rr__xfer_join(rel, name);
			if (!cpath || !crel)
				r = -ENOMEM;
			else if (((x->flags & RR_XFER_FOLLOW) ? stat(cpath, &cst) : lstat(cpath, &cst)) < 0)
				r = 0; /* gone since it was listed */
			else
				r = walk(x, cpath, crel, &cst, self, &here, depth + 1);
			free(cpath);
			free(crel);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static int walk(struct rr_xfer *x, const char *path, const char *rel, const struct stat *st,
		int parent, const struct walk_up *up, unsigned depth)
{
	struct rr_sftp_attrs a = attrs_of(st);
	int i = rr__xent_add(x, rel, type_of(st->st_mode), &a, parent);
	struct rr_xent *e;

	if (i < 0)
		return i;
	e = &x->ents[i];
	if (e->type == 'l') {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n < 0)
			rr__xent_fail(x, e, -errno, "%s: %s", path, rr__xfer_cause(-errno));
		else if (!(e->link = strndup(target, (size_t)n)))
			return -ENOMEM;
		return 0;
	}
	if (e->type != 'd')
		return 0;
	if (depth >= WALK_DEPTH_MAX || looped(up, st)) {
		rr__xent_fail(x, e, -ELOOP, "%s: %s", path, rr__xfer_cause(-ELOOP));
		return 0;
	}
	return walk_dir(x, path, rel, i, st, up, depth);
}

int rr__xput_plan(struct rr_xfer *x, const struct stat *st)
{
	if (S_ISDIR(st->st_mode) && !(x->flags & RR_XFER_RECURSIVE))
		return -EISDIR;
	return walk(x, x->local, "", st, -1, NULL, 0);
}

/* Where entry 0 goes, from what the destination is (STAT's reply). */
void rr__xput_root(struct rr_xfer *x, const struct rr_sftp_reply *r)
{
	struct rr_xent *e = &x->ents[0];
	size_t len = strlen(x->remote);
	bool slash = x->remote[len - 1] == '/';
	char base[256];

	rr__xfer_base(x->local, base, sizeof(base));
	if (r->type == RR_FXP_ATTRS && S_ISDIR(r->attrs.perm)) {
		x->root = rr__xfer_join(x->remote, base);
	} else if (r->type == RR_FXP_ATTRS) {
		if (slash || e->type == 'd')
			rr__xent_fail(x, e, -ENOTDIR, "%s: %s", x->remote,
				      rr__xfer_cause(-ENOTDIR));
		x->root = strdup(x->remote);
	} else if (r->type == RR_FXP_STATUS && r->code == RR_FX_NO_SUCH_FILE) {
		if (slash && !(x->flags & RR_XFER_MKDIRS))
			rr__xent_fail(x, e, -ENOENT, "%s: no such directory", x->remote);
		if (slash && (x->flags & RR_XFER_MKDIRS))
			rr__xfer_mkdirs(x, x->remote);
		x->root = slash ? rr__xfer_join(x->remote, base) : strdup(x->remote);
		if (!slash && (x->flags & RR_XFER_MKDIRS) && strrchr(x->remote, '/')) {
			char *dir = strndup(x->remote, (size_t)(strrchr(x->remote, '/') - x->remote));

			if (dir && *dir)
				rr__xfer_mkdirs(x, dir);
			free(dir);
		}
	} else {
		x->root = strdup(x->remote);
		if (x->root) {
			e->dst = strdup(x->remote);
			rr__xent_status(x, e, r, "the destination");
		}
	}
	if (!x->root)
		x->fatal = true;
}

static void send_open(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	struct rr_sftp_out o;
	/* the server's umask applies, as scp's does; PRESERVE sets it all */
	struct rr_sftp_attrs a = { .flags = RR_FXA_PERMISSIONS, .perm = e->attrs.perm & 0777 };

	rr__xfer_begin(x, &o, RR_FXP_OPEN, i, RR_XT_OPEN);
	rr__sftp_cstr(&o, e->tmp);
	rr__sftp_u32(&o, RR_FXF_WRITE | RR_FXF_CREAT | RR_FXF_EXCL);
	rr__sftp_attrs(&o, &a);
	rr__xfer_send(x, &o);
	e->created = true;
}

static void send_symlink(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	struct rr_sftp_out o;

	rr__xfer_begin(x, &o, RR_FXP_SYMLINK, i, RR_XT_LINK);
	/* OpenSSH's order: the target, then the link (the draft's reversed) */
	rr__sftp_cstr(&o, e->link);
	rr__sftp_cstr(&o, e->tmp);
	rr__xfer_send(x, &o);
	e->created = true;
}

void rr__xput_start(struct rr_xfer *x, unsigned i)
{
	struct rr_xent *e = &x->ents[i];

	if (e->type == 'd') {
		rr__xfer_path_req(x, RR_FXP_MKDIR, e->dst, i, RR_XT_MKDIR);
		return;
	}
	if (e->type == 'x') {
		rr__xent_fail(x, e, -EINVAL, "%s: not a regular file, directory or link", e->src);
		rr__xent_done(x, e);
		return;
	}
	if (!(e->tmp = rr__xfer_tmpname(e->dst))) {
		x->fatal = true;
		return;
	}
	if (e->type == 'l') {
		send_symlink(x, e, i);
		return;
	}
	e->fd = open(e->src, O_RDONLY | O_CLOEXEC | O_NOCTTY |
				     ((x->flags & RR_XFER_FOLLOW) ? 0 : O_NOFOLLOW));
	if (e->fd < 0) {
		rr__xent_fail(x, e, -errno, "%s: %s", e->src, rr__xfer_cause(-errno));
		rr__xent_done(x, e);
		return;
	}
	send_open(x, e, i);
}

/* Failed or stopped, and quiet: close, remove what it made. */
static void undo(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	if (!e->err)
		rr__xent_fail(x, e, -ECANCELED, "%s: stopped before it was complete", e->dst);
	if (e->hlen)
		rr__xfer_handle_req(x, RR_FXP_CLOSE, e, RR_XT_NONE);
	if (e->created) {
		rr__xfer_path_req(x, RR_FXP_REMOVE, e->tmp, i, RR_XT_REMOVE);
		e->created = false;
	}
	e->phase = RR_XE_UNDO;
	if (!e->waiting)
		rr__xent_done(x, e);
}

/* Local reads while there is room; at the end, attributes and close. */
static void pump_data(struct rr_xfer *x, struct rr_xent *e, unsigned i)
{
	/* past the size it had, one read at a time finds the end */
	while (!e->eof && (e->next_off < e->attrs.size || !e->reads) &&
	       rr__xfer_can_send(x, true)) {
		struct rr_xchunk *k = rr__xchunk_take(x, i);

		if (!k) {
			x->fatal = true;
			return;
		}
		rr__xchunk_read(x, k, e->fd, e->next_off, RR_XFER_CHUNK);
		e->next_off += RR_XFER_CHUNK;
		e->reads++;
	}
	if (!e->eof || e->reads)
		return;
	if (x->flags & RR_XFER_PRESERVE) {
		struct rr_sftp_out o;
		struct rr_sftp_attrs a = { .flags = RR_FXA_PERMISSIONS | RR_FXA_ACMODTIME,
					   .perm = e->attrs.perm & 07777,
					   .atime = e->attrs.atime, .mtime = e->attrs.mtime };

		rr__xfer_begin(x, &o, RR_FXP_FSETSTAT, i, RR_XT_ATTRS);
		rr__sftp_str(&o, e->handle, e->hlen);
		rr__sftp_attrs(&o, &a);
		rr__xfer_send(x, &o);
	}
	rr__xfer_handle_req(x, RR_FXP_CLOSE, e, RR_XT_CLOSE);
	e->phase = RR_XE_FINISH;
}

void rr__xput_pump(struct rr_xfer *x, unsigned i)
{
	struct rr_xent *e = &x->ents[i];

	if (e->phase == RR_XE_DATA && !e->err && !x->stopping) {
		pump_data(x, e, i);
		return;
	}
	if (e->waiting)
		return; /* what it waits for moves it */
	if (e->phase == RR_XE_UNDO) {
		rr__xent_done(x, e);
		return;
	}
	if (e->err || x->stopping) {
		undo(x, e, i);
		return;
	}
	switch (e->phase) {
	case RR_XE_OPEN:
		if (e->type == 'd') {
			rr__xent_done(x, e);
			return;
		}
		if (e->type == 'l') { /* made at its temporary name */
			e->phase = RR_XE_PLACE;
			rr__xfer_rename(x, e, i);
			return;
		}
		e->phase = RR_XE_DATA;
		pump_data(x, e, i);
		return;
	case RR_XE_FINISH:
		e->phase = RR_XE_PLACE;
		rr__xfer_rename(x, e, i);
		return;
	case RR_XE_PLACE:
		rr__xent_done(x, e);
		return;
	default:
		return;
	}
}

static bool ok(const struct rr_sftp_reply *r)
{
	return r->type == RR_FXP_STATUS && r->code == RR_FX_OK;
}

/* A write the server refused: SFTP v3 says only "Failure" for a full
   disk; statvfs@openssh.com tells whether that was it. */
static void write_failed(struct rr_xfer *x, struct rr_xent *e, unsigned i,
			 const struct rr_sftp_reply *r)
{
	rr__xent_status(x, e, r, "writing");
	if (r->code != RR_FX_FAILURE || !(x->ext & RR_SFTP_EXT_STATVFS) || e->err != -EIO)
		return;
	struct rr_sftp_out o;

	rr__xfer_begin(x, &o, RR_FXP_EXTENDED, i, RR_XT_STATVFS);
	rr__sftp_cstr(&o, "statvfs@openssh.com");
	rr__sftp_cstr(&o, e->tmp);
	rr__xfer_send(x, &o);
}

static void statvfs_told(struct rr_xfer *x, struct rr_xent *e, const struct rr_sftp_reply *r)
{
	uint64_t room;

	if (r->type != RR_FXP_EXTENDED_REPLY || rr__sftp_statvfs_free(r, &room) < 0 ||
	    room >= RR_XFER_CHUNK)
		return;
	free(e->cause);
	e->err = 0;
	e->cause = NULL;
	rr__xent_fail(x, e, -ENOSPC, "%s: %s", e->dst, rr__xfer_cause(-ENOSPC));
}

void rr__xput_reply(struct rr_xfer *x, struct rr_xreq *q, const struct rr_sftp_reply *r)
{
	struct rr_xent *e = &x->ents[q->ent];

	switch (q->tag) {
	case RR_XT_OPEN:
		if (r->type == RR_FXP_HANDLE && r->len && r->len <= sizeof(e->handle)) {
			memcpy(e->handle, r->str, r->len);
			e->hlen = r->len;
		} else {
			e->created = false; /* EXCL: a refused open made nothing */
			rr__xent_status(x, e, r, "creating");
		}
		break;
	case RR_XT_LINK:
		if (!ok(r)) {
			e->created = false;
			rr__xent_status(x, e, r, "creating the link");
		}
		break;
	case RR_XT_MKDIR: /* one that exists is refused: is it a directory? */
		if (!ok(r) && r->type == RR_FXP_STATUS && r->code == RR_FX_FAILURE)
			rr__xfer_path_req(x, RR_FXP_STAT, e->dst, q->ent, RR_XT_ISDIR);
		else if (!ok(r))
			rr__xent_status(x, e, r, "making the directory");
		break;
	case RR_XT_ISDIR:
		if (r->type != RR_FXP_ATTRS)
			rr__xent_status(x, e, r, "making the directory");
		else if (!S_ISDIR(r->attrs.perm))
			rr__xent_fail(x, e, -EEXIST, "%s: exists and is not a directory",
				      e->dst);
		break;
	case RR_XT_DATA:
		assert(e->writes > 0);
		e->writes--;
		if (ok(r))
			rr__xfer_progress(x, q->len), e->bytes += q->len;
		else
			write_failed(x, e, q->ent, r);
		break;
	case RR_XT_STATVFS:
		statvfs_told(x, e, r);
		break;
	case RR_XT_ATTRS:
		if (!ok(r))
			rr__xent_status(x, e, r, "setting its mode and times");
		break;
	case RR_XT_CLOSE:
		if (!ok(r))
			rr__xent_status(x, e, r, "closing");
		break;
	case RR_XT_RENAME:
		if (ok(r)) {
			e->created = false;
		} else if (!(x->ext & RR_SFTP_EXT_POSIX_RENAME) && !e->renamed_over &&
			   r->type == RR_FXP_STATUS && r->code == RR_FX_FAILURE) {
			e->renamed_over = true; /* v3's RENAME keeps an existing name */
			rr__xfer_path_req(x, RR_FXP_REMOVE, e->dst, q->ent, RR_XT_UNLINK_DST);
			rr__xfer_rename(x, e, q->ent);
		} else {
			rr__xent_status(x, e, r, "renaming into place");
		}
		break;
	default:
		break;
	}
}

/* A local read came back: its bytes go out as one WRITE. */
void rr__xput_chunk(struct rr_xfer *x, struct rr_xchunk *k, int res)
{
	struct rr_xent *e = &x->ents[k->ent];

	assert(e->reads > 0);
	e->reads--;
	if (res < 0)
		rr__xent_fail(x, e, res, "%s: %s", e->src, rr__xfer_cause(res));
	if (res == 0)
		e->eof = true;
	if (res > 0 && !e->err && !x->stopping) {
		struct rr_sftp_out o;
		struct rr_xreq *q = rr__xfer_begin(x, &o, RR_FXP_WRITE, k->ent, RR_XT_DATA);

		q->off = k->off;
		q->len = (uint32_t)res;
		rr__sftp_str(&o, e->handle, e->hlen);
		rr__sftp_u64(&o, k->off);
		rr__sftp_str(&o, k->data, (size_t)res);
		rr__xfer_send(x, &o);
		e->writes++;
		if ((uint32_t)res < k->len) { /* short: the rest, or the end */
			rr__xchunk_read(x, k, e->fd, k->off + (uint64_t)res, k->len - (uint32_t)res);
			e->reads++;
			return;
		}
	}
	rr__xchunk_give(x, k);
}
