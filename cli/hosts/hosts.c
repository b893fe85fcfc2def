/*
 * The host list of fleet mode: "[user@]host[:port]" specs from -w lists and
 * host files, ranges expanded, in order, each host once.
 */
#include "hosts/hosts.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringrun.h>

#include "hosts/hostfile.h"
#include "util/buf.h"
#include "util/fnv.h"
#include "util/xalloc.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * The library's parser (the one grammar of lib/ and cli/) in the words of
 * a host list: the byte it refuses is named.  Returns NULL or why not.
 */
static const char *parse_spec(const char *s, size_t len, struct rr_host_spec *p,
			      char *why, size_t whylen)
{
	const char *bad;

	if (rr_host_spec_parse(s, len, p, &bad) == 0)
		return NULL;
	if (strcmp(bad, "cannot be in a host name") != 0)
		return bad;
	snprintf(why, whylen, "'%c' %s", s[p->error_at], bad);
	return why;
}

static uint64_t hash_spec(const struct host_spec *s)
{
	uint64_t h = FNV_OFFSET;

	h = fnv_field(h, s->user ? s->user : "", s->user ? strlen(s->user) : 0);
	h = fnv_field(h, s->target, strlen(s->target));
	return h ^ s->port;
}

static bool same(const struct host_spec *a, const struct host_spec *b)
{
	return a->port == b->port && strcmp(a->target, b->target) == 0 &&
	       (a->user && b->user ? strcmp(a->user, b->user) == 0 :
				     a->user == b->user);
}

/* Is host idx of the list (ctx) the one key names? */
static bool match_spec(const void *ctx, size_t idx, const void *key)
{
	const struct hosts *h = ctx;

	return same(&h->v[idx], key);
}

/* The index of the host s names in h, or TABLE_NONE. */
static size_t find(const struct hosts *h, const struct host_spec *s)
{
	return table_find(&h->seen, h, hash_spec(s), s);
}

/* The index of the host s names in h, which is idx when it is new. */
static size_t intern(struct hosts *h, const struct host_spec *s, size_t idx)
{
	if (!h->seen.match) /* a list starts zeroed */
		table_init(&h->seen, match_spec);
	return table_intern(&h->seen, h, hash_spec(s), s, idx);
}

/* One block: name, user and target, each NUL-terminated. */
static struct host_spec make_spec(const char *s, size_t len,
				  const struct rr_host_spec *p)
{
	size_t size = len + 1 + p->user_len + 1 + p->host_len + 3;
	char *block = xmalloc(size), *c = block;
	struct host_spec spec = { .name = block, .port = p->port };

	memcpy(c, s, len);
	c += len;
	*c++ = '\0';
	if (p->user) {
		spec.user = c;
		memcpy(c, p->user, p->user_len);
		c += p->user_len;
		*c++ = '\0';
	}
	spec.target = c;
	if (p->brackets)
		*c++ = '[';
	memcpy(c, p->host, p->host_len);
	c += p->host_len;
	if (p->brackets)
		*c++ = ']';
	*c = '\0';
	return spec;
}

static bool listed(const struct hosts *x, const struct host_spec *s)
{
	return find(x, s) != TABLE_NONE;
}

/* Does a filter of x leave s out? */
static bool filtered(const struct hosts *x, const struct host_spec *s)
{
	for (size_t k = 0; k < x->nre; k++)
		if ((regexec(&x->re[k].re, s->target, 0, NULL, 0) == 0) !=
		    x->re[k].keep)
			return true;
	return false;
}

/* Does x leave s out: listed as it is, or by its host alone, or filtered? */
static bool excluded(const struct hosts *x, const struct host_spec *s)
{
	const struct host_spec any = { .target = s->target };

	return x && (listed(x, s) || listed(x, &any) || filtered(x, s));
}

/* Append spec to h unless h leaves it out or has it; false: the caller
   still owns it. */
static bool keep(struct hosts *h, struct host_spec spec)
{
	if (excluded(h->exclude, &spec)) {
		h->excluded++;
		return false;
	}
	if (intern(h, &spec, h->n) != h->n) /* listed already */
		return false;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n++] = spec;
	return true;
}

/* Parse s[0..len) and add it unless it is listed already or excluded. */
static const char *add(struct hosts *h, const char *s, size_t len, char *why,
		       size_t whylen)
{
	struct rr_host_spec p;
	const char *bad = parse_spec(s, len, &p, why, whylen);

	if (bad)
		return bad;
	struct host_spec spec = make_spec(s, len, &p);
	if (!keep(h, spec))
		free(spec.name);
	return NULL;
}

/* s[*start, *end) without the spaces around it. */
static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_space(s[*start]))
		++*start;
	while (*end > *start && is_space(s[*end - 1]))
		--*end;
}

struct expansion {
	struct hosts *h;
	const char *why;        /* why a name was refused */
	char buf[64];
};

static int add_name(const char *name, size_t len, void *user)
{
	struct expansion *x = user;

	x->why = add(x->h, name, len, x->buf, sizeof x->buf);
	return x->why ? 1 : 0;
}

#define ITEM_SHOWN 100 /* a longer item is shortened in messages */

/*
 * "'ITEM'" for a message, its middle left out past ITEM_SHOWN bytes, so
 * that the cause after it is never cut from the line.
 */
static const char *shown(const char *s, size_t len, char *buf, size_t size)
{
	if (len <= ITEM_SHOWN)
		snprintf(buf, size, "'%.*s'", (int)len, s);
	else
		snprintf(buf, size, "'%.*s...%.*s'", ITEM_SHOWN - 20, s, 20,
			 s + len - 20);
	return buf;
}

/* One item, its ranges expanded. */
static int add_item(struct hosts *h, const char *s, size_t len, char *err,
		    size_t errlen)
{
	struct expansion x = { .h = h };
	struct hostrange_error e;
	int r = hostrange_expand(s, len, &h->budget, add_name, &x, &e);
	char item[ITEM_SHOWN + 8];

	if (r < 0 && e.column)
		snprintf(err, errlen, "%s: column %zu: %s",
			 shown(s, len, item, sizeof item), e.column, e.why);
	else if (r < 0)
		snprintf(err, errlen, "%s: %s", shown(s, len, item, sizeof item), e.why);
	else if (r > 0)
		snprintf(err, errlen, "%s: %s", shown(s, len, item, sizeof item), x.why);
	return r ? -1 : 0;
}

/* ^FILE: its hosts, as --hostfile's. */
static int add_file(struct hosts *h, const char *path, char *err, size_t errlen)
{
	if (!*path) {
		snprintf(err, errlen, "'^': no file name after '^'");
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		snprintf(err, errlen, "'^-': stdin is read by -w - or --hostfile -");
		return -1;
	}
	return hostfile_read_all(h, path, err, errlen);
}

/* An item that names a file: "^FILE" */
static int add_caret(struct hosts *h, const char *s, size_t len, char *err,
		     size_t errlen)
{
	char *path = xmalloc(len);
	int r;

	memcpy(path, s + 1, len - 1);
	path[len - 1] = '\0';
	r = add_file(h, path, err, errlen);
	free(path);
	return r;
}

/* What a list may hold besides hosts and @groups. */
enum list_kind {
	LIST_GROUP,   /* a group's members: hosts only */
	LIST_LINE,    /* a host file's line: hosts only */
	LIST_FILES,   /* -x: and ^FILE, /RE/ */
	LIST_SELECT,  /* -w: and pdsh's exclusions, -ITEM and -^FILE, -/RE/ */
};

/* Groups inside groups deeper than this are refused: the stack is small. */
#define GROUP_DEPTH 64

static int add_items(struct hosts *h, struct hosts *x, enum list_kind kind,
		     const char *s, size_t len, size_t *items, char *err,
		     size_t errlen);

/* "@a:x -> @a:y -> @a:x": the chain from grp, which is on it, to grp. */
static void cycle(const struct hostgroups *g, const struct hostgroup *grp,
		  char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	size_t k = 0;
	char name[256];

	while (g->chain[k] != grp)
		k++;
	buf_adds(&b, "a cycle of groups: ");
	for (; k < g->depth; k++)
		buf_printf(&b, "%s -> ", hostgroups_shown(g->chain[k], name, sizeof name));
	buf_adds(&b, hostgroups_shown(grp, name, sizeof name));
	snprintf(err, errlen, "%s", b.data);
	buf_free(&b);
}

/* grp's members into h; an error says in which group and file. */
static int add_group(struct hosts *h, struct hostgroup *grp, char *err,
		     size_t errlen)
{
	struct hostgroups *g = h->groups;
	char *why = xmalloc(errlen), name[256];
	int r = 0;

	if (grp->resolving)
		cycle(g, grp, err, errlen);
	else if (g->depth == GROUP_DEPTH)
		snprintf(err, errlen, "groups nested deeper than %d", GROUP_DEPTH);
	if (grp->resolving || g->depth == GROUP_DEPTH) {
		g->said = true;
		free(why);
		return -1;
	}
	grp->resolving = true;
	g->chain[g->depth++] = grp;
	for (size_t k = 0, items = 0; !r && k < grp->nlists; k++) {
		r = add_items(h, NULL, LIST_GROUP, grp->lists[k],
			      strlen(grp->lists[k]), &items, why, errlen);
		if (r < 0 && g->said)
			snprintf(err, errlen, "%s", why);
		else if (r < 0)
			snprintf(err, errlen, "%s in %s: %s",
				 hostgroups_shown(grp, name, sizeof name),
				 grp->file, why);
		g->said |= r < 0;
	}
	g->depth--;
	grp->resolving = false;
	free(why);
	return r;
}

/* "@SRC:*" or "@*": the source's group all, else every group of it. */
static int add_all(struct hosts *h, const char *source, char *err,
		   size_t errlen)
{
	struct hostgroups *g = h->groups;
	struct hostgroup *all = hostgroups_find(g, source, "all", 3, err, errlen);

	if (all)
		return add_group(h, all, err, errlen);
	for (size_t k = 0; k < g->n; k++)
		if (g->v[k].source == source && add_group(h, &g->v[k], err, errlen) < 0)
			return -1;
	return 0;
}

struct group_names {
	struct hosts *h;
	const char *source;
	char *err;
	size_t errlen;
};

/* Each group a "@g[1-3]" names. */
static int add_group_name(const char *name, size_t len, void *user)
{
	struct group_names *n = user;
	struct hostgroup *grp = hostgroups_find(n->h->groups, n->source, name,
						len, n->err, n->errlen);

	return !grp || add_group(n->h, grp, n->err, n->errlen) < 0;
}

/* The source of "@[SRC:]..." s[0..len): SRC, else the group's being
   resolved (ClusterShell's), else the default one; *at: after it. */
static const char *group_source(struct hostgroups *g, const char *s,
				size_t len, size_t *at, char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);

	*at = colon ? (size_t)(colon - s) + 1 : 1;
	if (colon)
		return hostgroups_source(g, s + 1, (size_t)(colon - s) - 1, err,
					 errlen);
	if (g->depth)
		return g->chain[g->depth - 1]->source;
	return hostgroups_source(g, NULL, 0, err, errlen);
}

/* "@group", "@src:group", "@g[1-3]", "@*": the groups' hosts. */
static int add_groups(struct hosts *h, const char *s, size_t len, char *err,
		      size_t errlen)
{
	char *why = xmalloc(errlen), item[ITEM_SHOWN + 8];
	struct group_names n = { .h = h, .err = why, .errlen = errlen };
	struct hostrange_error e;
	size_t at;
	int r = -1;

	if (h->groups && !h->groups->depth)
		h->groups->said = false;
	if (!h->groups)
		snprintf(why, errlen, "no node groups here");
	else if (hostgroups_load(h->groups, why, errlen) < 0)
		;
	else if (!(n.source = group_source(h->groups, s, len, &at, why, errlen)))
		;
	else if (at == len)
		snprintf(why, errlen, "no group name");
	else if (len - at == 1 && s[at] == '*')
		r = add_all(h, n.source, why, errlen);
	else if ((r = hostrange_expand(s + at, len - at, &h->budget,
				       add_group_name, &n, &e)) < 0)
		snprintf(why, errlen, "%s", e.why);
	if (r && h->groups && h->groups->depth) /* add_group() says where */
		snprintf(err, errlen, "%s", why);
	else if (r)
		snprintf(err, errlen, "%s: %s", shown(s, len, item, sizeof item), why);
	free(why);
	return r ? -1 : 0;
}

/* "/RE/" or "/RE": pdsh's filter into x, kept if keep, else left out. */
static int add_regex(struct hosts *x, const char *s, size_t len, bool keep,
		     char *err, size_t errlen)
{
	size_t end = len > 1 && s[len - 1] == '/' ? len - 1 : len;
	char *pattern = xstrndup(s + 1, end - 1), item[ITEM_SHOWN + 8];
	struct host_regex *re;
	int rc;

	shown(s, len, item, sizeof item);
	if (end == 1) {
		free(pattern);
		snprintf(err, errlen, "%s: an empty regular expression", item);
		return -1;
	}
	x->re = xreallocarray(x->re, x->nre + 1, sizeof *x->re);
	re = &x->re[x->nre];
	rc = regcomp(&re->re, pattern, REG_EXTENDED | REG_NOSUB);
	free(pattern);
	if (rc) {
		char why[128];

		regerror(rc, &re->re, why, sizeof why);
		snprintf(err, errlen, "%s: %s", item, why);
		return -1;
	}
	re->keep = keep;
	x->nre++;
	return 0;
}

/* One item of a list, s[0..len) without spaces around it. */
static int add_one(struct hosts *h, struct hosts *x, enum list_kind kind,
		   const char *s, size_t len, char *err, size_t errlen)
{
	char item[ITEM_SHOWN + 8];

	if (kind == LIST_SELECT && s[0] == '-') {
		if (len == 1) {
			snprintf(err, errlen, "'-': no host after '-'");
			return -1;
		}
		return add_one(x, NULL, LIST_FILES, s + 1, len - 1, err, errlen);
	}
	if (s[0] == '@')
		return add_groups(h, s, len, err, errlen);
	if (s[0] == '/' && kind >= LIST_FILES)
		return add_regex(kind == LIST_SELECT ? x : h, s, len,
				 kind == LIST_SELECT, err, errlen);
	if (s[0] != '^')
		return add_item(h, s, len, err, errlen);
	if (kind >= LIST_FILES)
		return add_caret(h, s, len, err, errlen);
	snprintf(err, errlen, "%s: %s", shown(s, len, item, sizeof item),
		 kind == LIST_LINE ? "a host file cannot name another (#include FILE can)" :
		 "a group cannot name a file");
	return -1;
}

/* The seen table anew, for v as it is now. */
static void rebuild_seen(struct hosts *h)
{
	table_free(&h->seen);
	for (size_t k = 0; k < h->n; k++)
		intern(h, &h->v[k], k);
}

/* Keep the hosts of h that t lists (in) or does not list (!in), in order. */
static void filter(struct hosts *h, const struct hosts *t, bool in)
{
	size_t kept = 0;

	for (size_t k = 0; k < h->n; k++) {
		if (listed(t, &h->v[k]) == in)
			h->v[kept++] = h->v[k];
		else
			free(h->v[k].name);
	}
	h->n = kept;
	rebuild_seen(h);
}

/* h ^ t: h's hosts t does not list, then t's that h did not; t is emptied. */
static void symmetric_difference(struct hosts *h, struct hosts *t)
{
	bool *both = xcalloc(t->n + 1, sizeof *both);

	for (size_t k = 0; k < t->n; k++)
		both[k] = listed(h, &t->v[k]);
	filter(h, t, false);
	for (size_t k = 0; k < t->n; k++)
		if (both[k] || !keep(h, t->v[k]))
			free(t->v[k].name);
	t->n = 0;
	free(both);
}

/* h = h op t, ClusterShell's operators: '!' difference, '&' intersection,
   '^' symmetric difference; a host is its spec as written. */
static void combine(struct hosts *h, struct hosts *t, char op)
{
	assert(op == '!' || op == '&' || op == '^');
	if (op == '^')
		symmetric_difference(h, t);
	else
		filter(h, t, op == '&');
}

static bool is_set_operator(char c)
{
	return c == '!' || c == '&' || c == '^';
}

/*
 * The length of the operand at the start of s[0..len): up to the first ','
 * or set operator outside brackets.  A '^' that begins it ("^FILE",
 * "-^FILE", spaces before) names a file, it is no operator; a regular
 * expression ("/RE/", "-/RE/") goes up to a ',' (as pdsh splits them).
 */
static size_t operand_len(const char *s, size_t len)
{
	size_t k = 0;
	bool in = false;

	while (k < len && is_space(s[k]))
		k++;
	k += k < len && s[k] == '-';
	bool regex = k < len && s[k] == '/';
	k += k < len && s[k] == '^';
	for (; k < len; k++) {
		if (s[k] == '[')
			in = true;
		else if (s[k] == ']')
			in = false;
		else if (!in && (s[k] == ',' || (!regex && is_set_operator(s[k]))))
			return k;
	}
	return len;
}

static bool has_set_operator(const char *s, size_t len)
{
	for (size_t at = operand_len(s, len); at < len;
	     at += 1 + operand_len(s + at + 1, len - at - 1))
		if (is_set_operator(s[at]))
			return true;
	return false;
}

/* An empty operand between op (at s[before]) and next (at s[after]). */
static int empty_operand(const char *s, size_t len, size_t before, char op,
			 size_t after, char next, char *err, size_t errlen)
{
	char list[ITEM_SHOWN + 8];

	if (op == ',' && !is_set_operator(next))
		return 0;
	if (op == ',')
		snprintf(err, errlen, "%s: column %zu: no hosts before '%c'",
			 shown(s, len, list, sizeof list), after + 1, next);
	else
		snprintf(err, errlen, "%s: column %zu: no hosts after '%c'",
			 shown(s, len, list, sizeof list), before + 1, op);
	return -1;
}

/* The operand s[start..end) under op into h, whose hosts are so far. */
static int add_operand(struct hosts *h, struct hosts *x, enum list_kind kind,
		       char op, const char *s, size_t start, size_t end,
		       char next, char *err, size_t errlen)
{
	struct hosts t = { .budget = h->budget, .groups = h->groups };
	bool regex = s[start] == '/' && kind >= LIST_FILES;
	int r;

	if (op == ',' && !(kind == LIST_SELECT && s[start] == '-' &&
			   is_set_operator(next)))
		return add_one(h, x, kind, s + start, end - start, err, errlen);
	if (op == ',') {
		snprintf(err, errlen, "'%.*s%c': pdsh's -HOST takes no set operator",
			 (int)(end - start), s + start, next);
		return -1;
	}
	if (regex) {
		snprintf(err, errlen, "'%c%.*s': pdsh's /RE/ takes no set operator",
			 op, (int)(end - start), s + start);
		return -1;
	}
	/* '-' here is a host's first letter, an error as anywhere else. */
	r = add_one(&t, NULL, kind < LIST_FILES ? kind : LIST_FILES, s + start,
		    end - start, err, errlen);
	if (!r) {
		h->budget = t.budget;
		combine(h, &t, op);
	}
	hosts_free(&t);
	return r;
}

/* The operands of s[0..len), left to right, counted in *items. */
static int add_operands(struct hosts *h, struct hosts *x, enum list_kind kind,
			const char *s, size_t len, size_t *items, char *err,
			size_t errlen)
{
	char op = ',';

	for (size_t at = 0, before = 0; at <= len; before = at - 1) {
		size_t start = at, end = at + operand_len(s + at, len - at);
		char next = end < len ? s[end] : '\0';
		int r;

		at = end + 1;
		trim(s, &start, &end);
		if (start == end)
			r = empty_operand(s, len, before, op, at - 1, next, err, errlen);
		else
			r = add_operand(h, x, kind, op, s, start, end, next, err, errlen);
		if (r < 0)
			return -1;
		*items += start < end;
		op = next;
	}
	return 0;
}

/*
 * The items of s[0..len), counted in *items.  With a set operator the list
 * is one expression, worked out apart and then added: "a,b!c" is (a,b)!c;
 * one that comes to nothing is a mistake, as an empty list is (but in a
 * group, which may be empty).
 */
static int add_items(struct hosts *h, struct hosts *x, enum list_kind kind,
		     const char *s, size_t len, size_t *items, char *err,
		     size_t errlen)
{
	if (!has_set_operator(s, len))
		return add_operands(h, x, kind, s, len, items, err, errlen);
	struct hosts set = { .budget = h->budget, .groups = h->groups };
	int r = add_operands(&set, x, kind, s, len, items, err, errlen);
	char list[ITEM_SHOWN + 8];

	if (!r && !set.n && kind != LIST_GROUP) { /* a group may be empty */
		snprintf(err, errlen, "%s: the set operations leave no host",
			 shown(s, len, list, sizeof list));
		r = -1;
	}
	h->budget = set.budget;
	for (size_t k = 0; !r && k < set.n; k++)
		if (keep(h, set.v[k]))
			set.v[k].name = NULL;
	if (set.nre) { /* -x's filters, beside the expression */
		h->re = xreallocarray(h->re, h->nre + set.nre, sizeof *h->re);
		memcpy(h->re + h->nre, set.re, set.nre * sizeof *set.re);
		h->nre += set.nre;
		set.nre = 0;
	}
	hosts_free(&set);
	return r;
}

/* pssh's -H "a b": its blanks part items as commas do. */
static char *pssh_words(const char *list)
{
	char *s = xstrdup(list);

	for (char *c = s; *c; c++)
		if (is_space(*c))
			*c = ',';
	return s;
}

static int add_list(struct hosts *h, struct hosts *x, enum list_kind kind,
		    const char *list, char *err, size_t errlen)
{
	size_t items = 0;
	char *words = h->pssh ? pssh_words(list) : NULL;
	int r = add_items(h, x, kind, words ? words : list, strlen(list),
			  &items, err, errlen);

	free(words);
	if (r < 0)
		return -1;
	if (!items) {
		snprintf(err, errlen, "'%s': no host in it", list);
		return -1;
	}
	return 0;
}

int hosts_add_list(struct hosts *h, const char *list, char *err, size_t errlen)
{
	return add_list(h, NULL, LIST_FILES, list, err, errlen);
}

int hosts_select(struct hosts *h, struct hosts *x, const char *list,
		 char *err, size_t errlen)
{
	return add_list(h, x, LIST_SELECT, list, err, errlen);
}

/* The word of s[*at..len) in [*start, *at). */
static bool next_word(const char *s, size_t len, size_t *at, size_t *start)
{
	while (*at < len && is_space(s[*at]))
		(*at)++;
	*start = *at;
	while (*at < len && !is_space(s[*at]))
		(*at)++;
	return *start < *at;
}

/* pssh's line "[user@]host[:port] [user]" as "user@host[:port]". */
static int pssh_line(struct hosts *h, const char *s, size_t len, char *err,
		     size_t errlen)
{
	size_t at = 0, host, host_end, user, items = 0;
	struct buf b = BUF_INIT;
	bool third;
	int r;

	if (!next_word(s, len, &at, &host))
		return 0;
	host_end = at;
	if (!next_word(s, len, &at, &user))
		return add_items(h, NULL, LIST_LINE, s + host, host_end - host,
				 &items, err, errlen);
	third = next_word(s, len, &at, &(size_t){ 0 });
	if (third || memchr(s + host, '@', host_end - host)) {
		snprintf(err, errlen, "'%.*s': %s", (int)(at - host), s + host,
			 third ? "not pssh's \"[user@]host[:port] [user]\"" :
			 "the user given twice");
		return -1;
	}
	buf_printf(&b, "%.*s@%.*s", (int)(at - user), s + user,
		 (int)(host_end - host), s + host);
	r = add_items(h, NULL, LIST_LINE, b.data, b.len, &items, err, errlen);
	buf_free(&b);
	return r;
}

int hosts_add_line(struct hosts *h, const char *s, size_t len, char *err,
		   size_t errlen)
{
	size_t items = 0;

	if (h->pssh)
		return pssh_line(h, s, len, err, errlen);
	return add_items(h, NULL, LIST_LINE, s, len, &items, err, errlen);
}

size_t hosts_exclude(struct hosts *h, const struct hosts *x)
{
	size_t kept = 0, dropped;

	for (size_t k = 0; k < h->n; k++) {
		const struct host_spec *s = &h->v[k];

		if (excluded(x, s))
			free(s->name);
		else
			h->v[kept++] = *s;
	}
	dropped = h->n - kept;
	h->n = kept;
	h->excluded += dropped;
	if (dropped)
		rebuild_seen(h);
	return dropped;
}

void hosts_free(struct hosts *h)
{
	for (size_t k = 0; k < h->n; k++)
		free(h->v[k].name);
	for (size_t k = 0; k < h->nre; k++)
		regfree(&h->re[k].re);
	free(h->re);
	free(h->v);
	table_free(&h->seen);
	*h = (struct hosts){ 0 };
}
