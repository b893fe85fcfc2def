/*
 * rr-helper - the deterministic scripted child of the library tests.
 *
 *   pattern N [SEED]       N bytes of the test pattern to stdout, odd chunks
 *   pattern-err N [SEED]   the same to stderr
 *   both N M [SEED]        N bytes (seed SEED) to stdout and M bytes (seed
 *                          SEED+1) to stderr, chunk by chunk in turn; a
 *                          reader that drains only one pipe deadlocks
 *   fds                    open fds from /proc/self/fd, one per line
 *   sigstate               "blocked:" + blocked signal numbers, then
 *                          "sigpipe:default|ignore|handler"
 *   nofile                 RLIMIT_NOFILE soft limit
 *   pgid                   "PID PGID"
 *   env NAME               the value of NAME, or exit 3 when unset
 *   cwd                    the working directory
 *   exit N                 exit with N
 *   kill SIG               kill itself with SIG
 *   lines K                "line 1" ... "line K"
 *   longline N             N bytes of a-z without '\n', then "\nend\n"
 *   tick N MS              "tick 1" ... "tick N", one every MS ms
 *   burn MS MIB            touch MIB MiB, then burn MS ms of CPU
 *
 * Exit status 2 on a usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../lib/pattern.h"

static void die(const char *what)
{
	fprintf(stderr, "rr-helper: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "rr-helper: bad usage\n");
	exit(2);
}

static unsigned long long num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		usage();
	write_all(1, buf, (size_t)n);
}

/* Writes chunk i of a pattern stream; returns the bytes still to go. */
static unsigned long long pattern_step(int fd, struct pat *p, unsigned i,
				       unsigned long long left)
{
	static uint8_t buf[131072];
	size_t n = pat_chunk(i);
	if (n > left)
		n = (size_t)left;
	pat_fill(p, buf, n);
	write_all(fd, buf, n);
	return left - n;
}

static int cmd_pattern(int fd, int argc, char **argv)
{
	if (argc < 1 || argc > 2)
		usage();
	unsigned long long left = num(argv[0]);
	struct pat p;
	pat_init(&p, argc > 1 ? num(argv[1]) : 0);
	for (unsigned i = 0; left; i++)
		left = pattern_step(fd, &p, i, left);
	return 0;
}

static int cmd_both(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		usage();
	unsigned long long out = num(argv[0]), err = num(argv[1]);
	uint64_t seed = argc > 2 ? num(argv[2]) : 0;
	struct pat po, pe;
	pat_init(&po, seed);
	pat_init(&pe, seed + 1);
	for (unsigned i = 0; out || err; i++) {
		if (out)
			out = pattern_step(1, &po, i, out);
		if (err)
			err = pattern_step(2, &pe, i, err);
	}
	return 0;
}

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		die("/proc/self/fd");
	int fds[1024], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 1024) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
		say("%d\n", fds[i]);
	return 0;
}

static int cmd_sigstate(void)
{
	sigset_t set;
	struct sigaction sa;
	char line[1024] = "blocked:";
	if (sigprocmask(SIG_BLOCK, NULL, &set))
		die("sigprocmask");
	for (int s = 1; s < NSIG; s++) {
		if (sigismember(&set, s) == 1) {
			size_t l = strlen(line);
			snprintf(line + l, sizeof line - l, " %d", s);
		}
	}
	if (sigaction(SIGPIPE, NULL, &sa))
		die("sigaction");
	say("%s\nsigpipe:%s\n", line,
	    sa.sa_handler == SIG_DFL   ? "default"
	    : sa.sa_handler == SIG_IGN ? "ignore"
				       : "handler");
	return 0;
}

static int cmd_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	say("%llu\n", (unsigned long long)rl.rlim_cur);
	return 0;
}

static int cmd_env(int argc, char **argv)
{
	if (argc != 1)
		usage();
	const char *v = getenv(argv[0]);
	if (!v)
		return 3;
	say("%s\n", v);
	return 0;
}

static int cmd_cwd(void)
{
	char buf[4096];
	if (!getcwd(buf, sizeof buf))
		die("getcwd");
	say("%s\n", buf);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	if (argc != 1)
		usage();
	int sig = (int)num(argv[0]);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	return 1; /* not reached for a fatal signal */
}

static int cmd_lines(int argc, char **argv)
{
	if (argc != 1)
		usage();
	unsigned long long k = num(argv[0]);
	/* Batch the lines so that 10^5 of them stay cheap. */
	static char buf[65536];
	size_t len = 0;
	for (unsigned long long i = 1; i <= k; i++) {
		len += (size_t)snprintf(buf + len, sizeof buf - len, "line %llu\n", i);
		if (len > sizeof buf - 64) {
			write_all(1, buf, len);
			len = 0;
		}
	}
	write_all(1, buf, len);
	return 0;
}

static int cmd_longline(int argc, char **argv)
{
	if (argc != 1)
		usage();
	unsigned long long n = num(argv[0]);
	char buf[4096];
	unsigned long long off = 0;
	while (off < n) {
		size_t c = sizeof buf;
		if (c > n - off)
			c = (size_t)(n - off);
		for (size_t i = 0; i < c; i++)
			buf[i] = (char)('a' + (off + i) % 26);
		write_all(1, buf, c);
		off += c;
	}
	write_all(1, "\nend\n", 5);
	return 0;
}

static void sleep_ms(unsigned long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_tick(int argc, char **argv)
{
	if (argc != 2)
		usage();
	unsigned long long n = num(argv[0]), ms = num(argv[1]);
	for (unsigned long long i = 1; i <= n; i++) {
		say("tick %llu\n", i);
		if (i < n)
			sleep_ms(ms);
	}
	return 0;
}

static unsigned long long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static int cmd_burn(int argc, char **argv)
{
	if (argc != 2)
		usage();
	unsigned long long ms = num(argv[0]), mib = num(argv[1]);
	volatile char *mem = malloc(mib << 20 ? mib << 20 : 1);
	if (!mem)
		die("malloc");
	for (unsigned long long i = 0; i < mib << 20; i += 4096)
		mem[i] = (char)i;
	unsigned long long start = cpu_ms();
	volatile unsigned long long x = 1;
	while (cpu_ms() - start < ms)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ull + 1;
	say("%llu\n", (unsigned long long)x & 1);
	free((void *)mem);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *c = argv[1];
	int n = argc - 2;
	char **a = argv + 2;
	if (!strcmp(c, "pattern"))
		return cmd_pattern(1, n, a);
	if (!strcmp(c, "pattern-err"))
		return cmd_pattern(2, n, a);
	if (!strcmp(c, "both"))
		return cmd_both(n, a);
	if (!strcmp(c, "fds"))
		return cmd_fds();
	if (!strcmp(c, "sigstate"))
		return cmd_sigstate();
	if (!strcmp(c, "nofile"))
		return cmd_nofile();
	if (!strcmp(c, "pgid")) {
		say("%d %d\n", (int)getpid(), (int)getpgid(0));
		return 0;
	}
	if (!strcmp(c, "env"))
		return cmd_env(n, a);
	if (!strcmp(c, "cwd"))
		return cmd_cwd();
	if (!strcmp(c, "exit") && n == 1)
		return (int)num(a[0]);
	if (!strcmp(c, "kill"))
		return cmd_kill(n, a);
	if (!strcmp(c, "lines"))
		return cmd_lines(n, a);
	if (!strcmp(c, "longline"))
		return cmd_longline(n, a);
	if (!strcmp(c, "tick"))
		return cmd_tick(n, a);
	if (!strcmp(c, "burn"))
		return cmd_burn(n, a);
	usage();
	return 2;
}
