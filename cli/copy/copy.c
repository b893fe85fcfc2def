/*
 * Copy mode's tasks: where each SRC goes, what is checked before anything
 * connects, and what one (host, SRC) copy came to.
 */
#include "copy/copy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* src's last component, trailing slashes aside: [*start, *start + *len). */
static void last_name(const char *src, size_t *start, size_t *len)
{
	size_t end = strlen(src), s;

	while (end > 1 && src[end - 1] == '/')
		end--;
	s = end;
	while (s > 0 && src[s - 1] != '/')
		s--;
	*start = s;
	*len = end - s;
}

/* A name a copy can be given: not "/", "." or "..". */
static const char *bad_name(const char *src)
{
	size_t s, n;

	last_name(src, &s, &n);
	if (!n || (n == 1 && src[s] == '/'))
		return "names no file";
	if ((n == 1 && src[s] == '.') || (n == 2 && !strncmp(src + s, "..", 2)))
		return "names no file (give the directory's own path)";
	return NULL;
}

int copy_check(const struct options *o, char *err, size_t errlen)
{
	struct stat st;

	for (size_t k = 0; k < o->nsrcs; k++) {
		const char *src = o->srcs[k], *why = bad_name(src);

		if (!why && o->copy == COPY_PUT && lstat(src, &st) < 0)
			why = strerror(errno);
		else if (!why && o->copy == COPY_PUT && S_ISDIR(st.st_mode) &&
			 !(o->xfer_flags & RR_XFER_RECURSIVE))
			why = "is a directory (-r copies directories)";
		if (why) {
			snprintf(err, errlen, "%s: %s", src, why);
			return -1;
		}
	}
	if (o->copy == COPY_GET && o->dest && !(o->xfer_flags & RR_XFER_MKDIRS)) {
		const char *why = stat(o->dest, &st) < 0 ? strerror(errno) :
				  !S_ISDIR(st.st_mode) ? "not a directory" : NULL;

		if (why) {
			snprintf(err, errlen, "--dest: %s: %s", o->dest, why);
			return -1;
		}
	}
	return 0;
}

/* src's directory, absolute (as clush takes it), with a '/' at the end. */
static void own_directory(struct buf *b, const char *src)
{
	size_t s, n;

	last_name(src, &s, &n);
	if (src[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		buf_adds(b, cwd ? cwd : ".");
		free(cwd);
		if (b->len && b->data[b->len - 1] != '/')
			buf_addc(b, '/');
	}
	buf_add(b, src, s);
}

struct copy *copy_new(const struct options *o, const char *src, const char *host)
{
	struct copy *c = xcalloc(1, sizeof *c);
	struct buf b = BUF_INIT;
	size_t s, n;

	if (o->dest)
		buf_adds(&b, o->dest);
	else
		own_directory(&b, src);
	if (o->copy == COPY_GET) {
		/* DIR/NAME.HOST: a host name holds no '/' (rr_host_spec_parse) */
		last_name(src, &s, &n);
		if (b.len && b.data[b.len - 1] != '/')
			buf_addc(&b, '/');
		buf_add(&b, src + s, n);
		buf_addc(&b, '.');
		buf_adds(&b, host);
	} else if (o->dest && o->nsrcs > 1 && b.data[b.len - 1] != '/') {
		buf_addc(&b, '/'); /* never every SRC renamed to one name */
	}
	c->dst = buf_detach(&b);
	return c;
}

void copy_file(struct copy *c, const struct rr_xfer_file *f)
{
	struct copy_failure *e;

	if (!f->err) {
		c->files += f->type == 'f';
		c->dirs += f->type == 'd';
		c->links += f->type == 'l';
		c->bytes += f->bytes;
		return;
	}
	c->failed = xreallocarray(c->failed, c->nfailed + 1, sizeof *c->failed);
	e = &c->failed[c->nfailed++];
	e->src = xstrdup(f->src);
	e->dst = xstrdup(f->dst);
	e->message = xstrdup(f->message);
}

void copy_progress(struct copy *c, uint64_t done, uint64_t total,
		   uint64_t *more_done, uint64_t *more_total)
{
	/* Each call has this task's figures so far: the run's grow by the
	   difference. */
	*more_done = done > c->done ? done - c->done : 0;
	*more_total = total > c->total ? total - c->total : 0;
	c->done = done > c->done ? done : c->done;
	c->total = total > c->total ? total : c->total;
}

void copy_free(struct copy *c)
{
	if (!c)
		return;
	for (size_t k = 0; k < c->nfailed; k++) {
		free(c->failed[k].src);
		free(c->failed[k].dst);
		free(c->failed[k].message);
	}
	free(c->failed);
	free(c->dst);
	free(c);
}
