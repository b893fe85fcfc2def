/*
 * orphan.c - channels whose task has ended but whose session the server
 * still holds: abandoned after a kill's graces (a process the command left
 * keeps its output open), the control channel's old ones, commands of a
 * freed host that have yet to report their session (killed when they do).
 * Each is closed and freed once the server has closed it, and counts
 * against the connection's channel limit until then.
 */
#include "ssh/ssh.h"

#include <stdlib.h>

static void nowhere(void *arg, const char *p, size_t n)
{
	(void)arg, (void)p, (void)n;
}

/* One whose command has yet to report: stopped when it does. */
static void orphan_read(struct rr_conn *c, struct rr_orphan *o)
{
	char *buf = c->host->loop->drain;
	ssize_t n;

	while (!o->report.done &&
	       (n = libssh2_channel_read(o->ch, buf, RR_DRAIN_SIZE)) > 0)
		rr__report_feed(&o->report, buf, (size_t)n, nowhere, NULL);
	if (!o->report.done && libssh2_channel_eof(o->ch))
		rr__report_end(&o->report, nowhere, NULL);
	if (o->report.done && o->kill_sig) {
		if (o->report.sid)
			rr__stop_signal(c, o->report.sid, o->kill_sig, false);
		o->kill_sig = 0;
	}
}

void rr__orphans_step(struct rr_conn *c)
{
	struct rr_orphan **pp = &c->orphans;

	while (*pp) {
		struct rr_orphan *o = *pp;

		if (o->kill_sig)
			orphan_read(c, o);
		if (o->kill_sig || libssh2_channel_free(o->ch) == LIBSSH2_ERROR_EAGAIN) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		assert(c->norphans > 0);
		c->norphans--;
		rr__report_free(&o->report);
		free(o);
	}
}

bool rr__orphans_waiting(const struct rr_conn *c)
{
	for (const struct rr_orphan *o = c->orphans; o; o = o->next)
		if (o->kill_sig)
			return true;
	return false;
}

/* The session frees what is left of them. */
void rr__orphans_free(struct rr_conn *c)
{
	while (c->orphans) {
		struct rr_orphan *o = c->orphans;

		c->orphans = o->next;
		rr__report_free(&o->report);
		free(o);
	}
	c->norphans = 0;
}

/* ch is the connection's to close now; kill_sig goes to its command's group
   when it reports (report: what was read of its stdout so far). */
void rr__orphan_adopt(struct rr_conn *c, LIBSSH2_CHANNEL *ch, struct rr_report report,
		      int kill_sig)
{
	struct rr_orphan *o = malloc(sizeof(*o));

	if (!o) { /* then the session frees it */
		rr__report_free(&report);
		return;
	}
	*o = (struct rr_orphan){ .next = c->orphans, .ch = ch, .report = report,
				 .kill_sig = report.done ? 0 : kill_sig };
	c->orphans = o;
	c->norphans++;
}

/* A channel with no command of ours left to stop. */
void rr__orphan_channel(struct rr_conn *c, LIBSSH2_CHANNEL *ch)
{
	rr__orphan_adopt(c, ch, (struct rr_report){ .done = true }, 0);
}
