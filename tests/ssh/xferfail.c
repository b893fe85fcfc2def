/* xferfail.c - copies that fail or are stopped: a full disk on either side
 * (a small tmpfs), a remote user who may not write or read there, a kill and
 * a timeout in the middle of a 64 MiB put.  Each leaves no partial and no
 * temporary file, and the destination as it was; the other hosts of the
 * same run go on. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xfer.h"

SSH_SUITE(ssh_xferfail);

#define XFER_USER "ringrun-xfer"

static void need_root(const char *why)
{
	if (geteuid() != 0)
		cr_skip_test("not root: %s", why);
}

/*
 * A 1 MiB tmpfs on dir, unmounted (lazily: an sshd of the test may still
 * hold a file there) when the test ends, also when it fails or dies: a
 * background script waits for the end of its stdin (util.h, bg_start).
 */
static void small_tmpfs(const char *dir)
{
	char cmd[400];

	need_root("mounting a full disk (tmpfs) needs root");
	mkdirs(dir);
	bg_start("read -r x; umount -l \"$1\"", "rr-xfer-umount", dir, NULL);
	snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=1m rr-xfer-full '%s'", dir);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s failed", cmd);
}

/* 4 MiB from host 0 into a 1 MiB tmpfs, from hosts 1 and 2 elsewhere: host 0's
 * copy fails saying "no space" and naming where, and leaves nothing. */
Test(ssh_xferfail, disk_full_put)
{
	enum { SIZE = 4 * MiB };
	struct xfleet f;
	struct xrec rec = {0};
	char src[300], dst[300], full[300], where[64];
	rr_task *t[3];

	xfleet_start(&f, 3);
	small_tmpfs(xpath(&f, full, sizeof full, "full"));
	make_file(xpath(&f, src, sizeof src, "big"), SIZE, 4);
	rr_loop *loop = loop_new(NULL);
	struct rr_xfer_opts o = xrec_opts(&rec, 0);
	t[0] = put_task(loop, xfleet_host(loop, &f, 0, NULL), src,
			xpath(&f, dst, sizeof dst, "full/big"), &o);
	for (int i = 1; i < 3; i++) {
		mkdirs(xpath(&f, dst, sizeof dst, "h%d", i));
		t[i] = put_task(loop, xfleet_host(loop, &f, i, NULL), src,
				xpath(&f, dst, sizeof dst, "h%d/", i), NULL);
	}
	run_all(loop);
	xpath(&f, dst, sizeof dst, "full/big");
	expect_error(rr_task_result(t[0]), sshd_spec(f.s[0], 0, where, sizeof where), dst,
		     "no space", NULL);
	cr_assert_eq(rec.file_errs, 1, "%d failed entries", rec.file_errs);
	expect_contains(rec.first_err, dst);
	expect_dir_names(full, (const char *[]){NULL});
	for (int i = 1; i < 3; i++) {
		expect_status_only(rr_task_result(t[i]), RR_OK);
		expect_file(xpath(&f, dst, sizeof dst, "h%d/big", i), SIZE, 4);
	}
	xrec_free(&rec);
	free_loop(loop);
}

/* The same into a full local tmpfs: host 0's rr_get fails, the others'
 * succeed. */
Test(ssh_xferfail, disk_full_get)
{
	enum { SIZE = 4 * MiB };
	struct xfleet f;
	char src[300], dst[300], full[300];
	rr_task *t[3];

	xfleet_start(&f, 3);
	small_tmpfs(xpath(&f, full, sizeof full, "full"));
	make_file(xpath(&f, src, sizeof src, "big"), SIZE, 5);
	rr_loop *loop = loop_new(NULL);
	t[0] = get_task(loop, xfleet_host(loop, &f, 0, NULL), src,
			xpath(&f, dst, sizeof dst, "full/"), NULL);
	for (int i = 1; i < 3; i++) {
		mkdirs(xpath(&f, dst, sizeof dst, "g%d", i));
		t[i] = get_task(loop, xfleet_host(loop, &f, i, NULL), src,
				xpath(&f, dst, sizeof dst, "g%d/", i), NULL);
	}
	run_all(loop);
	expect_error(rr_task_result(t[0]), xpath(&f, dst, sizeof dst, "full/big"),
		     "no space", NULL);
	expect_dir_names(full, (const char *[]){NULL});
	for (int i = 1; i < 3; i++) {
		expect_status_only(rr_task_result(t[i]), RR_OK);
		expect_file(xpath(&f, dst, sizeof dst, "g%d/big", i), SIZE, 5);
	}
	free_loop(loop);
}

/* ----------------------------------------------------------- permissions */

/*
 * XFER_USER exists (made once, as root, a system user with a shell) and may
 * reach the sshd's directory, where its authorized_keys is (the harness
 * names one file for every user): its uid.
 */
static uid_t xfer_user(const struct sshd *s)
{
	need_root("a remote user that root's rights do not cover needs a test user");
	int lock = open("/tmp/ringrun-xfer-user.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(lock, 0, "lock: %s", strerror(errno));
	cr_assert_eq(flock(lock, LOCK_EX), 0);
	/* sshd without PAM refuses a locked account (password "!", useradd's
	   default): "*" matches no password and locks nothing. */
	cr_assert_eq(sh_capture("id -u " XFER_USER " >/dev/null 2>&1 || useradd --system "
				"--no-create-home --home-dir / --shell /bin/sh -p '*' " XFER_USER
				" && { [ \"$(passwd -S " XFER_USER " | cut -d' ' -f2)\" != L ] ||"
				" usermod -p '*' " XFER_USER "; }",
				NULL, 0), 0, "useradd " XFER_USER " failed");
	close(lock);
	struct passwd *pw = getpwnam(XFER_USER);
	cr_assert(pw, "getpwnam " XFER_USER);
	cr_assert_eq(chmod(s->dir, 0711), 0, "chmod %s: %s", s->dir, strerror(errno));
	return pw->pw_uid;
}

/*
 * As XFER_USER: a put into root's directory and a get of root's 0600 file
 * fail with "permission denied" naming the path; a put into a directory of
 * its own (the control) succeeds, as that user.
 */
Test(ssh_xferfail, permission_denied)
{
	struct xfleet f;
	char src[300], ro[300], rw[300], secret[300], dst[300], path[300];
	struct stat st;

	xfleet_start(&f, 1);
	uid_t uid = xfer_user(f.s[0]);
	make_file(xpath(&f, src, sizeof src, "file"), 1000, 6);
	mkdirs(xpath(&f, ro, sizeof ro, "ro"));
	mkdirs(xpath(&f, rw, sizeof rw, "rw"));
	mkdirs(xpath(&f, dst, sizeof dst, "local"));
	cr_assert_eq(chown(rw, uid, (gid_t)-1), 0);
	make_file(xpath(&f, secret, sizeof secret, "secret"), 10, 1);
	cr_assert_eq(chmod(secret, 0600), 0);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = xfleet_host(loop, &f, 0, HOST_OPTS(.user = XFER_USER, .no_agent = true));
	rr_task *named = put_task(loop, h, src, xpath(&f, path, sizeof path, "ro/file"), NULL);
	rr_task *into = put_task(loop, h, src, xpath(&f, path, sizeof path, "ro/"), NULL);
	rr_task *ok = put_task(loop, h, src, xpath(&f, path, sizeof path, "rw/"), NULL);
	rr_task *get = get_task(loop, h, secret, dst, NULL);
	run_all(loop);

	expect_status_only(rr_task_result(ok), RR_OK);
	expect_file(xpath(&f, path, sizeof path, "rw/file"), 1000, 6);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_uid, uid, "%s is not " XFER_USER "'s: the copy ran as uid %u",
		     path, (unsigned)st.st_uid);
	expect_dir_names(ro, (const char *[]){NULL});
	expect_dir_names(dst, (const char *[]){NULL});
	xpath(&f, path, sizeof path, "ro/file");
	expect_error(rr_task_result(named), path, "permission denied", NULL);
	expect_error(rr_task_result(into), path, "permission denied", NULL);
	expect_error(rr_task_result(get), secret, "permission denied", NULL);
	free_loop(loop);
}

/* -------------------------------------------------------- kill, timeout */

enum { BIG = XFER_BIG };
static const char old[] = "what was there before\n";

/* Asserts path still holds old, alone in its directory dir. */
static void expect_untouched(const char *dir, const char *path)
{
	size_t len;
	char *got = read_file(path, &len);
	cr_assert(got, "%s: %s", path, strerror(errno));
	expect_bytes(path, got, len, old, sizeof old - 1);
	free(got);
	expect_dir_names(dir, (const char *[]){strrchr(path, '/') + 1, NULL});
}

struct killer {
	uint64_t at;    /* bytes done when it killed */
	int rc;         /* what rr_task_kill said */
};

static void kill_on_progress(rr_task *task, uint64_t done, uint64_t total, void *user)
{
	struct killer *k = user;

	(void)total;
	if (done > 0 && !k->at) {
		k->at = done;
		k->rc = rr_task_kill(task, SIGTERM);
	}
}

/* A copy over an older dst killed once some of it landed: RR_CANCELLED, dst
   as it was, no temporary file beside it. */
static void kill_copy(bool put)
{
	struct xfleet f;
	struct killer k = {0};
	char src[300], dir[300], dst[300];

	xfleet_start(&f, 1);
	make_file(xpath(&f, src, sizeof src, "big"), BIG, 11);
	mkdirs(xpath(&f, dir, sizeof dir, "dst"));
	write_file(xpath(&f, dst, sizeof dst, "dst/big"), old, sizeof old - 1);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = xfleet_host(loop, &f, 0, NULL);
	struct rr_xfer_opts o = {.on_progress = kill_on_progress, .user = &k};
	rr_task *t = put ? put_task(loop, h, src, dst, &o) : get_task(loop, h, src, dst, &o);
	expect_status_only(wait_task(t), RR_CANCELLED);
	cr_assert_eq(k.rc, 0, "rr_task_kill: %s", rr_strerror(k.rc));
	cr_assert_lt(k.at, (uint64_t)BIG, "killed only once all of it was done");
	expect_untouched(dir, dst);
	free_loop(loop);
}

Test(ssh_xferfail, kill_put)
{
	kill_copy(true);
}

Test(ssh_xferfail, kill_get)
{
	kill_copy(false);
}

/*
 * A put with a timeout whose sftp-server is stopped (SIGSTOP) once some of
 * it landed: the copy cannot end on its own.  A timer started then with the
 * same delay fires after the task's deadline (it began later), and lets the
 * sftp-server go on, so that the copy can remove its temporary file.
 * RR_TIMEOUT; dst as it was.  (Should a busy machine let the deadline pass
 * before the first progress, the copy times out unstopped: the same
 * outcome.  A copy that gave up on its stopped server sooner than the time
 * from its start to its first progress would end before the timer: far
 * below any grace a kill gives.)
 */
enum { TIMEOUT_MS = 500 };

struct staller {
	struct sshd *s;
	rr_timer *timer;
	uint64_t at;
	int stopped, resumed;
};

static void stall_on_progress(rr_task *task, uint64_t done, uint64_t total, void *user)
{
	struct staller *st = user;

	(void)task, (void)total;
	if (done > 0 && !st->at) {
		st->at = done;
		st->stopped = sshd_procs_signal(st->s, "sftp-server", SIGSTOP);
		rr_timer_start(st->timer, TIMEOUT_MS);
	}
}

static void resume(rr_timer *timer, void *user)
{
	struct staller *st = user;

	(void)timer;
	st->resumed = sshd_procs_signal(st->s, "sftp-server", SIGCONT);
}

Test(ssh_xferfail, timeout_put)
{
	struct xfleet f;
	char src[300], dir[300], dst[300];

	xfleet_start(&f, 1);
	make_file(xpath(&f, src, sizeof src, "big"), BIG, 12);
	mkdirs(xpath(&f, dir, sizeof dir, "dst"));
	write_file(xpath(&f, dst, sizeof dst, "dst/big"), old, sizeof old - 1);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = xfleet_host(loop, &f, 0, NULL);
	struct staller st = {.s = f.s[0]};
	st.timer = rr_timer_new(loop, resume, &st);
	cr_assert(st.timer);
	/* Connected first, so that only the copy is timed. */
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	rr_task *t = put_task(loop, h, src, dst,
			      &(struct rr_xfer_opts){.timeout_ms = TIMEOUT_MS,
						     .on_progress = stall_on_progress,
						     .user = &st});
	const struct rr_result *r = wait_task(t);
	if (st.at) {
		cr_assert_eq(st.stopped, 1, "%d sftp-servers stopped", st.stopped);
		cr_assert_eq(st.resumed, 1, "the copy ended (%s) with its sftp-server stopped",
			     rr_status_name(r->status));
		cr_assert_lt(st.at, (uint64_t)BIG);
	} else {
		cr_log_warn("timed out before any progress: the copy was never stopped");
	}
	expect_status_only(r, RR_TIMEOUT);
	expect_untouched(dir, dst);
	rr_timer_free(st.timer);
	free_loop(loop);
}
