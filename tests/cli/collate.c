/*
 * -o collate and --outdir through the ringrun binary: local cases (args,
 * stdin -> exact stdout, stderr, status and files), then a fleet of 40
 * loopback hosts served by three harness sshds (tests/sshd) on one
 * port, stopped by their pids when the test ends.
 *
 * Arguments and expected text may hold @DIR, the test's own directory.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("collate");
}

#define ARGS(...) .args = { __VA_ARGS__, NULL }
/* The files --outdir wrote, each exact, and no other. */
#define FILES(...) .files = { __VA_ARGS__ }, .files_only = true

#define CASE(name, ...)                                                 \
	Test(cli_collate, name, .init = dir_up, .fini = cli_dir_down,   \
	     .timeout = TEST_TIMEOUT)                                   \
	{                                                               \
		check_case(&(const struct cli_case){ __VA_ARGS__ });    \
	}

#define HDR(names) "---------------\n" names "\n---------------\n"

/* ------------------------------------------------------ -o collate, local */

/* The larger group first; members in ClusterShell's order; stderr apart,
   a line at a time after its tag, as clush -b prints it. */
CASE(local_tags_folded,
     ARGS("-o", "collate", "-j", "1",
	  "case {} in *[13579]) echo odd;; *) echo even; echo e >&2;; esac", ":::",
	  "web1", "web2", "web3", "web4", "web5", "web6", "web10", "db"),
     .out = HDR("db,web[2,4,6,10] (5)") "even\n" HDR("web[1,3,5] (3)") "odd\n",
     .err_exact = "web2: e\nweb4: e\nweb6: e\nweb10: e\ndb: e\n")
/* Thirty tasks at once, three outputs of ten: by their first members. */
CASE(local_three_groups,
     ARGS("-o", "collate", "-j", "30", "-a", "-", "n={}; echo $(( ${n#x} % 3 ))"),
     .in = "x1\nx2\nx3\nx4\nx5\nx6\nx7\nx8\nx9\nx10\nx11\nx12\nx13\nx14\nx15\n"
	   "x16\nx17\nx18\nx19\nx20\nx21\nx22\nx23\nx24\nx25\nx26\nx27\nx28\n"
	   "x29\nx30\n",
     .out = HDR("x[1,4,7,10,13,16,19,22,25,28] (10)") "1\n"
	    HDR("x[2,5,8,11,14,17,20,23,26,29] (10)") "2\n"
	    HDR("x[3,6,9,12,15,18,21,24,27,30] (10)") "0\n")
/* The exit status splits a group and orders them; each status but 0 is
   said once at the end, as clush says it. */
CASE(local_status_splits,
     ARGS("-o", "collate", "echo same; exit $(({} % 3))", ":::", "1", "2", "3", "4",
	  "5", "7"),
     .out = HDR("3") "same\n" HDR("[1,4,7] (3)") "same\n" HDR("[2,5] (2)") "same\n",
     .err_exact = "ringrun: [1,4,7] (3): exited with exit code 1\n"
		  "ringrun: [2,5] (2): exited with exit code 2\n", .status = 1)
/* -b: stderr is not part of the output; -B: it is, in the order written. */
CASE(local_stderr_apart,
     ARGS("-b", "-k", "echo out; [ {} = b ] && echo err >&2; true", ":::",
	  "a", "b", "c"),
     .out = HDR("a,b,c (3)") "out\n", .err_exact = "b: err\n")
CASE(local_stderr_splits_with_B,
     ARGS("-B", "-k", "echo out; [ {} = b ] && echo err >&2; true", ":::",
	  "a", "b", "c"),
     .out = HDR("a,c (2)") "out\n" HDR("b") "out\nerr\n")
CASE(local_stderr_first_with_B,
     ARGS("-B", "echo err >&2; echo out"), .out = HDR("echo err >&2; echo out") "err\nout\n")
/* Lines are compared, as clush does: a last line without its newline is
   the same line. */
CASE(local_commands_are_tags, ARGS("-o", "collate", "-C", "-"),
     .in = "echo a\nprintf 'a\\n'\nprintf a\ntrue\nprintf 'a\\n\\n'\n",
     .out = HDR("echo a,printf 'a\\n',printf a (3)") "a\n" HDR("printf 'a\\n\\n'") "a\n\n")
/* dshbak -c's headers: its rule, no count; the exit status does not split a
   group, each failure keeps its own line. */
CASE(local_dshbak_style,
     ARGS("-b", "--collate-style", "dshbak", "echo same; exit $(({} % 2))", ":::",
	  "3", "2", "1"),
     .out = "----------------\n[1-3]\n----------------\nsame\n",
     .err = { "ringrun: 'echo same; exit $((3 % 2))' exited with status 1\n",
	      "ringrun: 'echo same; exit $((1 % 2))' exited with status 1\n" },
     .err_lines = 2, .status = 1)
CASE(local_command_alone, ARGS("-o", "collate", "echo", "hi"),
     .out = HDR("echo hi") "hi\n")
CASE(local_silent_prints_nothing, ARGS("-o", "collate", "true", ":::", "a", "b"),
     .out = "")
CASE(local_failure_lines_stay,
     ARGS("-o", "collate", "-X", "nosuchcmd-rr"),
     .out = "", .err = { "ringrun: spawn 'nosuchcmd-rr': No such file or directory" },
     .err_lines = 1, .status = 1)

/* ------------------------------------------------------ --outdir, local */

CASE(outdir_local_pairs,
     ARGS("-o", "quiet", "--outdir", "@DIR/out", "echo {}; [ {} = b ] || echo e{} >&2",
	  ":::", "a", "b", "c"),
     .out = "",
     FILES({ "out/1.out", "a\n" }, { "out/1.err", "ea\n" }, { "out/2.out", "b\n" },
	   { "out/2.err", "" }, { "out/3.out", "c\n" }, { "out/3.err", "ec\n" }))
CASE(outdir_parents_made,
     ARGS("-o", "quiet", "--outdir", "@DIR/out/x/y", "printf 1"),
     FILES({ "out/x/y/1.out", "1" }, { "out/x/y/1.err", "" }))
/* The output mode still applies to the terminal. */
CASE(outdir_with_stream,
     ARGS("-o", "stream", "--outdir", "@DIR/out", "echo {}; echo x >&2", ":::",
	  "a"),
     .out = "a: a\n", .err_exact = "a: x\n",
     FILES({ "out/1.out", "a\n" }, { "out/1.err", "x\n" }))
CASE(outdir_with_collate,
     ARGS("-o", "collate", "--outdir", "@DIR/out", "echo hi; : {}", ":::", "a", "b"),
     .out = HDR("a,b (2)") "hi\n",
     FILES({ "out/1.out", "hi\n" }, { "out/1.err", "" }, { "out/2.out", "hi\n" },
	   { "out/2.err", "" }))
CASE(outdir_with_discard,
     ARGS("--discard", "--outdir", "@DIR/out", "echo gone; echo kept >&2"),
     .err_exact = "kept\n",
     FILES({ "out/1.out", "" }, { "out/1.err", "kept\n" }))
CASE(outdir_failing_command_still_written,
     ARGS("-o", "quiet", "--outdir", "@DIR/out", "echo x; exit 4"),
     .err_exact = "ringrun: 'echo x; exit 4' exited with status 4\n", .status = 1,
     FILES({ "out/1.out", "x\n" }, { "out/1.err", "" }))
/* A file that cannot be written fails its task only. */
CASE(outdir_file_unwritable,
     ARGS("-o", "quiet", "-k", "--outdir", "@DIR/out", "echo {}", ":::", "a", "b"),
     .mkdir = "out/1.out",
     .err_exact = "ringrun: --outdir: @DIR/out/1.out: Is a directory\n", .status = 1,
     FILES({ "out/2.out", "b\n" }, { "out/2.err", "" }, { "out/1.err", "" }))
CASE(outdir_not_a_directory,
     ARGS("--outdir", "/dev/null", "echo x"),
     .err_exact = "ringrun: --outdir: /dev/null: Not a directory\n", .status = 2)
CASE(outdir_empty_name, ARGS("--outdir", "", "echo x"),
     .err_exact = "ringrun: --outdir: empty directory name\nTry 'ringrun --help'.\n",
     .status = 2)
CASE(outdir_twice, ARGS("--outdir", "a", "--outdir=b", "echo x"),
     .err_exact = "ringrun: --outdir: given twice\nTry 'ringrun --help'.\n",
     .status = 2)
Test(cli_collate, help_mentions_them, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "--help", NULL };
	struct proc_result r;

	run_ringrun(args, NULL, 0, false, &r);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "collate: identical outputs once"));
	cr_assert_not_null(strstr(r.out, "--outdir DIR"));
	proc_result_free(&r);
}

/* ------------------------------------------------------ a fleet of 40 */

/*
 * Three harness sshds serve 127.0.1.1..40 on one port P, so that the hosts
 * fold on their last number: the first listens on 16 addresses itself (on
 * P, which it picks); the others each on an address of their own and on 15
 * and 9 more given as "ListenAddress A:P" (one sshd listens on 16 sockets
 * at most).  They share the first one's host and client keys.
 */
#define NHOSTS 40
#define NSSHD 3

static char hosts[NHOSTS * 16]; /* 127.0.1.40,...,127.0.1.1 */

/* The harness with these arguments; failing, the test fails with its log. */
static void harness_run(const char *const args[])
{
	if (cli_harness(args) != 0) {
		char *log = cli_slurp("harness.log");
		cr_assert_fail("sshd-harness %s: %s", args[0], log);
	}
}

static void copy_keys(const char *to)
{
	const char *cp[] = { "cp", "-p", cli_expand("@DIR/s0/host_ed25519"),
			     cli_expand("@DIR/s0/host_ed25519.pub"),
			     cli_expand("@DIR/s0/client_ed25519"),
			     cli_expand("@DIR/s0/client_ed25519.pub"), to, NULL };
	struct proc_result r;

	cr_assert_eq(mkdir(to, 0700), 0, "%s", to);
	run_prog(cp, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "cp: %s", r.err);
	proc_result_free(&r);
}

/* Start sshd number s on its own address (index 100 + s) and on hosts
   first..last (1-based) on P. */
static void start_more(int s, int first, int last)
{
	char dir[PATH_MAX], addr_index[8], lines[16][48];
	const char *args[24] = { "start", dir, "1", addr_index };
	size_t n = 4;

	snprintf(dir, sizeof dir, "%s/s%d", cli.dir, s);
	snprintf(addr_index, sizeof addr_index, "%d", 100 + s);
	copy_keys(dir);
	for (int h = first; h <= last; h++, n++) {
		snprintf(lines[n - 4], sizeof lines[0], "ListenAddress 127.0.1.%d:%s", h,
			 cli.port);
		args[n] = lines[n - 4];
	}
	args[n] = NULL;
	harness_run(args);
}

/* Sockets listening on port P, from /proc/net/tcp (a connection to test
   them would count against sshd's MaxStartups). */
static int listening_on_port(void)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	unsigned port = (unsigned)atoi(cli.port), p, state;
	char line[512];
	int n = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &p, &state) == 2 &&
		    p == port && state == 0x0a)
			n++;
	fclose(f);
	return n;
}

/* Bounded wait until every host listens on P. */
static void wait_listening(void)
{
	long long deadline = now_ms() + HANG_GUARD_MS;
	int n;

	while ((n = listening_on_port()) < NHOSTS) {
		cr_assert_lt(now_ms(), deadline, "%d of %d hosts listen on %s", n,
			     NHOSTS, cli.port);
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

/* known_hosts for the 40 hosts on P, with the one host key. */
static void write_known_hosts(void)
{
	char *pub = cli_slurp("s0/host_ed25519.pub");
	FILE *f;

	cr_assert_not_null(pub);
	*strrchr(pub, ' ') = '\0'; /* "type key", no comment */
	snprintf(cli.kh, sizeof cli.kh, "%s/known_hosts", cli.dir);
	f = fopen(cli.kh, "w");
	cr_assert_not_null(f);
	for (int h = 1; h <= NHOSTS; h++)
		fprintf(f, "[127.0.1.%d]:%s %s\n", h, cli.port, pub);
	fclose(f);
	free(pub);
}

static void fleet_down(void);

static void fleet_up(void)
{
	char *port;
	size_t len = 0;

	dir_up();
	const char *first[] = { "start", cli_expand("@DIR/s0"), "16", "0", NULL };
	harness_run(first);
	port = cli_slurp("s0/port");
	cr_assert_not_null(port);
	port[strcspn(port, "\n")] = '\0';
	snprintf(cli.port, sizeof cli.port, "%s", port);
	free(port);
	start_more(1, 17, 31);
	start_more(2, 32, NHOSTS);
	wait_listening();
	write_known_hosts();
	snprintf(cli.key, sizeof cli.key, "%s/s0/client_ed25519", cli.dir);
	for (int h = NHOSTS; h >= 1; h--)
		len += (size_t)snprintf(hosts + len, sizeof hosts - len,
					"%s127.0.1.%d", h < NHOSTS ? "," : "", h);
}

static void fleet_down(void)
{
	for (int s = 0; s < NSSHD; s++) {
		char dir[PATH_MAX];
		const char *stop[] = { "stop", dir, NULL };

		snprintf(dir, sizeof dir, "%s/s%d", cli.dir, s);
		harness_run(stop);
	}
	cli_dir_down();
}

/* Which of three outputs a host prints depends on its address. */
#define BY_ADDRESS                                                       \
	"set -- $SSH_CONNECTION; case $3 in "                            \
	"127.0.1.[1-9]|127.0.1.1[0-3]|127.0.1.27) printf 'alpha\\n%s\\n' two;; " \
	"127.0.1.1[4-9]|127.0.1.2[0-6]) echo beta;; "                    \
	"*) echo gamma; echo note >&2;; esac"

/*
 * The case: 40 hosts, three distinct outputs, headers folded.  The
 * hosts are listed 40..1: groups come as clush orders them (the largest,
 * then by first host), hosts within a header in numeric ranges.  --outdir on the same
 * run: each host's pair, exact.
 */
/* Each host's pair in DIR/out, exact, and nothing else there. */
static void forty_pairs(const struct proc_result *r)
{
	(void)r;
	for (int h = 1; h <= NHOSTS; h++) {
		char name[64];
		bool alpha = h <= 13 || h == 27, beta = !alpha && h <= 26;
		char *out, *err;

		snprintf(name, sizeof name, "out/127.0.1.%d.out", h);
		out = cli_slurp(name);
		snprintf(name, sizeof name, "out/127.0.1.%d.err", h);
		err = cli_slurp(name);
		cr_assert(out && err, "host %d has no pair", h);
		cr_assert_str_eq(out, alpha ? "alpha\ntwo\n" : beta ? "beta\n" : "gamma\n",
				 "host %d", h);
		cr_assert_str_eq(err, alpha || beta ? "" : "note\n", "host %d", h);
		free(out);
		free(err);
	}
	cr_assert_eq(cli_entries("out"), 2 * NHOSTS);
}

Test(cli_collate_fleet, forty_hosts_three_outputs, .init = fleet_up, .fini = fleet_down,
     .timeout = TEST_TIMEOUT)
{
	check_case(&(const struct cli_case){
		.ssh = true,
		ARGS("-o", "collate", "--outdir", "@DIR/out", "-w", hosts, BY_ADDRESS),
		.out = HDR("127.0.1.[1-13,27] (14)") "alpha\ntwo\n"
		       HDR("127.0.1.[14-26] (13)") "beta\n"
		       HDR("127.0.1.[28-40] (13)") "gamma\n",
		.err = { "127.0.1.28: note\n", "127.0.1.40: note\n" },
		.err_lines = 13,
		.check = forty_pairs,
	});
}

/*
 * With inputs: collated per input (the input after the hosts in its
 * headers), files named HOST.N; a host that cannot be reached has its
 * empty pairs and its one failure line.
 */
Test(cli_collate_fleet, inputs_and_unreachable, .init = fleet_up, .fini = fleet_down,
     .timeout = TEST_TIMEOUT)
{
	check_case(&(const struct cli_case){
		.ssh = true,
		ARGS("-o", "collate", "-w", "127.0.1.6,127.0.1.5,127.0.1.4,127.0.1.3,127.0.1.2",
		     "set -- $SSH_CONNECTION; case $3 in 127.0.1.[24]) echo {} even;; "
		     "*) echo {} odd;; esac", ":::", "b c", "a"),
		.out = HDR("127.0.1.[3,5-6] b c (3)") "b c odd\n"
		       HDR("127.0.1.[2,4] b c (2)") "b c even\n"
		       HDR("127.0.1.[3,5-6] a (3)") "a odd\n"
		       HDR("127.0.1.[2,4] a (2)") "a even\n",
	});
	check_case(&(const struct cli_case){
		.ssh = true,
		ARGS("-o", "quiet", "--outdir", "@DIR/out", "-w",
		     "127.0.1.1,root@127.0.1.2,127.0.1.3:1",
		     "set -- $SSH_CONNECTION; echo {} $3; echo err {} >&2", ":::", "a", "b"),
		.status = 3, .out = "",
		.err_exact = "ringrun: host 127.0.1.3:1: connection refused\n",
		FILES({ "out/127.0.1.1.1.out", "a 127.0.1.1\n" },
		      { "out/127.0.1.1.1.err", "err a\n" },
		      { "out/127.0.1.1.2.out", "b 127.0.1.1\n" },
		      { "out/127.0.1.1.2.err", "err b\n" },
		      { "out/root@127.0.1.2.1.out", "a 127.0.1.2\n" },
		      { "out/root@127.0.1.2.1.err", "err a\n" },
		      { "out/root@127.0.1.2.2.out", "b 127.0.1.2\n" },
		      { "out/root@127.0.1.2.2.err", "err b\n" },
		      { "out/127.0.1.3:1.1.out", "" }, { "out/127.0.1.3:1.1.err", "" },
		      { "out/127.0.1.3:1.2.out", "" }, { "out/127.0.1.3:1.2.err", "" }),
	});
}

#ifndef __SANITIZE_ADDRESS__ /* ASan's own memory would drown the figure */
/*
 * Memory stays flat over thousands of collated tasks, here 5000 distinct
 * outputs: the table keeps each output and a few bytes per task.  (Each
 * task's small capture once left a 3 KiB hole in the heap: 20 MiB peak.)
 */
Test(cli_collate, memory_stays_flat, .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "-j", "64", "-o", "collate", "--stats", "-a", "-",
			       "echo", "out", NULL };
	struct buf_in { char s[5000 * 5 + 1]; size_t len; } *in = calloc(1, sizeof *in);
	struct proc_result r;
	long kib;
	const char *p;

	for (int k = 1; k <= 5000; k++)
		in->len += (size_t)sprintf(in->s + in->len, "%d\n", k);
	run_ringrun(args, in->s, in->len, false, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\n5000\n"), "%.200s", r.out);
	p = strstr(r.err, "peak rss ");
	cr_assert_not_null(p, "%s", r.err);
	kib = strtol(p + strlen("peak rss "), NULL, 10);
	cr_assert_lt(kib, 12 * 1024, "peak rss %ld KiB", kib);
	proc_result_free(&r);
	free(in);
}
#endif
