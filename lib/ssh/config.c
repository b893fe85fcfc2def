/*
 * OpenSSH client configuration: the directives ringrun uses, in order, and
 * their values for one host.  The file grammar is ssh's: "Keyword value"
 * or "Keyword=value", keywords in any case, values split at spaces unless
 * quoted, '#' comments; values are checked when the file is read, whatever
 * block they are in, as ssh checks them; %-tokens only where ssh expands
 * them, for the host resolved (match.c: Host patterns and Match blocks).
 */
#include "ssh/ssh.h"
#include "ssh/config.h"
#include "ssh/cfgentry.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 256          /* files read in all, includes too */
#define MAX_FILE_SIZE (1 << 20)
#define MAX_SECONDS 4294967u   /* in milliseconds still fits 32 bits */

enum keyword {
	KW_HOST,
	KW_MATCH,
	KW_INCLUDE,
	KW_HOSTNAME,
	KW_USER,
	KW_PORT,
	KW_IDENTITY_FILE,
	KW_IDENTITIES_ONLY,
	KW_CONNECT_TIMEOUT,
	KW_STRICT_HOST_KEY,
	KW_KNOWN_HOSTS,
	KW_ALIVE_INTERVAL,
	KW_PROXY_JUMP,
	KW_PROXY_COMMAND,
	KW_CANONICALIZE,
};

static const struct keyword_def {
	const char *name;
	enum keyword kw;
	enum rr_sshcfg_key key;
} keywords[] = {
	{ "Host", KW_HOST, 0 },
	{ "Match", KW_MATCH, 0 },
	{ "Include", KW_INCLUDE, 0 },
	{ "HostName", KW_HOSTNAME, RR_SSHCFG_HOSTNAME },
	{ "User", KW_USER, RR_SSHCFG_USER },
	{ "Port", KW_PORT, RR_SSHCFG_PORT },
	{ "IdentityFile", KW_IDENTITY_FILE, RR_SSHCFG_IDENTITY_FILE },
	{ "IdentitiesOnly", KW_IDENTITIES_ONLY, RR_SSHCFG_IDENTITIES_ONLY },
	{ "ConnectTimeout", KW_CONNECT_TIMEOUT, RR_SSHCFG_CONNECT_TIMEOUT },
	{ "StrictHostKeyChecking", KW_STRICT_HOST_KEY, RR_SSHCFG_STRICT_HOST_KEY },
	{ "UserKnownHostsFile", KW_KNOWN_HOSTS, RR_SSHCFG_KNOWN_HOSTS },
	{ "ServerAliveInterval", KW_ALIVE_INTERVAL, RR_SSHCFG_ALIVE_INTERVAL },
	{ "ProxyJump", KW_PROXY_JUMP, RR_SSHCFG_PROXY_JUMP },
	{ "ProxyCommand", KW_PROXY_COMMAND, RR_SSHCFG_PROXY_COMMAND },
	{ "CanonicalizeHostname", KW_CANONICALIZE, 0 },
};

#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/* The file being parsed. */
struct ctx {
	struct rr_sshcfg *c;
	unsigned flags;
	unsigned depth;        /* of Include */
	const char *shown;
	unsigned line;
	char *err;
	size_t errlen;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

void rr__sshcfg_init(struct rr_sshcfg *c)
{
	*c = (struct rr_sshcfg){ 0 };
}

/* path with the home directory written as "~", as a user knows it. */
static char *shown_path(const char *path)
{
	const char *home = rr__home_dir();
	size_t n = strlen(home);
	char *p;

	if (strcmp(home, "/") && strncmp(path, home, n) == 0 && path[n] == '/')
		return asprintf(&p, "~%s", path + n) < 0 ? NULL : p;
	return strdup(path);
}

static int fail(struct ctx *x, const char *what, const char *why)
{
	snprintf(x->err, x->errlen, "%s: line %u: %s: %s", x->shown, x->line,
		 what, why);
	return -EINVAL;
}

static int no_memory(struct ctx *x)
{
	snprintf(x->err, x->errlen, "%s: line %u: out of memory", x->shown,
		 x->line);
	return -ENOMEM;
}

/* An entry of kind at the end, or NULL when memory ran out. */
static struct rr_sshcfg_entry *push(struct rr_sshcfg *c, enum rr__cfg_kind kind)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct rr_sshcfg_entry *v = reallocarray(c->v, cap, sizeof *v);

		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n] = (struct rr_sshcfg_entry){ .kind = kind };
	return &c->v[c->n++];
}

/*
 * Split s into words in place, as ssh does: spaces separate them, single
 * or double quotes group (and are dropped), a backslash escapes a quote, a
 * backslash or (outside quotes) a space, and a '#' where a word would start
 * ends the line.  Returns the number of words, or -EINVAL for an
 * unterminated quote, -ENOMEM.
 */
static long split_words(char *s, char ***words)
{
	char *out = s, **v = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		char quote = 0, *word = out;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		for (; *s; s++) {
			if (*s == '\\' && (s[1] == '\'' || s[1] == '"' ||
					   s[1] == '\\' || (!quote && s[1] == ' ')))
				*out++ = *++s;
			else if (!quote && (*s == ' ' || *s == '\t'))
				break;
			else if (!quote && (*s == '"' || *s == '\''))
				quote = *s;
			else if (quote && *s == quote)
				quote = 0;
			else
				*out++ = *s;
		}
		if (quote) {
			free(v);
			return -EINVAL;
		}
		bool more = *s != '\0';
		*out++ = '\0'; /* never past s: a word is no longer than its text */
		if (n + 1 >= cap) {
			char **more_v = reallocarray(v, cap ? cap * 2 : 8, sizeof *v);

			if (!more_v) {
				free(v);
				return -ENOMEM;
			}
			v = more_v;
			cap = cap ? cap * 2 : 8;
		}
		v[n++] = word;
		if (!more)
			break;
		s++;
	}
	*words = v;
	return (long)n;
}

/* Seconds as ssh writes times: 90, 1m30s, 2h; s m h d w. */
static const char *parse_time(const char *s, unsigned *secs)
{
	unsigned long long total = 0;

	if (!*s)
		return "not a time";
	while (*s) {
		unsigned long long n = 0, unit = 1;
		const char *digits = s;

		for (; *s >= '0' && *s <= '9'; s++)
			if ((n = n * 10 + (unsigned)(*s - '0')) > MAX_SECONDS)
				return "out of range";
		if (s == digits)
			return "not a time";
		switch (*s) {
		case 'w': case 'W': unit *= 7; /* fall through */
		case 'd': case 'D': unit *= 24; /* fall through */
		case 'h': case 'H': unit *= 60; /* fall through */
		case 'm': case 'M': unit *= 60; /* fall through */
		case 's': case 'S': s++; break;
		case '\0': break;
		default: return "not a time";
		}
		if ((total += n * unit) > MAX_SECONDS)
			return "out of range";
	}
	*secs = (unsigned)total;
	return NULL;
}

static const char *parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (!*s)
		return "not a number";
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return "not a number";
		if ((v = v * 10 + (unsigned)(*s - '0')) > 65535)
			return "out of range (1 to 65535)";
	}
	if (!v)
		return "out of range (1 to 65535)";
	*port = (unsigned)v;
	return NULL;
}

static const char *parse_yes_no(const char *s, unsigned *yes)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true"))
		*yes = 1;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false"))
		*yes = 0;
	else
		return "not yes or no";
	return NULL;
}

/* ask is strict too: ringrun never asks. */
static const char *parse_policy(const char *s, unsigned *policy)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
	    !strcasecmp(s, "ask"))
		*policy = RR_HOSTKEY_STRICT;
	else if (!strcasecmp(s, "accept-new"))
		*policy = RR_HOSTKEY_ACCEPT_NEW;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
		 !strcasecmp(s, "off"))
		*policy = RR_HOSTKEY_OFF;
	else
		return "not yes, ask, accept-new, no or off";
	return NULL;
}

/* The value of a keyword with one word (UserKnownHostsFile: the first). */
static const char *check_value(enum keyword kw, const char *arg, unsigned *num)
{
	switch (kw) {
	case KW_PORT:
		return parse_port(arg, num);
	case KW_IDENTITIES_ONLY:
		return parse_yes_no(arg, num);
	case KW_CONNECT_TIMEOUT:
	case KW_ALIVE_INTERVAL:
		return parse_time(arg, num);
	case KW_STRICT_HOST_KEY:
		return parse_policy(arg, num);
	default:
		return NULL;
	}
}

/* "SHOWN: line N" for what the line sets. */
static char *where(const struct ctx *x)
{
	char *at;

	return asprintf(&at, "%s: line %u", x->shown, x->line) < 0 ? NULL : at;
}

/* words[0..n) copied into e->words. */
static int keep_words(struct rr_sshcfg_entry *e, char **words, size_t n)
{
	if (!(e->words = calloc(n, sizeof *e->words)))
		return -ENOMEM;
	for (; e->nwords < n; e->nwords++)
		if (!(e->words[e->nwords] = strdup(words[e->nwords])))
			return -ENOMEM;
	return 0;
}

/* ProxyJump's hops: [user@]host[:port] or ssh://[user@]host[:port], by
   commas; what ssh takes, roughly: no space, nothing empty. */
static const char *check_jump(const char *arg)
{
	if (!strcasecmp(arg, "none"))
		return NULL;
	for (const char *hop = arg; hop; hop = strchr(hop, ',')) {
		hop += *hop == ',';
		if (!*hop || *hop == ',' || *hop == '@' || *hop == ':')
			return "not [user@]host[:port],...";
	}
	return NULL;
}

/* CanonicalizeHostname other than no: told once, never followed. */
static int note_canonicalize(struct ctx *x, const char *arg)
{
	if (!strcasecmp(arg, "no") || x->c->note)
		return 0;
	if (asprintf(&x->c->note, "%s: line %u: CanonicalizeHostname %s: not "
		     "followed (ringrun does not canonicalize host names)",
		     x->shown, x->line, arg) < 0) {
		x->c->note = NULL;
		return no_memory(x);
	}
	return 0;
}

static int add_value(struct ctx *x, const struct keyword_def *k, char **args,
		     long n, const char *rest)
{
	const char *bad;
	unsigned num = 0;
	const char *arg = k->kw == KW_PROXY_COMMAND ? rest : n ? args[0] : "";

	if (!*arg)
		return fail(x, k->name, "missing argument");
	if (n > 1 && k->kw != KW_KNOWN_HOSTS && k->kw != KW_PROXY_COMMAND)
		return fail(x, k->name, "too many arguments");
	if (k->kw == KW_CANONICALIZE)
		return note_canonicalize(x, arg);
	bad = k->kw == KW_PROXY_JUMP ? check_jump(arg) :
	      check_value(k->kw, arg, &num);
	if (bad)
		return fail(x, k->name, bad);
	struct rr_sshcfg_entry *e = push(x->c, RR__CFG_VALUE);
	if (!e)
		return no_memory(x);
	e->key = k->key;
	e->num = num;
	bool none = (k->kw == KW_PROXY_JUMP || k->kw == KW_PROXY_COMMAND) &&
		    !strcasecmp(arg, "none");
	if ((!none && !(e->value = strdup(arg))) || !(e->at = where(x)) ||
	    (k->kw == KW_KNOWN_HOSTS && keep_words(e, args, (size_t)n) < 0))
		return no_memory(x);
	return 0;
}

static int add_host(struct ctx *x, char **args, long n)
{
	struct rr_sshcfg_entry *e;

	if (n < 1)
		return fail(x, "Host", "missing argument");
	e = push(x->c, RR__CFG_HOST);
	if (!e || keep_words(e, args, (size_t)n) < 0)
		return no_memory(x);
	return 0;
}

static int add_match(struct ctx *x, char **args, long n)
{
	char why[128];
	struct rr_sshcfg_entry *e = push(x->c, RR__CFG_MATCH);
	int r;

	if (!e || !(e->at = where(x)))
		return no_memory(x);
	r = rr__cfg_match_parse(e, args, (size_t)n, why, sizeof why);
	if (r < 0) { /* not kept half made: a failed file is still freed */
		rr__cfg_crits_free(e);
		free(e->at);
		x->c->n--;
	}
	if (r == -ENOMEM)
		return no_memory(x);
	if (r < 0)
		return fail(x, "Match", why);
	for (size_t k = 0; k < e->ncrits; k++)
		x->c->want_final |= e->crits[k].kind == RR__CRIT_FINAL;
	return 0;
}

static int read_nested(struct ctx *x, const char *path);

/* A file name to include: ~ is home, relative is against the config dir;
   NULL when memory ran out. */
static char *include_pattern(const struct ctx *x, const char *arg)
{
	char *p;
	int r;

	if (arg[0] == '~' && (arg[1] == '/' || !arg[1]))
		r = asprintf(&p, "%s%s", rr__home_dir(), arg + 1);
	else if (arg[0] == '/')
		r = asprintf(&p, "%s", arg);
	else if (x->flags & RR_SSHCFG_USER_FILE)
		r = asprintf(&p, "%s/.ssh/%s", rr__home_dir(), arg);
	else
		r = asprintf(&p, "/etc/ssh/%s", arg);
	return r < 0 ? NULL : p;
}

static int add_include(struct ctx *x, char **args, long n)
{
	if (n < 1)
		return fail(x, "Include", "missing argument");
	for (long k = 0; k < n && !(x->flags & RR_SSHCFG_NO_INCLUDE); k++) {
		char *pattern = include_pattern(x, args[k]);
		glob_t g;
		int r;

		if (!pattern)
			return no_memory(x);
		r = glob(pattern, 0, NULL, &g);
		free(pattern);
		if (r == GLOB_NOMATCH)
			continue;
		if (r == GLOB_NOSPACE)
			return no_memory(x);
		if (r != 0)
			return fail(x, "Include", "cannot list the files");
		for (size_t f = 0; f < g.gl_pathc && r == 0; f++)
			r = read_nested(x, g.gl_pathv[f]);
		globfree(&g);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct keyword_def *find_keyword(const char *s, size_t len)
{
	for (size_t k = 0; k < NKEYWORDS; k++)
		if (strlen(keywords[k].name) == len &&
		    !strncasecmp(keywords[k].name, s, len))
			return &keywords[k];
	return NULL;
}

/* One line, NUL-terminated and without its end of line. */
static int parse_line(struct ctx *x, char *s)
{
	const struct keyword_def *k;
	char *end = s + strlen(s), *word, **args = NULL;
	long n;
	int r = 0;

	while (end > s && is_space(end[-1]))
		*--end = '\0';
	while (is_space(*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	word = s;
	while (*s && !is_space(*s) && *s != '=')
		s++;
	k = find_keyword(word, (size_t)(s - word));
	if (!k)
		return 0; /* ssh's other keywords: not ringrun's business */
	while (is_space(*s))
		s++;
	if (*s == '=')
		for (s++; is_space(*s); s++)
			;
	if (k->kw == KW_PROXY_COMMAND)
		return add_value(x, k, NULL, 0, s);
	n = split_words(s, &args);
	if (n == -ENOMEM)
		return no_memory(x);
	if (n < 0)
		return fail(x, k->name, "unterminated quote");
	switch (k->kw) {
	case KW_HOST:
		r = add_host(x, args, n);
		break;
	case KW_MATCH:
		r = add_match(x, args, n);
		break;
	case KW_INCLUDE:
		r = add_include(x, args, n);
		break;
	default:
		r = add_value(x, k, args, n, NULL);
	}
	free(args);
	return r;
}

static int parse_text(struct ctx *x, const char *text, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int r = push(x->c, x->depth ? RR__CFG_ENTER : RR__CFG_FILE) ? 0 :
		no_memory(x);

	for (size_t at = 0; at < len && r == 0;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = (nl ? (size_t)(nl - text) : len) - at;

		x->line++;
		if (memchr(text + at, '\0', n)) {
			snprintf(x->err, x->errlen, "%s: line %u: contains a NUL byte",
				 x->shown, x->line);
			r = -EINVAL;
			break;
		}
		if (n + 1 > cap) {
			char *more = realloc(line, n + 1);

			if (!more) {
				r = no_memory(x);
				break;
			}
			line = more;
			cap = n + 1;
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		r = parse_line(x, line);
		at += n + 1;
	}
	free(line);
	if (r == 0 && x->depth && !push(x->c, RR__CFG_LEAVE))
		r = no_memory(x);
	return r;
}

int rr__sshcfg_parse(struct rr_sshcfg *c, const char *shown, const char *text,
		 size_t len, unsigned flags, char *err, size_t errlen)
{
	struct ctx x = {
		.c = c, .flags = flags, .shown = shown, .err = err,
		.errlen = errlen,
	};

	return parse_text(&x, text, len);
}

/* size bytes of fd, which it closes; NULL with *e set when a read fails. */
static char *read_all(int fd, size_t size, size_t *len, int *e)
{
	char *data = malloc(size + 1);
	size_t n = 0;

	if (!data)
		*e = ENOMEM;
	while (data && n < size) {
		ssize_t r = read(fd, data + n, size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			*e = errno;
		if (r <= 0)
			break; /* it shrank as we read: what is there */
		n += (size_t)r;
	}
	close(fd);
	if (*e) {
		free(data);
		return NULL;
	}
	*len = n;
	return data;
}

/*
 * The bytes of a file; NULL when it does not exist or is a directory (ssh
 * reads one as empty), with *e the errno of a real failure.  Any other
 * file that is not a regular one is empty ("-F /dev/null"): a FIFO or
 * /dev/zero must not hang or fill memory.
 */
static char *slurp(const char *path, size_t *len, int *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO too */
	struct stat st;

	*e = 0;
	if (fd < 0) {
		*e = errno == ENOENT ? 0 : errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		*e = errno;
	else if (S_ISDIR(st.st_mode))
		*e = EISDIR;
	else if (S_ISREG(st.st_mode) && st.st_size > MAX_FILE_SIZE)
		*e = EFBIG;
	else
		return read_all(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0,
				len, e);
	close(fd);
	return NULL;
}

static int read_error(char *err, size_t errlen, const char *shown, int e)
{
	snprintf(err, errlen, "%s: %s", shown,
		 e == EFBIG ? "larger than 1 MiB" : strerror(e));
	return -e;
}

/* A file given to ssh (depth 0) or included (depth > 0). */
static int read_at(struct ctx *x, const char *path, bool must_exist)
{
	size_t len = 0;
	int e, r;
	char *text = slurp(path, &len, &e);

	if (!text && e == EISDIR && !must_exist)
		return 0;
	if (!text && (e || must_exist))
		return read_error(x->err, x->errlen, x->shown, e ? e : ENOENT);
	if (!text)
		return 0;
	r = parse_text(x, text, len);
	free(text);
	return r;
}

static int read_nested(struct ctx *x, const char *path)
{
	char *shown;
	int r;

	if (x->depth >= RR__CFG_MAX_DEPTH)
		return fail(x, "Include", "nested more than 16 deep");
	if (x->c->files >= MAX_FILES)
		return fail(x, "Include", "more than 256 files in all");
	x->c->files++;
	shown = shown_path(path);
	if (!shown)
		return no_memory(x);
	struct ctx in = {
		.c = x->c, .flags = x->flags, .depth = x->depth + 1,
		.shown = shown, .err = x->err, .errlen = x->errlen,
	};
	r = read_at(&in, path, false);
	free(shown);
	return r;
}

int rr__sshcfg_read(struct rr_sshcfg *c, const char *path, const char *shown,
		unsigned flags, bool must_exist, char *err, size_t errlen)
{
	struct ctx x = {
		.c = c, .flags = flags, .shown = shown, .err = err,
		.errlen = errlen,
	};

	c->files++;
	return read_at(&x, path, must_exist);
}

int rr__sshcfg_load(struct rr_sshcfg *c, const char *file, char *err, size_t errlen)
{
	char *path;
	int r;

	if (file && strcasecmp(file, "none") == 0)
		return 0; /* ssh -F none: no file at all */
	if (file)
		return rr__sshcfg_read(c, file, file, RR_SSHCFG_USER_FILE, true,
				       err, errlen);
	if (asprintf(&path, "%s/.ssh/config", rr__home_dir()) < 0) {
		snprintf(err, errlen, "~/.ssh/config: out of memory");
		return -ENOMEM;
	}
	r = rr__sshcfg_read(c, path, "~/.ssh/config", RR_SSHCFG_USER_FILE,
			    false, err, errlen);
	free(path);
	if (r == 0)
		r = rr__sshcfg_read(c, "/etc/ssh/ssh_config", "/etc/ssh/ssh_config",
				0, false, err, errlen);
	return r;
}

void rr__sshcfg_free(struct rr_sshcfg *c)
{
	for (size_t k = 0; k < c->n; k++) {
		for (size_t w = 0; w < c->v[k].nwords; w++)
			free(c->v[k].words[w]);
		free(c->v[k].words);
		rr__cfg_crits_free(&c->v[k]);
		free(c->v[k].value);
		free(c->v[k].at);
	}
	free(c->v);
	free(c->note);
	*c = (struct rr_sshcfg){ 0 };
}
