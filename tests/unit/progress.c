/* cli/progress.c: the progress line's text, and drawing it on a terminal. */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "../common/guard.h"
#include "output/output.h"
#include "output/progress.h"
#include "parse.h"

static void expect(const struct progress_figures *f, unsigned width, bool color,
		   const char *want)
{
	struct buf b = BUF_INIT;

	progress_format(&b, f, width, color);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

Test(unit_progress, local)
{
	const struct progress_figures f = {
		.done = 1532, .total = 5000, .running = 64, .failed = 3,
		.elapsed_ms = 1886,
	};

	expect(&f, 0, false, "ringrun: 1532/5000 done, 64 running, 3 failed, 812/s, ETA 5s");
}

Test(unit_progress, before_the_first_end)
{
	const struct progress_figures f = { .total = 8, .running = 8, .elapsed_ms = 300 };

	expect(&f, 0, false, "ringrun: 0/8 done, 8 running, 0 failed, 0.0/s, ETA ?");
}

Test(unit_progress, slow_rates_and_long_etas)
{
	struct progress_figures f = {
		.done = 3, .total = 100, .running = 1, .elapsed_ms = 2000,
	};

	expect(&f, 0, false, "ringrun: 3/100 done, 1 running, 0 failed, 1.5/s, ETA 1m05s");
	f.total = 10000;
	expect(&f, 0, false, "ringrun: 3/10000 done, 1 running, 0 failed, 1.5/s, ETA 1h51m");
	f.done = f.total = 10000;
	f.running = 0;
	expect(&f, 0, false, "ringrun: 10000/10000 done, 0 running, 0 failed, 5000/s, ETA 0s");
}

/* One task per host: the tasks are the hosts; unreachable ones counted. */
Test(unit_progress, fleet)
{
	const struct progress_figures f = {
		.done = 150, .total = 200, .running = 10, .failed = 2, .elapsed_ms = 1000,
		.fleet = true, .unreachable = 1, .hosts_done = 150, .hosts = 200,
		.per_host = 1,
	};

	expect(&f, 0, false,
	       "ringrun: 150/200 done, 10 running, 2 failed, 1 unreachable, 150/s, ETA 1s");
}

Test(unit_progress, fleet_several_tasks_per_host)
{
	const struct progress_figures f = {
		.done = 1532, .total = 5000, .running = 64, .failed = 3,
		.elapsed_ms = 1886, .fleet = true, .hosts_done = 40, .hosts = 200,
		.per_host = 25,
	};

	expect(&f, 0, false, "ringrun: 1532/5000 done, 64 running, 3 failed, "
			     "0 unreachable, 812/s, ETA 5s, 40/200 hosts");
}

/* Cut between parts to fit; the first part always stays. */
Test(unit_progress, width)
{
	const struct progress_figures f = {
		.done = 1532, .total = 5000, .running = 64, .failed = 3,
		.elapsed_ms = 1886,
	};

	expect(&f, 45, false, "ringrun: 1532/5000 done, 64 running, 3 failed");
	expect(&f, 44, false, "ringrun: 1532/5000 done, 64 running");
	expect(&f, 10, false, "ringrun: 1532/5000 done");
}

Test(unit_progress, colour_only_for_failures)
{
	struct progress_figures f = {
		.done = 4, .total = 8, .running = 2, .failed = 1, .elapsed_ms = 1000,
		.fleet = true, .unreachable = 2, .per_host = 1,
	};

	expect(&f, 0, true, "ringrun: 4/8 done, 2 running, \033[31m1 failed\033[0m, "
			    "\033[33m2 unreachable\033[0m, 4.0/s, ETA 1s");
	f.failed = f.unreachable = 0;
	expect(&f, 0, true, "ringrun: 4/8 done, 2 running, 0 failed, 0 unreachable, "
			    "4.0/s, ETA 1s");
}

/* ------------------------------------------------------ on a terminal */

static int master = -1, slave = -1;

static void open_pty(unsigned short cols)
{
	struct termios t;
	struct winsize ws = { .ws_row = 24, .ws_col = cols };

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert(slave >= 0);
	cr_assert_eq(tcgetattr(slave, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST; /* bytes as written: no \n -> \r\n */
	cr_assert_eq(tcsetattr(slave, TCSANOW, &t), 0);
	cr_assert_eq(ioctl(slave, TIOCSWINSZ, &ws), 0);
}

static void close_pty(void)
{
	close(master);
	close(slave);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What the terminal got since the last look, at least want bytes of it: a
   pty hands bytes on through a kernel work queue, a moment after the write
   (bounded by HANG_GUARD_MS). */
static char *screen(size_t want)
{
	static char got[4096];
	size_t len = 0;
	uint64_t end = mono_ns() + (uint64_t)HANG_GUARD_MS * 1000000u;
	struct pollfd p = { .fd = master, .events = POLLIN };

	while (len < sizeof got - 1) {
		uint64_t now = mono_ns();
		int wait = len < want && now < end ? (int)((end - now) / 1000000) : 0;

		if (poll(&p, 1, wait) != 1)
			break;
		ssize_t n = read(master, got + len, sizeof got - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	got[len] = '\0';
	return got;
}

#define EXPECT_SCREEN(want, ...) \
	cr_assert_str_eq(screen(strlen(want)), want, ##__VA_ARGS__)

/*
 * progress_show as if *since (the start, or the last draw) was ago_ms ago,
 * at a moment certainly less than within_ms after it: whether it draws is
 * then its rule's business, not how long this thread was away.  Away that
 * long (a busy machine), it tries again, as if a line it drew then had
 * never been: taken off the screen, the line's state as it was.
 */
static void show_within(struct progress *p, uint64_t *since, uint64_t ago_ms,
			uint64_t within_ms)
{
	for (;;) {
		*since = mono_ns() - ago_ms * 1000000;
		uint64_t drawn = p->drawn_ns;
		bool shown = p->shown;

		progress_show(p);
		if (mono_ns() - *since < within_ms * 1000000)
			return;
		if (p->drawn_ns != drawn) {
			screen(p->line.len);
			p->drawn_ns = drawn;
			p->shown = shown;
		}
	}
}

static struct summary sum;
static unsigned running = 3;

/* A progress line on the terminal that started ms ago. */
static void start_on_pty(struct progress *p, enum when when, unsigned short cols,
			 uint64_t ms)
{
	open_pty(cols);
	summary_init(&sum, 10, false);
	progress_init(p, when, slave, -1, false, &sum, &running);
	p->start_ns = mono_ns() - ms * 1000000;
}

Test(unit_progress, redraw_erase_restore, .fini = close_pty)
{
	struct progress p;

	start_on_pty(&p, WHEN_AUTO, 200, 0);
	cr_assert_eq(p.style, PROGRESS_REDRAW);
	show_within(&p, &p.start_ns, 0, 100);
	EXPECT_SCREEN("", "drawn before the first tick");
	p.start_ns -= 200000000;
	progress_show(&p);
	EXPECT_SCREEN("\rringrun: 0/10 done, 3 running, 0 failed, 0.0/s, ETA ?\033[K");
	show_within(&p, &p.drawn_ns, 0, 100);
	EXPECT_SCREEN("", "redrawn within 100 ms");
	progress_before_write(&p, 1); /* another fd: not ours */
	EXPECT_SCREEN("");
	progress_before_write(&p, slave);
	EXPECT_SCREEN("\r\033[K");
	progress_before_write(&p, slave);
	EXPECT_SCREEN("", "erased twice");
	progress_show(&p);
	EXPECT_SCREEN("\rringrun: 0/10 done, 3 running, 0 failed, 0.0/s, ETA ?\033[K",
		      "not back after the write");
	progress_end(&p);
	EXPECT_SCREEN("\r\033[K");
	summary_free(&sum);
}

/* Through the output's hook: erased before its lines, back after them. */
Test(unit_progress, output_does_not_tear_the_line, .fini = close_pty)
{
	struct progress p;
	struct output o;
	const char *line = "\rringrun: 0/10 done, 3 running, 0 failed, 0.0/s, ETA ?\033[K";
	char want[256];

	start_on_pty(&p, WHEN_AUTO, 200, 200);
	output_init(&o, OUT_GROUP, slave, slave);
	o.before_write = progress_before_write;
	o.hook_ctx = &p;
	progress_show(&p);
	EXPECT_SCREEN(line);
	output_note(&o, "one");
	output_stderr(&o, "two\n", 4);
	EXPECT_SCREEN("", "written before a flush");
	cr_assert_eq(output_flush(&o), 0);
	progress_show(&p);
	snprintf(want, sizeof want, "\r\033[Kringrun: one\ntwo\n%s", line);
	EXPECT_SCREEN(want);
	output_free(&o);
	progress_end(&p);
	summary_free(&sum);
}

/* Narrow: the line stays within the width, its last column left free
   ("..., 0 failed" would end in column 39). */
Test(unit_progress, fits_the_terminal, .fini = close_pty)
{
	struct progress p;

	start_on_pty(&p, WHEN_ALWAYS, 39, 500);
	progress_show(&p);
	EXPECT_SCREEN("\rringrun: 0/10 done, 3 running\033[K");
	progress_end(&p);
	summary_free(&sum);
}

Test(unit_progress, never, .fini = close_pty)
{
	struct progress p;

	start_on_pty(&p, WHEN_NEVER, 200, 500);
	progress_show(&p);
	progress_end(&p);
	EXPECT_SCREEN("");
	summary_free(&sum);
}

/* Not a terminal: nothing unless asked, then lines of their own. */
Test(unit_progress, pipe)
{
	struct progress p;
	int fds[2];
	char got[256] = "";

	cr_assert_eq(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	summary_init(&sum, 10, false);
	progress_init(&p, WHEN_AUTO, fds[1], -1, false, &sum, &running);
	cr_assert_eq(p.style, PROGRESS_OFF);
	progress_init(&p, WHEN_ALWAYS, fds[1], -1, false, &sum, &running);
	cr_assert_eq(p.style, PROGRESS_LINES);
	/* 0.5 s after the start, certainly before the second is out (a thread
	   away longer tries again, as if the line it drew had never been). */
	for (;;) {
		p.start_ns = mono_ns() - 500000000;
		progress_show(&p);
		if (mono_ns() - p.start_ns < 1000000000)
			break;
		while (read(fds[0], got, sizeof got) > 0)
			;
		p.drawn_ns = 0;
	}
	cr_assert_lt(read(fds[0], got, sizeof got), 0, "a line before a second");
	p.start_ns -= 600000000;
	progress_show(&p);
	progress_before_write(&p, fds[1]);
	progress_end(&p);
	cr_assert_gt(read(fds[0], got, sizeof got - 1), 0);
	cr_assert_str_eq(got, "ringrun: 0/10 done, 3 running, 0 failed, 0.0/s, ETA ?\n");
	close(fds[0]);
	close(fds[1]);
	summary_free(&sum);
}

/* ------------------------------------------------------ the options */

#define PARSE(o, ...) PARSE_OPTIONS(o, err, __VA_ARGS__)

Test(unit_progress_options, defaults_and_forms)
{
	struct options o;
	char err[256] = "";

	cr_assert_eq(PARSE(&o, "true"), 0, "%s", err);
	cr_assert(o.progress == WHEN_AUTO && o.summary == WHEN_AUTO && o.color == WHEN_AUTO);
	cr_assert_null(o.failed_file);
	options_free(&o);
	cr_assert_eq(PARSE(&o, "--progress", "--no-summary", "--color=never", "--failed",
			   "f", "true"), 0, "%s", err);
	cr_assert(o.progress == WHEN_ALWAYS && o.summary == WHEN_NEVER && o.color == WHEN_NEVER);
	cr_assert_str_eq(o.failed_file, "f");
	options_free(&o);
	/* The last one given wins. */
	cr_assert_eq(PARSE(&o, "--progress", "--no-progress", "--no-summary", "--summary",
			   "--color", "always", "--failed=g", "true"), 0, "%s", err);
	cr_assert(o.progress == WHEN_NEVER && o.summary == WHEN_ALWAYS && o.color == WHEN_ALWAYS);
	cr_assert_str_eq(o.failed_file, "g");
	options_free(&o);
}

Test(unit_progress_options, errors)
{
	struct options o;
	char err[256] = "";

	cr_assert_eq(PARSE(&o, "--color=on", "true"), -1);
	cr_assert_str_eq(err, "--color: on: unknown value (auto, always, never)");
	options_free(&o);
	cr_assert_eq(PARSE(&o, "--no-summary=1", "true"), -1);
	cr_assert_str_eq(err, "--no-summary: takes no argument");
	options_free(&o);
	cr_assert_eq(PARSE(&o, "--failed"), -1);
	cr_assert_str_eq(err, "--failed: missing argument");
	options_free(&o);
}

Test(unit_progress_options, in_the_help)
{
	static const char *const names[] = {
		"--progress", "--no-progress", "--summary", "--no-summary", "--failed FILE",
		"--color WHEN", "NO_COLOR",
	};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		cr_assert_not_null(strstr(options_help, names[k]), "%s", names[k]);
}

/* Copy mode: bytes so far of those found, and their rate. */
Test(unit_progress, copy_bytes)
{
	struct progress_figures f = {
		.done = 1, .total = 4, .running = 3, .elapsed_ms = 2000,
		.fleet = true, .hosts = 4, .per_host = 1, .copy = true,
		.bytes = 12582912, .bytes_total = 41943040,
	};

	expect(&f, 0, false, "ringrun: 1/4 done, 3 running, 0 failed, 0 unreachable, "
	       "12.0 MiB/40.0 MiB, 6.0 MiB/s, 0.5/s, ETA 5s");
	f.bytes = 512;
	f.bytes_total = 1536;
	expect(&f, 0, false, "ringrun: 1/4 done, 3 running, 0 failed, 0 unreachable, "
	       "512 B/1.5 KiB, 256 B/s, 0.5/s, ETA 4s");
	/* no byte yet: by tasks, as for commands */
	f.bytes = 0;
	expect(&f, 0, false, "ringrun: 1/4 done, 3 running, 0 failed, 0 unreachable, "
	       "0 B/1.5 KiB, 0 B/s, 0.5/s, ETA 6s");
}
