/*
 * Host files: a stack of the files being read, the innermost (the last
 * one included) on top; its lines go to the host list until it ends.
 */
#include "hosts/hostfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

static void fail(struct hostfile *hf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pop(struct hostfile *hf)
{
	struct hostfile_level *l = &hf->level[--hf->depth];

	records_close(&l->rs);
	free(l->name);
	free(l->dir);
}

/* Nothing more is read: the why, and every file closed. */
static void fail(struct hostfile *hf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hf->err, sizeof hf->err, fmt, ap);
	va_end(ap);
	hf->failed = true;
	while (hf->depth)
		pop(hf);
}

/* The directory of path, or NULL for the current one. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash == path ? 1 : slash ? (size_t)(slash - path) : 0;
	char *dir;

	if (!slash)
		return NULL;
	dir = xmalloc(len + 1);
	memcpy(dir, path, len);
	dir[len] = '\0';
	return dir;
}

/* The open file named path (in messages: name) on top; its dev and ino
   in *st.  Returns 0 or -errno. */
static int push(struct hostfile *hf, const char *path, const char *name,
		struct stat *st)
{
	struct hostfile_level *l = &hf->level[hf->depth];
	int r = records_open(&l->rs, path, '\n');

	if (r < 0)
		return r;
	if (fstat(l->rs.fd, st) < 0) {
		r = -errno;
		records_close(&l->rs);
		return r;
	}
	l->name = xstrdup(name);
	l->dir = strcmp(path, "-") ? dir_of(path) : NULL;
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	hf->depth++;
	return 0;
}

int hostfile_open(struct hostfile *hf, struct hosts *hosts, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "stdin";
	struct stat st;
	int r;

	*hf = (struct hostfile){ .hosts = hosts };
	r = push(hf, path, name, &st);
	if (r < 0)
		fail(hf, "%s: %s", name, strerror(-r));
	return r < 0 ? -1 : 0;
}

/* Is the file being read already, including the one to include? */
static bool open_already(const struct hostfile *hf, const struct stat *st)
{
	for (size_t k = 0; k + 1 < hf->depth; k++)
		if (hf->level[k].dev == st->st_dev && hf->level[k].ino == st->st_ino)
			return true;
	return false;
}

/* #include FILE, on line number of file l. */
static void include(struct hostfile *hf, const struct hostfile_level *l,
		    const char *file, size_t len)
{
	const char *dir = file[0] != '/' ? l->dir : NULL;
	size_t size = (dir ? strlen(dir) + 1 : 0) + len + 1;
	char *path = xmalloc(size);
	const char *name = l->name;
	size_t line = l->rs.number;
	struct stat st;
	int r;

	snprintf(path, size, "%s%s%.*s", dir ? dir : "", dir ? "/" : "",
		 (int)len, file);
	if (hf->depth == HOSTFILE_DEPTH) {
		fail(hf, "%s: line %zu: #include %.*s: more than %d files deep",
		     name, line, (int)len, file, HOSTFILE_DEPTH);
	} else if ((r = push(hf, path, path, &st)) < 0) {
		fail(hf, "%s: line %zu: #include %.*s: %s", name, line, (int)len,
		     file, strerror(-r));
	} else if (open_already(hf, &st)) {
		fail(hf, "%s: line %zu: #include %.*s: a cycle: %s is being read "
		     "already", name, line, (int)len, file, path);
	}
	free(path);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * "#include FILE" in the first column (pdsh's one directive): FILE in
 * *file[0..*len), blanks around it left out.  False: a comment.
 */
static bool include_of(const char *s, size_t len, const char **file,
		       size_t *flen)
{
	static const char word[] = "#include";
	size_t n = sizeof word - 1, start = n, end = len;

	if (len < n || memcmp(s, word, n) != 0 || (len > n && !is_blank(s[n])))
		return false;
	while (start < end && is_blank(s[start]))
		start++;
	while (end > start && is_blank(s[end - 1]))
		end--;
	*file = s + start;
	*flen = end - start;
	return true;
}

/* A line of file l: hosts, a comment, or an #include. */
static void take_line(struct hostfile *hf, const struct hostfile_level *l,
		      const char *s, size_t len)
{
	const char *hash = memchr(s, '#', len), *file;
	size_t flen;
	char why[512];

	if (hash == s && include_of(s, len, &file, &flen)) {
		if (flen)
			include(hf, l, file, flen);
		else
			fail(hf, "%s: line %zu: #include: no file name", l->name,
			     l->rs.number);
		return;
	}
	if (hosts_add_line(hf->hosts, s, hash ? (size_t)(hash - s) : len, why,
			   sizeof why) < 0)
		fail(hf, "%s: line %zu: %s", l->name, l->rs.number, why);
}

void hostfile_pump(struct hostfile *hf, size_t want)
{
	while (hf->depth && hf->hosts->n < want) {
		struct hostfile_level *l = &hf->level[hf->depth - 1];
		const char *s;
		size_t len;
		int r = records_next(&l->rs, &s, &len);

		hf->starved = r == 0 && !l->rs.eof;
		if (hf->starved)
			return;
		if (r < 0)
			fail(hf, "%s: line %zu: %s", l->name, l->rs.number + 1,
			     records_strerror(r));
		else if (r == 0)
			pop(hf);
		else
			take_line(hf, l, s, len);
	}
}

int hostfile_fd(const struct hostfile *hf, size_t want)
{
	if (!hf->depth || !hf->starved || hf->hosts->n >= want)
		return -1;
	return hf->level[hf->depth - 1].rs.fd;
}

void hostfile_fill(struct hostfile *hf)
{
	struct hostfile_level *l = &hf->level[hf->depth - 1];
	int r = records_fill(&l->rs);

	hf->starved = false;
	if (r < 0)
		fail(hf, "%s: read: %s", l->name, strerror(-r));
}

bool hostfile_ended(const struct hostfile *hf)
{
	return !hf->depth && !hf->failed;
}

void hostfile_close(struct hostfile *hf)
{
	while (hf->depth)
		pop(hf);
}

int hostfile_read_all(struct hosts *hosts, const char *path, char *err,
		      size_t errlen)
{
	struct hostfile hf;
	int fd;

	hostfile_open(&hf, hosts, path);
	while (hostfile_pump(&hf, SIZE_MAX), (fd = hostfile_fd(&hf, SIZE_MAX)) >= 0) {
		int r = records_wait(&hf.level[hf.depth - 1].rs);

		if (r < 0)
			fail(&hf, "%s: read: %s", hf.level[hf.depth - 1].name,
			     strerror(-r));
		else
			hostfile_fill(&hf);
	}
	if (hf.failed)
		snprintf(err, errlen, "%s", hf.err);
	hostfile_close(&hf);
	return hf.failed ? -1 : 0;
}
