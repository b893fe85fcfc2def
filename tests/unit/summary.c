/* cli/summary.c: counting task ends, the summary line, the --failed list. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/summary.h"

static struct hosts hosts;
static struct summary s;

static void add_hosts(const char *list)
{
	char err[256];

	cr_assert_eq(hosts_add_list(&hosts, list, err, sizeof err), 0, "%s", err);
}

/* Host number k ended a task so (its seq and tag do not matter here). */
static void host_task(size_t k, enum task_end how)
{
	const struct task_info t = { .seq = k + 1, .tag = "x", .tag_len = 1 };

	summary_task(&s, &t, k, how);
}

static void run_task(unsigned long long seq, size_t input_no, const char *tag,
		     enum task_end how)
{
	const struct task_info t = { .seq = seq, .tag = tag, .tag_len = strlen(tag),
				     .input_no = input_no };

	summary_task(&s, &t, 0, how);
}

static void local_task(unsigned long long seq, const char *tag, enum task_end how)
{
	run_task(seq, seq, tag, how);
}

static void expect_line(bool color, const char *want)
{
	struct buf b = BUF_INIT;

	summary_format(&s, &b, color);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

static void expect_failed(const char *want)
{
	struct buf b = BUF_INIT;

	summary_failed_list(&s, &b);
	cr_assert_str_eq(b.data ? b.data : "", want);
	buf_free(&b);
}

static void done(void)
{
	summary_free(&s);
	hosts_free(&hosts);
}

/* web001 .. web200 */
static void two_hundred(void)
{
	for (int k = 1; k <= 200; k++) {
		char name[16];

		snprintf(name, sizeof name, "web%03d", k);
		add_hosts(name);
	}
}

TestSuite(unit_summary, .fini = done);

Test(unit_summary, the_fleet_example)
{
	two_hundred();
	summary_init_fleet(&s, &hosts, 1);
	for (size_t k = 0; k < 200; k++)
		host_task(k, k == 6 || k == 18 ? TASK_FAILED :
			     k == 32 ? TASK_UNREACHABLE : TASK_OK);
	expect_line(false, "ringrun: 200 hosts: 197 ok, 2 failed web[007,019], "
			   "1 unreachable web033\n");
	expect_failed("web[007,019,033]\n"); /* as nodeset -f */
	cr_assert_eq(s.hosts_done, 200);
	cr_assert_eq(s.hosts_unreachable, 1);
}

Test(unit_summary, fleet_colour)
{
	add_hosts("a1,a2,b");
	summary_init_fleet(&s, &hosts, 1);
	host_task(0, TASK_OK);
	host_task(1, TASK_FAILED);
	host_task(2, TASK_UNREACHABLE);
	expect_line(true, "ringrun: 3 hosts: \033[32m1 ok\033[0m, "
			  "\033[31m1 failed a2\033[0m, \033[33m1 unreachable b\033[0m\n");
}

/* A host with any failed task is failed; unreachable wins over that. */
Test(unit_summary, worst_task_decides)
{
	add_hosts("h1,h2,h3");
	summary_init_fleet(&s, &hosts, 3);
	for (size_t k = 0; k < 3; k++)
		host_task(0, TASK_OK);
	host_task(1, TASK_OK);
	host_task(1, TASK_FAILED);
	host_task(1, TASK_OK);
	host_task(2, TASK_FAILED);
	host_task(2, TASK_UNREACHABLE);
	host_task(2, TASK_UNREACHABLE);
	expect_line(false, "ringrun: 3 hosts: 1 ok, 1 failed h2, 1 unreachable h3\n");
	cr_assert_eq(s.ok, 5);
	cr_assert_eq(s.failed, 2);
	cr_assert_eq(s.unreachable, 2);
	cr_assert_eq(s.hosts_unreachable, 1);
}

/* Stopped early: hosts whose tasks did not all run, none failed. */
Test(unit_summary, not_run)
{
	add_hosts("h1,h2,h3,h4");
	summary_init_fleet(&s, &hosts, 2);
	host_task(0, TASK_OK);
	host_task(0, TASK_OK);
	host_task(1, TASK_OK);
	host_task(2, TASK_FAILED);
	expect_line(false, "ringrun: 4 hosts: 1 ok, 1 failed h3, 2 not run\n");
	cr_assert_eq(s.hosts_done, 1);
	expect_failed("h3\n");
}

Test(unit_summary, one_host)
{
	add_hosts("web1");
	summary_init_fleet(&s, &hosts, 1);
	host_task(0, TASK_OK);
	expect_line(false, "ringrun: 1 host: 1 ok\n");
	expect_failed("");
}

/* Names as written: user@ and :port stay, for a re-run to reach them. */
Test(unit_summary, failed_list_keeps_user_and_port)
{
	add_hosts("root@db1:2222,web2,[::1]:2200,deploy@web3");
	summary_init_fleet(&s, &hosts, 1);
	host_task(0, TASK_UNREACHABLE);
	host_task(1, TASK_OK);
	host_task(2, TASK_FAILED);
	host_task(3, TASK_FAILED);
	expect_failed("root@db1:2222,[::1]:2200,deploy@web3\n");
}

/* Names that do not fold: cut at a comma with "..." after 50 characters. */
Test(unit_summary, long_list_cut_between_names)
{
	static const char *const names[] = { "alpha", "bravo", "charlie", "delta",
		"echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima" };

	for (size_t k = 0; k < 12; k++)
		add_hosts(names[k]);
	summary_init_fleet(&s, &hosts, 1);
	for (size_t k = 0; k < 12; k++)
		host_task(k, TASK_FAILED);
	expect_line(false, "ringrun: 12 hosts: 0 ok, 12 failed alpha,bravo,charlie,"
			   "delta,echo,foxtrot,golf,hotel,...\n");
	expect_failed("alpha,bravo,charlie,delta,echo,foxtrot,golf,hotel,india,"
		      "juliet,kilo,lima\n");
}

/* One range too long: cut between its parts, the rest of the name kept. */
Test(unit_summary, long_range_cut_inside)
{
	for (int k = 1; k <= 99; k += 2) {
		char name[32];

		snprintf(name, sizeof name, "n%d.lab", k);
		add_hosts(name);
	}
	add_hosts("db1");
	summary_init_fleet(&s, &hosts, 1);
	for (size_t k = 0; k < hosts.n; k++)
		host_task(k, TASK_FAILED);
	expect_line(false, "ringrun: 51 hosts: 0 ok, 51 failed "
			   "n[1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,...].lab,...\n");
}

/* A name longer than the cap is never cut. */
Test(unit_summary, long_name_whole)
{
	const char *name = "a-very-long-host-name-that-goes-on.and-on.example.com";

	add_hosts(name);
	add_hosts("b");
	summary_init_fleet(&s, &hosts, 1);
	host_task(0, TASK_UNREACHABLE);
	host_task(1, TASK_UNREACHABLE);
	expect_line(false, "ringrun: 2 hosts: 0 ok, 2 unreachable "
			   "a-very-long-host-name-that-goes-on.and-on.example.com,...\n");
}

Test(unit_summary, fleet_nothing_to_run)
{
	add_hosts("h1,h2");
	summary_init_fleet(&s, &hosts, 0);
	cr_assert_eq(s.tasks, 0);
	expect_line(false, "ringrun: 2 hosts: 2 ok\n");
}

Test(unit_summary, local_line)
{
	summary_init(&s, 5000, false);
	for (unsigned k = 1; k <= 5000; k++)
		local_task(k, "x", k == 17 || k == 4000 ? TASK_FAILED : TASK_OK);
	expect_line(false, "ringrun: 5000 tasks: 4998 ok, 2 failed\n");
	expect_line(true, "ringrun: 5000 tasks: \033[32m4998 ok\033[0m, "
			  "\033[31m2 failed\033[0m\n");
	expect_failed(""); /* not kept without --failed */
}

Test(unit_summary, local_stopped_early)
{
	summary_init(&s, 10, false);
	local_task(1, "a", TASK_FAILED);
	local_task(2, "b", TASK_FAILED);
	expect_line(false, "ringrun: 10 tasks: 0 ok, 2 failed, 8 not run\n");
	expect_line(true, "ringrun: 10 tasks: 0 ok, \033[31m2 failed\033[0m, 8 not run\n");
}

Test(unit_summary, local_one_task)
{
	summary_init(&s, 1, true);
	local_task(1, "true", TASK_OK);
	expect_line(false, "ringrun: 1 task: 1 ok\n");
	expect_failed("");
}

/* The failed inputs in input order, whatever order they ended in. */
Test(unit_summary, local_failed_inputs_in_order)
{
	summary_init(&s, 6, true);
	local_task(5, "e e", TASK_FAILED);
	local_task(1, "a", TASK_OK);
	local_task(2, "b", TASK_FAILED);
	local_task(6, "", TASK_FAILED);
	local_task(3, "c", TASK_OK);
	expect_failed("b\ne e\n\n");
}

/* --repeat: an input is listed once however many of its runs failed; two
   inputs that read the same stay two. */
Test(unit_summary, local_failed_runs_of_one_input)
{
	summary_init(&s, 9, true);
	run_task(6, 2, "b", TASK_FAILED);
	run_task(1, 1, "a", TASK_FAILED);
	run_task(4, 2, "b", TASK_FAILED);
	run_task(7, 3, "a", TASK_FAILED);
	run_task(5, 2, "b", TASK_FAILED);
	run_task(9, 3, "a", TASK_FAILED);
	expect_failed("a\nb\na\n");
}

/* --resume-failed: what the job log had as done is not this run's task;
   a host whose other tasks ended well is ok. */
Test(unit_summary, done_before)
{
	summary_init(&s, 4, true);
	local_task(1, "a", TASK_DONE_BEFORE);
	local_task(2, "b", TASK_FAILED);
	local_task(3, "c", TASK_DONE_BEFORE);
	local_task(4, "d", TASK_OK);
	expect_line(false, "ringrun: 2 tasks: 1 ok, 1 failed\n");
	expect_failed("b\n");
	summary_free(&s);
	add_hosts("h1,h2,h3");
	summary_init_fleet(&s, &hosts, 2);
	host_task(0, TASK_DONE_BEFORE);
	host_task(0, TASK_OK);
	host_task(1, TASK_DONE_BEFORE);
	host_task(1, TASK_FAILED);
	host_task(2, TASK_DONE_BEFORE);
	host_task(2, TASK_DONE_BEFORE);
	cr_assert_eq(s.tasks, 2);
	cr_assert_eq(s.hosts_done, 3);
	expect_line(false, "ringrun: 3 hosts: 2 ok, 1 failed h2\n");
	expect_failed("h2\n");
}
