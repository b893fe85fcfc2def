/*
 * What the CLI tests share around a run: the test's own directory, a real
 * OpenSSH sshd in it, strings with @TOKENs replaced.
 */
#include "sshd.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/guard.h"
#include "../common/where.h"

struct cli_test cli;

static char **expanded; /* freed when the test ends */
static size_t nexpanded;

static void rm_rf(const char *path)
{
	const char *rm[] = { "rm", "-rf", path, NULL };
	struct proc_result r;

	run_prog(rm, NULL, 0, HANG_GUARD_MS, &r);
	proc_result_free(&r);
}

void cli_dir_up(const char *name)
{
	snprintf(cli.dir, sizeof cli.dir, "/tmp/rr-%s-XXXXXX", name);
	cr_assert_not_null(mkdtemp(cli.dir));
}

void cli_dir_down(void)
{
	if (cli.up)
		cli_sshd_stop();
	cli.up = false;
	for (size_t k = 0; k < nexpanded; k++)
		free(expanded[k]);
	free(expanded);
	expanded = NULL;
	nexpanded = 0;
	rm_rf(cli.dir);
}

/* The sshd it leaves running inherits the harness's fds: they go to a file,
   so that it holds no pipe of ours open. */
int cli_harness(const char *const args[])
{
	const char *argv[40] = { "sh", "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1",
				 "sh", cli_expand("@DIR/harness.log"), where_sshd_harness() };
	struct proc_result r;
	size_t n = 6;

	for (size_t k = 0; args[k]; k++) {
		cr_assert_lt(n + 1, sizeof argv / sizeof argv[0]);
		argv[n++] = args[k];
	}
	argv[n] = NULL;
	/* The harness itself waits up to 30 s for an sshd to listen. */
	run_prog(argv, NULL, 0, 2 * HANG_GUARD_MS, &r);
	int status = r.status;
	proc_result_free(&r);
	return status;
}

void cli_sshd_start(int naddr, const char *extra)
{
	char n[16];
	/* No extra: the list ends there. */
	const char *args[] = { "start", cli.dir, n, "0", extra, NULL };

	cr_assert(naddr >= 1 && naddr <= CLI_NADDR);
	snprintf(n, sizeof n, "%d", naddr);
	cli.up = true; /* stopping a failed start is harmless */
	if (cli_harness(args) != 0) {
		char *log = cli_slurp("harness.log");

		/* A failed init may not reach the test's .fini. */
		cli_dir_down();
		cr_assert_fail("sshd-harness start: %s", log ? log : "");
	}
}

void cli_sshd_up(int naddr)
{
	char *s, *a, *save = NULL;

	cli_sshd_start(naddr, NULL);
	s = cli_slurp("port");
	cr_assert_not_null(s, "the harness wrote no port");
	snprintf(cli.port, sizeof cli.port, "%.*s", (int)strcspn(s, "\n"), s);
	free(s);
	s = cli_slurp("addrs");
	cr_assert_not_null(s, "the harness wrote no addresses");
	for (int k = 0; k < naddr; k++) {
		a = strtok_r(k ? NULL : s, "\n", &save);
		cr_assert_not_null(a, "the harness wrote %d addresses, not %d", k, naddr);
		snprintf(cli.addr[k], sizeof cli.addr[k], "%s", a);
	}
	free(s);
	snprintf(cli.net, sizeof cli.net, "%.*s",
		 (int)(strrchr(cli.addr[0], '.') + 1 - cli.addr[0]), cli.addr[0]);
	s = cli_slurp("other_ed25519.pub");
	cr_assert_not_null(s, "the harness made no other key");
	*strrchr(s, ' ') = '\0'; /* "type key", no comment */
	snprintf(cli.other_pub, sizeof cli.other_pub, "%s", s);
	free(s);
	snprintf(cli.key, sizeof cli.key, "%s/client_ed25519", cli.dir);
	snprintf(cli.other, sizeof cli.other, "%s/other_ed25519", cli.dir);
	snprintf(cli.kh, sizeof cli.kh, "%s/known_hosts", cli.dir);
}

void cli_sshd_stop(void)
{
	const char *args[] = { "stop", cli.dir, NULL };

	cli_harness(args);
}

const char *cli_expand(const char *s)
{
	const struct {
		const char *token, *value;
	} map[] = {
		{ "@DIR", cli.dir }, { "@H1", cli.addr[0] }, { "@H2", cli.addr[1] },
		{ "@H3", cli.addr[2] }, { "@H4", cli.addr[3] }, { "@NET", cli.net },
		{ "@PORT", cli.port }, { "@KEY", cli.key },
		/* before @OTHER, its prefix */
		{ "@OTHERPUB", cli.other_pub }, { "@OTHER", cli.other },
		{ "@KH", cli.kh },
	};
	char *out;
	size_t len;
	FILE *f;

	if (!s)
		return NULL;
	f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	while (*s) {
		size_t k = 0, n = sizeof map / sizeof map[0];

		while (k < n && strncmp(s, map[k].token, strlen(map[k].token)))
			k++;
		if (k < n) {
			fputs(map[k].value, f);
			s += strlen(map[k].token);
		} else {
			fputc(*s++, f);
		}
	}
	fclose(f);
	expanded = realloc(expanded, (nexpanded + 1) * sizeof *expanded);
	cr_assert_not_null(expanded);
	expanded[nexpanded++] = out;
	return out;
}

size_t cli_login(const char **args, const char *identity, const char *known_hosts)
{
	const char *login[] = {
		"-p", cli.port, "--no-agent",
		"-i", cli_expand(identity ? identity : "@KEY"),
		"--known-hosts", cli_expand(known_hosts ? known_hosts : "@KH"),
	};
	size_t n = sizeof login / sizeof login[0];

	memcpy(args, login, sizeof login);
	return n;
}

void cli_args(const char **args, size_t max, bool ssh, const char *const in[])
{
	size_t n = ssh ? cli_login(args, NULL, NULL) : 0;

	for (size_t k = 0; in[k]; k++) {
		cr_assert_lt(n + 1, max, "too many arguments");
		args[n++] = cli_expand(in[k]);
	}
	args[n] = NULL;
}

char *cli_slurp(const char *name)
{
	char path[PATH_MAX], *s = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", cli.dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (getdelim(&s, &len, '\0', f) < 0) { /* empty */
		free(s);
		s = calloc(1, 1);
	}
	fclose(f);
	return s;
}

char *cli_slurp_or_empty(const char *name)
{
	char *s = cli_slurp(name);

	return s ? s : calloc(1, 1);
}

void cli_write_file(const char *name, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", cli.dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(cli_expand(content), f);
	fclose(f);
}

const char *cli_read_until(int fd, const char *want)
{
	static char buf[4096];
	size_t len = 0;
	long long deadline = now_ms() + HANG_GUARD_MS;

	buf[0] = '\0';
	while (!strstr(buf, want)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();

		cr_assert_gt(left, 0, "never came: \"%s\"; came: %s", want, buf);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		cr_assert_gt(n, 0, "ended before \"%s\": %s", want, buf);
		len += (size_t)n;
		buf[len] = '\0';
	}
	return buf;
}

void cli_wait_lines(const char *name, int n)
{
	long long deadline = now_ms() + HANG_GUARD_MS;

	for (;;) {
		char *s = cli_slurp_or_empty(name);
		int got = cli_count(s, "\n");

		free(s);
		if (got >= n)
			return;
		cr_assert_lt(now_ms(), deadline, "@DIR/%s: %d lines, never %d", name, got, n);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

int cli_entries(const char *name)
{
	char path[PATH_MAX];
	DIR *d;
	int n = 0;

	snprintf(path, sizeof path, "%s/%s", cli.dir, name);
	d = opendir(path);
	cr_assert_not_null(d, "%s: %s", path, strerror(errno));
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

int cli_count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* "sleep" "N": is process pid that? */
static bool is_marked(const char *pid, const char *n)
{
	char path[300], cmd[64], want[32];
	int len = snprintf(want, sizeof want, "sleep%c%s", '\0', n) + 1;
	ssize_t got;
	int fd;

	snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	got = read(fd, cmd, sizeof cmd);
	close(fd);
	return got == len && memcmp(cmd, want, (size_t)len) == 0;
}

int cli_marked(const char *n, bool kill_them)
{
	DIR *d = opendir("/proc");
	int found = 0;

	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || !is_marked(e->d_name, n))
			continue;
		found++;
		if (kill_them)
			kill(atoi(e->d_name), SIGKILL);
	}
	closedir(d);
	return found;
}

void cli_expect_gone(const char *n)
{
	long long deadline = now_ms() + HANG_GUARD_MS;
	int left;

	while ((left = cli_marked(n, false)) && now_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	cli_marked(n, true);
	cr_assert_eq(left, 0, "%d of 'sleep %s' left behind", left, n);
}
