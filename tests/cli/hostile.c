/*
 * ringrun in a hostile or careless world: stop signals with whole process
 * trees running, fds 0-2 closed at start, files planted in --outdir, a low
 * open-file limit, hosts and users that look like ssh options, very long
 * host names.  Real processes throughout; a real sshd (sshd.h) where a host
 * is needed.
 *
 * Task trees are watched through a FIFO: each task writes the pid of a
 * background "sleep" it started, and this test, a child subreaper, reads
 * them (so it knows they run) and inherits the sleeps once their shells
 * die (so it can tell they are gone).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/guard.h"
#include "harness.h"
#include "sshd.h"

/* Far-away hang guards, never a measure. */
#define GUARD_MS HANG_GUARD_MS

/* ------------------------------------------------------ process trees */

struct trees {
	int fifo;       /* read end (opened read-write: never EOF) */
	const char *fifo_path;
	pid_t pid[64];  /* the background sleeps, as the tasks reported them */
	int n;
};

static void trees_init(struct trees *t)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	t->fifo_path = cli_expand("@DIR/pids");
	cr_assert_eq(mkfifo(t->fifo_path, 0600), 0);
	t->fifo = open(t->fifo_path, O_RDWR | O_CLOEXEC);
	cr_assert_geq(t->fifo, 0);
	t->n = 0;
}

/* Read pids until want of them came (each task writes its line whole). */
static void trees_wait(struct trees *t, int want)
{
	char buf[4096];
	size_t len = 0;

	cr_assert_leq(want, (int)(sizeof t->pid / sizeof t->pid[0]));
	while (t->n < want) {
		struct pollfd p = { .fd = t->fifo, .events = POLLIN };
		ssize_t got;
		char *nl;

		cr_assert_eq(poll(&p, 1, GUARD_MS), 1, "%d of %d tasks started",
			     t->n, want);
		got = read(t->fifo, buf + len, sizeof buf - 1 - len);
		cr_assert_gt(got, 0);
		len += (size_t)got;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			t->pid[t->n++] = atoi(buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
	}
}

/*
 * Every sleep is gone, or ends now: ringrun has exited, and a sleep it
 * killed may be finishing its exit.  Its pidfd tells when; one its
 * subshell reaped has no pid left.  Those whose shell died first are our
 * children, reaped here.
 */
static void trees_all_gone(struct trees *t)
{
	for (int k = 0; k < t->n; k++) {
		int fd = (int)syscall(SYS_pidfd_open, t->pid[k], 0);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (fd < 0) {
			cr_assert_eq(errno, ESRCH);
			continue;
		}
		if (poll(&p, 1, GUARD_MS) != 1)
			kill(t->pid[k], SIGKILL); /* not left to the next test */
		cr_assert(p.revents & POLLIN, "pid %d survived ringrun", t->pid[k]);
		waitpid(t->pid[k], NULL, WNOHANG);
		close(fd);
	}
	close(t->fifo);
}

/*
 * Each of n tasks, at once, runs a tree: its shell, a subshell and a sleep
 * that reports its pid; then ringrun gets sig.  Every tree is killed and
 * reaped before ringrun exits with 128 + sig.
 */
static void stop_with(int sig, int n)
{
	struct trees t;
	struct proc p;
	struct proc_result r;
	char cmd[PATH_MAX + 128], jobs[16];
	const char *argv[80] = { ringrun_bin(), "-j", jobs, cmd, ":::" };
	char inputs[64][12];
	int argc = 5;

	cli_dir_up("hostile");
	trees_init(&t);
	snprintf(jobs, sizeof jobs, "%d", n);
	snprintf(cmd, sizeof cmd, ": {}; (sleep 600 & echo $! > %s; wait) & wait",
		 t.fifo_path);
	for (int k = 0; k < n; k++) {
		snprintf(inputs[k], sizeof inputs[k], "%d", k + 1);
		argv[argc++] = inputs[k];
	}
	argv[argc] = NULL;
	proc_start(&p, argv, false);
	trees_wait(&t, n);
	cr_assert_eq(kill(p.pid, sig), 0);
	proc_finish(&p, NULL, 0, GUARD_MS, &r);
	cr_assert_eq(r.status, 128 + sig, "stderr: %s", r.err);
	cr_assert_eq(cli_count(r.err, "cancelled; killed by SIGTERM\n"), n, "%s", r.err);
	trees_all_gone(&t);
	proc_result_free(&r);
}

Test(cli_hostile, sigquit_ends_every_task_tree, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	stop_with(SIGQUIT, 40);
}

/* The signals covered elsewhere one tree at a time, with many trees. */
Test(cli_hostile, sigterm_ends_every_task_tree, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	stop_with(SIGTERM, 40);
}

/*
 * A task that leaves a daemon holding its stdout, in a session of its own
 * where no group signal reaches it.  SIGTERM to ringrun ends the run a
 * kill's grace or two later, saying why, not when the daemon lets go of the
 * pipe (600 s; before: the whole 600 s).
 */
Test(cli_hostile, sigterm_with_a_daemon_holding_the_output, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct trees t;
	struct proc p;
	struct proc_result r;
	char cmd[PATH_MAX + 64];
	const char *argv[] = { ringrun_bin(), cmd, NULL };

	cli_dir_up("hostile");
	trees_init(&t);
	/* The pid comes once the daemon has its session: SIGTERM cannot reach it. */
	snprintf(cmd, sizeof cmd, "setsid sh -c 'echo $$ > %s; exec sleep 600' & echo done",
		 t.fifo_path);
	proc_start(&p, argv, false);
	trees_wait(&t, 1);
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	proc_finish(&p, NULL, 0, GUARD_MS, &r);
	kill(t.pid[0], SIGKILL); /* the daemon: left by design */
	waitpid(t.pid[0], NULL, 0);
	cr_assert_eq(r.status, 143, "stderr: %s", r.err);
	cr_assert_eq(cli_count(r.err, "its output held open by a process it left, no "
			       "longer read\n"), 1, "%s", r.err);
	t.n = 0;
	trees_all_gone(&t);
	proc_result_free(&r);
}

/* ------------------------------------------------- fds 0-2 closed at start */

/*
 * ringrun started by sh with redirections (script: "exec ringrun ... REDIRS",
 * ringrun in $0); a closed standard fd is /dev/null to it: what would go
 * there is discarded and the run is as it would be otherwise.
 */
static void run_closed(const char *script, const char *const args[],
		       struct proc_result *r)
{
	const char *argv[48] = { "sh", "-c", script, ringrun_bin() };
	size_t n = 4;

	for (size_t k = 0; args[k]; k++) {
		cr_assert_lt(n + 1, sizeof argv / sizeof argv[0]);
		argv[n++] = cli_expand(args[k]);
	}
	argv[n] = NULL;
	run_prog(argv, NULL, 0, GUARD_MS, r);
}

/* Before: the ring took fd 1, "ringrun: write: Invalid argument", exit 1. */
Test(cli_hostile, closed_stdout_discards_output, .timeout = TEST_TIMEOUT, .fini = cli_dir_down)
{
	const char *args[] = { "-o", "stream", "echo {}; echo e{} >&2; touch @DIR/ran{}",
			       ":::", "1", "2", "3", NULL };
	struct proc_result r;

	cli_dir_up("hostile");
	run_closed("exec \"$0\" \"$@\" >&-", args, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_eq(cli_count(r.err, ": e"), 3, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 3, "%s", r.err);
	for (int k = 1; k <= 3; k++) {
		char name[16];
		char *ran;

		snprintf(name, sizeof name, "ran%d", k);
		ran = cli_slurp(name);
		cr_assert_not_null(ran, "task %d did not run", k);
		free(ran);
	}
	proc_result_free(&r);
}

/* Failure lines go nowhere; the status still says a task failed. */
Test(cli_hostile, closed_stderr_keeps_the_status, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "-k", "echo {}; test {} = 1", ":::", "1", "2", NULL };
	struct proc_result r;

	run_closed("exec \"$0\" \"$@\" 2>&-", args, &r);
	cr_assert_eq(r.status, 1, "stdout: %s", r.out);
	cr_assert_str_eq(r.out, "1\n2\n");
	proc_result_free(&r);
}

/* A closed stdin is an empty one: --stdin gives the tasks no byte. */
Test(cli_hostile, closed_stdin_is_empty, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "--stdin", "-k", "wc -c; echo {}", ":::", "a", "b", NULL };
	struct proc_result r;

	run_closed("exec \"$0\" \"$@\" <&-", args, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "0\na\n0\nb\n");
	cr_assert_str_eq(r.err, "");
	proc_result_free(&r);
}

/* All three closed: the tasks still run, and ringrun says all went well. */
Test(cli_hostile, all_stdio_closed, .timeout = TEST_TIMEOUT, .fini = cli_dir_down)
{
	const char *args[] = { "-o", "stream", "echo {}; touch @DIR/ran{}", ":::", "1",
			       "2", NULL };
	struct proc_result r;
	char *ran;

	cli_dir_up("hostile");
	run_closed("\"$0\" \"$@\" <&- >&- 2>&-; echo $?", args, &r);
	cr_assert_str_eq(r.out, "0\n", "ringrun's status");
	ran = cli_slurp("ran2");
	cr_assert_not_null(ran);
	free(ran);
	proc_result_free(&r);
}

/* ------------------------------------------------- files planted in --outdir */

/*
 * DIR/1.out a symbolic link to a file outside (as /etc/x would be) and
 * DIR/2.err a FIFO nobody reads: each is refused in one line naming it,
 * never written through or waited on; the tasks' output still reaches
 * stdout, their other files are written, and the status says a file
 * failed.
 */
Test(cli_hostile, outdir_refuses_planted_files, .timeout = TEST_TIMEOUT, .fini = cli_dir_down)
{
	struct proc_result r;
	char *victim, *out3;

	cli_dir_up("hostile");
	const char *args[] = { "-k", "--outdir", cli_expand("@DIR/out"), "echo {}",
			       ":::", "a", "b", "c", NULL };
	cr_assert_eq(mkdir(cli_expand("@DIR/out"), 0700), 0);
	cli_write_file("victim", "untouched\n");
	cr_assert_eq(symlink(cli_expand("@DIR/victim"), cli_expand("@DIR/out/1.out")), 0);
	cr_assert_eq(mkfifo(cli_expand("@DIR/out/2.err"), 0600), 0);
	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "a\nb\nc\n");
	cr_assert_not_null(strstr(r.err, cli_expand("ringrun: --outdir: @DIR/out/1.out: "
						    "a symbolic link, not followed\n")),
			   "%s", r.err);
	cr_assert_not_null(strstr(r.err, cli_expand("ringrun: --outdir: @DIR/out/2.err: "
						    "not a regular file\n")),
			   "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 2, "%s", r.err);
	victim = cli_slurp("victim");
	cr_assert_str_eq(victim, "untouched\n");
	out3 = cli_slurp("out/3.out");
	cr_assert_str_eq(out3, "c\n");
	free(victim);
	free(out3);
	proc_result_free(&r);
}

/* ------------------------------------------------- a low open-file limit */

/*
 * -j above what 64 fds allow: one line says how many run at once, and
 * every task runs - none fails for want of an fd.  (Needs the library's
 * clamp of rr_loop_opts.max_running to the fd limit.)
 */
Test(cli_hostile, jobs_clamped_to_the_fd_limit, .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { "sh", "-c", "ulimit -n 64; exec \"$0\" -j 500 -a - 'echo {}'",
			       ringrun_bin(), NULL };
	char in[2000 * 5 + 1], *c = in;
	struct proc p;
	struct proc_result r;

	for (int k = 1; k <= 2000; k++)
		c += sprintf(c, "%d\n", k);
	proc_start(&p, argv, false);
	proc_finish(&p, in, (size_t)(c - in), 100000, &r);
	cr_assert_eq(r.status, 0, "stderr: %.300s", r.err);
	cr_assert_eq(cli_count(r.out, "\n"), 2000);
	cr_assert_eq(cli_count(r.err, "\n"), 1, "%.300s", r.err);
	cr_assert_eq(strncmp(r.err, "ringrun: -j 500: only ", 22), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, " in the open-file limit (64); running "),
			   "%s", r.err);
	proc_result_free(&r);
}

/* A home of the test's own: this machine's ~/.ssh never matters. */
static void own_home(void)
{
	cli_dir_up("hostile");
	cr_assert_eq(mkdir(cli_expand("@DIR/home"), 0700), 0);
	setenv("HOME", cli_expand("@DIR/home"), 1);
	unsetenv("SSH_AUTH_SOCK");
}

static void sshd_up(void)
{
	own_home();
	cli_sshd_up(CLI_NADDR);
}

/*
 * ringrun with sshd.h's ssh options (port, key, known_hosts, no agent) then
 * args, expanded; under "sh -c script" (ringrun in $0) unless it is NULL.
 */
static void run_fleet(const char *script, const char *const args[],
		      struct proc_result *r)
{
	const char *argv[64] = { "sh", "-c", script, ringrun_bin() };

	cli_args(argv + 4, sizeof argv / sizeof argv[0] - 4, true, args);
	run_prog(script ? argv : argv + 3, NULL, 0, GUARD_MS, r);
}

/* Twelve ssh_config aliases of the sshd's four addresses. */
static void twelve_aliases(void)
{
	char cfg[1024] = "", *c = cfg;

	for (int k = 1; k <= 12; k++)
		c += sprintf(c, "Host h%d\n  HostName %s\n", k, cli.addr[(k - 1) % 4]);
	cli_write_file("cfg", cfg);
}

/*
 * Fleet mode: hosts at once clamped by the fds their connections need
 * (40 fds: 32 kept for the rest, one socket each), said once; every host
 * is reached.
 */
Test(cli_hostile, hosts_clamped_to_the_fd_limit, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "-F", "@DIR/cfg", "-j", "0", "-o", "stream", "-l", "root",
			       "-w", "h[1-12]", "echo ok", NULL };
	struct proc_result r;

	twelve_aliases();
	run_fleet("ulimit -n 40; exec \"$0\" \"$@\"", args, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "ringrun: -j 0: only 8 hosts fit in the open-file "
				"limit (40); connecting to 8 at a time\n");
	cr_assert_eq(cli_count(r.out, ": ok\n"), 12, "%s", r.out);
	proc_result_free(&r);
}

/* --------------------------------------------- host names in failure lines */

/* ringrun -F @DIR/cfg ARGS... [--ssh=exec] -w hosts "true". */
static void run_cfg(const char *hosts, bool exec, struct proc_result *r)
{
	const char *args[] = { "-F", cli_expand("@DIR/cfg"), "-w", hosts,
			       exec ? "--ssh=exec" : "--ssh=native", "true", NULL };

	run_ringrun(args, NULL, 0, false, r);
}

/*
 * An ssh_config alias is named as written, then where it leads, by both
 * routes, in the same words.
 */
Test(cli_hostile, alias_then_address, .init = sshd_up, .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	char want[256];
	struct proc_result r;

	cli_write_file("cfg", "Host h7\n  HostName @H1\n  Port 1\n");
	snprintf(want, sizeof want, "ringrun: host h7 (%s:1): connection refused\n",
		 cli.addr[0]);
	for (int exec = 0; exec < 2; exec++) {
		run_cfg("h7", exec, &r);
		cr_assert_eq(r.status, 3, "stderr: %s", r.err);
		cr_assert_str_eq(r.err, want, "%s", exec ? "--ssh=exec" : "native");
		proc_result_free(&r);
	}
}

/*
 * A 200-character alias: the failure line is whole, its cause at the end.
 * (The native route needs the library's messages uncut.)
 */
Test(cli_hostile, long_alias_keeps_the_cause, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char a[201], b[201], cfg[1024], hosts[410], want[300];
	struct proc_result r;

	memset(a, 'a', 200);
	memset(b, 'b', 200);
	a[200] = b[200] = '\0';
	snprintf(cfg, sizeof cfg, "Host %s\n  HostName %s\n  Port 1\n"
		 "Host %s\n  HostName nosuchhost.invalid\n", a, cli.addr[0], b);
	cli_write_file("cfg", cfg);
	snprintf(hosts, sizeof hosts, "%s,%s", a, b);
	for (int exec = 1; exec >= 0; exec--) {
		run_cfg(hosts, exec, &r);
		cr_assert_eq(r.status, 3, "stderr: %s", r.err);
		cr_assert_eq(cli_count(r.err, "\n"), 2, "%s", r.err);
		snprintf(want, sizeof want, "ringrun: host %s (%s:1): connection refused\n",
			 a, cli.addr[0]);
		cr_assert_not_null(strstr(r.err, want), "%s: %s",
				   exec ? "--ssh=exec" : "native", r.err);
		snprintf(want, sizeof want, "ringrun: host %s (nosuchhost.invalid:22): "
			 "name not found: Name or service not known\n", b);
		cr_assert_not_null(strstr(r.err, want), "%s: %s",
				   exec ? "--ssh=exec" : "native", r.err);
		proc_result_free(&r);
	}
}

/* ------------------------------------- hosts and users that look like options */

/*
 * Each of these would be an option if it reached ssh's argv unguarded
 * (-E FILE appends ssh's log to FILE, -o sets anything): refused before any
 * connection, by either route, in one line naming it; nothing runs and no
 * file appears in the current directory.
 */
static void expect_refused(const char *const evil[], const char *shown,
			   const char *why)
{
	for (int exec = 0; exec < 2; exec++) {
		const char *args[16] = { exec ? "--ssh=exec" : "--ssh=native" };
		struct proc_result r;
		size_t n = 1;
		char *ran, *pwned;

		for (size_t k = 0; evil[k]; k++)
			args[n++] = evil[k];
		args[n++] = cli_expand("touch @DIR/ran");
		args[n] = NULL;
		run_ringrun(args, NULL, 0, false, &r);
		cr_assert_eq(r.status, 2, "%s: stderr: %s", args[0], r.err);
		cr_assert_eq(cli_count(r.err, "ringrun: "), 1, "%s", r.err);
		cr_assert_not_null(strstr(r.err, shown), "%s", r.err);
		cr_assert_not_null(strstr(r.err, why), "%s", r.err);
		ran = cli_slurp("ran");
		pwned = cli_slurp("pwned");
		cr_assert_null(ran, "the command ran");
		cr_assert_null(pwned, "ssh took an option from a host or user");
		proc_result_free(&r);
	}
}

/* (An item that begins with '-' may be pdsh's exclusion; these are hosts.) */
Test(cli_hostile, hosts_that_look_like_options, .init = own_home, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	cr_assert_eq(chdir(cli.dir), 0);
	expect_refused((const char *[]){ "-w", "root@-Epwned", NULL }, "'root@-Epwned'",
		       "a host name cannot begin with '-'");
	expect_refused((const char *[]){ "-w", "web1,root@-oProxyCommand=touch pwned", NULL },
		       "root@-oProxyCommand=touch pwned", "contains a space");
	cli_write_file("hosts", "web1\nroot@-Epwned\n");
	expect_refused((const char *[]){ "--hostfile", "hosts", NULL }, "'root@-Epwned'",
		       "a host name cannot begin with '-'");
}

Test(cli_hostile, users_that_look_like_options, .init = own_home, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	cr_assert_eq(chdir(cli.dir), 0);
	expect_refused((const char *[]){ "-l", "-oProxyCommand=touch${IFS}pwned", "-w",
					 "web1", NULL },
		       "-l: -oProxyCommand=touch${IFS}pwned", "cannot begin with '-'");
	expect_refused((const char *[]){ "-w", "web1", "-l", "-Epwned", NULL },
		       "-l: -Epwned", "cannot begin with '-'");
}

/* A User of the configuration for ringrun's own client is checked too. */
Test(cli_hostile, config_user_that_looks_like_an_option, .init = own_home,
     .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "-F", cli_expand("@DIR/cfg"), "-w", "web1",
			       cli_expand("touch @DIR/ran"), NULL };
	struct proc_result r;

	cli_write_file("cfg", "Host web1\n  User -oProxyCommand=x\n");
	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, 2, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "ringrun: web1: User -oProxyCommand=x: a user name "
				"cannot begin with '-'\n");
	proc_result_free(&r);
}

/* ---------------------------------------------- one result, every output */

/*
 * A host the system ssh could not reach: its ssh's stderr is the failure
 * line, not the task's stderr - in --outdir's files as in JSON, and as
 * ringrun's own client has it.
 */
Test(cli_hostile, outdir_sees_the_result_json_sees, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char host[64], name[128];
	struct proc_result r;

	snprintf(host, sizeof host, "%s:1", cli.addr[0]);
	for (int exec = 1; exec >= 0; exec--) {
		const char *args[] = { exec ? "--ssh=exec" : "--ssh=native", "-F", "/dev/null",
				       "-o", "json", "--outdir",
				       cli_expand(exec ? "@DIR/exec" : "@DIR/native"),
				       "-w", host, "echo x", NULL };
		char *out, *err;

		run_ringrun(args, NULL, 0, false, &r);
		cr_assert_eq(r.status, 3, "stderr: %s", r.err);
		cr_assert_not_null(strstr(r.out, "\"stdout\":\"\",\"stderr\":\"\","), "%s", r.out);
		snprintf(name, sizeof name, "%s/%s.err", exec ? "exec" : "native", host);
		err = cli_slurp(name);
		snprintf(name, sizeof name, "%s/%s.out", exec ? "exec" : "native", host);
		out = cli_slurp(name);
		cr_assert_str_eq(err, "", "%s", exec ? "--ssh=exec" : "native");
		cr_assert_str_eq(out, "");
		free(err);
		free(out);
		proc_result_free(&r);
	}
}
