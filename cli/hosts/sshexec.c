/*
 * Commands through the system ssh: the argv for a host, and what the
 * result of such a task means.
 */
#include "hosts/sshexec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ssh's exit status when it failed itself: not reached, or not let in. */
#define SSH_FAILED 255

static void add(struct sshexec *x, const char *word)
{
	x->argv = xreallocarray(x->argv, x->n + 3, sizeof *x->argv);
	x->argv[x->n++] = xstrdup(word);
}

/* "-o Name=value", the value quoted as ssh's config parser reads it. */
static void add_option(struct sshexec *x, const char *name, const char *value)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s=", name);
	if (strpbrk(value, " \t\"'\\#")) {
		buf_addc(&b, '"');
		for (const char *c = value; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_addc(&b, '\\');
			buf_addc(&b, *c);
		}
		buf_addc(&b, '"');
	} else {
		buf_adds(&b, value);
	}
	add(x, "-o");
	add(x, b.data);
	buf_free(&b);
}

static const char *const policy_words[] = {
	[RR_HOSTKEY_STRICT] = "yes",
	[RR_HOSTKEY_ACCEPT_NEW] = "accept-new",
	[RR_HOSTKEY_OFF] = "no",
};

struct sshexec *sshexec_new(const struct options *o, const struct host_spec *s,
			    bool config_timeout, const char *name)
{
	struct sshexec *x = xcalloc(1, sizeof *x);
	const char *user = s->user ? s->user : o->user;
	unsigned port = s->port ? s->port : o->port;
	const char *host = s->target;
	struct buf b = BUF_INIT;

	add(x, "ssh");
	add(x, o->tty ? "-tt" : "-T"); /* --tty: a pty there too */
	add_option(x, "BatchMode", "yes");
	if (o->tty) /* errors, but not "Connection to web1 closed." */
		add_option(x, "LogLevel", "ERROR");
	if (o->ssh_config) {
		add(x, "-F");
		add(x, o->ssh_config);
	}
	if (user) {
		add(x, "-l");
		add(x, user);
	}
	if (port) {
		buf_printf(&b, "%u", port);
		add(x, "-p");
		add(x, b.data);
	}
	for (size_t k = 0; k < o->nidentities; k++) {
		add(x, "-i");
		add(x, o->identities[k]);
	}
	if (o->no_agent)
		add_option(x, "IdentityAgent", "none");
	if (o->hostkey_given)
		add_option(x, "StrictHostKeyChecking", policy_words[o->hostkey]);
	if (o->known_hosts)
		add_option(x, "UserKnownHostsFile", o->known_hosts);
	if (o->connect_timeout_given || !config_timeout) {
		buf_reset(&b);
		buf_printf(&b, "%llu", (unsigned long long)(o->connect_timeout_ms + 999) / 1000);
		add_option(x, "ConnectTimeout", b.data);
	}
	buf_free(&b);
	add(x, "--");
	if (host[0] == '[') { /* an IPv6 address: ssh takes it bare */
		buf_add(&b, host + 1, strlen(host) - 2);
		add(x, b.data);
		buf_free(&b);
	} else {
		add(x, host);
	}
	x->argv[x->n + 1] = NULL;
	x->name = xstrdup(name);
	return x;
}

const char *const *sshexec_argv(struct sshexec *x, const char *command)
{
	x->argv[x->n] = (char *)command;
	return (const char *const *)x->argv;
}

void sshexec_free(struct sshexec *x)
{
	if (!x)
		return;
	for (size_t k = 0; k < x->n; k++)
		free(x->argv[k]);
	free(x->argv);
	free(x->name);
	free(x);
}

struct ssh_task *ssh_task_new(void)
{
	return xcalloc(1, sizeof(struct ssh_task));
}

const struct buf *ssh_task_hold(struct ssh_task *t, const char *line,
				size_t len)
{
	struct buf was = t->shown;
	bool had = t->has_held;

	t->shown = t->held;
	t->held = was;
	buf_reset(&t->held);
	buf_add(&t->held, line, len);
	t->has_held = true;
	return had ? &t->shown : NULL;
}

const struct buf *ssh_task_held(const struct ssh_task *t)
{
	return t->has_held && !t->unreached ? &t->held : NULL;
}

/* s starts with prefix; where it ends, or NULL. */
static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/*
 * ssh's reason line[0..len) in the library's words: "ssh: connect to host
 * H port P: Connection refused" is "connection refused" (the failure line
 * names the host and port already), "ssh: Could not resolve hostname H:
 * WHY" is "name not found: WHY"; any other line is as ssh said it, without
 * its "ssh: ".
 */
static void add_reason(struct buf *b, const char *line, size_t len)
{
	struct buf l = BUF_INIT;
	const char *rest, *cause;

	buf_add(&l, line, len);
	if (!(rest = after(l.data, "ssh: ")))
		rest = l.data;
	if (after(rest, "connect to host ") && (cause = strstr(rest, ": ")) &&
	    cause[2]) {
		buf_addc(b, (char)tolower((unsigned char)cause[2]));
		buf_adds(b, cause + 3);
	} else if (after(rest, "Could not resolve hostname ") &&
		   (cause = strstr(rest, ": "))) {
		buf_printf(b, "name not found: %s", cause + 2);
	} else {
		buf_adds(b, rest);
	}
	buf_free(&l);
}

const struct rr_result *ssh_task_end(struct ssh_task *t,
				     const struct rr_result *r,
				     const char *host)
{
	t->result = *r;
	buf_reset(&t->message);
	if (r->status == RR_EXIT_NONZERO && r->exit_code == SSH_FAILED) {
		t->unreached = true;
		t->result.status = RR_CONNECT_FAILED;
		t->result.exit_code = 0;
		t->result.start_ns = 0;
		t->result.started = false;
		t->result.err = (struct rr_capture){ .data = "" };
		size_t len = t->has_held ? t->held.len : 0;

		while (len && (t->held.data[len - 1] == '\r' ||
			       t->held.data[len - 1] == ' '))
			len--; /* ssh ends its own lines with CR LF */
		buf_printf(&t->message, "host %s: ", host);
		if (len)
			add_reason(&t->message, t->held.data, len);
		else
			buf_adds(&t->message, "ssh exited with status 255");
	} else if (r->status != RR_OK) {
		buf_printf(&t->message, "host %s: %s", host, r->message);
	}
	if (r->status == RR_SPAWN_FAILED)
		t->result.start_ns = 0; /* no ssh, so no command either */
	t->result.message = t->message.len ? t->message.data : "";
	return &t->result;
}

void ssh_task_free(struct ssh_task *t)
{
	if (!t)
		return;
	buf_free(&t->held);
	buf_free(&t->shown);
	buf_free(&t->message);
	free(t);
}
