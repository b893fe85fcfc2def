/*
 * What the CLI tests share around a run: the test's own directory, a real
 * OpenSSH sshd in it, strings with @TOKENs replaced, the cases' checks.
 */
#define _GNU_SOURCE /* asprintf */
#include "sshd.h"

#include "../common/where.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_test cli;

static char **expanded; /* freed when the test ends */
static size_t nexpanded;

static void rm_rf(const char *path)
{
	const char *rm[] = { "rm", "-rf", path, NULL };
	struct proc_result r;

	run_prog(rm, NULL, 0, 20000, &r);
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
	run_prog(argv, NULL, 0, 20000, &r);
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

void cli_args(const char **args, size_t max, bool ssh, const char *const in[])
{
	const char *defaults[] = { "-p", cli.port, "--no-agent", "-i", cli.key,
				   "--known-hosts", cli.kh };
	size_t n = 0;

	for (size_t k = 0; ssh && k < sizeof defaults / sizeof defaults[0]; k++)
		args[n++] = defaults[k];
	for (size_t k = 0; in[k]; k++) {
		cr_assert_lt(n + 1, max);
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

int cli_count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

char *cli_python(const char *prelude, const char *py, const char *data, size_t len)
{
	char *script, *got;

	cr_assert_geq(asprintf(&script, "%s%s", prelude, cli_expand(py)), 0);
	got = run_python(script, data, len);
	free(script);
	return got;
}

void cli_check(const struct proc_result *r, const struct cli_expect *e)
{
	cr_assert_eq(r->status, e->status, "exit status %d, expected %d\nstderr: %s",
		     r->status, e->status, r->err);
	if (e->out)
		cr_assert_str_eq(r->out, cli_expand(e->out), "stdout differs; stderr: %s",
				 r->err);
	for (size_t k = 0; e->out_has && k < CLI_HAS && e->out_has[k]; k++)
		cr_assert_not_null(strstr(r->out, cli_expand(e->out_has[k])),
				   "stdout lacks \"%s\": %s", cli_expand(e->out_has[k]), r->out);
	if (e->err_exact)
		cr_assert_str_eq(r->err, cli_expand(e->err_exact));
	for (size_t k = 0; e->err && k < CLI_HAS && e->err[k]; k++)
		cr_assert_not_null(strstr(r->err, cli_expand(e->err[k])),
				   "stderr lacks \"%s\": %s", cli_expand(e->err[k]), r->err);
	if (!e->err_exact && !(e->err && e->err[0]) && !e->err_lines)
		cr_assert_str_eq(r->err, "", "stderr should be empty");
	if (e->err_lines)
		cr_assert_eq(cli_count(r->err, "\n"), e->err_lines, "stderr: %s", r->err);
}
