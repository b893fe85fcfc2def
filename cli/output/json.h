/*
 * JSON string escaping.  Valid UTF-8 passes through; every byte that is not
 * part of valid UTF-8 becomes \udcXX (PEP 383 "surrogateescape"), so
 * json.loads(s).encode('utf-8', 'surrogateescape') gives the bytes back.
 */
#ifndef CLI_JSON_H
#define CLI_JSON_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Append s[0..len) escaped, without quotes, stopping once at least limit
 * bytes were appended (never inside a character).  Returns the bytes of s
 * consumed: call again with the rest.
 */
size_t json_escape(struct buf *out, const char *s, size_t len, size_t limit);

#endif
