/*
 * keyfile.c - an identity file: read once per loop, however many hosts
 * offer it, and unlocked with its passphrase when it is encrypted.
 *
 * libssh2 1.10 reads a private key only when it signs with it, so an
 * encrypted key's passphrase is kept beside its bytes until the loop is
 * freed.  Whether a passphrase opens a key is told before any host is
 * reached: libssh2 derives the public key from the private one before it
 * sends anything, so a session that is never connected, and whose send
 * callback refuses, answers EAGAIN for a key it could read and an error
 * for one it could not.  An unencrypted ed25519 key is decoded once here
 * instead (ed25519.c), and signed with without libssh2 reading it.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RR_KEYFILE_MAX (1 << 20)
#define RR_PASSPHRASE_MAX 1024

static ssize_t refuse_io(libssh2_socket_t fd, void *buf, size_t len, int flags,
			 void **abstract)
{
	(void)fd, (void)buf, (void)len, (void)flags, (void)abstract;
	return -EAGAIN;
}

/* 0: libssh2 reads the key with passphrase; else its error. */
static int probe(const struct rr_keyfile *k, const char *passphrase)
{
	LIBSSH2_SESSION *s = libssh2_session_init();
	int rc;

	if (!s)
		return LIBSSH2_ERROR_ALLOC;
	/* Never the default callbacks: they would use fd 0. */
	libssh2_session_callback_set(s, LIBSSH2_CALLBACK_SEND, (void *)refuse_io);
	libssh2_session_callback_set(s, LIBSSH2_CALLBACK_RECV, (void *)refuse_io);
	libssh2_session_set_blocking(s, 0);
	rc = libssh2_userauth_publickey_frommemory(s, "-", 1, NULL, 0, k->data, k->len,
						   passphrase);
	libssh2_session_free(s);
	return rc == LIBSSH2_ERROR_EAGAIN ? 0 : rc;
}

/*
 * Encrypted: libssh2 says a passphrase is wanted (OpenSSH format), or a
 * PEM key says so in its header (OpenSSL's error for one does not).  ""
 * rather than NULL: OpenSSL would prompt on the terminal for NULL.
 */
static bool encrypted(const struct rr_keyfile *k)
{
	int rc = probe(k, "");

	return rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED ||
	       (rc != 0 && (strstr(k->data, "Proc-Type: 4,ENCRYPTED") ||
			    strstr(k->data, "BEGIN ENCRYPTED PRIVATE KEY")));
}

/* Its secrets wiped. */
static void keyfile_free(struct rr_keyfile *k)
{
	if (k->data)
		explicit_bzero(k->data, k->len);
	free(k->data);
	if (k->passphrase) {
		explicit_bzero(k->passphrase, strlen(k->passphrase));
		free(k->passphrase);
	}
	rr__ed25519_free(k->ed25519);
	free(k->path);
	free(k);
}

int rr__keyfile_get(struct rr_ssh *ssh, const char *path, struct rr_keyfile **out)
{
	struct rr_keyfile *k;
	int r;

	for (k = ssh->keyfiles; k; k = k->next) {
		if (strcmp(k->path, path) == 0) {
			*out = k;
			return 0;
		}
	}
	k = calloc(1, sizeof(*k));
	if (!k || !(k->path = strdup(path))) {
		free(k);
		return -ENOMEM;
	}
	r = rr__file_read(path, RR_KEYFILE_MAX, true, &k->data, &k->len);
	if (r < 0) {
		keyfile_free(k);
		return r;
	}
	r = rr__ed25519_parse(k->data, k->len, &k->ed25519);
	if (r == -ENOMEM) {
		keyfile_free(k);
		return r;
	}
	k->locked = !k->ed25519 && encrypted(k);
	k->next = ssh->keyfiles;
	ssh->keyfiles = k;
	*out = k;
	return 0;
}

/* The passphrase_cb's answer tried on k: kept when it opens it. */
static int try_passphrase(struct rr_host *h, struct rr_keyfile *k, char *buf)
{
	int n = -ENOKEY;

	RR_CALLBACK(h->loop, n = h->opts.passphrase_cb(h, k->path, buf, RR_PASSPHRASE_MAX,
							h->opts.cb_user));
	if (n < 0)
		return -ENOKEY; /* the program chose to go without it */
	if (n >= RR_PASSPHRASE_MAX) {
		rr__warn(h->loop, "identity %s: passphrase_cb returned %d, not a length "
			 "below %d", k->path, n, RR_PASSPHRASE_MAX);
		return -EINVAL;
	}
	buf[n] = '\0';
	if (probe(k, buf) != 0) {
		rr__warn(h->loop, "identity %s: the passphrase does not decrypt it",
			 k->path);
		return -EKEYREJECTED;
	}
	k->passphrase = strdup(buf);
	if (!k->passphrase)
		return -ENOMEM;
	k->locked = false;
	return 0;
}

int rr__keyfile_unlock(struct rr_host *h, struct rr_keyfile *k)
{
	char buf[RR_PASSPHRASE_MAX];
	int r;

	if (!k->locked)
		return 0;
	if (!h->opts.passphrase_cb) {
		if (!k->warned)
			rr__warn(h->loop, "identity %s: encrypted, and no passphrase_cb "
				 "to unlock it; skipped", k->path);
		k->warned = true; /* once, however many hosts skip it */
		return -ENOKEY;
	}
	r = try_passphrase(h, k, buf);
	explicit_bzero(buf, sizeof(buf));
	return r;
}

void rr__keyfiles_free(struct rr_ssh *ssh)
{
	while (ssh->keyfiles) {
		struct rr_keyfile *k = ssh->keyfiles;

		ssh->keyfiles = k->next;
		keyfile_free(k);
	}
}
