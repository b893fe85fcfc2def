/*
 * Copy mode (--copy, --rcopy) against a real OpenSSH sshd and its
 * sftp-server on loopback (sshd.h): files and trees to several hosts,
 * compared byte for byte; DIR/NAME.HOST back; --preserve; what is refused
 * before anything connects (the sshd's log shows no connection); an
 * unreachable host among good ones (exit 3), a copy refused by the host
 * (exit 1); the JSON objects.
 *
 * Every host here is this machine: a --copy to several of them writes the
 * same files, each host's copy replacing the last one's whole.
 */
#define _GNU_SOURCE /* strcasestr */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/guard.h"
#include "harness.h"
#include "sshd.h"

/* A user who is not root, for what the host's permissions refuse; it logs
   in with the test's key ('*': no password, yet not a locked account). */
#define COPY_USER "ringrun-cp"

static void sshd_up(void)
{
	cli_dir_up("copy");
	cli_sshd_up(CLI_NADDR);
}

/* sh -c CMD (expanded), which must succeed; its stdout (caller frees). */
static char *sh(const char *cmd)
{
	const char *argv[] = { "sh", "-c", cli_expand(cmd), NULL };
	struct proc_result r;

	run_prog(argv, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s: %s", argv[2], r.err);
	free(r.err);
	return r.out;
}

static void sh_quiet(const char *cmd)
{
	free(sh(cmd));
}

/* ringrun with the sshd's login options, then args (expanded). */
static void copy_run(const char *const args[], struct proc_result *r)
{
	const char *all[64];

	cli_args(all, sizeof all / sizeof all[0], true, args);
	run_ringrun(all, NULL, 0, false, r);
}

static void expect_str(const char *got, const char *want, const char *what)
{
	cr_assert_str_eq(got, cli_expand(want), "%s:\n%s", what, got);
}

/* Connections the sshd has seen (LogLevel VERBOSE logs each). */
static int connections(void)
{
	char *log = cli_slurp_or_empty("sshd.log");
	int n = cli_count(log, "Connection from");

	free(log);
	return n;
}

/* Every stdout line a JSON object with exactly the documented fields;
   then py, on objs. */
static char *json_check(const char *out, const char *py)
{
	char script[4096];

	snprintf(script, sizeof script,
		 "import json, sys\n"
		 "objs = [json.loads(l) for l in sys.stdin.read().split('\\n')[:-1]]\n"
		 "keys = ['seq', 'host', 'src', 'dst', 'status', 'message',\n"
		 "        'duration_ms', 'files', 'dirs', 'links', 'bytes', 'failed']\n"
		 "for o in objs:\n"
		 "    assert list(o) == keys, list(o)\n"
		 "    for f in o['failed']:\n"
		 "        assert list(f) == ['src', 'dst', 'message'], list(f)\n"
		 "%s",
		 cli_expand(py));
	return run_python(script, out, strlen(out));
}

static void expect_json(const char *out, const char *py, const char *want)
{
	char *got = json_check(out, py);

	expect_str(got, want, "python");
	free(got);
}

/* ------------------------------------------------------ --copy */

Test(cli_copy, files_to_several_hosts, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/src @DIR/dst && head -c 3000000 /dev/urandom >@DIR/src/big"
		 " && printf 'hello\\n' >@DIR/src/small");
	copy_run((const char *const[]){ "-k", "--copy", "@DIR/src/big", "@DIR/src/small",
					"--dest", "@DIR/dst", "-w", "@H1,@H2,@H3", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_str(r.err, "", "stderr");
	expect_str(r.out,
		   "@H1: @DIR/src/big -> @DIR/dst/: 1 file, 3000000 bytes\n"
		   "@H1: @DIR/src/small -> @DIR/dst/: 1 file, 6 bytes\n"
		   "@H2: @DIR/src/big -> @DIR/dst/: 1 file, 3000000 bytes\n"
		   "@H2: @DIR/src/small -> @DIR/dst/: 1 file, 6 bytes\n"
		   "@H3: @DIR/src/big -> @DIR/dst/: 1 file, 3000000 bytes\n"
		   "@H3: @DIR/src/small -> @DIR/dst/: 1 file, 6 bytes\n",
		   "stdout");
	proc_result_free(&r);
	sh_quiet("cmp @DIR/src/big @DIR/dst/big && cmp @DIR/src/small @DIR/dst/small");
	/* no temporary file left behind */
	cr_assert_eq(cli_entries("dst"), 2);
	/* three hosts, one connection each */
	cr_assert_eq(connections(), 3);
}

/* Without --dest, each SRC goes to its own directory, as clush does. */
Test(cli_copy, own_directory_by_default, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("printf 'same\\n' >@DIR/f");
	copy_run((const char *const[]){ "--copy", "@DIR/f", "-w", "@H1", NULL }, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_str(r.out, "@H1: @DIR/f -> @DIR/: 1 file, 5 bytes\n", "stdout");
	proc_result_free(&r);
	char *f = cli_slurp("f");
	cr_assert_str_eq(f, "same\n");
	free(f);
}

Test(cli_copy, tree_to_several_hosts, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/tree/sub/deeper @DIR/tree/emptydir @DIR/out"
		 " && printf a >@DIR/tree/a && head -c 200000 /dev/urandom >@DIR/tree/sub/b"
		 " && : >@DIR/tree/sub/deeper/empty && ln -s a @DIR/tree/link");
	/* -j 1: the hosts, all this machine, one after the other into one tree */
	copy_run((const char *const[]){ "-o", "json", "-k", "-j", "1", "--copy", "-r",
					"@DIR/tree", "--dest", "@DIR/out", "-w", "@H1,@H2",
					NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_str(r.err, "", "stderr");
	expect_json(r.out,
		    "for o in objs: print(o['seq'], o['host'], o['src'], o['dst'],"
		    " o['status'], o['files'], o['dirs'], o['links'], o['bytes'], o['failed'])\n",
		    "1 @H1 @DIR/tree @DIR/out ok 3 4 1 200001 []\n"
		    "2 @H2 @DIR/tree @DIR/out ok 3 4 1 200001 []\n");
	proc_result_free(&r);
	sh_quiet("diff -r --no-dereference @DIR/tree @DIR/out/tree"
		 " && [ \"$(readlink @DIR/out/tree/link)\" = a ]");
}

Test(cli_copy, preserve_keeps_mode_and_times, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	char *kept, *plain;

	sh_quiet("mkdir -p @DIR/p @DIR/kept @DIR/plain && printf x >@DIR/p/f"
		 " && chmod 0751 @DIR/p/f && touch -d '2001-02-03 04:05:06 UTC' @DIR/p/f");
	copy_run((const char *const[]){ "--copy", "@DIR/p/f", "--preserve", "--dest",
					"@DIR/kept", "-w", "@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	proc_result_free(&r);
	copy_run((const char *const[]){ "--copy", "@DIR/p/f", "--dest", "@DIR/plain", "-w",
					"@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	proc_result_free(&r);
	kept = sh("stat -c '%a %Y' @DIR/kept/f");
	cr_assert_str_eq(kept, "751 981173106\n");
	plain = sh("stat -c '%Y' @DIR/plain/f");
	cr_assert_str_neq(plain, "981173106\n", "a copy without --preserve is new");
	free(kept);
	free(plain);
}

/* ------------------------------------------------------ --rcopy */

Test(cli_copy, rcopy_writes_name_dot_host, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/r/tree/sub @DIR/got && printf 'remote\\n' >@DIR/r/f"
		 " && head -c 100000 /dev/urandom >@DIR/r/tree/sub/b");
	copy_run((const char *const[]){ "-k", "--rcopy", "@DIR/r/f", "-r", "@DIR/r/tree",
					"--dest", "@DIR/got", "-w", "@H1,@H2", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_str(r.err, "", "stderr");
	expect_str(r.out,
		   "@H1: @DIR/r/f -> @DIR/got/f.@H1: 1 file, 7 bytes\n"
		   "@H1: @DIR/r/tree -> @DIR/got/tree.@H1: 1 file, 2 directories, 100000 bytes\n"
		   "@H2: @DIR/r/f -> @DIR/got/f.@H2: 1 file, 7 bytes\n"
		   "@H2: @DIR/r/tree -> @DIR/got/tree.@H2: 1 file, 2 directories, 100000 bytes\n",
		   "stdout");
	proc_result_free(&r);
	sh_quiet("cmp @DIR/r/f @DIR/got/f.@H1 && cmp @DIR/r/f @DIR/got/f.@H2"
		 " && diff -r @DIR/r/tree @DIR/got/tree.@H1 && diff -r @DIR/r/tree @DIR/got/tree.@H2");
	cr_assert_eq(cli_entries("got"), 4);
}

Test(cli_copy, rcopy_missing_file_fails, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/got");
	copy_run((const char *const[]){ "--rcopy", "@DIR/none", "--dest", "@DIR/got", "-w",
					"@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, cli_expand("@DIR/none")), "%s", r.err);
	expect_str(r.out, "@H1: @DIR/none -> @DIR/got/none.@H1: 0 files, 0 bytes, 1 failed\n",
		   "stdout");
	proc_result_free(&r);
	cr_assert_eq(cli_entries("got"), 0);
}

/* ------------------------------------------------------ failures */

/* A missing SRC is a usage error, found before any host is dialled. */
Test(cli_copy, missing_source_connects_nowhere, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("printf x >@DIR/here");
	copy_run((const char *const[]){ "--copy", "@DIR/here", "@DIR/nope", "--dest",
					"@DIR/dst", "-w", "@H1,@H2", NULL },
		 &r);
	cr_assert_eq(r.status, 2);
	expect_str(r.err, "ringrun: @DIR/nope: No such file or directory\n", "stderr");
	expect_str(r.out, "", "stdout");
	proc_result_free(&r);
	copy_run((const char *const[]){ "--copy", "@DIR", "-w", "@H1", NULL }, &r);
	cr_assert_eq(r.status, 2);
	expect_str(r.err, "ringrun: @DIR: is a directory (-r copies directories)\n", "stderr");
	proc_result_free(&r);
	cr_assert_eq(connections(), 0);
}

Test(cli_copy, unreachable_host_among_good_ones, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/dst && printf 'data\\n' >@DIR/f");
	copy_run((const char *const[]){ "-k", "--copy", "@DIR/f", "--dest", "@DIR/dst",
					"--failed", "@DIR/failed", "-w", "@H1,@H2:1,@H3",
					NULL },
		 &r);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, cli_expand("@H2:1")), "%s", r.err);
	expect_str(r.out,
		   "@H1: @DIR/f -> @DIR/dst: 1 file, 5 bytes\n"
		   "@H3: @DIR/f -> @DIR/dst: 1 file, 5 bytes\n",
		   "stdout");
	proc_result_free(&r);
	char *failed = cli_slurp("failed"), *f = cli_slurp("dst/f");
	expect_str(failed, "@H2:1\n", "--failed");
	cr_assert_str_eq(f, "data\n");
	free(failed);
	free(f);
}

/* COPY_USER exists (made once, under the lock the password tests take). */
static void copy_user(void)
{
	int lock = open("/tmp/ringrun-pw-user.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	cr_assert_geq(lock, 0, "lock: %s", strerror(errno));
	cr_assert_eq(flock(lock, LOCK_EX), 0);
	sh_quiet("id -u " COPY_USER " >/dev/null 2>&1 || useradd --system --no-create-home"
		 " --home-dir / --shell /bin/sh --password '*' " COPY_USER);
	close(lock);
}

/* What the host's permissions refuse fails that copy (exit 1), each entry
   named; the others go on. */
Test(cli_copy, permission_denied_fails_the_copy, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	if (geteuid() != 0) {
		cr_assert_null(getenv("CI"), "CI must run the CLI suite as root");
		cr_skip_test("not root: no second user to be refused as");
	}
	copy_user();
	/* the user reads the keys and the tree; root's directory is not its own */
	sh_quiet("chmod 0755 @DIR && mkdir -p -m 0755 @DIR/ro @DIR/open @DIR/src"
		 " && chmod 0777 @DIR/open && printf x >@DIR/src/f && chmod 0644 @DIR/src/f"
		 " @DIR/authorized_keys");
	copy_run((const char *const[]){ "-o", "json", "-k", "-l", COPY_USER, "--copy",
					"@DIR/src/f", "--dest", "@DIR/ro", "-w", "@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(cli_count(r.err, "\n"), 1, "%s", r.err);
	cr_assert_not_null(strcasestr(r.err, "permission denied"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, cli_expand("@DIR/ro")), "%s", r.err);
	expect_json(r.out,
		    "for o in objs: print(o['status'], o['files'], len(o['failed']),"
		    " o['failed'][0]['message'] in o['message'])\n",
		    "error 0 1 True\n");
	proc_result_free(&r);
	cr_assert_eq(cli_entries("ro"), 0);
	/* the same user where it may write */
	copy_run((const char *const[]){ "-l", COPY_USER, "--copy", "@DIR/src/f", "--dest",
					"@DIR/open", "-w", "@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	proc_result_free(&r);
	char *owner = sh("stat -c %U @DIR/open/f");
	cr_assert_str_eq(owner, COPY_USER "\n");
	free(owner);
}

/* The tasks' titles in the job log say what was copied where. */
Test(cli_copy, joblog_names_the_copy, .init = sshd_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;

	sh_quiet("mkdir -p @DIR/dst && printf x >@DIR/f");
	copy_run((const char *const[]){ "--copy", "@DIR/f", "--dest", "@DIR/dst", "--joblog",
					"@DIR/log", "-w", "@H1", NULL },
		 &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	proc_result_free(&r);
	char *log = cli_slurp("log");
	cr_assert_not_null(strstr(log, cli_expand("put @DIR/f @DIR/dst\n")), "%s", log);
	free(log);
}

static void offline_up(void)
{
	cli_dir_up("copy");
}

/* A host the configuration sends through the system ssh has no SFTP of
   ours: refused before anything connects. */
Test(cli_copy, proxied_hosts_refused, .init = offline_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	const char *args[16];

	cli_write_file("cfg", "Host viajump\n  ProxyCommand nc %h %p\nHost j?\n  ProxyJump jump\n");
	cli_args(args, 16, false, (const char *const[]){ "-F", "@DIR/cfg", "--rcopy", "/etc/hosts",
							 "-w", "web,viajump", NULL });
	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, 2);
	expect_str(r.err, "ringrun: viajump: ProxyCommand: needs the system ssh, which cannot "
		   "copy files (--rcopy)\n", "stderr");
	proc_result_free(&r);
}
