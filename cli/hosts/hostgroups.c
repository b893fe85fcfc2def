/*
 * Node groups from ClusterShell's files, read as clush reads them but for
 * upcalls: sources of groups, each group a list of host lists.
 */
#include "hosts/hostgroups.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* The source of a plain "NAME: LIST" file: ClusterShell's local.cfg. */
#define PLAIN_SOURCE "local"

void hostgroups_add_file(struct hostgroups *g, const char *path)
{
	g->files = xreallocarray(g->files, g->nfiles + 1, sizeof *g->files);
	g->files[g->nfiles++] = path;
}

/* One file's reading: where, and what its errors say. */
struct reading {
	struct hostgroups *g;
	const char *path;   /* as kept in g->read */
	size_t line;
	char *err;
	size_t errlen;
};

static int fail(struct reading *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct reading *r, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (r->line)
		snprintf(r->err, r->errlen, "%s: line %zu: %s", r->path, r->line, why);
	else
		snprintf(r->err, r->errlen, "%s: %s", r->path, why);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static bool is_operator(char c)
{
	return c == ',' || c == '!' || c == '&' || c == '^';
}

/* s's whitespace as ClusterShell reads it: a separator between two
   operands (','), nothing next to an operator or at either end. */
static char *normalize(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < len;) {
		if (!is_space(s[k])) {
			buf_addc(&b, s[k++]);
			continue;
		}
		while (k < len && is_space(s[k]))
			k++;
		if (b.len && k < len && !is_operator(b.data[b.len - 1]) &&
		    !is_operator(s[k]))
			buf_addc(&b, ',');
	}
	return buf_detach(&b);
}

static const char *find_source(const struct hostgroups *g, const char *s,
			       size_t len, size_t *at)
{
	for (size_t k = 0; k < g->nsources; k++) {
		if (strncmp(g->sources[k], s, len) == 0 && !g->sources[k][len]) {
			if (at)
				*at = k;
			return g->sources[k];
		}
	}
	return NULL;
}

/* The source s[0..len), made if new; one of files (!upcall) wins. */
static const char *intern_source(struct hostgroups *g, const char *s,
				 size_t len, bool upcall)
{
	size_t at;
	const char *known = find_source(g, s, len, &at);

	if (known) {
		g->upcall[at] &= upcall;
		return known;
	}
	g->sources = xreallocarray(g->sources, g->nsources + 1, sizeof *g->sources);
	g->upcall = xreallocarray(g->upcall, g->nsources + 1, sizeof *g->upcall);
	g->sources[g->nsources] = xstrndup(s, len);
	g->upcall[g->nsources] = upcall;
	return g->sources[g->nsources++];
}

static struct hostgroup *lookup(struct hostgroups *g, const char *source,
				const char *name, size_t len)
{
	for (size_t k = 0; k < g->n; k++)
		if (g->v[k].source == source && strncmp(g->v[k].name, name, len) == 0 &&
		    !g->v[k].name[len])
			return &g->v[k];
	return NULL;
}

/* Group name[0..len) of source; one defined again adds to its members. */
static struct hostgroup *intern_group(struct reading *r, const char *source,
				      const char *name, size_t len)
{
	struct hostgroups *g = r->g;
	struct hostgroup *grp = lookup(g, source, name, len);

	if (grp)
		return grp;
	g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
	grp = &g->v[g->n++];
	*grp = (struct hostgroup){ .source = source, .name = xstrndup(name, len),
				   .file = r->path };
	return grp;
}

static void add_member(struct hostgroup *grp, const char *s, size_t len)
{
	grp->lists = xreallocarray(grp->lists, grp->nlists + 1, sizeof *grp->lists);
	grp->lists[grp->nlists++] = normalize(s, len);
}

/* The file kept for messages; r->path points to it. */
static FILE *open_file(struct reading *r, const char *path)
{
	struct hostgroups *g = r->g;
	FILE *f = fopen(path, "r");

	g->read = xreallocarray(g->read, g->nread + 1, sizeof *g->read);
	g->read[g->nread] = xstrdup(path);
	r->path = g->read[g->nread++];
	r->line = 0;
	if (!f)
		fail(r, "%s", strerror(errno));
	return f;
}

/* ------------------------------------------------------------ YAML */

/* The part of YAML that group files use: sources, groups, block lists. */
struct yaml {
	struct reading *r;
	const char *source;       /* the source being read */
	struct hostgroup *grp;    /* its group being read */
	size_t group_indent;      /* its groups' indentation; 0: none yet */
	bool items;               /* grp had no value: "- LIST" lines follow */
};

/* A quoted scalar at s[*at] into out; *at moves past it. */
static int quoted(struct reading *r, const char *s, size_t *at, struct buf *out)
{
	char q = s[(*at)++];

	for (;; (*at)++) {
		char c = s[*at];

		if (!c)
			return fail(r, "unclosed %c", q);
		if (c == q && q == '\'' && s[*at + 1] == '\'') {
			buf_addc(out, '\'');
			(*at)++;
		} else if (c == q) {
			(*at)++;
			return 0;
		} else if (c == '\\' && q == '"') {
			if (!s[*at + 1] || !strchr("\\\"/", s[*at + 1]))
				return fail(r, "an escape other than \\\\ \\\" \\/");
			buf_addc(out, s[++*at]);
		} else {
			buf_addc(out, c);
		}
	}
}

/* Only a comment (or nothing) may follow. */
static int rest_empty(struct reading *r, const char *s)
{
	while (*s == ' ')
		s++;
	if (*s && *s != '#')
		return fail(r, "'%s': unexpected after the value", s);
	return 0;
}

/* The value at s: quoted, or plain up to a " #" comment. */
static int scalar(struct reading *r, const char *s, struct buf *out)
{
	size_t at = 0, end;

	while (s[at] == ' ')
		at++;
	if (s[at] == '\'' || s[at] == '"')
		return quoted(r, s, &at, out) < 0 ? -1 : rest_empty(r, s + at);
	if (s[at] && strchr("[{&*|>", s[at]))
		return fail(r, "'%s': YAML's '%c' is not read here: quote the list",
			    s + at, s[at]);
	for (end = at; s[end] && !(s[end] == '#' && s[end - 1] == ' '); end++)
		;
	while (end > at && s[end - 1] == ' ')
		end--;
	buf_add(out, s + at, end - at);
	return 0;
}

/* "KEY:" then its value, at s; *value points after the ':'. */
static int key(struct reading *r, const char *s, struct buf *out,
	       const char **value)
{
	size_t at = 0;

	if (s[0] == '\'' || s[0] == '"') {
		if (quoted(r, s, &at, out) < 0)
			return -1;
		while (s[at] == ' ')
			at++;
		if (s[at] != ':')
			return fail(r, "expected ':' after the key");
		*value = s + at + 1;
		return 0;
	}
	for (; s[at]; at++) {
		if (s[at] == ':' && (!s[at + 1] || s[at + 1] == ' ')) {
			size_t end = at;

			while (end && s[end - 1] == ' ')
				end--;
			buf_add(out, s, end);
			*value = s + at + 1;
			return 0;
		}
	}
	return fail(r, "'%s': expected KEY: VALUE", s);
}

static int yaml_item(struct yaml *y, const char *s, size_t indent)
{
	struct buf v = BUF_INIT;
	int e;

	if (!y->grp || !y->items || indent < y->group_indent)
		return fail(y->r, "a list item outside a group");
	e = scalar(y->r, s + 1, &v);
	if (!e)
		add_member(y->grp, v.data ? v.data : "", v.len);
	buf_free(&v);
	return e;
}

static int yaml_group(struct yaml *y, const char *name, size_t len,
		      const char *value, size_t indent)
{
	struct buf v = BUF_INIT;
	int e;

	if (!y->source)
		return fail(y->r, "a group before any source");
	if (!len)
		return fail(y->r, "an empty group name");
	if (!y->group_indent)
		y->group_indent = indent;
	if (indent != y->group_indent)
		return fail(y->r, "'%.*s': indented unlike the groups before it "
			    "(nested mappings are not read)", (int)len, name);
	y->grp = intern_group(y->r, y->source, name, len);
	e = scalar(y->r, value, &v);
	y->items = !e && !v.len;
	if (!e && v.len)
		add_member(y->grp, v.data, v.len);
	buf_free(&v);
	return e;
}

static int yaml_line(struct yaml *y, const char *line)
{
	size_t indent = 0;
	const char *value = "";
	struct buf k = BUF_INIT;
	int e;

	while (line[indent] == ' ')
		indent++;
	const char *s = line + indent;
	if (*s == '\t')
		return fail(y->r, "a tab in the indentation");
	if (!*s || *s == '#' || (!indent && (strncmp(s, "---", 3) == 0 ||
					     strncmp(s, "...", 3) == 0)))
		return 0;
	if (s[0] == '-' && (!s[1] || s[1] == ' '))
		return yaml_item(y, s, indent);
	if (key(y->r, s, &k, &value) < 0) {
		buf_free(&k);
		return -1;
	}
	if (indent) {
		e = yaml_group(y, k.data ? k.data : "", k.len, value, indent);
	} else if ((e = rest_empty(y->r, value)) < 0 || !k.len) {
		e = e < 0 ? e : fail(y->r, "an empty source name");
	} else {
		y->source = intern_source(y->r->g, k.data, k.len, false);
		y->grp = NULL;
		y->group_indent = 0;
	}
	buf_free(&k);
	return e;
}

/* Each line of f (CR LF too) to fn, numbered, until one is refused. */
static int each_line(struct reading *r, FILE *f,
		     int (*fn)(struct reading *, void *, char *), void *ctx)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int e = 0;

	while (!e && (len = getline(&line, &cap, f)) >= 0) {
		r->line++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (memchr(line, '\0', (size_t)len))
			e = fail(r, "a NUL byte");
		else
			e = fn(r, ctx, line);
	}
	if (!e && ferror(f))
		e = fail(r, "%s", strerror(errno));
	free(line);
	return e;
}

static int yaml_fn(struct reading *r, void *ctx, char *line)
{
	(void)r;
	return yaml_line(ctx, line);
}

static int read_yaml(struct reading *r, const char *path)
{
	struct yaml y = { .r = r };
	FILE *f = open_file(r, path);
	int e;

	if (!f)
		return -1;
	e = each_line(r, f, yaml_fn, &y);
	fclose(f);
	return e;
}

/* ----------------------------------------------------------- plain */

static int plain_fn(struct reading *r, void *ctx, char *line)
{
	const char *source = ctx, *colon = strchr(line, ':');
	size_t start = 0, end;

	while (is_space(line[start]))
		start++;
	if (!line[start] || line[start] == '#')
		return 0;
	if (!colon)
		return fail(r, "'%s': expected NAME: LIST", line);
	end = (size_t)(colon - line);
	while (end > start && is_space(line[end - 1]))
		end--;
	if (end == start)
		return fail(r, "'%s': no group name before ':'", line);
	for (size_t k = start; k < end; k++)
		if (is_space(line[k]))
			return fail(r, "'%.*s': a space in a group name",
				    (int)(end - start), line + start);
	add_member(intern_group(r, source, line + start, end - start),
		   colon + 1, strlen(colon + 1));
	return 0;
}

static int read_plain(struct reading *r, const char *path)
{
	const char *source = intern_source(r->g, PLAIN_SOURCE,
					   strlen(PLAIN_SOURCE), false);
	FILE *f = open_file(r, path);
	int e;

	if (!f)
		return -1;
	e = each_line(r, f, plain_fn, (void *)source);
	fclose(f);
	return e;
}

/* ----------------------------------------------------- groups.conf */

/* What groups.conf says that ringrun uses. */
struct conf {
	bool in_main;      /* in [Main] */
	char *default_source;
	char *autodir;
	char **sections;   /* the others: sources */
	size_t nsections;
};

static void conf_set(char **slot, const char *s)
{
	free(*slot);
	*slot = xstrdup(s);
}

static int conf_fn(struct reading *r, void *ctx, char *line)
{
	struct conf *c = ctx;
	size_t len = strlen(line);
	char *sep;

	while (len && is_space(line[len - 1]))
		line[--len] = '\0';
	if (!len || line[0] == '#' || line[0] == ';')
		return 0;
	if (is_space(line[0]))
		return 0; /* a continuation: no value ringrun reads spans lines */
	if (line[0] == '[') {
		if (line[len - 1] != ']')
			return fail(r, "'%s': expected [SECTION]", line);
		line[len - 1] = '\0';
		c->in_main = strcmp(line + 1, "Main") == 0;
		if (!c->in_main) {
			c->sections = xreallocarray(c->sections, c->nsections + 1,
						    sizeof *c->sections);
			c->sections[c->nsections++] = xstrdup(line + 1);
		}
		return 0;
	}
	sep = line + strcspn(line, ":=");
	if (!*sep)
		return fail(r, "'%s': expected KEY: VALUE", line);
	char *k = line, *v = sep + 1;

	*sep = '\0';
	while (*v && is_space(*v))
		v++;
	for (char *e = sep; e > k && is_space(e[-1]);)
		*--e = '\0';
	if (c->in_main && strcasecmp(k, "default") == 0)
		conf_set(&c->default_source, v);
	else if (c->in_main && strcasecmp(k, "autodir") == 0)
		conf_set(&c->autodir, v);
	return 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir's *.yaml files, in name order, as ClusterShell loads them. */
static int read_autodir(struct reading *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : fail(r, "autodir %s: %s", dir,
						  strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_string);
	for (size_t k = 0; k < n; k++) {
		char *path = xasprintf("%s/%s", dir, names[k]);
		struct reading sub = { .g = r->g, .err = r->err, .errlen = r->errlen };

		if (!err && access(path, R_OK) == 0) /* unreadable: skipped */
			err = read_yaml(&sub, path);
		free(path);
		free(names[k]);
	}
	free(names);
	return err;
}

/* word with $CFGDIR (or ${CFGDIR}) replaced by cfgdir. */
static char *substitute(const char *word, size_t len, const char *cfgdir)
{
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < len;) {
		if (len - k >= 7 && strncmp(word + k, "$CFGDIR", 7) == 0) {
			buf_adds(&b, cfgdir);
			k += 7;
		} else if (len - k >= 9 && strncmp(word + k, "${CFGDIR}", 9) == 0) {
			buf_adds(&b, cfgdir);
			k += 9;
		} else if (word[k] != '"' && word[k] != '\'') {
			buf_addc(&b, word[k++]);
		} else {
			k++; /* shlex's quotes: only around a whole path here */
		}
	}
	while (b.len > 1 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return buf_detach(&b);
}

/* Each directory of autodir once, in order. */
static int read_autodirs(struct reading *r, const char *autodir,
			 const char *cfgdir)
{
	char **seen = NULL;
	size_t n = 0;
	int err = 0;

	for (const char *s = autodir; !err && *s;) {
		size_t len = strcspn(s, " \t");

		if (len) {
			char *dir = substitute(s, len, cfgdir);
			bool again = false;

			for (size_t k = 0; k < n; k++)
				again |= strcmp(seen[k], dir) == 0;
			err = again ? 0 : read_autodir(r, dir);
			seen = xreallocarray(seen, n + 1, sizeof *seen);
			seen[n++] = dir;
		}
		s += len + (s[len] != '\0');
	}
	for (size_t k = 0; k < n; k++)
		free(seen[k]);
	free(seen);
	return err;
}

/* ClusterShell's shipped [local] source: a sed over $CFGDIR/groups, else
   $CFGDIR/groups.d/local.cfg; read here as the plain file it is. */
static int read_local(struct reading *r, const char *cfgdir)
{
	char *path = xasprintf("%s/groups", cfgdir);
	int err = 0;

	if (access(path, F_OK) != 0) {
		free(path);
		path = xasprintf("%s/groups.d/local.cfg", cfgdir);
	}
	if (access(path, F_OK) == 0)
		err = read_plain(r, path);
	free(path);
	return err;
}

/* The sections after the YAML files; those that are commands only are
   known as sources, to say so if one is named. */
static int conf_sections(struct reading *r, struct conf *c, const char *cfgdir)
{
	for (size_t k = 0; k < c->nsections; k++) {
		for (char *s = c->sections[k]; *s;) {
			size_t len = strcspn(s, ",");

			if (len == strlen(PLAIN_SOURCE) &&
			    strncmp(s, PLAIN_SOURCE, len) == 0) {
				if (read_local(r, cfgdir) < 0)
					return -1;
			} else if (len) {
				intern_source(r->g, s, len, true);
			}
			s += len + (s[len] == ',');
		}
	}
	return 0;
}

static void conf_free(struct conf *c)
{
	for (size_t k = 0; k < c->nsections; k++)
		free(c->sections[k]);
	free(c->sections);
	free(c->default_source);
	free(c->autodir);
}

static int read_conf(struct reading *r, const char *path)
{
	struct conf c = { 0 };
	FILE *f = open_file(r, path);
	const char *slash = strrchr(path, '/');
	char *cfgdir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) :
			       xstrdup(".");
	const char *conf_path = r->path;
	int e = f ? each_line(r, f, conf_fn, &c) : -1;

	if (f)
		fclose(f);
	r->line = 0;
	if (!e && c.autodir)
		e = read_autodirs(r, c.autodir, cfgdir);
	if (!e)
		e = conf_sections(r, &c, cfgdir);
	if (!e && c.default_source && *c.default_source) {
		const char *d = find_source(r->g, c.default_source,
					    strlen(c.default_source), NULL);

		r->path = conf_path;
		if (!d)
			e = fail(r, "[Main] default: no source '%s'", c.default_source);
		else if (!r->g->default_source)
			r->g->default_source = d;
	}
	conf_free(&c);
	free(cfgdir);
	return e;
}

/* ------------------------------------------------------------ load */

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

static int read_any(struct reading *r, const char *path)
{
	if (ends_with(path, ".conf"))
		return read_conf(r, path);
	if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
		return read_yaml(r, path);
	return read_plain(r, path);
}

/* ClusterShell's directories, highest priority first (NULL: unset). */
static void config_dirs(char *dirs[4])
{
	const char *cfg = getenv("CLUSTERSHELL_CFGDIR");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	dirs[0] = cfg && *cfg ? xstrdup(cfg) : NULL;
	dirs[1] = xdg && *xdg ? xasprintf("%s/clustershell", xdg) :
		  home && *home ? xasprintf("%s/.config/clustershell", home) : NULL;
	dirs[2] = home && *home ? xasprintf("%s/.local/etc/clustershell", home) :
		  NULL;
	dirs[3] = xstrdup("/etc/clustershell");
}

/* groups.conf of the first directory that has one. */
static int read_default(struct reading *r)
{
	char *dirs[4], *path = NULL;
	struct buf looked = BUF_INIT;
	int e = 0;

	config_dirs(dirs);
	for (size_t k = 0; k < 4; k++) {
		if (!dirs[k] || path)
			continue;
		path = xasprintf("%s/groups.conf", dirs[k]);
		buf_printf(&looked, "%s%s", looked.len ? ", " : "", dirs[k]);
		if (access(path, F_OK) != 0) {
			free(path);
			path = NULL;
		}
	}
	if (path)
		e = read_conf(r, path);
	else
		e = fail(r, "in none of %s (or give --groups-file)", looked.data);
	for (size_t k = 0; k < 4; k++)
		free(dirs[k]);
	free(path);
	buf_free(&looked);
	return e;
}

int hostgroups_load(struct hostgroups *g, char *err, size_t errlen)
{
	struct reading r = { .g = g, .path = "groups.conf", .err = err,
			     .errlen = errlen };
	int e = 0;

	if (g->loaded) {
		if (g->failed)
			snprintf(err, errlen, "%s", g->failed);
		return g->failed ? -1 : 0;
	}
	g->loaded = true;
	if (!g->nfiles)
		e = read_default(&r);
	for (size_t k = 0; !e && k < g->nfiles; k++)
		e = read_any(&r, g->files[k]);
	if (!e && !g->default_source && g->nsources)
		g->default_source = g->sources[0];
	g->chain = xcalloc(g->n + 1, sizeof *g->chain);
	if (e)
		g->failed = xstrdup(err);
	return e;
}

/* why, then the files read, into err. */
static void say(const struct hostgroups *g, struct buf *why, char *err,
		size_t errlen)
{
	buf_adds(why, g->nread ? " (read from " : " (no file read)");
	for (size_t k = 0; k < g->nread; k++)
		buf_printf(why, "%s%s", k ? ", " : "", g->read[k]);
	if (g->nread)
		buf_addc(why, ')');
	snprintf(err, errlen, "%s", why->data);
	buf_free(why);
}

const char *hostgroups_source(struct hostgroups *g, const char *name,
			      size_t len, char *err, size_t errlen)
{
	struct buf why = BUF_INIT;
	size_t at = 0;

	if (!name && g->default_source) {
		name = g->default_source;
		len = strlen(name);
	}
	if (!name)
		buf_adds(&why, "no group source");
	else if (!find_source(g, name, len, &at))
		buf_printf(&why, "no group source '%.*s'", (int)len, name);
	else if (g->upcall[at])
		buf_printf(&why, "group source '%.*s' is made by commands (map:), "
			   "which ringrun does not run", (int)len, name);
	else
		return g->sources[at];
	say(g, &why, err, errlen);
	return NULL;
}

struct hostgroup *hostgroups_find(struct hostgroups *g, const char *source,
				  const char *name, size_t len, char *err,
				  size_t errlen)
{
	struct hostgroup *grp = lookup(g, source, name, len);
	struct buf why = BUF_INIT;

	if (grp)
		return grp;
	buf_printf(&why, "no group '%.*s' in source '%s'", (int)len, name, source);
	say(g, &why, err, errlen);
	return NULL;
}

const char *hostgroups_shown(const struct hostgroup *grp, char *buf,
			     size_t size)
{
	snprintf(buf, size, "@%s:%s", grp->source, grp->name);
	return buf;
}

void hostgroups_free(struct hostgroups *g)
{
	for (size_t k = 0; k < g->n; k++) {
		for (size_t m = 0; m < g->v[k].nlists; m++)
			free(g->v[k].lists[m]);
		free(g->v[k].lists);
		free(g->v[k].name);
	}
	for (size_t k = 0; k < g->nread; k++)
		free(g->read[k]);
	for (size_t k = 0; k < g->nsources; k++)
		free(g->sources[k]);
	free(g->v);
	free(g->read);
	free(g->sources);
	free(g->upcall);
	free(g->files);
	free(g->chain);
	free(g->failed);
	*g = (struct hostgroups){ 0 };
}
