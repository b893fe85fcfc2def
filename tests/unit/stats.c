/* cli/stats.c: the --stats lines. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "output/stats.h"

Test(unit_stats, lines)
{
	struct run_figures f = {
		.ok = 998, .failed = 2, .wall_ns = 2000000000,
		.self = { .ru_utime = { 1, 500000 }, .ru_stime = { 0, 250000 } },
		.peak_rss_kb = 4096,
		.children = { .ru_utime = { 3, 0 }, .ru_stime = { 4, 125000 } },
		.loop = { .enters = 1500, .sqes = 8000, .cqes = 6000,
			  .max_running = 64,
			  .features = RR_FEAT_WAITID | RR_FEAT_GROUP_SIGNAL |
				      RR_FEAT_ASYNC_SPAWN },
	};
	struct buf b = BUF_INIT;

	stats_format(&b, &f);
	cr_assert_str_eq(b.data,
		"ringrun: tasks 1000 (998 ok, 2 failed) in 2.000 s: 500.0 tasks/s, 64 at once\n"
		"ringrun: cpu ringrun 1.500 s user 0.250 s sys, peak rss 4096 KiB; "
		"children 3.000 s user 4.125 s sys\n"
		"ringrun: io_uring 1500 enters 8000 sqes 6000 cqes "
		"(per task 1.50 enters 8.00 sqes 6.00 cqes)\n"
		"ringrun: features waitid group-signal async-spawn\n");
	buf_free(&b);
}

/* The figure a benchmark wants: this process's own peak, never 0. */
Test(unit_stats, peak_rss_is_our_own)
{
	long kb = stats_peak_rss_kb();
	char *grow = malloc(64 << 20);

	cr_assert_gt(kb, 0);
	memset(grow, 1, 64 << 20);
	cr_assert_geq(stats_peak_rss_kb(), kb + 60 * 1024, "64 MiB touched, VmHWM did not follow");
	free(grow);
}

Test(unit_stats, nothing_ran)
{
	struct run_figures f = { 0 };
	struct buf b = BUF_INIT;

	stats_format(&b, &f);
	cr_assert_not_null(strstr(b.data, "ringrun: tasks 0 (0 ok, 0 failed)"));
	cr_assert_not_null(strstr(b.data, "0.0 tasks/s"));
	cr_assert_not_null(strstr(b.data, "ringrun: features none\n"));
	buf_free(&b);
}

Test(unit_stats, fleet_lines)
{
	struct run_figures f = {
		.ok = 9, .failed = 3, .wall_ns = 500000000,
		.loop = { .enters = 60, .sqes = 120, .cqes = 96, .max_running = 8 },
		.fleet = true, .hosts = 5, .reached = 3, .unreachable = 1,
		.hosts_at_once = 4, .per_host = 10,
	};
	struct buf b = BUF_INIT;

	stats_format(&b, &f);
	cr_assert_not_null(strstr(b.data,
		"ringrun: tasks 12 (9 ok, 3 failed) in 0.500 s: 24.0 tasks/s, "
		"4 hosts at once\n"
		"ringrun: hosts 5 (3 reached, 1 unreachable), 10 commands at once "
		"on each\n"
		"ringrun: cpu ringrun "), "%s", b.data);
	buf_free(&b);
}
