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
};

const char *rr_status_name(enum rr_status status)
{
	if ((unsigned)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[status];
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

	if (code >= 0)
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

void rr__message(struct rr_task *t)
{
	const struct rr_opts *o = &t->opts;
	const char *name = t->is_exec && t->spawn_errno ? t->argv[0] : t->title;
	int shown = (int)strnlen(name, RR_TITLE_SHOWN);
	const char *more = name[shown] ? "..." : "";
	char how[64];

	ending(t, how, sizeof(how));
	switch (t->result.status) {
	case RR_RUNNING:
	case RR_OK:
		t->message[0] = '\0';
		return;
	case RR_SPAWN_FAILED:
		snprintf(t->message, sizeof(t->message), "spawn '%.*s%s': %s", shown,
			 name, more, rr_strerror(t->spawn_errno));
		return;
	case RR_EXIT_NONZERO:
	case RR_SIGNALED:
		snprintf(t->message, sizeof(t->message), "'%.*s%s' %s", shown, name,
			 more, how);
		return;
	case RR_EXIT_UNEXPECTED:
		snprintf(t->message, sizeof(t->message), "'%.*s%s' %s, expected %d",
			 shown, name, more, how, o->expect_exit);
		return;
	case RR_TIMEOUT:
		snprintf(t->message, sizeof(t->message), "'%.*s%s' timed out after %g s; %s",
			 shown, name, more, seconds(o->timeout_ms), how);
		return;
	case RR_IDLE_TIMEOUT:
		snprintf(t->message, sizeof(t->message),
			 "'%.*s%s' wrote nothing for %g s; %s", shown, name, more,
			 seconds(o->idle_timeout_ms), how);
		return;
	case RR_CANCELLED:
		snprintf(t->message, sizeof(t->message), "'%.*s%s' cancelled%s%s",
			 shown, name, more, t->proc.reaped ? "; " : "",
			 t->proc.reaped ? how : "");
		return;
	case RR_ERROR:
		snprintf(t->message, sizeof(t->message), "'%.*s%s': exit status lost: %s",
			 shown, name, more,
			 t->proc.wait_err == -ECHILD ?
				 "another waiter reaped it (SIGCHLD ignored?)" :
				 rr_strerror(t->proc.wait_err));
		return;
	}
}
