/*
 * cli/hosts: host lists against ClusterShell, the real one as the oracle.
 * Every case (the list below, then seeded random ones with ranges, steps,
 * padding, several dimensions and set operators) is expanded by ringrun's
 * parser and by ClusterShell's NodeSet, which is what `nodeset -e` prints,
 * and the two are compared as sets (nodeset sorts; ringrun keeps the
 * order written); an empty result is ringrun's usage error.  Folding is compared with `nodeset -f` as sets, and the
 * strings that come out identical are counted.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "hosts/hostfold.h"
#include "hosts/hosts.h"
#include "seeded.h"

/* Lists both grammars take, with the one meaning. */
static const char *const cases[] = {
	"a1", "a[1-5]", "web[01-20,33]", "n[1-10/2]", "n[01-10/3]", "n[1-2/5]",
	"n[1-4/2,7]", "n[0-100/25]", "rack[1-2]-n[01-08]", "r[1-3/2]-n[1-2]",
	"a[1-3]b[1-2]", "x[1-3]-[1-2]y", "a[5]", "a[1,1,2]", "a[1-3],a[01-03]",
	"a[1-5]!a3", "a[1-5]&a[3-9]", "a[1-3]^a[2-4]", "a1,a[1-5]!a3,a9",
	"a[1-5]!a3,a3", "a[1-3]^a2,b1&b1", "a1!a1,a2",
	"a[1-9]!a[2-8/2]&a[1-5]", "rack[1-2]-n[1-4]!rack1-n[2-3]",
	"rack[1-2]-n[1-4]&rack[1-3]-n[3-9]", "a[1-4/2]:22", "u@a[1-2]",
	"db,web,db", "h[098-101]", "h[8-10]", "a-b[1-3].c-[2-3]",
	" a[1-4] ! a[2-3] ,b", "a[18446744073709551613-18446744073709551615]",
};

/* A small, seeded generator: the same cases on every run and machine. */
static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned pick(unsigned n)
{
	return seeded_pick(&rng, n);
}

/* "N" or "N-M" or "N-M/S", padded to width w when w > 1. */
static void gen_range(struct buf *b, int w)
{
	unsigned max = w == 2 ? 99 : 30, lo = pick(max), hi = lo + pick(12);
	char s[64];

	if (hi > max)
		hi = max;
	if (pick(3) == 0)
		snprintf(s, sizeof s, "%0*u", w, lo);
	else if (pick(2))
		snprintf(s, sizeof s, "%0*u-%0*u", w, lo, w, hi);
	else
		snprintf(s, sizeof s, "%0*u-%0*u/%u", w, lo, w, hi, 1 + pick(4));
	buf_adds(b, s);
}

static void gen_group(struct buf *b)
{
	int w = pick(3) == 0 ? 2 : 1;
	unsigned n = 1 + pick(3);

	buf_addc(b, '[');
	for (unsigned k = 0; k < n; k++) {
		if (k)
			buf_addc(b, ',');
		gen_range(b, w);
	}
	buf_addc(b, ']');
}

/* A name with zero to two bracket groups, of a few shared prefixes. */
static void gen_operand(struct buf *b, const char *pre)
{
	unsigned groups = pick(5) == 0 ? 0 : pick(4) == 0 ? 2 : 1;

	buf_adds(b, pre);
	if (!groups) {
		char s[16];

		snprintf(s, sizeof s, "%u", pick(20));
		buf_adds(b, s);
	}
	for (unsigned k = 0; k < groups; k++) {
		if (k)
			buf_adds(b, pick(2) ? "-n" : "-");
		gen_group(b);
	}
	if (pick(6) == 0)
		buf_adds(b, ".ib");
}

static char *gen_list(void)
{
	static const char ops[] = { ',', ',', '!', '&', '^' };
	static const char *const pre[] = { "a", "n", "rack", "x-", "db" };
	struct buf b = BUF_INIT;
	unsigned n = 1 + pick(4), mostly = pick(5);

	/* Mostly one prefix, so that the operators meet common hosts. */
	for (unsigned k = 0; k < n; k++) {
		if (k)
			buf_addc(&b, ops[pick(sizeof ops)]);
		gen_operand(&b, pre[pick(4) ? mostly : pick(5)]);
	}
	return buf_detach(&b);
}

#define GENERATED 400

/* The names of list as ringrun takes it, space-separated; NULL on error. */
static char *ringrun_expand(const char *list, char *err, size_t errlen)
{
	struct hosts h = { 0 };
	struct buf b = BUF_INIT;

	if (hosts_add_list(&h, list, err, errlen) < 0) {
		hosts_free(&h);
		return NULL;
	}
	for (size_t k = 0; k < h.n; k++) {
		if (k)
			buf_addc(&b, ' ');
		buf_adds(&b, h.v[k].name);
	}
	hosts_free(&h);
	return buf_detach(&b);
}

/*
 * ClusterShell on each request line of path, "e LIST" (what `nodeset -e
 * LIST` prints) or "f NAME..." (what `nodeset -f NAME...` prints): one line
 * back for each, "ok RESULT" or "error WHY".
 */
static char **oracle(const char *path, size_t n)
{
	static const char script[] =
		"import sys\n"
		"from ClusterShell.NodeSet import NodeSet\n"
		"for line in open(sys.argv[1]):\n"
		"    kind, arg = line.rstrip('\\n').split(' ', 1)\n"
		"    try:\n"
		"        if kind == 'e':\n"
		"            out = ' '.join(NodeSet(arg).striter())\n"
		"        else:\n"
		"            out = str(NodeSet.fromlist(arg.split()))\n"
		"        print('ok', out)\n"
		"    except Exception as e:\n"
		"        print('error', str(e).replace('\\n', ' '))\n";
	char cmd[sizeof script + 256];
	char **out = calloc(n, sizeof *out);
	char *line = NULL;
	size_t cap = 0, k = 0;
	ssize_t len;

	cr_assert_not_null(out);
	/* nodeset's own interpreter: the one that has its library. */
	snprintf(cmd, sizeof cmd, "py=$(sed -n '1s/^#!//p' \"$(command -v nodeset)\") "
		 "&& exec $py -c \"$RR_ORACLE\" %s", path);
	cr_assert_eq(setenv("RR_ORACLE", script, 1), 0);
	FILE *py = popen(cmd, "r");
	cr_assert_not_null(py);
	while (k < n && (len = getline(&line, &cap, py)) > 0) {
		line[len - 1] = '\0';
		out[k++] = strdup(line);
	}
	free(line);
	cr_assert_eq(pclose(py), 0, "ClusterShell's Python failed "
		     "(is clustershell installed? mk/deps.sh test)");
	cr_assert_eq(k, n, "ClusterShell answered %zu of %zu", k, n);
	return out;
}

/* The requests into a temporary file; its path (free it). */
static char *requests(char *const *lines, size_t n)
{
	char *path = strdup("/tmp/rr-nodeset-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	cr_assert_not_null(f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s\n", lines[k]);
	cr_assert_eq(fclose(f), 0);
	return path;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The space-separated names of s, sorted, one string again. */
static char *sorted(const char *s)
{
	char *copy = strdup(s), **v = NULL, *save = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = w;
	}
	if (n) /* qsort(NULL, 0, ...) is undefined */
		qsort(v, n, sizeof *v, by_string);
	for (size_t k = 0; k < n; k++) {
		if (k)
			buf_addc(&b, ' ');
		buf_adds(&b, v[k]);
	}
	free(v);
	free(copy);
	return buf_detach(&b);
}

static void free_all(char **v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(v[k]);
	free(v);
}

static char *request(char kind, const char *arg)
{
	size_t size = strlen(arg) + 3;
	char *s = malloc(size);

	snprintf(s, size, "%c %s", kind, arg);
	return s;
}

/* The terms of a fold (split at commas outside brackets), sorted. */
static char *terms_sorted(const char *fold)
{
	char *copy = strdup(fold), **v = NULL;
	size_t n = 0, depth = 0;
	struct buf b = BUF_INIT;

	for (char *c = copy, *start = copy;; c++) {
		depth += *c == '[';
		depth -= *c == ']';
		if (*c && (*c != ',' || depth))
			continue;
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = start;
		start = c + 1;
		if (!*c)
			break;
		*c = '\0';
	}
	qsort(v, n, sizeof *v, by_string);
	for (size_t k = 0; k < n; k++) {
		if (k)
			buf_addc(&b, ',');
		buf_adds(&b, v[k]);
	}
	free(v);
	free(copy);
	return buf_detach(&b);
}

/* ringrun's fold of the space-separated names. */
static char *ringrun_fold(const char *names)
{
	char *copy = strdup(names), *save = NULL, *folded;
	const char **v = NULL;
	size_t n = 0;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = w;
	}
	folded = hostfold(v, n);
	free(v);
	free(copy);
	return folded;
}

/* One case: the list, and what ringrun made of it (sorted) and folded. */
struct row {
	char *list;
	char *names;    /* NULL: ClusterShell or ringrun refused it */
	char *fold;
};

/* ClusterShell on one request per row that has what want() says. */
static char **ask(const struct row *rows, size_t n, char kind,
		  char *(*arg)(const struct row *), size_t *asked)
{
	char **req = calloc(n + 1, sizeof *req), *path, **answer;
	size_t m = 0;

	for (size_t k = 0; k < n; k++)
		if (arg(&rows[k]))
			req[m++] = request(kind, arg(&rows[k]));
	path = requests(req, m);
	answer = oracle(path, m);
	unlink(path);
	free(path);
	free_all(req, m);
	*asked = m;
	return answer;
}

static char *the_list(const struct row *r)
{
	return r->list;
}

static char *the_names(const struct row *r)
{
	return r->names && *r->names ? r->names : NULL;
}

static char *the_fold(const struct row *r)
{
	return the_names(r) ? r->fold : NULL;
}

/* Each list expanded by both: equal sets, or the test fails. */
static void expand_all(struct row *rows, size_t n, size_t ncases)
{
	size_t asked, agree = 0, supported = 0, refused_by_both = 0, empty_sets = 0;
	char **theirs = ask(rows, n, 'e', the_list, &asked), err[256];

	for (size_t k = 0; k < n; k++) {
		char *got = ringrun_expand(rows[k].list, err, sizeof err);

		if (strncmp(theirs[k], "ok ", 3) != 0) {
			cr_expect(k >= ncases, "ClusterShell refuses case '%s': %s",
				  rows[k].list, theirs[k]);
			refused_by_both += !got;
			free(got);
			continue;
		}
		supported++;
		char *want = sorted(theirs[k] + 3);
		rows[k].names = got ? sorted(got) : NULL;
		/* An expression that leaves nothing is refused, by design. */
		bool empty = !got && !*want && strstr(err, "leave no host");

		empty_sets += empty;
		if (empty || (rows[k].names && strcmp(rows[k].names, want) == 0))
			agree++;
		else
			cr_expect(false, "'%s': ringrun %s; nodeset -e %s",
				  rows[k].list, got ? got : err, theirs[k] + 3);
		free(want);
		free(got);
	}
	fprintf(stderr, "unit_nodeset: expand: %zu of %zu agree with nodeset -e "
		"(%.1f%%; %zu data, %zu generated; %zu empty, refused by ringrun); "
		"nodeset refused %zu more, ringrun %zu of them\n", agree, supported,
		supported ? 100.0 * agree / supported : 0.0, ncases, n - ncases,
		empty_sets, n - supported, refused_by_both);
	free_all(theirs, asked);
	cr_assert_eq(agree, supported);
}

/* ringrun's folds: each gives the set back, to ringrun and to nodeset -e. */
static void fold_all(struct row *rows, size_t n)
{
	size_t asked, same_set = 0, same_text = 0, same_terms = 0, m = 0;
	char err[256];

	for (size_t k = 0; k < n; k++) {
		if (!the_names(&rows[k]))
			continue;
		rows[k].fold = ringrun_fold(rows[k].names);
		char *back = ringrun_expand(rows[k].fold, err, sizeof err);
		char *s = back ? sorted(back) : NULL;
		cr_expect(s && strcmp(s, rows[k].names) == 0, "'%s' folds to "
			  "'%s', which ringrun takes as %s", rows[k].names,
			  rows[k].fold, s ? s : err);
		free(s);
		free(back);
	}
	char **theirs = ask(rows, n, 'f', the_names, &asked);
	char **again = ask(rows, n, 'e', the_fold, &asked);

	for (size_t k = 0; k < n; k++) {
		if (!the_fold(&rows[k]))
			continue;
		const char *f = theirs[m], *e = again[m++];
		char *s = strncmp(e, "ok ", 3) == 0 ? sorted(e + 3) : NULL;

		if (s && strcmp(s, rows[k].names) == 0)
			same_set++;
		else
			cr_expect(false, "ringrun folds %s to '%s', which nodeset "
				  "-e takes as %s", rows[k].names, rows[k].fold, e);
		same_text += strncmp(f, "ok ", 3) == 0 &&
			     strcmp(f + 3, rows[k].fold) == 0;
		char *mine = terms_sorted(rows[k].fold), *their = terms_sorted(f + 3);
		same_terms += strcmp(mine, their) == 0;
		free(mine);
		free(their);
		free(s);
	}
	fprintf(stderr, "unit_nodeset: fold: %zu of %zu expand back to the same "
		"set with nodeset -e; %zu of %zu are the terms nodeset -f prints, "
		"%zu of them in its order\n", same_set, m, same_terms, m, same_text);
	free_all(theirs, asked);
	free_all(again, asked);
	cr_assert_eq(same_set, m);
}

Test(unit_nodeset, expand_and_fold_as_clustershell, .timeout = 120)
{
	size_t ncases = sizeof cases / sizeof *cases, n = ncases + GENERATED;
	struct row *rows = calloc(n, sizeof *rows);

	for (size_t k = 0; k < n; k++)
		rows[k].list = k < ncases ? strdup(cases[k]) : gen_list();
	expand_all(rows, n, ncases);
	fold_all(rows, n);
	for (size_t k = 0; k < n; k++) {
		free(rows[k].list);
		free(rows[k].names);
		free(rows[k].fold);
	}
	free(rows);
}

/* The oracle above is nodeset's own code: the command says the same. */
Test(unit_nodeset, the_oracle_is_nodeset, .timeout = 60)
{
	static const char *const some[] = { "n[1-10/2]", "a[1-5]!a3,x[1-2]-[1-2]",
					    "a[1-3]^a[2-4]&a[1-9]" };
	size_t n = sizeof some / sizeof *some;
	char *req[sizeof some / sizeof *some];

	for (size_t k = 0; k < n; k++)
		req[k] = request('e', some[k]);
	char *path = requests(req, n), **lib = oracle(path, n);

	unlink(path);
	free(path);
	for (size_t k = 0; k < n; k++) {
		char cmd[256], line[1024] = "";

		snprintf(cmd, sizeof cmd, "nodeset -e '%s'", some[k]);
		FILE *p = popen(cmd, "r");
		cr_assert_not_null(p);
		cr_assert_not_null(fgets(line, sizeof line, p));
		cr_assert_eq(pclose(p), 0, "%s failed", cmd);
		line[strcspn(line, "\n")] = '\0';
		cr_assert_str_eq(lib[k] + 3, line, "%s", some[k]);
		free(req[k]);
	}
	free_all(lib, n);
}
