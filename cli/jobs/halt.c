/* --halt: the policy, and whether a run has reached it. */
#include "jobs/halt.h"

#include <string.h>

static const char *const whens[] = {
	[HALT_NEVER] = "never", [HALT_SOON] = "soon", [HALT_NOW] = "now",
};
static const char *const whats[] = {
	[HALT_FAIL] = "fail", [HALT_SUCCESS] = "success", [HALT_DONE] = "done",
};

/* s starts with one of names[0..n) followed by stop; its index or -1. */
static int prefix(const char *s, const char *const *names, int n, char stop,
		  const char **rest)
{
	for (int k = 0; k < n; k++) {
		size_t len = strlen(names[k]);

		if (strncmp(s, names[k], len) == 0 && s[len] == stop) {
			*rest = s + len + 1;
			return k;
		}
	}
	return -1;
}

/* N or N%: 1 and up, a percentage up to 100. */
static const char *parse_amount(const char *s, struct halt *h)
{
	uint64_t v = 0;
	const char *c = s;

	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - 9) / 10)
			return "out of range";
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (c == s)
		return "not a number after '='";
	h->percent = *c == '%';
	if (h->percent)
		c++;
	if (*c)
		return "junk after the number";
	if (v == 0 || (h->percent && v > 100))
		return "out of range";
	h->n = v;
	return NULL;
}

const char *halt_parse(const char *s, struct halt *h)
{
	static const char usage[] =
		"not a policy (never, soon|now,fail|success|done=N|N%)";
	const char *rest;
	int when, what;

	*h = (struct halt){ .when = HALT_NEVER, .what = HALT_FAIL, .n = 1, .spec = s };
	if (strcmp(s, "never") == 0 || strcmp(s, "0") == 0)
		return NULL;
	if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0) {
		h->when = s[0] == '1' ? HALT_SOON : HALT_NOW;
		return NULL;
	}
	when = prefix(s, whens + 1, 2, ',', &rest);
	if (when < 0)
		return usage;
	what = prefix(rest, whats, 3, '=', &rest);
	if (what < 0)
		return usage;
	h->when = (enum halt_when)(when + 1);
	h->what = (enum halt_what)what;
	return parse_amount(rest, h);
}

uint64_t halt_threshold(const struct halt *h, uint64_t total)
{
	uint64_t n = h->n;

	if (h->percent)
		n = total / 100 * n + (total % 100 * n + 99) / 100;
	return n ? n : 1;
}

static uint64_t counted(const struct halt *h, uint64_t ok, uint64_t failed)
{
	return h->what == HALT_FAIL ? failed : h->what == HALT_SUCCESS ? ok :
	       ok + failed;
}

bool halt_due(const struct halt *h, uint64_t total, uint64_t ok,
	      uint64_t failed)
{
	return h->when != HALT_NEVER &&
	       counted(h, ok, failed) >= halt_threshold(h, total);
}

void halt_describe(struct buf *b, const struct halt *h, uint64_t total,
		   uint64_t ok, uint64_t failed)
{
	static const char *const verbs[] = {
		[HALT_FAIL] = "failed", [HALT_SUCCESS] = "succeeded",
		[HALT_DONE] = "ended",
	};

	buf_printf(b, "--halt %s: %llu ", h->spec,
		   (unsigned long long)counted(h, ok, failed));
	if (total)
		buf_printf(b, "of %llu ", (unsigned long long)total);
	buf_printf(b, "tasks %s", verbs[h->what]);
}
