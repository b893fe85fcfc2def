/* --term-seq: SIG,MS,...,SIG[,MS] to the steps of a kill. */
#define _GNU_SOURCE /* sigabbrev_np */
#include "jobs/termseq.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A wait longer than a day is a typo. */
#define STEP_MS_MAX (24u * 3600 * 1000)

/* n decimal digits, no sign, up to max; -1 when not. */
static long long number(const char *s, size_t n, long long max)
{
	long long v = 0;

	if (!n)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		v = v * 10 + (s[k] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* "TERM", "SIGTERM", "term" or "15": the number, or 0. */
static int signal_of(const char *s, size_t n)
{
	long long v = number(s, n, NSIG - 1);

	if (v >= 0)
		return (int)v;
	if (n > 3 && strncasecmp(s, "SIG", 3) == 0) {
		s += 3;
		n -= 3;
	}
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && strlen(name) == n && strncasecmp(name, s, n) == 0)
			return sig;
	}
	return 0;
}

static const char *bad(const char *s, size_t n, char *item, size_t itemlen,
		       const char *why)
{
	snprintf(item, itemlen, "'%.*s'", (int)n, s);
	return why;
}

const char *termseq_parse(const char *s, struct termseq *q, char *item,
			  size_t itemlen)
{
	unsigned k = 0; /* items read */

	*q = (struct termseq){ 0 };
	for (const char *p = s;; k++) {
		size_t n = strcspn(p, ",");

		if (k % 2 == 0) {
			if (q->n == RR_KILL_SEQ_MAX)
				return bad(p, n, item, itemlen, "too many signals");
			q->step[q->n].sig = signal_of(p, n);
			if (!q->step[q->n++].sig)
				return bad(p, n, item, itemlen, "not a signal");
		} else {
			long long ms = number(p, n, STEP_MS_MAX);

			if (ms < 0)
				return bad(p, n, item, itemlen,
					   "not a wait in milliseconds (0-86400000)");
			q->step[q->n - 1].ms = (unsigned)ms;
		}
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}
