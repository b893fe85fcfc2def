/*
 * ed25519.c - an unencrypted OpenSSH ed25519 identity, decoded once per loop
 * and signed with directly.  libssh2 1.10 decodes the private key afresh for
 * every login it signs (OpenSSL's decoders: half the client's CPU over a
 * fleet); here it is parsed once into an EVP_PKEY.  Anything else - other
 * key types, encrypted keys, any byte out of place - is refused, and the
 * caller keeps libssh2's own path for it.
 *
 * openssh-key-v1 (OpenSSH's PROTOCOL.key), every string a uint32 length
 * and its bytes:
 *   "openssh-key-v1\0" ciphername kdfname kdfoptions uint32(nkeys) pubblob
 *   string(check1 check2 keytype pub32 priv64 comment padding 1,2,3...)
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define ARMOR_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define ARMOR_END "-----END OPENSSH PRIVATE KEY-----"
#define MAGIC "openssh-key-v1" /* and its NUL */
#define KEYTYPE "ssh-ed25519"
#define PUB_LEN 32
#define SIG_LEN 64
#define BLOCK 8 /* cipher "none" pads the private section to 8 bytes */

struct rr_ed25519 {
	EVP_PKEY *pkey;
	unsigned char blob[RR_ED25519_BLOB]; /* string KEYTYPE, string pub32 */
};

/* A bounded reader: every take fails once anything is short. */
struct cursor {
	const unsigned char *p, *end;
};

static bool take(struct cursor *c, size_t n, const unsigned char **out)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*out = c->p;
	c->p += n;
	return true;
}

static bool take_u32(struct cursor *c, uint32_t *v)
{
	const unsigned char *b;

	if (!take(c, 4, &b))
		return false;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return true;
}

static bool take_string(struct cursor *c, struct cursor *s)
{
	uint32_t n;
	const unsigned char *b;

	if (!take_u32(c, &n) || !take(c, n, &b))
		return false;
	*s = (struct cursor){ b, b + n };
	return true;
}

/* The next string is exactly want (len bytes). */
static bool expect(struct cursor *c, const void *want, size_t len)
{
	struct cursor s;

	return take_string(c, &s) && (size_t)(s.end - s.p) == len &&
	       memcmp(s.p, want, len) == 0;
}

/* The next string is n bytes long; *out its bytes. */
static bool take_fixed(struct cursor *c, size_t n, const unsigned char **out)
{
	struct cursor s;

	if (!take_string(c, &s) || (size_t)(s.end - s.p) != n)
		return false;
	*out = s.p;
	return true;
}

/* The base64 between the armor lines, decoded into *out (malloc'd). */
static int unarmor(const char *data, size_t len, unsigned char **out, size_t *outlen)
{
	size_t bl = strlen(ARMOR_BEGIN), el = strlen(ARMOR_END);
	const char *body, *end;
	ssize_t n;

	if (len < bl || memcmp(data, ARMOR_BEGIN, bl) != 0)
		return -EINVAL;
	body = data + bl;
	end = memmem(body, len - bl, ARMOR_END, el);
	if (!end || end - body > INT_MAX)
		return -EINVAL;
	for (const char *t = end + el; t < data + len; t++)
		if (!strchr(" \t\r\n", *t) || !*t)
			return -EINVAL;
	*out = malloc((size_t)(end - body) + 1);
	if (!*out)
		return -ENOMEM;
	n = rr__unbase64(body, (size_t)(end - body), *out);
	if (n < 0) {
		OPENSSL_cleanse(*out, (size_t)(end - body) + 1);
		free(*out);
		return -EINVAL;
	}
	*outlen = (size_t)n;
	return 0;
}

/* The private section: check ints, the key (matching the public blob's
   pub32), a comment, then padding 1, 2, 3... to a whole block. */
static bool private_part(struct cursor c, const unsigned char *pub,
			 const unsigned char **seed)
{
	uint32_t check1, check2;
	const unsigned char *pub2, *priv, *pad;
	struct cursor comment;
	size_t padlen = (size_t)(c.end - c.p);

	if (padlen % BLOCK != 0 || !take_u32(&c, &check1) || !take_u32(&c, &check2) ||
	    check1 != check2 || !expect(&c, KEYTYPE, strlen(KEYTYPE)) ||
	    !take_fixed(&c, PUB_LEN, &pub2) || !take_fixed(&c, SIG_LEN, &priv) ||
	    !take_string(&c, &comment))
		return false;
	padlen = (size_t)(c.end - c.p);
	if (padlen >= BLOCK || !take(&c, padlen, &pad))
		return false;
	for (size_t i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			return false;
	/* priv64 is the seed and the public key again. */
	if (memcmp(pub2, pub, PUB_LEN) != 0 || memcmp(priv + 32, pub, PUB_LEN) != 0)
		return false;
	*seed = priv;
	return true;
}

/* The key of the decoded file, its public key checked against the seed's. */
static int decode(const unsigned char *buf, size_t len, struct rr_ed25519 *k)
{
	struct cursor c = { buf, buf + len }, pubblob, priv;
	const unsigned char *magic, *pub, *seed;
	unsigned char derived[PUB_LEN];
	size_t dlen = sizeof(derived);
	uint32_t nkeys;

	if (!take(&c, sizeof(MAGIC), &magic) || memcmp(magic, MAGIC, sizeof(MAGIC)) != 0 ||
	    !expect(&c, "none", 4) || !expect(&c, "none", 4) || !expect(&c, "", 0) ||
	    !take_u32(&c, &nkeys) || nkeys != 1 || !take_string(&c, &pubblob) ||
	    (size_t)(pubblob.end - pubblob.p) != RR_ED25519_BLOB ||
	    !take_string(&c, &priv) || c.p != c.end)
		return -EINVAL;
	memcpy(k->blob, pubblob.p, RR_ED25519_BLOB);
	if (!expect(&pubblob, KEYTYPE, strlen(KEYTYPE)) || !take_fixed(&pubblob, PUB_LEN, &pub) ||
	    !private_part(priv, pub, &seed))
		return -EINVAL;
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!k->pkey)
		return -ENOMEM;
	if (EVP_PKEY_get_raw_public_key(k->pkey, derived, &dlen) != 1 ||
	    dlen != PUB_LEN || memcmp(derived, pub, PUB_LEN) != 0)
		return -EINVAL;
	return 0;
}

int rr__ed25519_parse(const char *data, size_t len, struct rr_ed25519 **out)
{
	struct rr_ed25519 *k;
	unsigned char *buf;
	size_t blen;
	int r;

	*out = NULL;
	r = unarmor(data, len, &buf, &blen);
	if (r < 0)
		return r;
	k = calloc(1, sizeof(*k));
	r = k ? decode(buf, blen, k) : -ENOMEM;
	OPENSSL_cleanse(buf, blen);
	free(buf);
	if (r < 0) {
		rr__ed25519_free(k);
		return r;
	}
	*out = k;
	return 0;
}

const unsigned char *rr__ed25519_blob(const struct rr_ed25519 *k)
{
	return k->blob;
}

int rr__ed25519_sign(const struct rr_ed25519 *k, const unsigned char *msg, size_t len,
		     unsigned char sig[RR_ED25519_SIG])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = RR_ED25519_SIG;
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == RR_ED25519_SIG;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/*
 * libssh2 wraps what this returns as string(method) string(sig), and frees
 * it with LIBSSH2_FREE: free(), the sessions having the default allocator
 * (libssh2_session_init_ex with NULL ones).
 */
static int sign_cb(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sig_len,
		   const unsigned char *data, size_t data_len, void **abstract)
{
	(void)session;
	*sig = malloc(RR_ED25519_SIG);
	if (!*sig)
		return -1;
	if (rr__ed25519_sign(*abstract, data, data_len, *sig) < 0) {
		free(*sig);
		*sig = NULL;
		return -1;
	}
	*sig_len = RR_ED25519_SIG;
	return 0;
}

int rr__ed25519_userauth(LIBSSH2_SESSION *s, const char *user, struct rr_ed25519 *k)
{
	void *abstract = k; /* read by sign_cb within this call only */

	return libssh2_userauth_publickey(s, user, k->blob, sizeof(k->blob), sign_cb,
					  &abstract);
}

void rr__ed25519_free(struct rr_ed25519 *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey); /* OpenSSL clears the private key it frees */
	free(k);
}
