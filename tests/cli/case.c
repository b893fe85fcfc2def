/* One data-driven case of the ringrun binary: set up, run, check. */
#define _GNU_SOURCE /* asprintf */
#include "case.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshd.h"

#define MAX_ARGS 64

/* DIR/path's directories, the last one too when whole. */
static void make_dirs(const char *path, bool whole)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", cli.dir, path);
	for (char *s = p + strlen(cli.dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		cr_assert(mkdir(p, 0700) == 0 || errno == EEXIST, "%s: %s", p, strerror(errno));
		*s = '/';
	}
	if (whole)
		cr_assert(mkdir(p, 0700) == 0 || errno == EEXIST, "%s: %s", p, strerror(errno));
}

static void set_up(const struct cli_case *c)
{
	for (size_t k = 0; k < sizeof c->write / sizeof c->write[0] && c->write[k][0]; k++) {
		make_dirs(c->write[k][0], false);
		cli_write_file(c->write[k][0], c->write[k][1]);
	}
	if (c->mkdir)
		make_dirs(c->mkdir, true);
}

/* The SSH defaults when the case has them, then in, all expanded. */
static void case_args(const struct cli_case *c, const char *const in[],
		      const char *args[MAX_ARGS])
{
	size_t n = c->ssh ? cli_login(args, c->identity, c->known_hosts) : 0;

	cli_args(args + n, MAX_ARGS - n, false, in);
}

static void run(const struct cli_case *c, const char *const in[], struct proc_result *r)
{
	const char *args[MAX_ARGS];
	const char *stdin_data = cli_expand(c->in);

	case_args(c, in, args);
	run_ringrun(args, stdin_data, stdin_data ? strlen(stdin_data) : 0,
		    c->stdout_closed, r);
}

static void expect_stdout(const struct cli_case *c, const struct proc_result *r)
{
	if (c->out)
		cr_assert_str_eq(r->out, cli_expand(c->out), "stdout differs; stderr: %s",
				 r->err);
	if (c->out_prefix) {
		const char *want = cli_expand(c->out_prefix);

		cr_assert(strncmp(r->out, want, strlen(want)) == 0,
			  "stdout does not start with \"%s\": %s", want, r->out);
	}
	for (size_t k = 0; k < sizeof c->out_has / sizeof c->out_has[0] && c->out_has[k]; k++)
		cr_assert_not_null(strstr(r->out, cli_expand(c->out_has[k])),
				   "stdout lacks \"%s\": %s", cli_expand(c->out_has[k]), r->out);
	if (c->out_not)
		cr_assert_null(strstr(r->out, cli_expand(c->out_not)), "stdout has \"%s\": %s",
			       cli_expand(c->out_not), r->out);
}

/* s without its lines that hold part (in place). */
static void drop_lines(char *s, const char *part)
{
	char *out = s;

	while (*s) {
		size_t len = strcspn(s, "\n");

		len += s[len] == '\n';
		if (!memmem(s, len, part, strlen(part))) {
			memmove(out, s, len);
			out += len;
		}
		s += len;
	}
	*out = '\0';
}

static void expect_stderr(const struct cli_case *c, const struct proc_result *r)
{
	for (size_t k = 0; k < 4 && c->err_ignore[k]; k++)
		drop_lines(r->err, c->err_ignore[k]);
	if (c->err_exact)
		cr_assert_str_eq(r->err, cli_expand(c->err_exact));
	for (size_t k = 0; k < sizeof c->err / sizeof c->err[0] && c->err[k]; k++)
		cr_assert_not_null(strstr(r->err, cli_expand(c->err[k])),
				   "stderr lacks \"%s\": %s", cli_expand(c->err[k]), r->err);
	if (!c->err_exact && !c->err[0] && !c->err_lines)
		cr_assert_str_eq(r->err, "", "stderr should be empty");
	if (c->err_not)
		cr_assert_null(strstr(r->err, cli_expand(c->err_not)), "stderr has \"%s\": %s",
			       cli_expand(c->err_not), r->err);
	if (c->err_lines)
		cr_assert_eq(cli_count(r->err, "\n"), c->err_lines, "stderr: %s", r->err);
}

static void expect_python(const struct cli_case *c, const struct proc_result *r)
{
	char *file = c->py_on ? cli_slurp(c->py_on) : NULL;
	const char *data = file ? file : r->out;
	char *script, *got;

	cr_assert(!c->py_on || file, "no @DIR/%s", c->py_on);
	cr_assert_geq(asprintf(&script, "%s%s", cli_expand(c->py_prelude ? c->py_prelude : ""),
			       cli_expand(c->py)), 0);
	got = run_python(script, data, file ? strlen(file) : r->out_len);
	cr_assert_str_eq(got, cli_expand(c->py_out), "%s:\n%s",
			 c->py_on ? c->py_on : "stdout", data);
	free(got);
	free(script);
	free(file);
}

static void expect_files(const struct cli_case *c)
{
	char where[PATH_MAX];
	int n = 0;

	for (; n < (int)(sizeof c->files / sizeof c->files[0]) && c->files[n][0]; n++) {
		char *got = cli_slurp(cli_expand(c->files[n][0]));

		cr_assert_not_null(got, "@DIR/%s is missing", c->files[n][0]);
		cr_assert_str_eq(got, cli_expand(c->files[n][1]), "@DIR/%s", c->files[n][0]);
		free(got);
	}
	if (!c->files_only)
		return;
	cr_assert_gt(n, 0, "files_only without files");
	snprintf(where, sizeof where, "%s", c->files[0][0]);
	*strrchr(where, '/') = '\0';
	cr_assert_eq(cli_entries(where), n + (c->mkdir ? 1 : 0), "@DIR/%s holds other files",
		     where);
}

void check_case(const struct cli_case *c)
{
	struct proc_result r;

	set_up(c);
	if (c->pre[0]) {
		run(c, c->pre, &r);
		cr_assert_eq(r.status, c->pre_status, "first run: exit status %d\n%s",
			     r.status, r.err);
		proc_result_free(&r);
	}
	run(c, c->args, &r);
	cr_assert_eq(r.status, c->status, "exit status %d, expected %d\nstderr: %s",
		     r.status, c->status, r.err);
	expect_stdout(c, &r);
	expect_stderr(c, &r);
	if (c->py)
		expect_python(c, &r);
	expect_files(c);
	if (c->check)
		c->check(&r);
	proc_result_free(&r);
}
