/*
 * --stdin streams: ringrun's stdin reaches every task as it comes, before
 * it ends.  Each dialogue is ordered by cause: the test writes a line,
 * reads ringrun's stdout until every task's answer is there, and only
 * then writes the next one.  Memory stays bounded: 100 MiB through it
 * leave ringrun's peak RSS far below that.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("stream");
}

static void sshd_up(void)
{
	dir_up();
	cli_sshd_up(2);
}

/* What came on fd so far. */
struct got {
	char data[8192];
	size_t len;
};

/* Read fd into g until what occurs n times in it; fails the test after
   HANG_GUARD_MS or at EOF. */
static void read_until(int fd, struct got *g, const char *what, int n)
{
	long long deadline = now_ms() + HANG_GUARD_MS;

	while (cli_count(g->data, what) < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t r;

		cr_assert_gt(left, 0, "never %d of \"%s\"; came: %s", n, what, g->data);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(fd, g->data + g->len, sizeof g->data - 1 - g->len);
		cr_assert_gt(r, 0, "ended before %d of \"%s\": %s", n, what, g->data);
		g->len += (size_t)r;
		g->data[g->len] = '\0';
	}
}

static void say(struct proc *p, const char *line)
{
	size_t len = strlen(line);

	cr_assert_eq(write(p->in, line, len), (ssize_t)len);
}

/*
 * bc in every task: 1+1 is answered by each of the n tasks before 2+3 is
 * written; then stdin ends, each answers 5 and ends, ringrun exits 0.
 * answer2, answer5: how an answer reads in ringrun's stream output.
 */
static void dialogue(bool ssh, const char *const args[], int n, const char *answer2,
		     const char *answer5)
{
	const char *argv[64] = { ringrun_bin() };
	struct got g = { .len = 0 };
	struct proc p;
	struct proc_result r;

	cli_args(argv + 1, 63, ssh, args);
	proc_start(&p, argv, false);
	say(&p, "1+1\n");
	read_until(p.out, &g, cli_expand(answer2), n);
	cr_assert_eq(cli_count(g.data, cli_expand(answer5)), 0, "%s", g.data);
	say(&p, "2+3\n");
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "");
	strncat(g.data, r.out, sizeof g.data - g.len - 1);
	cr_assert_eq(cli_count(g.data, cli_expand(answer5)), n, "%s", g.data);
	proc_result_free(&r);
}

#define STREAM_TEST(name) \
	Test(cli_stream, name, .init = dir_up, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
#define FLEET_TEST(name) \
	Test(cli_stream_fleet, name, .init = sshd_up, .fini = cli_dir_down, \
	     .timeout = TEST_TIMEOUT)

STREAM_TEST(dialogue_with_three_tasks)
{
	dialogue(false, (const char *[]){ "--stdin", "-o", "stream", "-j", "3", "bc; : {}",
					  ":::", "a", "b", "c", NULL },
		 3, ": 2\n", ": 5\n");
}

FLEET_TEST(dialogue_with_two_hosts)
{
	dialogue(true, (const char *[]){ "--stdin", "-o", "stream", "-w", "@H1,@H2", "bc",
					 NULL },
		 2, ": 2\n", ": 5\n");
}

/*
 * -j 1: the second task starts once the first ended, in the middle of the
 * stream; it gets what was read before it started, then the rest.
 */
STREAM_TEST(late_task_gets_what_came_before)
{
	const char *argv[] = { ringrun_bin(), "--stdin", "-o", "stream", "-j", "1",
			       "if [ {} = a ]; then head -n 1; else cat; fi", ":::", "a", "b",
			       NULL };
	struct got g = { .len = 0 };
	struct proc p;
	struct proc_result r;

	proc_start(&p, argv, false);
	say(&p, "one\n");
	read_until(p.out, &g, "a: one\n", 1);
	say(&p, "two\n");
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	strncat(g.data, r.out, sizeof g.data - g.len - 1);
	cr_assert_str_eq(g.data, "a: one\nb: one\nb: two\n");
	proc_result_free(&r);
}

/* Every task gets all of it, those that start after it ended too. */
#define ARGS(...) .args = { __VA_ARGS__, NULL }
Test(cli_stream, after_the_end_too, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	check_case(&(const struct cli_case){
		ARGS("--stdin", "-k", "-j", "1", "cat; echo {}", ":::", "a", "b", "c"),
		.in = "x\ny\n",
		.out = "x\ny\na\nx\ny\nb\nx\ny\nc\n",
	});
}

/* 100 MiB to two wc -c at once: all of it to each, and ringrun holds a
   bounded part of it at a time (its peak RSS, by time(1)). */
STREAM_TEST(hundred_mib_in_bounded_memory)
{
	char cmd[1024];
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct proc_result r;
	char *rss;

	/* AddressSanitizer keeps freed memory resident in a 256 MiB quarantine:
	   that is the sanitizer's, not ringrun's, so it is made small here. */
	snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}"
		 "quarantine_size_mb=4; export ASAN_OPTIONS; "
		 "head -c 104857600 /dev/zero | /usr/bin/time -f %%M -o "
		 "%s/rss %s --stdin -j 2 -k 'wc -c; : {}' ::: a b", cli.dir, ringrun_bin());
	run_prog(argv, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "104857600\n104857600\n");
	rss = cli_slurp("rss");
	cr_assert_not_null(rss);
	cr_assert_lt(atol(rss), 32 * 1024, "peak RSS %s KiB", rss);
	free(rss);
	proc_result_free(&r);
}

/* -j 1 with hosts: the second host starts once the first ended, after the
   end of stdin, and gets all of it. */
Test(cli_stream_fleet, host_waiting_for_a_slot, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	check_case(&(const struct cli_case){
		.ssh = true,
		ARGS("--stdin", "-k", "-j", "1", "-w", "@H1,@H2", "cat"),
		.in = "x\ny\n",
		.out = "---- @H1 ----\nx\ny\n---- @H2 ----\nx\ny\n",
	});
}
