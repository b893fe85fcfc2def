/*
 * Running the ringrun binary under test (tests/common/where.h) and other
 * programs: stdin in, stdout and stderr captured, bounded in time.
 */
#define _GNU_SOURCE /* pipe2 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/guard.h"
#include "../common/where.h"

/* How long any one run may take before the test fails: a hang guard. */
#define RUN_TIMEOUT_MS HANG_GUARD_MS

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ringrun_bin(void)
{
	return where_ringrun();
}

void proc_start(struct proc *p, const char *const argv[], bool stdout_closed)
{
	int in[2], out[2], err[2];

	pid_t parent = getpid();

	cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 &&
		  pipe2(err, O_CLOEXEC) == 0);
	/* No reader from the start: its first write fails, however soon. */
	if (stdout_closed)
		close(out[0]);
	p->pid = fork();
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		/* A test that fails before reaping it still ends it (and its
		   tasks, which ringrun kills on SIGTERM). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		/* SIGINT, SIGQUIT, SIGHUP: tests/common/signals.c */
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->in = in[1];
	p->out = stdout_closed ? -1 : out[0];
	p->err = err[0];
	fcntl(p->in, F_SETFL, O_NONBLOCK);
}

static void drain(int *fd, char **data, size_t *len, size_t *cap)
{
	if (*len + 65536 + 1 > *cap) {
		*cap = (*len + 65536 + 1) * 2;
		*data = realloc(*data, *cap);
	}
	ssize_t n = read(*fd, *data + *len, *cap - *len - 1);
	if (n > 0) {
		*len += (size_t)n;
	} else if (n == 0 || errno != EINTR) {
		close(*fd);
		*fd = -1;
	}
}

static void feed(struct proc *p, const char **in, size_t *left)
{
	ssize_t n = *left ? write(p->in, *in, *left) : 0;

	if (n > 0) {
		*in += n;
		*left -= (size_t)n;
	}
	if (!*left || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(p->in);
		p->in = -1;
	}
}

void proc_finish(struct proc *p, const char *in, size_t in_len,
		 int timeout_ms, struct proc_result *r)
{
	size_t out_cap = 0, err_cap = 0;
	long long deadline = now_ms() + timeout_ms;
	int killed = 0, status;

	*r = (struct proc_result){ 0 };
	signal(SIGPIPE, SIG_IGN);
	while (p->in >= 0 || p->out >= 0 || p->err >= 0) {
		struct pollfd fds[3] = {
			{ .fd = p->in, .events = POLLOUT },
			{ .fd = p->out, .events = POLLIN },
			{ .fd = p->err, .events = POLLIN },
		};
		long long left = deadline - now_ms();
		if (left <= 0) {
			/* Too slow: TERM first, so that it cleans up its tasks. */
			kill(p->pid, killed++ ? SIGKILL : SIGTERM);
			deadline = now_ms() + 3000;
			continue;
		}
		if (poll(fds, 3, (int)left) <= 0)
			continue;
		if (fds[0].revents)
			feed(p, &in, &in_len);
		if (fds[1].revents)
			drain(&p->out, &r->out, &r->out_len, &out_cap);
		if (fds[2].revents)
			drain(&p->err, &r->err, &r->err_len, &err_cap);
	}
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	if (!r->out)
		r->out = calloc(1, 1);
	if (!r->err)
		r->err = calloc(1, 1);
	r->out[r->out_len] = '\0';
	r->err[r->err_len] = '\0';
	cr_assert_eq(killed, 0, "the program ran longer than %d ms", timeout_ms);
}

void run_prog(const char *const argv[], const char *in, size_t in_len,
	      int timeout_ms, struct proc_result *r)
{
	struct proc p;

	proc_start(&p, argv, false);
	proc_finish(&p, in, in_len, timeout_ms, r);
}

void run_ringrun(const char *const args[], const char *in, size_t in_len,
		 bool stdout_closed, struct proc_result *r)
{
	const char *argv[64] = { ringrun_bin() };
	size_t n = 0;
	struct proc p;

	while (args[n]) {
		cr_assert_lt(n + 2, sizeof argv / sizeof argv[0]);
		argv[n + 1] = args[n];
		n++;
	}
	argv[n + 1] = NULL;
	proc_start(&p, argv, stdout_closed);
	proc_finish(&p, in, in_len, RUN_TIMEOUT_MS, r);
}

char *run_python(const char *script, const char *data, size_t len)
{
	const char *argv[] = { "python3", "-c", script, NULL };
	struct proc_result r;

	run_prog(argv, data, len, RUN_TIMEOUT_MS, &r);
	cr_assert_eq(r.status, 0, "python3 failed: %s\non: %.2000s", r.err,
		     data);
	free(r.err);
	return r.out;
}

void proc_result_free(struct proc_result *r)
{
	free(r->out);
	free(r->err);
}
