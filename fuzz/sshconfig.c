/*
 * libFuzzer target for lib/ssh/config.c: any bytes as a configuration file.
 * Parsing fails cleanly or succeeds; either way every alias resolves, in
 * bounded time, to values that passed the parser's checks, or fails with
 * a message naming the file.  A Match exec runs /bin/false: never what the
 * input says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringrun.h>

#include "ssh/config.h"
#include "ssh/ssh.h"

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "check failed: %s\n", #cond);   \
			abort();                                        \
		}                                                       \
	} while (0)

static bool has(const struct rr_sshcfg_host *h, enum rr_sshcfg_key key)
{
	return h->set & 1u << key;
}

/* alias resolved: values that passed the checks, or a message. */
static void check_host(const struct rr_sshcfg *c, const char *alias)
{
	static struct rr_sshcfg_host h_;
	const struct rr_sshcfg_host *h = &h_;
	const struct rr_sshcfg_query q = {
		.alias = alias, .local_user = "f", .home = "/home/f",
	};
	const struct rr_sshcfg_tokens t = {
		.home = "/home/f", .local_user = "f", .hostname = alias,
		.alias = alias, .user = "u", .port = 22, .this_host = "here",
	};
	char err[512] = "", why[96], *out;

	if (rr__sshcfg_resolve(c, &q, &h_, err, sizeof err) < 0) {
		CHECK(strncmp(err, "fuzz: line ", 11) == 0);
		return;
	}
	CHECK(!(h->set >> RR_SSHCFG_NKEYS));
	CHECK(!h->hostname || has(h, RR_SSHCFG_HOSTNAME));
	CHECK(has(h, RR_SSHCFG_USER) == (h->user != NULL));
	CHECK(!has(h, RR_SSHCFG_PORT) || (h->port >= 1 && h->port <= 65535));
	CHECK(has(h, RR_SSHCFG_IDENTITY_FILE) == (h->nidentities > 0));
	CHECK(h->nidentities <= RR_SSHCFG_MAX_IDENTITIES);
	CHECK(h->hostkey >= RR_HOSTKEY_STRICT && h->hostkey <= RR_HOSTKEY_OFF);
	CHECK(has(h, RR_SSHCFG_KNOWN_HOSTS) == (h->known_hosts != NULL));
	CHECK(!(h->proxy_jump && h->proxy_command));
	CHECK(!h->proxy_jump || has(h, RR_SSHCFG_PROXY_JUMP));
	CHECK(!h->proxy_command || has(h, RR_SSHCFG_PROXY_COMMAND));
	CHECK(memchr(h->host, '\0', sizeof h->host));
	for (size_t k = 0; k < h->nidentities; k++)
		if (rr__sshcfg_expand(h->identities[k], &t, RR_SSHCFG_TOKENS_FILE, true,
				      &out, why, sizeof why) == 0)
			free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "web1", "db", "", "*", "!x", "::1",
					     "a.example.com" };
	char *text = malloc(size + 1), alias[17], err[512];
	struct rr_sshcfg c;

	setenv("SHELL", "/bin/false", 1);
	memcpy(text, data, size);
	text[size] = '\0';
	rr__sshcfg_init(&c);
	err[0] = '\0';
	if (rr__sshcfg_parse(&c, "fuzz", text, size, RR_SSHCFG_USER_FILE | RR_SSHCFG_NO_INCLUDE,
			 err, sizeof err) < 0)
		CHECK(strncmp(err, "fuzz: line ", 11) == 0 && memchr(err, '\0', sizeof err));
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		check_host(&c, fixed[k]);
	snprintf(alias, sizeof alias, "%s", text); /* the input's start as a name */
	alias[strcspn(alias, "\n")] = '\0';
	check_host(&c, alias);
	rr__sshcfg_free(&c);
	free(text);
	return 0;
}
