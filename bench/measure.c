/*
 * measure.c - run one command and report what it cost.
 *
 *   measure [-o FILE | -c] [-x] [-r] -- COMMAND [ARG]...
 *
 * The command runs with stdin from /dev/null, stdout to FILE (default
 * /dev/null) and stderr inherited.  One line goes to our stdout:
 *
 *   wall_ns=N user_ns=N sys_ns=N maxrss_kb=N status=S [own_hwm_kb=N]
 *   [out_bytes=N out_nul=N] [orphans=N]
 *
 * wall_ns   CLOCK_MONOTONIC from before fork() to wait4() returning its exit.
 * user_ns, sys_ns, maxrss_kb
 *           the rusage wait4() returns: the command plus every descendant it
 *           waited for (the kernel's RUSAGE_BOTH for the child), so the CPU
 *           of the whole tree; maxrss is the largest single process in it.
 * status    exit code, or -N when killed by signal N.
 * -x        own_hwm_kb: VmHWM of the command's own process, read from
 *           /proc/PID/status when it stops at PTRACE_EVENT_EXIT (its memory
 *           is still mapped then).  Every signal it receives (a SIGCHLD per
 *           job) also stops it under ptrace, so never time a -x run.
 * -c        stdout goes through a pipe that we read to count its bytes and
 *           its NUL bytes: a correctness check, not for timed runs.
 * -r        we are a child subreaper (PR_SET_CHILD_SUBREAPER): a process the
 *           command leaves running in the background (an ssh ControlPersist
 *           master daemonizes itself) is re-parented to us.  When the command
 *           has exited (wall_ns stops there), each such orphan gets SIGTERM
 *           (SIGKILL 5 s later) and is reaped; its rusage is added to user_ns,
 *           sys_ns and maxrss_kb, and orphans=N says how many there were.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
	pid_t pid;
	bool trace;		/* -x */
	bool traced_exec;	/* the post-exec SIGTRAP was seen */
	bool reap;		/* -r */
	int orphans;
	long own_hwm_kb;
	int status;
	uint64_t end_ns;	/* when wait4() reported the exit */
	struct rusage ru;
};

static void die(const char *what)
{
	fprintf(stderr, "measure: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static long read_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* NUL bytes in buf; a word at a time while the words are all zero. */
static uint64_t count_nul(const char *buf, ssize_t len)
{
	uint64_t n = 0, word;
	ssize_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&word, buf + i, 8);
		if (word) {
			for (int k = 0; k < 8; k++)
				n += !buf[i + k];
		} else {
			n += 8;
		}
	}
	for (; i < len; i++)
		n += !buf[i];
	return n;
}

/*
 * Act on one wait4() status: true once the command has exited.  A ptrace
 * stop is resumed, passing on the signal that caused it.
 */
static bool handle(struct run *r, int st)
{
	int sig;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		r->end_ns = now_ns();
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
		return true;
	}
	if (!WIFSTOPPED(st))
		return false;
	sig = WSTOPSIG(st);
	if (st >> 16) {		/* event stop: exit, or a later exec */
		if (st >> 16 == PTRACE_EVENT_EXIT)
			r->own_hwm_kb = read_hwm_kb(r->pid);
		sig = 0;
	} else if (!r->traced_exec && sig == SIGTRAP) {
		/* The first exec's SIGTRAP; later ones (a wrapper script that
		 * execs the real program) become PTRACE_EVENT_EXEC stops. */
		r->traced_exec = true;
		if (ptrace(PTRACE_SETOPTIONS, r->pid, 0, PTRACE_O_TRACEEXIT |
			   PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0)
			die("ptrace(SETOPTIONS)");
		sig = 0;
	}
	if (ptrace(PTRACE_CONT, r->pid, 0, sig) < 0 && errno != ESRCH)
		die("ptrace(CONT)");
	return false;
}

/* Wait for the command, counting what arrives on out (-c) meanwhile. */
static void wait_counting(struct run *r, int out, int sfd, uint64_t *bytes,
			  uint64_t *nul)
{
	static char buf[1 << 20];
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	bool exited = false;
	ssize_t got;
	pid_t w = 0;
	int st;

	while (!exited || out >= 0) {
		if (exited) {	/* drain what the tree left in the pipe */
			pfd[1].revents = POLLIN;
		} else {
			pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = out, .events = POLLIN };
			if (poll(pfd, out >= 0 ? 2 : 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				die("poll");
			}
		}
		if (out >= 0 && pfd[1].revents) {
			got = read(out, buf, sizeof(buf));
			if (got < 0 && errno != EINTR)
				die("read");
			*nul += count_nul(buf, got);
			if (got > 0)
				*bytes += (uint64_t)got;
			if (got == 0) {
				close(out);
				out = -1;
			}
		}
		if (exited || !pfd[0].revents)
			continue;
		while (read(sfd, &si, sizeof(si)) > 0)
			;
		while (!exited && (w = wait4(r->pid, &st, WNOHANG, &r->ru)) > 0)
			exited = handle(r, st);
		if (w < 0 && !exited)
			die("wait4");
	}
}

/* Send sig to every process whose parent is us (the orphans, -r). */
static int signal_children(int sig)
{
	char path[64], buf[512], *p;
	struct dirent *d;
	int n = 0, pid, ppid;
	DIR *dir = opendir("/proc");
	FILE *f;

	if (!dir)
		die("opendir(/proc)");
	while ((d = readdir(dir))) {
		pid = atoi(d->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* "PID (COMM) STATE PPID ..." and COMM may hold spaces */
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 &&
		    ppid == (int)getpid() && kill(pid, sig) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

static void add_rusage(struct rusage *to, const struct rusage *ru)
{
	timeradd(&to->ru_utime, &ru->ru_utime, &to->ru_utime);
	timeradd(&to->ru_stime, &ru->ru_stime, &to->ru_stime);
	if (ru->ru_maxrss > to->ru_maxrss)
		to->ru_maxrss = ru->ru_maxrss;
}

/* -r: end and reap what the command left behind, adding up its rusage. */
static void reap_orphans(struct run *r)
{
	uint64_t deadline = now_ns() + 5000000000u;
	const struct timespec tick = { 0, 5000000 };
	bool killed = false;
	struct rusage ru;
	pid_t w;
	int st;

	if (signal_children(SIGTERM) == 0)
		return;
	while ((w = wait4(-1, &st, WNOHANG, &ru)) >= 0) {
		if (w > 0 && (WIFEXITED(st) || WIFSIGNALED(st))) {
			add_rusage(&r->ru, &ru);
			r->orphans++;
		} else if (w == 0) {
			if (!killed && now_ns() > deadline) {
				signal_children(SIGKILL);
				killed = true;
			}
			nanosleep(&tick, NULL);
		}
	}
	if (errno != ECHILD)
		die("wait4");
}

int main(int argc, char **argv)
{
	const char *out_path = "/dev/null";
	uint64_t t0, bytes = 0, nul = 0;
	struct run r = { .own_hwm_kb = -1 };
	bool count = false;
	int opt, st, sfd = -1, pipefd[2] = { -1, -1 };
	sigset_t chld;

	while ((opt = getopt(argc, argv, "+o:cxr")) != -1) {
		switch (opt) {
		case 'o': out_path = optarg; break;
		case 'c': count = true; break;
		case 'x': r.trace = true; break;
		case 'r': r.reap = true; break;
		default: goto usage;
		}
	}
	if (optind >= argc)
		goto usage;

	/* -c waits with poll(): SIGCHLD arrives on a signalfd. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (count) {
		sigprocmask(SIG_BLOCK, &chld, NULL);
		sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
			die("signalfd/pipe2");
		/* A bigger pipe: fewer wakeups for the writer and for us. */
		fcntl(pipefd[0], F_SETPIPE_SZ, 1 << 20);
	}

	if (r.reap && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)");

	t0 = now_ns();
	r.pid = fork();
	if (r.pid < 0)
		die("fork");
	if (r.pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int outfd = count ? pipefd[1] :
			    open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		if (in < 0 || outfd < 0 || dup2(in, 0) < 0 ||
		    dup2(outfd, 1) < 0)
			die("child stdio");
		if (r.trace && ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			die("ptrace(TRACEME)");
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "measure: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}

	if (count) {
		close(pipefd[1]);
		wait_counting(&r, pipefd[0], sfd, &bytes, &nul);
	} else {
		do {
			if (wait4(r.pid, &st, 0, &r.ru) < 0) {
				if (errno == EINTR)
					continue;
				die("wait4");
			}
		} while (!handle(&r, st));
	}
	if (r.reap)
		reap_orphans(&r);

	printf("wall_ns=%" PRIu64 " user_ns=%" PRIu64 " sys_ns=%" PRIu64
	       " maxrss_kb=%ld status=%d", r.end_ns - t0, tv_ns(r.ru.ru_utime),
	       tv_ns(r.ru.ru_stime), r.ru.ru_maxrss, r.status);
	if (r.trace)
		printf(" own_hwm_kb=%ld", r.own_hwm_kb);
	if (count)
		printf(" out_bytes=%" PRIu64 " out_nul=%" PRIu64, bytes, nul);
	if (r.reap)
		printf(" orphans=%d", r.orphans);
	printf("\n");
	return 0;

usage:
	fprintf(stderr,
		"usage: measure [-o FILE | -c] [-x] [-r] -- COMMAND [ARG]...\n");
	return 2;
}
