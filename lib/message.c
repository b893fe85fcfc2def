/*
 * message.c - the words: status names, error text, and the one-line message
 * that names a task and says why it ended as it did.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RR_TITLE_SHOWN 100 /* longer commands are shortened in messages */

static const char *const status_names[] = {
	[RR_RUNNING] = "running",
	[RR_OK] = "ok",
	[RR_EXIT_NONZERO] = "exit",
	[RR_EXIT_UNEXPECTED] = "unexpected-exit",
	[RR_SIGNALED] = "signaled",
	[RR_TIMEOUT] = "timeout",
	[RR_IDLE_TIMEOUT] = "idle-timeout",
	[RR_SPAWN_FAILED] = "spawn-failed",
	[RR_CANCELLED] = "cancelled",
	[RR_ERROR] = "error",
	[RR_CONNECT_FAILED] = "connect-failed",
	[RR_HOSTKEY_REJECTED] = "hostkey-rejected",
	[RR_AUTH_FAILED] = "auth-failed",
	[RR_SSH_ERROR] = "ssh-error",
};

const char *rr_status_name(enum rr_status status)
{
	if ((unsigned)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[status];
}

bool rr_status_unreachable(enum rr_status status)
{
	return status == RR_CONNECT_FAILED || status == RR_HOSTKEY_REJECTED ||
	       status == RR_AUTH_FAILED;
}

const char *rr_strerror(int err)
{
	const char *s = strerrordesc_np(err < 0 ? -err : err);

	return s ? s : "Unknown error";
}

/* How the process ended, as a clause: "killed by SIGTERM", "exited with status 3". */
static void ending(const struct rr_task *t, char *buf, size_t size)
{
	int code = t->result.exit_code;
	const char *abbrev = code < 0 ? sigabbrev_np(-code) : NULL;

	if (t->host && t->chan.abandon)
		snprintf(buf, size, "channel abandoned (the server did not close it)");
	else if (code >= 0)
		snprintf(buf, size, "exited with status %d", code);
	else if (abbrev)
		snprintf(buf, size, "killed by SIG%s", abbrev);
	else
		snprintf(buf, size, "killed by signal %d", -code);
}

static double seconds(uint64_t ms)
{
	return (double)ms / 1000.0;
}

/* What the task is, before the cause: "host web7:22: " for a remote one. */
static size_t where(const struct rr_task *t, char *buf, size_t size)
{
	return t->host ? (size_t)snprintf(buf, size, "host %s: ", t->host->name) : 0;
}

void rr__message(struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	const char *name = t->is_exec && t->spawn_errno ? t->argv[0] : t->title;
	int shown = (int)strnlen(name, RR_TITLE_SHOWN);
	const char *more = name[shown] ? "..." : "";
	char how[64], *msg;
	size_t at, size;

	if (t->failed)
		return; /* written where it failed */
	at = where(t, t->message, sizeof(t->message));
	msg = t->message + at;
	size = sizeof(t->message) - at;
	ending(t, how, sizeof(how));
	switch (t->result.status) {
	case RR_RUNNING:
	case RR_OK:
	case RR_CONNECT_FAILED:
	case RR_HOSTKEY_REJECTED:
	case RR_AUTH_FAILED:
	case RR_SSH_ERROR:
		t->message[0] = '\0';
		return;
	case RR_SPAWN_FAILED:
		snprintf(msg, size, "spawn '%.*s%s': %s", shown,
			 name, more, rr_strerror(t->spawn_errno));
		return;
	case RR_EXIT_NONZERO:
	case RR_SIGNALED:
		snprintf(msg, size, "'%.*s%s' %s", shown, name,
			 more, how);
		return;
	case RR_EXIT_UNEXPECTED:
		snprintf(msg, size, "'%.*s%s' %s, expected %d",
			 shown, name, more, how, o->expect_exit);
		return;
	case RR_TIMEOUT:
		snprintf(msg, size, "'%.*s%s' timed out after %g s; %s",
			 shown, name, more, seconds(o->timeout_ms), how);
		return;
	case RR_IDLE_TIMEOUT:
		snprintf(msg, size, "'%.*s%s' wrote nothing for %g s; %s", shown, name, more,
			 seconds(o->idle_timeout_ms), how);
		return;
	case RR_CANCELLED:
		snprintf(msg, size, "'%.*s%s' cancelled%s%s",
			 shown, name, more, t->proc.reaped ? "; " : "",
			 t->proc.reaped ? how : "");
		return;
	case RR_ERROR:
		snprintf(msg, size, "'%.*s%s': exit status lost: %s",
			 shown, name, more,
			 t->proc.wait_err == -ECHILD ?
				 "another waiter reaped it (SIGCHLD ignored?)" :
				 rr_strerror(t->proc.wait_err));
		return;
	}
}
