/*
 * message.c - the words: status names, error text, and the one-line message
 * that names a task and says why it ended as it did.
 */
#include "task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* "'cmd'", or "'cmd...'" past RR_TITLE_SHOWN bytes. */
const char *rr__quoted_name(const char *name, char *buf, size_t size)
{
	int shown = (int)strnlen(name, RR_TITLE_SHOWN);

	snprintf(buf, size, "'%.*s%s'", shown, name, name[shown] ? "..." : "");
	return buf;
}

/* How the command ended, as a clause: "killed by SIGTERM", "exited with status 3". */
static void ending(const struct rr_task *t, char *buf, size_t size)
{
	int code = t->result.exit_code;
	const char *abbrev = code < 0 ? sigabbrev_np(-code) : NULL;
	const char *told = t->kind->ending(t);

	if (told)
		snprintf(buf, size, "%s", told);
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

/* The cause, after "'cmd' ": "timed out after 2 s; killed by SIGTERM". */
static int cause(const struct rr_task *t, const char *how, char **out)
{
	const struct rr_opts *o = &t->opts;

	switch (t->result.status) {
	case RR_EXIT_NONZERO:
	case RR_SIGNALED:
		return asprintf(out, "%s", how);
	case RR_EXIT_UNEXPECTED:
		return asprintf(out, "%s, expected %d", how, o->expect_exit);
	case RR_TIMEOUT:
		return asprintf(out, "timed out after %g s; %s", seconds(o->timeout_ms), how);
	case RR_IDLE_TIMEOUT:
		return asprintf(out, "wrote nothing for %g s; %s",
				seconds(o->idle_timeout_ms), how);
	case RR_CANCELLED:
		return asprintf(out, "cancelled%s%s", t->exited ? "; " : "",
				t->exited ? how : "");
	default:
		*out = NULL;
		return 0;
	}
}

/*
 * "host web7:22: 'cmd' timed out after 2 s; killed by SIGTERM": what the
 * task is (its kind says), the command, why it ended.  Never cut: a long
 * host name must not cost the cause.  NULL when it ended ok (or on ENOMEM).
 */
char *rr__message(const struct rr_task *t)
{
	char name[RR_TITLE_SHOWN + 8], how[128], *where, *why = NULL, *msg = NULL;
	size_t n;

	assert(!t->failed);
	if (t->result.status == RR_OK)
		return NULL;
	ending(t, how, sizeof(how));
	rr__quoted_name(t->title, name, sizeof(name));
	n = t->kind->describe(t, NULL, 0) + 1;
	where = malloc(n);
	if (where && cause(t, how, &why) >= 0 && why) {
		t->kind->describe(t, where, n);
		if (asprintf(&msg, "%s%s %s", where, name, why) < 0)
			msg = NULL;
	}
	free(where);
	free(why);
	return msg;
}
