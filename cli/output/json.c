/*
 * JSON string escaping.  Valid UTF-8 passes through; every byte that is not
 * part of valid UTF-8 becomes \udcXX (PEP 383 "surrogateescape"), so
 * json.loads(s).encode('utf-8', 'surrogateescape') gives the bytes back.
 */
#include "output/json.h"

#include <stdbool.h>

/*
 * Length of the valid UTF-8 character at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0; /* overlong */
	else if (s[0] == 0xED)
		hi = 0x9F; /* U+D800..U+DFFF */
	else if (s[0] == 0xF0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xF4)
		hi = 0x8F; /* above U+10FFFF */
	if (len < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return need;
}

/* Bytes that go out as they are: printable ASCII but " and \. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void escape_char(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"': buf_add(out, "\\\"", 2); return;
	case '\\': buf_add(out, "\\\\", 2); return;
	case '\b': buf_add(out, "\\b", 2); return;
	case '\f': buf_add(out, "\\f", 2); return;
	case '\n': buf_add(out, "\\n", 2); return;
	case '\r': buf_add(out, "\\r", 2); return;
	case '\t': buf_add(out, "\\t", 2); return;
	}
	if (c >= 0x80) { /* a byte outside valid UTF-8: U+DC80..U+DCFF */
		u[2] = 'd';
		u[3] = 'c';
	}
	buf_add(out, u, sizeof u);
}

size_t json_escape(struct buf *out, const char *s, size_t len, size_t limit)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = out->len, i = 0;

	while (i < len && out->len - start < limit) {
		size_t room = limit - (out->len - start), run = i, n;

		while (run < len && run - i < room && plain(p[run]))
			run++;
		if (run > i) {
			buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		n = p[i] >= 0x80 ? utf8_len(p + i, len - i) : 0;
		if (n) {
			buf_add(out, p + i, n);
			i += n;
		} else {
			escape_char(out, p[i++]);
		}
	}
	return i;
}
