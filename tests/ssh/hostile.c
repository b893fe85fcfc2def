/*
 * hostile.c - host specs that try to become options of another program,
 * and failure lines that must keep their cause however long the host's name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

SSH_SUITE(ssh_hostile);

static const char *const no_ids[] = { NULL };

/* Refused by rr_host_new, whatever follows: nothing becomes an option. */
Test(ssh_hostile, specs_that_would_be_options)
{
	static const char *const bad[] = {
		"-o StrictHostKeyChecking=no root@h", "-oProxyCommand=sh",
		"root@-oProxyCommand=x", "-root@host", "user@host name",
		"host\tname", "host\nname", "host\001", "@host", "user@",
		"host:0", "host:65536", "host:22x", "[::1", "[::1]x", "h\xc3\xa9",
		"ho;st", "ho$st", "", ":22",
	};
	rr_loop *loop = loop_new(NULL);

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct rr_host_spec sp;
		const char *why = NULL;

		errno = 0;
		cr_assert_null(rr_host_new(loop, bad[i], &(struct rr_host_opts){
			.identities = no_ids, .no_agent = true}), "'%s' taken", bad[i]);
		cr_assert_eq(errno, EINVAL, "'%s': errno %d", bad[i], errno);
		cr_assert_eq(rr_host_spec_parse(bad[i], strlen(bad[i]), &sp, &why), -EINVAL,
			     "'%s' parsed", bad[i]);
		cr_assert(why && *why, "'%s': no reason", bad[i]);
		cr_assert_leq(sp.error_at, strlen(bad[i]), "'%s'", bad[i]);
	}
	/* The user and the alias given apart obey the same rules. */
	cr_assert_null(rr_host_new(loop, "host", &(struct rr_host_opts){
		.identities = no_ids, .no_agent = true, .user = "-oX"}));
	cr_assert_null(rr_host_new(loop, "host", &(struct rr_host_opts){
		.identities = no_ids, .no_agent = true, .alias = "a b"}));
	free_loop(loop);
}

/* What the parser hands back, in place, for the forms it takes. */
Test(ssh_hostile, specs_split_in_place)
{
	static const struct {
		const char *spec, *user, *host;
		unsigned port;
		bool brackets;
	} ok[] = {
		{ "web7", NULL, "web7", 0, false },
		{ "root@web7:2222", "root", "web7", 2222, false },
		{ "a@b@web7", "a@b", "web7", 0, false },
		{ "[::1]:22", NULL, "::1", 22, true },
		{ "me@fe80::1%eth0", "me", "fe80::1%eth0", 0, true },
		{ "10.0.0.1:65535", NULL, "10.0.0.1", 65535, false },
		{ "rack1-n_01.example", NULL, "rack1-n_01.example", 0, false },
	};

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		struct rr_host_spec sp;

		cr_assert_eq(rr_host_spec_parse(ok[i].spec, strlen(ok[i].spec), &sp, NULL), 0,
			     "'%s'", ok[i].spec);
		if (ok[i].user)
			cr_assert(sp.user_len == strlen(ok[i].user) &&
					  !memcmp(sp.user, ok[i].user, sp.user_len),
				  "'%s': user", ok[i].spec);
		else
			cr_assert_null(sp.user, "'%s'", ok[i].spec);
		cr_assert(sp.host_len == strlen(ok[i].host) &&
				  !memcmp(sp.host, ok[i].host, sp.host_len),
			  "'%s': host '%.*s'", ok[i].spec, (int)sp.host_len, sp.host);
		cr_assert_eq(sp.port, ok[i].port, "'%s'", ok[i].spec);
		cr_assert_eq(sp.brackets, ok[i].brackets, "'%s'", ok[i].spec);
	}
}

/*
 * An alias of 400 characters: the failure line names it, then the address,
 * then the cause - nothing is cut.
 */
Test(ssh_hostile, long_alias_keeps_the_cause)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char alias[401], spec[64];
	rr_loop *loop = loop_new(NULL);

	memset(alias, 'h', sizeof alias - 1);
	alias[sizeof alias - 1] = '\0';
	sshd_spec(s, 0, spec, sizeof spec);
	sshd_stop(s); /* nobody listens there now: connection refused */
	rr_host *h = rr_host_new(loop, spec, &(struct rr_host_opts){
		.identities = no_ids, .no_agent = true, .alias = alias});
	cr_assert_not_null(h);
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_CONNECT_FAILED);
	expect_contains(r->message, alias);
	expect_contains(r->message, spec);
	expect_contains(r->message, "connection refused");
	char want[480];
	snprintf(want, sizeof want, "%s (%s)", alias, spec);
	cr_assert_str_eq(rr_host_name(h), want);
	free_loop(loop);
}
