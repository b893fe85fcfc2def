/* cli/hosts.c: host specs, duplicates, host files, and errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts/hostfile.h"
#include "../common/guard.h"
#include "hosts/hosts.h"

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

Test(unit_hosts, specs)
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
Test(unit_hosts, user_and_port_edges)
{
	cr_assert_eq(hosts_add_list(&h, "a@b@c:1,d:65535", err, sizeof err), 0,
		     "%s", err);
	expect_host(0, "a@b@c:1", "a@b", "c", 1);
	expect_host(1, "d:65535", NULL, "d", 65535);
	hosts_free(&h);
}

Test(unit_hosts, spaces_and_empty_items)
{
	cr_assert_eq(hosts_add_list(&h, " a ,, b\t,", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 2);
	expect_host(0, "a", NULL, "a", 0);
	expect_host(1, "b", NULL, "b", 0);
	hosts_free(&h);
}

/* Same user, host and port: once, where it came first. */
Test(unit_hosts, duplicates_dropped_in_order)
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
Test(unit_hosts, many)
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

Test(unit_hosts, list_errors)
{
	expect_list_error("", "'': no host in it");
	expect_list_error(" , ,", "' , ,': no host in it");
	expect_list_error("ok,@web", "'@web': no node groups here"); /* @ begins a group */
	expect_list_error("root@", "'root@': empty host name");
	expect_list_error(":22", "':22': empty host name");
	expect_list_error("web:0", "'web:0': port must be 1 to 65535");
	expect_list_error("web:65536", "'web:65536': port must be 1 to 65535");
	expect_list_error("web:", "'web:': port must be 1 to 65535");
	expect_list_error("web:2x", "'web:2x': port must be 1 to 65535");
	expect_list_error("web:-1", "'web:-1': port must be 1 to 65535");
	expect_list_error("[::1", "'[::1': column 5: unclosed '['");
	expect_list_error("[::1]x", "'[::1]x': text after ']'");
	expect_list_error("[]:22", "'[]:22': column 2: empty '[]'");
	expect_list_error("a/b", "'a/b': '/' cannot be in a host name");
	/* A long item loses its middle, never the cause. */
	char longest[3001], want[256];
	memset(longest, 'a', 2999);
	memcpy(longest + 2999, "=", 2);
	snprintf(want, sizeof want, "'%.80s...%.19s=': '=' cannot be in a host name",
		 longest, longest);
	expect_list_error(longest, want);
	expect_list_error("a b", "'a b': contains a space");
	expect_list_error("a\x01", "'a\x01': contains a control character");
	expect_list_error("caf\xc3\xa9",
			  "'caf\xc3\xa9': only ASCII letters, digits, '-', '.' "
			  "and '_' make a host name");
}

static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/rr-hosts-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

/* A host file of text read into h; err without the file's name. */
static int read_lines(const char *text)
{
	char *path = temp_file(text);
	size_t skip = strlen(path) + 2;
	int r = hostfile_read_all(&h, path, err, sizeof err);

	if (r < 0) {
		cr_assert(strncmp(err, path, skip - 2) == 0, "%s", err);
		memmove(err, err + skip, strlen(err + skip) + 1);
	}
	unlink(path);
	free(path);
	return r;
}

Test(unit_hosts, file_lines)
{
	cr_assert_eq(read_lines("# the web tier\nweb1\n\n  web2  # rack 3\r\n\t\nweb1\n"
				"#web3\nroot@db:2222"), 0, "%s", err);
	cr_assert_eq(h.n, 3);
	expect_host(0, "web1", NULL, "web1", 0);
	expect_host(1, "web2", NULL, "web2", 0);
	expect_host(2, "root@db:2222", "root", "db", 2222);
	hosts_free(&h);
}

Test(unit_hosts, file_errors_name_the_line)
{
	cr_assert_eq(read_lines("web1\n# fine\n\nweb2 web3\n"), -1);
	cr_assert_str_eq(err, "line 4: 'web2 web3': contains a space");
	hosts_free(&h);
	cr_assert_eq(read_lines("web1\nweb[2-\n"), -1);
	cr_assert_str_eq(err, "line 2: 'web[2-': column 7: unclosed '['");
	hosts_free(&h);
	cr_assert_eq(read_lines("web1\n^other\n"), -1);
	cr_assert_str_eq(err, "line 2: '^other': a host file cannot name another "
			 "(#include FILE can)");
	hosts_free(&h);
}

/* A line is a list: ranges, and commas outside brackets. */
Test(unit_hosts, file_lines_are_lists)
{
	cr_assert_eq(read_lines("web[1-2],db[07,9] # two tiers\nweb2, web3\n"), 0,
		     "%s", err);
	cr_assert_eq(h.n, 5);
	expect_host(0, "web1", NULL, "web1", 0);
	expect_host(1, "web2", NULL, "web2", 0);
	expect_host(2, "db07", NULL, "db07", 0);
	expect_host(3, "db9", NULL, "db9", 0);
	expect_host(4, "web3", NULL, "web3", 0);
	hosts_free(&h);
}

/* An empty file, or one of comments: no host, no error. */
Test(unit_hosts, file_without_hosts)
{
	cr_assert_eq(read_lines("# nothing\n\n   \n"), 0);
	cr_assert_eq(h.n, 0);
	hosts_free(&h);
}

/* ------------------------------------------------------------ ranges */

Test(unit_hosts, ranges_expand_in_order)
{
	cr_assert_eq(hosts_add_list(&h, "root@web[01-02,10]:2222,rack[1-2]-n[1-2],"
				    "[::1]:[22-23]", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 9);
	expect_host(0, "root@web01:2222", "root", "web01", 2222);
	expect_host(1, "root@web02:2222", "root", "web02", 2222);
	expect_host(2, "root@web10:2222", "root", "web10", 2222);
	expect_host(3, "rack1-n1", NULL, "rack1-n1", 0);
	expect_host(4, "rack1-n2", NULL, "rack1-n2", 0);
	expect_host(5, "rack2-n1", NULL, "rack2-n1", 0);
	expect_host(6, "rack2-n2", NULL, "rack2-n2", 0);
	expect_host(7, "[::1]:22", NULL, "[::1]", 22);
	expect_host(8, "[::1]:23", NULL, "[::1]", 23);
	hosts_free(&h);
}

/* The first occurrence stays where it was, across items and lists. */
Test(unit_hosts, ranges_drop_duplicates_in_order)
{
	cr_assert_eq(hosts_add_list(&h, "h3,h[1-4],h[2,2]", err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(hosts_add_list(&h, "h[5-1]x,h5", err, sizeof err), -1);
	cr_assert_eq(hosts_add_list(&h, "h[4-5]", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 5);
	expect_host(0, "h3", NULL, "h3", 0);
	expect_host(1, "h1", NULL, "h1", 0);
	expect_host(2, "h2", NULL, "h2", 0);
	expect_host(3, "h4", NULL, "h4", 0);
	expect_host(4, "h5", NULL, "h5", 0);
	hosts_free(&h);
}

Test(unit_hosts, range_errors_name_the_item_and_column)
{
	expect_list_error("a,web[01-", "'web[01-': column 8: unclosed '['");
	expect_list_error("web[1-3]x]", "'web[1-3]x]': column 10: unmatched ']'");
	expect_list_error("web[3-1]", "'web[3-1]': column 5: the range goes down");
	expect_list_error("web[1-3]:0", "'web[1-3]:0': port must be 1 to 65535");
	expect_list_error("web[1-2]/x", "'web[1-2]/x': '/' cannot be in a host name");
	expect_list_error("h[1-99999999]", "'h[1-99999999]': more than 1000000 hosts in all");
}

/* The bound holds for all the lists together. */
Test(unit_hosts, the_bound_is_for_every_list, .timeout = TEST_TIMEOUT)
{
	cr_assert_eq(hosts_add_list(&h, "a[000000-899999]", err, sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_add_list(&h, "b[1-100000]", err, sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_add_list(&h, "c", err, sizeof err), -1);
	cr_assert_str_eq(err, "'c': more than 1000000 hosts in all");
	cr_assert_eq(h.n, 1000000);
	hosts_free(&h);
}

/* ------------------------------------------------------------ ^FILE */

Test(unit_hosts, caret_file_in_a_list)
{
	char *path = temp_file("# rack 1\nn[1-2]\n\nn1, x\n");
	char list[64];

	snprintf(list, sizeof list, "a, ^%s ,n3", path);
	cr_assert_eq(hosts_add_list(&h, list, err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 5);
	expect_host(0, "a", NULL, "a", 0);
	expect_host(1, "n1", NULL, "n1", 0);
	expect_host(2, "n2", NULL, "n2", 0);
	expect_host(3, "x", NULL, "x", 0);
	expect_host(4, "n3", NULL, "n3", 0);
	hosts_free(&h);
	unlink(path);
	free(path);
}

/* An empty file is a list item all the same: no error, no host. */
Test(unit_hosts, caret_file_empty)
{
	char *path = temp_file("# none yet\n");
	char list[64];

	snprintf(list, sizeof list, "^%s", path);
	cr_assert_eq(hosts_add_list(&h, list, err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 0);
	hosts_free(&h);
	unlink(path);
	free(path);
}

Test(unit_hosts, caret_file_errors_name_the_file)
{
	char *path = temp_file("good\nbad[\n");
	char list[64], want[128];

	snprintf(list, sizeof list, "^%s", path);
	snprintf(want, sizeof want, "%s: line 2: 'bad[': column 5: unclosed '['", path);
	expect_list_error(list, want);
	unlink(path);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	expect_list_error(list, want);
	expect_list_error("a,^", "'^': no file name after '^'");
	expect_list_error("^-", "'^-': stdin is read by -w - or --hostfile -");
	free(path);
}

/* ------------------------------------------------------------ -x */

static void exclude(const char *list, size_t dropped)
{
	struct hosts x = { 0 };

	cr_assert_eq(hosts_add_list(&x, list, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_exclude(&h, &x), dropped, "excluding %s", list);
	hosts_free(&x);
}

Test(unit_hosts, exclude_keeps_the_order)
{
	cr_assert_eq(hosts_add_list(&h, "web[1-6]", err, sizeof err), 0, "%s", err);
	exclude("web[2-3],web5,other", 3);
	cr_assert_eq(h.n, 3);
	expect_host(0, "web1", NULL, "web1", 0);
	expect_host(1, "web4", NULL, "web4", 0);
	expect_host(2, "web6", NULL, "web6", 0);
	exclude("nothing", 0);
	cr_assert_eq(h.n, 3);
	/* The table still finds them: a duplicate is dropped, a new one added. */
	cr_assert_eq(hosts_add_list(&h, "web4,web2", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 4);
	expect_host(3, "web2", NULL, "web2", 0);
	hosts_free(&h);
}

/* Without user@ and :port an exclusion takes the host however written. */
Test(unit_hosts, exclude_by_host_or_exactly)
{
	cr_assert_eq(hosts_add_list(&h, "a,root@a,a:22,me@a:2,b,root@b,b:22,[::1]:22",
				    err, sizeof err), 0, "%s", err);
	exclude("a,root@b,b:2222,::1", 6);
	cr_assert_eq(h.n, 2);
	expect_host(0, "b", NULL, "b", 0);
	expect_host(1, "b:22", NULL, "b", 22);
	hosts_free(&h);
}

Test(unit_hosts, exclude_everything)
{
	cr_assert_eq(hosts_add_list(&h, "n[1-3]", err, sizeof err), 0, "%s", err);
	exclude("n[1-5]", 3);
	cr_assert_eq(h.n, 0);
	hosts_free(&h);
}

/* The names a list (-x's grammar) adds to an empty set, space-separated. */
static void expect_names(const char *list, const char *want)
{
	struct hosts mine = { 0 };
	char got[512] = "";

	cr_assert_eq(hosts_add_list(&mine, list, err, sizeof err), 0, "%s: %s",
		     list, err);
	for (size_t k = 0; k < mine.n; k++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
			 k ? " " : "", mine.v[k].name);
	cr_assert_str_eq(got, want, "for \"%s\"", list);
	hosts_free(&mine);
}

/* ClusterShell's operators, left to right: "a,b!c" is (a,b)!c. */
Test(unit_hosts, set_operations)
{
	expect_names("a[1-5]!a3", "a1 a2 a4 a5");
	expect_names("a[1-5]&a[3-9]", "a3 a4 a5");
	expect_names("a[1-3]^a[2-4]", "a1 a4");
	expect_names("a1,a[1-5]!a3,a9", "a1 a2 a4 a5 a9");
	expect_names("a[1-5]!a3,a3", "a1 a2 a4 a5 a3");
	expect_names("a[1-3]^a2,b1&b1", "b1");
	expect_names(" a[1-4] ! a[2-3] , , b ", "a1 a4 b");
	expect_names("a1!a1,a2", "a2");
	/* A spec as written is a host: u@a1 is not a1. */
	expect_names("u@a[1-2],a1!a1", "u@a1 u@a2");
	expect_names("a[1-2]:22&a1:22", "a1:22");
}

/* "^FILE" is a file where an operand begins, an operator elsewhere. */
Test(unit_hosts, set_operations_with_files)
{
	char *path = temp_file("n2\nn[4-5]\n");
	char list[128];

	snprintf(list, sizeof list, "n[1-5]!^%s", path);
	expect_names(list, "n1 n3");
	snprintf(list, sizeof list, "n[1-3]^^%s", path);
	expect_names(list, "n1 n3 n4 n5");
	snprintf(list, sizeof list, "^%s&n[1-4]", path);
	expect_names(list, "n2 n4");
	unlink(path);
	free(path);
}

/* pdsh's -HOST still leaves hosts out of every list, in any place. */
Test(unit_hosts, set_operations_and_pdsh_exclusions)
{
	struct hosts x = { 0 };

	cr_assert_eq(hosts_select(&h, &x, "-n2,n[1-5]!n4", err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(hosts_exclude(&h, &x), 1);
	cr_assert_eq(h.n, 3);
	expect_host(0, "n1", NULL, "n1", 0);
	expect_host(2, "n5", NULL, "n5", 0);
	cr_assert_eq(hosts_select(&h, &x, "n1,-n2!n3", err, sizeof err), -1);
	cr_assert_str_eq(err, "'-n2!': pdsh's -HOST takes no set operator");
	cr_assert_eq(hosts_select(&h, &x, "n1!-n2", err, sizeof err), -1);
	cr_assert_str_eq(err, "'-n2': a host name cannot begin with '-'");
	hosts_free(&x);
	hosts_free(&h);
}

Test(unit_hosts, set_operation_errors)
{
	expect_list_error("!a1", "'!a1': column 1: no hosts before '!'");
	expect_list_error("a1,&a2", "'a1,&a2': column 4: no hosts before '&'");
	expect_list_error("a1^", "'a1^': column 3: no hosts after '^'");
	expect_list_error("a1! ,a2", "'a1! ,a2': column 3: no hosts after '!'");
	expect_list_error("a1!!a2", "'a1!!a2': column 3: no hosts after '!'");
	expect_list_error("a1!b[1-", "'b[1-': column 5: unclosed '['");
	expect_list_error("a1&b/c", "'b/c': '/' cannot be in a host name");
	expect_list_error("a[1-3]!a[1-3]", "'a[1-3]!a[1-3]': the set operations "
			  "leave no host");
}
