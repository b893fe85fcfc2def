/*
 * knownhosts.c - known_hosts read as OpenSSH reads it.  Each case is
 * decided twice on the same text, against the harness's sshd: by the
 * library (a task with that known_hosts file and policy) and by the real
 * OpenSSH client (`ssh -o StrictHostKeyChecking=yes|accept-new`) on a copy.
 * They must agree on accepting the key and, under accept-new, on whether a
 * line was appended.  Where the library refuses on purpose what ssh lets
 * through (lib/ssh/knownhosts.c says why), the case checks both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_knownhosts);

#define STRICT RR_HOSTKEY_STRICT
#define ACCEPT_NEW RR_HOSTKEY_ACCEPT_NEW

/* What one side decided. */
struct verdict {
	bool accepted;
	bool appended; /* the file is what it was plus more */
};

/* What the library said besides. */
struct said {
	char message[512]; /* why it refused */
	int warnings;
	char warning[512]; /* the first */
};

static const char *policy_name(enum rr_hostkey_policy p)
{
	return p == STRICT ? "yes" : "accept-new";
}

static void note_warning(rr_loop *loop, const char *msg, void *user)
{
	struct said *said = user;

	(void)loop;
	if (!said->warnings++)
		snprintf(said->warning, sizeof said->warning, "%s", msg);
}

/* "ssh-ed25519 AAAA..." of a .pub file. */
static void pub_key(const char *pub, char *key, size_t size)
{
	char *b = read_file(pub, NULL);
	cr_assert(b, "%s", pub);
	size_t type = strcspn(b, " "), n = type + 1 + strcspn(b + type + 1, " \n");
	cr_assert(b[type] == ' ' && n < size, "%s: '%s'", pub, b);
	memcpy(key, b, n);
	key[n] = 0;
	free(b);
}

/* A new ssh-keygen key of type in the sshd's directory; its public key. */
static void new_key(const struct sshd *s, const char *type, const char *name,
		    char *key, size_t size)
{
	char path[160], cmd[320];
	sshd_path(s, name, path, sizeof path);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -t %s -N '' -f %s", type, path);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
	strcat(path, ".pub");
	pub_key(path, key, size);
}

/* The host's key and another one, as known_hosts holds keys. */
static void host_keys(const struct sshd *s, char *host, char *other, size_t size)
{
	char pub[176];
	pub_key(s->host_pub, host, size);
	snprintf(pub, sizeof pub, "%s.pub", s->other_key);
	pub_key(pub, other, size);
}

/* A host certificate for the key in pub, signed by the sshd directory's
 * "ca" key (new_key); as known_hosts holds keys. */
static void certify(const struct sshd *s, const char *pub, char *cert, size_t size)
{
	char ca[160], cmd[512], path[176];
	sshd_path(s, "ca", ca, sizeof ca);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -s %s -I test -h -n %s %s", ca, s->addr[0],
		 pub);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
	snprintf(path, sizeof path, "%.*s-cert.pub", (int)(strlen(pub) - 4), pub);
	pub_key(path, cert, size);
}

/* ------------------------------------------- key blobs, to make odd ones */

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct blob {
	unsigned char b[4096];
	size_t n;
};

/* The blob of "type base64". */
static struct blob key_blob(const char *key)
{
	struct blob k = {.n = 0};
	unsigned acc = 0, bits = 0;
	for (const char *c = strchr(key, ' ') + 1; *c && *c != '='; c++) {
		acc = acc << 6 | (unsigned)(strchr(b64_chars, *c) - b64_chars);
		if ((bits += 6) >= 8)
			k.b[k.n++] = (unsigned char)(acc >> (bits -= 8));
	}
	return k;
}

/* "type base64" of a blob. */
static void key_text(const char *type, const struct blob *k, char *out, size_t size)
{
	size_t o = (size_t)snprintf(out, size, "%s ", type);
	for (size_t i = 0; i < k->n; i += 3) {
		unsigned v = (unsigned)k->b[i] << 16 | (i + 1 < k->n ? k->b[i + 1] << 8 : 0) |
			     (i + 2 < k->n ? k->b[i + 2] : 0);
		cr_assert(o + 5 < size);
		out[o++] = b64_chars[v >> 18 & 63];
		out[o++] = b64_chars[v >> 12 & 63];
		out[o++] = i + 1 < k->n ? b64_chars[v >> 6 & 63] : '=';
		out[o++] = i + 2 < k->n ? b64_chars[v & 63] : '=';
	}
	out[o] = 0;
}

/* The i-th SSH string of a blob. */
static struct blob field(const struct blob *k, int i)
{
	size_t at = 0, len = 0;
	for (int f = 0; f <= i; f++) {
		at += f ? 4 + len : 0;
		cr_assert(at + 4 <= k->n);
		len = (size_t)k->b[at] << 24 | (size_t)k->b[at + 1] << 16 |
		      (size_t)k->b[at + 2] << 8 | k->b[at + 3];
		cr_assert(at + 4 + len <= k->n);
	}
	struct blob s = {.n = len};
	memcpy(s.b, k->b + at + 4, len);
	return s;
}

static void put_field(struct blob *k, const void *p, size_t len)
{
	cr_assert(k->n + 4 + len <= sizeof k->b);
	for (int shift = 24; shift >= 0; shift -= 8)
		k->b[k->n++] = (unsigned char)(len >> shift);
	memcpy(k->b + k->n, p, len);
	k->n += len;
}

static void put_text(struct blob *k, const char *s)
{
	put_field(k, s, strlen(s));
}

/* A fresh path in the sshd's directory holding text (NULL: no file). */
static void case_file(const struct sshd *s, const char *text, char *path, size_t size)
{
	static int n;
	char name[32];
	snprintf(name, sizeof name, "kh-%d", n++);
	sshd_path(s, name, path, size);
	unlink(path);
	if (text)
		write_file(path, text, strlen(text));
}

/* Whether the file now holds what it held and more; anything else fails. */
static bool grew(const char *path, const char *before)
{
	char *now = read_file(path, NULL);
	size_t b = before ? strlen(before) : 0;
	if (!now) {
		cr_assert(!before, "%s is gone", path);
		return false;
	}
	cr_assert(strncmp(now, before ? before : "", b) == 0,
		  "%s was rewritten: '%s', was '%s'", path, now, before);
	bool more = strlen(now) > b;
	free(now);
	return more;
}

static struct verdict lib_decides(const struct sshd *s, int i, const char *path,
				  const char *before, enum rr_hostkey_policy p,
				  struct said *said)
{
	char marker[160], cmd[256];
	memset(said, 0, sizeof *said);
	rr_loop *loop = loop_new(&(struct rr_loop_opts){.on_warning = note_warning,
							.user = said});
	rr_host *h = host_on(loop, s, i, &(struct rr_host_opts){
		.known_hosts = path, .no_agent = true, .hostkey = p});
	const struct rr_result *r = run_ssh(loop, h,
		touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
	struct verdict v = {.accepted = r->status == RR_OK};
	if (v.accepted) {
		expect_status(r, RR_OK, 0);
		cr_assert_eq(access(marker, F_OK), 0, "accepted, yet the command did not run");
	} else {
		expect_status_only(r, RR_HOSTKEY_REJECTED);
		cr_assert_eq(access(marker, F_OK), -1, "refused, yet the command ran");
		snprintf(said->message, sizeof said->message, "%s", r->message);
	}
	free_loop(loop);
	v.appended = grew(path, before);
	return v;
}

static struct verdict ssh_decides(const struct sshd *s, int i, const char *path,
				  const char *before, enum rr_hostkey_policy p)
{
	char cmd[1024], out[4096];
	struct passwd *pw = getpwuid(geteuid());
	cr_assert(pw);
	snprintf(cmd, sizeof cmd,
		 "ssh -o StrictHostKeyChecking=%s -o UserKnownHostsFile=%s "
		 "-o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no "
		 "-o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none "
		 "-F /dev/null -p %u -i %s %s@%s true </dev/null 2>&1",
		 policy_name(p), path, s->port, s->client_key, pw->pw_name, s->addr[i]);
	int rc = sh_capture(cmd, out, sizeof out);
	struct verdict v = {.accepted = rc == 0};
	if (!v.accepted)
		cr_assert(rc == 255 && strstr(out, "Host key verification failed"),
			  "%s: exit %d: %s", cmd, rc, out);
	v.appended = grew(path, before);
	return v;
}

/* Both sides on text (NULL: no file) under p, each on its own copy. */
static void decide(const struct sshd *s, int i, const char *text,
		   enum rr_hostkey_policy p, struct verdict *lib, struct verdict *ssh,
		   struct said *said)
{
	char lib_path[160], ssh_path[160];
	case_file(s, text, lib_path, sizeof lib_path);
	case_file(s, text, ssh_path, sizeof ssh_path);
	*lib = lib_decides(s, i, lib_path, text, p, said);
	*ssh = ssh_decides(s, i, ssh_path, text, p);
}

/* Both sides must agree; the library's verdict. */
static struct verdict agree(const struct sshd *s, const char *text,
			    enum rr_hostkey_policy p, struct said *said)
{
	struct verdict lib, ssh;
	decide(s, 0, text, p, &lib, &ssh, said);
	cr_assert_eq(lib.accepted, ssh.accepted,
		     "StrictHostKeyChecking=%s, known_hosts:\n%s\nthe library %s (%s), ssh %s",
		     policy_name(p), text, lib.accepted ? "accepts" : "refuses",
		     said->message, ssh.accepted ? "accepts" : "refuses");
	cr_assert_eq(lib.appended, ssh.appended,
		     "StrictHostKeyChecking=%s, known_hosts:\n%s\nthe library %s, ssh %s",
		     policy_name(p), text, lib.appended ? "appends" : "appends nothing",
		     ssh.appended ? "appends" : "appends nothing");
	return lib;
}

static void expect_refused(struct verdict v, const struct said *said, const char *why)
{
	cr_assert_not(v.accepted, "accepted, want refused (%s)", why);
	cr_assert_not(v.appended, "refused, yet a line was appended");
	expect_contains(said->message, why);
}

static void expect_accepted(struct verdict v, bool appended)
{
	cr_assert(v.accepted, "refused, want accepted");
	cr_assert_eq(v.appended, appended, "a line %s", v.appended ? "was appended" :
				   "was not appended");
}

/* The reproduction: a line that cannot be read, then the host's
 * entry with another key.  Changed: refused also under accept-new, nothing
 * appended, and one warning names the line that was skipped. */
Test(ssh_knownhosts, bad_line_then_changed_key)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], text[1024];
	struct said said;
	host_keys(s, key, other, sizeof key);
	snprintf(text, sizeof text, "x ssh-foo AAAA\n[%s]:%u %s\n", s->addr[0], s->port,
		 other);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		expect_refused(agree(s, text, p, &said), &said, "host key changed");
		expect_contains(said.message, ":2 ");
		cr_assert_eq(said.warnings, 1, "%d warnings", said.warnings);
		expect_contains(said.warning, ": line 1: cannot read it");
		expect_contains(said.warning, "skipped");
	}
}

/* Lines ssh cannot read before the host's entry: it still counts, and one
 * warning names the first bad line and how many were skipped. */
Test(ssh_knownhosts, bad_lines_then_match)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], name[64], text[4096];
	struct said said;
	host_keys(s, key, other, sizeof key);
	snprintf(name, sizeof name, "[%s]:%u", s->addr[0], s->port);
	snprintf(text, sizeof text,
		 "# a comment, then a blank line\n\n"
		 "x ssh-foo AAAA\n"                           /* unknown key type */
		 "@bogus %s %s\n"                             /* unknown marker */
		 "@revoked @revoked %s %s\n"                  /* two markers */
		 "%s ssh-ed25519 !!!!\n"                      /* not base64 */
		 "%s\n"                                       /* no key */
		 "%s ssh-rsa %s\n"                            /* not its type */
		 "%s ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAAQA=\n" /* 1-byte key */
		 "|1|AAAA|AAAA %s\n"                          /* bad hashed name */
		 "  %s %s  trailing comment\n",
		 name, key, name, other, name, name, name, strchr(key, ' ') + 1, name,
		 other, name, key);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		expect_accepted(agree(s, text, p, &said), false);
		cr_assert_eq(said.warnings, 1, "%d warnings", said.warnings);
		expect_contains(said.warning, ": line 3: cannot read it (unknown key type)");
		expect_contains(said.warning, "8 such lines skipped");
	}
}

/* One warning per file per loop, however many hosts read it. */
Test(ssh_knownhosts, one_warning_per_file)
{
	struct sshd *s = sshd_start(2, 0, NULL);
	char key[256], other[256], text[1024], path[160];
	struct said said = {0};
	host_keys(s, key, other, sizeof key);
	snprintf(text, sizeof text, "x ssh-foo AAAA\n[%s]:%u %s\n[%s]:%u %s\n",
		 s->addr[0], s->port, key, s->addr[1], s->port, key);
	case_file(s, text, path, sizeof path);

	rr_loop *loop = loop_new(&(struct rr_loop_opts){.on_warning = note_warning,
							.user = &said});
	rr_task *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = ssh_task(loop, host_on(loop, s, i % 2, &(struct rr_host_opts){
			.known_hosts = path, .no_agent = true}), "true", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 4; i++)
		expect_status(rr_task_result(t[i]), RR_OK, 0);
	free_loop(loop);
	cr_assert_eq(said.warnings, 1, "%d warnings", said.warnings);
	expect_contains(said.warning, path);
}

/* @revoked with the server's key refuses it under both policies, even
 * next to an entry with the key; a revoked other key changes nothing. */
Test(ssh_knownhosts, revoked)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], ca[256], cert[2048], text[4096];
	struct said said;
	host_keys(s, key, other, sizeof key);
	new_key(s, "ed25519", "ca", ca, sizeof ca);
	certify(s, s->host_pub, cert, sizeof cert);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		snprintf(text, sizeof text, "@revoked * %s\n[%s]:%u %s\n", key, s->addr[0],
			 s->port, key);
		expect_refused(agree(s, text, p, &said), &said, "host key revoked");
		expect_contains(said.message, ":1");
		/* To ssh a marker ends at the line's first space: this one
		 * is no marker, and the line is skipped. */
		snprintf(text, sizeof text, "@revoked\t[%s]:%u %s\n", s->addr[0], s->port, key);
		agree(s, text, p, &said);
		cr_assert_eq(said.warnings, 1);
		snprintf(text, sizeof text, "@revoked * %s\n[%s]:%u %s\n", other, s->addr[0],
			 s->port, key);
		expect_accepted(agree(s, text, p, &said), false);
		/* A revoked certificate revokes the key it certifies. */
		snprintf(text, sizeof text, "@revoked * %s\n[%s]:%u %s\n", cert, s->addr[0],
			 s->port, key);
		expect_refused(agree(s, text, p, &said), &said, "host key revoked");
	}
}

/* Revoked under the plain name, the host on another port: ssh only takes
 * the key as new and accept-new records it; the library refuses a revoked
 * key for that host on any port. */
Test(ssh_knownhosts, revoked_plain_name_other_port)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], text[1024];
	struct said said;
	struct verdict lib, ssh;
	host_keys(s, key, other, sizeof key);
	snprintf(text, sizeof text, "@revoked %s %s\n", s->addr[0], key);

	expect_refused(agree(s, text, STRICT, &said), &said, "host key revoked");
	decide(s, 0, text, ACCEPT_NEW, &lib, &ssh, &said);
	expect_refused(lib, &said, "host key revoked");
	expect_accepted(ssh, true);
}

/* The server listens off port 22, the file has the plain "host": ssh (and
 * so the library) accepts the key that entry holds, and takes another key
 * as new, not changed. */
Test(ssh_knownhosts, plain_name_other_port)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], text[1024];
	struct said said;
	host_keys(s, key, other, sizeof key);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		snprintf(text, sizeof text, "%s %s\n", s->addr[0], key);
		expect_accepted(agree(s, text, p, &said), false);
		snprintf(text, sizeof text, "%s %s\n", s->addr[0], other);
		struct verdict v = agree(s, text, p, &said);
		if (p == STRICT)
			expect_refused(v, &said, "host key unknown");
		else
			expect_accepted(v, true);
		/* [host]:port decides before the plain name. */
		snprintf(text, sizeof text, "%s %s\n[%s]:%u %s\n", s->addr[0], key,
			 s->addr[0], s->port, other);
		expect_refused(agree(s, text, p, &said), &said, "host key changed");
	}
}

/* accept-new on an unknown host appends "[host]:port key" (on a line of
 * its own), which ssh then accepts under strict checking. */
Test(ssh_knownhosts, accept_new_appends)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], text[1024], want[512], path[160];
	struct said said;
	host_keys(s, key, other, sizeof key);

	expect_accepted(agree(s, NULL, ACCEPT_NEW, &said), true);
	expect_refused(agree(s, NULL, STRICT, &said), &said, "host key unknown");
	snprintf(text, sizeof text, "[%s]:%u %s\n", s->addr[0], s->port + 1, key);
	expect_accepted(agree(s, text, ACCEPT_NEW, &said), true);

	/* A last line without its newline keeps it apart from the new one. */
	case_file(s, "# no newline", path, sizeof path);
	expect_accepted(lib_decides(s, 0, path, "# no newline", ACCEPT_NEW, &said), true);
	char *now = read_file(path, NULL);
	snprintf(want, sizeof want, "# no newline\n[%s]:%u %s\n", s->addr[0], s->port, key);
	cr_assert_str_eq(now, want);
	free(now);
	struct verdict v = ssh_decides(s, 0, path, want, STRICT);
	expect_accepted(v, false);
}

/* Names hashed by ssh-keygen -H match as their plain forms do. */
Test(ssh_knownhosts, hashed)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], port_name[64], other_port[64], text[2048],
		path[160], cmd[384];
	struct said said;
	host_keys(s, key, other, sizeof key);
	snprintf(port_name, sizeof port_name, "[%s]:%u", s->addr[0], s->port);
	snprintf(other_port, sizeof other_port, "[%s]:%u", s->addr[0], s->port + 1);
	struct {
		const char *name, *key;
		enum rr_hostkey_policy p;
		bool accepted, appended;
	} cases[] = {
		{port_name, key, STRICT, true, false},
		{port_name, key, ACCEPT_NEW, true, false},
		{port_name, other, ACCEPT_NEW, false, false},
		{other_port, key, STRICT, false, false},
		{other_port, key, ACCEPT_NEW, true, true},
		{s->addr[0], key, STRICT, true, false},
	};

	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		snprintf(text, sizeof text, "%s %s\n", cases[c].name, cases[c].key);
		case_file(s, text, path, sizeof path);
		snprintf(cmd, sizeof cmd, "ssh-keygen -q -H -f %s >/dev/null 2>&1 && rm %s.old",
			 path, path);
		cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
		char *hashed = read_file(path, NULL);
		cr_assert(strncmp(hashed, "|1|", 3) == 0, "not hashed: %s", hashed);
		/* Before it, a hashed name that cannot be read is skipped. */
		snprintf(text, sizeof text, "|1|c2FsdA==|aGFzaA== %s\n%s", key, hashed);
		free(hashed);
		struct verdict v = agree(s, text, cases[c].p, &said);
		cr_assert_eq(v.accepted, cases[c].accepted, "case %zu: %s", c, said.message);
		cr_assert_eq(v.appended, cases[c].appended, "case %zu", c);
		cr_assert_eq(said.warnings, 1, "case %zu: %d warnings", c, said.warnings);
	}
}

/* Keys of every form ssh reads, none of them the server's: the host's
 * key changed, for both.  Forms ssh cannot read are skipped by both: the
 * key is new, and accept-new records it. */
Test(ssh_knownhosts, key_forms)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], rsa[1024], dsa[2048], p256[512], p384[512],
		p521[512], ca[256], cert[2048];
	char good[12][2048], bad[6][2048];
	int ngood = 0, nbad = 0;
	host_keys(s, key, other, sizeof key);
	new_key(s, "rsa -b 1024", "rsa", rsa, sizeof rsa);
	new_key(s, "dsa", "dsa", dsa, sizeof dsa);
	new_key(s, "ecdsa -b 256", "p256", p256, sizeof p256);
	new_key(s, "ecdsa -b 384", "p384", p384, sizeof p384);
	new_key(s, "ecdsa -b 521", "p521", p521, sizeof p521);
	new_key(s, "ed25519", "ca", ca, sizeof ca);
	char other_pub[176];
	snprintf(other_pub, sizeof other_pub, "%s.pub", s->other_key);
	certify(s, other_pub, cert, sizeof cert);

	struct blob rsa_blob = key_blob(rsa), ed = key_blob(other), ec = key_blob(p256);
	const char *copies[] = {rsa, dsa, p256, p384, p521, other, cert};
	for (size_t i = 0; i < sizeof copies / sizeof *copies; i++)
		snprintf(good[ngood++], sizeof good[0], "%s", copies[i]);
	key_text("rsa-sha2-256", &rsa_blob, good[ngood++], sizeof good[0]);
	key_text("rsa-sha2-512", &rsa_blob, good[ngood++], sizeof good[0]);
	struct blob sk = {.n = 0}, sk_ec = {.n = 0}, b, pk = field(&ed, 1),
		    point = field(&ec, 2);
	put_text(&sk, "sk-ssh-ed25519@openssh.com");
	put_field(&sk, pk.b, pk.n);
	put_text(&sk, "ssh:");
	key_text("sk-ssh-ed25519@openssh.com", &sk, good[ngood++], sizeof good[0]);
	put_text(&sk_ec, "sk-ecdsa-sha2-nistp256@openssh.com");
	put_text(&sk_ec, "nistp256");
	put_field(&sk_ec, point.b, point.n);
	put_text(&sk_ec, "ssh:");
	key_text("sk-ecdsa-sha2-nistp256@openssh.com", &sk_ec, good[ngood++], sizeof good[0]);
	key_text("webauthn-sk-ecdsa-sha2-nistp256@openssh.com", &sk_ec, good[ngood++],
		 sizeof good[0]);

	b = ed; /* a byte past the key */
	b.b[b.n++] = 0;
	key_text("ssh-ed25519", &b, bad[nbad++], sizeof bad[0]);
	key_text("ecdsa-sha2-nistp384", &ec, bad[nbad++], sizeof bad[0]);
	b = (struct blob){.n = 0}; /* the curve not the type's */
	put_text(&b, "ecdsa-sha2-nistp256");
	put_text(&b, "nistp384");
	put_field(&b, point.b, point.n);
	key_text("ecdsa-sha2-nistp256", &b, bad[nbad++], sizeof bad[0]);
	b = (struct blob){.n = 0}; /* a point one byte short */
	put_text(&b, "ecdsa-sha2-nistp256");
	put_text(&b, "nistp256");
	put_field(&b, point.b, point.n - 1);
	key_text("ecdsa-sha2-nistp256", &b, bad[nbad++], sizeof bad[0]);
	snprintf(bad[nbad++], sizeof bad[0], "%.*s", (int)strlen(other) - 1, other);
	b = sk; /* no application */
	b.n -= 8;
	key_text("sk-ssh-ed25519@openssh.com", &b, bad[nbad++], sizeof bad[0]);

	for (int i = 0; i < ngood + nbad; i++) {
		char text[4096];
		struct said said;
		const char *k = i < ngood ? good[i] : bad[i - ngood];
		snprintf(text, sizeof text, "[%s]:%u %.3000s\n", s->addr[0], s->port, k);
		struct verdict v = agree(s, text, ACCEPT_NEW, &said);
		if (i < ngood) {
			expect_refused(v, &said, "host key changed");
			cr_assert_eq(said.warnings, 0, "%s: %s", k, said.warning);
		} else {
			expect_accepted(v, true);
			cr_assert_eq(said.warnings, 1, "%s: %d warnings", k, said.warnings);
		}
	}
}

/* Patterns made up from the host's "[addr]:port": '*' and '?' for parts of
 * it, characters changed or dropped, '!' before some, lists of up to
 * three.  Deterministic, and the oracle decides every one. */
static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void make_pattern(const char *name, const char *addr, unsigned *seed,
			 char *out, size_t size)
{
	size_t n = strlen(name), i = next_rand(seed) % n, j = i + next_rand(seed) % (n - i);
	char p[128];
	snprintf(p, sizeof p, "%s", name);
	switch (next_rand(seed) % 8) {
	case 0: /* the name itself */
		break;
	case 1: /* some characters any */
		p[i] = '?';
		p[j] = '?';
		break;
	case 2: /* a run any */
		snprintf(p + i, sizeof p - i, "*%s", name + j + 1);
		break;
	case 3: /* one character another */
		p[i] = p[i] == '9' ? '0' : p[i] == '.' ? ':' : (char)(p[i] + 1);
		break;
	case 4: /* one character fewer */
		memmove(p + i, p + i + 1, n - i);
		break;
	case 5: /* the plain address: another name */
		snprintf(p, sizeof p, "%s", addr);
		break;
	case 6: /* any name at all, or a wildcard port */
		snprintf(p, sizeof p, "%s", next_rand(seed) % 2 ? "*" : "[127.0.*]:*");
		break;
	default: /* a '*' with nothing to stand for */
		snprintf(p + i, sizeof p - i, "*%s", name + i);
		break;
	}
	snprintf(out, size, "%s%s", next_rand(seed) % 4 ? "" : "!", p);
}

Test(ssh_knownhosts, patterns)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], name[64], text[1024];
	struct said said;
	unsigned seed = 20240611, accepted = 0, refused = 0, negated = 0;
	host_keys(s, key, other, sizeof key);
	snprintf(name, sizeof name, "[%s]:%u", s->addr[0], s->port);

	for (int c = 0; c < 24; c++) {
		char list[512] = "";
		unsigned parts = 1 + next_rand(&seed) % 3;
		for (unsigned k = 0; k < parts; k++) {
			char pat[160];
			make_pattern(name, s->addr[0], &seed, pat, sizeof pat);
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 k ? "," : "", pat);
		}
		/* The server's key: a match accepts it; another key: a match
		 * refuses it as changed, no match leaves it new. */
		bool same = c % 2 == 0;
		enum rr_hostkey_policy p = c % 4 < 2 ? STRICT : ACCEPT_NEW;
		snprintf(text, sizeof text, "%s %s\n", list, same ? key : other);
		struct verdict v = agree(s, text, p, &said);
		if (v.accepted && !v.appended)
			accepted++;
		else
			refused++;
		negated += strchr(list, '!') != NULL;
	}
	cr_assert(accepted && refused && negated,
		  "%u accepted as known, %u not, %u with '!': the cases test too little",
		  accepted, refused, negated);
}

/* A host vouched for only by a @cert-authority line: ssh would check its
 * certificate; libssh2 cannot, so strict refuses it as ssh does (no
 * certificate), and accept-new refuses it too, where ssh would record the
 * plain key as new. */
Test(ssh_knownhosts, cert_authority)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char key[256], other[256], ca[256], text[1024];
	struct said said;
	struct verdict lib, ssh;
	host_keys(s, key, other, sizeof key);
	new_key(s, "ed25519", "ca", ca, sizeof ca);

	snprintf(text, sizeof text, "@cert-authority * %s\n", ca);
	expect_refused(agree(s, text, STRICT, &said), &said, "certificate authority");
	decide(s, 0, text, ACCEPT_NEW, &lib, &ssh, &said);
	expect_refused(lib, &said, "certificate authority");
	expect_accepted(ssh, true);

	/* The plain key known besides: accepted. */
	snprintf(text, sizeof text, "@cert-authority * %s\n[%s]:%u %s\n", ca, s->addr[0],
		 s->port, key);
	for (int p = STRICT; p <= ACCEPT_NEW; p++)
		expect_accepted(agree(s, text, p, &said), false);
}

/* A known_hosts that cannot be read (a directory; root reads past chmod)
 * refuses the key, never takes it as unknown.  ssh refuses it under strict
 * checking, and under accept-new goes on without recording it. */
Test(ssh_knownhosts, unreadable_file)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char lib_path[160], ssh_path[160];
	struct said said;
	case_file(s, NULL, lib_path, sizeof lib_path);
	case_file(s, NULL, ssh_path, sizeof ssh_path);
	cr_assert_eq(mkdir(lib_path, 0700), 0);
	cr_assert_eq(mkdir(ssh_path, 0700), 0);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		struct verdict lib = lib_decides(s, 0, lib_path, NULL, p, &said);
		struct verdict ssh = ssh_decides(s, 0, ssh_path, NULL, p);
		expect_refused(lib, &said, "cannot read");
		expect_contains(said.message, strerror(EISDIR));
		cr_assert_eq(ssh.accepted, p == ACCEPT_NEW);
		cr_assert_not(ssh.appended);
	}
}

/* Known only by a key of another type: changed, as ssh sees it. */
Test(ssh_knownhosts, other_key_type_is_changed)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char ecdsa[512], text[1024];
	struct said said;
	new_key(s, "ecdsa", "ecdsa", ecdsa, sizeof ecdsa);
	snprintf(text, sizeof text, "[%s]:%u %s\n", s->addr[0], s->port, ecdsa);

	for (int p = STRICT; p <= ACCEPT_NEW; p++) {
		expect_refused(agree(s, text, p, &said), &said, "host key changed");
		expect_contains(said.message, "ecdsa-sha2-nistp256");
	}
}

/* A server with an ed25519 and an ECDSA key: asked first for the type the
 * file knows, it shows that key, to the library as to ssh; a new host's
 * key is the same type for both. */
Test(ssh_knownhosts, server_with_two_keys)
{
	struct sshd *keys = sshd_start(1, 0, NULL); /* only its directory */
	char ecdsa[512], ecdsa_path[160], hostkey_line[200], ed25519[256], other[256],
		text[1024];
	struct said said;
	new_key(keys, "ecdsa", "host_ecdsa", ecdsa, sizeof ecdsa);
	sshd_path(keys, "host_ecdsa", ecdsa_path, sizeof ecdsa_path);
	snprintf(hostkey_line, sizeof hostkey_line, "HostKey %s", ecdsa_path);
	struct sshd *s = sshd_start(1, 0, hostkey_line, NULL);
	host_keys(s, ed25519, other, sizeof ed25519);

	const char *known[] = {ecdsa, ed25519};
	for (int k = 0; k < 2; k++)
		for (int p = STRICT; p <= ACCEPT_NEW; p++) {
			snprintf(text, sizeof text, "[%s]:%u %s\n", s->addr[0], s->port,
				 known[k]);
			expect_accepted(agree(s, text, p, &said), false);
		}

	char lib_path[160], ssh_path[160];
	struct verdict lib, ssh;
	case_file(s, NULL, lib_path, sizeof lib_path);
	case_file(s, NULL, ssh_path, sizeof ssh_path);
	lib = lib_decides(s, 0, lib_path, NULL, ACCEPT_NEW, &said);
	ssh = ssh_decides(s, 0, ssh_path, NULL, ACCEPT_NEW);
	expect_accepted(lib, true);
	expect_accepted(ssh, true);
	char *a = read_file(lib_path, NULL), *b = read_file(ssh_path, NULL);
	cr_assert_str_eq(a, b, "the library recorded '%s', ssh '%s'", a, b);
	free(a);
	free(b);
}
