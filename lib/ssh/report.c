/*
 * report.c - the line a remote command prints before anything else: its
 * session id.  sshd makes every session's shell a session leader (setsid),
 * so $$ is the process group a remote stop signals (stop.c).  The line is
 * taken out of stdout here and never reaches the task's capture, lines or
 * chunks.  A login shell's rc file may print before it: such lines pass
 * through; a stream that shows no report within RR_REPORT_HOLD_MAX bytes
 * passes through whole, and its command cannot be signalled.
 */
#include "ssh/ssh.h"

#include <stdlib.h>
#include <string.h>

/* A control character first: no line of text begins so. */
#define RR_REPORT_MARK "\036ringrun-sid "
#define RR_REPORT_HOLD_MAX 8192

/* The mark's byte goes inside the quotes as it is: one copy of it. */
const char rr__report_command[] = "printf '" RR_REPORT_MARK "%d\\n' $$; ";

/* "123\n" or "123\r\n" (a pty) at p..end: the session id, or 0. */
static pid_t parse_sid(const char *p, const char *end)
{
	long v = 0;

	for (; p < end && *p >= '0' && *p <= '9' && v < 1 << 24; p++)
		v = v * 10 + (*p - '0');
	if (p < end && *p == '\r')
		p++;
	return p + 1 == end && v > 1 ? (pid_t)v : 0;
}

static void stop_holding(struct rr_report *r)
{
	free(r->held.data);
	r->held = (struct rr_buf){ 0 };
	r->done = true;
}

/* The report line of b[0..len) taken out, the rest given: false when it is
   not there (nothing given). */
static bool take(struct rr_report *r, const char *b, size_t len,
		 rr__report_give_fn *give, void *arg)
{
	size_t mark = sizeof(RR_REPORT_MARK) - 1, start = 0;
	const char *nl;

	while ((nl = memchr(b + start, '\n', len - start))) {
		size_t end = (size_t)(nl - b) + 1;

		if (end - start > mark && memcmp(b + start, RR_REPORT_MARK, mark) == 0) {
			r->sid = parse_sid(b + start + mark, b + end);
			r->done = true;
			if (start)
				give(arg, b, start);
			if (end < len)
				give(arg, b + end, len - end);
			return true;
		}
		start = end;
	}
	return false;
}

/* Usually the report is the first line of the first read: nothing is held. */
void rr__report_feed(struct rr_report *r, const char *p, size_t n,
		     rr__report_give_fn *give, void *arg)
{
	if (r->done) {
		give(arg, p, n);
		return;
	}
	if (!r->held.len && take(r, p, n, give, arg))
		return;
	if (rr__buf_append(&r->held, p, n) < 0) {
		rr__report_end(r, give, arg);
		give(arg, p, n);
		return;
	}
	if (r->held.len > n && take(r, r->held.data, r->held.len, give, arg))
		stop_holding(r);
	else if (r->held.len > RR_REPORT_HOLD_MAX)
		rr__report_end(r, give, arg);
}

void rr__report_end(struct rr_report *r, rr__report_give_fn *give, void *arg)
{
	if (r->done)
		return;
	if (r->held.len)
		give(arg, r->held.data, r->held.len);
	stop_holding(r);
}

void rr__report_free(struct rr_report *r)
{
	free(r->held.data);
	r->held = (struct rr_buf){ 0 };
}
