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

/* Through the system ssh: ssh -tt, on a terminal of ours, which passes
   its size on. */
FLEET_TEST(remote_command_has_a_terminal_through_ssh)
{
	run_matching(true, (const char *[]){ "--ssh=exec", "-F", "/dev/null", "--tty", "-w",
					     "@H1", "tty; stty size", NULL },
		     /* the ^D that ends its input can reach the remote terminal
			after the command ended, which echoes it as ^@ (known) */
		     "^---- @H1 ----\n.*/dev/pts/[0-9]+\r\n24 80\r\n(\\^@[\r\n]*)?$");
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
   controlling terminal (so that a resize sends it SIGWINCH); its stdin
   too unless stdin_null. */
static pid_t start_on(const char *name, const char *const args[], bool stdin_null)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int t, in;

		setsid();
		t = open(name, O_RDWR);
		in = stdin_null ? open("/dev/null", O_RDONLY) : t;
		if (t < 0 || in < 0 || dup2(in, 0) < 0 || dup2(t, 1) < 0 || dup2(t, 2) < 0)
			_exit(126);
		setenv("PS1", "ready> ", 1);
		execv(ringrun_bin(), (char *const *)args);
		_exit(127);
	}
	return pid;
}

/* The terminal ringrun runs on: the test holds its master and a slave. */
struct term {
	struct screen s;
	int slave;
	struct termios before;
};

/* A terminal of 30 x 100, its modes noted. */
static void term_open(struct term *t)
{
	t->s = (struct screen){ .fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC) };
	cr_assert_geq(t->s.fd, 0);
	cr_assert_eq(grantpt(t->s.fd), 0);
	cr_assert_eq(unlockpt(t->s.fd), 0);
	t->slave = open(ptsname(t->s.fd), O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(t->slave, 0);
	resize(t->s.fd, 30, 100);
	cr_assert_eq(tcgetattr(t->slave, &t->before), 0);
}

/* ringrun (pid) ends with status; its terminal's modes are as before. */
static void term_close(struct term *t, pid_t pid, int status)
{
	struct termios after;
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == status, "status %#x: %s", st,
		  t->s.data);
	cr_assert_eq(tcgetattr(t->slave, &after), 0);
	cr_assert(after.c_iflag == t->before.c_iflag && after.c_oflag == t->before.c_oflag &&
		  after.c_cflag == t->before.c_cflag && after.c_lflag == t->before.c_lflag &&
		  memcmp(after.c_cc, t->before.c_cc, sizeof after.c_cc) == 0,
		  "terminal modes not restored");
	close(t->slave);
	close(t->s.fd);
}

/*
 * A shell, interactively: it sees the size of ringrun's terminal, and the
 * new one after a resize; a command typed runs, Ctrl-C interrupts one;
 * exit ends it and ringrun with status 0; ringrun's terminal modes are as
 * before.
 */
static void session(bool ssh)
{
	const char *argv[64] = { ringrun_bin() };
	struct term t;
	struct screen *s = &t.s;
	pid_t pid;

	term_open(&t);
	cli_args(argv + 1, 63, ssh, ssh ? (const char *[]){ "--tty", "-w", "@H1",
				"PS1='ready> ' exec sh -i", NULL } :
				(const char *[]){ "--tty", "sh", NULL });
	pid = start_on(ptsname(s->fd), argv, false);

	expect(s, "ready> "); /* each key typed once the prompt is there */
	type(s, "stty size\r");
	expect(s, "30 100\r\n");
	expect(s, "ready> ");
	resize(s->fd, 50, 132);
	type(s, "stty size\r");
	expect(s, "50 132\r\n");
	expect(s, "ready> ");
	type(s, "echo h''i\r");
	expect(s, "\nhi\r\n");
	expect(s, "ready> ");
	/* Ctrl-C is a key for the task: it interrupts what its shell runs. */
	type(s, "sleep 9301; echo after\r");
	for (long long until = now_ms() + HANG_GUARD_MS; !cli_marked("9301", false);) {
		cr_assert_lt(now_ms(), until, "never ran: %s", s->data);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	type(s, "\003");
	expect(s, "ready> ");
	cr_assert_null(strstr(s->data, "\nafter"), "%s", s->data);
	cli_expect_gone("9301");
	type(s, "exit 0\r");
	term_close(&t, pid, 0);
}

TTY_TEST(interactive_session)
{
	session(false);
}

FLEET_TEST(interactive_session_remotely)
{
	session(true);
}

/* A signal to ringrun stops the session's task; the terminal is put back. */
TTY_TEST(interactive_session_stopped)
{
	const char *argv[] = { ringrun_bin(), "--tty", "echo ready; sleep 9302", NULL };
	struct term t;
	pid_t pid;

	term_open(&t);
	pid = start_on(ptsname(t.s.fd), argv, false);
	expect(&t.s, "ready\r\n");
	cr_assert_eq(kill(pid, SIGTERM), 0);
	term_close(&t, pid, 143);
	cli_expect_gone("9302");
}

/* A task that survives the first signal: the second ends ringrun at once,
   and the terminal is put back then too. */
TTY_TEST(interactive_session_second_signal)
{
	const char *argv[] = { ringrun_bin(), "--tty", "--kill-grace", "600",
			       "trap 'echo got TERM' TERM; echo ready; "
			       "while :; do sleep 0.1; done", NULL };
	struct term t;
	pid_t pid;

	term_open(&t);
	pid = start_on(ptsname(t.s.fd), argv, false);
	expect(&t.s, "ready\r\n");
	cr_assert_eq(kill(pid, SIGTERM), 0);
	expect(&t.s, "got TERM\r\n");
	cr_assert_eq(kill(pid, SIGTERM), 0);
	expect(&t.s, "ringrun: second signal: stopped at once;");
	term_close(&t, pid, 143);
}

/* Not interactive (stdin is not a terminal), but ringrun's stdout is one:
   the task's terminal takes its size. */
TTY_TEST(size_of_the_terminal_on_stdout)
{
	const char *argv[] = { ringrun_bin(), "--tty", "stty size", NULL };
	struct term t;
	pid_t pid;

	term_open(&t);
	pid = start_on(ptsname(t.s.fd), argv, true);
	expect(&t.s, "30 100");
	term_close(&t, pid, 0);
}
