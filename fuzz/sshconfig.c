/*
 * libFuzzer target for cli/sshconfig.c: any bytes as a configuration file.
 * Parsing fails cleanly or succeeds; either way every alias resolves, in
 * bounded time, to values that passed the parser's checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringrun.h>

#include "hosts/sshconfig.h"

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "check failed: %s\n", #cond);   \
			abort();                                        \
		}                                                       \
	} while (0)

static bool has(const struct sshcfg_host *h, enum sshcfg_key key)
{
	return h->set & 1u << key;
}

static void check_host(const struct sshcfg_host *h, const char *alias)
{
	const struct sshcfg_tokens t = {
		.home = "/home/f", .local_user = "f", .hostname = alias,
		.alias = alias, .user = "u", .port = 22,
	};

	CHECK(!(h->set >> SSHCFG_NKEYS));
	CHECK(has(h, SSHCFG_HOSTNAME) == (h->hostname != NULL));
	CHECK(has(h, SSHCFG_USER) == (h->user != NULL));
	CHECK(!has(h, SSHCFG_PORT) || (h->port >= 1 && h->port <= 65535));
	CHECK(has(h, SSHCFG_IDENTITY_FILE) == (h->nidentities > 0));
	CHECK(h->nidentities <= SSHCFG_MAX_IDENTITIES);
	CHECK(h->hostkey >= RR_HOSTKEY_STRICT && h->hostkey <= RR_HOSTKEY_OFF);
	CHECK(has(h, SSHCFG_KNOWN_HOSTS) == (h->known_hosts != NULL));
	CHECK(!(h->proxy_jump && h->proxy_command));
	CHECK(!(h->proxy_jump || h->proxy_command) || has(h, SSHCFG_PROXY));
	for (size_t k = 0; k < h->nidentities; k++)
		free(sshcfg_expand(h->identities[k], &t));
	if (h->hostname)
		free(sshcfg_expand(h->hostname, &t));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "web1", "db", "", "*", "!x", "::1",
					     "a.example.com" };
	char *text = malloc(size + 1), alias[17], err[512];
	struct sshcfg c;
	struct sshcfg_host h;

	memcpy(text, data, size);
	text[size] = '\0';
	sshcfg_init(&c);
	err[0] = '\0';
	if (sshcfg_parse(&c, "fuzz", text, size, SSHCFG_USER_FILE | SSHCFG_NO_INCLUDE,
			 err, sizeof err) < 0)
		CHECK(strncmp(err, "fuzz: line ", 11) == 0 && memchr(err, '\0', sizeof err));
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		sshcfg_resolve(&c, fixed[k], &h);
		check_host(&h, fixed[k]);
	}
	snprintf(alias, sizeof alias, "%s", text); /* the input's start as a name */
	alias[strcspn(alias, "\n")] = '\0';
	sshcfg_resolve(&c, alias, &h);
	check_host(&h, alias);
	sshcfg_free(&c);
	free(text);
	return 0;
}
