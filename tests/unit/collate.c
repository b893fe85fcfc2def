/* cli/collate.c: -o collate's groups, their order and what is printed. */
#define _GNU_SOURCE /* memfd_create */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output/collate.h"

static struct output o;
static int out_fd, err_fd;

/* The output every test prints to: collate_task writes stderr lines. */
static void start(void)
{
	out_fd = memfd_create("out", 0);
	err_fd = memfd_create("err", 0);
	cr_assert(out_fd >= 0 && err_fd >= 0);
	output_init(&o, OUT_COLLATE, out_fd, err_fd);
}

static void stop(void)
{
	output_free(&o);
	close(out_fd);
	close(err_fd);
}

static void expect_fd(int fd, const char *want)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *got = malloc((size_t)end + 1);

	cr_assert_eq(pread(fd, got, (size_t)end, 0), end);
	got[end] = '\0';
	cr_assert_str_eq(got, want);
	free(got);
}

/* Print c, then check both streams (what the tasks wrote too). */
static void expect(struct collate *c, const char *out, const char *err)
{
	collate_print(c, &o);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, out);
	expect_fd(err_fd, err);
}

static struct collate_key key(size_t part, int rc, const char *out,
			      const char *err)
{
	return (struct collate_key){ part, rc, out, strlen(out), err,
				     strlen(err) };
}

static void add(struct collate *c, const char *name, const char *out,
		const char *err)
{
	struct collate_key k = key(0, 0, out, err);

	collate_add(c, &k, name, NULL, false);
}

#define HDR(names) "---------------\n" names "\n---------------\n"
#define DSH(names) "----------------\n" names "\n----------------\n"
#define SUITE(name) Test(unit_collate, name, .init = start, .fini = stop)

/* clush -b's order: the largest group first, then by first member as a
   string (so h10 before h9); members folded, one alone without "(1)". */
SUITE(groups_largest_first_then_by_first_member)
{
	struct collate c;

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	add(&c, "h9", "c\n", "");
	add(&c, "h05", "b\n", "");
	add(&c, "h03", "a\n", "");
	add(&c, "h02", "b\n", "");
	add(&c, "h01", "a\n", "");
	add(&c, "h07", "a\n", "");
	add(&c, "h10", "d\n", "");
	cr_assert_eq(c.n, 4);
	expect(&c,
	       HDR("h[01,03,07] (3)") "a\n"
	       HDR("h[02,05] (2)") "b\n"
	       HDR("h10") "d\n"
	       HDR("h9") "c\n", "");
	collate_free(&c);
}

/* Members in ClusterShell's order: pattern first, then the numbers. */
SUITE(members_in_nodeset_order)
{
	struct collate c;

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	add(&c, "web2", "x\n", "");
	add(&c, "db10", "x\n", "");
	add(&c, "web1", "x\n", "");
	add(&c, "db9", "x\n", "");
	add(&c, "a", "x\n", "");
	expect(&c, HDR("a,db[9-10],web[1-2] (5)") "x\n", "");
	collate_free(&c);
}

/* -B: stdout and stderr, each on its own, make the output. */
SUITE(with_stderr_streams_split_groups)
{
	struct collate c;

	collate_init(&c, COLLATE_CLUSH, true, NULL);
	add(&c, "h1", "ab\n", "");
	add(&c, "h2", "a\n", "b\n");
	add(&c, "h3", "", "ab\n");
	add(&c, "h4", "a\n", "b\n");
	cr_assert_eq(c.n, 3);
	expect(&c, HDR("h[2,4] (2)") "a\nb\n" HDR("h1") "ab\n" HDR("h3") "ab\n",
	       "");
	collate_free(&c);
}

/* A silent task is kept (its exit status may be said) but not shown. */
SUITE(silent_tasks_not_listed)
{
	struct collate c;

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	add(&c, "h1", "", "");
	add(&c, "h2", "x\n", "");
	cr_assert_eq(c.n, 2);
	expect(&c, HDR("h2") "x\n", "");
	collate_free(&c);
}

/* One copy per distinct output, owned by the table. */
SUITE(keeps_one_copy)
{
	struct collate c;
	char out[] = "same\n";

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	for (unsigned k = 1; k <= 1000; k++) {
		char name[16];

		snprintf(name, sizeof name, "n%u", k);
		add(&c, name, out, "");
	}
	out[0] = 'X';
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.g[0].n, 1000);
	expect(&c, HDR("n[1-1000] (1000)") "same\n", "");
	collate_free(&c);
}

/* Parts never merge; each is headed by its label, parts in order. */
SUITE(parts_and_labels)
{
	struct collate c;
	struct collate_key k2 = key(2, 0, "x\n", ""), k1 = key(1, 0, "x\n", "");

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	collate_add(&c, &k2, "db1", "uptime", false);
	collate_add(&c, &k1, "web1", "date", false);
	collate_add(&c, &k1, "db1", "date", false);
	collate_add(&c, &k2, "web1", "uptime", false);
	cr_assert_eq(c.n, 2);
	expect(&c, HDR("db1,web1 date (2)") "x\n" HDR("db1,web1 uptime (2)") "x\n",
	       "");
	collate_free(&c);
}

/* The exit status splits a group and orders the groups; each non-zero one
   is said once at the end, folded, as clush says it. */
SUITE(exit_status_splits_and_is_said)
{
	struct collate c;
	struct collate_key ok = key(0, 0, "same\n", ""), three = key(0, 3, "same\n", ""),
			   other = key(0, 3, "other\n", ""), quiet = key(0, 3, "", ""),
			   lost = key(0, 255, "", "");

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	collate_add(&c, &three, "n4", NULL, true);
	collate_add(&c, &ok, "n1", NULL, false);
	collate_add(&c, &other, "n3", NULL, true);
	collate_add(&c, &quiet, "n5", NULL, true);
	collate_add(&c, &ok, "n2", NULL, false);
	collate_add(&c, &lost, "n6", NULL, false); /* its own line said why */
	expect(&c, HDR("n[1-2] (2)") "same\n" HDR("n3") "other\n" HDR("n4") "same\n",
	       "ringrun: n[3-5] (3): exited with exit code 3\n");
	collate_free(&c);
}

/* dshbak -c: its rule, no count, by the last number, no split by status. */
SUITE(dshbak_style)
{
	struct collate c;
	struct collate_key a = key(0, 0, "a\n", ""), b = key(0, 0, "b\n", "");

	collate_init(&c, COLLATE_DSHBAK, false, NULL);
	collate_add(&c, &b, "h10", NULL, false);
	collate_add(&c, &a, "h9", NULL, false);
	collate_add(&c, &b, "h2", NULL, false);
	collate_add(&c, &a, "h3", NULL, false);
	collate_add(&c, &a, "h1", NULL, false);
	expect(&c, DSH("h[1,3,9]") "a\n" DSH("h[2,10]") "b\n", "");
	collate_free(&c);
}

/* dshbak -c: groups by the smallest last number of their hosts, hosts by
   the text before it, then by it. */
SUITE(dshbak_order)
{
	struct collate c;

	collate_init(&c, COLLATE_DSHBAK, false, NULL);
	add(&c, "b1", "x\n", "");
	add(&c, "a2", "x\n", "");
	add(&c, "c0", "y\n", "");
	add(&c, "web10", "z\n", "");
	add(&c, "web9", "z\n", "");
	add(&c, "n09", "q\n", "");
	add(&c, "n10", "q\n", "");
	/* web9 and n09 tie: dshbak leaves it to Perl's hash order, ringrun
	   puts the less padded number first */
	expect(&c, DSH("c0") "y\n" DSH("a2,b1") "x\n" DSH("web[9-10]") "z\n"
	       DSH("n[09-10]") "q\n", "");
	collate_free(&c);
}

/* Every output collides: the bytes still decide. */
static uint64_t one_hash(const struct collate_key *k)
{
	(void)k;
	return 42;
}

SUITE(equal_hashes_compared_byte_for_byte)
{
	struct collate c;
	struct collate_key k = key(1, 0, "same", ""), r = key(0, 1, "same", "");

	collate_init(&c, COLLATE_CLUSH, true, one_hash);
	add(&c, "a1", "same", "");
	add(&c, "a2", "samE", "");
	add(&c, "a3", "same", "x");
	add(&c, "a4", "same", "");
	add(&c, "a5", "sam", "e");
	collate_add(&c, &k, "a6", NULL, false);
	collate_add(&c, &r, "a7", NULL, false);
	cr_assert_eq(c.n, 6);
	cr_assert_eq(c.g[0].n, 2);
	expect(&c,
	       HDR("a[1,4] (2)") "same\n" HDR("a2") "samE\n" HDR("a3") "same\nx\n"
	       HDR("a5") "sam\ne\n" HDR("a7") "same\n" HDR("a6") "same\n", "");
	collate_free(&c);
}

/* Thousands of distinct outputs: the table grows and finds each again. */
SUITE(grows)
{
	enum { N = 20000 };
	struct collate c;
	char out[32];

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned k = 0; k < N; k++) {
			snprintf(out, sizeof out, "output %u\n", k);
			add(&c, round ? "b" : "a", out, "");
		}
	}
	cr_assert_eq(c.n, N);
	cr_assert_geq(c.index.nslot, 2 * N);
	for (unsigned k = 0; k < N; k++)
		cr_assert_eq(c.g[k].n, 2, "group %u has %zu", k, c.g[k].n);
	collate_free(&c);
}

Test(unit_collate, hash_covers_part_rc_and_both_streams)
{
	struct collate_key a = key(0, 0, "ab", ""), b = key(0, 0, "a", "b"),
			   c = key(0, 0, "", "ab"), d = key(1, 0, "ab", ""),
			   e = key(0, 0, "ab", ""), f = key(0, 1, "ab", "");

	cr_assert_neq(collate_hash(&a), collate_hash(&b));
	cr_assert_neq(collate_hash(&a), collate_hash(&c));
	cr_assert_neq(collate_hash(&b), collate_hash(&c));
	cr_assert_neq(collate_hash(&a), collate_hash(&d));
	cr_assert_neq(collate_hash(&a), collate_hash(&f));
	cr_assert_eq(collate_hash(&a), collate_hash(&e));
}

static struct rr_result result(const char *out, const char *err, int rc)
{
	return (struct rr_result){
		.status = rc ? RR_EXIT_NONZERO : RR_OK,
		.exit_code = rc,
		.pid = 1,
		.start_ns = 1,
		.out = { out, strlen(out), strlen(out), false },
		.err = { err, strlen(err), strlen(err), false },
	};
}

/* Local mode: the members are the tags (inputs, or the command). */
SUITE(local_tags)
{
	struct collate c;
	struct rr_result same = result("ok\n", "", 0), other = result("no\n", "", 0);
	struct task_info t1 = { .seq = 1, .tag = "file2", .tag_len = 5,
				.input = true, .input_no = 1 };
	struct task_info t2 = { .seq = 2, .tag = "file1", .tag_len = 5,
				.input = true, .input_no = 2 };
	struct task_info t3 = { .seq = 3, .tag = "notes", .tag_len = 5,
				.input = true, .input_no = 3 };

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	cr_assert_not(collate_task(&c, &o, &t3, &other));
	cr_assert_not(collate_task(&c, &o, &t2, &same));
	cr_assert_not(collate_task(&c, &o, &t1, &same));
	expect(&c, HDR("file[1-2] (2)") "ok\n" HDR("notes") "no\n", "");
	collate_free(&c);
}

/* Fleet mode: the members are hosts, each input a part of its own. */
SUITE(fleet_hosts_per_input)
{
	struct collate c;
	struct rr_result same = result("ok\n", "", 0);
	struct task_info t = { .tag = "a", .tag_len = 1, .input = true };

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	for (unsigned h = 0; h < 3; h++) {
		char host[16];

		snprintf(host, sizeof host, "web%u", 3 - h);
		t.host = host;
		t.host_len = strlen(host);
		for (unsigned in = 1; in <= 2; in++) {
			t.seq = h * 2 + in;
			t.input_no = in;
			t.tag = in == 1 ? "a" : "b c";
			t.tag_len = strlen(t.tag);
			collate_task(&c, &o, &t, &same);
		}
	}
	expect(&c, HDR("web[1-3] a (3)") "ok\n" HDR("web[1-3] b c (3)") "ok\n", "");
	collate_free(&c);
}

/*
 * clush -b: stderr as it comes, "HOST: line", apart from the groups; a
 * last line without its newline is the same line; the exit status splits
 * and is said, unless the task did not exit (its own line said why).
 */
SUITE(fleet_like_clush_b)
{
	struct collate c;
	struct rr_result r1 = result("up\n", "", 0), r2 = result("up", "e1\ne2", 0),
			 r3 = result("up\n", "", 2), r4 = result("", "gone\n", 0);
	struct task_info a = { .seq = 1, .tag = "uptime", .tag_len = 6,
			       .host = "db1", .host_len = 3 };
	struct task_info b = a, d = a, e = a;

	b.host = "db2", d.host = "db3", e.host = "db4";
	r4.status = RR_CONNECT_FAILED;
	r4.start_ns = 0;
	collate_init(&c, COLLATE_CLUSH, false, NULL);
	cr_assert(collate_task(&c, &o, &d, &r3));
	cr_assert_not(collate_task(&c, &o, &b, &r2));
	cr_assert_not(collate_task(&c, &o, &a, &r1));
	cr_assert_not(collate_task(&c, &o, &e, &r4));
	expect(&c, HDR("db[1-2] (2)") "up\n" HDR("db3") "up\n",
	       "db2: e1\ndb2: e2\ndb4: gone\n"
	       "ringrun: db3: exited with exit code 2\n");
	collate_free(&c);
}

/* clush -B: stderr is part of the output, with its last newline. */
SUITE(fleet_like_clush_B)
{
	struct collate c;
	struct rr_result r1 = result("up\n", "e", 0), r2 = result("up", "e\n", 0),
			 r3 = result("up\n", "", 0);
	struct task_info a = { .seq = 1, .tag = "uptime", .tag_len = 6,
			       .host = "db1", .host_len = 3 };
	struct task_info b = a, d = a;

	b.host = "db2", d.host = "db3";
	collate_init(&c, COLLATE_CLUSH, true, NULL);
	collate_task(&c, &o, &a, &r1);
	collate_task(&c, &o, &b, &r2);
	collate_task(&c, &o, &d, &r3);
	expect(&c, HDR("db[1-2] (2)") "up\ne\n" HDR("db3") "up\n", "");
	collate_free(&c);
}

SUITE(nothing_prints_nothing)
{
	struct collate c;

	collate_init(&c, COLLATE_CLUSH, false, NULL);
	expect(&c, "", "");
	collate_free(&c);
}
