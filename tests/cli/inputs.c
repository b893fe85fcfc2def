/*
 * How ringrun reads its inputs and host lists: streamed (tasks start while
 * the input still arrives, memory stays bounded with an endless one, -k
 * holds), NUL bytes refused in lines and separating -0 inputs, and host
 * lists as pdsh reads them (-HOST exclusions, -w -, #include), compared
 * with the real pdsh on generated lists.
 *
 * Events are ordered by cause: a line is written, then its task's output
 * read; a task blocks on a FIFO the test opens.  Hosts that must not be
 * reached are 127.0.2.N port 1 on loopback: refused at once, each named in
 * --failed in list order, which is the list ringrun made.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/guard.h"
#include "harness.h"
#include "sshd.h"

/* Peak RSS allowed to ringrun over an input of INPUT_BYTES (256 MiB): a
   quarter of it, room for a sanitizer's own. */
#define INPUT_BYTES "268435456"
#define PEAK_RSS_KB (64 << 10)

static void dir_up(void)
{
	cli_dir_up("inputs");
}

/* DIR/name, until the next call (cli_expand("@DIR/name") to keep). */
static const char *in_dir(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", cli.dir, name);
	return path;
}

/*
 * A pipeline through sh: "$0" is ringrun.  Its largest child's peak RSS
 * (ringrun: the rest are yes and head) in *peak_kb.  Under AddressSanitizer
 * freed memory waits in a quarantine of 256 MiB before it is reused: that
 * is the sanitizer's, not ringrun's, so it is made small here.
 */
static void run_pipeline(const char *script, struct proc_result *r,
			 long *peak_kb)
{
	char line[1024];
	const char *argv[] = { "sh", "-c", line, ringrun_bin(), NULL };
	struct rusage ru;
	struct proc p;

	snprintf(line, sizeof line, "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}"
		 "quarantine_size_mb=4; export ASAN_OPTIONS; %s", script);
	proc_start(&p, argv, false);
	proc_finish(&p, NULL, 0, 3 * HANG_GUARD_MS, r);
	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	*peak_kb = ru.ru_maxrss;
}

static void put(struct proc *p, const char *s)
{
	cr_assert_eq(write(p->in, s, strlen(s)), (ssize_t)strlen(s));
}

/* ------------------------------------------------ streamed inputs */

/* yes | ringrun -a - true, stopped by --halt: a window read, not it all. */
Test(cli_inputs, endless_input_memory_is_bounded, .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	long peak;

	run_pipeline("yes | head -c " INPUT_BYTES " | \"$0\" --halt now,done=300 "
		     "-a - true", &r, &peak);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "--halt now,done=300: 300 tasks ended"), "%s", r.err);
	cr_assert_lt(peak, PEAK_RSS_KB, "peak RSS %ld KiB", peak);
	proc_result_free(&r);
}

/* The next line is written only once the last one's task printed. */
Test(cli_inputs, tasks_start_before_the_end, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "-a", "-", "echo", "got", NULL };
	struct proc_result r;
	struct proc p;

	proc_start(&p, argv, false);
	put(&p, "one\n");
	cli_read_until(p.out, "got one\n");
	put(&p, "two\n");
	cli_read_until(p.out, "got two\n");
	proc_finish(&p, "three\n", 6, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "got three\n");
	proc_result_free(&r);
}

/* Packed inputs too (-n, --colsep): a pair runs once its second line came,
   before the end; the last one takes what is left. */
Test(cli_inputs, packed_inputs_start_before_the_end, .init = dir_up,
     .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "-n", "2", "--colsep", ",", "-a",
			       "-", "echo", "{4}{3}{2}{1}", NULL };
	struct proc_result r;
	struct proc p;

	proc_start(&p, argv, false);
	put(&p, "a,b\n");
	put(&p, "c,d\n");
	cli_read_until(p.out, "dcba\n");
	proc_finish(&p, "e,f\n", 4, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "fe\n");
	proc_result_free(&r);
}

/* yes | ringrun -n 2 -a - true: packed, still a window, not it all. */
Test(cli_inputs, endless_packed_input_is_bounded, .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	long peak;

	run_pipeline("yes | head -c " INPUT_BYTES " | \"$0\" --halt now,done=300 "
		     "-n 2 --colsep , -a - true", &r, &peak);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "--halt now,done=300: 300 tasks ended"), "%s", r.err);
	cr_assert_lt(peak, PEAK_RSS_KB, "peak RSS %ld KiB", peak);
	proc_result_free(&r);
}

/* The same for -C -, whose -0 commands may span lines. */
Test(cli_inputs, commands_start_before_the_end, .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "-0", "-C", "-", NULL };
	struct proc_result r;
	struct proc p;

	proc_start(&p, argv, false);
	cr_assert_eq(write(p.in, "echo a\necho b\0", 14), 14);
	cli_read_until(p.out, "a\nb\n");
	proc_finish(&p, "echo c", 6, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "c\n");
	proc_result_free(&r);
}

/*
 * -k while the input streams: a blocks on a FIFO, b ends, c starts in b's
 * slot (so ringrun has seen b end) and says so through another FIFO; then
 * a is let go.  b's output still comes after a's.
 */
Test(cli_inputs, keep_order_while_streaming, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char script[PATH_MAX * 3];
	const char *argv[] = { ringrun_bin(), "-k", "-j", "2", "-a", "-", "sh",
			       cli_expand("@DIR/task.sh"), NULL };
	struct proc_result r;
	struct proc p;
	char said[16] = "";
	int fd;

	cr_assert_eq(mkfifo(in_dir("go"), 0600), 0);
	cr_assert_eq(mkfifo(in_dir("c-started"), 0600), 0);
	snprintf(script, sizeof script,
		 "case $1 in a) read x < '%s';; c) echo c > '%s';; esac\necho \"$1\"\n",
		 cli_expand("@DIR/go"), cli_expand("@DIR/c-started"));
	cli_write_file("task.sh", script);
	proc_start(&p, argv, false);
	put(&p, "a\nb\nc\n");
	fd = open(in_dir("c-started"), O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_gt(read(fd, said, sizeof said - 1), 0);
	close(fd);
	fd = open(in_dir("go"), O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "go\n", 3), 3);
	close(fd);
	proc_finish(&p, NULL, 0, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "a\nb\nc\n");
	proc_result_free(&r);
}

/* {#}, the job log and the summary with a total known only at the end. */
Test(cli_inputs, numbers_log_and_summary_of_a_stream, .init = dir_up,
     .fini = cli_dir_down, .timeout = TEST_TIMEOUT)
{
	const char *argv[] = { ringrun_bin(), "-k", "--summary", "--joblog",
			       cli_expand("@DIR/log"), "-a", "-", "echo", "{#}", "{}",
			       NULL };
	struct proc_result r;
	struct proc p;
	char *log;

	proc_start(&p, argv, false);
	put(&p, "x\n");
	cli_read_until(p.out, "1 x\n");
	proc_finish(&p, "y\nz\n", 4, HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "2 y\n3 z\n");
	cr_assert_str_eq(r.err, "ringrun: 3 tasks: 3 ok\n");
	log = cli_slurp_or_empty("log");
	cr_assert_eq(cli_count(log, "\n"), 4, "%s", log);
	cr_assert(strstr(log, "\techo 3 z\n"), "%s", log);
	free(log);
	proc_result_free(&r);
}

/* Stopped before the end of its input: the summary says so. */
Test(cli_inputs, stopped_stream_summary, .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	long peak;

	run_pipeline("yes | head -c " INPUT_BYTES " | \"$0\" --summary -j 1 "
		     "--halt soon,fail=2 -a - false", &r, &peak);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "ringrun: --halt soon,fail=2: 2 tasks failed; "
			 "starting no more tasks\n"), "%s", r.err);
	cr_assert(strstr(r.err, ", the rest not read\n"), "%s", r.err);
	proc_result_free(&r);
}

/* ------------------------------------------------ NUL bytes, -0 */

Test(cli_inputs, nul_in_a_line_is_refused)
{
	const char *args[] = { "-X", "-a", "-", "echo", "{}", NULL };
	struct proc_result r;

	run_ringrun(args, "keep\0drop\n", 10, false, &r);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "");
	cr_assert_str_eq(r.err, "ringrun: -a: stdin: line 1: contains a NUL byte "
			 "(-0 reads inputs separated by NUL bytes)\n");
	proc_result_free(&r);
}

/* What came before the bad line runs; nothing after it. */
Test(cli_inputs, nul_stops_the_stream_there)
{
	const char *args[] = { "-k", "-C", "-", NULL };
	struct proc_result r;

	run_ringrun(args, "echo 1\necho 2\necho\0x\necho 4\n", 29, false, &r);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "1\n2\n");
	cr_assert_str_eq(r.err, "ringrun: -C: stdin: line 3: contains a NUL byte "
			 "(-0 reads inputs separated by NUL bytes)\n");
	proc_result_free(&r);
}

Test(cli_inputs, null_separated_inputs)
{
	const char *args[] = { "-0", "-k", "-X", "-a", "-", "printf", "[%s]\\n", NULL };
	const char *nul[] = { "--null", "-k", "-a", "-", "echo", NULL };
	struct proc_result r;

	run_ringrun(args, "a\nb\0\0c", 6, false, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "[a\nb]\n[]\n[c]\n");
	proc_result_free(&r);
	run_ringrun(nul, "x\0y\0", 4, false, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "x\ny\n");
	proc_result_free(&r);
}

Test(cli_inputs, nul_in_a_host_file_is_refused)
{
	const char *args[] = { "--hostfile", "-", "true", NULL };
	struct proc_result r;

	run_ringrun(args, "web\0x\n", 6, false, &r);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "ringrun: --hostfile: stdin: line 1: contains a "
			 "NUL byte\n");
	proc_result_free(&r);
}

/* ------------------------------------------------ host lists */

/* ringrun's host list, one per line in its order: the "host" of each
   JSON object (-k), every host refused at once. */
static char *ringrun_hosts(const char *const in[], const char *stdin_text,
			   int *status, char **err)
{
	const char *args[48] = { "-p", "1", "-F", "/dev/null", "--no-agent",
				 "-k", "-o", "json" };
	struct proc_result r;
	size_t n = 8;
	char *out;

	for (size_t k = 0; in[k]; k++) {
		cr_assert_lt(n + 2, sizeof args / sizeof args[0]);
		args[n++] = in[k];
	}
	args[n++] = "true";
	args[n] = NULL;
	run_ringrun(args, stdin_text, stdin_text ? strlen(stdin_text) : 0,
		    false, &r);
	*status = r.status;
	*err = strdup(r.err);
	out = calloc(1, strlen(r.out) + 1);
	for (const char *h = r.out; (h = strstr(h, "\"host\":\"")); ) {
		h += strlen("\"host\":\"");
		strncat(out, h, strcspn(h, "\""));
		strcat(out, "\n");
	}
	proc_result_free(&r);
	return out;
}

/* Is name a line of list? */
static bool has_line(const char *list, const char *name, size_t len)
{
	for (const char *l = list; *l; l = strchr(l, '\n') + 1)
		if (strncmp(l, name, len) == 0 && l[len] == '\n')
			return true;
	return false;
}

/* pdsh's target list, each host once where it first appears, one per line;
   "" when it has none. */
static char *pdsh_hosts(const char *const in[], const char *stdin_text)
{
	const char *argv[48] = { "pdsh", "-Q" };
	struct proc_result r;
	struct proc p;
	size_t n = 2;
	char *list, *out;

	for (size_t k = 0; in[k]; k++) {
		cr_assert_lt(n + 1, sizeof argv / sizeof argv[0]);
		argv[n++] = in[k];
	}
	argv[n] = NULL;
	proc_start(&p, argv, false);
	proc_finish(&p, stdin_text, stdin_text ? strlen(stdin_text) : 0, HANG_GUARD_MS, &r);
	if (r.status != 0) {
		cr_assert(strstr(r.err, "no remote hosts specified"), "pdsh: %s", r.err);
		proc_result_free(&r);
		return strdup("");
	}
	list = strstr(r.out, "-- Target nodes --\n");
	cr_assert_not_null(list, "pdsh -Q: %s", r.out);
	list += strlen("-- Target nodes --\n");
	out = calloc(1, strlen(list) + 2);
	for (size_t len; *list && *list != '\n'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",\n");
		if (!has_line(out, list, len)) {
			strncat(out, list, len);
			strcat(out, "\n");
		}
	}
	proc_result_free(&r);
	return out;
}

/* pdsh and ringrun make the same list of the same arguments. */
static void same_as_pdsh(const char *const in[], const char *stdin_text)
{
	char *want = pdsh_hosts(in, stdin_text), *err, args[1024] = "";
	int status;
	char *got = ringrun_hosts(in, stdin_text, &status, &err);

	for (size_t k = 0; in[k]; k++)
		snprintf(args + strlen(args), sizeof args - strlen(args), " '%s'", in[k]);
	cr_assert_str_eq(got, want, "ringrun%s made\n%sand pdsh\n%s(stderr: %s)",
			 args, got, want, err);
	/* No host: pdsh fails; ringrun runs nothing, or fails when it left
	   out every host there was. */
	if (*want)
		cr_assert_eq(status, 3, "ringrun%s: %s", args, err);
	else
		cr_assert((status == 0 && !*err) ||
			  (status == 2 && strstr(err, "every host is excluded")),
			  "ringrun%s: %d %s", args, status, err);
	free(want);
	free(got);
	free(err);
}

/* The cases. */
Test(cli_inputs, minus_excludes_as_in_pdsh, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *range[] = { "-w", "127.0.2.[9-11],-127.0.2.10", NULL };
	const char *before[] = { "-w", "-127.0.2.[2-3],127.0.2.[1-5]", NULL };
	const char *file[] = { "-w", "127.0.2.[1-4]", "-w", cli_expand("-^@DIR/out"),
			       NULL };
	const char *everything[] = { "-w", "127.0.2.1,-127.0.2.1", NULL };
	int status;
	char *got, *err;

	got = ringrun_hosts(range, NULL, &status, &err);
	cr_assert_str_eq(got, "127.0.2.9\n127.0.2.11\n", "%s", err);
	free(got);
	free(err);
	same_as_pdsh(range, NULL);
	same_as_pdsh(before, NULL);
	cli_write_file("out", "127.0.2.2\n127.0.2.4\n");
	same_as_pdsh(file, NULL);
	same_as_pdsh(everything, NULL);
}

Test(cli_inputs, w_dash_reads_stdin, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "-w", "-", "-w", "127.0.2.1", NULL };
	const char *text = "127.0.2.3\n# a comment\n127.0.2.[4-5],127.0.2.1\n";
	int status;
	char *got, *err;

	got = ringrun_hosts(args, text, &status, &err);
	cr_assert_str_eq(got, "127.0.2.3\n127.0.2.4\n127.0.2.5\n127.0.2.1\n",
			 "%s", err);
	free(got);
	free(err);
	same_as_pdsh(args, text);
}

Test(cli_inputs, include_in_a_host_file, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *args[] = { "--hostfile", cli_expand("@DIR/top"), NULL };
	const char *caret[] = { "-w", cli_expand("^@DIR/top"), NULL };
	int status;
	char *got, *err;

	cli_write_file("rack1", "127.0.2.[2-3]\n#127.0.2.9 is down\n");
	cli_write_file("top", "127.0.2.1\n#include rack1\n127.0.2.4\n");
	got = ringrun_hosts(args, NULL, &status, &err);
	cr_assert_str_eq(got, "127.0.2.1\n127.0.2.2\n127.0.2.3\n127.0.2.4\n",
			 "%s", err);
	free(got);
	free(err);
	same_as_pdsh(caret, NULL);
	/* A cycle: refused, nothing runs. */
	cli_write_file("rack1", "127.0.2.2\n#include top\n");
	got = ringrun_hosts(args, NULL, &status, &err);
	cr_assert_eq(status, 2);
	cr_assert_str_eq(got, "");
	cr_assert_str_eq(err, cli_expand("ringrun: --hostfile: @DIR/rack1: line 2: "
					 "#include top: a cycle: @DIR/top is being "
					 "read already\n"));
	free(got);
	free(err);
}

/* ------------------------------------------------ compared with pdsh */

static unsigned long lcg = 20240601;

static unsigned pick(unsigned n)
{
	lcg = lcg * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(lcg >> 33) % n;
}

/*
 * A generated case.  The hosts included are all different (pdsh leaves
 * one of two copies of an excluded host in its list): each included item
 * has its own 127.0.B.0/24, B from 2 up; the files hold 127.0.30.x (f1)
 * and 127.0.31.x (f2, which f1 includes), -w -'s text 127.0.32.x and its
 * include f3 127.0.33.x.  An exclusion takes any of them.
 */
struct gen {
	unsigned next_block;
	bool file_used;
};

static unsigned any_block(struct gen *g)
{
	static const unsigned files[] = { 30, 31, 32, 33 };
	unsigned n = g->next_block - 2;

	return pick(n + 4) < n ? 2 + pick(n) : files[pick(4)];
}

static void gen_item(struct gen *g, char *s, size_t len, bool exclude)
{
	unsigned block = exclude ? any_block(g) : g->next_block;
	unsigned a = 1 + pick(6), b = a + pick(3);

	if (!exclude && !g->file_used && pick(5) == 0) {
		g->file_used = true;
		snprintf(s, len, "^%s", in_dir("f1"));
		return;
	}
	if (exclude && pick(6) == 0) {
		snprintf(s, len, "^%s", in_dir(pick(2) ? "f1" : "f2"));
		return;
	}
	if (!exclude)
		g->next_block++;
	switch (pick(3)) {
	case 0:
		snprintf(s, len, "127.0.%u.[%u-%u]", block, a, b);
		break;
	case 1:
		snprintf(s, len, "127.0.%u.[%u,%u-%u]", block, a, b + 1, b + 2);
		break;
	default:
		snprintf(s, len, "127.0.%u.%u", block, a);
	}
}

/* A list of 1 to 4 items; with -w's exclusions when minus. */
static void gen_list(struct gen *g, char *s, size_t len, bool minus,
		     bool exclude)
{
	unsigned n = 1 + pick(4);

	*s = '\0';
	for (unsigned k = 0; k < n; k++) {
		size_t at = strlen(s);
		bool out = exclude || (minus && pick(3) == 0);

		if (k)
			s[at++] = ',';
		if (out && !exclude)
			s[at++] = '-';
		gen_item(g, s + at, len - at, out);
	}
}

Test(cli_inputs, generated_lists_as_pdsh, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	static char lists[8][512];

	cli_write_file("f1", "127.0.30.[3-5]\n#include f2\n");
	cli_write_file("f2", "# the second rack\n127.0.31.[7,9]\n127.0.31.1\n");
	cli_write_file("f3", "127.0.33.[1-2]\n");
	/* pdsh reads the includes of -w - from the current directory */
	cr_assert_eq(chdir(cli.dir), 0);
	for (int round = 0; round < 40; round++) {
		struct gen g = { .next_block = 2 };
		const char *args[16], *text = NULL;
		size_t n = 0, nl = 0;

		for (unsigned k = 1 + pick(3); k; k--) {
			gen_list(&g, lists[nl], sizeof lists[nl], true, false);
			args[n++] = "-w";
			args[n++] = lists[nl++];
		}
		if (pick(3) == 0) {
			gen_list(&g, lists[nl], sizeof lists[nl], false, true);
			args[n++] = "-x";
			args[n++] = lists[nl++];
		}
		if (pick(4) == 0) {
			args[n++] = "-w";
			args[n++] = "-";
			text = "127.0.32.6\n#include f3\n127.0.32.[10-11]\n";
		}
		args[n] = NULL;
		same_as_pdsh(args, text);
	}
}

/* ------------------------------------------------ streamed host files */

/* The next host is written only once the last one's command printed. */
Test(cli_inputs, hosts_start_before_the_end, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	const char *in[] = { "-o", "stream", "--hostfile", "-", "echo hi", NULL };
	const char *args[24], *argv[26] = { ringrun_bin() };
	char line[64], want[64];
	struct proc_result r;
	struct proc p;

	cli_sshd_up(3);
	cli_args(args, 24, true, in);
	for (size_t k = 0; args[k]; k++)
		argv[k + 1] = args[k];
	proc_start(&p, argv, false);
	for (int k = 0; k < 2; k++) {
		snprintf(line, sizeof line, "%s\n", cli.addr[k]);
		snprintf(want, sizeof want, "%s: hi\n", cli.addr[k]);
		put(&p, line);
		cli_read_until(p.out, want);
	}
	snprintf(line, sizeof line, "%s\n", cli.addr[2]);
	proc_finish(&p, line, strlen(line), HANG_GUARD_MS, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	snprintf(want, sizeof want, "%s: hi\n", cli.addr[2]);
	cr_assert_str_eq(r.out, want);
	proc_result_free(&r);
}

/* An endless host file stops at the bound on hosts, in little memory. */
Test(cli_inputs, endless_host_file_is_bounded, .timeout = TEST_TIMEOUT)
{
	struct proc_result r;
	long peak;

	run_pipeline("yes 127.0.2.1 | head -c " INPUT_BYTES " | \"$0\" -p 1 "
		     "-F /dev/null --no-agent --hostfile - true", &r, &peak);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "ringrun: --hostfile: stdin: line 1000001: "
			 "'127.0.2.1': more than 1000000 hosts in all\n"), "%s", r.err);
	cr_assert_lt(peak, PEAK_RSS_KB, "peak RSS %ld KiB", peak);
	proc_result_free(&r);
}

/* ------------------------------------------------ usage */

Test(cli_inputs, usage_errors)
{
	static const struct { const char *args[8], *err; } cases[] = {
		{ { "-0", "echo", NULL }, "ringrun: -0: needs -a, :::: or -C\n" },
		{ { "-w", "-", "-a", "-", "echo", NULL },
		  "ringrun: -w -: stdin is already the input of -a\n" },
		{ { "-w", "-", "-w", "-", "echo", NULL }, "ringrun: -w -: given twice\n" },
		{ { "-w", "-", "--hostfile", "-", "echo", NULL },
		  "ringrun: --hostfile: stdin is already read by -w -\n" },
		{ { "-w", "a,-", "echo", NULL }, "ringrun: -w: '-': no host after '-'\n" },
		{ { "-x", "-a", "-w", "b", "echo", NULL },
		  "ringrun: -x: '-a': a host name cannot begin with '-'\n" },
		{ { "-w", "a/b", "echo", NULL },
		  "ringrun: -w: 'a/b': '/' cannot be in a host name\n" },
	};
	char want[256];

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct proc_result r;

		run_ringrun(cases[k].args, NULL, 0, false, &r);
		snprintf(want, sizeof want, "%sTry 'ringrun --help'.\n", cases[k].err);
		cr_assert_eq(r.status, 2, "case %zu", k);
		cr_assert_str_eq(r.err, want, "case %zu", k);
		proc_result_free(&r);
	}
}
