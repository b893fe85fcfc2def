/*
 * Host selection on the command line: ranges, ^FILE, -x, and their errors.
 * The cases that run commands do so against a real OpenSSH sshd (the
 * script in env RR_SSHD_HARNESS) on four loopback addresses 127.0.1.1-4,
 * stopped by its pid when the test ends.
 *
 * Arguments, files and expected text may hold @NET ("127.0.1."), @PORT and
 * @DIR (the test's directory).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define NADDR 4
#define MAX_EXPANDED 48

static struct {
	char dir[64];
	char port[16];
	char net[32];         /* the addresses are @NET1 .. @NET4 */
	bool up;              /* an sshd runs */
	char *expanded[MAX_EXPANDED];
	int nexpanded;
} hs;

static const char *harness(void)
{
	const char *h = getenv("RR_SSHD_HARNESS");

	cr_assert(h && *h, "RR_SSHD_HARNESS must name tests/sshd/sshd-harness.sh");
	return h;
}

/* DIR/name whole (caller frees); NULL when it cannot be read. */
static char *slurp(const char *name)
{
	char path[PATH_MAX], *s = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", hs.dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (getdelim(&s, &len, '\0', f) < 0) {
		free(s);
		s = calloc(1, 1);
	}
	fclose(f);
	return s;
}

/* Its output goes to DIR/harness.log: the sshd must not hold our pipes. */
static int harness_run(const char *what)
{
	struct proc_result r;
	const char *argv[] = { "sh", "-c", "\"$0\" \"$1\" \"$2\" 4 >>\"$2/harness.log\" 2>&1",
			       harness(), what, hs.dir, NULL };

	run_prog(argv, NULL, 0, 20000, &r);
	int status = r.status;
	proc_result_free(&r);
	return status;
}

static void dir_up(void)
{
	strcpy(hs.dir, "/tmp/rr-hostsel-XXXXXX");
	cr_assert_not_null(mkdtemp(hs.dir));
}

static void down(void)
{
	struct proc_result r;
	const char *rm[] = { "rm", "-rf", hs.dir, NULL };

	for (int k = 0; k < hs.nexpanded; k++)
		free(hs.expanded[k]);
	hs.nexpanded = 0;
	if (hs.up)
		harness_run("stop");
	hs.up = false;
	run_prog(rm, NULL, 0, 20000, &r);
	proc_result_free(&r);
}

/* The sshd; its addresses must be @NET1 .. @NET4 for the ranges here. */
static void sshd_up(void)
{
	char *port, *addrs, want[128] = "";

	dir_up();
	hs.up = harness_run("start") == 0;
	if (!hs.up) {
		char *log = slurp("harness.log");

		down();
		cr_assert_fail("sshd-harness start: %s", log ? log : "");
	}
	port = slurp("port");
	addrs = slurp("addrs");
	cr_assert(port && addrs);
	snprintf(hs.port, sizeof hs.port, "%.*s", (int)strcspn(port, "\n"), port);
	/* The first address up to its last '.'. */
	size_t net = strcspn(addrs, "\n");
	while (net && addrs[net - 1] != '.')
		net--;
	snprintf(hs.net, sizeof hs.net, "%.*s", (int)net, addrs);
	for (int k = 1; k <= NADDR; k++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d\n",
			 hs.net, k);
	cr_assert_str_eq(addrs, want, "the harness's addresses changed");
	free(port);
	free(addrs);
}

/* s with every @TOKEN replaced; lives until the test ends. */
static const char *expand(const char *s)
{
	const struct {
		const char *token, *value;
	} map[] = { { "@NET", hs.net }, { "@PORT", hs.port }, { "@DIR", hs.dir } };
	char *out;
	size_t len;
	FILE *f;

	if (!s)
		return NULL;
	f = open_memstream(&out, &len);
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
	cr_assert_lt(hs.nexpanded, MAX_EXPANDED);
	hs.expanded[hs.nexpanded++] = out;
	return out;
}

struct hostsel_case {
	const char *args[24];  /* after the SSH defaults when an sshd runs */
	const char *file_name; /* written to DIR before the run */
	const char *file;
	const char *in;        /* stdin */
	const char *out;       /* exact stdout */
	const char *err;       /* exact stderr */
	int status;
};

static void check_case(const struct hostsel_case *c)
{
	const char *args[40];
	char key[PATH_MAX], kh[PATH_MAX];
	const char *in = expand(c->in);
	struct proc_result r;
	size_t n = 0;

	snprintf(key, sizeof key, "%s/client_ed25519", hs.dir);
	snprintf(kh, sizeof kh, "%s/known_hosts", hs.dir);
	if (hs.up) {
		const char *defaults[] = { "-p", hs.port, "--no-agent", "-i", key,
					   "--known-hosts", kh };

		for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++)
			args[n++] = defaults[k];
	}
	for (size_t k = 0; c->args[k]; k++)
		args[n++] = expand(c->args[k]);
	args[n] = NULL;
	if (c->file_name) {
		char path[PATH_MAX];

		snprintf(path, sizeof path, "%s/%s", hs.dir, c->file_name);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f, "%s", path);
		fputs(expand(c->file), f);
		fclose(f);
	}
	run_ringrun(args, in, in ? strlen(in) : 0, false, &r);
	cr_assert_eq(r.status, c->status, "exit status %d, expected %d\nstderr: %s",
		     r.status, c->status, r.err);
	cr_assert_str_eq(r.out, expand(c->out ? c->out : ""), "stdout differs; stderr: %s",
			 r.err);
	cr_assert_str_eq(r.err, expand(c->err ? c->err : ""));
	proc_result_free(&r);
}

#define ARGS(...) .args = { __VA_ARGS__, NULL }

/* Against the sshd. */
#define CASE(name, ...)                                                     \
	Test(hostsel, name, .init = sshd_up, .fini = down, .timeout = 60)   \
	{                                                                   \
		check_case(&(const struct hostsel_case){ __VA_ARGS__ });    \
	}

/* Refused before any connection: no sshd. */
#define LOCAL_CASE(name, ...)                                               \
	Test(hostsel, name, .init = dir_up, .fini = down, .timeout = 30)    \
	{                                                                   \
		check_case(&(const struct hostsel_case){ __VA_ARGS__ });    \
	}

/* ------------------------------------------------------ ranges */

CASE(range_runs_on_each, ARGS("-k", "-w", "@NET[1-3]", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET2 ----\nx\n---- @NET3 ----\nx\n")
CASE(ranges_and_names_in_order_once,
     ARGS("-k", "-w", "@NET4,@NET[1-2,4]", "-w", "@NET[2-3]", "echo x"),
     .out = "---- @NET4 ----\nx\n---- @NET1 ----\nx\n---- @NET2 ----\nx\n"
	    "---- @NET3 ----\nx\n")
CASE(range_with_user_and_port,
     ARGS("-k", "-w", "root@@NET[1-2]:@PORT", "id -un"),
     .out = "---- root@@NET1:@PORT ----\nroot\n---- root@@NET2:@PORT ----\nroot\n")
CASE(hostfile_ranges, ARGS("-k", "--hostfile", "-", "echo x"),
     .in = "@NET[3-4] # two\n@NET1\n",
     .out = "---- @NET3 ----\nx\n---- @NET4 ----\nx\n---- @NET1 ----\nx\n")

/* ------------------------------------------------------ ^FILE */

CASE(caret_file, ARGS("-k", "-w", "@NET4,^@DIR/hosts", "echo x"),
     .file_name = "hosts", .file = "# rack 1\n@NET[1-2]\n\n@NET4\n",
     .out = "---- @NET4 ----\nx\n---- @NET1 ----\nx\n---- @NET2 ----\nx\n")

/* ------------------------------------------------------ -x */

CASE(exclude_removes, ARGS("-k", "-w", "@NET[1-4]", "-x", "@NET[2-3]", "echo x"),
     .out = "---- @NET1 ----\nx\n---- @NET4 ----\nx\n")
CASE(exclude_repeatable_and_from_a_file,
     ARGS("-k", "-w", "@NET[1-4]", "-x", "@NET1", "--exclude", "^@DIR/done", "echo x"),
     .file_name = "done", .file = "@NET3\n", .out = "---- @NET2 ----\nx\n---- @NET4 ----\nx\n")
CASE(exclude_applies_to_the_hostfile,
     ARGS("-k", "--hostfile", "-", "-x", "@NET2", "echo x"), .in = "@NET[1-2]\n",
     .out = "---- @NET1 ----\nx\n")
/* Without user@ and :port, -x takes the host however it is written. */
CASE(exclude_by_host_name,
     ARGS("-k", "-w", "root@@NET1:@PORT,@NET2", "-x", "@NET1", "echo x"),
     .out = "---- @NET2 ----\nx\n")

LOCAL_CASE(exclude_everything_is_an_error,
	   ARGS("-w", "@NET[1-2]", "-x", "@NET[1-4]", "echo x"),
	   .err = "ringrun: -x: every host is excluded\n", .status = 2)
LOCAL_CASE(exclude_needs_hosts, ARGS("-x", "a", "echo x"),
	   .err = "ringrun: -x: needs hosts (-w or --hostfile)\nTry 'ringrun --help'.\n",
	   .status = 2)
/* An empty host file still runs nothing, -x or not. */
LOCAL_CASE(exclude_from_no_host, ARGS("--hostfile", "-", "-x", "a", "echo x"),
	   .in = "# none\n")

/* ------------------------------------------------------ errors */

LOCAL_CASE(syntax_error_names_the_column, ARGS("-w", "a,web[01-", "echo x"),
	   .err = "ringrun: -w: 'web[01-': column 8: unclosed '['\n"
		  "Try 'ringrun --help'.\n",
	   .status = 2)
LOCAL_CASE(syntax_error_in_exclude, ARGS("-w", "a", "--exclude", "b[3-1]", "echo x"),
	   .err = "ringrun: --exclude: 'b[3-1]': column 3: the range goes down\n"
		  "Try 'ringrun --help'.\n",
	   .status = 2)
LOCAL_CASE(syntax_error_in_a_hostfile, ARGS("--hostfile", "-", "echo x"),
	   .in = "a\nb]\n",
	   .err = "ringrun: --hostfile: stdin: line 2: 'b]': column 2: unmatched ']'\n",
	   .status = 2)
LOCAL_CASE(too_many_hosts, ARGS("-w", "h[1-99999999]", "echo x"),
	   .err = "ringrun: -w: 'h[1-99999999]': more than 1000000 hosts in all\n"
		  "Try 'ringrun --help'.\n",
	   .status = 2)
LOCAL_CASE(caret_file_missing, ARGS("-w", "^@DIR/nothere", "echo x"),
	   .err = "ringrun: -w: @DIR/nothere: No such file or directory\n"
		  "Try 'ringrun --help'.\n",
	   .status = 2)
LOCAL_CASE(caret_file_bad_line, ARGS("-w", "^@DIR/hosts", "echo x"),
	   .file_name = "hosts", .file = "a\n\nb[1-2]x[\n",
	   .err = "ringrun: -w: @DIR/hosts: line 3: 'b[1-2]x[': column 9: unclosed '['\n"
		  "Try 'ringrun --help'.\n",
	   .status = 2)
