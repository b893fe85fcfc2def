/*
 * libFuzzer target for lib/ssh/ed25519.c: any bytes as an identity file.
 * The key is read or left to libssh2 cleanly; one read has the blob of an
 * ed25519 public key and signs what OpenSSL verifies with it.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "ssh/ssh.h"

static void check_signs(const struct rr_ed25519 *k)
{
	static const unsigned char msg[] = "fuzz";
	const unsigned char *blob = rr__ed25519_blob(k);
	unsigned char sig[RR_ED25519_SIG];
	EVP_PKEY *pub;
	EVP_MD_CTX *ctx;

	assert(memcmp(blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19) == 0);
	assert(rr__ed25519_sign(k, msg, sizeof(msg), sig) == 0);
	pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, blob + 19, 32);
	ctx = EVP_MD_CTX_new();
	assert(pub && ctx);
	assert(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) == 1);
	assert(EVP_DigestVerify(ctx, sig, sizeof(sig), msg, sizeof(msg)) == 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rr_ed25519 *k;
	int r = rr__ed25519_parse((const char *)data, size, &k);

	assert(r == 0 || r == -EINVAL || r == -ENOMEM);
	assert((r == 0) == (k != NULL));
	if (k)
		check_signs(k);
	rr__ed25519_free(k);
	return 0;
}
