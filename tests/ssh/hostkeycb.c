/* hostkeycb.c - rr_host_opts.hostkey_cb: the program decides each host key,
 * told its type, its fingerprint (ssh-keygen -l is the oracle), its blob and
 * what known_hosts says; its answer is final - accept, reject, or record as
 * accept-new would. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_hostkeycb);

/* What the callback was shown, and what it answers. */
struct seen {
	int calls;
	enum rr_hostkey_answer answer;
	rr_host *host;
	char type[64], fingerprint[128], known_hosts[160];
	unsigned char key[512];
	size_t key_len;
	enum rr_hostkey_known known;
	unsigned line;
	enum rr_hostkey_answer policy;
	rr_loop *loop;
	int run; /* rr_loop_run from inside the callback */
};

static enum rr_hostkey_answer decide(rr_host *host, const struct rr_hostkey_info *i,
				     void *user)
{
	struct seen *s = user;

	s->calls++;
	s->host = host;
	snprintf(s->type, sizeof s->type, "%s", i->type);
	snprintf(s->fingerprint, sizeof s->fingerprint, "%s", i->fingerprint);
	snprintf(s->known_hosts, sizeof s->known_hosts, "%s", i->known_hosts);
	s->key_len = i->key_len < sizeof s->key ? i->key_len : sizeof s->key;
	memcpy(s->key, i->key, s->key_len);
	s->known = i->known;
	s->line = i->line;
	s->policy = i->policy;
	s->run = s->loop ? rr_loop_run(s->loop, RR_RUN_NOWAIT) : 0;
	return s->answer;
}

/* The "SHA256:..." ssh-keygen -l prints for a .pub file. */
static void fingerprint_of(const char *pub, char *fp, size_t size)
{
	char cmd[256], out[512];
	snprintf(cmd, sizeof cmd, "ssh-keygen -lf %s", pub);
	cr_assert_eq(sh_capture(cmd, out, sizeof out), 0, "%s failed", cmd);
	char *sp = strchr(out, ' ');
	cr_assert(sp, "ssh-keygen -l: '%s'", out);
	size_t n = strcspn(sp + 1, " ");
	cr_assert(n < size && strncmp(sp + 1, "SHA256:", 7) == 0, "'%s'", out);
	memcpy(fp, sp + 1, n);
	fp[n] = 0;
}

/* "type base64" of a .pub file, and its blob. */
static void pub_key(const char *pub, char *text, size_t size, unsigned char *blob,
		    size_t *blob_len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *b = read_file(pub, NULL);
	cr_assert(b, "%s", pub);
	size_t t = strcspn(b, " "), n = t + 1 + strcspn(b + t + 1, " \n");
	cr_assert(n < size);
	memcpy(text, b, n);
	text[n] = 0;
	free(b);
	unsigned acc = 0, bits = 0;
	*blob_len = 0;
	for (const char *c = text + t + 1; *c && *c != '='; c++) {
		acc = acc << 6 | (unsigned)(strchr(b64, *c) - b64);
		if ((bits += 6) >= 8)
			blob[(*blob_len)++] = (unsigned char)(acc >> (bits -= 8));
	}
}

/* A known_hosts file in the sshd's directory holding text. */
static void kh_file(const struct sshd *s, const char *name, const char *text, char *path,
		    size_t size)
{
	sshd_path(s, name, path, size);
	write_file(path, text, strlen(text));
}

/* One task on a new loop and host with the callback; its result's status,
 * and its message into msg. */
static enum rr_status run_with(const struct sshd *s, const char *kh,
			       enum rr_hostkey_policy policy, struct seen *seen,
			       const char *cmd, char *msg, size_t size)
{
	rr_loop *loop = loop_new(NULL);
	seen->loop = loop;
	rr_host *h = host_on(loop, s, 0, HOST_OPTS(.known_hosts = kh, .no_agent = true,
		.hostkey = policy, .hostkey_cb = decide, .cb_user = seen));
	const struct rr_result *r = run_ssh(loop, h, cmd, NULL);
	enum rr_status st = r->status;
	snprintf(msg, size, "%s", r->message);
	cr_assert_eq(seen->host, h);
	free_loop(loop);
	return st;
}

/* A known key: the callback sees its type, fingerprint and blob as the
 * .pub file has them, where known_hosts has it, and what the policy says;
 * asked once per connection however many tasks run on it. */
Test(ssh_hostkeycb, sees_the_key)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char fp[128], text[256];
	unsigned char blob[256];
	size_t blob_len;
	fingerprint_of(s->host_pub, fp, sizeof fp);
	pub_key(s->host_pub, text, sizeof text, blob, &blob_len);
	struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};

	rr_loop *loop = loop_new(NULL);
	seen.loop = loop;
	rr_host *h = host_on(loop, s, 0, HOST_OPTS(.no_agent = true, .hostkey_cb = decide,
						   .cb_user = &seen));
	rr_task *t[3];
	for (int i = 0; i < 3; i++)
		t[i] = ssh_task(loop, h, "echo ran", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 3; i++)
		expect_status(rr_task_result(t[i]), RR_OK, 0);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.host, h);
	cr_assert_str_eq(seen.type, "ssh-ed25519");
	cr_assert_str_eq(seen.fingerprint, fp);
	expect_bytes("key blob", seen.key, seen.key_len, blob, blob_len);
	cr_assert_eq(seen.known, RR_KNOWN_MATCH);
	cr_assert_str_eq(seen.known_hosts, s->known_hosts);
	cr_assert_eq(seen.line, 1);
	cr_assert_eq(seen.policy, RR_HOSTKEY_ACCEPT);
	cr_assert_eq(seen.run, -EBUSY); /* it runs as a callback does */
	free_loop(loop);
}

/* An ECDSA host key is named and fingerprinted as ssh-keygen does. */
Test(ssh_hostkeycb, ecdsa_key)
{
	struct sshd *keys = sshd_start(1, 0, NULL); /* only its directory */
	char path[160], cmd[256], line[200], pub[176], fp[128], text[512], kh[160],
		khline[700], msg[512];
	unsigned char blob[512];
	size_t blob_len;
	sshd_path(keys, "host_ecdsa", path, sizeof path);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -t ecdsa -N '' -f %s", path);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
	snprintf(line, sizeof line, "HostKey %s", path);
	struct sshd *s = sshd_start(1, 0, line, NULL);
	snprintf(pub, sizeof pub, "%s.pub", path);
	fingerprint_of(pub, fp, sizeof fp);
	pub_key(pub, text, sizeof text, blob, &blob_len);
	/* Known as ECDSA, the server is asked for that key first. */
	snprintf(khline, sizeof khline, "[%s]:%u %s\n", s->addr[0], s->port, text);
	kh_file(s, "ecdsa_known_hosts", khline, kh, sizeof kh);

	struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	cr_assert_str_eq(seen.type, "ecdsa-sha2-nistp256");
	cr_assert_str_eq(seen.fingerprint, fp);
	expect_bytes("key blob", seen.key, seen.key_len, blob, blob_len);
	cr_assert_eq(seen.known, RR_KNOWN_MATCH);
}

/* Its answer is final: a key known_hosts has is refused when it says so,
 * naming the host, the type and the fingerprint, and nothing runs; an
 * answer that is none of the three refuses too. */
Test(ssh_hostkeycb, reject_known_key)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char fp[128], marker[160], cmd[256];
	fingerprint_of(s->host_pub, fp, sizeof fp);
	enum rr_hostkey_answer answers[] = {RR_HOSTKEY_REJECT, (enum rr_hostkey_answer)42};

	for (int i = 0; i < 2; i++) {
		struct seen seen = {.answer = answers[i]};
		rr_loop *loop = loop_new(NULL);
		rr_host *h = host_on(loop, s, 0, HOST_OPTS(.no_agent = true,
			.hostkey_cb = decide, .cb_user = &seen));
		const struct rr_result *r = run_ssh(loop, h,
			touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
		expect_status_only(r, RR_HOSTKEY_REJECTED);
		expect_contains(r->message, rr_host_name(h));
		expect_contains(r->message, "hostkey_cb");
		expect_contains(r->message, "ssh-ed25519");
		expect_contains(r->message, fp);
		expect_contains(r->message, "known_hosts has it");
		cr_assert_eq(seen.calls, 1);
		cr_assert_eq(access(marker, F_OK), -1, "the command ran");
		cr_assert_eq(sshd_log_count(s, "Accepted publickey"), 0);
		free_loop(loop);
	}
}

/* Strict policy, unknown key: the policy would refuse it, the callback
 * accepts it for this connection, and nothing is recorded. */
Test(ssh_hostkeycb, accept_unknown)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], msg[512];
	kh_file(s, "empty_known_hosts", "", kh, sizeof kh);
	struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};

	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	cr_assert_eq(seen.known, RR_KNOWN_NEW);
	cr_assert_eq(seen.line, 0);
	cr_assert_eq(seen.policy, RR_HOSTKEY_REJECT);
	size_t len = 1;
	free(read_file(kh, &len));
	cr_assert_eq(len, 0, "an accepted key was recorded");

	/* accept-new would record it: the policy says so. */
	seen = (struct seen){.answer = RR_HOSTKEY_ACCEPT};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_ACCEPT_NEW, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	cr_assert_eq(seen.policy, RR_HOSTKEY_RECORD);
	free(read_file(kh, &len));
	cr_assert_eq(len, 0, "an accepted key was recorded");
}

/* Record: the key is appended as accept-new appends it (ssh-keygen -F finds
 * it), and a host with the strict policy and no callback then accepts it. */
Test(ssh_hostkeycb, record_then_strict)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], msg[512], text[256], name[64], want[512], cmd[512], out[1024];
	unsigned char blob[256];
	size_t blob_len;
	pub_key(s->host_pub, text, sizeof text, blob, &blob_len);
	kh_file(s, "new_known_hosts", "", kh, sizeof kh);
	struct seen seen = {.answer = RR_HOSTKEY_RECORD};

	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	snprintf(name, sizeof name, "[%s]:%u", s->addr[0], s->port);
	snprintf(want, sizeof want, "%s %s\n", name, text);
	char *now = read_file(kh, NULL);
	cr_assert_str_eq(now, want);
	free(now);
	snprintf(cmd, sizeof cmd, "ssh-keygen -F '%s' -f %s", name, kh);
	cr_assert_eq(sh_capture(cmd, out, sizeof out), 0, "%s found nothing", cmd);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){.known_hosts = kh,
								.no_agent = true});
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);

	/* Recording a key the file has adds nothing. */
	seen = (struct seen){.answer = RR_HOSTKEY_RECORD};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	cr_assert_eq(seen.known, RR_KNOWN_MATCH);
	now = read_file(kh, NULL);
	cr_assert_str_eq(now, want);
	free(now);
}

/* What known_hosts says is reported as it is: changed (with its line),
 * revoked, a @cert-authority only, a file that cannot be read, and under
 * RR_HOSTKEY_OFF a file that is not read at all.  Each time the policy
 * alone would refuse (off: accept) and the callback decides. */
Test(ssh_hostkeycb, what_known_hosts_says)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char host[256], other[256], pub[176], kh[160], text[1024], msg[512], fp[128];
	unsigned char blob[256];
	size_t blob_len;
	pub_key(s->host_pub, host, sizeof host, blob, &blob_len);
	snprintf(pub, sizeof pub, "%s.pub", s->other_key);
	pub_key(pub, other, sizeof other, blob, &blob_len);
	fingerprint_of(s->host_pub, fp, sizeof fp);

	struct {
		const char *before, *marker;
		bool host_key;
		enum rr_hostkey_known known;
		unsigned line;
	} cases[] = {
		{"# comment\n", "", false, RR_KNOWN_CHANGED, 2},
		{"", "@revoked ", true, RR_KNOWN_REVOKED, 1},
		{"", "@cert-authority ", false, RR_KNOWN_CA, 1},
	};
	char name[64];
	snprintf(name, sizeof name, "[%s]:%u", s->addr[0], s->port);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(text, sizeof text, "%s%s%s %s\n", cases[i].before, cases[i].marker,
			 name, cases[i].host_key ? host : other);
		kh_file(s, "case_known_hosts", text, kh, sizeof kh);
		for (int p = RR_HOSTKEY_STRICT; p <= RR_HOSTKEY_ACCEPT_NEW; p++) {
			struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};
			cr_assert_eq(run_with(s, kh, p, &seen, "true", msg, sizeof msg),
				     RR_OK, "%s", msg);
			cr_assert_eq(seen.known, cases[i].known, "case %zu: %d", i, seen.known);
			cr_assert_eq(seen.line, cases[i].line, "case %zu", i);
			cr_assert_eq(seen.policy, RR_HOSTKEY_REJECT, "case %zu", i);
			char *now = read_file(kh, NULL);
			cr_assert_str_eq(now, text, "case %zu: the file changed", i);
			free(now);
		}
		/* Refused by the callback: the message says what the file said. */
		struct seen seen = {.answer = RR_HOSTKEY_REJECT};
		cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
			     RR_HOSTKEY_REJECTED);
		expect_contains(msg, fp);
	}

	/* A directory: unreadable when read, not read under off. */
	sshd_path(s, "dir_known_hosts", kh, sizeof kh);
	cr_assert_eq(mkdir(kh, 0700), 0);
	struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_OK, "%s", msg);
	cr_assert_eq(seen.known, RR_KNOWN_UNREADABLE);
	cr_assert_eq(seen.policy, RR_HOSTKEY_REJECT);
	seen = (struct seen){.answer = RR_HOSTKEY_REJECT};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_OFF, &seen, "true", msg, sizeof msg),
		     RR_HOSTKEY_REJECTED);
	cr_assert_eq(seen.known, RR_KNOWN_OFF);
	cr_assert_eq(seen.policy, RR_HOSTKEY_ACCEPT);
	expect_contains(msg, "known_hosts not read");
	/* Recording into a file that cannot be read is refused, saying why. */
	seen = (struct seen){.answer = RR_HOSTKEY_RECORD};
	cr_assert_eq(run_with(s, kh, RR_HOSTKEY_STRICT, &seen, "true", msg, sizeof msg),
		     RR_HOSTKEY_REJECTED);
	expect_contains(msg, "cannot record");
	expect_contains(msg, strerror(EISDIR));
}

/* Asked again for each new connection: after the server dropped the
 * first, the next task's connection shows the key again. */
Test(ssh_hostkeycb, asked_per_connection)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	struct seen seen = {.answer = RR_HOSTKEY_ACCEPT};
	rr_loop *loop = loop_new(NULL);
	seen.loop = loop;
	rr_host *h = host_on(loop, s, 0, HOST_OPTS(.no_agent = true, .hostkey_cb = decide,
						   .cb_user = &seen));

	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	cr_assert_eq(seen.calls, 1);
	sshd_drop_connections(s);
	cr_assert_eq(sshd_sessions_wait_gone(s, HANG_GUARD_MS), 0);
	/* The first task may find the old connection and end with it. */
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	if (r->status != RR_OK)
		r = run_ssh(loop, h, "true", NULL);
	expect_status(r, RR_OK, 0);
	cr_assert_eq(seen.calls, 2);
	cr_assert_eq(sshd_log_count(s, "Connection from"), 2);
	free_loop(loop);
}
