/* xferutil.c - the helpers of the file copy suites (xfer.h). */
#define _GNU_SOURCE
#include "xfer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- fleet */

void xfleet_start(struct xfleet *f, int n)
{
	cr_assert(n >= 1 && n <= 32);
	*f = (struct xfleet){.n = n};
	for (int k = 0; 16 * k < n; k++)
		f->s[k] = sshd_start(n - 16 * k < 16 ? n - 16 * k : 16, 16 * k, NULL);
	sshd_path(f->s[0], "work", f->work, sizeof f->work);
	mkdirs(f->work);
}

rr_host *xfleet_host(rr_loop *loop, const struct xfleet *f, int i,
		     const struct rr_host_opts *base)
{
	cr_assert(i >= 0 && i < f->n);
	return host_on(loop, f->s[i / 16], i % 16, base);
}

int xfleet_log_count(const struct xfleet *f, const char *needle)
{
	int n = 0;
	for (int k = 0; k < 2; k++)
		if (f->s[k])
			n += sshd_log_count(f->s[k], needle);
	return n;
}

const char *xpath(const struct xfleet *f, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, size, "%s/", f->work);

	cr_assert(n > 0 && (size_t)n < size);
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	cr_assert(m >= 0 && (size_t)m < size - (size_t)n, "path too long: %s", buf);
	return buf;
}

/* ---------------------------------------------------------- files, trees */

void mkdirs(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s failed", cmd);
}

/* The pattern for (size, seed): the last one asked for is kept, as a test
   checks many copies of one big file. */
static const uint8_t *pattern_cached(size_t size, uint64_t seed)
{
	static uint8_t *buf;
	static size_t bsize;
	static uint64_t bseed;

	if (!buf || bsize != size || bseed != seed) {
		free(buf);
		buf = pattern_buf(size, seed);
		bsize = size;
		bseed = seed;
	}
	return buf;
}

void make_file(const char *path, size_t size, uint64_t seed)
{
	write_file(path, pattern_cached(size, seed), size);
	cr_assert_eq(chmod(path, 0644), 0, "chmod %s: %s", path, strerror(errno));
}

void expect_file(const char *path, size_t size, uint64_t seed)
{
	struct stat st;

	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "%s: not a regular file (mode 0%o)", path,
		  (unsigned)st.st_mode);
	size_t len = (size_t)st.st_size;
	void *got = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	cr_assert_neq(got, MAP_FAILED, "mmap %s: %s", path, strerror(errno));
	expect_bytes(path, got, len, pattern_cached(size, seed), size);
	if (len)
		munmap(got, len);
}

void expect_absent(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), -1, "%s exists", path);
	cr_assert_eq(errno, ENOENT, "%s: %s", path, strerror(errno));
}

void expect_dir_names(const char *dir, const char *const want[])
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, nwant = 0;

	cr_assert(d, "%s: %s", dir, strerror(errno));
	while (want[nwant])
		nwant++;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool known = false;
		for (int i = 0; i < nwant; i++)
			known |= !strcmp(e->d_name, want[i]);
		if (!known) {
			char name[256];
			snprintf(name, sizeof name, "%s", e->d_name);
			closedir(d);
			cr_assert_fail("%s: '%s' left behind", dir, name);
		}
		n++;
	}
	closedir(d);
	cr_assert_eq(n, nwant, "%s: %d entries, want %d", dir, n, nwant);
}

static int tree_level(const char *dir, int fan, int levels, uint64_t *seed,
		      uint64_t *bytes)
{
	char path[512];
	int n = 0;

	for (int i = 0; i < fan; i++) {
		if (levels > 1) {
			snprintf(path, sizeof path, "%s/d%d", dir, i);
			cr_assert_eq(mkdir(path, 0755), 0, "%s: %s", path, strerror(errno));
			n += 1 + tree_level(path, fan, levels - 1, seed, bytes);
		} else {
			snprintf(path, sizeof path, "%s/f%d", dir, i);
			size_t size = (size_t)(*seed * 2654435761u % 8193);
			make_file(path, size, *seed);
			*bytes += size;
			++*seed;
			n++;
		}
	}
	return n;
}

int make_tree(const char *root, int fan, int levels, uint64_t seed, uint64_t *bytes)
{
	mkdirs(root);
	cr_assert_eq(chmod(root, 0755), 0);
	*bytes = 0;
	return 1 + tree_level(root, fan, levels, &seed, bytes);
}

void expect_same_tree(const char *a, const char *b)
{
	char cmd[1200], out[2048];
	snprintf(cmd, sizeof cmd, "diff -r --no-dereference '%s' '%s' 2>&1", a, b);
	int rc = sh_capture(cmd, out, sizeof out);
	cr_assert_eq(rc, 0, "%s: exit %d:\n%s", cmd, rc, out);
}

char *find_list(const char *dir, const char *fmt)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "find '%s' -printf '%s' | LC_ALL=C sort", dir, fmt);
	FILE *p = popen(cmd, "re");
	cr_assert(p, "popen: %s", strerror(errno));
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert(m);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	cr_assert_eq(pclose(p), 0, "%s failed", cmd);
	return buf;
}

/* --------------------------------------------------- the copy's callbacks */

static void rec_progress(rr_task *task, uint64_t done, uint64_t total, void *user)
{
	struct xrec *r = user;

	(void)task;
	if (!r->regress && (done < r->done || total < r->total || done > total))
		cr_assert(asprintf(&r->regress, "%llu/%llu after %llu/%llu",
				   (unsigned long long)done, (unsigned long long)total,
				   (unsigned long long)r->done,
				   (unsigned long long)r->total) > 0);
	r->done = done;
	r->total = total;
	r->progress_calls++;
}

static void rec_file(rr_task *task, const struct rr_xfer_file *file, void *user)
{
	struct xrec *r = user;
	size_t need = strlen(file->dst) + 4;

	(void)task;
	r->files++;
	if (file->err) {
		r->file_errs++;
		if (!r->first_err)
			r->first_err = strdup(file->message ? file->message : "(null)");
	}
	if (r->len + need + 1 > r->cap) {
		r->cap = (r->cap + need) * 2;
		r->entries = realloc(r->entries, r->cap);
		cr_assert(r->entries);
	}
	r->len += (size_t)sprintf(r->entries + r->len, "%c %s\n", file->type, file->dst);
}

static void rec_done(rr_task *task, void *user)
{
	(void)task;
	((struct xrec *)user)->done_calls++;
}

struct rr_xfer_opts xrec_opts(struct xrec *rec, unsigned flags)
{
	return (struct rr_xfer_opts){.size = sizeof(struct rr_xfer_opts), .flags = flags,
				     .user = rec, .on_done = rec_done,
				     .on_progress = rec_progress, .on_file = rec_file};
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *xrec_sorted(const struct xrec *rec)
{
	char *copy = strndup(rec->entries ? rec->entries : "", rec->len);
	char **lines = calloc((size_t)rec->files + 1, sizeof *lines);
	size_t n = 0;

	cr_assert(copy && lines);
	for (char *save, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_assert_lt(n, (size_t)rec->files + 1);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof *lines, cmp_str);
	char *out = malloc(rec->len + 1);
	cr_assert(out);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(out + len, "%s\n", lines[i]);
	out[len] = 0;
	free(lines);
	free(copy);
	return out;
}

void xrec_expect_progress(const struct xrec *rec, uint64_t want)
{
	cr_assert_null(rec->regress, "progress went back: %s", rec->regress);
	cr_assert_eq(rec->total, want, "progress total %llu, want %llu",
		     (unsigned long long)rec->total, (unsigned long long)want);
	cr_assert_eq(rec->done, want, "progress ends at %llu of %llu",
		     (unsigned long long)rec->done, (unsigned long long)rec->total);
}

void xrec_free(struct xrec *rec)
{
	free(rec->regress);
	free(rec->entries);
	free(rec->first_err);
	*rec = (struct xrec){0};
}

/* ---------------------------------------------------------------- tasks */

rr_task *put_task(rr_loop *loop, rr_host *h, const char *local, const char *remote,
		  const struct rr_xfer_opts *o)
{
	rr_task *t = rr_put(loop, h, local, remote, o);
	cr_assert(t, "rr_put(%s, %s): %s", local, remote, strerror(errno));
	return t;
}

rr_task *get_task(rr_loop *loop, rr_host *h, const char *remote, const char *local,
		  const struct rr_xfer_opts *o)
{
	rr_task *t = rr_get(loop, h, remote, local, o);
	cr_assert(t, "rr_get(%s, %s): %s", remote, local, strerror(errno));
	return t;
}

void run_all(rr_loop *loop)
{
	int rc = rr_loop_run(loop, RR_RUN_DEFAULT);
	cr_assert_eq(rc, 0, "rr_loop_run: %s", rr_strerror(rc));
}

void expect_error(const struct rr_result *r, ...)
{
	va_list ap;
	const char *needle, *missing = NULL;

	expect_status_only(r, RR_ERROR);
	va_start(ap, r);
	while ((needle = va_arg(ap, const char *)))
		if (!missing && !strcasestr(r->message, needle))
			missing = needle;
	va_end(ap);
	cr_assert_null(missing, "'%s' does not say '%s'", r->message, missing);
}
