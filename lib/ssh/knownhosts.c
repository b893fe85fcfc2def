/*
 * knownhosts.c - the host-key policy.  A known_hosts file (OpenSSH format,
 * hashed names included) is read once per loop; each connection's key is
 * checked against it: strict accepts only a match, accept-new records an
 * unknown key (appending to the file, as ssh does), and a changed key is
 * always refused.  The message gives the key type and the SHA256
 * fingerprint as ssh prints them.
 *
 * The check asks only for entries of the key's own type, so a host known by
 * another type of key reads as unknown, not changed (notes §5).
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct key_type {
	int libssh2_type; /* LIBSSH2_HOSTKEY_TYPE_* */
	int known_bits;   /* LIBSSH2_KNOWNHOST_KEY_* */
	const char *name;
};

static const struct key_type key_types[] = {
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521" },
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa" },
	{ LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss" },
};

static const struct key_type *key_type(int type)
{
	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (key_types[i].libssh2_type == type)
			return &key_types[i];
	return NULL;
}

static struct rr_khfile *khfile(struct rr_ssh *ssh, const char *path)
{
	struct rr_khfile *f;

	for (f = ssh->khfiles; f; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path)) || !(f->session = libssh2_session_init()) ||
	    !(f->kh = libssh2_knownhost_init(f->session))) {
		if (f && f->session)
			libssh2_session_free(f->session);
		if (f)
			free(f->path);
		free(f);
		return NULL;
	}
	/* A missing file is an empty one: every key is unknown. */
	libssh2_knownhost_readfile(f->kh, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	f->next = ssh->khfiles;
	ssh->khfiles = f;
	return f;
}

void rr__khfiles_free(struct rr_ssh *ssh)
{
	while (ssh->khfiles) {
		struct rr_khfile *f = ssh->khfiles;

		ssh->khfiles = f->next;
		libssh2_knownhost_free(f->kh);
		libssh2_session_free(f->session);
		free(f->path);
		free(f);
	}
}

/* "SHA256:" and unpadded base64 of the key's hash, as ssh prints it. */
static void fingerprint(struct rr_conn *c, char *out, size_t size)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *h = (const unsigned char *)libssh2_hostkey_hash(
		c->session, LIBSSH2_HOSTKEY_HASH_SHA256);
	size_t n = (size_t)snprintf(out, size, "SHA256:");

	for (int i = 0; h && i < 32 && n + 4 < size; i += 3) {
		unsigned v = (unsigned)h[i] << 16 | (i + 1 < 32 ? h[i + 1] << 8 : 0) |
			     (i + 2 < 32 ? h[i + 2] : 0);

		out[n++] = b64[v >> 18 & 63];
		out[n++] = b64[v >> 12 & 63];
		if (i + 1 < 32)
			out[n++] = b64[v >> 6 & 63];
		if (i + 2 < 32)
			out[n++] = b64[v & 63];
	}
	out[n] = '\0';
}

/* accept-new: add the key and append its line, "[host]:port" off port 22. */
static int record(struct rr_conn *c, struct rr_khfile *f, const char *key,
		  size_t len, int mask)
{
	struct rr_host *h = c->host;
	struct libssh2_knownhost *entry;
	char name[300], line[4096];
	size_t out;
	int fd, r;

	if (h->port == 22)
		snprintf(name, sizeof(name), "%s", h->hostname);
	else
		snprintf(name, sizeof(name), "[%s]:%u", h->hostname, h->port);
	if (libssh2_knownhost_addc(f->kh, name, NULL, key, len, NULL, 0, mask, &entry) ||
	    libssh2_knownhost_writeline(f->kh, entry, line, sizeof(line), &out,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH))
		return -EINVAL;
	fd = open(h->opts.known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write(fd, line, out) == (ssize_t)out ? 0 : -EIO;
	close(fd);
	return r;
}

/*
 * 0: the key is accepted; < 0: refused, with why (the connection code fails
 * the connection with it).
 */
int rr__hostkey_check(struct rr_conn *c, char *why, size_t size)
{
	struct rr_host *h = c->host;
	enum rr_hostkey_policy policy = h->opts.hostkey;
	const struct key_type *kt;
	struct libssh2_knownhost *entry;
	struct rr_khfile *f;
	char fp[64];
	size_t len;
	int type, mask, r;
	const char *key;

	if (policy == RR_HOSTKEY_OFF)
		return 0;
	key = libssh2_session_hostkey(c->session, &len, &type);
	kt = key_type(type);
	f = khfile(h->ssh, h->opts.known_hosts);
	if (!key || !kt || !f) {
		snprintf(why, size, "host key check failed: %s",
			 !f ? "out of memory" : "no usable host key");
		return !f ? -ENOMEM : -EPROTO;
	}
	fingerprint(c, fp, sizeof(fp));
	mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kt->known_bits;
	r = libssh2_knownhost_checkp(f->kh, h->hostname, (int)h->port, key, len, mask,
				     &entry);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return 0;
	if (r == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND && policy == RR_HOSTKEY_ACCEPT_NEW) {
		if (record(c, f, key, len, mask) == 0)
			return 0;
		snprintf(why, size, "cannot record %s key %s in %s", kt->name, fp,
			 h->opts.known_hosts);
		return -EIO;
	}
	if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
		snprintf(why, size,
			 "host key changed: the server offers %s key %s, not the "
			 "key %s has for it (possible man-in-the-middle)",
			 kt->name, fp, h->opts.known_hosts);
	else
		snprintf(why, size, "host key unknown: %s key %s is not in %s",
			 kt->name, fp, h->opts.known_hosts);
	return -EACCES;
}
