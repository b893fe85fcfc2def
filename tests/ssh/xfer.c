/* xfer.c - rr_put and rr_get of single files against real sshds and Debian's
 * sftp-server: an empty, a 1-byte and a 64 MiB file to and from 20 hosts at
 * once, byte for byte; 20 hosts writing one path; what is refused before any
 * connection; a host that cannot be reached among good ones. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xfer.h"

SSH_SUITE(ssh_xfer);

enum { HOSTS = 20, GETS_BIG = 4 };

static const struct {
	const char *name;
	size_t size;
} files[] = {{"empty", 0}, {"one", 1}, {"big", XFER_BIG}};
#define NFILES (sizeof files / sizeof *files)

/* Copy k of files[] has seed k + 1 in every direction. */
static void check_copy(rr_task *t, struct xrec *rec, const char *dst, size_t k)
{
	char want[600];

	expect_status_only(rr_task_result(t), RR_OK);
	expect_file(dst, files[k].size, k + 1);
	xrec_expect_progress(rec, files[k].size);
	cr_assert_eq(rec->done_calls, 1);
	cr_assert_eq(rec->files, 1, "%s: %d on_file calls", dst, rec->files);
	cr_assert_eq(rec->file_errs, 0, "%s", rec->first_err);
	snprintf(want, sizeof want, "f %s\n", dst);
	cr_assert_str_eq(rec->entries, want);
	xrec_free(rec);
}

/*
 * Three files to each of 20 hosts at once, into the host's own directory
 * (dst ending in '/': the file keeps its name), then back from the hosts
 * under a new name (dst is the new name): every copy the same bytes,
 * progress that never goes back and ends at the size, one on_file per file,
 * and one connection per host for all copies.  The 64 MiB file comes back
 * from GETS_BIG of the hosts only (on 2 busy cores, 20 x 64 MiB through
 * sshd takes 10-20 s each way).
 */
Test(ssh_xfer, twenty_hosts_put_get)
{
	struct xfleet f;
	static struct xrec rec[HOSTS][NFILES];
	rr_task *t[HOSTS][NFILES];
	char src[300], dst[300];

	xfleet_start(&f, HOSTS);
	mkdirs(xpath(&f, src, sizeof src, "src"));
	for (size_t k = 0; k < NFILES; k++)
		make_file(xpath(&f, src, sizeof src, "src/%s", files[k].name), files[k].size, k + 1);

	rr_loop *loop = loop_new(NULL);
	rr_host *h[HOSTS];
	uint64_t t0 = now_ns();
	for (int i = 0; i < HOSTS; i++) {
		h[i] = xfleet_host(loop, &f, i, NULL);
		mkdirs(xpath(&f, dst, sizeof dst, "h%d", i));
		xpath(&f, dst, sizeof dst, "h%d/", i);
		for (size_t k = 0; k < NFILES; k++) {
			struct rr_xfer_opts o = xrec_opts(&rec[i][k], 0);
			xpath(&f, src, sizeof src, "src/%s", files[k].name);
			t[i][k] = put_task(loop, h[i], src, dst, &o);
		}
	}
	run_all(loop);
	double put_s = secs_since(t0);
	for (int i = 0; i < HOSTS; i++)
		for (size_t k = 0; k < NFILES; k++)
			check_copy(t[i][k], &rec[i][k],
				   xpath(&f, dst, sizeof dst, "h%d/%s", i, files[k].name), k);

	t0 = now_ns();
	for (int i = 0; i < HOSTS; i++) {
		mkdirs(xpath(&f, dst, sizeof dst, "g%d", i));
		for (size_t k = 0; k < NFILES; k++) {
			struct rr_xfer_opts o = xrec_opts(&rec[i][k], 0);
			if (files[k].size > MiB && i >= GETS_BIG)
				continue;
			xpath(&f, src, sizeof src, "h%d/%s", i, files[k].name);
			xpath(&f, dst, sizeof dst, "g%d/%s.back", i, files[k].name);
			t[i][k] = get_task(loop, h[i], src, dst, &o);
		}
	}
	run_all(loop);
	double get_s = secs_since(t0);
	for (int i = 0; i < HOSTS; i++)
		for (size_t k = 0; k < NFILES; k++)
			if (files[k].size <= MiB || i < GETS_BIG)
				check_copy(t[i][k], &rec[i][k],
					   xpath(&f, dst, sizeof dst, "g%d/%s.back", i,
						 files[k].name), k);
	cr_assert_eq(xfleet_log_count(&f, "Connection from"), HOSTS);
	cr_log_info("%zu MiB to %d hosts in %.1f s, from %d in %.1f s", XFER_BIG / MiB, HOSTS,
		    put_s, GETS_BIG, get_s);
	free_loop(loop);
}

/*
 * 20 hosts put a different file of the same size to one path at once: it
 * ends as exactly one of them, whole, and nothing else is left beside it
 * (no temporary .dst.rr-* of a writer that lost).
 */
Test(ssh_xfer, twenty_writers_one_path)
{
	enum { SIZE = 2 * MiB };
	struct xfleet f;
	rr_task *t[HOSTS];
	char src[300], dst[300];

	xfleet_start(&f, HOSTS);
	mkdirs(xpath(&f, src, sizeof src, "src"));
	mkdirs(xpath(&f, dst, sizeof dst, "shared"));
	xpath(&f, dst, sizeof dst, "shared/dst");
	rr_loop *loop = loop_new(NULL);
	for (int i = 0; i < HOSTS; i++) {
		make_file(xpath(&f, src, sizeof src, "src/s%d", i), SIZE, 100 + (uint64_t)i);
		t[i] = put_task(loop, xfleet_host(loop, &f, i, NULL), src, dst, NULL);
	}
	run_all(loop);
	for (int i = 0; i < HOSTS; i++)
		expect_status_only(rr_task_result(t[i]), RR_OK);

	size_t len;
	char *got = read_file(dst, &len);
	cr_assert(got, "%s: %s", dst, strerror(errno));
	cr_assert_eq(len, SIZE, "%s: %zu bytes, want %d", dst, len, SIZE);
	int which = -1;
	for (int i = 0; i < HOSTS && which < 0; i++) {
		uint8_t *want = pattern_buf(SIZE, 100 + (uint64_t)i);
		if (!memcmp(got, want, SIZE))
			which = i;
		free(want);
	}
	free(got);
	cr_assert_geq(which, 0, "%s is no one writer's whole file", dst);
	expect_dir_names(xpath(&f, dst, sizeof dst, "shared"), (const char *[]){"dst", NULL});
	free_loop(loop);
}

/*
 * What rr_put refuses at the call: a missing local file (ENOENT) and a
 * directory without RR_XFER_RECURSIVE (EISDIR), before any connection.  A
 * missing remote file fails the rr_get task, naming the path, and leaves
 * nothing locally.
 */
Test(ssh_xfer, missing_sources)
{
	struct xfleet f;
	char path[300], dst[300], where[64];

	xfleet_start(&f, 1);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = xfleet_host(loop, &f, 0, NULL);

	errno = 0;
	cr_assert_null(rr_put(loop, h, xpath(&f, path, sizeof path, "nothere"),
			      xpath(&f, dst, sizeof dst, "dst"), NULL));
	cr_assert_eq(errno, ENOENT, "errno %d (%s), want ENOENT", errno, strerror(errno));
	mkdirs(xpath(&f, path, sizeof path, "dir"));
	errno = 0;
	cr_assert_null(rr_put(loop, h, path, dst, NULL));
	cr_assert_eq(errno, EISDIR, "errno %d (%s), want EISDIR", errno, strerror(errno));
	errno = 0;
	cr_assert_null(rr_put(loop, h, path, dst, &(struct rr_xfer_opts){.flags = RR_XFER_FOLLOW}));
	cr_assert_eq(errno, EISDIR, "errno %d (%s), want EISDIR", errno, strerror(errno));
	run_all(loop);
	cr_assert_eq(sshd_log_count(f.s[0], "Connection from"), 0, "a refused copy connected");
	expect_absent(dst);

	struct xrec rec = {0};
	struct rr_xfer_opts o = xrec_opts(&rec, 0);
	const struct rr_result *r = wait_task(
		get_task(loop, h, xpath(&f, path, sizeof path, "nothere"), dst, &o));
	expect_error(r, sshd_spec(f.s[0], 0, where, sizeof where), path, "no such file", NULL);
	cr_assert_eq(rec.file_errs, 1, "on_file with an error: %d calls", rec.file_errs);
	expect_contains(rec.first_err, path);
	expect_absent(dst);
	expect_dir_names(f.work, (const char *[]){"dir", NULL});
	xrec_free(&rec);
	free_loop(loop);
}

/*
 * A host on a port nothing listens on (a socket bound there, never
 * listening, keeps the port ours) among four good ones: it fails to
 * connect, the others copy.
 */
Test(ssh_xfer, unreachable_host_among_good)
{
	enum { GOOD = 4, SIZE = 256 * 1024 };
	struct xfleet f;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof sa;
	char src[300], dst[300], spec[64];
	rr_task *t[GOOD];

	int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(sock, 0);
	cr_assert_eq(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
	cr_assert_eq(getsockname(sock, (struct sockaddr *)&sa, &salen), 0);
	snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(sa.sin_port));

	xfleet_start(&f, GOOD);
	make_file(xpath(&f, src, sizeof src, "file"), SIZE, 9);
	rr_loop *loop = loop_new(NULL);
	const char *ids[] = {f.s[0]->client_key, NULL};
	rr_host *bad = rr_host_new(loop, spec, &(struct rr_host_opts){
		.identities = ids, .known_hosts = f.s[0]->known_hosts, .no_agent = true});
	cr_assert(bad, "rr_host_new(%s): %s", spec, strerror(errno));
	mkdirs(xpath(&f, dst, sizeof dst, "bad"));
	rr_task *tb = put_task(loop, bad, src, xpath(&f, dst, sizeof dst, "bad/"), NULL);
	for (int i = 0; i < GOOD; i++) {
		mkdirs(xpath(&f, dst, sizeof dst, "h%d", i));
		t[i] = put_task(loop, xfleet_host(loop, &f, i, NULL), src,
				xpath(&f, dst, sizeof dst, "h%d/", i), NULL);
	}
	run_all(loop);
	expect_status_only(rr_task_result(tb), RR_CONNECT_FAILED);
	expect_contains(rr_task_result(tb)->message, spec);
	expect_dir_names(xpath(&f, dst, sizeof dst, "bad"), (const char *[]){NULL});
	for (int i = 0; i < GOOD; i++) {
		expect_status_only(rr_task_result(t[i]), RR_OK);
		expect_file(xpath(&f, dst, sizeof dst, "h%d/file", i), SIZE, 9);
	}
	close(sock);
	free_loop(loop);
}

/*
 * RR_XFER_MKDIRS creates the missing parents of dst (a new name, or a
 * directory named with a trailing '/'); without it a missing parent fails
 * the copy, naming the path, and nothing is created.
 */
Test(ssh_xfer, mkdirs)
{
	struct xfleet f;
	char src[300], dst[300], dir[300];

	xfleet_start(&f, 1);
	make_file(xpath(&f, src, sizeof src, "file"), 3000, 13);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = xfleet_host(loop, &f, 0, NULL);
	struct rr_xfer_opts mk = {.flags = RR_XFER_MKDIRS};

	rr_task *named = put_task(loop, h, src, xpath(&f, dst, sizeof dst, "a/b/c/new"), &mk);
	rr_task *into = put_task(loop, h, src, xpath(&f, dst, sizeof dst, "x/y/"), &mk);
	rr_task *refused = put_task(loop, h, src, xpath(&f, dst, sizeof dst, "m/n/new"), NULL);
	rr_task *got = get_task(loop, h, src, xpath(&f, dst, sizeof dst, "g/h/"), &mk);
	run_all(loop);
	expect_status_only(rr_task_result(named), RR_OK);
	expect_file(xpath(&f, dst, sizeof dst, "a/b/c/new"), 3000, 13);
	expect_status_only(rr_task_result(into), RR_OK);
	expect_file(xpath(&f, dst, sizeof dst, "x/y/file"), 3000, 13);
	expect_status_only(rr_task_result(got), RR_OK);
	expect_file(xpath(&f, dst, sizeof dst, "g/h/file"), 3000, 13);
	expect_absent(xpath(&f, dir, sizeof dir, "m"));
	expect_error(rr_task_result(refused), xpath(&f, dst, sizeof dst, "m/n/new"),
		     "no such file", NULL);
	free_loop(loop);
}
