/*
 * libFuzzer target for lib/ssh/khparse.c: any bytes as one known_hosts line.
 * The line is read or refused cleanly; an entry read names hosts without
 * reading past its patterns, and its key is one ssh would compare.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssh/ssh.h"

static LIBSSH2_SESSION *session;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "web7", "[web7]:2222", "10.0.0.1", "" };
	struct rr_khentry e;
	const char *why = NULL;
	char *line;
	int r;

	if (!session && (libssh2_init(0) || !(session = libssh2_session_init())))
		abort();
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	r = rr__khline_parse(line, session, &e, &why);
	assert(r == 1 || r == 0 || r == -EINVAL || r == -ENOMEM);
	assert(r != -EINVAL || (why && *why));
	if (r == 1) {
		assert(e.marker <= RR_KH_CA);
		assert(e.key.type && e.key.blob && e.key.len > 0);
		assert(!e.patterns != !e.hashed);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int n = rr__khentry_names(&e, names[i]);

			assert(n == 0 || n == 1 || n == -ENOMEM);
		}
	}
	rr__khentry_free(&e);
	free(line);
	return 0;
}
