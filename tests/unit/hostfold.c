/* cli/hostfold.c: host lists folded back into ranges. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts/hostfold.h"

/* Fold the NULL-terminated names and compare with want. */
static void expect_fold(const char *const *names, const char *want)
{
	size_t n = 0;

	while (names[n])
		n++;
	char *got = hostfold(names, n);
	cr_assert_str_eq(got, want, "folding %zu names starting with %s", n,
			 n ? names[0] : "nothing");
	free(got);
}

#define FOLD(want, ...) expect_fold((const char *const[]){ __VA_ARGS__, NULL }, want)

Test(unit_hostfold, nothing)
{
	char *got = hostfold(NULL, 0);

	cr_assert_str_eq(got, "");
	free(got);
}

Test(unit_hostfold, the_example)
{
	FOLD("web[01-03,07],db1", "web01", "web02", "web03", "web07", "db1");
}

Test(unit_hostfold, single_members_have_no_brackets)
{
	FOLD("web7", "web7");
	FOLD("web07,db", "web07", "db");
	FOLD("a1,b2,c3", "a1", "b2", "c3");
}

Test(unit_hostfold, sorted_numerically_and_deduplicated)
{
	FOLD("n[1-3,10]", "n10", "n3", "n1", "n2", "n3", "n10", "n1");
	FOLD("n[2,4,6]", "n6", "n4", "n2");
	FOLD("n5", "n5", "n5");
}

Test(unit_hostfold, two_in_a_row_make_a_range)
{
	FOLD("web[9-10]", "web9", "web10");
	FOLD("web[1-2,4-5]", "web1", "web2", "web4", "web5");
}

Test(unit_hostfold, padding_is_kept)
{
	FOLD("web[01-10]", "web01", "web02", "web03", "web04", "web05", "web06",
	     "web07", "web08", "web09", "web10");
	FOLD("web[098-101]", "web098", "web099", "web100", "web101");
	FOLD("h[00-01]", "h00", "h01");
	FOLD("h[0-1]", "h0", "h1");
}

/* web01 and web1 are different hosts, and a padded run does not take web2. */
Test(unit_hostfold, padded_and_plain_stay_distinct)
{
	FOLD("web[1,01]", "web01", "web1");
	FOLD("web[1-2,01-02]", "web01", "web1", "web2", "web02");
	FOLD("web[8,09]", "web8", "web09");
	FOLD("web[1,01,001]", "web001", "web01", "web1");
}

/* A plain number that continues a padded run joins it; only if it fits. */
Test(unit_hostfold, padded_runs_reach_wider_numbers)
{
	FOLD("h[08-10]", "h08", "h09", "h10");
	FOLD("h[008-010]", "h008", "h009", "h010");
	FOLD("h[008-009,10]", "h008", "h009", "h10");
}

Test(unit_hostfold, groups_in_order_of_first_appearance)
{
	FOLD("db[1-2],web[1-2],cache", "db2", "web1", "cache", "db1", "web2",
	     "cache");
}

/* The last run of digits decides; the text around it must match exactly. */
Test(unit_hostfold, last_run_of_digits)
{
	FOLD("rack1-n[01-02],rack2-n01", "rack1-n01", "rack1-n02", "rack2-n01");
	FOLD("10.0.0.[1-3]", "10.0.0.1", "10.0.0.2", "10.0.0.3");
	FOLD("web[1-2].example.com,web3.example.org", "web1.example.com",
	     "web2.example.com", "web3.example.org");
}

/* A product of ranges comes back as written, as nodeset -f folds it. */
Test(unit_hostfold, several_dimensions)
{
	FOLD("rack[1-2]-n[01-03]", "rack1-n01", "rack1-n02", "rack1-n03",
	     "rack2-n01", "rack2-n02", "rack2-n03");
	FOLD("a[1-3]b[1-2]", "a1b1", "a1b2", "a2b1", "a2b2", "a3b1", "a3b2");
	FOLD("r[1-2]-s[3-4]-n[5-6]", "r1-s3-n5", "r1-s3-n6", "r1-s4-n5",
	     "r1-s4-n6", "r2-s3-n5", "r2-s3-n6", "r2-s4-n5", "r2-s4-n6");
	FOLD("n[36,52]-n3", "n36-n3", "n52-n3");
	FOLD("rack[01-02]-n[1,4].ib", "rack01-n1.ib", "rack01-n4.ib",
	     "rack02-n1.ib", "rack02-n4.ib");
	/* Not a product: the terms that are. */
	FOLD("rack1-n[1,4],rack2-n[1-4]", "rack1-n1", "rack1-n4", "rack2-n1",
	     "rack2-n2", "rack2-n3", "rack2-n4");
	FOLD("root@r[1-2]-n[1-2]:2222", "root@r1-n1:2222", "root@r1-n2:2222",
	     "root@r2-n1:2222", "root@r2-n2:2222");
	FOLD("10.0.[0-1].[1-2]", "10.0.0.1", "10.0.0.2", "10.0.1.1", "10.0.1.2");
	FOLD("u1@a1,u2@a1", "u1@a1", "u2@a1"); /* the host's number only */
}

/* The host's number is the one that folds, not the user's or the port's. */
Test(unit_hostfold, user_and_port_around_the_host)
{
	FOLD("root@web[1-2]:2222,web3", "root@web1:2222", "root@web2:2222", "web3");
	FOLD("u1@web[1-2]", "u1@web1", "u1@web2");
	FOLD("web1:22,web1:23", "web1:22", "web1:23");
	FOLD("user[1-2]@db", "user1@db", "user2@db");
	FOLD("db:[22-23]", "db:22", "db:23");
}

/* Digits inside an IPv6 address's brackets are not a range. */
Test(unit_hostfold, bracketed_addresses)
{
	FOLD("[::1],[::2]", "[::1]", "[::2]");
	FOLD("[::1]:[22-23]", "[::1]:22", "[::1]:23");
	FOLD("u@[::1]", "u@[::1]", "u@[::1]");
	FOLD("fe80::[1-2]", "fe80::1", "fe80::2");
	FOLD("fe80::1%eth[0-1]", "fe80::1%eth0", "fe80::1%eth1");
}

Test(unit_hostfold, literals_stay_and_deduplicate)
{
	FOLD("alpha,beta", "alpha", "beta", "alpha");
	FOLD("x,x1", "x", "x1");
}

/* 2^64 - 1 is a number; one more digit is a literal. */
Test(unit_hostfold, numbers_at_the_edge_of_64_bits)
{
	FOLD("h[18446744073709551614-18446744073709551615]",
	     "h18446744073709551614", "h18446744073709551615");
	FOLD("h18446744073709551616,h18446744073709551617",
	     "h18446744073709551616", "h18446744073709551617");
}

Test(unit_hostfold, many_names)
{
	enum { N = 5000 };
	static char names[N][16];
	const char *v[N];

	for (size_t k = 0; k < N; k++) {
		/* evens of n, then odds; every tenth of m: n[0-4999],m[...] */
		size_t i = k < N / 2 ? 2 * k : 2 * (k - N / 2) + 1;
		snprintf(names[k], sizeof names[k], "n%zu", i);
		v[k] = names[k];
	}
	char *got = hostfold(v, N);
	cr_assert_str_eq(got, "n[0-4999]");
	free(got);
}
