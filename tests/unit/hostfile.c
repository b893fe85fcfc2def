/*
 * cli/hosts/hostfile.c: host files with comments and #include (relative to
 * the including file, nested, a cycle refused, the depth bounded), and one
 * read as it arrives, a line at a time while hosts are wanted.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosts/hostfile.h"
#include "files.h"

static char dir[] = "/tmp/rr-hostfile-XXXXXX";
static struct hosts h;
static char err[1024];

static void dir_up(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void dir_down(void)
{
	char cmd[64];

	hosts_free(&h);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void expect_hosts(size_t n, ...)
{
	va_list ap;

	cr_assert_eq(h.n, n, "%zu hosts, not %zu", h.n, n);
	va_start(ap, n);
	for (size_t k = 0; k < n; k++)
		cr_assert_str_eq(h.v[k].name, va_arg(ap, const char *));
	va_end(ap);
}

/* err with DIR as "@" */
static const char *shown_err(void)
{
	static char s[1024];
	char *at;

	snprintf(s, sizeof s, "%s", err);
	while ((at = strstr(s, dir))) {
		*at = '@';
		memmove(at + 1, at + strlen(dir), strlen(at + strlen(dir)) + 1);
	}
	return s;
}

TestSuite(unit_hostfile, .init = dir_up, .fini = dir_down);

/* A relative name is in the including file's directory, however deep. */
Test(unit_hostfile, include_relative_to_the_including_file)
{
	char sub[256];
	const char *top;

	snprintf(sub, sizeof sub, "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	file_in(dir, "sub/b", "h2\n#include c\n");
	file_in(dir, "sub/c", "h3\n");
	top = file_in(dir, "a", "h1\n#include sub/b\nh4\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), 0, "%s", err);
	expect_hosts(4, "h1", "h2", "h3", "h4");
}

/* '#' starts a comment, #include in the first column is the directive. */
Test(unit_hostfile, other_hash_lines_are_comments)
{
	const char *top = file_in(dir, "a", "#web7\n#includes x\n#include_x\n"
				 "  #include x\n# include x\nweb1 #include x\n");

	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), 0, "%s", err);
	expect_hosts(1, "web1");
}

Test(unit_hostfile, include_errors_name_the_line)
{
	const char *top = file_in(dir, "a", "h1\n#include\n");

	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/a: line 2: #include: no file name");
	top = file_in(dir, "a", "\n#include  nope \r\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/a: line 2: #include nope: No such file "
			 "or directory");
	file_in(dir, "b", "ok\nbad host\n");
	top = file_in(dir, "a", "#include b\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/b: line 2: 'bad host': contains a space");
}

Test(unit_hostfile, a_cycle_is_refused)
{
	const char *top;

	file_in(dir, "b", "h2\n#include a\n");
	top = file_in(dir, "a", "h1\n#include b\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/b: line 2: #include a: a cycle: @/a is "
			 "being read already");
	hosts_free(&h);
	top = file_in(dir, "a", "#include a\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/a: line 1: #include a: a cycle: @/a is "
			 "being read already");
}

/* The same file twice, not inside itself: its hosts once, no error. */
Test(unit_hostfile, a_file_may_be_included_twice)
{
	const char *top;

	file_in(dir, "d", "d1\n");
	file_in(dir, "b", "#include d\nb1\n");
	file_in(dir, "c", "#include d\nc1\n");
	top = file_in(dir, "a", "#include b\n#include c\n");
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), 0, "%s", err);
	expect_hosts(3, "d1", "b1", "c1");
}

Test(unit_hostfile, the_depth_is_bounded)
{
	char name[16], text[64], f0[64];
	const char *top;

	/* f0 includes f1 ... includes f16: 17 files deep. */
	for (int k = 16; k >= 0; k--) {
		snprintf(name, sizeof name, "f%d", k);
		snprintf(text, sizeof text, "h%d\n#include f%d\n", k, k + 1);
		top = file_in(dir, name, k == 16 ? "h16\n" : text);
	}
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/f15: line 2: #include f16: more than 16 "
			 "files deep");
	hosts_free(&h);
	file_in(dir, "f1", "h1\n"); /* f0 and f1: well within */
	snprintf(f0, sizeof f0, "%s/f0", dir);
	cr_assert_eq(hostfile_read_all(&h, f0, err, sizeof err), 0, "%s", err);
	expect_hosts(2, "h0", "h1");
}

Test(unit_hostfile, nul_is_refused)
{
	const char *top = file_in(dir, "a", "web1\n");
	FILE *f = fopen(top, "a");

	fwrite("web\0x\n", 1, 6, f);
	fclose(f);
	cr_assert_eq(hostfile_read_all(&h, top, err, sizeof err), -1);
	cr_assert_str_eq(shown_err(), "@/a: line 2: contains a NUL byte");
}

/* Read as it comes: lines are taken only while hosts are wanted. */
Test(unit_hostfile, streamed_line_by_line)
{
	struct hostfile hf;
	int fds[2], saved = dup(0);
	struct hosts x = { 0 };
	char line[300];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(dup2(fds[0], 0), 0);
	close(fds[0]);
	cr_assert_eq(hosts_add_list(&x, "h3", err, sizeof err), 0);
	h.exclude = &x;
	cr_assert_eq(hostfile_open(&hf, &h, "-"), 0);
	hostfile_pump(&hf, 1);
	cr_assert_eq(hostfile_fd(&hf, 1), 0, "nothing read yet: the fd");
	cr_assert_eq(write(fds[1], "h1\nh2\nh3\nh4,h1\n", 15), 15);
	hostfile_fill(&hf);
	hostfile_pump(&hf, 1);
	expect_hosts(1, "h1");
	cr_assert_eq(hostfile_fd(&hf, 1), -1, "enough hosts: no read");
	hostfile_pump(&hf, 3);
	expect_hosts(3, "h1", "h2", "h4");
	cr_assert_eq(h.excluded, 1);
	hostfile_pump(&hf, 10);
	cr_assert_eq(hostfile_fd(&hf, 10), 0);
	file_in(dir, "inc", "h5\n");
	snprintf(line, sizeof line, "#include %s/inc\n", dir);
	cr_assert_eq(write(fds[1], line, strlen(line)), (ssize_t)strlen(line));
	close(fds[1]);
	while (hostfile_fd(&hf, 10) >= 0) {
		struct pollfd p = { .fd = 0, .events = POLLIN };

		cr_assert_eq(poll(&p, 1, -1), 1);
		hostfile_fill(&hf);
		hostfile_pump(&hf, 10);
	}
	cr_assert(hostfile_ended(&hf), "%s", hf.err);
	expect_hosts(4, "h1", "h2", "h4", "h5");
	hostfile_close(&hf);
	hosts_free(&x);
	dup2(saved, 0);
	close(saved);
}
