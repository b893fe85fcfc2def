/*
 * --tty: every task on a pseudo-terminal, local or remote; its size is
 * ringrun's terminal's, or 24x80 without one.  With a terminal on stdin
 * and one task the session is interactive: the test makes that terminal
 * (posix_openpt) and runs ringrun on it as a shell would, types into it
 * and reads what comes back; ringrun's terminal is as it was afterwards.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("tty");
}

static void sshd_up(void)
{
	dir_up();
	cli_sshd_up(1);
}

/* ringrun's stdout matches the extended regular expression re. */
static void run_matching(bool ssh, const char *const args[], const char *re)
{
	const char *argv[64];
	struct proc_result r;
	regex_t rx;

	cli_args(argv, 64, ssh, args);
	run_ringrun(argv, NULL, 0, false, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_eq(regcomp(&rx, cli_expand(re), REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(regexec(&rx, r.out, 0, NULL, 0), 0, "stdout: %s", r.out);
	regfree(&rx);
	proc_result_free(&r);
}

#define TTY_TEST(name) \
	Test(cli_tty, name, .init = dir_up, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
#define FLEET_TEST(name) \
	Test(cli_tty_fleet, name, .init = sshd_up, .fini = cli_dir_down, \
	     .timeout = TEST_TIMEOUT)

TTY_TEST(task_has_a_terminal)
{
	run_matching(false, (const char *[]){ "--tty", "tty", NULL }, "^/dev/pts/[0-9]+\r\n$");
}

FLEET_TEST(remote_command_has_a_terminal)
{
	run_matching(true, (const char *[]){ "--tty", "-w", "@H1", "tty", NULL },
		     "^---- @H1 ----\n/dev/pts/[0-9]+\r\n$");
}

/* Without --tty nothing changes: no terminal. */
TTY_TEST(no_terminal_without_it)
{
	run_matching(false, (const char *[]){ "tty; true", NULL }, "^not a tty\n$");
}

/* One stream: stderr comes through the terminal too. */
TTY_TEST(stderr_through_the_terminal)
{
	run_matching(false, (const char *[]){ "--tty", "echo err >&2", NULL }, "^err\r\n$");
}

/* ringrun's stdin, stdout and stderr are pipes here: the default size. */
TTY_TEST(default_size)
{
	run_matching(false, (const char *[]){ "--tty", "stty size", NULL }, "^24 80\r\n$");
}

FLEET_TEST(default_size_remotely)
{
	run_matching(true, (const char *[]){ "--tty", "-w", "@H1", "stty size", NULL },
		     "^---- @H1 ----\n24 80\r\n$");
}

/* What came on the terminal's master so far, and how far it was read. */
struct screen {
	int fd;
	char data[16384];
	size_t len;
	size_t at;
};

/* Read until want is on the screen after what expect() found before. */
static void expect(struct screen *s, const char *want)
{
	long long deadline = now_ms() + HANG_GUARD_MS;
	char *found;

	while (!(found = strstr(s->data + s->at, want))) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		cr_assert_gt(left, 0, "never came: \"%s\"; came: %s", want, s->data);
		cr_assert_lt(s->len, sizeof s->data - 1, "screen full: %s", s->data);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(s->fd, s->data + s->len, sizeof s->data - 1 - s->len);
		cr_assert_gt(n, 0, "ended before \"%s\": %s", want, s->data);
		s->len += (size_t)n;
		s->data[s->len] = '\0';
	}
	s->at = (size_t)(found - s->data) + strlen(want);
}

static void type(struct screen *s, const char *keys)
{
	size_t len = strlen(keys);

	cr_assert_eq(write(s->fd, keys, len), (ssize_t)len);
}

static void resize(int master, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	cr_assert_eq(ioctl(master, TIOCSWINSZ, &ws), 0);
}

/* ringrun with args on the terminal whose slave is name, as its
   controlling terminal (so that a resize sends it SIGWINCH). */
static pid_t start_on(const char *name, const char *const args[])
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int t;

		setsid();
		t = open(name, O_RDWR);
		if (t < 0 || dup2(t, 0) < 0 || dup2(t, 1) < 0 || dup2(t, 2) < 0)
			_exit(126);
		setenv("PS1", "ready> ", 1);
		execv(ringrun_bin(), (char *const *)args);
		_exit(127);
	}
	return pid;
}

static bool same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0;
}

/*
 * A shell, interactively: it sees the size of ringrun's terminal, and the
 * new one after a resize; a command typed runs, Ctrl-C interrupts one;
 * exit ends it and ringrun with status 0; ringrun's terminal modes are as
 * before.
 */
static void session(bool ssh)
{
	struct screen s = { .fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC) };
	const char *argv[64] = { ringrun_bin() };
	struct termios before, after;
	int slave, status;
	pid_t pid;

	cr_assert_geq(s.fd, 0);
	cr_assert_eq(grantpt(s.fd), 0);
	cr_assert_eq(unlockpt(s.fd), 0);
	slave = open(ptsname(s.fd), O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(slave, 0);
	resize(s.fd, 30, 100);
	cr_assert_eq(tcgetattr(slave, &before), 0);
	cli_args(argv + 1, 63, ssh, ssh ? (const char *[]){ "--tty", "-w", "@H1",
				"PS1='ready> ' exec sh -i", NULL } :
				(const char *[]){ "--tty", "sh", NULL });
	pid = start_on(ptsname(s.fd), argv);

	expect(&s, "ready> ");
	type(&s, "stty size\r");
	expect(&s, "30 100\r\n");
	expect(&s, "ready> ");
	resize(s.fd, 50, 132);
	type(&s, "stty size\r");
	expect(&s, "50 132\r\n");
	type(&s, "echo h''i\r");
	expect(&s, "\nhi\r\n");
	/* Ctrl-C is a key for the task: it interrupts what its shell runs. */
	type(&s, "sleep 9301; echo after\r");
	for (long long until = now_ms() + HANG_GUARD_MS; !cli_marked("9301", false);) {
		cr_assert_lt(now_ms(), until, "never ran: %s", s.data);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	type(&s, "\003");
	expect(&s, "ready> ");
	cr_assert_null(strstr(s.data, "\nafter"), "%s", s.data);
	cli_expect_gone("9301");
	type(&s, "exit 0\r");
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x: %s", status,
		  s.data);
	cr_assert_eq(tcgetattr(slave, &after), 0);
	cr_assert(same_modes(&before, &after), "terminal modes not restored");
	close(slave);
	close(s.fd);
}

TTY_TEST(interactive_session)
{
	session(false);
}

FLEET_TEST(interactive_session_remotely)
{
	session(true);
}
