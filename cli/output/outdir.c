/*
 * --outdir DIR: a pair of files per task, written with plain write()s when
 * it ends (its streams are whole in its result by then).  DIR is opened
 * once; each file is opened under it, so that a path planted in DIR - a
 * symbolic link to /etc/x, a FIFO - is refused, never written through.
 */
#include "output/outdir.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fdio.h"
#include "util/xalloc.h"

/* mkdir -p: each parent, then path itself. */
static int make_dirs(const char *path)
{
	char *p = xstrdup(path);
	int r = 0;

	for (char *s = p + 1; *s && !r; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			r = -errno;
		*s = '/';
	}
	if (!r && mkdir(p, 0777) < 0 && errno != EEXIST)
		r = -errno;
	free(p);
	return r;
}

int outdir_open(struct outdir *d, const char *option, const char *path,
		bool results)
{
	int r = make_dirs(path);

	*d = (struct outdir){ .fd = -1, .path = path, .option = option,
			      .results = results,
			      .name = BUF_INIT };
	if (r < 0)
		return r;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

static bool unsafe(const char *s, size_t k)
{
	return s[k] == '/' || s[k] == '%' || s[k] == '\0' ||
	       (k == 0 && s[k] == '.');
}

void outdir_name(struct buf *b, const char *host, size_t host_len,
		 size_t input_no, unsigned long long seq)
{
	if (!host) {
		buf_printf(b, "%llu", seq);
		return;
	}
	for (size_t k = 0; k < host_len; k++) {
		if (unsafe(host, k))
			buf_printf(b, "%%%02X", (unsigned char)host[k]);
		else
			buf_addc(b, host[k]);
	}
	if (input_no)
		buf_printf(b, ".%zu", input_no);
}

/*
 * DIR/name for writing, never through a symbolic link nor out of DIR;
 * O_NONBLOCK: a planted FIFO fails (ENXIO) instead of waiting for a reader.
 */
static int open_beneath(int dir, const char *name)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
			 O_NOCTTY | O_CLOEXEC,
		.mode = 0666,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, name, &how, sizeof how);

	/* Before 5.6: the name has no '/', so O_NOFOLLOW is enough. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dir, name, (int)how.flags, (mode_t)how.mode);
	return fd < 0 ? -errno : fd;
}

/* DIR/name, made or truncated, holding data[0..len); *why: the failure. */
static int write_file(int dir, const char *name, const char *data, size_t len,
		      const char **why)
{
	int fd = open_beneath(dir, name);
	struct stat st;
	int r;

	if (fd == -ELOOP)
		*why = "a symbolic link, not followed";
	else if (fd == -ENXIO)
		*why = "not a regular file";
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -EINVAL;
	}
	r = write_all(fd, data, len);
	if (close(fd) < 0 && !r && errno != EINTR)
		r = -errno;
	return r;
}

/* One of the pair; its failure on stderr. */
static bool put_file(struct outdir *d, const char *ext,
		     const struct rr_capture *c, struct output *o)
{
	size_t base = d->name.len;
	size_t dir_len = strlen(d->path);
	const char *why = NULL;
	int r;

	buf_adds(&d->name, ext);
	r = write_file(d->fd, d->name.data, c ? c->data : "", c ? c->len : 0,
		       &why);
	if (r < 0)
		output_note(o, "%s: %s%s%s: %s", d->option, d->path,
			    dir_len && d->path[dir_len - 1] == '/' ? "" : "/",
			    d->name.data, why ? why : strerror(-r));
	d->name.len = base;
	d->name.data[base] = '\0';
	return r == 0;
}

void outdir_results_name(struct buf *b, const char *input, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		char c = input[k];

		if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c == '\t')
			buf_adds(b, "\\t");
		else if (c == '\0')
			buf_adds(b, "\\0");
		else if (c == '/')
			buf_adds(b, "\\_");
		else
			buf_addc(b, c);
	}
}

/* --results: the directory of a task's files, "1/A/2/B/" (or "" for DIR
   itself), into d->name; "" and "." name no directory and ".." climbs
   back out of its column's, as in parallel's paths. */
static void results_dir(struct outdir *d, const struct task_info *t)
{
	const char *s = t->packed ? t->packed : "";
	const char *end = s + (t->packed ? t->arg_len : 0);

	buf_reset(&d->name);
	for (size_t k = 0; s <= end; k++) {
		const char *nul = memchr(s, '\0', (size_t)(end - s));
		size_t len = nul ? (size_t)(nul - s) : (size_t)(end - s);
		size_t col = d->arity ? k % d->arity + 1 : k + 1;
		size_t before = d->name.len;

		buf_printf(&d->name, "%zu/", col);
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			d->name.len = before; /* back out of the column's */
			d->name.data[before] = '\0';
		} else if (len && !(len == 1 && s[0] == '.')) {
			outdir_results_name(&d->name, s, len);
			buf_addc(&d->name, '/');
		}
		s += len + 1;
	}
}

/* d->fd's dir/name ("name" has no '/') made where missing and opened, never
   through a symbolic link; *why: the failure. */
static int enter_dir(int dir, const char *name, const char **why)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	int fd;

	if (mkdirat(dir, name, 0777) < 0 && errno != EEXIST)
		return -errno;
	fd = (int)syscall(SYS_openat2, dir, name, &how, sizeof how);
	/* Before 5.6: name has no '/', so O_NOFOLLOW is enough. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dir, name, (int)how.flags | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		*why = "a symbolic link, not followed";
	return fd < 0 ? -errno : fd;
}

/* mkdir -p DIR/d->name, one directory at a time, each opened beneath the
   one before; on failure *bad is how much of d->name was reached. */
static int make_results_dirs(struct outdir *d, const char **why, size_t *bad)
{
	char *path = d->name.data;
	int dir = d->fd, r = 0;

	for (char *c = path, *slash; (slash = strchr(c, '/')); c = slash + 1) {
		*slash = '\0';
		int fd = enter_dir(dir, c, why);
		*slash = '/';
		if (fd < 0) {
			*bad = (size_t)(slash - path);
			r = fd;
			break;
		}
		if (dir != d->fd)
			close(dir);
		dir = fd;
	}
	if (dir != d->fd)
		close(dir);
	return r;
}

/* --results: DIR/1/INPUT/{stdout,stderr,seq}. */
static bool results_task(struct outdir *d, const struct task_info *t,
			 const struct rr_result *r, struct output *o)
{
	const char *why = NULL;
	char seq[24];
	struct rr_capture s = { .data = seq };
	size_t base, bad = 0;
	int e;
	bool ok;

	results_dir(d, t);
	e = make_results_dirs(d, &why, &bad);
	if (e < 0) {
		output_note(o, "--results: %s/%.*s: %s", d->path, (int)bad,
			    d->name.data, why ? why : strerror(-e));
		return false;
	}
	base = d->name.len;
	s.len = (size_t)snprintf(seq, sizeof seq, "%llu", t->seq);
	ok = put_file(d, "stdout", r ? &r->out : NULL, o);
	ok = put_file(d, "stderr", r ? &r->err : NULL, o) && ok;
	assert(d->name.len == base);
	return put_file(d, "seq", &s, o) && ok;
}

bool outdir_task(struct outdir *d, const struct task_info *t,
		 const struct rr_result *r, struct output *o)
{
	bool ok;

	if (d->results)
		return results_task(d, t, r, o);
	buf_reset(&d->name);
	outdir_name(&d->name, t->host, t->host_len, t->input_no, t->seq);
	ok = put_file(d, ".out", r ? &r->out : NULL, o);
	return put_file(d, ".err", r ? &r->err : NULL, o) && ok;
}

bool outdir_stream(struct outdir *d, const struct task_info *t,
		   const struct rr_capture *c, bool skip_empty,
		   struct output *o)
{
	if (skip_empty && !c->len)
		return true;
	buf_reset(&d->name);
	outdir_name(&d->name, t->host, t->host_len, t->input_no, t->seq);
	return put_file(d, "", c, o);
}

void outdir_close(struct outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	buf_free(&d->name);
}
