/* cli/color.c: when to colour, and what the output looks like in colour. */
#define _GNU_SOURCE /* memfd_create, posix_openpt */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output/collate.h"
#include "output/color.h"
#include "output/output.h"
#include "files.h"

Test(unit_color, parse)
{
	enum when w = WHEN_NEVER;

	cr_assert_null(parse_color("auto", &w));
	cr_assert_eq(w, WHEN_AUTO);
	cr_assert_null(parse_color("always", &w));
	cr_assert_eq(w, WHEN_ALWAYS);
	cr_assert_null(parse_color("never", &w));
	cr_assert_eq(w, WHEN_NEVER);
	cr_assert_str_eq(parse_color("yes", &w), "unknown value (auto, always, never)");
	cr_assert_not_null(parse_color("", &w));
	cr_assert_eq(w, WHEN_NEVER);
}

/* auto: a terminal, and NO_COLOR unset or empty (no-color.org); --color
   always and never win over both. */
Test(unit_color, wanted)
{
	int file = memfd_create("f", MFD_CLOEXEC);
	int pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	cr_assert(file >= 0 && pty >= 0);
	unsetenv("NO_COLOR");
	cr_assert(color_wanted(WHEN_AUTO, pty));
	cr_assert_not(color_wanted(WHEN_AUTO, file));
	cr_assert(color_wanted(WHEN_ALWAYS, file));
	cr_assert_not(color_wanted(WHEN_NEVER, pty));
	setenv("NO_COLOR", "", 1);
	cr_assert(color_wanted(WHEN_AUTO, pty), "an empty NO_COLOR counts as unset");
	setenv("NO_COLOR", "1", 1);
	cr_assert_not(color_wanted(WHEN_AUTO, pty));
	cr_assert(color_wanted(WHEN_ALWAYS, pty));
	unsetenv("NO_COLOR");
	close(file);
	close(pty);
}

static void expect_failure(const char *msg, bool unreachable, const char *want)
{
	struct buf b = BUF_INIT;

	color_failure(&b, msg, unreachable);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

Test(unit_color, failure_messages)
{
	expect_failure("'false' exited with status 1", false,
		       "\033[31m'false' exited with status 1\033[0m");
	expect_failure("host web7:22: 'x' exited with status 3", false,
		       "\033[1mhost web7:22\033[0m: \033[31m'x' exited with status 3\033[0m");
	expect_failure("host [::1]:2222: connection refused", true,
		       "\033[1mhost [::1]:2222\033[0m: \033[33mconnection refused\033[0m");
	expect_failure("hostname: not found", false, "\033[31mhostname: not found\033[0m");
}

/* ------------------------------------------------------ output in colour */

static void expect_fd(int fd, const char *want)
{
	char *got = fd_contents(fd);

	cr_assert_str_eq(got, want);
	free(got);
}

Test(unit_color, output_headers_bold_failures_painted)
{
	int out_fd = memfd_create("out", MFD_CLOEXEC), err_fd = memfd_create("err", MFD_CLOEXEC);
	struct output o;
	const struct task_info t = {
		.seq = 1, .tag = "uptime", .tag_len = 6, .command = "uptime",
		.host = "web7", .host_len = 4,
	};
	struct rr_result r = {
		.status = RR_EXIT_NONZERO, .message = "host web7:22: 'uptime' exited with status 3",
		.out = { "up\n", 3, 3, false }, .err = { "oops\n", 5, 5, false },
	};
	struct rr_result down = { .status = RR_CONNECT_FAILED,
				  .message = "host web8:22: connection refused" };

	output_init(&o, OUT_GROUP, out_fd, err_fd);
	o.out.color = o.err.color = true;
	output_done(&o, &t, &r);
	output_done(&o, &t, &down);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "\033[1m---- web7 ----\033[0m\nup\n");
	expect_fd(err_fd, "\033[1m---- web7 ----\033[0m\noops\n"
			  "ringrun: \033[1mhost web7:22\033[0m: "
			  "\033[31m'uptime' exited with status 3\033[0m\n"
			  "ringrun: \033[1mhost web8:22\033[0m: "
			  "\033[33mconnection refused\033[0m\n");
	output_free(&o);
	close(out_fd);
	close(err_fd);
}

/* -o collate's headers, as the group headers: bold where that stream is
   in colour. */
Test(unit_color, collate_headers_bold)
{
	int out_fd = memfd_create("out", MFD_CLOEXEC), err_fd = memfd_create("err", MFD_CLOEXEC);
	struct collate c;
	struct collate_key k = { 0, 0, "up\n", 3, "oops\n", 5 };
	struct output o;

	collate_init(&c, COLLATE_CLUSH, true, NULL);
	collate_add(&c, &k, "web1", NULL, false);
	collate_add(&c, &k, "web2", NULL, false);
	output_init(&o, OUT_COLLATE, out_fd, err_fd);
	o.out.color = true;
	collate_print(&c, &o);
	cr_assert_eq(output_flush(&o), 0);
	expect_fd(out_fd, "\033[1m---------------\nweb[1-2] (2)\n---------------\033[0m\nup\noops\n");
	expect_fd(err_fd, "");
	collate_free(&c);
	output_free(&o);
	close(out_fd);
	close(err_fd);
}
