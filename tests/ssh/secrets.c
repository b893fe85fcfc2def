/* secrets.c - a password given in memory (rr_host_opts.password) and
 * encrypted identities unlocked through rr_host_opts.passphrase_cb, against
 * a real sshd; no secret in a message, a warning or a RINGRUN_DEBUG trace.
 *
 * Password login needs an account with a known password: as root the test
 * makes a dedicated system user (once) and gives it a new random password
 * each time, through chpasswd's stdin, never argv.  Not root, it is skipped,
 * and fails instead where CI is set (CI runs as root). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_secrets);

#define PW_USER "ringrun-pw"

/* sshd's first value of a keyword wins; a Match block's overrides it. */
#define PW_SSHD "Match User " PW_USER, "PasswordAuthentication yes"

/* PW_USER exists and has a new random password, written into pw; tests
 * that set it take turns (the lock is the process's until it ends). */
static void pw_user(char *pw, size_t size)
{
	unsigned char raw[18];

	if (geteuid() != 0) {
		cr_assert_null(getenv("CI"), "CI must run the SSH suite as root: "
			       "password login needs a test user");
		cr_skip_test("not root: no test user for password login");
	}
	int lock = open("/tmp/ringrun-pw-user.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(lock, 0, "lock: %s", strerror(errno));
	cr_assert_eq(flock(lock, LOCK_EX), 0);
	cr_assert_eq(sh_capture("id -u " PW_USER " >/dev/null 2>&1 || useradd --system "
				"--no-create-home --home-dir / --shell /bin/sh " PW_USER,
				NULL, 0), 0, "useradd " PW_USER " failed");
	cr_assert_eq(getrandom(raw, sizeof raw, 0), (ssize_t)sizeof raw);
	cr_assert(size > 2 * sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(pw + 2 * i, 3, "%02x", raw[i]);
	FILE *p = popen("chpasswd", "we");
	cr_assert(p);
	fprintf(p, "%s:%s\n", PW_USER, pw);
	cr_assert_eq(pclose(p), 0, "chpasswd failed");
}

/* What the loop warned of. */
struct warnings {
	int n;
	char all[2048];
};

static void note_warning(rr_loop *loop, const char *msg, void *user)
{
	struct warnings *w = user;
	size_t len = strlen(w->all);

	(void)loop;
	w->n++;
	snprintf(w->all + len, sizeof w->all - len, "%s\n", msg);
}

static rr_loop *warning_loop(struct warnings *w)
{
	return loop_new(&(struct rr_loop_opts){.on_warning = note_warning, .user = w});
}

/* A host for the test user, with only a password to log in with. */
static rr_host *pw_host(rr_loop *loop, const struct sshd *s, const struct rr_host_opts *o)
{
	const char *none[] = {NULL};
	struct rr_host_opts ho = *o;
	ho.user = PW_USER;
	ho.identities = none;
	ho.no_agent = true;
	return host_on(loop, s, 0, &ho);
}

/* The password is copied: the caller's buffer may change at once. */
Test(ssh_secrets, password_login)
{
	char pw[64], again[64];
	pw_user(pw, sizeof pw);
	memcpy(again, pw, sizeof pw);
	struct sshd *s = sshd_start(1, 0, PW_SSHD, NULL);
	rr_loop *loop = loop_new(NULL);

	rr_host *h = pw_host(loop, s, HOST_OPTS(.password = pw));
	memset(pw, 'x', strlen(pw));
	const struct rr_result *r = run_ssh(loop, h, "id -un", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, PW_USER "\n");
	cr_assert_eq(sshd_log_count(s, "Accepted password for " PW_USER), 1);

	/* password_file and password_env give the same. */
	char path[160];
	sshd_path(s, "password", path, sizeof path);
	write_file(path, again, strlen(again));
	h = pw_host(loop, s, HOST_OPTS(.password_file = path));
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	setenv("RR_TEST_PASSWORD", again, 1);
	h = pw_host(loop, s, HOST_OPTS(.password_env = "RR_TEST_PASSWORD"));
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	unsetenv("RR_TEST_PASSWORD");
	cr_assert_eq(sshd_log_count(s, "Accepted password for " PW_USER), 3);
	free_loop(loop);
}

/* A wrong password: auth-failed, saying a password was tried, never which. */
Test(ssh_secrets, wrong_password)
{
	char pw[64], marker[160], cmd[256];
	pw_user(pw, sizeof pw);
	struct sshd *s = sshd_start(1, 0, PW_SSHD, NULL);
	struct warnings w = {0};
	rr_loop *loop = warning_loop(&w);

	pw[0] = pw[0] == 'a' ? 'b' : 'a';
	rr_host *h = pw_host(loop, s, HOST_OPTS(.password = pw));
	const struct rr_result *r = run_ssh(loop, h,
		touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "password");
	expect_contains(r->message, PW_USER);
	cr_assert_null(strstr(r->message, pw), "the password is in '%s'", r->message);
	cr_assert_null(strstr(w.all, pw), "the password is in a warning");
	cr_assert_eq(access(marker, F_OK), -1, "the command ran");
	free_loop(loop);
}

/* At most one of password, password_file and password_env. */
Test(ssh_secrets, one_password_source)
{
	rr_loop *loop = loop_new(NULL);
	struct rr_host_opts bad[] = {
		*HOST_OPTS(.password = "p", .password_file = "/dev/null"),
		*HOST_OPTS(.password = "p", .password_env = "HOME"),
		*HOST_OPTS(.password_file = "/dev/null", .password_env = "HOME"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		cr_assert_null(rr_host_new(loop, "127.0.0.1:22", &bad[i]));
		cr_assert_eq(errno, EINVAL, "case %zu: %s", i, strerror(errno));
	}
	/* An empty password is a password. */
	rr_host *h = rr_host_new(loop, "127.0.0.1:22", HOST_OPTS(.password = ""));
	cr_assert(h, "%s", strerror(errno));
	free_loop(loop);
}

/* ----------------------------------------------------------- passphrases */

/* What passphrase_cb was asked, and what it answers. */
struct asked {
	int calls;
	char path[160];
	rr_host *host;
	const char *give; /* NULL: answer err */
	int err;
};

static int give_passphrase(rr_host *host, const char *path, char *buf, size_t size,
			   void *user)
{
	struct asked *a = user;

	a->calls++;
	a->host = host;
	snprintf(a->path, sizeof a->path, "%s", path);
	if (!a->give)
		return a->err;
	cr_assert(strlen(a->give) < size);
	memcpy(buf, a->give, strlen(a->give)); /* no NUL: the length says */
	return (int)strlen(a->give);
}

/* A new key (ssh-keygen options how) encrypted with passphrase, authorized
 * on s; its path into path. */
static void encrypted_key(const struct sshd *s, const char *name, const char *how,
			  const char *passphrase, char *path, size_t size)
{
	char cmd[640], auth[160];
	sshd_path(s, name, path, size);
	sshd_path(s, "authorized_keys", auth, sizeof auth);
	/* -N puts it in ssh-keygen's argv: acceptable for a test's key. */
	snprintf(cmd, sizeof cmd, "ssh-keygen -q %s -N '%s' -f %s && cat %s.pub >>%s", how,
		 passphrase, path, path, auth);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
}

/* A host offering only key, asking a (NULL: no passphrase_cb); NULL with
 * errno when rr_host_new refuses. */
static rr_host *key_host(rr_loop *loop, const struct sshd *s, const char *key,
			 struct asked *a)
{
	const char *ids[] = {key, NULL};
	char spec[64];
	return rr_host_new(loop, sshd_spec(s, 0, spec, sizeof spec),
			   HOST_OPTS(.identities = ids, .no_agent = true,
				     .known_hosts = s->known_hosts,
				     .passphrase_cb = a ? give_passphrase : NULL,
				     .cb_user = a));
}

#define PASSPHRASE "correct horse 7801"

/* The right passphrase opens an encrypted ed25519 key (OpenSSH format,
 * bcrypt-pbkdf) and an encrypted PEM ECDSA key: asked once per loop, with
 * the key's path and the host; another host of the loop uses the key
 * unlocked, without a callback. */
Test(ssh_secrets, passphrase_opens_key)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const struct {
		const char *name, *how;
	} keys[] = {
		{"enc_ed25519", "-t ed25519"},
		{"enc_ecdsa_pem", "-t ecdsa -m PEM"},
	};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char key[160];
		encrypted_key(s, keys[i].name, keys[i].how, PASSPHRASE, key, sizeof key);
		struct warnings w = {0};
		rr_loop *loop = warning_loop(&w);
		struct asked a = {.give = PASSPHRASE};

		rr_host *h = key_host(loop, s, key, &a);
		cr_assert(h, "%s: %s", key, strerror(errno));
		cr_assert_eq(a.calls, 1);
		cr_assert_eq(a.host, h);
		cr_assert_str_eq(a.path, key);
		const struct rr_result *r = run_ssh(loop, h, "echo in", NULL);
		expect_status(r, RR_OK, 0);
		expect_capture("stdout", &r->out, "in\n");

		rr_host *h2 = key_host(loop, s, key, NULL);
		cr_assert(h2, "%s", strerror(errno));
		expect_status(run_ssh(loop, h2, "true", NULL), RR_OK, 0);
		cr_assert_eq(a.calls, 1, "asked again");
		cr_assert_eq(w.n, 0, "warnings: %s", w.all);
		free_loop(loop);
	}
	cr_assert_eq(sshd_log_count(s, "Accepted publickey"), 4);
}

/* A wrong passphrase fails rr_host_new (EKEYREJECTED) with a warning that
 * names the file; asked again, the right one opens it. */
Test(ssh_secrets, wrong_passphrase)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[160];
	encrypted_key(s, "enc_ed25519", "-t ed25519", PASSPHRASE, key, sizeof key);
	struct warnings w = {0};
	rr_loop *loop = warning_loop(&w);
	struct asked a = {.give = "wrong horse 7802"};

	errno = 0;
	cr_assert_null(key_host(loop, s, key, &a));
	cr_assert_eq(errno, EKEYREJECTED, "%s", strerror(errno));
	cr_assert_eq(w.n, 1, "warnings: %s", w.all);
	expect_contains(w.all, key);
	expect_contains(w.all, "passphrase does not decrypt it");
	cr_assert_null(strstr(w.all, "horse"), "a passphrase in a warning: %s", w.all);

	a.give = PASSPHRASE;
	rr_host *h = key_host(loop, s, key, &a);
	cr_assert(h, "%s", strerror(errno));
	cr_assert_eq(a.calls, 2);
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* The callback may decline (a negative errno): the key is skipped quietly.
 * Without a callback it is skipped with one warning, however many hosts
 * list it.  Either way the login fails as with no key. */
Test(ssh_secrets, locked_key_skipped)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[160];
	encrypted_key(s, "enc_ed25519", "-t ed25519", PASSPHRASE, key, sizeof key);
	struct warnings w = {0};
	rr_loop *loop = warning_loop(&w);
	struct asked a = {.err = -ECANCELED};

	rr_host *h = key_host(loop, s, key, &a);
	cr_assert(h, "%s", strerror(errno));
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(w.n, 0, "warnings: %s", w.all);
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, "tried nothing");

	for (int i = 0; i < 2; i++) {
		h = key_host(loop, s, key, NULL);
		cr_assert(h, "%s", strerror(errno));
		expect_status_only(run_ssh(loop, h, "true", NULL), RR_AUTH_FAILED);
	}
	cr_assert_eq(w.n, 1, "warnings: %s", w.all);
	expect_contains(w.all, key);
	expect_contains(w.all, "encrypted");
	cr_assert_eq(sshd_log_count(s, "Accepted publickey"), 0);
	free_loop(loop);
}

/* A length the buffer cannot hold is the callback's error: EINVAL. */
static int too_long(rr_host *host, const char *path, char *buf, size_t size, void *user)
{
	(void)host, (void)path, (void)buf, (void)user;
	return (int)size;
}

Test(ssh_secrets, passphrase_too_long)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[160], spec[64];
	encrypted_key(s, "enc_ed25519", "-t ed25519", PASSPHRASE, key, sizeof key);
	struct warnings w = {0};
	rr_loop *loop = warning_loop(&w);
	const char *ids[] = {key, NULL};

	errno = 0;
	cr_assert_null(rr_host_new(loop, sshd_spec(s, 0, spec, sizeof spec),
				   HOST_OPTS(.identities = ids, .passphrase_cb = too_long)));
	cr_assert_eq(errno, EINVAL);
	expect_contains(w.all, "passphrase_cb returned");
	free_loop(loop);
}

/* RINGRUN_DEBUG=1 traces every state change of a password login and of an
 * encrypted key's: neither secret is in it. */
Test(ssh_secrets, not_in_trace)
{
	char pw[64], key[160], path[] = "/tmp/rr-secrets-trace-XXXXXX";
	pw_user(pw, sizeof pw);
	struct sshd *s = sshd_start(1, 0, PW_SSHD, NULL);
	encrypted_key(s, "enc_ed25519", "-t ed25519", PASSPHRASE, key, sizeof key);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	int saved = dup(2);
	cr_assert_geq(saved, 0);
	cr_assert_eq(dup2(fd, 2), 2);
	close(fd);

	setenv("RINGRUN_DEBUG", "1", 1);
	rr_loop *loop = loop_new(NULL);
	unsetenv("RINGRUN_DEBUG");
	struct asked a = {.give = PASSPHRASE};
	rr_host *kh = key_host(loop, s, key, &a);
	rr_host *ph = pw_host(loop, s, HOST_OPTS(.password = pw));
	pw[0] = pw[0] == 'a' ? 'b' : 'a';
	rr_host *bad = pw_host(loop, s, HOST_OPTS(.password = pw));
	pw[0] = pw[0] == 'a' ? 'b' : 'a';
	rr_task *t[3] = {ssh_task(loop, kh, "true", NULL), ssh_task(loop, ph, "true", NULL),
			 ssh_task(loop, bad, "true", NULL)};
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(t[0]), RR_OK, 0);
	expect_status(rr_task_result(t[1]), RR_OK, 0);
	expect_status_only(rr_task_result(t[2]), RR_AUTH_FAILED);
	free_loop(loop); /* its goodbyes traced too */
	fflush(stderr);
	cr_assert_eq(dup2(saved, 2), 2);
	close(saved);

	size_t len;
	char *trace = read_file(path, &len);
	unlink(path);
	cr_assert(trace && strstr(trace, "-> ready"), "no trace: %s", trace ? trace : "");
	cr_assert_null(strstr(trace, pw), "the password is in the trace");
	pw[0] = pw[0] == 'a' ? 'b' : 'a';
	cr_assert_null(strstr(trace, pw), "the wrong password is in the trace");
	cr_assert_null(strstr(trace, "horse"), "the passphrase is in the trace");
	free(trace);
}
