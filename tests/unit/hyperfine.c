/*
 * cli/benchmode's exports against hyperfine's, the real one as the oracle.
 * The clock decides nothing: hyperfine benchmarks each case (the cases of
 * tests/data/hyperfine/cases, then seeded random ones) and exports JSON,
 * Markdown and CSV; the times, exit codes and user and system means of its
 * JSON are fed to ringrun's exporters, and what they write is compared with
 * hyperfine's files: Markdown and CSV byte for byte, JSON key for key and
 * value for value (hyperfine's keys first, in its order).  One Python
 * reads every JSON file and one compares them.
 */
#define _GNU_SOURCE /* asprintf */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmode/benchmark.h"
#include "benchmode/benchreport.h"
#include "util/buf.h"
#include "seeded.h"

#define MAX_CASES 64

/* A small, seeded generator: the same cases on every run and machine. */
static uint64_t rng = 0x2545f4914f6cdd1du;

static unsigned pick(unsigned n)
{
	return seeded_pick(&rng, n);
}

/* The data file, found above the suite (build/tests/, build/asan/tests/). */
static FILE *open_cases(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);

	cr_assert_gt(n, 0);
	dir[n] = '\0';
	for (char *slash; (slash = strrchr(dir, '/')); *slash = '\0') {
		snprintf(path, sizeof path, "%s/tests/data/hyperfine/cases", dir);
		if (access(path, R_OK) == 0)
			return fopen(path, "r");
	}
	cr_assert_fail("tests/data/hyperfine/cases not found above the suite");
	return NULL;
}

/* Commands whose outcome is fixed; the first ones need no shell. */
static const char *const plain[] = {
	"true", "echo a", "echo 'a|b'", "echo a,b", "printf %s x",
	"sh -c 'exit 3'", "false",
};
static const char *const shelly[] = {
	"exit 3", "echo a | cat", ": 'a|b'",
	"i=0; while [ $i -lt 500 ]; do i=$((i+1)); done",
};

#define N_PLAIN (sizeof plain / sizeof *plain)
#define N_SHELLY (sizeof shelly / sizeof *shelly)

/* s as one sh word. */
static void quote(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++)
		buf_adds(b, *s == '\'' ? "'\\''" : (char[]){ *s, '\0' });
	buf_addc(b, '\'');
}

/* One to three commands, 1 to 8 runs (a power of two), with or without
   the shell, -i (every case: false and exit 3 fail), a warm-up. */
static char *generated(void)
{
	struct buf b = BUF_INIT;
	bool shell = pick(2);
	unsigned n = 1 + pick(3);

	buf_printf(&b, "%s-r %u -i%s", shell ? "" : "-N ", 1u << pick(4),
		   pick(3) ? "" : " -w 1");
	for (unsigned k = 0; k < n; k++) {
		unsigned m = pick(shell ? N_PLAIN + N_SHELLY : N_PLAIN);

		buf_addc(&b, ' ');
		quote(&b, m < N_PLAIN ? plain[m] : shelly[m - N_PLAIN]);
	}
	return buf_detach(&b);
}

static size_t load_cases(char **cases, size_t n_generated)
{
	FILE *f = open_cases();
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		cr_assert_lt(n, MAX_CASES);
		cases[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	for (size_t k = 0; k < n_generated && n < MAX_CASES; k++)
		cases[n++] = generated();
	return n;
}

static char *path_of(const char *dir, size_t k, const char *ext)
{
	char *p;

	cr_assert_geq(asprintf(&p, "%s/%zu.%s", dir, k, ext), 0);
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_addc(&b, '\0'); /* an empty file is "" */
	return buf_detach(&b);
}

/* hyperfine on case k: its three exports in dir. */
static void run_hyperfine(const char *dir, size_t k, const char *args)
{
	char *cmd;

	cr_assert_geq(asprintf(&cmd, "cd %s && hyperfine --style none "
			       "--export-json %zu.json --export-markdown %zu.md "
			       "--export-csv %zu.csv %s >/dev/null 2>%zu.err",
			       dir, k, k, k, args, k), 0);
	/* A zero mean makes hyperfine refuse the Markdown: compared below. */
	(void)!system(cmd);
	free(cmd);
}

/* One Python: every JSON as lines of C (command), T (times), E (exit
   codes, n for none), U, S (user, system means), then END per case. */
static FILE *read_jsons(const char *dir, size_t n)
{
	static const char script[] =
		"import json, sys\n"
		"d, n = sys.argv[1], int(sys.argv[2])\n"
		"for k in range(n):\n"
		"    for r in json.load(open('%s/%d.json' % (d, k)))['results']:\n"
		"        print('C\\t' + r['command'])\n"
		"        print('T\\t' + ' '.join(repr(t) for t in r['times']))\n"
		"        print('E\\t' + ' '.join('n' if e is None else str(e)\n"
		"                                for e in r['exit_codes']))\n"
		"        print('U\\t' + repr(r['user']))\n"
		"        print('S\\t' + repr(r['system']))\n"
		"    print('END')\n";
	char *cmd;
	FILE *p;

	cr_assert_eq(setenv("RR_ORACLE", script, 1), 0);
	cr_assert_geq(asprintf(&cmd, "python3 -c \"$RR_ORACLE\" %s %zu", dir, n),
		      0);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	free(cmd);
	return p;
}

/* The runs of one result: times, exit codes, the user and system means
   in the first run times the count (a power of two: divides back). */
static void feed(struct bench *b, size_t k, const char *command, char *times,
		 char *codes, double user, double sys)
{
	size_t n = 0;
	char *save1, *save2, *t = strtok_r(times, " ", &save1);
	char *e = strtok_r(codes, " ", &save2);

	for (; t; t = strtok_r(NULL, " ", &save1), n++) {
		cr_assert_not_null(e, "%s: fewer exit codes than times", command);
		bench_add_run(b, k, command, &(const struct bench_run){
			.wall = strtod(t, NULL),
			.exit_code = *e == 'n' ? -9 : atoi(e),
		});
		e = strtok_r(NULL, " ", &save2);
	}
	cr_assert_gt(n, 0);
	cr_assert_eq(n & (n - 1), 0, "%s: %zu runs: not a power of two", command, n);
	b->cmds[k].runs[0].user = user * (double)n;
	b->cmds[k].runs[0].sys = sys * (double)n;
}

/* Case k's results, up to END, into b. */
static void read_case(FILE *p, struct bench *b)
{
	char *line = NULL, *command = NULL, *times = NULL, *codes = NULL;
	double user = 0;
	size_t cap = 0, k = 0;
	ssize_t len;

	bench_init(b, 1 << 20, 0, 1, 0);
	while ((len = getline(&line, &cap, p)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "END") == 0)
			break;
		cr_assert(len > 2 && line[1] == '\t', "Python said: %s", line);
		if (line[0] == 'C') {
			free(command);
			command = strdup(line + 2);
		} else if (line[0] == 'T') {
			free(times);
			times = strdup(line + 2);
		} else if (line[0] == 'E') {
			free(codes);
			codes = strdup(line + 2);
		} else if (line[0] == 'U') {
			user = strtod(line + 2, NULL);
		} else {
			feed(b, k++, command, times, codes, user,
			     strtod(line + 2, NULL));
		}
	}
	free(line);
	free(command);
	free(times);
	free(codes);
	b->repeat = 1;
}

static bool same(const char *what, const char *args, const char *ours,
		 const char *theirs)
{
	if (theirs && strcmp(ours, theirs) == 0)
		return true;
	fprintf(stderr, "hyperfine %s: %s:\nringrun:\n%shyperfine:\n%s\n", args,
		what, ours, theirs ? theirs : "(none)\n");
	return false;
}

/* ringrun's exports of case k next to hyperfine's; Markdown and CSV
   compared here (agreeing ones counted in agree[0], agree[1]). */
static void compare_case(const char *dir, size_t k, const char *args,
			 const struct bench *b, unsigned agree[2])
{
	char *md = path_of(dir, k, "md"), *csv = path_of(dir, k, "csv");
	char *json = path_of(dir, k, "rr.json");
	char *their_md = slurp(md), *their_csv = slurp(csv);
	struct buf out = BUF_INIT;
	FILE *f;

	/* A zero mean: both tables stop before it (hyperfine's file may not
	   even be there when it was the first). */
	benchreport_markdown(&out, b);
	agree[0] += same("Markdown", args, out.data ? out.data : "",
			 their_md ? their_md : "");
	buf_reset(&out);
	benchreport_csv(&out, b);
	agree[1] += same("CSV", args, out.data, their_csv);
	buf_reset(&out);
	benchreport_json(&out, b);
	f = fopen(json, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(out.data, 1, out.len, f), out.len);
	cr_assert_eq(fclose(f), 0);
	buf_free(&out);
	free(their_md);
	free(their_csv);
	free(md);
	free(csv);
	free(json);
}

/* One Python: how many of the n cases' JSON agree (keys in order, then
   values), each disagreement said on stderr. */
static unsigned compare_jsons(const char *dir, size_t n)
{
	static const char script[] =
		"import json, sys\n"
		"d, n, ok = sys.argv[1], int(sys.argv[2]), 0\n"
		"for k in range(n):\n"
		"    h = json.load(open('%s/%d.json' % (d, k)))\n"
		"    r = json.load(open('%s/%d.rr.json' % (d, k)))\n"
		"    bad = [(a, b) for a, b in zip(h['results'], r['results'])\n"
		"           if list(b)[:len(a)] != list(a)\n"
		"           or any(b[key] != a[key] for key in a)]\n"
		"    if len(h['results']) != len(r['results']) or bad:\n"
		"        print('case', k, bad, file=sys.stderr)\n"
		"    else:\n"
		"        ok += 1\n"
		"print(ok)\n";
	char *cmd, line[64] = "";
	FILE *p;

	cr_assert_eq(setenv("RR_ORACLE", script, 1), 0);
	cr_assert_geq(asprintf(&cmd, "python3 -c \"$RR_ORACLE\" %s %zu", dir, n),
		      0);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_not_null(fgets(line, sizeof line, p));
	cr_assert_eq(pclose(p), 0, "the JSON comparison failed");
	free(cmd);
	return (unsigned)atoi(line);
}

Test(unit_hyperfine, exports_match, .timeout = 120)
{
	char dir[] = "/tmp/rr-hyperfine-XXXXXX", *cases[MAX_CASES], *rm;
	unsigned agree[2] = { 0 }, json;
	size_t n = load_cases(cases, 24);
	FILE *p;

	cr_assert_not_null(mkdtemp(dir));
	for (size_t k = 0; k < n; k++)
		run_hyperfine(dir, k, cases[k]);
	p = read_jsons(dir, n);
	for (size_t k = 0; k < n; k++) {
		struct bench b;

		read_case(p, &b);
		cr_assert_gt(b.ncmds, 0, "hyperfine %s: no result", cases[k]);
		compare_case(dir, k, cases[k], &b, agree);
		bench_free(&b);
	}
	cr_assert_eq(pclose(p), 0, "reading hyperfine's JSON failed "
		     "(is hyperfine installed? mk/deps.sh test)");
	json = compare_jsons(dir, n);
	fprintf(stderr, "oracle hyperfine: Markdown %u/%zu, CSV %u/%zu, JSON %u/%zu\n",
		agree[0], n, agree[1], n, json, n);
	cr_assert_geq(asprintf(&rm, "rm -rf %s", dir), 0);
	(void)!system(rm);
	free(rm);
	for (size_t k = 0; k < n; k++)
		free(cases[k]);
	cr_assert_eq(agree[0], n, "Markdown: %u of %zu agree", agree[0], n);
	cr_assert_eq(agree[1], n, "CSV: %u of %zu agree", agree[1], n);
	cr_assert_eq(json, n, "JSON: %u of %zu agree", json, n);
}
