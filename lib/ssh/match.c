/*
 * Which blocks of an ssh_config hold for a host, as ssh decides: Host
 * patterns against the alias as given (case counts), Match criteria
 * (host, originalhost, user, localuser, all, exec, canonical, final, each
 * negated by '!'), and the name ssh connects to.
 */
#include "ssh/ssh.h"
#include "ssh/cfgentry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* '*' any run, '?' any character, the rest as written (case counts).
   Linear-ish: a '*' only ever backtracks to its own last try. */
static bool cfg_glob(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p && (*p == '?' || *p == *s)) {
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

bool rr__cfg_host_matches(const struct rr_sshcfg_entry *e, const char *alias)
{
	bool hit = false;

	for (size_t k = 0; k < e->nwords; k++) {
		const char *p = e->words[k];
		bool negated = *p == '!';

		if (!cfg_glob(p + negated, alias))
			continue;
		if (negated)
			return false;
		hit = true;
	}
	return hit;
}

static void lower_case(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * A Match criterion's comma-separated pattern list, as ssh's
 * match_pattern_list(): one matches and no negated one does; lower
 * compares in lower case (host names).
 */
static bool list_matches(const char *s, const char *list, bool lower)
{
	char *copy = strdup(list), *save = NULL, *host = strdup(s);
	bool hit = false, out = false;

	if (!copy || !host)
		goto done; /* out of memory: no match, as a too long pattern */
	if (lower)
		lower_case(host);
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		bool negated = *p == '!';

		if (lower)
			lower_case(p);
		if (!cfg_glob(p + negated, host))
			continue;
		if (negated)
			goto done;
		hit = true;
	}
	out = hit;
done:
	free(copy);
	free(host);
	return out;
}

static const struct {
	const char *name;
	enum rr__crit_kind kind;
} crit_names[] = {
	{ "all", RR__CRIT_ALL }, { "canonical", RR__CRIT_CANONICAL },
	{ "final", RR__CRIT_FINAL }, { "host", RR__CRIT_HOST },
	{ "originalhost", RR__CRIT_ORIGINALHOST }, { "user", RR__CRIT_USER },
	{ "localuser", RR__CRIT_LOCALUSER }, { "exec", RR__CRIT_EXEC },
};

void rr__cfg_crits_free(struct rr_sshcfg_entry *e)
{
	for (size_t k = 0; k < e->ncrits; k++)
		free(e->crits[k].arg);
	free(e->crits);
	e->crits = NULL;
	e->ncrits = 0;
}

/* As ssh's match_cfg_line() refuses a line, whatever block it is in. */
int rr__cfg_match_parse(struct rr_sshcfg_entry *e, char **words, size_t n,
			char *why, size_t whylen)
{
	size_t attributes = 0;

	if (!(e->crits = calloc(n + 1, sizeof *e->crits)))
		return -ENOMEM;
	for (size_t w = 0; w < n; w++) {
		const char *name = words[w] + (words[w][0] == '!');
		struct rr__crit *c = &e->crits[e->ncrits];
		size_t k = 0;

		while (k < sizeof crit_names / sizeof crit_names[0] &&
		       strcasecmp(crit_names[k].name, name))
			k++;
		if (k == sizeof crit_names / sizeof crit_names[0]) {
			snprintf(why, whylen, "unsupported attribute %s", name);
			return -EINVAL;
		}
		*c = (struct rr__crit){ .kind = crit_names[k].kind,
					.negate = words[w][0] == '!' };
		e->ncrits++;
		if (c->kind == RR__CRIT_ALL) {
			if (attributes > 1 || w + 1 < n) {
				snprintf(why, whylen, "'%s' cannot be combined with "
					 "other attributes", words[w]);
				return -EINVAL;
			}
			return 0;
		}
		attributes++;
		if (c->kind == RR__CRIT_CANONICAL || c->kind == RR__CRIT_FINAL)
			continue;
		if (++w == n) {
			snprintf(why, whylen, "%s: missing argument", name);
			return -EINVAL;
		}
		if (!(c->arg = strdup(words[w])))
			return -ENOMEM;
	}
	if (!attributes) {
		snprintf(why, whylen, "one or more attributes required");
		return -EINVAL;
	}
	return 0;
}

/*
 * cmd through the user's shell, as ssh runs it: $SHELL, else /bin/sh, its
 * stdin and stdout /dev/null, its stderr ours.  1 when it exits 0, 0 when
 * it exits otherwise, -errno when it cannot run or is killed.
 */
static int run_exec(const char *cmd)
{
	const char *shell = getenv("SHELL");
	posix_spawn_file_actions_t fa;
	char dash_c[] = "-c", *argv[] = { NULL, dash_c, (char *)cmd, NULL };
	pid_t pid;
	int r, status;

	if (!shell || !*shell)
		shell = "/bin/sh";
	argv[0] = (char *)shell;
	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!r)
		r = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!r)
		r = posix_spawn(&pid, shell, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status) == 0;
}

/* The tokens Match exec takes, for the host as it stands. */
static int exec_command(const struct rr__crit *c, const struct rr__match_ctx *x,
			const char *host, const char *user, unsigned port,
			char **cmd)
{
	char this_host[NI_MAXHOST] = "", why[96];
	const struct rr_sshcfg_tokens t = {
		.home = x->q->home, .local_user = x->q->local_user,
		.hostname = host, .alias = x->q->alias, .key_alias = host,
		.user = user, .port = port, .this_host = this_host,
		.uid = (unsigned)getuid(),
	};
	int r;

	gethostname(this_host, sizeof this_host - 1);
	r = rr__sshcfg_expand(c->arg, &t, RR_SSHCFG_TOKENS_EXEC, false, cmd, why,
			      sizeof why);
	if (r == -EINVAL)
		snprintf(x->err, x->errlen, "exec: %s", why);
	return r;
}

/* One criterion: 1 it holds, 0 not, -errno. */
static int criterion(const struct rr__crit *c, const struct rr__match_ctx *x,
		     const char *host, bool so_far)
{
	const char *user = x->q->user ? x->q->user :
			   x->h->user ? x->h->user : x->q->local_user;
	unsigned port = x->q->port ? x->q->port : x->h->port ? x->h->port : 22;
	char *cmd;
	int r;

	switch (c->kind) {
	case RR__CRIT_CANONICAL:
	case RR__CRIT_FINAL:
		return x->final;
	case RR__CRIT_HOST:
		return list_matches(host, c->arg, true);
	case RR__CRIT_ORIGINALHOST:
		return list_matches(x->q->alias, c->arg, true);
	case RR__CRIT_USER:
		return list_matches(user, c->arg, false);
	case RR__CRIT_LOCALUSER:
		return list_matches(x->q->local_user, c->arg, false);
	case RR__CRIT_EXEC:
		if (!so_far)
			return 0; /* ssh runs it only when all before it held */
		if ((r = exec_command(c, x, host, user, port, &cmd)) < 0)
			return r;
		r = run_exec(cmd);
		if (r < 0)
			snprintf(x->err, x->errlen, "exec '%s': %s", cmd,
				 r == -EINTR ? "killed by a signal" : strerror(-r));
		free(cmd);
		return r;
	default:
		return 1;
	}
}

/* The host Match host sees: the final name, else HostName's %h (in its
   own case: the criterion lower-cases it), else the alias. */
static int match_host(const struct rr__match_ctx *x, char **host)
{
	const struct rr_sshcfg_tokens t = { .hostname = x->q->alias };
	char why[96];
	int r;

	if (x->final || !x->h->hostname)
		return (*host = strdup(x->final ? x->h->host : x->q->alias)) ?
		       0 : -ENOMEM;
	r = rr__sshcfg_expand(x->h->hostname, &t, RR_SSHCFG_TOKENS_HOSTNAME, false,
			      host, why, sizeof why);
	if (r == -EINVAL)
		snprintf(x->err, x->errlen, "%s: HostName: %s",
			 x->h->at[RR_SSHCFG_HOSTNAME], why);
	return r;
}

int rr__cfg_match_eval(const struct rr_sshcfg_entry *e,
		       const struct rr__match_ctx *x)
{
	bool result = true;
	char *host;
	int r = match_host(x, &host);

	if (r < 0)
		return r;
	for (size_t k = 0; r == 0 && k < e->ncrits; k++) {
		const struct rr__crit *c = &e->crits[k];
		int hit = criterion(c, x, host, result);

		if (hit < 0) {
			char why[256];

			snprintf(why, sizeof why, "%s", x->err);
			snprintf(x->err, x->errlen, "%s: Match: %s", e->at, why);
			r = hit;
		} else if (c->kind == RR__CRIT_ALL) {
			result = result && !c->negate;
		} else if (c->kind != RR__CRIT_EXEC || result) {
			result = result && hit != c->negate;
		}
	}
	free(host);
	return r < 0 ? r : result;
}

int rr__cfg_host_name(const struct rr_sshcfg_host *h,
		      const struct rr_sshcfg_query *q, char *out, size_t size,
		      char *err, size_t errlen)
{
	const struct rr_sshcfg_tokens t = { .hostname = q->alias };
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *ai;
	char why[96], addr[NI_MAXHOST], *name = NULL;
	int r = 0;

	if (!h->hostname)
		name = strdup(q->alias);
	else if ((r = rr__sshcfg_expand(h->hostname, &t, RR_SSHCFG_TOKENS_HOSTNAME,
					false, &name, why, sizeof why)) == -EINVAL)
		snprintf(err, errlen, "%s: HostName: %s", h->at[RR_SSHCFG_HOSTNAME],
			 why);
	if (r < 0 || !name)
		return r < 0 ? r : -ENOMEM;
	if (strlen(name) >= size) {
		if (h->hostname)
			snprintf(err, errlen, "%s: HostName: longer than %zu bytes",
				 h->at[RR_SSHCFG_HOSTNAME], size - 1);
		else
			snprintf(err, errlen, "a host name longer than %zu bytes",
				 size - 1);
		free(name);
		return -EINVAL;
	}
	strcpy(out, name);
	free(name);
	if (getaddrinfo(out, NULL, &hints, &ai) != 0) {
		lower_case(out);
		return 0;
	}
	/* an address as getnameinfo() writes it, when it differs beyond case */
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0,
			NI_NUMERICHOST) == 0 && strcasecmp(addr, out) != 0 &&
	    strlen(addr) < size)
		strcpy(out, addr);
	freeaddrinfo(ai);
	return 0;
}
