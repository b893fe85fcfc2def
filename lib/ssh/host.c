/*
 * host.c - a remote host: who to log in as, where, with which keys, and the
 * queue of its tasks waiting for a channel.  Everything that would block the
 * loop - name resolution, reading identity and password files - happens here,
 * once, before the loop needs it.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RR_PASSWORD_FILE_MAX (1 << 20)

const char *rr__home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_dir : "/";
}

const char *const rr__default_identities[] = { "~/.ssh/id_ed25519",
						 "~/.ssh/id_ecdsa", NULL };

char *rr__path_in_home(const char *rel)
{
	char *p;

	return asprintf(&p, "%s/%s", rr__home_dir(), rel) < 0 ? NULL : p;
}

static int add_key(struct rr_host *h, struct rr_keyfile *k)
{
	void *v = realloc(h->keys, (h->nkeys + 1) * sizeof(*h->keys));

	if (!v)
		return -ENOMEM;
	h->keys = v;
	h->keys[h->nkeys++] = k;
	return 0;
}

/* k offered, once unlocked; an encrypted key not unlocked is skipped. */
static int use_key(struct rr_host *h, struct rr_keyfile *k)
{
	int r = rr__keyfile_unlock(h, k);

	if (r == -ENOKEY)
		return 0;
	return r < 0 ? r : add_key(h, k);
}

/* Given identities must be readable; the defaults are used where they exist. */
static int load_identities(struct rr_host *h, const char *const *given)
{
	struct rr_keyfile *k;
	int r = 0;

	for (size_t i = 0; given && given[i] && r == 0; i++) {
		r = rr__keyfile_get(h->ssh, given[i], &k);
		if (r == 0)
			r = use_key(h, k);
	}
	for (size_t i = 0; !given && rr__default_identities[i] && r == 0; i++) {
		char *path = rr__path_in_home(rr__default_identities[i] + 2);

		if (!path)
			return -ENOMEM;
		if (rr__keyfile_get(h->ssh, path, &k) == 0)
			r = use_key(h, k);
		free(path);
	}
	return r;
}

/* At most one source (rr_host_new checked): copied here, wiped when freed. */
static int load_password(struct rr_host *h, const struct rr_host_opts *o)
{
	size_t len;
	char *data;
	int r;

	if (o->password) {
		h->password = strdup(o->password);
		return h->password ? 0 : -ENOMEM;
	}
	if (o->password_env) {
		const char *v = getenv(o->password_env);

		if (!v)
			return -ENOENT;
		h->password = strdup(v);
		return h->password ? 0 : -ENOMEM;
	}
	if (!o->password_file)
		return 0;
	r = rr__file_read(o->password_file, RR_PASSWORD_FILE_MAX, true, &data, &len);
	if (r < 0)
		return r;
	data[strcspn(data, "\r\n")] = '\0';
	h->password = data;
	return 0;
}

/* Blocking, and done here for that reason: never on the loop. */
static void resolve(struct rr_host *h)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char port[8];

	snprintf(port, sizeof(port), "%u", h->port);
	h->resolve_err = getaddrinfo(h->hostname, port, &hints, &res);
	if (h->resolve_err)
		return;
	memcpy(&h->addr, res->ai_addr, res->ai_addrlen);
	h->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
}

const char *rr__current_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *env = getenv("USER");

	return pw ? pw->pw_name : (env ? env : "root");
}

static void host_destroy(struct rr_host *h)
{
	rr__conn_close(&h->conn);
	rr__deadline_unreserve(h->loop, 2);
	if (h->prev)
		h->prev->next = h->next;
	else
		h->ssh->hosts = h->next;
	if (h->next)
		h->next->prev = h->prev;
	if (h->password) {
		explicit_bzero(h->password, strlen(h->password));
		free(h->password);
	}
	free(h->keys);
	free(h->name);
	free(h->hostname);
	free(h->user);
	free((char *)h->opts.known_hosts);
	free(h);
}

/* "web7:22", or with an alias "h7 (10.0.0.7:22)": how messages name it. */
static int make_name(struct rr_host *h, const char *alias)
{
	char *where;

	if (asprintf(&where, "%s%s%s:%u", h->addr6 ? "[" : "", h->hostname,
		     h->addr6 ? "]" : "", h->port) < 0)
		return -ENOMEM;
	if (!alias || strcmp(alias, h->hostname) == 0) {
		h->name = where;
		return 0;
	}
	if (asprintf(&h->name, "%s (%s)", alias, where) < 0)
		h->name = NULL;
	free(where);
	return h->name ? 0 : -ENOMEM;
}

static int host_init(struct rr_host *h, const struct rr_host_spec *sp,
		     const struct rr_host_opts *o)
{
	int r;

	h->opts = *o;
	h->port = o->port ? o->port : (sp->port ? sp->port : 22);
	h->user = o->user ? strdup(o->user) :
		  sp->user ? strndup(sp->user, sp->user_len) : strdup(rr__current_user());
	h->opts.known_hosts = o->known_hosts ? strdup(o->known_hosts) :
					       rr__path_in_home(RR__DEFAULT_KNOWN_HOSTS);
	h->opts.identities = NULL;
	h->opts.password_file = h->opts.password_env = h->opts.user = NULL;
	h->opts.password = NULL; /* h->password holds the copy */
	h->opts.alias = NULL;
	if (!h->opts.connect_timeout_ms)
		h->opts.connect_timeout_ms = 10000;
	if (!h->opts.auth_timeout_ms)
		h->opts.auth_timeout_ms = 30000;
	if (!h->opts.channels)
		h->opts.channels = RR_HOST_CHANNELS_DEFAULT;
	if (!h->user || !h->opts.known_hosts || make_name(h, o->alias) < 0)
		return -ENOMEM;
	r = load_identities(h, o->identities);
	if (r == 0)
		r = load_password(h, o);
	return r;
}

/* A user or a host given apart from a spec obeys the spec's rules. */
const char *rr__word_refused(const char *s, bool user)
{
	struct rr_host_spec sp;
	const char *why = NULL;
	char *spec;

	if (asprintf(&spec, user ? "%s@h" : "%s", s) < 0)
		return "out of memory";
	if (rr_host_spec_parse(spec, strlen(spec), &sp, &why) == 0 &&
	    (user ? sp.user_len != strlen(s) : sp.user || sp.port))
		why = user ? "a user name cannot hold '@'" :
			     "a host name cannot hold a user or a port";
	free(spec);
	return why;
}

static bool valid_word(const char *s, bool user)
{
	return !s || !rr__word_refused(s, user);
}

rr_host *rr_host_new(rr_loop *loop, const char *spec,
		     const struct rr_host_opts *opts)
{
	struct rr_host_opts o;
	struct rr_host_spec sp;
	struct rr_ssh *ssh;
	struct rr_host *h;
	int r;

	r = rr__sized_copy(&o, sizeof o, RR_HOST_OPTS_VER0, opts);
	if (r < 0) {
		errno = -r;
		return NULL;
	}

	if (!loop || !spec || (unsigned)o.hostkey > RR_HOSTKEY_OFF ||
	    rr_host_spec_parse(spec, strlen(spec), &sp, NULL) < 0 ||
	    !valid_word(o.user, true) || !valid_word(o.alias, false) ||
	    o.port > 65535 ||
	    !!o.password + !!o.password_file + !!o.password_env > 1) {
		errno = EINVAL;
		return NULL;
	}
	ssh = rr__ssh_of(loop);
	if (!ssh)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->hostname = strndup(sp.host, sp.host_len)) ||
	    rr__deadline_reserve(loop, 2) < 0) { /* the connection's two */
		if (h)
			free(h->hostname);
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	h->loop = loop;
	h->ssh = ssh;
	h->addr6 = sp.brackets;
	h->conn.host = h;
	h->conn.fd = -1;
	h->next = ssh->hosts;
	if (ssh->hosts)
		ssh->hosts->prev = h;
	ssh->hosts = h;
	r = host_init(h, &sp, &o);
	if (r < 0) {
		host_destroy(h);
		errno = -r;
		return NULL;
	}
	resolve(h);
	return h;
}

const char *rr_host_name(const rr_host *h)
{
	return h ? h->name : NULL;
}

/* A freed host goes when no task refers to it and the ring holds nothing. */
void rr__host_maybe_free(struct rr_host *h)
{
	if (h->freed && h->refs == 0 && h->conn.inflight == 0 &&
	    h->conn.state != RR_CONN_DRAIN)
		host_destroy(h);
}

void rr__host_unref(struct rr_host *h)
{
	assert(h->refs > 0);
	h->refs--;
	rr__host_maybe_free(h);
}

/* Give back the ref rr_host_free took, once: h may be gone. */
void rr__host_let_go(struct rr_host *h)
{
	if (!h->held)
		return;
	h->held = false;
	rr__host_unref(h);
}

void rr_host_free(rr_host *h)
{
	struct rr_task *t;

	if (!h || h->freed)
		return;
	h->freed = true;
	while ((t = rr__queue_pop(&h->queue)))
		rr__task_end(t, RR_CANCELLED, "host %s: cancelled: host freed", h->name);
	/* Running tasks end, with their callbacks, on the loop's turn. */
	h->refs++; /* held until that turn, or until its last kills went out */
	h->held = true;
	rr__conn_poke(&h->conn);
}

/* rr_loop_free: the ring is gone, so every host goes now. */
void rr__hosts_free(struct rr_ssh *ssh)
{
	while (ssh->hosts)
		host_destroy(ssh->hosts);
	rr__keyfiles_free(ssh);
	rr__khfiles_free(ssh);
}
