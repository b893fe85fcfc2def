/* xfertree.c - rr_put and rr_get of directories (RR_XFER_RECURSIVE) to and
 * from 20 hosts at once: a tree of 1000 files, modes and times with and
 * without RR_XFER_PRESERVE, symbolic links as links and followed
 * (RR_XFER_FOLLOW).  diff -r and find are the oracles. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "xfer.h"

SSH_SUITE(ssh_xfertree);

enum { HOSTS = 20 };

/* Asserts the entries rec saw are exactly what find lists under root, one
   on_file each, none failed. */
static void expect_entries(const struct xrec *rec, const char *root, int n)
{
	char *want = find_list(root, "%y %p\\n"), *got = xrec_sorted(rec), diff[800] = "";
	const char *g = got, *w = want;

	while (*g && *g == *w)
		g++, w++;
	while (g > got && g[-1] != '\n')
		g--, w--;
	if (*g || *w)
		snprintf(diff, sizeof diff, "on_file saw '%.*s' where find lists '%.*s'",
			 (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
	free(want);
	free(got);
	cr_assert_eq(rec->file_errs, 0, "%s", rec->first_err);
	cr_assert_eq(rec->files, n, "%s: %d on_file calls, want %d", root, rec->files, n);
	cr_assert_str_empty(diff, "%s", diff);
}

/*
 * A tree of 1000 files in 110 directories, three levels deep, to 20 hosts
 * (dst an existing directory: the tree keeps its name), then back from each
 * into a local directory per host: identical trees (diff -r), one on_file
 * per entry naming where it went, progress up to the sum of the files.
 */
Test(ssh_xfertree, tree_of_1000_files)
{
	struct xfleet f;
	static struct xrec rec[HOSTS];
	rr_task *t[HOSTS];
	char src[300], dst[300], path[300];
	uint64_t bytes;

	xfleet_start(&f, HOSTS);
	int n = make_tree(xpath(&f, src, sizeof src, "tree"), 10, 3, 1, &bytes);
	cr_assert_eq(n, 1 + 10 + 100 + 1000);
	rr_loop *loop = loop_new(NULL);
	rr_host *h[HOSTS];
	for (int i = 0; i < HOSTS; i++) {
		struct rr_xfer_opts o = xrec_opts(&rec[i], RR_XFER_RECURSIVE);
		h[i] = xfleet_host(loop, &f, i, NULL);
		mkdirs(xpath(&f, dst, sizeof dst, "h%d", i));
		t[i] = put_task(loop, h[i], src, dst, &o);
	}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++) {
		expect_status_only(rr_task_result(t[i]), RR_OK);
		xpath(&f, dst, sizeof dst, "h%d/tree", i);
		expect_same_tree(src, dst);
		expect_entries(&rec[i], dst, n);
		xrec_expect_progress(&rec[i], bytes);
		cr_assert_eq(rec[i].done_calls, 1);
		xrec_free(&rec[i]);
	}

	for (int i = 0; i < HOSTS; i++) {
		struct rr_xfer_opts o = xrec_opts(&rec[i], RR_XFER_RECURSIVE);
		mkdirs(xpath(&f, dst, sizeof dst, "g%d", i));
		t[i] = get_task(loop, h[i], xpath(&f, path, sizeof path, "h%d/tree", i), dst, &o);
	}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++) {
		expect_status_only(rr_task_result(t[i]), RR_OK);
		xpath(&f, dst, sizeof dst, "g%d/tree", i);
		expect_same_tree(src, dst);
		expect_entries(&rec[i], dst, n);
		xrec_expect_progress(&rec[i], bytes);
		xrec_free(&rec[i]);
	}
	cr_assert_eq(xfleet_log_count(&f, "Connection from"), HOSTS);
	free_loop(loop);
}

/* ------------------------------------------------------------ modes, times */

/* The tree of odd modes and old times: every mode has a bit a umask of 022
   clears but p/y, whose 0600 it keeps. */
static const struct {
	const char *rel;
	bool dir;
	mode_t mode;
	time_t mtime;
} odd[] = {
	{"p/x", false, 0767, 1000000000},  {"p/y", false, 0600, 1200000000},
	{"p/sub/z", false, 0777, 1300000000}, {"p/sub", true, 0775, 1100000000},
	{"p", true, 0773, 1400000000}, /* a directory after what it holds */
};
#define NODD (sizeof odd / sizeof *odd)

static void make_odd_tree(const struct xfleet *f)
{
	char path[300];

	mkdirs(xpath(f, path, sizeof path, "p/sub"));
	for (size_t k = 0; k < NODD; k++) {
		xpath(f, path, sizeof path, "%s", odd[k].rel);
		if (!odd[k].dir)
			make_file(path, 100 * k + 1, 50 + k);
		struct timeval tv[2] = {{odd[k].mtime, 0}, {odd[k].mtime, 0}};
		cr_assert_eq(chmod(path, odd[k].mode), 0, "chmod %s: %s", path, strerror(errno));
		cr_assert_eq(utimes(path, tv), 0, "utimes %s: %s", path, strerror(errno));
	}
}

/* Under dir (which holds p): with preserve every mode and mtime is the
   source's; without, the modes are under umask and no mtime is the old one. */
static void expect_odd(const char *dir, bool preserve, mode_t umask_bits)
{
	char path[400];
	struct stat st;

	for (size_t k = 0; k < NODD; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, odd[k].rel);
		cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
		mode_t want = preserve ? odd[k].mode : odd[k].mode & ~umask_bits;
		cr_assert_eq(st.st_mode & 07777, want, "%s: mode 0%o, want 0%o (%s)", path,
			     (unsigned)(st.st_mode & 07777), (unsigned)want,
			     preserve ? "preserved" : "under the umask");
		if (preserve)
			cr_assert_eq(st.st_mtime, odd[k].mtime, "%s: mtime %lld, want %lld",
				     path, (long long)st.st_mtime, (long long)odd[k].mtime);
		else
			cr_assert_neq(st.st_mtime, odd[k].mtime, "%s: mtime kept", path);
	}
}

/* The umask the host's sessions (sftp-server among them) run under. */
static mode_t remote_umask(rr_loop *loop, rr_host *h)
{
	const struct rr_result *r = run_ssh(loop, h, "umask", NULL);
	expect_status(r, RR_OK, 0);
	return (mode_t)strtoul(r->out.data, NULL, 8);
}

/*
 * A tree of odd modes and old times to 20 hosts with RR_XFER_PRESERVE (all
 * kept) and without (modes under the host's umask, times new), then back
 * from each the same two ways (under this process's umask).
 */
Test(ssh_xfertree, preserve_modes_and_times)
{
	struct xfleet f;
	rr_task *t[HOSTS][2];
	char src[300], dst[300], path[300];
	static const char *const how[2] = {"plain", "kept"};

	xfleet_start(&f, HOSTS);
	make_odd_tree(&f);
	xpath(&f, src, sizeof src, "p");
	rr_loop *loop = loop_new(NULL);
	rr_host *h[HOSTS];
	for (int i = 0; i < HOSTS; i++) {
		h[i] = xfleet_host(loop, &f, i, NULL);
		for (int p = 0; p < 2; p++) {
			unsigned flags = RR_XFER_RECURSIVE | (p ? RR_XFER_PRESERVE : 0);
			mkdirs(xpath(&f, dst, sizeof dst, "h%d/%s", i, how[p]));
			t[i][p] = put_task(loop, h[i], src, dst,
					   &(struct rr_xfer_opts){.flags = flags});
		}
	}
	run_all(loop);
	mode_t rmask = remote_umask(loop, h[0]);
	for (int i = 0; i < HOSTS; i++)
		for (int p = 0; p < 2; p++) {
			expect_status_only(rr_task_result(t[i][p]), RR_OK);
			expect_odd(xpath(&f, dst, sizeof dst, "h%d/%s", i, how[p]), p, rmask);
		}

	mode_t lmask = umask(022);
	umask(lmask);
	for (int i = 0; i < HOSTS; i++)
		for (int p = 0; p < 2; p++) {
			unsigned flags = RR_XFER_RECURSIVE | (p ? RR_XFER_PRESERVE : 0);
			mkdirs(xpath(&f, dst, sizeof dst, "g%d/%s", i, how[p]));
			t[i][p] = get_task(loop, h[i], xpath(&f, path, sizeof path, "h%d/kept/p", i),
					   dst, &(struct rr_xfer_opts){.flags = flags});
		}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++)
		for (int p = 0; p < 2; p++) {
			expect_status_only(rr_task_result(t[i][p]), RR_OK);
			expect_odd(xpath(&f, dst, sizeof dst, "g%d/%s", i, how[p]), p, lmask);
		}
	free_loop(loop);
}

/* ------------------------------------------------------------------ links */

/* l/target, l/rel -> target, l/abs -> WORK/l/target, l/dir/inner,
   l/dlink -> dir. */
static void make_links(const struct xfleet *f)
{
	char path[300], to[300];

	mkdirs(xpath(f, path, sizeof path, "l/dir"));
	make_file(xpath(f, path, sizeof path, "l/target"), 100, 7);
	make_file(xpath(f, path, sizeof path, "l/dir/inner"), 200, 8);
	cr_assert_eq(symlink("target", xpath(f, path, sizeof path, "l/rel")), 0);
	cr_assert_eq(symlink(xpath(f, to, sizeof to, "l/target"),
			     xpath(f, path, sizeof path, "l/abs")), 0);
	cr_assert_eq(symlink("dir", xpath(f, path, sizeof path, "l/dlink")), 0);
}

/* Asserts dir/l is l with every link followed: rel and abs are copies of
   target, dlink one of dir. */
static void expect_followed(const struct xfleet *f, const char *dir)
{
	char path[400], want[300];

	snprintf(path, sizeof path, "%s/l/rel", dir);
	expect_file(path, 100, 7);
	snprintf(path, sizeof path, "%s/l/abs", dir);
	expect_file(path, 100, 7);
	snprintf(path, sizeof path, "%s/l/dlink", dir);
	expect_same_tree(xpath(f, want, sizeof want, "l/dir"), path);
	snprintf(path, sizeof path, "%s/l/dlink/inner", dir);
	expect_file(path, 200, 8);
}

/* Asserts path is a symbolic link to target. */
static void expect_link(const char *path, const char *target)
{
	char buf[400];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	cr_assert_geq(n, 0, "%s: not a link: %s", path, strerror(errno));
	buf[n] = 0;
	cr_assert_str_eq(buf, target, "%s -> %s, want -> %s", path, buf, target);
}

/*
 * Links to 20 hosts: by default copied as links (the same targets, relative
 * and absolute; diff -r --no-dereference agrees), with RR_XFER_FOLLOW as
 * what they point to; a single link too.  Then back from each host the
 * same two ways.
 */
Test(ssh_xfertree, symlinks)
{
	struct xfleet f;
	rr_task *t[HOSTS][4];
	char src[300], rel[300], dst[300], path[300];
	static const char *const how[2] = {"links", "followed"};

	xfleet_start(&f, HOSTS);
	make_links(&f);
	xpath(&f, src, sizeof src, "l");
	xpath(&f, rel, sizeof rel, "l/rel");
	rr_loop *loop = loop_new(NULL);
	rr_host *h[HOSTS];
	for (int i = 0; i < HOSTS; i++) {
		h[i] = xfleet_host(loop, &f, i, NULL);
		for (int p = 0; p < 2; p++) {
			unsigned flags = p ? RR_XFER_FOLLOW : 0;
			struct rr_xfer_opts o = {.flags = flags | RR_XFER_RECURSIVE};
			mkdirs(xpath(&f, dst, sizeof dst, "h%d/%s", i, how[p]));
			t[i][p] = put_task(loop, h[i], src, dst, &o);
			o.flags = flags;
			t[i][2 + p] = put_task(loop, h[i], rel,
					       xpath(&f, dst, sizeof dst, "h%d/%s/one", i, how[p]), &o);
		}
	}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++) {
		for (int k = 0; k < 4; k++)
			expect_status_only(rr_task_result(t[i][k]), RR_OK);
		expect_same_tree(src, xpath(&f, dst, sizeof dst, "h%d/links/l", i));
		expect_link(xpath(&f, dst, sizeof dst, "h%d/links/l/abs", i),
			    xpath(&f, path, sizeof path, "l/target"));
		expect_link(xpath(&f, dst, sizeof dst, "h%d/links/one", i), "target");
		expect_followed(&f, xpath(&f, dst, sizeof dst, "h%d/followed", i));
		expect_file(xpath(&f, dst, sizeof dst, "h%d/followed/one", i), 100, 7);
	}

	for (int i = 0; i < HOSTS; i++)
		for (int p = 0; p < 2; p++) {
			unsigned flags = p ? RR_XFER_FOLLOW : 0;
			struct rr_xfer_opts o = {.flags = flags | RR_XFER_RECURSIVE};
			mkdirs(xpath(&f, dst, sizeof dst, "g%d/%s", i, how[p]));
			t[i][p] = get_task(loop, h[i], xpath(&f, path, sizeof path, "h%d/links/l", i),
					   dst, &o);
			o.flags = flags;
			t[i][2 + p] = get_task(loop, h[i],
					       xpath(&f, path, sizeof path, "h%d/links/l/rel", i),
					       xpath(&f, dst, sizeof dst, "g%d/%s/one", i, how[p]), &o);
		}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++) {
		for (int k = 0; k < 4; k++)
			expect_status_only(rr_task_result(t[i][k]), RR_OK);
		expect_same_tree(src, xpath(&f, dst, sizeof dst, "g%d/links/l", i));
		expect_link(xpath(&f, dst, sizeof dst, "g%d/links/one", i), "target");
		expect_followed(&f, xpath(&f, dst, sizeof dst, "g%d/followed", i));
		expect_file(xpath(&f, dst, sizeof dst, "g%d/followed/one", i), 100, 7);
	}
	free_loop(loop);
}

/*
 * Two entries of a tree that cannot be placed (a directory holds each of
 * their names) and one that can: the one is copied, on_file tells each
 * failure, and the task ends RR_ERROR with the first one's message and
 * "(and 1 more)"; nothing temporary is left.
 */
Test(ssh_xfertree, failed_entries_counted)
{
	struct xfleet f;
	struct xrec rec = {0};
	char src[300], dst[300], path[300];

	xfleet_start(&f, 1);
	mkdirs(xpath(&f, src, sizeof src, "t"));
	for (int k = 0; k < 3; k++)
		make_file(xpath(&f, path, sizeof path, "t/%c", 'a' + k), 500, 20 + (uint64_t)k);
	mkdirs(xpath(&f, path, sizeof path, "h/t/a/in"));
	mkdirs(xpath(&f, path, sizeof path, "h/t/b/in"));
	rr_loop *loop = loop_new(NULL);
	struct rr_xfer_opts o = xrec_opts(&rec, RR_XFER_RECURSIVE);
	const struct rr_result *r = wait_task(put_task(loop, xfleet_host(loop, &f, 0, NULL), src,
						       xpath(&f, dst, sizeof dst, "h/"), &o));
	expect_file(xpath(&f, path, sizeof path, "h/t/c"), 500, 22);
	expect_dir_names(xpath(&f, path, sizeof path, "h/t"), (const char *[]){"a", "b", "c", NULL});
	expect_error(r, "(and 1 more)", NULL);
	cr_assert_eq(rec.file_errs, 2, "%d failed entries", rec.file_errs);
	cr_assert(strstr(r->message, rec.first_err), "'%s' is not the first failure '%s'",
		  r->message, rec.first_err);
	cr_assert(strstr(rec.first_err, xpath(&f, path, sizeof path, "h/t/a")) ||
		  strstr(rec.first_err, xpath(&f, path, sizeof path, "h/t/b")),
		  "'%s' names neither entry", rec.first_err);
	xrec_free(&rec);
	free_loop(loop);
}
