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

static void start(void)
{
	out_fd = memfd_create("out", 0);
	err_fd = memfd_create("err", 0);
	cr_assert(out_fd >= 0 && err_fd >= 0);
	output_init(&o, OUT_COLLATE, out_fd, err_fd);
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

/* Print c, then check both streams. */
static void expect(struct collate *c, const char *out, const char *err)
{
	start();
	collate_print(c, &o);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, out);
	expect_fd(err_fd, err);
	output_free(&o);
	close(out_fd);
	close(err_fd);
}

static struct collate_key key(size_t part, const char *out, const char *err)
{
	return (struct collate_key){ part, out, strlen(out), err, strlen(err) };
}

static void add(struct collate *c, unsigned long long seq, const char *name,
		const char *out, const char *err)
{
	struct collate_key k = key(0, out, err);

	collate_add(c, &k, seq, name, NULL);
}

#define HDR(names) "---------------\n" names "\n---------------\n"

/* Groups in the order of their first member, whatever order tasks end in;
   members folded in sequence order. */
Test(unit_collate, groups_ordered_by_first_member)
{
	struct collate c;

	collate_init(&c, NULL);
	add(&c, 5, "web05", "b\n", "");
	add(&c, 3, "web03", "a\n", "");
	add(&c, 2, "web02", "b\n", "");
	add(&c, 1, "web01", "a\n", "");
	add(&c, 7, "web07", "a\n", "");
	add(&c, 4, "web04", "c\n", "");
	cr_assert_eq(c.n, 3);
	expect(&c,
	       HDR("web[01,03,07] (3)") "a\n"
	       HDR("web[02,05] (2)") "b\n"
	       HDR("web04 (1)") "c\n", "");
	collate_free(&c);
}

/* stdout and stderr are compared each on its own: where one ends counts. */
Test(unit_collate, streams_split_groups)
{
	struct collate c;

	collate_init(&c, NULL);
	add(&c, 1, "h1", "ab", "");
	add(&c, 2, "h2", "a", "b");
	add(&c, 3, "h3", "", "ab");
	add(&c, 4, "h4", "a", "b");
	cr_assert_eq(c.n, 3);
	expect(&c, HDR("h1 (1)") "ab\n" HDR("h[2,4] (2)") "a\n",
	       HDR("h[2,4] (2)") "b\n" HDR("h3 (1)") "ab\n");
	collate_free(&c);
}

Test(unit_collate, silent_tasks_not_listed)
{
	struct collate c;

	collate_init(&c, NULL);
	add(&c, 1, "h1", "", "");
	add(&c, 2, "h2", "x\n", "");
	cr_assert_eq(c.n, 1);
	expect(&c, HDR("h2 (1)") "x\n", "");
	collate_free(&c);
}

/* One copy per distinct output, owned by the table. */
Test(unit_collate, keeps_one_copy)
{
	struct collate c;
	char out[] = "same\n";

	collate_init(&c, NULL);
	for (unsigned k = 1; k <= 1000; k++) {
		char name[16];

		snprintf(name, sizeof name, "n%u", k);
		add(&c, k, name, out, "");
	}
	out[0] = 'X';
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.g[0].n, 1000);
	expect(&c, HDR("n[1-1000] (1000)") "same\n", "");
	collate_free(&c);
}

/* Parts never merge; each is headed by its label, parts in order. */
Test(unit_collate, parts_and_labels)
{
	struct collate c;
	struct collate_key k2 = key(2, "x\n", ""), k1 = key(1, "x\n", "");

	collate_init(&c, NULL);
	collate_add(&c, &k2, 2, "db1", "uptime");
	collate_add(&c, &k1, 3, "web1", "date");
	collate_add(&c, &k1, 1, "db1", "date");
	collate_add(&c, &k2, 4, "web1", "uptime");
	cr_assert_eq(c.n, 2);
	expect(&c, HDR("db1,web1 date (2)") "x\n" HDR("db1,web1 uptime (2)") "x\n",
	       "");
	collate_free(&c);
}

/* Every output collides: the bytes still decide. */
static uint64_t one_hash(const struct collate_key *k)
{
	(void)k;
	return 42;
}

Test(unit_collate, equal_hashes_compared_byte_for_byte)
{
	struct collate c;

	collate_init(&c, one_hash);
	add(&c, 1, "a1", "same", "");
	add(&c, 2, "a2", "samE", "");
	add(&c, 3, "a3", "same", "x");
	add(&c, 4, "a4", "same", "");
	add(&c, 5, "a5", "sam", "e");
	struct collate_key k = key(1, "same", "");
	collate_add(&c, &k, 6, "a6", NULL);
	cr_assert_eq(c.n, 5);
	cr_assert_eq(c.g[0].n, 2);
	expect(&c,
	       HDR("a[1,4] (2)") "same\n" HDR("a2 (1)") "samE\n"
	       HDR("a3 (1)") "same\n" HDR("a5 (1)") "sam\n" HDR("a6 (1)") "same\n",
	       HDR("a3 (1)") "x\n" HDR("a5 (1)") "e\n");
	collate_free(&c);
}

/* Thousands of distinct outputs: the table grows and finds each again. */
Test(unit_collate, grows)
{
	enum { N = 20000 };
	struct collate c;
	char out[32];

	collate_init(&c, NULL);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned k = 0; k < N; k++) {
			snprintf(out, sizeof out, "output %u\n", k);
			add(&c, round * N + k + 1, round ? "b" : "a", out, "");
		}
	}
	cr_assert_eq(c.n, N);
	cr_assert_geq(c.index.nslot, 2 * N);
	for (unsigned k = 0; k < N; k++)
		cr_assert_eq(c.g[k].n, 2, "group %u has %zu", k, c.g[k].n);
	collate_free(&c);
}

Test(unit_collate, hash_covers_part_and_both_streams)
{
	struct collate_key a = key(0, "ab", ""), b = key(0, "a", "b"),
			   c = key(0, "", "ab"), d = key(1, "ab", ""),
			   e = key(0, "ab", "");

	cr_assert_neq(collate_hash(&a), collate_hash(&b));
	cr_assert_neq(collate_hash(&a), collate_hash(&c));
	cr_assert_neq(collate_hash(&b), collate_hash(&c));
	cr_assert_neq(collate_hash(&a), collate_hash(&d));
	cr_assert_eq(collate_hash(&a), collate_hash(&e));
}

static struct rr_result result(const char *out, const char *err)
{
	return (struct rr_result){
		.out = { out, strlen(out), strlen(out), false },
		.err = { err, strlen(err), strlen(err), false },
	};
}

/* Local mode: the members are the tags (inputs, or the command). */
Test(unit_collate, local_tags)
{
	struct collate c;
	struct rr_result same = result("ok\n", ""), other = result("no\n", "");
	struct task_info t1 = { .seq = 1, .tag = "file2", .tag_len = 5,
				.input = true, .input_no = 1 };
	struct task_info t2 = { .seq = 2, .tag = "file1", .tag_len = 5,
				.input = true, .input_no = 2 };
	struct task_info t3 = { .seq = 3, .tag = "notes", .tag_len = 5,
				.input = true, .input_no = 3 };

	collate_init(&c, NULL);
	collate_task(&c, &t3, &other);
	collate_task(&c, &t2, &same);
	collate_task(&c, &t1, &same);
	expect(&c, HDR("file[1-2] (2)") "ok\n" HDR("notes (1)") "no\n", "");
	collate_free(&c);
}

/* Fleet mode: the members are hosts, each input a part of its own. */
Test(unit_collate, fleet_hosts_per_input)
{
	struct collate c;
	struct rr_result same = result("ok\n", "");
	struct task_info t = { .tag = "a", .tag_len = 1, .input = true };

	collate_init(&c, NULL);
	for (unsigned h = 0; h < 3; h++) {
		char host[16];

		snprintf(host, sizeof host, "web%u", 3 - h);
		t.host = host;
		t.host_len = strlen(host);
		for (unsigned in = 1; in <= 2; in++) {
			t.seq = h * 2 + in;
			t.input_no = in;
			t.tag = in == 1 ? "a" : "b c";
			collate_task(&c, &t, &same);
		}
	}
	expect(&c, HDR("web[1-3] a (3)") "ok\n" HDR("web[1-3] b c (3)") "ok\n", "");
	collate_free(&c);
}

/* Without inputs, a fleet's tasks are one part: the command is not shown. */
Test(unit_collate, fleet_without_inputs)
{
	struct collate c;
	struct rr_result r1 = result("up\n", ""), r2 = result("down\n", "");
	struct task_info a = { .seq = 1, .tag = "uptime", .tag_len = 6,
			       .host = "db1", .host_len = 3 };
	struct task_info b = { .seq = 2, .tag = "uptime", .tag_len = 6,
			       .host = "db2", .host_len = 3 };

	collate_init(&c, NULL);
	collate_task(&c, &b, &r2);
	collate_task(&c, &a, &r1);
	expect(&c, HDR("db1 (1)") "up\n" HDR("db2 (1)") "down\n", "");
	collate_free(&c);
}

Test(unit_collate, nothing_prints_nothing)
{
	struct collate c;

	collate_init(&c, NULL);
	expect(&c, "", "");
	collate_free(&c);
}
