/*
 * khparse.c - the known_hosts format, read as OpenSSH's ssh reads it
 * (hostfile.c, match.c, sshkey.c): one line into an entry, public keys into
 * the form in which ssh compares them, and whether an entry names a host.
 *
 * A line is "[@marker] hosts keytype base64-key [comment]".  The hosts are
 * either comma-separated patterns ('*', '?', a leading '!' negates) or one
 * hashed name "|1|base64(salt)|base64(HMAC-SHA1(salt, name))", which
 * libssh2 hashes a name against.  A key is checked for its form as ssh
 * checks it, except that an ECDSA point is not checked to lie on its curve
 * and a certificate's fields past its key are not read.
 */
#include "ssh/ssh.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- base64 */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Padded base64 of p[0..n) into out, NUL-terminated; its length. */
size_t rr__base64(const void *p, size_t n, char *out, size_t size)
{
	const unsigned char *d = p;
	size_t o = 0;

	assert(size > (n + 2) / 3 * 4);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) |
			     (i + 2 < n ? d[i + 2] : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/*
 * s[0..n) decoded into out (room for n * 3 / 4 bytes) as OpenSSH's b64_pton
 * decodes: whitespace skipped, the padding exact, no stray bits.  The
 * length, or -EINVAL.
 */
ssize_t rr__unbase64(const char *s, size_t n, unsigned char *out)
{
	size_t o = 0, chars = 0, pad = 0;
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_value(s[i]);

		if (isspace((unsigned char)s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad)
			return -EINVAL;
		chars++;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
	if (acc || (chars % 4 == 0 ? pad != 0 : chars % 4 == 1 ? true :
					     pad != 4 - chars % 4))
		return -EINVAL;
	return (ssize_t)o;
}

/* -------------------------------------------------------------- key forms */

/*
 * The key types ssh knows.  What follows the name in a key: 'k' an ed25519
 * key, 'c' the curve's name, 'q' a point on it, 'a' any string, 'm' an
 * mpint, 'n' an RSA modulus.  A certificate carries a nonce, then the fields
 * of the key it certifies.
 */
struct key_kind {
	const char *name;
	const char *alias_of;  /* another name of that type (rsa-sha2-256) */
	const char *certifies; /* a certificate: the type of its key */
	const char *alg;       /* libssh2's host key algorithm for it */
	const char *fields;
	const char *curve;
	size_t point;
};

static const struct key_kind kinds[] = {
	{ "ssh-ed25519", NULL, NULL, "ssh-ed25519", "k", NULL, 0 },
	{ "sk-ssh-ed25519@openssh.com", NULL, NULL, NULL, "ka", NULL, 0 },
	{ "ecdsa-sha2-nistp256", NULL, NULL, "ecdsa-sha2-nistp256", "cq", "nistp256", 65 },
	{ "ecdsa-sha2-nistp384", NULL, NULL, "ecdsa-sha2-nistp384", "cq", "nistp384", 97 },
	{ "ecdsa-sha2-nistp521", NULL, NULL, "ecdsa-sha2-nistp521", "cq", "nistp521", 133 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", NULL, NULL, NULL, "cqa", "nistp256", 65 },
	{ "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
	  "sk-ecdsa-sha2-nistp256@openssh.com", NULL, NULL, NULL, NULL, 0 },
	{ "ssh-rsa", NULL, NULL, "ssh-rsa", "mn", NULL, 0 },
	{ "rsa-sha2-256", "ssh-rsa", NULL, NULL, NULL, NULL, 0 },
	{ "rsa-sha2-512", "ssh-rsa", NULL, NULL, NULL, NULL, 0 },
	{ "ssh-dss", NULL, NULL, "ssh-dss", "mmmm", NULL, 0 },
	{ "ssh-ed25519-cert-v01@openssh.com", NULL, "ssh-ed25519", NULL, NULL, NULL, 0 },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", NULL, "sk-ssh-ed25519@openssh.com",
	  NULL, NULL, NULL, 0 },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", NULL, "ecdsa-sha2-nistp256",
	  NULL, NULL, NULL, 0 },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", NULL, "ecdsa-sha2-nistp384",
	  NULL, NULL, NULL, 0 },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", NULL, "ecdsa-sha2-nistp521",
	  NULL, NULL, NULL, 0 },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NULL,
	  "sk-ecdsa-sha2-nistp256@openssh.com", NULL, NULL, NULL, 0 },
	{ "ssh-rsa-cert-v01@openssh.com", NULL, "ssh-rsa", NULL, NULL, NULL, 0 },
	{ "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", NULL,
	  NULL, NULL, NULL, 0 },
	{ "rsa-sha2-512-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", NULL,
	  NULL, NULL, NULL, 0 },
	{ "ssh-dss-cert-v01@openssh.com", NULL, "ssh-dss", NULL, NULL, NULL, 0 },
};

/* The type called name[0..len), under the name it stands for; or NULL. */
static const struct key_kind *kind_named(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct key_kind *k = &kinds[i];

		if (strlen(k->name) != len || memcmp(k->name, name, len) != 0)
			continue;
		return k->alias_of ? kind_named(k->alias_of, strlen(k->alias_of)) : k;
	}
	return NULL;
}

/* SSH wire strings, read from a blob and written into the canonical one. */
struct wire {
	const unsigned char *p;
	size_t n;
};

struct out {
	unsigned char *p;
	size_t n, cap;
};

static bool get_string(struct wire *w, struct wire *s)
{
	size_t len;

	if (w->n < 4)
		return false;
	len = (size_t)w->p[0] << 24 | (size_t)w->p[1] << 16 | (size_t)w->p[2] << 8 | w->p[3];
	if (len > w->n - 4)
		return false;
	*s = (struct wire){ w->p + 4, len };
	w->p += 4 + len;
	w->n -= 4 + len;
	return true;
}

static void put_string(struct out *o, const void *p, size_t len)
{
	assert(o->n + 4 + len <= o->cap);
	o->p[o->n++] = (unsigned char)(len >> 24);
	o->p[o->n++] = (unsigned char)(len >> 16);
	o->p[o->n++] = (unsigned char)(len >> 8);
	o->p[o->n++] = (unsigned char)len;
	memcpy(o->p + o->n, p, len);
	o->n += len;
}

static bool wire_is(const struct wire *s, const char *text)
{
	return s->n == strlen(text) && memcmp(s->p, text, s->n) == 0;
}

/* Significant bits of an mpint whose leading zero bytes are gone. */
static size_t mpint_bits(const struct wire *m)
{
	size_t bits = m->n * 8;

	for (unsigned top = m->n ? m->p[0] : 0; bits && !(top & 0x80); top <<= 1)
		bits--;
	return bits;
}

/*
 * An mpint as ssh reads it (not negative, at most 16384 bits; leading zero
 * bytes dropped) and writes it back (a zero byte before a set top bit).
 */
static bool put_mpint(struct out *o, struct wire m, bool rsa_modulus)
{
	unsigned char buf[2049];

	if (m.n && (m.p[0] & 0x80))
		return false;
	while (m.n && !m.p[0]) {
		m.p++;
		m.n--;
	}
	if (m.n > 2048 || (rsa_modulus && mpint_bits(&m) < 1024))
		return false;
	buf[0] = 0;
	memcpy(buf + 1, m.p, m.n);
	if (m.n && (m.p[0] & 0x80))
		put_string(o, buf, m.n + 1);
	else
		put_string(o, m.p, m.n);
	return true;
}

/* The fields of a key of kind k, from w into o. */
static bool put_fields(struct out *o, struct wire *w, const struct key_kind *k)
{
	for (const char *f = k->fields; *f; f++) {
		struct wire s;

		if (!get_string(w, &s))
			return false;
		if ((*f == 'k' && s.n != 32) || (*f == 'c' && !wire_is(&s, k->curve)) ||
		    (*f == 'q' && (s.n != k->point || s.p[0] != 0x04)))
			return false;
		if (*f == 'm' || *f == 'n') {
			if (!put_mpint(o, s, *f == 'n'))
				return false;
		} else {
			put_string(o, s.p, s.n);
		}
	}
	return true;
}

/*
 * A public key blob into the form ssh compares: the plain key (a
 * certificate's: the key it certifies) under its type's own name, with
 * canonical mpints.  0, -EINVAL (not a key ssh would read) or -ENOMEM.
 */
int rr__hostkey_parse(const void *blob, size_t len, struct rr_hostkey *key)
{
	struct wire w = { blob, len }, name, nonce;
	const struct key_kind *k, *plain;
	struct out o = { NULL, 0, len };

	*key = (struct rr_hostkey){ 0 };
	if (!get_string(&w, &name) || !(k = kind_named((const char *)name.p, name.n)))
		return -EINVAL;
	plain = k->certifies ? kind_named(k->certifies, strlen(k->certifies)) : k;
	assert(plain && plain->fields);
	if (k->certifies && !get_string(&w, &nonce))
		return -EINVAL;
	if (!(o.p = malloc(o.cap)))
		return -ENOMEM;
	put_string(&o, plain->name, strlen(plain->name));
	if (!put_fields(&o, &w, plain) || (!k->certifies && w.n)) {
		free(o.p);
		return -EINVAL;
	}
	*key = (struct rr_hostkey){ .type = k->name, .alg = k->alg,
				    .cert = k->certifies != NULL, .blob = o.p,
				    .len = o.n };
	return 0;
}

/* ------------------------------------------------------------------ lines */

static char *skip_blanks(char *s)
{
	return s + strspn(s, " \t");
}

/*
 * "@cert-authority" or "@revoked", ended where ssh ends it: at the line's
 * first space, or its first tab if it has no space.  -1: a bad marker.
 */
static int marker(char **cp)
{
	char *sp;
	int m = RR_KH_KEY;

	if (**cp != '@')
		return m;
	if (!(sp = strchr(*cp, ' ')) && !(sp = strchr(*cp, '\t')))
		return -1;
	if ((size_t)(sp - *cp) == strlen("@revoked") && !strncmp(*cp, "@revoked", 8))
		m = RR_KH_REVOKED;
	else if ((size_t)(sp - *cp) == strlen("@cert-authority") &&
		 !strncmp(*cp, "@cert-authority", 15))
		m = RR_KH_CA;
	else
		return -1;
	*cp = skip_blanks(sp);
	return **cp == '@' ? -1 : m; /* one marker per line */
}

/* "|1|salt|hash", both 20 bytes: kept as libssh2's collection of one. */
static int hashed_name(char *hosts, LIBSSH2_SESSION *s, struct rr_khentry *e)
{
	unsigned char bytes[64];
	char *salt = hosts + 3, *hash;
	size_t salt_len;

	if (strncmp(hosts, "|1|", 3) != 0 || !(hash = strchr(salt, '|')))
		return -EINVAL;
	salt_len = (size_t)(hash - salt);
	if (!salt_len || salt_len > 64 || strlen(hash + 1) > 64 ||
	    rr__unbase64(salt, salt_len, bytes) != 20 ||
	    rr__unbase64(hash + 1, strlen(hash + 1), bytes) != 20)
		return -EINVAL;
	*hash++ = '\0';
	if (!(e->hashed = libssh2_knownhost_init(s)))
		return -ENOMEM;
	if (libssh2_knownhost_addc(e->hashed, hash, salt, "", 0, NULL, 0,
				   LIBSSH2_KNOWNHOST_TYPE_SHA1 |
				   LIBSSH2_KNOWNHOST_KEYENC_BASE64 |
				   LIBSSH2_KNOWNHOST_KEY_UNKNOWN, NULL) != 0)
		return -ENOMEM;
	return 0;
}

static int host_patterns(const char *hosts, struct rr_khentry *e)
{
	if (!(e->patterns = strdup(hosts)))
		return -ENOMEM;
	for (char *c = e->patterns; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return 0;
}

/* "keytype base64" at cp: the key, which must be of the type it claims. */
static int line_key(char *cp, struct rr_khentry *e, const char **why)
{
	size_t type_len = strcspn(cp, " \t"), blob_len;
	const struct key_kind *k = kind_named(cp, type_len);
	unsigned char *blob;
	ssize_t len;
	int r;

	*why = "no key";
	if (!cp[type_len])
		return -EINVAL;
	*why = "unknown key type";
	if (!k)
		return -EINVAL;
	cp = skip_blanks(cp + type_len);
	blob_len = strcspn(cp, " \t");
	*why = "no key";
	if (!blob_len)
		return -EINVAL;
	if (!(blob = malloc(blob_len / 4 * 3 + 3)))
		return -ENOMEM;
	*why = "the key is not base64";
	len = rr__unbase64(cp, blob_len, blob);
	r = len < 0 ? -EINVAL : rr__hostkey_parse(blob, (size_t)len, &e->key);
	free(blob);
	if (len >= 0)
		*why = "the key does not parse";
	if (r == 0 && e->key.type != k->name) {
		*why = "the key is not of the type it claims";
		r = -EINVAL;
	}
	return r;
}

/*
 * One line (NUL-terminated, without its newline) into e, which the caller
 * frees with rr__khentry_free whatever this returns.  1: an entry; 0: a
 * comment or a blank line; -EINVAL: a line ssh skips too (why says what is
 * wrong); -ENOMEM.
 */
int rr__khline_parse(char *line, LIBSSH2_SESSION *s, struct rr_khentry *e,
		     const char **why)
{
	char *cp = skip_blanks(line), *hosts;
	int m, r;

	*e = (struct rr_khentry){ 0 };
	if (!*cp || *cp == '#')
		return 0;
	*why = "unknown marker";
	if ((m = marker(&cp)) < 0)
		return -EINVAL;
	e->marker = (enum rr_khmarker)m;
	hosts = cp;
	cp += strcspn(cp, " \t");
	if (*cp)
		*cp++ = '\0';
	cp = skip_blanks(cp);
	*why = "no key";
	if (!*cp || *cp == '#')
		return -EINVAL;
	*why = "a bad hashed name";
	r = *hosts == '|' ? hashed_name(hosts, s, e) : host_patterns(hosts, e);
	if (r == 0)
		r = line_key(cp, e, why);
	return r < 0 ? r : 1;
}

void rr__khentry_free(struct rr_khentry *e)
{
	if (e->hashed)
		libssh2_knownhost_free(e->hashed);
	free(e->patterns);
	free(e->key.blob);
	*e = (struct rr_khentry){ 0 };
}

/* ---------------------------------------------------------------- matching */

/* s against p[0..pe): '*' any run, '?' any one character (match.c). */
static bool glob(const char *s, const char *p, const char *pe)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (p < pe && *p == '*') {
			star = ++p;
			resume = s;
		} else if (p < pe && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/*
 * Does e name the host called name (lowercase, "[host]:port" off port 22)?
 * A pattern list names it when one pattern matches and no negated one does.
 * 1, 0, or -ENOMEM.
 */
int rr__khentry_names(const struct rr_khentry *e, const char *name)
{
	bool positive = false;

	if (e->hashed) {
		int r = libssh2_knownhost_checkp(e->hashed, name, -1, "", 0,
						 LIBSSH2_KNOWNHOST_TYPE_PLAIN |
						 LIBSSH2_KNOWNHOST_KEYENC_BASE64, NULL);

		return r == LIBSSH2_KNOWNHOST_CHECK_FAILURE ? -ENOMEM :
		       r == LIBSSH2_KNOWNHOST_CHECK_MATCH;
	}
	for (const char *p = e->patterns; *p;) {
		bool negated = *p == '!';
		const char *start = p + negated, *end = start + strcspn(start, ",");

		if (end - start >= 1023) /* match.c gives up on the whole list */
			return 0;
		if (glob(name, start, end)) {
			if (negated)
				return 0;
			positive = true;
		}
		p = *end ? end + 1 : end;
	}
	return positive;
}
