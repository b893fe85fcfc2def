/*
 * cli/hosts/hosts.c parses each host with the library's rr_host_spec_parse:
 * nothing in a host list can become an option of ssh or of a ProxyCommand,
 * and the refusals keep the host list's words, naming the byte at fault.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hosts/hosts.h"

static void expect_refused(const char *list, const char *msg)
{
	struct hosts h = { 0 };
	char err[256] = "";

	cr_assert_eq(hosts_add_list(&h, list, err, sizeof err), -1,
		     "\"%s\" was taken", list);
	cr_assert_str_eq(err, msg, "for \"%s\"", list);
	hosts_free(&h);
}

/* The library's grammar, with the byte at fault named, and nothing that
   could become an option (which the command line's own parser let by). */
Test(unit_hostspec, the_librarys_grammar)
{
	struct hosts h = { 0 };
	char err[256];

	expect_refused("web7;id", "'web7;id': ';' cannot be in a host name");
	expect_refused("u@[::1%$x]:22", "'u@[::1%$x]:22': '$' cannot be in a host "
		       "name");
	expect_refused("a\tb", "'a\tb': contains a space");
	expect_refused("web:99999", "'web:99999': port must be 1 to 65535");
	cr_assert_eq(hosts_add_list(&h, "web-7,a_b.c,u-1@h:22,[fe80::1%eth0]:2",
				    err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 4);
	cr_assert_str_eq(h.v[2].user, "u-1");
	cr_assert_eq(h.v[2].port, 22);
	cr_assert_str_eq(h.v[3].target, "[fe80::1%eth0]");
	hosts_free(&h);

	expect_refused("-oProxyCommand=x", "'-oProxyCommand=x': a host name "
		       "cannot begin with '-'");
	expect_refused("root@-oProxyCommand=x", "'root@-oProxyCommand=x': a host "
		       "name cannot begin with '-'");
	expect_refused("-l@web", "'-l@web': a user name cannot begin with '-'");
	expect_refused("web[1-2],-web[3-4]", "'-web[3-4]': a host name cannot "
		       "begin with '-'");
}
