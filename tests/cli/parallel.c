/*
 * GNU parallel's input grammar with GNU parallel as the oracle: each case
 * of tests/data/parallel/cases and of a fixed-seed generator runs as
 * `parallel --will-cite --dry-run -k ARGS` and `ringrun --dry-run -k
 * ARGS`, and their outputs must agree byte for byte (ringrun quotes as
 * parallel does); the same words for the shell, command for command, are
 * checked apart, so that a failure says whether the commands differ or
 * only their quoting.  The parallel runs are a few scripts, one sh each.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/guard.h"
#include "../common/where.h"
#include "harness.h"

/* A string that grows (the suite sees no header of cli/). */
struct buf {
	char *data;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

static void buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->data = realloc(b->data, b->cap);
		cr_assert_not_null(b->data);
	}
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s)
{
	while (*s)
		buf_addc(b, *s++);
}

/* Its string (never NULL), the caller's to free. */
static char *buf_detach(struct buf *b)
{
	if (!b->data)
		buf_addc(b, '\0'), b->len = 0;
	return b->data;
}

static void buf_free(struct buf *b)
{
	free(b->data);
}

/* Generated cases: parallel starts in ~0.1 s, so a few of them. */
#define GENERATED 60

/* The files the cases name, in the directory they run in. */
static const char *const files[][2] = {
	{ "f1", "f1a\nf1 b\n" },
	{ "f2", "x.y/z\n'q'\n\nlast\n" },
	{ "f3", "only\n" },
	{ "tabs", "a\tb\tc\nd\te\n" },
};

struct cases {
	char ***v; /* each case: its arguments, NULL-terminated */
	size_t n;
};

static void add_case(struct cases *c, char **args)
{
	c->v = realloc(c->v, (c->n + 1) * sizeof *c->v);
	c->v[c->n++] = args;
}

/* The data file's cases, split as sh would by python's shlex: "N\0" and
   N arguments each followed by a NUL. */
static void read_data(struct cases *c)
{
	static const char script[] =
		"import shlex, sys\n"
		"for l in open(sys.stdin.read()):\n"
		"    if l.strip() and not l.startswith('#'):\n"
		"        a = shlex.split(l)\n"
		"        sys.stdout.write('%d\\0' % len(a) + ''.join(x + '\\0' for x in a))\n";
	const char *harness = where_sshd_harness();
	char path[4096];
	/* The source tree: tests/sshd/sshd-harness.sh is in it. */
	size_t root = strlen(harness) - strlen("tests/sshd/sshd-harness.sh");

	snprintf(path, sizeof path, "%.*stests/data/parallel/cases", (int)root,
		 harness);
	char *out = run_python(script, path, strlen(path));
	for (char *p = out; *p; ) {
		size_t n = strtoul(p, &p, 10);
		char **args = calloc(n + 1, sizeof *args);

		p++;
		for (size_t k = 0; k < n; k++) {
			args[k] = strdup(p);
			p += strlen(p) + 1;
		}
		add_case(c, args);
	}
	free(out);
}

static uint64_t rng = 0x243f6a8885a308d3u;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Inputs as people have them: spaces, quotes, dots, slashes, empty,
   unicode, and words of the shell. */
static const char *const inputs[] = {
	"a", "b c", "it's", "x\"y", "", " ", "dir/f.txt", "/abs/p.q/r",
	"a.b.c", ".hidden", "trail/", "é", "日本.txt", "$HOME", "*", "a;b",
	"n=1", "-v", "a\\b", "~x", "#c", "%", "@h", "x,y", "p:q", "{}", "a  b",
};

static const char *const rstrings[] = {
	"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{1}", "{2}", "{3}",
	"{-1}", "{1.}", "{2/}", "{1//}", "{2/.}", "{-1/}", "x{1}y",
};

static char **generate(void)
{
	char **a = calloc(64, sizeof *a);
	size_t n = 0;
	unsigned lists = 1 + pick(3);

	if (pick(4) == 0) {
		a[n++] = strdup(pick(2) ? "-n" : "--max-replace-args");
		a[n++] = strdup(pick(2) ? "2" : "3");
	}
	if (pick(5) == 0) {
		a[n++] = strdup("--colsep");
		a[n++] = strdup(pick(2) ? "," : "[.;]");
	}
	if (pick(6) == 0)
		a[n++] = strdup("--quote");
	bool with_a = pick(6) == 0;

	if (with_a) { /* no :::+ then (tests/data/parallel/cases) */
		a[n++] = strdup("-a");
		a[n++] = strdup(files[pick(3)][0]);
	}
	a[n++] = strdup("echo");
	for (unsigned k = pick(4); k > 0; k--)
		a[n++] = strdup(rstrings[pick(sizeof rstrings / sizeof *rstrings)]);
	for (unsigned l = 0; l < lists; l++) {
		unsigned kind = pick(6);

		if (kind == 0) {
			a[n++] = strdup(l && pick(2) && !with_a ? "::::+" : "::::");
			a[n++] = strdup(files[pick(3)][0]);
			continue;
		}
		a[n++] = strdup(l && kind == 1 && !with_a ? ":::+" : ":::");
		for (unsigned k = 1 + pick(3); k > 0; k--)
			a[n++] = strdup(inputs[pick(sizeof inputs / sizeof *inputs)]);
	}
	return a;
}

/* s quoted for sh. */
static void sh_quote(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

/* ringrun's spelling to parallel's. */
static const char *to_parallel(const char *arg)
{
	if (strcmp(arg, "--quote") == 0)
		return "-q";
	if (strcmp(arg, "--max-replace-args") == 0)
		return "-N";
	return arg;
}

/* Shells at once, each with its share of the cases: each parallel
   starts in ~0.1 s of CPU, a hang guard bounds each shell. */
#define SHELLS 4

/* A hang guard for a shell's hundred-odd Perl starts on a busy machine. */
#define ORACLE_GUARD_MS (4 * HANG_GUARD_MS)

/* Cases from, from + SHELLS, ... through parallel in one sh. */
static void oracle_start(struct proc *p, const struct cases *c, size_t from)
{
	struct buf b = BUF_INIT;
	const char *argv[] = { "sh", "-c", NULL, NULL };

	for (size_t k = from; k < c->n; k += SHELLS) {
		buf_adds(&b, "parallel --will-cite --dry-run -k");
		for (char **a = c->v[k]; *a; a++) {
			buf_addc(&b, ' ');
			sh_quote(&b, to_parallel(*a));
		}
		buf_adds(&b, " </dev/null 2>&1; printf '\\001'\n");
	}
	argv[2] = buf_detach(&b);
	proc_start(p, argv, false);
	buf_free(&b);
}

/* Every case's output through parallel, each followed by "\1", in the
   order of the cases. */
static char **oracle(const struct cases *c)
{
	struct proc p[SHELLS];
	char *out[SHELLS], *at[SHELLS];
	char **want = calloc(c->n, sizeof *want);

	for (size_t s = 0; s < SHELLS; s++)
		oracle_start(&p[s], c, s);
	for (size_t s = 0; s < SHELLS; s++) {
		struct proc_result r;

		proc_finish(&p[s], NULL, 0, ORACLE_GUARD_MS, &r);
		cr_assert_eq(r.status, 0, "%s", r.err);
		free(r.err);
		out[s] = at[s] = r.out;
	}
	for (size_t k = 0; k < c->n; k++) {
		char *sep = strchr(at[k % SHELLS], '\001');

		cr_assert_not_null(sep, "case %zu: no output of parallel", k);
		*sep = '\0';
		want[k] = strdup(at[k % SHELLS]);
		at[k % SHELLS] = sep + 1;
	}
	for (size_t s = 0; s < SHELLS; s++)
		free(out[s]);
	return want;
}

/*
 * The commands a dry run's output stands for, as sh reads them: words
 * (quotes and backslashes resolved) ended by \037, commands by \036.
 */
static char *words(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	const char *end = s + len;
	bool in_word = false;

	for (; s < end; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (in_word)
				buf_addc(&b, '\037');
			if (*s == '\n')
				buf_addc(&b, '\036');
			in_word = false;
			continue;
		}
		in_word = true;
		if (*s == '\\' && s + 1 < end) {
			buf_addc(&b, *++s);
		} else if (*s == '\'') {
			while (++s < end && *s != '\'')
				buf_addc(&b, *s);
		} else if (*s == '"') {
			while (++s < end && *s != '"') {
				if (*s == '\\' && s + 1 < end && strchr("\\\"$`", s[1]))
					s++;
				buf_addc(&b, *s);
			}
		} else {
			buf_addc(&b, *s);
		}
	}
	if (in_word)
		buf_addc(&b, '\037');
	return buf_detach(&b);
}

static void write_files(void)
{
	for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
		FILE *f = fopen(files[k][0], "w");

		cr_assert_not_null(f, "%s", files[k][0]);
		fputs(files[k][1], f);
		cr_assert_eq(fclose(f), 0);
	}
}

/* Where the cases run, holding the files: gone after, pass or fail. */
static char dir[] = "/tmp/rr-parallel-XXXXXX";
static bool dir_made;

static void remove_dir(void)
{
	if (!dir_made)
		return;
	for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
		char path[sizeof dir + 16];

		snprintf(path, sizeof path, "%s/%s", dir, files[k][0]);
		unlink(path);
	}
	rmdir(dir);
}

Test(cli_parallel, dry_run_oracle, .fini = remove_dir,
     .timeout = ORACLE_GUARD_MS / 1000 * 2)
{
	struct cases c = { 0 };
	size_t data, same = 0, bytes = 0;

	read_data(&c);
	data = c.n;
	for (int k = 0; k < GENERATED; k++)
		add_case(&c, generate());
	cr_assert_not_null(mkdtemp(dir));
	dir_made = true;
	cr_assert_eq(chdir(dir), 0);
	write_files();

	char **want = oracle(&c);
	for (size_t k = 0; k < c.n; k++) {
		const char *args[64] = { "--dry-run", "-k" };
		size_t n = 2;
		char *w = want[k], *sep = w + strlen(w);
		struct proc_result r;

		for (char **a = c.v[k]; *a; a++)
			args[n++] = *a;
		args[n] = NULL;
		run_ringrun(args, NULL, 0, false, &r);
		char *ww = words(w, (size_t)(sep - w));
		char *wr = words(r.out, r.out_len);
		struct buf shown = BUF_INIT;

		for (char **a = c.v[k]; *a; a++) {
			sh_quote(&shown, *a);
			buf_addc(&shown, ' ');
		}
		cr_expect_eq(r.status, 0, "case %zu: %s: %s", k, shown.data, r.err);
		bool exact = (size_t)(sep - w) == r.out_len &&
			     memcmp(w, r.out, r.out_len) == 0;

		same += strcmp(ww, wr) == 0;
		bytes += exact;
		if (!exact)
			cr_expect_fail("case %zu: %s\nparallel:\n%.*s\nringrun:\n%s",
				       k, shown.data, (int)(sep - w), w, r.out);
		buf_free(&shown);
		free(ww);
		free(wr);
		proc_result_free(&r);
		free(w);
	}
	fprintf(stderr, "oracle parallel: %zu/%zu byte for byte, %zu/%zu the "
		"same words (%zu data, %zu generated)\n", bytes, c.n, same, c.n,
		data, c.n - data);
	cr_assert_eq(same, c.n);
	cr_assert_eq(bytes, c.n);
	free(want);
	for (size_t k = 0; k < c.n; k++) {
		for (char **a = c.v[k]; *a; a++)
			free(*a);
		free(c.v[k]);
	}
	free(c.v);
}
