/* cli/outdir.c: --outdir's file names, escaping, files and failures. */
#define _GNU_SOURCE /* memfd_create */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/outdir.h"

static void expect_name(const char *host, size_t len, size_t input_no,
			unsigned long long seq, const char *want)
{
	struct buf b = BUF_INIT;

	outdir_name(&b, host, len, input_no, seq);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

#define NAME(host, input_no, seq, want) \
	expect_name(host, strlen(host), input_no, seq, want)

Test(unit_outdir, names)
{
	expect_name(NULL, 0, 0, 17, "17");
	expect_name(NULL, 0, 3, 17, "17");
	NAME("web7", 0, 9, "web7");
	NAME("web7", 2, 9, "web7.2");
	NAME("root@db1:2222", 0, 1, "root@db1:2222");
	NAME("[::1]:22", 12, 1, "[::1]:22.12");
}

/* '/', '%', NUL and a leading '.' become %XX: one file each, inside DIR. */
Test(unit_outdir, escaping)
{
	NAME("a/b", 0, 1, "a%2Fb");
	NAME("a%2Fb", 0, 1, "a%252Fb");
	NAME(".", 0, 1, "%2E");
	NAME("..", 0, 1, "%2E.");
	NAME(".hidden", 1, 1, "%2Ehidden.1");
	NAME("a.b", 0, 1, "a.b");
	NAME("fe80::1%eth0", 0, 1, "fe80::1%25eth0");
	NAME("/", 0, 1, "%2F");
	expect_name("a\0b", 3, 0, 1, "a%00b");
}

static char dir[PATH_MAX];

static void make_tmp(void)
{
	strcpy(dir, "/tmp/rr-outdir-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_tmp(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static mode_t mode_of(const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

/* DIR/name whole, NUL-terminated (caller frees); NULL when absent. */
static char *slurp(const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;
	FILE *f;
	char *s;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (stat(path, &st) < 0)
		return NULL;
	f = fopen(path, "r");
	cr_assert_not_null(f);
	s = calloc(1, (size_t)st.st_size + 1);
	cr_assert_eq(fread(s, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	return s;
}

static void expect_file(const char *name, const char *want)
{
	char *got = slurp(name);

	cr_assert_not_null(got, "%s/%s is missing", dir, name);
	cr_assert_str_eq(got, want, "%s", name);
	free(got);
}

static struct rr_result result(const char *out, const char *err)
{
	return (struct rr_result){
		.out = { out, strlen(out), strlen(out), false },
		.err = { err, strlen(err), strlen(err), false },
	};
}

/* An output whose stderr is a memfd: the failure lines. */
struct sink_pair {
	struct output o;
	int err_fd;
};

static void sink_start(struct sink_pair *s)
{
	s->err_fd = memfd_create("err", 0);
	cr_assert(s->err_fd >= 0);
	output_init(&s->o, OUT_QUIET, s->err_fd, s->err_fd);
}

static char *sink_end(struct sink_pair *s)
{
	cr_assert_eq(output_flush(&s->o), 0);
	off_t end = lseek(s->err_fd, 0, SEEK_END);
	char *got = calloc(1, (size_t)end + 1);
	cr_assert_eq(pread(s->err_fd, got, (size_t)end, 0), end);
	output_free(&s->o);
	close(s->err_fd);
	return got;
}

Test(unit_outdir, creates_dirs_and_writes_pairs, .init = make_tmp, .fini = remove_tmp)
{
	char path[PATH_MAX + 16];
	struct outdir d;
	struct sink_pair s;
	mode_t old = umask(027);
	struct rr_result r = result("out\n", "err\n"), big = result("new", "");
	struct task_info t = { .seq = 3, .host = "web/7", .host_len = 5,
			       .input_no = 2 };

	snprintf(path, sizeof path, "%s/a/b", dir);
	cr_assert_eq(outdir_open(&d, "--outdir", path, false), 0);
	sink_start(&s);
	cr_assert(outdir_task(&d, &t, &r, &s.o));
	t.host = "web8";
	t.host_len = 4;
	cr_assert(outdir_task(&d, &t, NULL, &s.o));
	t.host = NULL;
	cr_assert(outdir_task(&d, &t, &r, &s.o));
	cr_assert(outdir_task(&d, &t, &big, &s.o)); /* truncated, not appended */
	char *err = sink_end(&s);
	cr_assert_str_eq(err, "");
	free(err);
	outdir_close(&d);
	umask(old);

	cr_assert_eq(mode_of("a"), 0750);
	cr_assert_eq(mode_of("a/b"), 0750);
	expect_file("a/b/web%2F7.2.out", "out\n");
	expect_file("a/b/web%2F7.2.err", "err\n");
	expect_file("a/b/web8.2.out", "");
	expect_file("a/b/web8.2.err", "");
	expect_file("a/b/3.out", "new");
	cr_assert_eq(mode_of("a/b/3.err"), 0640);
	expect_file("a/b/3.err", "");
}

Test(unit_outdir, open_failures, .init = make_tmp, .fini = remove_tmp)
{
	char path[PATH_MAX + 16];
	struct outdir d;

	snprintf(path, sizeof path, "%s/file", dir);
	cr_assert_eq(creat(path, 0644) >= 0, true);
	cr_assert_eq(outdir_open(&d, "--outdir", path, false), -ENOTDIR);
	outdir_close(&d);
	snprintf(path, sizeof path, "%s/file/sub", dir);
	cr_assert_eq(outdir_open(&d, "--outdir", path, false), -ENOTDIR);
	outdir_close(&d);
	snprintf(path, sizeof path, "%s/", dir); /* exists already: fine */
	cr_assert_eq(outdir_open(&d, "--outdir", path, false), 0);
	outdir_close(&d);
}

/* A file that cannot be written: one line naming it and why, false; the
   other file of the pair is still written. */
Test(unit_outdir, write_failures, .init = make_tmp, .fini = remove_tmp)
{
	char path[PATH_MAX + 16], want[PATH_MAX * 3];
	struct outdir d;
	struct sink_pair s;
	struct rr_result r = result("o", "e");
	struct task_info t = { .seq = 1 };

	snprintf(path, sizeof path, "%s/1.out", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/2.err", dir);
	cr_assert_eq(symlink("/dev/full", path), 0);
	snprintf(path, sizeof path, "%s/", dir);
	cr_assert_eq(outdir_open(&d, "--outdir", path, false), 0);
	sink_start(&s);
	cr_assert_not(outdir_task(&d, &t, &r, &s.o));
	t.seq = 2;
	cr_assert_not(outdir_task(&d, &t, &r, &s.o));
	char *err = sink_end(&s);
	snprintf(want, sizeof want,
		 "ringrun: --outdir: %s/1.out: Is a directory\n"
		 "ringrun: --outdir: %s/2.err: a symbolic link, not followed\n",
		 dir, dir);
	cr_assert_str_eq(err, want);
	free(err);
	outdir_close(&d);
	expect_file("1.err", "e");
	expect_file("2.out", "o");
}
