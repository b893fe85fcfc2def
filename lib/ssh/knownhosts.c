/*
 * knownhosts.c - the host-key policy: what OpenSSH's ssh decides with
 * StrictHostKeyChecking=yes (strict) or accept-new, CheckHostIP=no
 * (sshconnect.c check_host_key, hostfile.c check_key_in_hostkeys).
 *
 * A known_hosts file is read once per loop (khparse.c reads its lines).  A
 * line that cannot be read is skipped with one warning for the file.  A
 * file that cannot be read, other than a missing one, refuses every key (ssh
 * would go on under accept-new): it may hold the very line that refuses it.
 * The host is looked up as "[host]:port" ("host" on port 22):
 * - a @revoked line for it with the server's key refuses the key - also
 *   one for the plain "host" on another port, where ssh would only take the
 *   key as new: a revoked key is never trusted again;
 * - a line with the key accepts it; lines with other keys only, whatever
 *   their type, mean it changed, refused under both policies.  ssh asks the
 *   server first for the types it knows, and so do we (rr__hostkey_prefer):
 *   a key of another type means the server has none of those any more;
 * - else, off port 22, a line for the plain "host" with the key accepts it
 *   (one with another key is not a change: ssh says the same);
 * - else the key is new: strict refuses it and accept-new appends
 *   "[host]:port type key" as ssh does - unless a @cert-authority line
 *   names the host.  ssh would then check the host's certificate, which
 *   libssh2 cannot even ask for: it sees the plain key.  Recording that key
 *   as new (what ssh does when a host shows no certificate) would turn
 *   trust in a CA into trust in whichever key came first, so both policies
 *   refuse it, saying why.
 * Messages give the key type and the SHA256 fingerprint as ssh prints them.
 */
#include "ssh/ssh.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rr_khfile {
	struct rr_khfile *next;
	char *path;
	int err;                  /* -errno: the file could not be read */
	unsigned lines;           /* it has: the number of one appended */
	LIBSSH2_SESSION *session; /* owns the hashed names' collections */
	struct rr_khentry *entries;
	size_t n, cap;
};

/* Past this a known_hosts file is refused rather than read into memory. */
#define RR_KNOWN_HOSTS_MAX ((size_t)256 << 20)

/* ---------------------------------------------------------------- reading */

static int add_entry(struct rr_khfile *f, const struct rr_khentry *e)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct rr_khentry *more = realloc(f->entries, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		f->entries = more;
		f->cap = cap;
	}
	f->entries[f->n++] = *e;
	return 0;
}

/* Every line of text[0..len) into f; one warning for those skipped. */
static int parse(rr_loop *loop, struct rr_khfile *f, char *text, size_t len)
{
	unsigned bad = 0, first_bad = 0;
	const char *first_why = NULL;

	for (char *line = text, *end = text + len; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		struct rr_khentry e;
		const char *why;
		int r;

		nl = nl ? nl : end;
		*nl = '\0';
		f->lines++;
		r = rr__khline_parse(line, f->session, &e, &why);
		if (r > 0) {
			e.line = f->lines;
			r = add_entry(f, &e);
		}
		if (r != 0)
			rr__khentry_free(&e);
		if (r == -ENOMEM)
			return r;
		if (r == -EINVAL && !bad++) {
			first_bad = f->lines;
			first_why = why;
		}
		line = nl + 1;
	}
	if (bad == 1)
		rr__warn(loop, "%s: line %u: cannot read it (%s); skipped", f->path,
			 first_bad, first_why);
	else if (bad)
		rr__warn(loop, "%s: line %u: cannot read it (%s); %u such lines skipped",
			 f->path, first_bad, first_why, bad);
	return 0;
}

/* The loop's copy of the file at path, read the first time it is asked for. */
static struct rr_khfile *khfile(struct rr_ssh *ssh, const char *path)
{
	struct rr_khfile *f;
	char *text;
	size_t len;

	for (f = ssh->khfiles; f; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path)) || !(f->session = libssh2_session_init())) {
		if (f)
			free(f->path);
		free(f);
		return NULL;
	}
	f->err = rr__file_read(path, RR_KNOWN_HOSTS_MAX, false, &text, &len);
	if (f->err == -ENOENT)
		f->err = 0; /* no file: every key is unknown */
	if (text)
		f->err = parse(ssh->loop, f, text, len);
	free(text);
	f->next = ssh->khfiles;
	ssh->khfiles = f;
	return f;
}

void rr__khfiles_free(struct rr_ssh *ssh)
{
	while (ssh->khfiles) {
		struct rr_khfile *f = ssh->khfiles;

		ssh->khfiles = f->next;
		for (size_t i = 0; i < f->n; i++)
			rr__khentry_free(&f->entries[i]);
		free(f->entries);
		libssh2_session_free(f->session);
		free(f->path);
		free(f);
	}
}

/* --------------------------------------------------------------- looking up */

/* The name ssh looks the host up by: lowercase, "[host]:port" off port 22. */
static char *khname(const struct rr_host *h, unsigned port)
{
	char *name;

	if (port == 22 ? asprintf(&name, "%s", h->hostname) < 0 :
			 asprintf(&name, "[%s]:%u", h->hostname, port) < 0)
		return NULL;
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return name;
}

enum kh_status { KH_NEW, KH_OK, KH_CHANGED };

/* What a file says of one name and key. */
struct lookup {
	enum kh_status status;
	const struct rr_khentry *found;   /* the line that made it OK or CHANGED */
	const struct rr_khentry *revoked; /* a @revoked line with the key */
	const struct rr_khentry *ca;      /* a @cert-authority line for the name */
};

static bool same_key(const struct rr_hostkey *a, const struct rr_hostkey *b)
{
	return a->len == b->len && memcmp(a->blob, b->blob, a->len) == 0;
}

static int lookup(const struct rr_khfile *f, const char *name,
		  const struct rr_hostkey *key, struct lookup *out)
{
	assert(!key->cert);
	*out = (struct lookup){ KH_NEW, NULL, NULL, NULL };
	for (size_t i = 0; i < f->n; i++) {
		const struct rr_khentry *e = &f->entries[i];
		int r = rr__khentry_names(e, name);
		bool equal;

		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		/* A revoked certificate revokes the key it certifies. */
		if (e->marker == RR_KH_REVOKED && !out->revoked && same_key(&e->key, key))
			out->revoked = e;
		if (e->marker == RR_KH_CA && !out->ca)
			out->ca = e;
		if (e->marker != RR_KH_KEY || out->status == KH_OK)
			continue;
		equal = !e->key.cert && same_key(&e->key, key);
		if (equal || out->status == KH_NEW) {
			out->status = equal ? KH_OK : KH_CHANGED;
			out->found = e;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- deciding */

/* "SHA256:" and unpadded base64 of the key's hash, as ssh prints it. */
static void fingerprint(struct rr_conn *c, char *out, size_t size)
{
	const char *hash = libssh2_hostkey_hash(c->session, LIBSSH2_HOSTKEY_HASH_SHA256);
	char b64[48];

	if (!hash) {
		snprintf(out, size, "SHA256:?");
		return;
	}
	rr__base64(hash, 32, b64, sizeof(b64));
	b64[strcspn(b64, "=")] = '\0';
	snprintf(out, size, "SHA256:%s", b64);
}

/* accept-new: the key appended as ssh appends it, and known from now on. */
static int record(struct rr_khfile *f, const char *name, const struct rr_hostkey *key)
{
	size_t b64 = (key->len + 2) / 3 * 4 + 1, n, skip;
	char *line = malloc(1 + strlen(name) + 1 + strlen(key->type) + 1 + b64 + 1);
	struct rr_khentry e = { .marker = RR_KH_KEY, .key = *key };
	struct stat st;
	char last = '\n';
	ssize_t w = 0;
	int fd;

	if (!line)
		return -ENOMEM;
	line[0] = '\n';
	n = 1 + (size_t)sprintf(line + 1, "%s %s ", name, key->type);
	n += rr__base64(key->blob, key->len, line + n, b64);
	line[n++] = '\n';
	fd = open(f->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(line);
		return -errno;
	}
	/* A last line without its newline gets one first, as ssh does. */
	if (fstat(fd, &st) < 0 ||
	    (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) < 0))
		w = -1;
	skip = last == '\n';
	if (w == 0)
		w = write(fd, line + skip, n - skip);
	w = w < 0 ? -errno : (size_t)w == n - skip ? 0 : -EIO;
	close(fd);
	free(line);
	if (w < 0)
		return (int)w;
	e.line = ++f->lines;
	/* Known from now on in this loop (when memory allows: it is recorded). */
	if ((e.key.blob = malloc(key->len)))
		memcpy(e.key.blob, key->blob, key->len);
	if (!e.key.blob || !(e.patterns = strdup(name)) || add_entry(f, &e) < 0)
		rr__khentry_free(&e);
	return 0;
}

/* What the file says of the key: known, and the line that says it. */
static int classify(struct rr_khfile *f, const char *name, const char *plain,
		    const struct rr_hostkey *key, struct rr_hostkey_info *info,
		    const struct rr_khentry **out)
{
	struct lookup a, b = { KH_NEW, NULL, NULL, NULL };
	const struct rr_khentry *revoked, *ca, *line = NULL;
	int r = lookup(f, name, key, &a);

	if (r == 0 && plain)
		r = lookup(f, plain, key, &b);
	if (r < 0)
		return r;
	revoked = a.revoked ? a.revoked : b.revoked;
	ca = a.ca ? a.ca : b.ca;
	if (revoked) {
		info->known = RR_KNOWN_REVOKED;
		line = revoked;
	} else if (a.status != KH_NEW) {
		info->known = a.status == KH_OK ? RR_KNOWN_MATCH : RR_KNOWN_CHANGED;
		line = a.found;
	} else if (b.status == KH_OK) {
		info->known = RR_KNOWN_MATCH;
		line = b.found;
	} else if (ca) {
		info->known = RR_KNOWN_CA;
		line = ca;
	} else {
		info->known = RR_KNOWN_NEW;
	}
	info->line = line ? line->line : 0;
	*out = line;
	return 0;
}

/* What the policy alone answers. */
static enum rr_hostkey_answer policy(enum rr_hostkey_policy p, enum rr_hostkey_known k)
{
	switch (k) {
	case RR_KNOWN_MATCH:
	case RR_KNOWN_OFF:
		return RR_HOSTKEY_ACCEPT;
	case RR_KNOWN_NEW:
		return p == RR_HOSTKEY_ACCEPT_NEW ? RR_HOSTKEY_RECORD : RR_HOSTKEY_REJECT;
	default:
		return RR_HOSTKEY_REJECT;
	}
}

/* Why the policy refused it; e is the line that says so. */
static void refusal(const struct rr_hostkey_info *i, const struct rr_khfile *f,
		    const struct rr_khentry *e, char *why, size_t size)
{
	const char *path = i->known_hosts;

	switch (i->known) {
	case RR_KNOWN_REVOKED:
		snprintf(why, size, "host key revoked: the server offers %s key %s, "
			 "marked @revoked in %s:%u", i->type, i->fingerprint, path, i->line);
		break;
	case RR_KNOWN_CHANGED:
		snprintf(why, size, "host key changed: the server offers %s key %s, "
			 "not the %s key in %s:%u (possible man-in-the-middle)", i->type,
			 i->fingerprint, e->key.type, path, i->line);
		break;
	case RR_KNOWN_CA:
		snprintf(why, size, "host key not checked: %s:%u trusts a certificate "
			 "authority for it, but host certificates cannot be checked "
			 "(%s key %s)", path, i->line, i->type, i->fingerprint);
		break;
	case RR_KNOWN_UNREADABLE:
		snprintf(why, size, "host key not checked: cannot read %s: %s", path,
			 strerror(-f->err));
		break;
	default:
		snprintf(why, size, "host key unknown: %s key %s is not in %s", i->type,
			 i->fingerprint, path);
	}
}

/* What the file said, as the message of a key the program refused says it. */
static const char *known_name(enum rr_hostkey_known k)
{
	static const char *const names[] = {
		[RR_KNOWN_MATCH] = "known_hosts has it",
		[RR_KNOWN_NEW] = "not in known_hosts",
		[RR_KNOWN_CHANGED] = "known_hosts has another key",
		[RR_KNOWN_REVOKED] = "revoked in known_hosts",
		[RR_KNOWN_CA] = "known_hosts has a @cert-authority for it",
		[RR_KNOWN_UNREADABLE] = "known_hosts unreadable",
		[RR_KNOWN_OFF] = "known_hosts not read",
	};

	assert((unsigned)k < sizeof(names) / sizeof(names[0]));
	return names[k];
}

/* The program's answer, final.  A value it does not have refuses the key. */
static enum rr_hostkey_answer ask(struct rr_host *h, const struct rr_hostkey_info *i)
{
	enum rr_hostkey_answer a = RR_HOSTKEY_REJECT;

	RR_CALLBACK(h->loop, a = h->opts.hostkey_cb(h, i, h->opts.cb_user));
	return a == RR_HOSTKEY_ACCEPT || a == RR_HOSTKEY_RECORD ? a : RR_HOSTKEY_REJECT;
}

/* The key, the file and the answer: 0 accepts it; < 0 refuses it, with why. */
static int decide(struct rr_conn *c, const struct rr_hostkey *key, const char *name,
		  const char *plain, char *why, size_t size)
{
	struct rr_host *h = c->host;
	struct rr_khfile *f = NULL;
	const struct rr_khentry *line = NULL;
	char fp[64];
	struct rr_hostkey_info info = {
		.type = key->type, .fingerprint = fp, .key = key->blob,
		.key_len = key->len, .known = RR_KNOWN_OFF,
		.known_hosts = h->opts.known_hosts,
	};
	enum rr_hostkey_answer answer;
	int r;

	fingerprint(c, fp, sizeof(fp));
	if (h->opts.hostkey != RR_HOSTKEY_OFF) {
		if (!(f = khfile(h->ssh, h->opts.known_hosts)))
			return -ENOMEM;
		if (f->err)
			info.known = RR_KNOWN_UNREADABLE;
		else if (classify(f, name, plain, key, &info, &line) < 0)
			return -ENOMEM;
	}
	info.policy = policy(h->opts.hostkey, info.known);
	answer = h->opts.hostkey_cb ? ask(h, &info) : info.policy;
	if (answer == RR_HOSTKEY_ACCEPT ||
	    (answer == RR_HOSTKEY_RECORD && info.known == RR_KNOWN_MATCH))
		return 0;
	if (answer == RR_HOSTKEY_REJECT) {
		if (h->opts.hostkey_cb)
			snprintf(why, size, "host key rejected by hostkey_cb: %s key %s "
				 "(%s)", key->type, fp, known_name(info.known));
		else
			refusal(&info, f, line, why, size);
		return -EACCES;
	}
	if (!f && !(f = khfile(h->ssh, h->opts.known_hosts)))
		return -ENOMEM;
	r = f->err ? f->err : record(f, name, key);
	if (r < 0)
		snprintf(why, size, "cannot record %s key %s in %s: %s", key->type, fp,
			 h->opts.known_hosts, strerror(-r));
	return r;
}

int rr__hostkey_check(struct rr_conn *c, char *why, size_t size)
{
	struct rr_host *h = c->host;
	struct rr_hostkey key;
	char *name = NULL, *plain = NULL;
	const char *blob;
	size_t len;
	int r;

	if (h->opts.hostkey == RR_HOSTKEY_OFF && !h->opts.hostkey_cb)
		return 0;
	blob = libssh2_session_hostkey(c->session, &len, NULL);
	r = blob ? rr__hostkey_parse(blob, len, &key) : -EPROTO;
	if (r < 0) {
		snprintf(why, size, "host key check failed: %s",
			 r == -ENOMEM ? "out of memory" : "no usable host key");
		return r == -ENOMEM ? r : -EPROTO;
	}
	if (!(name = khname(h, h->port)) || (h->port != 22 && !(plain = khname(h, 22))))
		r = -ENOMEM;
	else
		r = decide(c, &key, name, plain, why, size);
	if (r == -ENOMEM)
		snprintf(why, size, "host key not checked: out of memory");
	free(name);
	free(plain);
	free(key.blob);
	return r;
}

/*
 * Before the handshake: the host key algorithms in ssh's order, those of
 * the keys the file has for the host first (sshconnect2.c
 * order_hostkeyalgs), so that the server shows the key ssh would see.  On
 * failure libssh2 keeps its own order; the check still decides.
 */
void rr__hostkey_prefer(struct rr_conn *c)
{
	static const char *const order[] = {
		"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", "ssh-rsa", "ssh-dss",
	};
	enum { NALGS = sizeof(order) / sizeof(order[0]) };
	struct rr_host *h = c->host;
	bool known[NALGS] = { false };
	char list[128] = "";
	struct rr_khfile *f;
	char *name;

	if (h->opts.hostkey == RR_HOSTKEY_OFF ||
	    !(f = khfile(h->ssh, h->opts.known_hosts)) || f->err ||
	    !(name = khname(h, h->port)))
		return;
	for (size_t i = 0; i < f->n; i++) {
		const struct rr_khentry *e = &f->entries[i];

		if (e->marker != RR_KH_KEY || !e->key.alg || rr__khentry_names(e, name) != 1)
			continue;
		for (size_t k = 0; k < NALGS; k++)
			known[k] |= strcmp(e->key.alg, order[k]) == 0;
	}
	free(name);
	/* ssh keeps its own order when it knows a key of its first choice. */
	if (known[0])
		memset(known, 0, sizeof(known));
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < NALGS; k++)
			if (known[k] == !pass)
				snprintf(list + strlen(list), sizeof(list) - strlen(list),
					 "%s%s", *list ? "," : "", order[k]);
	libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY, list);
}
