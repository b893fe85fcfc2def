/*
 * spec.c - the "[user@]host[:port]" grammar, the one parser of it: the
 * library's hosts and the command line's host lists both go through here.
 *
 * A spec never becomes an option of another program (ssh with --ssh=exec,
 * a ProxyCommand): a leading '-' in the user or the host, spaces and
 * control characters are refused, and a host name is letters, digits,
 * '-', '.' and '_' (an IPv6 address also ':' and a "%zone").
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <string.h>

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static const char *bad_char(const char *s, size_t len, bool v6)
{
	for (const char *c = s; c < s + len; c++)
		if (!is_alnum(*c) && *c != '-' && *c != '.' && *c != '_' &&
		    !(v6 && (*c == ':' || *c == '%')))
			return c;
	return NULL;
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;

	for (size_t k = 0; k < len; k++)
		n += s[k] == c;
	return n;
}

/* 1..65535, digits only; 0 when it is not. */
static unsigned parse_port(const char *s, size_t len)
{
	unsigned v = 0;

	if (!len || len > 5)
		return 0;
	for (size_t k = 0; k < len; k++) {
		if (s[k] < '0' || s[k] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[k] - '0');
	}
	return v <= 65535 ? v : 0;
}

/* Spaces and control characters anywhere; the last '@' ends the user. */
static const char *scan(const char *s, size_t len, const char **at,
			struct rr_host_spec *out)
{
	*at = NULL;
	for (const char *q = s; q < s + len; q++) {
		out->error_at = (size_t)(q - s);
		if (*q == ' ' || *q == '\t')
			return "contains a space";
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return "contains a control character";
		if (*q == '@')
			*at = q;
	}
	return NULL;
}

/* The host part, h[0..len): "[addr]:port", a bare IPv6 address, "name:port". */
static const char *split_host(const char *h, size_t len, struct rr_host_spec *out)
{
	const char *end = h + len, *port = NULL;

	if (len && *h == '[') {
		const char *close = memchr(h, ']', len);

		if (!close)
			return "missing ']'";
		if (close + 1 < end && close[1] != ':')
			return "text after ']'";
		out->host = h + 1;
		out->host_len = (size_t)(close - out->host);
		port = close + 1 < end ? close + 2 : NULL;
		out->brackets = true;
	} else if (count_char(h, len, ':') > 1) {
		out->host = h; /* as ssh takes it: an address, no port */
		out->host_len = len;
		out->brackets = true;
	} else {
		const char *colon = memchr(h, ':', len);

		out->host = h;
		out->host_len = (size_t)((colon ? colon : end) - h);
		port = colon ? colon + 1 : NULL;
	}
	if (port && !(out->port = parse_port(port, (size_t)(end - port)))) {
		out->error_at = (size_t)(port - h);
		return "port must be 1 to 65535";
	}
	return NULL;
}

int rr_host_spec_parse(const char *spec, size_t len, struct rr_host_spec *out,
		       const char **why)
{
	const char *at, *h, *bad, *dummy;

	if (!why)
		why = &dummy;
	*why = "no spec";
	if (!spec || !out)
		return -EINVAL;
	*out = (struct rr_host_spec){ 0 };
	if ((*why = scan(spec, len, &at, out)))
		return -EINVAL;
	h = at ? at + 1 : spec;
	out->error_at = 0;
	if (at) {
		out->user = spec;
		out->user_len = (size_t)(at - spec);
	}
	if (at == spec)
		*why = "empty user name";
	else if (out->user && out->user[0] == '-')
		*why = "a user name cannot begin with '-'";
	else if (h == spec + len)
		*why = "empty host name";
	else if ((*why = split_host(h, (size_t)(spec + len - h), out)))
		out->error_at += (size_t)(h - spec);
	if (*why)
		return -EINVAL;
	out->error_at = (size_t)(out->host - spec);
	bad = bad_char(out->host, out->host_len, out->brackets);
	if (!out->host_len)
		*why = "empty host name";
	else if (out->host[0] == '-')
		*why = "a host name cannot begin with '-'";
	else if (bad && (unsigned char)*bad >= 0x80)
		*why = "only ASCII letters, digits, '-', '.' and '_' make a host name";
	else if (bad)
		*why = "cannot be in a host name";
	if (bad)
		out->error_at = (size_t)(bad - spec);
	return *why ? -EINVAL : 0;
}
