/*
 * cli/hosts: -w lists with pdsh's exclusions and regex filters, and -x
 * lists, against pdsh itself: `pdsh -R exec -Q -w LIST [-x LIST]` lists its
 * targets and connects to nothing.  The cases of tests/data/hosts/pdsh.txt, then seeded random
 * ones, are compared as sets (pdsh sorts); a list that leaves no host is
 * an error for both.  A list whose hosts repeat is left out (counted):
 * pdsh keeps duplicates, and its -HOST then drops one copy only.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "hosts/hosts.h"
#include "seeded.h"

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of s (split at sep) sorted, space-separated (s is freed). */
static char *sorted(char *s, const char *sep)
{
	char **v = NULL, *save = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;

	for (char *w = strtok_r(s, sep, &save); w; w = strtok_r(NULL, sep, &save)) {
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = w;
	}
	if (n)
		qsort(v, n, sizeof *v, by_string);
	for (size_t k = 0; k < n; k++)
		buf_printf(&b, "%s%s", k ? " " : "", v[k]);
	buf_adds(&b, "");
	free(v);
	free(s);
	return buf_detach(&b);
}

/* A case: "LIST" or "LIST -x XLIST" (-w and -x). */
struct lists {
	char w[512];
	const char *x; /* NULL: no -x */
};

static void split(const char *line, struct lists *l)
{
	char *x;

	snprintf(l->w, sizeof l->w, "%s", line);
	x = strstr(l->w, " -x ");
	l->x = x ? x + 4 : NULL;
	if (x)
		*x = '\0';
}

/* pdsh's targets, sorted; NULL if it found none or refused the list. */
static char *pdsh_targets(const struct lists *l)
{
	char cmd[1024], *line = NULL, *last = NULL;
	size_t cap = 0;
	bool targets = false;

	cr_assert(!strchr(l->w, '\'') && !(l->x && strchr(l->x, '\'')), "%s", l->w);
	snprintf(cmd, sizeof cmd, "pdsh -R exec -Q -w '%s'%s%s%s true 2>/dev/null",
		 l->w, l->x ? " -x '" : "", l->x ? l->x : "", l->x ? "'" : "");
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (getline(&line, &cap, p) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (targets && *line && !last)
			last = strdup(line);
		targets |= strcmp(line, "-- Target nodes --") == 0;
	}
	free(line);
	int status = pclose(p);
	if (status != 0 && last) {
		free(last);
		last = NULL;
	}
	return last ? sorted(last, ",") : NULL;
}

/* A name twice in sorted s: pdsh keeps duplicates (and -HOST drops one
   of them), ringrun runs a host once; such a case is left out. */
static bool repeats(const char *s)
{
	for (const char *w = s, *next; (next = strchr(w, ' ')); w = next + 1) {
		size_t len = (size_t)(next - w);

		if (strncmp(w, next + 1, len) == 0 &&
		    (next[1 + len] == ' ' || !next[1 + len]))
			return true;
	}
	return false;
}

static char *ringrun_targets(const struct lists *l, char *err, size_t errlen)
{
	struct hosts h = { 0 }, x = { 0 };
	struct buf b = BUF_INIT;

	if (hosts_select(&h, &x, l->w, err, errlen) == 0 &&
	    (!l->x || hosts_add_list(&x, l->x, err, errlen) == 0))
		hosts_exclude(&h, &x);
	else
		hosts_free(&h);
	for (size_t k = 0; k < h.n; k++)
		buf_printf(&b, "%s%s", k ? " " : "", h.v[k].name);
	buf_adds(&b, "");
	hosts_free(&h);
	hosts_free(&x);
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return sorted(buf_detach(&b), " ");
}

static uint64_t rng = 0x853c49e6748fea9bu;

static unsigned pick(unsigned n)
{
	return seeded_pick(&rng, n);
}

#define GENERATED 200

static char *gen_list(void)
{
	static const char *const items[] = {
		"n[1-12]", "n[3-7]", "n1", "n11", "web[1-4]", "web[01-03]",
		"db[1-2]", "-n[3-5]", "-n7", "-web2", "-db[1-2]", "/n1/", "-/2$/",
		"/^w/", "/[13579]$/", "-/^db/", "/n(1|3)/", "-/1/", "/./",
	};
	static const char *const excluded[] = { "n[2-4]", "/1/", "web3,/^d/", "n1" };
	struct buf b = BUF_INIT;
	unsigned n = 2 + pick(4);

	for (unsigned k = 0; k < n; k++)
		buf_printf(&b, "%s%s", k ? "," : "",
			   items[pick(sizeof items / sizeof *items)]);
	if (pick(4) == 0)
		buf_printf(&b, " -x %s", excluded[pick(4)]);
	return buf_detach(&b);
}

Test(unit_pdshlist, select_as_pdsh, .timeout = 120)
{
	FILE *f = fopen("tests/data/hosts/pdsh.txt", "r");
	char *line = NULL, err[256];
	size_t cap = 0, ndata = 0, n = 0, agree = 0, dups = 0;
	ssize_t len;

	cr_assert_not_null(f);
	for (;;) {
		char *list;

		if (f && (len = getline(&line, &cap, f)) > 0) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#' || !line[0])
				continue;
			list = strdup(line);
			ndata++;
		} else if (n + dups - ndata < GENERATED) {
			if (f)
				fclose(f);
			f = NULL;
			list = gen_list();
		} else {
			break;
		}
		struct lists l;

		split(list, &l);
		char *theirs = pdsh_targets(&l), *mine = ringrun_targets(&l, err,
									 sizeof err);
		if (theirs && repeats(theirs)) {
			dups++;
			free(theirs);
			free(mine);
			free(list);
			continue;
		}
		n++;
		if (theirs && mine ? strcmp(theirs, mine) == 0 : theirs == mine)
			agree++;
		else
			cr_expect(false, "-w '%s': ringrun %s; pdsh %s", list,
				  mine ? mine : err, theirs ? theirs : "no host");
		free(theirs);
		free(mine);
		free(list);
	}
	free(line);
	fprintf(stderr, "oracle pdsh -Q: %zu/%zu (%zu data, %zu generated; %zu "
		"left out: pdsh lists a host twice)\n", agree, n, ndata, n - ndata,
		dups);
	cr_assert_eq(agree, n);
}
