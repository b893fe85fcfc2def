#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/where.h"

extern char **environ;

/* --------------------------------------------------------- /proc scans */

struct procinfo {
	pid_t pid, ppid;
	char state;
};

/* Every process now (malloc'd array), with its parent and state. */
static struct procinfo *procs_list(size_t *n)
{
	DIR *d = opendir("/proc");
	struct procinfo *v = NULL;
	size_t cap = 0;
	struct dirent *e;

	cr_assert(d, "/proc: %s", strerror(errno));
	*n = 0;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		char *p = strrchr(buf, ')');
		if (!p || p[1] != ' ')
			continue;
		char state = p[2];
		long ppid = strtol(p + 4, NULL, 10);
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof *v);
			cr_assert(v);
		}
		v[(*n)++] = (struct procinfo){(pid_t)atol(e->d_name), (pid_t)ppid, state};
	}
	closedir(d);
	return v;
}

/* Descendants of root (and root itself if self), alive, into out. */
static size_t descendants(pid_t root, bool self, pid_t *out, size_t max)
{
	size_t n, k = 0;
	struct procinfo *v = procs_list(&n);

	if (self) {
		for (size_t i = 0; i < n; i++)
			if (v[i].pid == root && v[i].state != 'Z' && k < max)
				out[k++] = root;
	}
	/* Breadth first over the parent links: out grows as we walk it. */
	pid_t *frontier = malloc((n + 1) * sizeof *frontier);
	cr_assert(frontier);
	size_t nf = 0;
	frontier[nf++] = root;
	for (size_t f = 0; f < nf; f++) {
		for (size_t i = 0; i < n; i++) {
			if (v[i].ppid != frontier[f] || v[i].pid == frontier[f])
				continue;
			frontier[nf++] = v[i].pid;
			if (v[i].state != 'Z' && k < max)
				out[k++] = v[i].pid;
			if (nf > n)
				break;
		}
	}
	free(frontier);
	free(v);
	return k;
}

static void kill_tree(pid_t root, bool self)
{
	pid_t pids[4096];

	if (root <= 1)
		return;
	for (int round = 0; round < 20; round++) {
		size_t n = descendants(root, self && round == 0, pids, 4096);
		if (n == 0)
			return;
		if (self && round == 0)
			kill(root, SIGSTOP); /* no new children while we look */
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Does /proc/PID/FILE, NULs read as sep, contain needle (or equal it)? */
static bool proc_file_has(const char *pid, const char *file, const char *needle,
			  bool whole_entry)
{
	char path[300];
	static char buf[1 << 16];
	snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	if (whole_entry) {
		for (char *p = buf; p < buf + n; p += strlen(p) + 1)
			if (strcmp(p, needle) == 0)
				return true;
		return false;
	}
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return strstr(buf, needle) != NULL;
}

/* Processes whose environment has exactly entry: the sessions of one sshd
 * (HOME=DIR/home), also after their connection was lost. */
static void kill_by_env(const char *entry)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) &&
		    atol(e->d_name) != getpid() &&
		    proc_file_has(e->d_name, "environ", entry, true))
			kill((pid_t)atol(e->d_name), SIGKILL);
	closedir(d);
}

/* Processes whose command line contains needle: sig to each (0: none),
 * counted when in state (0: any). */
static int procs_scan(const char *needle, int sig, char state)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	cr_assert(d);
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atol(e->d_name);
		if (!isdigit((unsigned char)e->d_name[0]) || pid == getpid() ||
		    !proc_file_has(e->d_name, "cmdline", needle, false))
			continue;
		if (state && proc_state(pid) != state)
			continue;
		if (sig)
			kill(pid, sig);
		n++;
	}
	closedir(d);
	return n;
}

int procs_with_cmdline(const char *needle)
{
	return procs_scan(needle, 0, 0);
}

int procs_kill(const char *needle, int sig)
{
	return procs_scan(needle, sig, 0);
}

int procs_in_state(const char *needle, char state)
{
	return procs_scan(needle, 0, state);
}

void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

int procs_wait_count(const char *needle, int want, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int n;
	while ((n = procs_with_cmdline(needle)) < want && now_ns() < end)
		pause_ms(10);
	return n;
}

int procs_wait_gone(const char *needle, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int n;
	while ((n = procs_with_cmdline(needle)) > 0 && now_ns() < end)
		pause_ms(10);
	return n;
}

/* ------------------------------------------------------------------ sshd */

static struct sshd *started[8];

/* posix_spawn, whose argv is char *const[] only for history: it writes to
   none of the strings. */
static int spawn(pid_t *pid, const char *const argv[],
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at)
{
	return posix_spawn(pid, argv[0], fa, at, (char *const *)argv, environ);
}

/* Run argv to its end, its output appended to out; returns the wait status. */
static int run_wait(const char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	int rc = spawn(&pid, argv, &fa, NULL);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * The guard: a shell in its own session that waits on a pipe from us.  "done"
 * means we cleaned up; end of file means this process died first, so it does
 * what sshd_stop would have done.
 */
static const char guard_script[] =
	"read -r x; [ \"$x\" = done ] && exit 0\n"
	"d=$1\n"
	"tree() { for c in $(pgrep -P \"$1\"); do tree \"$c\"; done; echo \"$1\"; }\n"
	"if [ -f \"$d/pid\" ]; then p=$(cat \"$d/pid\"); kill -STOP \"$p\";"
	" kill -KILL $(tree \"$p\"); fi 2>/dev/null\n"
	"for e in /proc/[0-9]*/environ; do\n"
	"  tr '\\0' '\\n' <\"$e\" 2>/dev/null | grep -qxF \"HOME=$d/home\" &&"
	" { q=${e#/proc/}; kill -KILL \"${q%/environ}\" 2>/dev/null; }\n"
	"done\n"
	"\"$2\" stop \"$d\" >/dev/null 2>&1\n"
	"rm -rf \"$d\"\n";

static void start_guard(struct sshd *s)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	const char *argv[] = {"/bin/sh", "-c", guard_script, "rr-ssh-guard",
			      s->dir, where_sshd_harness(), NULL};

	cr_assert(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	int rc = spawn(&s->guard, argv, &fa, &at);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[0]);
	cr_assert(rc == 0, "spawn guard: %s", strerror(rc));
	s->guard_fd = p[1];
}

static void stop_guard(struct sshd *s)
{
	if (s->guard_fd >= 0) {
		ssize_t w = write(s->guard_fd, "done\n", 5);
		(void)w;
		close(s->guard_fd);
		s->guard_fd = -1;
	}
	if (s->guard > 0) {
		while (waitpid(s->guard, NULL, 0) < 0 && errno == EINTR)
			;
		s->guard = 0;
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	remove(path);
	return 0;
}

static void read_line_file(const struct sshd *s, const char *name, char *buf,
			   size_t size)
{
	char path[160];
	sshd_path(s, name, path, sizeof path);
	FILE *f = fopen(path, "re");
	cr_assert(f, "%s: %s", path, strerror(errno));
	cr_assert(fgets(buf, (int)size, f), "%s is empty", path);
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

struct sshd *sshd_start(int naddr, int first, ...)
{
	struct sshd *s = calloc(1, sizeof *s);
	const char *argv[32];
	char nbuf[16], fbuf[16], out[160], line[64];
	int n = 0;
	va_list ap;

	cr_assert(s);
	cr_assert(naddr >= 1 && naddr <= SSHD_MAX_ADDRS);
	where_sshd_harness(); /* asserted before anything is made */
	s->guard_fd = -1;
	snprintf(s->dir, sizeof s->dir, "/tmp/rr-ssh-XXXXXX");
	cr_assert(mkdtemp(s->dir), "mkdtemp: %s", strerror(errno));
	snprintf(nbuf, sizeof nbuf, "%d", naddr);
	snprintf(fbuf, sizeof fbuf, "%d", first);
	argv[n++] = where_sshd_harness();
	argv[n++] = "start";
	argv[n++] = s->dir;
	argv[n++] = nbuf;
	argv[n++] = fbuf;
	va_start(ap, first);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	size_t slot = 0;
	while (slot < sizeof started / sizeof *started && started[slot])
		slot++;
	cr_assert(slot < sizeof started / sizeof *started, "too many sshds in one test");
	started[slot] = s;
	sshd_path(s, "harness.out", out, sizeof out);
	int status = run_wait(argv, out);
	char *why = read_file(out, NULL);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "sshd-harness start failed (status 0x%x): %s", status, why ? why : "");
	free(why);
	s->running = true;
	read_line_file(s, "pid", line, sizeof line);
	s->pid = (pid_t)atol(line);
	read_line_file(s, "port", line, sizeof line);
	s->port = (unsigned)atol(line);
	cr_assert(s->pid > 1 && s->port > 0);
	start_guard(s);

	sshd_path(s, "addrs", out, sizeof out);
	FILE *f = fopen(out, "re");
	cr_assert(f);
	while (s->naddr < SSHD_MAX_ADDRS &&
	       fgets(s->addr[s->naddr], sizeof s->addr[0], f)) {
		s->addr[s->naddr][strcspn(s->addr[s->naddr], "\n")] = 0;
		s->naddr++;
	}
	fclose(f);
	cr_assert_eq(s->naddr, naddr);
	sshd_path(s, "known_hosts", s->known_hosts, sizeof s->known_hosts);
	sshd_path(s, "client_ed25519", s->client_key, sizeof s->client_key);
	sshd_path(s, "other_ed25519", s->other_key, sizeof s->other_key);
	sshd_path(s, "host_ed25519.pub", s->host_pub, sizeof s->host_pub);
	sshd_path(s, "sshd.log", s->log, sizeof s->log);
	return s;
}

void sshd_crash(struct sshd *s)
{
	if (s->running)
		kill_tree(s->pid, true);
}

void sshd_drop_connections(struct sshd *s)
{
	if (s->running)
		kill_tree(s->pid, false);
}

void sshd_stop(struct sshd *s)
{
	char home[96];

	if (!s)
		return;
	if (s->running) {
		char pidfile[160];

		kill_tree(s->pid, false);
		snprintf(home, sizeof home, "HOME=%s/home", s->dir);
		kill_by_env(home);
		/*
		 * What "sshd-harness.sh stop" does, but a zombie counts as gone:
		 * the harness waits on kill -0, which a zombie passes until the
		 * init process reaps it (here up to 2 s later).
		 */
		if (kill(s->pid, SIGTERM) == 0 && !pid_dead(s->pid, 5000)) {
			kill(s->pid, SIGKILL);
			pid_dead(s->pid, 5000);
		}
		sshd_path(s, "pid", pidfile, sizeof pidfile);
		unlink(pidfile);
		s->running = false;
	}
	if (s->dir[0]) {
		nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		s->dir[0] = 0;
	}
	stop_guard(s);
}

static struct bg {
	pid_t pid;
	int fd;
} bgs[8];

pid_t bg_start(const char *script, ...)
{
	const char *argv[16] = {"/bin/sh", "-c", script};
	int n = 3, p[2];
	va_list ap;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;

	va_start(ap, script);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	cr_assert(pipe2(p, O_CLOEXEC) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	int rc = spawn(&pid, argv, &fa, &at);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[0]);
	cr_assert(rc == 0, "spawn: %s", strerror(rc));
	for (size_t i = 0; i < sizeof bgs / sizeof *bgs; i++) {
		if (!bgs[i].pid) {
			bgs[i] = (struct bg){pid, p[1]};
			return pid;
		}
	}
	cr_assert_fail("too many background scripts");
	return -1;
}

void ssh_test_init(void)
{
	/* No agent: auth must come from the keys each test names. */
	unsetenv("SSH_AUTH_SOCK");
}

void ssh_test_fini(void)
{
	for (size_t i = 0; i < sizeof bgs / sizeof *bgs; i++) {
		if (bgs[i].pid) {
			close(bgs[i].fd);
			while (waitpid(bgs[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
			bgs[i].pid = 0;
		}
	}
	for (size_t i = 0; i < sizeof started / sizeof *started; i++) {
		if (started[i]) {
			sshd_stop(started[i]);
			free(started[i]);
			started[i] = NULL;
		}
	}
}

const char *sshd_spec(const struct sshd *s, int i, char *buf, size_t size)
{
	cr_assert(i >= 0 && i < s->naddr);
	snprintf(buf, size, "%s:%u", s->addr[i], s->port);
	return buf;
}

void sshd_path(const struct sshd *s, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", s->dir, name);
}

int sshd_log_count(const struct sshd *s, const char *needle)
{
	FILE *f = fopen(s->log, "re");
	char line[1024];
	int n = 0;
	cr_assert(f, "%s: %s", s->log, strerror(errno));
	while (fgets(line, sizeof line, f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

int sshd_log_wait(const struct sshd *s, const char *needle, int want,
		  int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int n;
	while ((n = sshd_log_count(s, needle)) < want && now_ns() < end)
		pause_ms(10);
	return n;
}

int sshd_backlog(const struct sshd *s)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[512];
	unsigned port, state, queued;
	int n = 0;

	cr_assert(f, "/proc/net/tcp: %s", strerror(errno));
	while (fgets(line, sizeof line, f))
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x %*x:%x", &port, &state, &queued) == 3 &&
		    port == s->port && state == 0x0a /* LISTEN */)
			n += (int)queued;
	fclose(f);
	return n;
}

int sshd_procs_signal(const struct sshd *s, const char *needle, int sig)
{
	pid_t pids[4096];
	int n = 0;

	cr_assert(s->running);
	size_t k = descendants(s->pid, false, pids, 4096);
	for (size_t i = 0; i < k; i++) {
		char pid[16];
		snprintf(pid, sizeof pid, "%d", (int)pids[i]);
		if (proc_file_has(pid, "cmdline", needle, false) && kill(pids[i], sig) == 0)
			n++;
	}
	return n;
}

int sshd_sessions(const struct sshd *s)
{
	size_t n;
	int k = 0;
	struct procinfo *v = procs_list(&n);
	for (size_t i = 0; i < n; i++)
		if (v[i].ppid == s->pid && v[i].state != 'Z')
			k++;
	free(v);
	return k;
}

int sshd_sessions_wait_gone(const struct sshd *s, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int n;
	while ((n = sshd_sessions(s)) > 0 && now_ns() < end)
		pause_ms(10);
	return n;
}

/* ----------------------------------------------------------- the library */

rr_loop *loop_new(const struct rr_loop_opts *opts)
{
	rr_loop *loop = rr_loop_new(opts);
	cr_assert(loop, "rr_loop_new: %s", strerror(errno));
	return loop;
}

rr_host *host_on(rr_loop *loop, const struct sshd *s, int i,
		 const struct rr_host_opts *base)
{
	struct rr_host_opts o = base ? *base : (struct rr_host_opts){0};
	const char *ids[] = {s->client_key, NULL};
	char spec[64];

	if (!o.identities)
		o.identities = ids;
	if (!o.known_hosts)
		o.known_hosts = s->known_hosts;
	if (!base)
		o.no_agent = true;
	sshd_spec(s, i, spec, sizeof spec);
	rr_host *h = rr_host_new(loop, spec, &o);
	cr_assert(h, "rr_host_new(%s): %s", spec, strerror(errno));
	return h;
}

rr_task *ssh_task(rr_loop *loop, rr_host *host, const char *cmd,
		  const struct rr_opts *o)
{
	rr_task *t = rr_ssh(loop, host, cmd, o);
	cr_assert(t, "rr_ssh(%s): %s", cmd, strerror(errno));
	cr_assert_eq(rr_task_host(t), host);
	return t;
}

const struct rr_result *run_ssh(rr_loop *loop, rr_host *host, const char *cmd,
				const struct rr_opts *o)
{
	return wait_task(ssh_task(loop, host, cmd, o));
}

void expect_capture(const char *what, const struct rr_capture *c, const char *s)
{
	size_t n = strlen(s);
	cr_assert_eq(c->len, n, "%s: %zu bytes '%.*s', want %zu '%s'", what, c->len,
		     (int)(c->len < 300 ? c->len : 300), c->data ? c->data : "", n, s);
	cr_assert_eq(c->total, n, "%s: total %zu, want %zu", what, c->total, n);
	cr_assert_not(c->truncated, "%s: truncated", what);
	if (n)
		cr_assert(c->data && memcmp(c->data, s, n) == 0, "%s: '%s', want '%s'",
			  what, c->data, s);
}

void expect_contains(const char *msg, const char *needle)
{
	cr_assert(msg, "message is NULL");
	cr_assert(strstr(msg, needle), "'%s' does not contain '%s'", msg, needle);
}

/* ------------------------------------------------------------------- misc */

void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		cr_assert(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	close(fd);
}

char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	cr_assert(b);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
			cr_assert(b);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

int sh_capture(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "re");
	cr_assert(p, "popen %s: %s", cmd, strerror(errno));
	size_t n = 0;
	if (out) {
		n = fread(out, 1, size - 1, p);
		out[n] = 0;
	}
	char sink[4096];
	while (fread(sink, 1, sizeof sink, p) > 0)
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

double secs_since(uint64_t start_ns)
{
	return (double)(now_ns() - start_ns) / 1e9;
}

/* A command that leaves a file behind, to prove it never ran. */
const char *touch_cmd(const struct sshd *s, char *marker, size_t msize,
			     char *cmd, size_t csize)
{
	sshd_path(s, "ran", marker, msize);
	unlink(marker);
	snprintf(cmd, csize, "touch %s", marker);
	return cmd;
}
