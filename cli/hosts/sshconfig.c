/*
 * OpenSSH client configuration: the directives ringrun uses, in order, and
 * their values for one host.  The file grammar is ssh's: "Keyword value"
 * or "Keyword=value", keywords in any case, values split at spaces unless
 * quoted, '#' comments; values are checked when the file is read, whatever
 * block they are in, as ssh checks them.
 */
#define _GNU_SOURCE /* strcasecmp */
#include "hosts/sshconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ringrun.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define MAX_DEPTH 16           /* Include nesting, as ssh allows */
#define MAX_FILES 256          /* files read in all, includes too */
#define MAX_FILE_SIZE (1 << 20)
#define MAX_SECONDS 4294967u   /* in milliseconds still fits 32 bits */

enum entry_kind {
	E_FILE,  /* a file given to ssh starts: every host again */
	E_ENTER, /* an included file starts ... */
	E_LEAVE, /* ... and ends: the including block is back */
	E_HOST,
	E_MATCH,
	E_VALUE,
};

struct sshcfg_entry {
	enum entry_kind kind;
	enum sshcfg_key key;   /* E_VALUE */
	char **patterns;       /* E_HOST */
	size_t npatterns;
	char *value;           /* E_VALUE; NULL: "none" */
	unsigned num;          /* port, seconds, yes/no, policy; proxy: 1 =
				  ProxyCommand */
};

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
};

static const struct keyword_def {
	const char *name;
	enum keyword kw;
	enum sshcfg_key key;
} keywords[] = {
	{ "Host", KW_HOST, 0 },
	{ "Match", KW_MATCH, 0 },
	{ "Include", KW_INCLUDE, 0 },
	{ "HostName", KW_HOSTNAME, SSHCFG_HOSTNAME },
	{ "User", KW_USER, SSHCFG_USER },
	{ "Port", KW_PORT, SSHCFG_PORT },
	{ "IdentityFile", KW_IDENTITY_FILE, SSHCFG_IDENTITY_FILE },
	{ "IdentitiesOnly", KW_IDENTITIES_ONLY, SSHCFG_IDENTITIES_ONLY },
	{ "ConnectTimeout", KW_CONNECT_TIMEOUT, SSHCFG_CONNECT_TIMEOUT },
	{ "StrictHostKeyChecking", KW_STRICT_HOST_KEY, SSHCFG_STRICT_HOST_KEY },
	{ "UserKnownHostsFile", KW_KNOWN_HOSTS, SSHCFG_KNOWN_HOSTS },
	{ "ServerAliveInterval", KW_ALIVE_INTERVAL, SSHCFG_ALIVE_INTERVAL },
	{ "ProxyJump", KW_PROXY_JUMP, SSHCFG_PROXY },
	{ "ProxyCommand", KW_PROXY_COMMAND, SSHCFG_PROXY },
};

#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/* The file being parsed. */
struct ctx {
	struct sshcfg *c;
	unsigned flags;
	unsigned depth;        /* of Include */
	const char *shown;
	unsigned line;
	const char *outer_match; /* the Match block its Include is in */
	const char *in_match;  /* the Match block the line is in, or NULL */
	char *own_match;       /* "SHOWN: line N" of this file's last Match */
	char *err;
	size_t errlen;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

void sshcfg_init(struct sshcfg *c)
{
	*c = (struct sshcfg){ 0 };
}

const char *sshcfg_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/";
}

const char *sshcfg_local_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *env = getenv("USER");

	return pw ? pw->pw_name : env ? env : "root";
}

/* path with the home directory written as "~", as a user knows it. */
static char *shown_path(const char *path)
{
	const char *home = sshcfg_home();
	size_t n = strlen(home);
	struct buf b = BUF_INIT;

	if (strcmp(home, "/") && strncmp(path, home, n) == 0 && path[n] == '/')
		buf_printf(&b, "~%s", path + n);
	else
		buf_adds(&b, path);
	return buf_detach(&b);
}

static int fail(struct ctx *x, const char *what, const char *why)
{
	snprintf(x->err, x->errlen, "%s: line %u: %s: %s", x->shown, x->line,
		 what, why);
	return -1;
}

static struct sshcfg_entry *push(struct sshcfg *c, enum entry_kind kind)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n] = (struct sshcfg_entry){ .kind = kind };
	return &c->v[c->n++];
}

/*
 * Split s into words in place, as ssh does: spaces separate them, single
 * or double quotes group (and are dropped), a backslash escapes a quote, a
 * backslash or (outside quotes) a space, and a '#' where a word would start
 * ends the line.  Returns the number of words, or -1 for an unterminated
 * quote.
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
			return -1;
		}
		bool more = *s != '\0';
		*out++ = '\0'; /* never past s: a word is no longer than its text */
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = word;
		if (!more)
			break;
		s++;
	}
	*words = v;
	return (long)n;
}

/* Every %x in s is one of allowed ("%" for %%).  NULL, or why not. */
static const char *check_tokens(const char *s, const char *allowed, char *why,
				size_t whylen)
{
	for (; (s = strchr(s, '%')); s += 2) {
		if (!s[1])
			return "'%' at the end";
		if (!strchr(allowed, s[1])) {
			snprintf(why, whylen, "unknown token %%%c", s[1]);
			return why;
		}
	}
	return NULL;
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
static const char *check_value(enum keyword kw, const char *arg, unsigned *num,
			       char *why, size_t whylen)
{
	switch (kw) {
	case KW_HOSTNAME:
		return check_tokens(arg, "h%", why, whylen);
	case KW_PORT:
		return parse_port(arg, num);
	case KW_IDENTITY_FILE:
	case KW_KNOWN_HOSTS:
		return check_tokens(arg, "dhnpru%", why, whylen);
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

/* Directives that set what a Match block would hide. */
static void note_match(struct ctx *x)
{
	if (x->in_match && !x->c->match_note)
		x->c->match_note = xstrdup(x->in_match);
}

static int add_value(struct ctx *x, const struct keyword_def *k, char **args,
		     long n, const char *rest)
{
	char why[64];
	const char *bad;
	unsigned num = 0;
	const char *arg = k->kw == KW_PROXY_COMMAND ? rest : n ? args[0] : "";

	if (!*arg)
		return fail(x, k->name, "missing argument");
	if (n > 1 && k->kw != KW_KNOWN_HOSTS && k->kw != KW_PROXY_COMMAND)
		return fail(x, k->name, "too many arguments");
	bad = check_value(k->kw, arg, &num, why, sizeof why);
	if (bad)
		return fail(x, k->name, bad);
	struct sshcfg_entry *e = push(x->c, E_VALUE);
	e->key = k->key;
	e->num = k->kw == KW_PROXY_COMMAND ? 1 : num;
	bool none = (k->kw == KW_PROXY_JUMP || k->kw == KW_PROXY_COMMAND) &&
		    !strcasecmp(arg, "none");
	e->value = none ? NULL : xstrdup(arg);
	note_match(x);
	return 0;
}

static int add_host(struct ctx *x, char **args, long n)
{
	struct sshcfg_entry *e;

	if (n < 1)
		return fail(x, "Host", "missing argument");
	e = push(x->c, E_HOST);
	e->patterns = xcalloc((size_t)n, sizeof *e->patterns);
	for (long k = 0; k < n; k++)
		e->patterns[k] = xstrdup(args[k]);
	e->npatterns = (size_t)n;
	x->in_match = x->outer_match;
	return 0;
}

static void add_match(struct ctx *x)
{
	struct buf b = BUF_INIT;

	push(x->c, E_MATCH);
	free(x->own_match);
	buf_printf(&b, "%s: line %u", x->shown, x->line);
	x->own_match = buf_detach(&b);
	x->in_match = x->own_match;
}

static int read_nested(struct ctx *x, const char *path);

/* A file name to include: ~ is home, relative is against the config dir. */
static char *include_pattern(const struct ctx *x, const char *arg)
{
	struct buf b = BUF_INIT;

	if (arg[0] == '~' && (arg[1] == '/' || !arg[1]))
		buf_printf(&b, "%s%s", sshcfg_home(), arg + 1);
	else if (arg[0] == '/')
		buf_adds(&b, arg);
	else if (x->flags & SSHCFG_USER_FILE)
		buf_printf(&b, "%s/.ssh/%s", sshcfg_home(), arg);
	else
		buf_printf(&b, "/etc/ssh/%s", arg);
	return buf_detach(&b);
}

static int add_include(struct ctx *x, char **args, long n)
{
	if (n < 1)
		return fail(x, "Include", "missing argument");
	for (long k = 0; k < n && !(x->flags & SSHCFG_NO_INCLUDE); k++) {
		char *pattern = include_pattern(x, args[k]);
		glob_t g;
		int r = glob(pattern, 0, NULL, &g);

		free(pattern);
		if (r == GLOB_NOMATCH)
			continue;
		if (r != 0)
			return fail(x, "Include", "cannot list the files");
		for (size_t f = 0; f < g.gl_pathc && r == 0; f++)
			r = read_nested(x, g.gl_pathv[f]);
		globfree(&g);
		if (r < 0)
			return -1;
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
	if (n < 0)
		return fail(x, k->name, "unterminated quote");
	switch (k->kw) {
	case KW_HOST:
		r = add_host(x, args, n);
		break;
	case KW_MATCH:
		add_match(x);
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
	int r = 0;

	push(x->c, x->depth ? E_ENTER : E_FILE);
	for (size_t at = 0; at < len && r == 0;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = (nl ? (size_t)(nl - text) : len) - at;

		x->line++;
		if (memchr(text + at, '\0', n)) {
			snprintf(x->err, x->errlen, "%s: line %u: contains a NUL byte",
				 x->shown, x->line);
			r = -1;
			break;
		}
		if (n + 1 > cap) {
			cap = n + 1;
			line = xreallocarray(line, cap, 1);
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		r = parse_line(x, line);
		at += n + 1;
	}
	free(line);
	free(x->own_match);
	if (x->depth)
		push(x->c, E_LEAVE);
	return r;
}

int sshcfg_parse(struct sshcfg *c, const char *shown, const char *text,
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
	char *data = xmalloc(size + 1);
	size_t n = 0;

	while (n < size) {
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
	return -1;
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

	if (x->depth >= MAX_DEPTH)
		return fail(x, "Include", "nested more than 16 deep");
	if (x->c->files >= MAX_FILES)
		return fail(x, "Include", "more than 256 files in all");
	x->c->files++;
	shown = shown_path(path);
	struct ctx in = {
		.c = x->c, .flags = x->flags, .depth = x->depth + 1,
		.shown = shown, .outer_match = x->in_match,
		.in_match = x->in_match, .err = x->err, .errlen = x->errlen,
	};
	r = read_at(&in, path, false);
	free(shown);
	return r;
}

int sshcfg_read(struct sshcfg *c, const char *path, const char *shown,
		unsigned flags, bool must_exist, char *err, size_t errlen)
{
	struct ctx x = {
		.c = c, .flags = flags, .shown = shown, .err = err,
		.errlen = errlen,
	};

	c->files++;
	return read_at(&x, path, must_exist);
}

int sshcfg_load(struct sshcfg *c, const char *file, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	int r;

	if (file)
		return sshcfg_read(c, file, file, SSHCFG_USER_FILE, true, err,
				   errlen);
	buf_printf(&b, "%s/.ssh/config", sshcfg_home());
	r = sshcfg_read(c, b.data, "~/.ssh/config", SSHCFG_USER_FILE, false,
			err, errlen);
	buf_free(&b);
	if (r == 0)
		r = sshcfg_read(c, "/etc/ssh/ssh_config", "/etc/ssh/ssh_config",
				0, false, err, errlen);
	return r;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* '*' any run, '?' any character, the rest in any case; linear-ish. */
static bool glob_match(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p && (*p == '?' || lower(*p) == lower(*s))) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++back;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* One pattern matches and no negated one does. */
static bool host_matches(const struct sshcfg_entry *e, const char *alias)
{
	bool hit = false;

	for (size_t k = 0; k < e->npatterns; k++) {
		const char *p = e->patterns[k];
		bool negated = *p == '!';

		if (!glob_match(p + negated, alias))
			continue;
		if (negated)
			return false;
		hit = true;
	}
	return hit;
}

static void apply(struct sshcfg_host *h, const struct sshcfg_entry *e)
{
	unsigned bit = 1u << e->key;

	if (e->key == SSHCFG_IDENTITY_FILE) {
		if (h->nidentities < SSHCFG_MAX_IDENTITIES)
			h->identities[h->nidentities++] = e->value;
		h->set |= bit;
		return;
	}
	if (h->set & bit)
		return; /* the first value obtained wins */
	h->set |= bit;
	switch (e->key) {
	case SSHCFG_HOSTNAME: h->hostname = e->value; break;
	case SSHCFG_USER: h->user = e->value; break;
	case SSHCFG_PORT: h->port = e->num; break;
	case SSHCFG_IDENTITIES_ONLY: h->identities_only = e->num; break;
	case SSHCFG_CONNECT_TIMEOUT: h->connect_timeout_s = e->num; break;
	case SSHCFG_STRICT_HOST_KEY: h->hostkey = (int)e->num; break;
	case SSHCFG_KNOWN_HOSTS: h->known_hosts = e->value; break;
	case SSHCFG_ALIVE_INTERVAL: h->alive_interval_s = e->num; break;
	case SSHCFG_PROXY:
		if (e->num)
			h->proxy_command = e->value;
		else
			h->proxy_jump = e->value;
		break;
	default:
		break;
	}
}

/*
 * Host lines switch blocks on and off; a Match block is never on.  An
 * included file starts in the state of the block its Include is in, and
 * when that is off nothing in it can be on; when it ends that block is
 * back.
 */
void sshcfg_resolve(const struct sshcfg *c, const char *alias,
		    struct sshcfg_host *h)
{
	bool on = true, saved[MAX_DEPTH + 1], never[MAX_DEPTH + 1] = { false };
	unsigned depth = 0;

	*h = (struct sshcfg_host){ 0 };
	for (size_t k = 0; k < c->n; k++) {
		const struct sshcfg_entry *e = &c->v[k];

		switch (e->kind) {
		case E_FILE:
			on = true;
			depth = 0;
			break;
		case E_ENTER:
			saved[depth] = on;
			never[depth + 1] = never[depth] || !on;
			depth++;
			break;
		case E_LEAVE:
			if (depth)
				on = saved[--depth];
			break;
		case E_HOST:
			on = !never[depth] && host_matches(e, alias);
			break;
		case E_MATCH:
			on = false;
			break;
		case E_VALUE:
			if (on)
				apply(h, e);
			break;
		}
	}
}

char *sshcfg_expand(const char *raw, const struct sshcfg_tokens *t)
{
	struct buf b = BUF_INIT;
	const char *s = raw;

	if (s[0] == '~' && (s[1] == '/' || !s[1])) {
		buf_adds(&b, t->home);
		s++;
	}
	for (; *s; s++) {
		if (*s != '%' || !s[1]) {
			buf_addc(&b, *s);
			continue;
		}
		switch (*++s) {
		case 'd': buf_adds(&b, t->home); break;
		case 'u': buf_adds(&b, t->local_user); break;
		case 'h': buf_adds(&b, t->hostname); break;
		case 'n': buf_adds(&b, t->alias); break;
		case 'r': buf_adds(&b, t->user); break;
		case 'p': buf_printf(&b, "%u", t->port); break;
		default: buf_addc(&b, *s); break; /* %% */
		}
	}
	return buf_detach(&b);
}

void sshcfg_free(struct sshcfg *c)
{
	for (size_t k = 0; k < c->n; k++) {
		for (size_t p = 0; p < c->v[k].npatterns; p++)
			free(c->v[k].patterns[p]);
		free(c->v[k].patterns);
		free(c->v[k].value);
	}
	free(c->v);
	free(c->match_note);
	*c = (struct sshcfg){ 0 };
}
