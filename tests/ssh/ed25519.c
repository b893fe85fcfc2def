/* ed25519.c - lib/ssh/ed25519.c, the unencrypted ed25519 identity decoded
 * once and signed with directly: ssh-keygen's keys parsed, their public key
 * the .pub file's and their signatures verified by OpenSSL against it; every
 * other key, and every key file with a byte out of place, left to libssh2;
 * logins with both kinds against a real sshd. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ssh/ssh.h"
#include "util.h"

SSH_SUITE(ssh_ed25519);

/* A new ssh-keygen key (options how, comment) in s's directory; its path. */
static void keygen(const struct sshd *s, const char *name, const char *how,
		   const char *comment, char *path, size_t size)
{
	char cmd[640];

	sshd_path(s, name, path, size);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q %s -C '%s' -f %s", how, comment, path);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s", cmd);
}

/* What rr__ed25519_parse makes of the key file at path (*k: NULL or it). */
static int parse_file(const char *path, struct rr_ed25519 **k)
{
	size_t len;
	char *data = read_file(path, &len);

	cr_assert(data, "%s", path);
	int r = rr__ed25519_parse(data, len, k);
	free(data);
	return r;
}

/* The key blob of path's .pub file ("ssh-ed25519 AAAA... comment"). */
static void pub_blob(const char *path, unsigned char *blob, size_t size)
{
	char pub[200];
	snprintf(pub, sizeof pub, "%s.pub", path);
	char *text = read_file(pub, NULL);
	cr_assert(text);
	char *b64 = strchr(text, ' ');
	cr_assert(b64);
	b64++;
	*strchrnul(b64, ' ') = '\0';
	unsigned char raw[128];
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
	cr_assert_eq(n, RR_ED25519_BLOB, "%s: %s", pub, b64);
	cr_assert_eq(size, (size_t)RR_ED25519_BLOB);
	memcpy(blob, raw, RR_ED25519_BLOB);
	free(text);
}

/* OpenSSL's word on sig over msg by the public key of blob. */
static bool verifies(const unsigned char *blob, const unsigned char *msg, size_t len,
		     const unsigned char *sig)
{
	EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
						    blob + RR_ED25519_BLOB - 32, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	cr_assert(pub && ctx);
	cr_assert_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub), 1);
	int ok = EVP_DigestVerify(ctx, sig, RR_ED25519_SIG, msg, len);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pub);
	return ok == 1;
}

/* Keys with comments of 0 to 8 bytes (every padding length) parse, their
 * public key is the .pub file's, and they sign what OpenSSL verifies. */
Test(ssh_ed25519, parses_and_signs)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *comments[] = {"", "a", "ab", "abc", "abcd", "abcde", "abcdef",
				  "abcdefg", "abcdefgh"};
	unsigned char msg[] = "session id and userauth request";

	for (size_t i = 0; i < sizeof comments / sizeof *comments; i++) {
		char path[160], name[32];
		unsigned char blob[RR_ED25519_BLOB], sig[RR_ED25519_SIG];
		struct rr_ed25519 *k;

		snprintf(name, sizeof name, "id_ed25519_%zu", i);
		keygen(s, name, "-t ed25519 -N ''", comments[i], path, sizeof path);
		cr_assert_eq(parse_file(path, &k), 0, "%s", path);
		pub_blob(path, blob, sizeof blob);
		cr_assert_arr_eq(rr__ed25519_blob(k), blob, sizeof blob);
		cr_assert_eq(rr__ed25519_sign(k, msg, sizeof msg, sig), 0);
		cr_assert(verifies(blob, msg, sizeof msg, sig), "%s", path);
		msg[0] ^= 1; /* the oracle tells a wrong message */
		cr_assert_not(verifies(blob, msg, sizeof msg, sig));
		rr__ed25519_free(k);
	}
}

/* Other keys are left to libssh2 (-EINVAL, nothing made). */
Test(ssh_ed25519, other_keys_refused)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *how[] = {"-t ed25519 -N 'a passphrase'", "-t ecdsa -N ''",
			     "-t ecdsa -m PEM -N ''", "-t rsa -b 2048 -N ''"};

	for (size_t i = 0; i < sizeof how / sizeof *how; i++) {
		char path[160], name[32];
		struct rr_ed25519 *k = (void *)1;

		snprintf(name, sizeof name, "other_%zu", i);
		keygen(s, name, how[i], "c", path, sizeof path);
		cr_assert_eq(parse_file(path, &k), -EINVAL, "%s", how[i]);
		cr_assert_null(k);
	}
}

/* path's key file decoded: its bytes into raw (asserted). */
static size_t unarmor(const char *path, unsigned char *raw, size_t size)
{
	char *text = read_file(path, NULL), *b64 = text, *o = text;
	cr_assert(text);
	b64 = strchr(text, '\n') + 1;
	for (char *t = b64; *t && *t != '-'; t++)
		if (*t != '\n')
			*o++ = *t;
	*o = '\0';
	size_t len = strlen(text);
	cr_assert(len / 4 * 3 <= size);
	int n = EVP_DecodeBlock(raw, (unsigned char *)text, (int)len);
	cr_assert_gt(n, 0);
	while (len && text[--len] == '=')
		n--;
	free(text);
	return (size_t)n;
}

/* raw armored as ssh-keygen does, parsed. */
static int parse_raw(const unsigned char *raw, size_t len)
{
	char text[4096];
	unsigned char b64[2048];
	struct rr_ed25519 *k;

	cr_assert(len / 3 * 4 + 4 < sizeof b64);
	int n = EVP_EncodeBlock(b64, raw, (int)len), at;
	at = snprintf(text, sizeof text, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	for (int i = 0; i < n; i += 70)
		at += snprintf(text + at, sizeof text - (size_t)at, "%.70s\n", b64 + i);
	snprintf(text + at, sizeof text - (size_t)at, "-----END OPENSSH PRIVATE KEY-----\n");
	int r = rr__ed25519_parse(text, strlen(text), &k);
	cr_assert(r == 0 || !k);
	rr__ed25519_free(k);
	return r;
}

/* A byte out of place anywhere the format pins is refused: the cipher, the
 * number of keys, a check int, the seed (its public key is not the file's),
 * the public key's copies, the padding, a byte more or less. */
Test(ssh_ed25519, damaged_refused)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char path[160];
	unsigned char raw[1024], bad[1024];

	keygen(s, "id_ed25519", "-t ed25519 -N ''", "abc", path, sizeof path);
	size_t len = unarmor(path, raw, sizeof raw);
	/* magic 15, "none" 8, "none" 8, "" 4, nkeys 4, pub blob 4+51, private
	   section 4+: check ints, type 4+11, pub 4+32, priv 4+64, comment 4+3,
	   padding 1, 2 */
	cr_assert_eq(len, 98 + 8 + 15 + 36 + 68 + 7 + 2);
	cr_assert_eq(parse_raw(raw, len), 0, "re-armored, the key parses");
	const struct {
		size_t at;
		const char *what;
	} flips[] = {
		{0, "magic"}, {14, "magic's NUL"}, {22, "cipher"}, {30, "kdf"},
		{34, "kdf options"}, {38, "number of keys"}, {50, "public key's type"},
		{80, "public key"}, {97, "private section's length"}, {101, "check int"},
		{110, "private key's type"}, {125, "public key's copy"}, {161, "seed"},
		{224, "public key's second copy"}, {len - 1, "padding"},
	};
	for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
		memcpy(bad, raw, len);
		bad[flips[i].at] ^= 0x40;
		cr_assert_eq(parse_raw(bad, len), -EINVAL, "%s", flips[i].what);
	}
	cr_assert_eq(parse_raw(raw, len - 1), -EINVAL, "a byte short");
	memcpy(bad, raw, len);
	bad[len] = 6;
	cr_assert_eq(parse_raw(bad, len + 1), -EINVAL, "a byte more");
}

/* The harness's ed25519 key logs in on the direct path, an unencrypted
 * ECDSA key on libssh2's, in one loop.  A PEM one: libssh2 1.10 leaks a
 * BIGNUM each time it reads an OpenSSH-format ECDSA key, which make asan's
 * LeakSanitizer cannot pin on libssh2 (libcrypto has no frame pointers). */
Test(ssh_ed25519, both_paths_log_in)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char ecdsa[160], auth[160], cmd[512];
	struct rr_ed25519 *k;

	cr_assert_eq(parse_file(s->client_key, &k), 0);
	rr__ed25519_free(k);
	keygen(s, "id_ecdsa", "-t ecdsa -m PEM -N ''", "", ecdsa, sizeof ecdsa);
	sshd_path(s, "authorized_keys", auth, sizeof auth);
	snprintf(cmd, sizeof cmd, "cat %s.pub >>%s", ecdsa, auth);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0);

	rr_loop *loop = loop_new(NULL);
	const char *keys[][2] = {{s->client_key, NULL}, {ecdsa, NULL}};
	for (size_t i = 0; i < 2; i++) {
		rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
			.identities = keys[i], .no_agent = true});
		const struct rr_result *r = run_ssh(loop, h, "echo in", NULL);
		expect_status(r, RR_OK, 0);
		expect_capture("stdout", &r->out, "in\n");
	}
	free_loop(loop);
	cr_assert_eq(sshd_log_count(s, "Accepted publickey for"), 2);
	cr_assert_eq(sshd_log_count(s, "ssh2: ED25519 SHA256:"), 1);
	cr_assert_eq(sshd_log_count(s, "ssh2: ECDSA SHA256:"), 1);
}
