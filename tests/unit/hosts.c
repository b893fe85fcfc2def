/* cli/hosts.c: host specs, duplicates, host files, and errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/hosts.h"

static struct hosts h;
static char err[256];

static void expect_host(size_t k, const char *name, const char *user,
			const char *target, unsigned port)
{
	cr_assert_lt(k, h.n, "only %zu hosts", h.n);
	cr_assert_str_eq(h.v[k].name, name);
	if (user)
		cr_assert_str_eq(h.v[k].user, user, "%s", name);
	else
		cr_assert_null(h.v[k].user, "%s", name);
	cr_assert_str_eq(h.v[k].target, target, "%s", name);
	cr_assert_eq(h.v[k].port, port, "%s", name);
}

static void expect_list_error(const char *list, const char *msg)
{
	struct hosts mine = { 0 };

	err[0] = '\0';
	cr_assert_eq(hosts_add_list(&mine, list, err, sizeof err), -1,
		     "\"%s\" was taken", list);
	cr_assert_str_eq(err, msg, "for \"%s\"", list);
	hosts_free(&mine);
}

Test(hosts, specs)
{
	cr_assert_eq(hosts_add_list(&h, "web7,root@db1:2222,[::1]:22,fe80::1%eth0,"
				    "[10.0.0.1],a.b-c_d,me@[2001:db8::5]", err,
				    sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 7);
	expect_host(0, "web7", NULL, "web7", 0);
	expect_host(1, "root@db1:2222", "root", "db1", 2222);
	expect_host(2, "[::1]:22", NULL, "[::1]", 22);
	expect_host(3, "fe80::1%eth0", NULL, "[fe80::1%eth0]", 0);
	expect_host(4, "[10.0.0.1]", NULL, "[10.0.0.1]", 0);
	expect_host(5, "a.b-c_d", NULL, "a.b-c_d", 0);
	expect_host(6, "me@[2001:db8::5]", "me", "[2001:db8::5]", 0);
	hosts_free(&h);
}

/* The last '@' ends the user name; ports at the limits. */
Test(hosts, user_and_port_edges)
{
	cr_assert_eq(hosts_add_list(&h, "a@b@c:1,d:65535", err, sizeof err), 0,
		     "%s", err);
	expect_host(0, "a@b@c:1", "a@b", "c", 1);
	expect_host(1, "d:65535", NULL, "d", 65535);
	hosts_free(&h);
}

Test(hosts, spaces_and_empty_items)
{
	cr_assert_eq(hosts_add_list(&h, " a ,, b\t,", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 2);
	expect_host(0, "a", NULL, "a", 0);
	expect_host(1, "b", NULL, "b", 0);
	hosts_free(&h);
}

/* Same user, host and port: once, where it came first. */
Test(hosts, duplicates_dropped_in_order)
{
	cr_assert_eq(hosts_add_list(&h, "b,a,b,u@a,a:22,a,[::1],::1,u@a", err,
				    sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_add_list(&h, "c,a,b", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 6);
	expect_host(0, "b", NULL, "b", 0);
	expect_host(1, "a", NULL, "a", 0);
	expect_host(2, "u@a", "u", "a", 0);
	expect_host(3, "a:22", NULL, "a", 22);
	expect_host(4, "[::1]", NULL, "[::1]", 0);
	expect_host(5, "c", NULL, "c", 0);
	hosts_free(&h);
}

/* Enough hosts to grow the table several times; every duplicate found. */
Test(hosts, many)
{
	char name[32];

	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < 5000; k++) {
			snprintf(name, sizeof name, "h%d", k);
			cr_assert_eq(hosts_add_list(&h, name, err, sizeof err), 0);
		}
	}
	cr_assert_eq(h.n, 5000);
	expect_host(4999, "h4999", NULL, "h4999", 0);
	hosts_free(&h);
}

Test(hosts, list_errors)
{
	expect_list_error("", "'': no host in it");
	expect_list_error(" , ,", "' , ,': no host in it");
	expect_list_error("ok,@web", "'@web': empty user name");
	expect_list_error("root@", "'root@': empty host name");
	expect_list_error(":22", "':22': empty host name");
	expect_list_error("web:0", "'web:0': port must be 1 to 65535");
	expect_list_error("web:65536", "'web:65536': port must be 1 to 65535");
	expect_list_error("web:", "'web:': port must be 1 to 65535");
	expect_list_error("web:2x", "'web:2x': port must be 1 to 65535");
	expect_list_error("web:-1", "'web:-1': port must be 1 to 65535");
	expect_list_error("[::1", "'[::1': missing ']'");
	expect_list_error("[::1]x", "'[::1]x': text after ']'");
	expect_list_error("[]:22", "'[]:22': empty host name");
	expect_list_error("web[01-20]", "'web[01-20]': '[' cannot be in a host name");
	expect_list_error("a/b", "'a/b': '/' cannot be in a host name");
	expect_list_error("a b", "'a b': contains a space");
	expect_list_error("a\x01", "'a\x01': contains a control character");
	expect_list_error("caf\xc3\xa9",
			  "'caf\xc3\xa9': only ASCII letters, digits, '-', '.' "
			  "and '_' make a host name");
}

static void lines_of(struct input *in, const char *text)
{
	size_t len = strlen(text);
	char *mem = malloc(len + 1);

	memcpy(mem, text, len);
	input_split(in, mem, len);
}

Test(hosts, file_lines)
{
	struct input in;

	lines_of(&in, "# the web tier\nweb1\n\n  web2  # rack 3\r\n\t\nweb1\n#web3\n"
		      "root@db:2222");
	cr_assert_eq(hosts_add_lines(&h, in.lines, in.n, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(h.n, 3);
	expect_host(0, "web1", NULL, "web1", 0);
	expect_host(1, "web2", NULL, "web2", 0);
	expect_host(2, "root@db:2222", "root", "db", 2222);
	input_free(&in);
	hosts_free(&h);
}

Test(hosts, file_errors_name_the_line)
{
	struct input in;

	lines_of(&in, "web1\n# fine\n\nweb2 web3\n");
	cr_assert_eq(hosts_add_lines(&h, in.lines, in.n, err, sizeof err), -1);
	cr_assert_str_eq(err, "line 4: 'web2 web3': contains a space");
	input_free(&in);
	hosts_free(&h);
	lines_of(&in, "web1,web2\n");
	cr_assert_eq(hosts_add_lines(&h, in.lines, in.n, err, sizeof err), -1);
	cr_assert_str_eq(err, "line 1: 'web1,web2': ',' cannot be in a host name");
	input_free(&in);
	hosts_free(&h);
}

/* An empty file, or one of comments: no host, no error. */
Test(hosts, file_without_hosts)
{
	struct input in;

	lines_of(&in, "# nothing\n\n   \n");
	cr_assert_eq(hosts_add_lines(&h, in.lines, in.n, err, sizeof err), 0);
	cr_assert_eq(h.n, 0);
	input_free(&in);
	hosts_free(&h);
}
