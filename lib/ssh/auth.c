/*
 * auth.c - user authentication as a resumable state machine: ask the server
 * which methods it takes, then offer the agent's keys, the identity files
 * (read into memory when the host was made, so no file is read on the loop),
 * then the password.  Each libssh2 call may return EAGAIN; it is called again
 * with the same arguments on the next kick.
 *
 * The agent is a local socket that libssh2 talks to synchronously through
 * our callbacks: the one blocking round trip the loop accepts.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool server_takes(const struct rr_auth *a, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = a->methods; p && *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == n && strncmp(p, method, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* Remember what was offered, "~/.ssh/id_ed25519" style, for the message. */
static void tried(struct rr_auth *a, const char *what)
{
	const char *home = getenv("HOME");
	size_t len = strlen(a->tried), hl = home ? strlen(home) : 0;

	if (hl > 1 && strncmp(what, home, hl) == 0 && what[hl] == '/')
		snprintf(a->tried + len, sizeof(a->tried) - len, "%s~%s",
			 len ? ", " : "", what + hl);
	else
		snprintf(a->tried + len, sizeof(a->tried) - len, "%s%s",
			 len ? ", " : "", what);
}

static int step_list(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;
	const char *user = c->host->user;
	char *list = libssh2_userauth_list(c->session, user, (unsigned)strlen(user));

	if (!list) {
		if (libssh2_userauth_authenticated(c->session))
			return 1; /* the server took "none" */
		if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
			return -EAGAIN;
		return -EPROTO;
	}
	a->methods = strdup(list);
	if (!a->methods)
		return -ENOMEM;
	a->stage = RR_AUTH_AGENT;
	return 0;
}

static bool agent_open(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;

	a->agent = libssh2_agent_init(c->session);
	if (!a->agent)
		return false;
	if (libssh2_agent_connect(a->agent) == 0 &&
	    libssh2_agent_list_identities(a->agent) == 0)
		return true;
	libssh2_agent_free(a->agent);
	a->agent = NULL;
	return false;
}

static int step_agent(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;
	int rc;

	if (!a->agent_listed) {
		a->agent_listed = true;
		if (c->host->opts.no_agent || !getenv("SSH_AUTH_SOCK") ||
		    !server_takes(a, "publickey") || !agent_open(c)) {
			a->stage = RR_AUTH_KEYS;
			return 0;
		}
		if (libssh2_agent_get_identity(a->agent, &a->identity, NULL) != 0) {
			a->stage = RR_AUTH_KEYS;
			return 0;
		}
		tried(a, "agent");
	}
	for (;;) {
		rc = libssh2_agent_userauth(a->agent, c->host->user, a->identity);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return -EAGAIN;
		if (rc == 0)
			return 1;
		if (libssh2_agent_get_identity(a->agent, &a->identity, a->identity) != 0) {
			a->stage = RR_AUTH_KEYS;
			return 0;
		}
	}
}

static int step_keys(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;
	struct rr_host *h = c->host;

	while (server_takes(a, "publickey") && a->key < h->nkeys) {
		const struct rr_keyfile *k = h->keys[a->key];
		int rc = k->ed25519 ?
			rr__ed25519_userauth(c->session, h->user, k->ed25519) :
			libssh2_userauth_publickey_frommemory(
				c->session, h->user, strlen(h->user), NULL, 0,
				k->data, k->len, k->passphrase);

		if (rc == LIBSSH2_ERROR_EAGAIN)
			return -EAGAIN;
		if (rc == 0)
			return 1;
		tried(a, k->path);
		a->key++;
	}
	a->stage = RR_AUTH_PASSWORD;
	return 0;
}

/* keyboard-interactive: the password answers every prompt. */
static void answer_prompts(const char *name, int name_len, const char *instruction,
			   int instruction_len, int num_prompts,
			   const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
			   LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	struct rr_conn *c = *abstract;

	(void)name, (void)name_len, (void)instruction, (void)instruction_len;
	(void)prompts;
	for (int i = 0; i < num_prompts; i++) {
		responses[i].text = strdup(c->host->password);
		responses[i].length = responses[i].text ?
					      (unsigned)strlen(responses[i].text) : 0;
	}
}

static int step_password(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;
	struct rr_host *h = c->host;
	unsigned ulen = (unsigned)strlen(h->user);
	int rc = LIBSSH2_ERROR_AUTHENTICATION_FAILED;

	if (h->password && server_takes(a, "password")) {
		rc = libssh2_userauth_password_ex(c->session, h->user, ulen, h->password,
						  (unsigned)strlen(h->password), NULL);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return -EAGAIN;
		if (rc != 0 && !strstr(a->tried, "password"))
			tried(a, "password");
	} else if (h->password && server_takes(a, "keyboard-interactive")) {
		rc = libssh2_userauth_keyboard_interactive_ex(c->session, h->user, ulen,
							      answer_prompts);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return -EAGAIN;
		if (rc != 0)
			tried(a, "keyboard-interactive");
	}
	if (rc == 0)
		return 1;
	a->stage = RR_AUTH_DONE;
	return -EACCES;
}

/*
 * 0: authenticated; -EAGAIN: call again; < 0: refused, with why (the
 * connection code fails the connection with it).
 */
int rr__auth_step(struct rr_conn *c, char *why, size_t size)
{
	struct rr_auth *a = &c->auth;
	int rc = 0;

	while (rc == 0) {
		switch (a->stage) {
		case RR_AUTH_LIST:
			rc = step_list(c);
			break;
		case RR_AUTH_AGENT:
			rc = step_agent(c);
			break;
		case RR_AUTH_KEYS:
			rc = step_keys(c);
			break;
		case RR_AUTH_PASSWORD:
			rc = step_password(c);
			break;
		case RR_AUTH_DONE:
			rc = -EACCES;
			break;
		}
	}
	if (rc == 1 || rc == -EAGAIN)
		return rc == 1 ? 0 : rc;
	if (rc == -EACCES)
		snprintf(why, size,
			 "authentication failed for user %s (tried %s; server takes %s)",
			 c->host->user, *a->tried ? a->tried : "nothing",
			 a->methods ? a->methods : "nothing");
	else
		snprintf(why, size, "authentication failed: %s", rr_strerror(rc));
	return rc;
}

void rr__auth_reset(struct rr_conn *c)
{
	struct rr_auth *a = &c->auth;

	if (a->agent) {
		libssh2_agent_disconnect(a->agent);
		libssh2_agent_free(a->agent);
	}
	free(a->methods);
	*a = (struct rr_auth){ 0 };
}
