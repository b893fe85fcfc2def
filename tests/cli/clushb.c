/*
 * -o collate against the real tools: the same remote commands, over one
 * harness sshd on NHOSTS loopback addresses, run by clush -b, clush -B and
 * pdsh | dshbak -c, and by ringrun -b, -B and --collate-style dshbak -b;
 * the outputs compared (how, and what is left out, is said in the cases'
 * file, tests/data/collate/clushb.txt).  The cases are that file's and
 * more generated from a fixed seed.  Each case runs its six programs at
 * once; the agreement rates go to stderr and must be 100%.
 */
#define _GNU_SOURCE /* open_memstream, memmem, strchrnul, vasprintf */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/guard.h"
#include "../common/where.h"
#include "harness.h"
#include "sshd.h"

#define NHOSTS 10
#define NDOWN 4          /* unreachable hosts a case may have */
#define DOWN "127.0.200." /* a net no harness listens on */
#define NGENERATED 8
#define NCASES 64
#define RULE "---------------"

/* The three comparisons. */
enum mode { M_CLUSH_B, M_CLUSH_BIG_B, M_DSHBAK, NMODES };
static const char mode_letter[] = "bBd";
static const char *const mode_name[NMODES] = {
	"clush -b", "clush -B", "pdsh | dshbak -c",
};

struct ocase {
	char name[64];
	char *action[NHOSTS + 1]; /* 1-based; NULL: prints nothing */
	int down;
	char skip[NMODES + 1];    /* the letters of the modes left out */
	unsigned order;           /* seeds the order of the host list */
};

static struct ocase cases[NCASES];
static size_t ncases;

/* A fixed sequence, the same with every libc. */
static unsigned next_rand(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* ------------------------------------------------------------ the cases */

static const char *data_path(void)
{
	static char path[PATH_MAX];
	const char *harness = where_sshd_harness();
	const char *tail = strstr(harness, "sshd/sshd-harness.sh");

	cr_assert_not_null(tail, "%s", harness);
	snprintf(path, sizeof path, "%.*sdata/collate/clushb.txt",
		 (int)(tail - harness), harness);
	return path;
}

static void add_skip(struct ocase *c, char m)
{
	if (!strchr(c->skip, m))
		c->skip[strlen(c->skip)] = m;
}

/* "A[-B] COMMAND", "down N", "skip MODES REASON" of the current case. */
static void read_line(struct ocase *c, char *line, int lineno)
{
	int a, b, n;

	if (sscanf(line, "down %d%n", &a, &n) == 1 && !line[n]) {
		cr_assert(a >= 1 && a <= NDOWN, "line %d: down %d", lineno, a);
		c->down = a;
	} else if (strncmp(line, "skip ", 5) == 0) {
		for (char *m = line + 5; *m && *m != ' '; m++) {
			cr_assert(strchr(mode_letter, *m), "line %d: mode %c", lineno, *m);
			add_skip(c, *m);
		}
	} else if (sscanf(line, "%d-%d %n", &a, &b, &n) == 2 ||
		   (sscanf(line, "%d %n", &a, &n) == 1 && (b = a))) {
		cr_assert(a >= 1 && a <= b && b <= NHOSTS, "line %d: hosts", lineno);
		for (int h = a; h <= b; h++)
			c->action[h] = strdup(line + n);
	} else {
		cr_assert_fail("%s:%d: not a case line: %s", data_path(), lineno, line);
	}
}

static void read_cases(void)
{
	FILE *f = fopen(data_path(), "r");
	char line[1024];
	int lineno = 0;
	struct ocase *c = NULL;

	cr_assert_not_null(f, "%s", data_path());
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (strncmp(line, "case ", 5) == 0) {
			cr_assert_lt(ncases, NCASES);
			c = &cases[ncases++];
			snprintf(c->name, sizeof c->name, "%.60s", line + 5);
			c->order = (unsigned)ncases * 2654435761u;
			continue;
		}
		cr_assert_not_null(c, "line %d: before any case", lineno);
		read_line(c, line, lineno);
	}
	fclose(f);
}

/*
 * K outputs of 1-3 lines for the hosts at random; an exit status of 0, 1
 * or 2; now and then a stderr line besides (not compared under -B: which
 * stream clush reads first is a race), an output on stderr only, silence,
 * or an unreachable host.
 */
static void generate(unsigned *seed, int g)
{
	struct ocase *c = &cases[ncases++];
	unsigned k = 1 + next_rand(seed) % 4;

	snprintf(c->name, sizeof c->name, "generated %d (%u outputs)", g, k);
	c->order = next_rand(seed);
	c->down = next_rand(seed) % 3 == 0;
	for (int h = 1; h <= NHOSTS; h++) {
		unsigned out = next_rand(seed) % k, kind = next_rand(seed) % 8;
		unsigned rc = next_rand(seed) % 5;
		char s[256];
		int n = snprintf(s, sizeof s, "printf '%%s\\n'");

		for (unsigned l = 0; l <= out % 3; l++)
			n += snprintf(s + n, sizeof s - (size_t)n, " 'out %u line %u'", out, l);
		if (kind == 0)
			n = snprintf(s, sizeof s, "true");
		else if (kind == 1)
			n += snprintf(s + n, sizeof s - (size_t)n, " >&2");
		else if (kind == 2) {
			n += snprintf(s + n, sizeof s - (size_t)n, "; echo warn %d >&2", h % 2);
			add_skip(c, 'B');
		}
		if (rc >= 3)
			snprintf(s + n, sizeof s - (size_t)n, "; exit %u", rc - 2);
		c->action[h] = strdup(s);
	}
}

/* ------------------------------------------------------------ running */

/* Every host's action, chosen by the address it was reached at. */
static char *command(const struct ocase *c)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	fputs("set -- $SSH_CONNECTION; case $3 in ", f);
	for (int h = 1; h <= NHOSTS; h++)
		if (c->action[h])
			fprintf(f, "127.0.1.%d) %s;; ", h, c->action[h]);
	fputs("esac", f);
	fclose(f);
	return s;
}

/* The hosts, reachable or not, in an order of the case's own. */
static char *host_list(const struct ocase *c)
{
	char names[NHOSTS + NDOWN][32], *s = NULL;
	int n = 0;
	unsigned seed = c->order | 1;
	size_t len = 0;
	FILE *f;

	for (int h = 1; h <= NHOSTS; h++)
		snprintf(names[n++], sizeof names[0], "127.0.1.%d", h);
	for (int d = 1; d <= c->down; d++)
		snprintf(names[n++], sizeof names[0], DOWN "%d", d);
	for (int k = n - 1; k > 0; k--) {
		int j = (int)(next_rand(&seed) % (unsigned)(k + 1));
		char t[32];

		memcpy(t, names[k], sizeof t);
		memcpy(names[k], names[j], sizeof t);
		memcpy(names[j], t, sizeof t);
	}
	f = open_memstream(&s, &len);
	for (int k = 0; k < n; k++)
		fprintf(f, "%s%s", k ? "," : "", names[k]);
	fclose(f);
	return s;
}

/* Which stream of which program: the tools', then ringrun's. */
struct runs {
	struct proc_result tool[NMODES], ours[NMODES];
};

static void run_case(const struct ocase *c, struct runs *r)
{
	char *cmd = command(c), *list = host_list(c);
	const char *ssh_opt = cli_expand("-F @DIR/ssh_config");
	const char *xdg = cli_expand("XDG_CONFIG_HOME=@DIR");
	const char *clush_b[] = { "env", xdg, "clush", "-b", "-o", ssh_opt, "-w", list,
				  cmd, NULL };
	const char *clush_big_b[] = { "env", xdg, "clush", "-B", "-o", ssh_opt, "-w",
				      list, cmd, NULL };
	const char *pdsh[] = { "sh", "-c",
			       "PDSH_SSH_ARGS_APPEND=$1 pdsh -R ssh -w \"$2\" \"$3\" | "
			       "dshbak -c", "sh", ssh_opt, list, cmd, NULL };
	const char *const *tools[NMODES] = { clush_b, clush_big_b, pdsh };
	const char *const ours_args[NMODES][4] = {
		{ "-b" }, { "-B" }, { "--collate-style", "dshbak", "-b" },
	};
	struct proc p[2 * NMODES];

	for (int m = 0; m < NMODES; m++) {
		const char *args[24] = { ringrun_bin() };
		size_t n = 1 + cli_login(args + 1, NULL, NULL);

		for (int k = 0; ours_args[m][k]; k++)
			args[n++] = ours_args[m][k];
		args[n++] = "-w";
		args[n++] = list;
		args[n++] = cmd;
		proc_start(&p[m], tools[m], false);
		proc_start(&p[NMODES + m], args, false);
	}
	for (int m = 0; m < NMODES; m++) {
		proc_finish(&p[m], NULL, 0, HANG_GUARD_MS, &r->tool[m]);
		proc_finish(&p[NMODES + m], NULL, 0, HANG_GUARD_MS, &r->ours[m]);
	}
	free(cmd);
	free(list);
}

static void runs_free(struct runs *r)
{
	for (int m = 0; m < NMODES; m++) {
		proc_result_free(&r->tool[m]);
		proc_result_free(&r->ours[m]);
	}
}

/* ------------------------------------------------------------ comparing */

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	cr_assert_geq(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * s's lines that keep(line) wants, sorted, each ending in a newline
 * (malloc'd); *dropped counts those about an unreachable host.  "clush: "
 * reads "ringrun: ".
 */
static char *sorted_lines(const char *s, bool (*keep)(const char *), int *dropped)
{
	char *copy = strdup(s), *save = NULL, **lines = NULL, *out = NULL;
	size_t n = 0, len = 0;
	FILE *f;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		/* clush's progress ("clush: 3/10\r", erased with spaces) */
		if (strrchr(l, '\r'))
			l = strrchr(l, '\r') + 1;
		if (!*l)
			continue;
		if (strstr(l, DOWN)) {
			++*dropped;
			continue;
		}
		if (!keep(l))
			continue;
		lines = realloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = l;
	}
	if (n)
		qsort(lines, n, sizeof *lines, by_string);
	f = open_memstream(&out, &len);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s%s\n", strncmp(lines[k], "clush: ", 7) ? "" : "ringrun: ",
			lines[k] + (strncmp(lines[k], "clush: ", 7) ? 0 : 7));
	fclose(f);
	free(lines);
	free(copy);
	return out;
}

static bool every_line(const char *l)
{
	(void)l;
	return true;
}

/* pdsh's and ringrun's own lines have no twin: the hosts' lines only. */
static bool host_line(const char *l)
{
	return strncmp(l, "pdsh@", 5) && strncmp(l, "ringrun: ", 9);
}

/* clush -B's stdout without the groups of unreachable hosts (ssh's words). */
static char *without_down_groups(const char *s)
{
	char *out = strdup(s), *w = out;
	const char *p = s;
	bool dropping = false;

	while (*p) {
		const char *eol = strchrnul(p, '\n');
		const char *next = *eol ? eol + 1 : eol;

		/* A header: the rule, the hosts, the rule. */
		if (strncmp(p, RULE "\n", sizeof RULE) == 0) {
			const char *hosts = next, *end = strchrnul(hosts, '\n');

			dropping = memmem(hosts, (size_t)(end - hosts), DOWN, strlen(DOWN));
		}
		if (!dropping) {
			memcpy(w, p, (size_t)(next - p));
			w += next - p;
		}
		p = next;
	}
	*w = '\0';
	return out;
}

/* Why tool and ringrun disagree in mode m; NULL: they agree. */
static char *disagreement(const struct ocase *c, enum mode m,
			  const struct proc_result *tool,
			  const struct proc_result *ours)
{
	char *want_out = m == M_CLUSH_BIG_B ? without_down_groups(tool->out) :
			 strdup(tool->out);
	bool (*keep)(const char *) = m == M_DSHBAK ? host_line : every_line;
	int tool_down = 0, our_down = 0;
	char *want_err = sorted_lines(tool->err, keep, &tool_down);
	char *got_err = sorted_lines(ours->err, keep, &our_down);
	char *why = NULL;

	if (strcmp(want_out, ours->out))
		why = format("stdout:\n%s\n-- but ringrun printed:\n%s", want_out,
			 ours->out);
	else if (strcmp(want_err, got_err))
		why = format("stderr (sorted):\n%s\n-- but ringrun printed:\n%s",
			 want_err, got_err);
	else if ((c->down > 0) != (tool_down > 0) || (c->down > 0) != (our_down > 0))
		why = format("unreachable hosts: %d, said %d times, ringrun %d",
			 c->down, tool_down, our_down);
	free(want_out);
	free(want_err);
	free(got_err);
	return why;
}

/* ------------------------------------------------------------ the test */

static void write_ssh_config(void)
{
	cli_write_file("ssh_config",
		       "Host *\n"
		       "  Port @PORT\n"
		       "  IdentityFile @KEY\n"
		       "  IdentitiesOnly yes\n"
		       "  IdentityAgent none\n"
		       "  UserKnownHostsFile @KH\n"
		       "  GlobalKnownHostsFile /dev/null\n"
		       "  StrictHostKeyChecking yes\n"
		       "  BatchMode yes\n"
		       /* One connection per host for all the tools' runs, each
			  stopped when the test ends (down()); the limit only
			  for a test that crashed before. */
		       "  ControlMaster auto\n"
		       "  ControlPath @DIR/cm-%C\n"
		       "  ControlPersist 60\n");
}

/* Each host's master connection made first, one at a time, and listening
   when its ssh returns: two of the tools' ssh starting at once on a host
   with none would both try to be its master, and the loser says
   "ControlSocket ... already exists, disabling multiplexing" on stderr. */
static void masters_up(void)
{
	for (int h = 1; h <= NHOSTS; h++) {
		char host[32];
		const char *argv[] = { "ssh", "-F", cli_expand("@DIR/ssh_config"), host,
				       "true", NULL };
		struct proc_result r;

		snprintf(host, sizeof host, "127.0.1.%d", h);
		run_prog(argv, NULL, 0, HANG_GUARD_MS, &r);
		cr_assert_eq(r.status, 0, "ssh %s: %s", host, r.err);
		proc_result_free(&r);
	}
}

/* NHOSTS addresses on one sshd that lets every connection of a case in. */
static void up(void)
{
	char n[8], *s;
	const char *start[] = { "start", NULL, n, "0", "MaxStartups 400", NULL };

	cli_dir_up("clushb");
	start[1] = cli.dir;
	snprintf(n, sizeof n, "%d", NHOSTS);
	cli.up = true;
	cr_assert_eq(cli_harness(start), 0, "%s", cli_slurp_or_empty("harness.log"));
	s = cli_slurp("port");
	cr_assert_not_null(s);
	snprintf(cli.port, sizeof cli.port, "%.*s", (int)strcspn(s, "\n"), s);
	free(s);
	snprintf(cli.key, sizeof cli.key, "%s/client_ed25519", cli.dir);
	snprintf(cli.kh, sizeof cli.kh, "%s/known_hosts", cli.dir);
	write_ssh_config();
	masters_up();
}

/* The tools' ssh connections stopped by their masters, then the sshd. */
static void down(void)
{
	for (int h = 1; h <= NHOSTS; h++) {
		char host[32];
		const char *argv[] = { "ssh", "-F", cli_expand("@DIR/ssh_config"), "-O",
				       "exit", host, NULL };
		struct proc_result r;

		snprintf(host, sizeof host, "127.0.1.%d", h);
		run_prog(argv, NULL, 0, HANG_GUARD_MS, &r);
		proc_result_free(&r);
	}
	cli_dir_down();
}

Test(cli_clushb, oracles, .init = up, .fini = down, .timeout = TEST_TIMEOUT)
{
	unsigned seed = 20261206;
	int agree[NMODES] = { 0 }, total[NMODES] = { 0 }, left[NMODES] = { 0 };
	char *first = NULL;

	read_cases();
	for (int g = 1; g <= NGENERATED; g++)
		generate(&seed, g);
	for (size_t k = 0; k < ncases; k++) {
		const struct ocase *c = &cases[k];
		struct runs r;

		run_case(c, &r);
		for (int m = 0; m < NMODES; m++) {
			char *why;

			if (strchr(c->skip, mode_letter[m])) {
				left[m]++;
				continue;
			}
			total[m]++;
			why = disagreement(c, m, &r.tool[m], &r.ours[m]);
			if (!why)
				agree[m]++;
			else if (!first)
				first = format("%s, %s: %s", c->name, mode_name[m], why);
			free(why);
		}
		runs_free(&r);
	}
	for (int m = 0; m < NMODES; m++)
		fprintf(stderr, "oracle %s: %d/%d (%d left out, as the cases say)\n",
			mode_name[m], agree[m], total[m], left[m]);
	for (size_t k = 0; k < ncases; k++)
		for (int h = 1; h <= NHOSTS; h++)
			free(cases[k].action[h]);
	cr_assert_null(first, "%s", first);
}
