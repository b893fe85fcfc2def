/*
 * rr_host_spec_parse, the one "[user@]host[:port]" parser: it never
 * crashes; what it takes can never become an option of another program
 * and writes back into a spec it parses the same; what it refuses names a
 * byte of the spec, or its end.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringrun.h>

static int host_char(char c, int v6)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       (v6 && (c == ':' || c == '%'));
}

/* What it took: within the spec, and nothing another program reads as
   an option or a second word. */
static void check_taken(const char *s, size_t len, const struct rr_host_spec *p)
{
	for (size_t k = 0; k < len; k++)
		assert((unsigned char)s[k] > ' ' && s[k] != 0x7f);
	assert(p->host >= s && p->host + p->host_len <= s + len);
	assert(p->host_len && p->host[0] != '-');
	for (size_t k = 0; k < p->host_len; k++)
		assert(host_char(p->host[k], p->brackets));
	if (p->user) {
		assert(p->user == s && p->user_len && p->user[0] != '-');
		assert(p->user[p->user_len] == '@');
	}
	assert(p->port <= 65535);
}

/* Written back as "[user@]host[:port]", it parses the same. */
static void check_round_trip(const struct rr_host_spec *p)
{
	size_t cap = p->user_len + p->host_len + 16;
	char *s = malloc(cap);
	struct rr_host_spec q;
	int n;

	assert(s);
	n = snprintf(s, cap, "%.*s%s%s%.*s%s", (int)p->user_len,
		     p->user ? p->user : "", p->user ? "@" : "",
		     p->brackets ? "[" : "", (int)p->host_len, p->host,
		     p->brackets ? "]" : "");
	if (p->port)
		n += snprintf(s + n, cap - (size_t)n, ":%u", p->port);
	assert(rr_host_spec_parse(s, (size_t)n, &q, NULL) == 0);
	assert(q.user_len == p->user_len && !q.user == !p->user);
	assert(!p->user || memcmp(q.user, p->user, p->user_len) == 0);
	assert(q.host_len == p->host_len);
	assert(memcmp(q.host, p->host, p->host_len) == 0);
	assert(q.port == p->port && q.brackets == p->brackets);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Its own allocation, so that a read past the end is caught. */
	char *s = malloc(size ? size : 1);
	struct rr_host_spec p;
	const char *why = NULL;

	assert(s);
	memcpy(s, data, size);
	if (rr_host_spec_parse(s, size, &p, &why) == 0) {
		check_taken(s, size, &p);
		check_round_trip(&p);
	} else {
		/* The end itself for what is missing there ("web:"). */
		assert(why && *why);
		assert(p.error_at <= size);
		if (strcmp(why, "cannot be in a host name") == 0)
			assert(!host_char(s[p.error_at], p.brackets));
	}
	free(s);
	return 0;
}
