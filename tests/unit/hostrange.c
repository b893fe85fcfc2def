/* cli/hostrange.c: one host-list item expanded, its errors and bounds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/guard.h"
#include "util/buf.h"
#include "hosts/hostrange.h"

static int collect(const char *name, size_t len, void *user)
{
	struct buf *b = user;

	cr_assert_eq(strlen(name), len);
	if (b->len)
		buf_addc(b, ' ');
	buf_add(b, name, len);
	return 0;
}

/* The names of item, space-separated, with this budget. */
static char *expand_with(const char *item, struct hostrange_budget *budget)
{
	struct buf b = BUF_INIT;
	struct hostrange_error e = { 0 };

	int r = hostrange_expand(item, strlen(item), budget, collect, &b, &e);
	cr_assert_eq(r, 0, "'%s': column %zu: %s", item, e.column, e.why);
	return buf_detach(&b);
}

static void expect(const char *item, const char *want)
{
	struct hostrange_budget budget = { 0 };
	char *got = expand_with(item, &budget);

	cr_assert_str_eq(got, want, "expanding '%s'", item);
	free(got);
}

static void expect_error(const char *item, size_t column, const char *why)
{
	struct hostrange_budget budget = { 0 };
	struct hostrange_error e = { 0 };
	struct buf b = BUF_INIT;

	cr_assert_eq(hostrange_expand(item, strlen(item), &budget, collect, &b, &e),
		     -1, "'%s' was taken: %s", item, b.data ? b.data : "");
	cr_assert_null(b.data, "'%s' made names before its error", item);
	cr_assert_str_eq(e.why, why, "for '%s'", item);
	cr_assert_eq(e.column, column, "for '%s': column %zu, not %zu", item,
		     e.column, column);
	cr_assert_eq(budget.hosts, 0);
}

Test(unit_hostrange, plain_names_are_themselves)
{
	expect("web7", "web7");
	expect("root@db1:2222", "root@db1:2222");
	expect("a.b-c_d", "a.b-c_d");
	expect("", "");
}

Test(unit_hostrange, ranges_and_numbers)
{
	expect("web[1-3]", "web1 web2 web3");
	expect("web[5]", "web5");
	expect("web[1-3,7,9-10]", "web1 web2 web3 web7 web9 web10");
	expect("[1-2]x", "1x 2x");
	expect("n[0-0]", "n0");
}

Test(unit_hostrange, padding_of_the_lower_bound)
{
	expect("web[01-03,33]", "web01 web02 web03 web33");
	expect("web[08-11]", "web08 web09 web10 web11");
	expect("web[098-100]", "web098 web099 web100");
	expect("web[9-10]", "web9 web10");
	expect("web[1-010]", "web1 web2 web3 web4 web5 web6 web7 web8 web9 web10");
	expect("web[05]", "web05");
	expect("web[00-01]", "web00 web01");
	expect("web[0-1]", "web0 web1");
}

Test(unit_hostrange, several_groups_in_order)
{
	expect("rack[1-2]-n[01-03]",
	       "rack1-n01 rack1-n02 rack1-n03 rack2-n01 rack2-n02 rack2-n03");
	expect("a[1-2]b[3,5]c[7]", "a1b3c7 a1b5c7 a2b3c7 a2b5c7");
	expect("[1-2][1-2]", "11 12 21 22");
}

Test(unit_hostrange, user_and_port_around_ranges)
{
	expect("root@web[1-3]:2222", "root@web1:2222 root@web2:2222 root@web3:2222");
	expect("u[1-2]@h", "u1@h u2@h");
	expect("h:[22-23]", "h:22 h:23");
}

/* Where a host begins, a bracket with ':' or '.' in it is an address. */
Test(unit_hostrange, bracketed_addresses)
{
	expect("[::1]:22", "[::1]:22");
	expect("[::1]", "[::1]");
	expect("me@[2001:db8::5]", "me@[2001:db8::5]");
	expect("[10.0.0.1]", "[10.0.0.1]");
	expect("[::1]:[22-23]", "[::1]:22 [::1]:23");
	expect("fe80::1%eth[0-1]", "fe80::1%eth0 fe80::1%eth1");
	expect("10.0.0.[1-3]", "10.0.0.1 10.0.0.2 10.0.0.3");
}

Test(unit_hostrange, overlaps_are_kept_for_the_caller)
{
	expect("h[1-2,2]", "h1 h2 h2");
}

/* ClusterShell's "N-M/S": every S-th number from N, M or not. */
Test(unit_hostrange, steps)
{
	expect("n[1-10/2]", "n1 n3 n5 n7 n9");
	expect("n[1-9/4]", "n1 n5 n9");
	expect("n[01-10/3]", "n01 n04 n07 n10");
	expect("n[1-2/5]", "n1");
	expect("n[1-4/2,7]", "n1 n3 n7");
	expect("r[1-3/2]-n[1-2]", "r1-n1 r1-n2 r3-n1 r3-n2");
	expect("h[0-18446744073709551615/18446744073709551615]",
	       "h0 h18446744073709551615");
	expect_error("n[1-3/0]", 7, "a step of 0");
	expect_error("n[1-3/]", 7, "expected a number");
	expect_error("n[1/2]", 4, "a step needs a range (N-M/S)");
	expect_error("n[1-3/2/2]", 8, "expected ',' or ']'");
}

Test(unit_hostrange, numbers_at_the_edge_of_64_bits)
{
	expect("h[18446744073709551614-18446744073709551615]",
	       "h18446744073709551614 h18446744073709551615");
	expect_error("h[18446744073709551616]", 3, "number too large");
}

/* Columns are 1-based in the item and point where it went wrong. */
Test(unit_hostrange, syntax_errors_with_columns)
{
	expect_error("web[01-", 8, "unclosed '['");
	expect_error("web[", 5, "unclosed '['");
	expect_error("web[1", 6, "unclosed '['");
	expect_error("web[1,", 7, "unclosed '['");
	expect_error("web[]", 5, "empty '[]'");
	expect_error("web[a]", 5, "expected a number");
	expect_error("web[1-]", 7, "expected a number");
	expect_error("web[1,,2]", 7, "expected a number");
	expect_error("web[-2]", 5, "expected a number");
	expect_error("web[1x]", 6, "expected ',' or ']'");
	expect_error("web[1-2-3]", 8, "expected ',' or ']'");
	expect_error("web[ 1]", 5, "expected a number");
	expect_error("web[5-3]", 5, "the range goes down");
	expect_error("web1]", 5, "unmatched ']'");
	expect_error("a[1]b]", 6, "unmatched ']'");
	expect_error("web[1.5]", 6, "expected ',' or ']'");
	expect_error("x[::1]", 3, "expected a number");
	expect_error("[::1", 5, "unclosed '['");
	expect_error("[1-2]x[3-", 10, "unclosed '['");
}

static struct hostrange_error expect_too_big(const char *item,
					     struct hostrange_budget *budget)
{
	struct hostrange_error e = { 0 };
	struct buf b = BUF_INIT;
	size_t hosts = budget->hosts;

	cr_assert_eq(hostrange_expand(item, strlen(item), budget, collect, &b, &e),
		     -1, "'%s' was taken", item);
	cr_assert_null(b.data);
	cr_assert_eq(budget->hosts, hosts, "charged for nothing");
	cr_assert_eq(e.column, 0);
	return e;
}

/* Refused before anything is made, however big. */
Test(unit_hostrange, bounded_by_default, .timeout = TEST_TIMEOUT)
{
	struct hostrange_budget budget = { 0 };

	cr_assert_str_eq(expect_too_big("h[1-99999999]", &budget).why,
			 "more than 1000000 hosts in all");
	expect_too_big("h[0-18446744073709551615]", &budget);
	expect_too_big("h[1-1000][1-1000][1-1000][1-1000][1-1000][1-1000]", &budget);
	expect_too_big("h[1-1001][1-1000]", &budget);
}

Test(unit_hostrange, the_budget_is_for_all_lists)
{
	struct hostrange_budget budget = { .max_hosts = 10 };
	char *got = expand_with("h[1-6]", &budget);

	cr_assert_eq(budget.hosts, 6);
	free(got);
	cr_assert_str_eq(expect_too_big("g[1-5]", &budget).why,
			 "more than 10 hosts in all");
	got = expand_with("g[1-4]", &budget);
	cr_assert_str_eq(got, "g1 g2 g3 g4");
	cr_assert_eq(budget.hosts, 10);
	free(got);
}

Test(unit_hostrange, long_names_are_bounded_too)
{
	struct hostrange_budget budget = { .max_bytes = 1000 };
	char item[600];

	memset(item, 'a', 500);
	strcpy(item + 500, "[1-2]");
	cr_assert_str_eq(expect_too_big(item, &budget).why,
			 "more than 1000 bytes of host names in all");
}

static int count_sevens(const char *name, size_t len, void *user)
{
	if (len != 7)
		cr_assert_fail("%s", name);
	++*(size_t *)user;
	return 0;
}

Test(unit_hostrange, a_million_is_allowed, .timeout = TEST_TIMEOUT)
{
	struct hostrange_budget budget = { 0 };
	struct hostrange_error e;
	size_t n = 0;

	cr_assert_eq(hostrange_expand("h[000000-999999]", 16, &budget,
				      count_sevens, &n, &e), 0);
	cr_assert_eq(n, 1000000);
	cr_assert_eq(budget.hosts, 1000000);
}

static int stop_at_two(const char *name, size_t len, void *user)
{
	(void)name;
	(void)len;
	return ++*(int *)user == 2 ? 7 : 0;
}

Test(unit_hostrange, the_callback_can_stop_it)
{
	struct hostrange_budget budget = { 0 };
	struct hostrange_error e;
	int n = 0;

	cr_assert_eq(hostrange_expand("h[1-5]", 6, &budget, stop_at_two, &n, &e), 7);
	cr_assert_eq(n, 2);
}
