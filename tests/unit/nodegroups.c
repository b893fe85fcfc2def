/*
 * cli/hosts: node groups (@group, @source:group) against ClusterShell, the
 * real one as the oracle.  A groups.conf in a temporary directory names
 * tests/data/hosts/groups.yaml (its autodir) and local.cfg (its [local]
 * source); ringrun reads it as --groups-file, ClusterShell's NodeSet with a
 * GroupResolverConfig of that file (never the machine's /etc).  The cases
 * of tests/data/hosts/groups.txt, then seeded random ones, are compared as
 * sets.  Then what ringrun alone says: errors, the default files.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "util/buf.h"
#include "hosts/hosts.h"
#include "seeded.h"

#define DATA "tests/data/hosts/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	cr_assert_not_null(f, "%s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static const char conf[] =
	"[Main]\n"
	"default: roles\n"
	"confdir:\n"
	"autodir: $CFGDIR/groups.d\n"
	"\n"
	"# ClusterShell's own [local]: ringrun reads the file it reads\n"
	"[local]\n"
	"map: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; "
	"sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $f\n"
	"all: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; "
	"sed -n 's/^all:\\(.*\\)/\\1/p' $f\n"
	"list: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; "
	"sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $f\n";

static char dir[64];

/* dir/groups.conf, dir/groups.d/{cluster.yaml,local.cfg}; its path. */
static const char *config(void)
{
	static char path[128], sub[96];
	char *yaml = slurp(DATA "groups.yaml"), *local = slurp(DATA "local.cfg");

	snprintf(dir, sizeof dir, "/tmp/rr-groups-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/groups.d", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	file_in(sub, "cluster.yaml", yaml);
	file_in(sub, "local.cfg", local);
	snprintf(path, sizeof path, "%s", file_in(dir, "groups.conf", conf));
	free(yaml);
	free(local);
	return path;
}

static void unconfig(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The space-separated words of s sorted, as one string (s is freed). */
static char *sorted(char *s)
{
	char **v = NULL, *save = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;

	for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
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

/* The names list comes to with groups g, sorted; NULL (err) if refused. */
static char *ringrun_expand(struct hostgroups *g, const char *list, char *err,
			    size_t errlen)
{
	struct hosts h = { .groups = g };
	struct buf b = BUF_INIT;

	if (hosts_add_list(&h, list, err, errlen) < 0) {
		hosts_free(&h);
		return NULL;
	}
	for (size_t k = 0; k < h.n; k++)
		buf_printf(&b, "%s%s", k ? " " : "", h.v[k].name);
	buf_adds(&b, "");
	hosts_free(&h);
	return sorted(buf_detach(&b));
}

/* ClusterShell on each line of lists: "ok NAMES" or "error WHY" each. */
static char **oracle(const char *conf_path, const char *lists, size_t n)
{
	static const char script[] =
		"import sys\n"
		"from ClusterShell.NodeSet import NodeSet\n"
		"from ClusterShell.NodeUtils import GroupResolverConfig\n"
		"res = GroupResolverConfig(sys.argv[1])\n"
		"for line in open(sys.argv[2]):\n"
		"    try:\n"
		"        ns = NodeSet(line.rstrip('\\n'), resolver=res)\n"
		"        print('ok', ' '.join(ns.striter()))\n"
		"    except Exception as e:\n"
		"        print('error', str(e).replace('\\n', ' '))\n";
	char cmd[512], **out = calloc(n + 1, sizeof *out), *line = NULL;
	size_t cap = 0, k = 0;
	ssize_t len;

	cr_assert_eq(setenv("RR_ORACLE", script, 1), 0);
	/* nodeset's own interpreter: the one that has its library. */
	snprintf(cmd, sizeof cmd, "py=$(sed -n '1s/^#!//p' \"$(command -v nodeset)\") "
		 "&& exec $py -c \"$RR_ORACLE\" '%s' '%s'", conf_path, lists);
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

/* A small, seeded generator: the same cases on every run and machine. */
static uint64_t rng = 0x2545f4914f6cdd1du;

static unsigned pick(unsigned n)
{
	return seeded_pick(&rng, n);
}

#define GENERATED 300

static char *gen_list(void)
{
	static const char *const refs[] = {
		"@adm", "@io", "@compute", "@gpu", "@all", "@login", "@web",
		"@roles:io", "@racks:rack1", "@racks:rack[2-3]", "@racks:old",
		"@racks:new", "@racks:rack5", "@cpu:ivy", "@cpu:hsw", "@cpu:odd",
		"@*", "@local:io", "@local:oss", "example[0-5]",
		"example[30-45/3]", "example[38-42]", "n[1-3]", "example4",
	};
	static const char ops[] = { ',', ',', '!', '&', '^' };
	struct buf b = BUF_INIT;
	unsigned n = 1 + pick(4);

	for (unsigned k = 0; k < n; k++) {
		if (k)
			buf_addc(&b, ops[pick(sizeof ops)]);
		buf_adds(&b, refs[pick(sizeof refs / sizeof *refs)]);
	}
	return buf_detach(&b);
}

/* The lists of the data file (no comments), then generated ones. */
static char **cases(size_t *ndata, size_t *n)
{
	char *text = slurp(DATA "groups.txt"), *save = NULL, **v = NULL;

	*n = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#')
			continue;
		v = realloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = strdup(l);
	}
	free(text);
	*ndata = *n;
	v = realloc(v, (*n + GENERATED) * sizeof *v);
	for (size_t k = 0; k < GENERATED; k++)
		v[(*n)++] = gen_list();
	return v;
}

Test(unit_nodegroups, expand_as_clustershell, .timeout = 120)
{
	const char *conf_path = config();
	struct hostgroups g = { 0 };
	size_t ndata, n, agree = 0, supported = 0;
	char **lists = cases(&ndata, &n), err[1024];
	struct buf all = BUF_INIT;

	for (size_t k = 0; k < n; k++)
		buf_printf(&all, "%s\n", lists[k]);
	char *path = strdup(file_in(dir, "lists", all.data));
	char **theirs = oracle(conf_path, path, n);

	hostgroups_add_file(&g, conf_path);
	for (size_t k = 0; k < n; k++) {
		char *got = ringrun_expand(&g, lists[k], err, sizeof err);

		cr_assert(strncmp(theirs[k], "ok ", 3) == 0,
			  "ClusterShell refuses '%s': %s", lists[k], theirs[k]);
		supported++;
		char *want = sorted(strdup(theirs[k] + 3));
		/* An expression that leaves nothing is refused, by design. */
		if ((got && strcmp(got, want) == 0) ||
		    (!got && !*want && strstr(err, "leave no host")))
			agree++;
		else
			cr_expect(false, "'%s': ringrun %s; nodeset -e %s", lists[k],
				  got ? got : err, want);
		free(want);
		free(got);
	}
	fprintf(stderr, "oracle nodeset (groups): %zu/%zu (%zu data, %zu generated)\n",
		agree, supported, ndata, n - ndata);
	cr_assert_eq(agree, supported);
	for (size_t k = 0; k < n; k++) {
		free(lists[k]);
		free(theirs[k]);
	}
	free(lists);
	free(theirs);
	free(path);
	buf_free(&all);
	hostgroups_free(&g);
	unconfig();
}

/* ringrun's error for list over file (NULL: groups.conf of config()). */
static void expect_error(const char *file, const char *list, const char *want)
{
	struct hostgroups g = { 0 };
	struct hosts h = { .groups = &g };
	char err[1024];

	hostgroups_add_file(&g, file);
	cr_assert_eq(hosts_add_list(&h, list, err, sizeof err), -1, "'%s' taken", list);
	cr_assert_str_eq(err, want, "for '%s': %s", list, err);
	hosts_free(&h);
	hostgroups_free(&g);
}

Test(unit_nodegroups, errors_name_the_group_and_the_files)
{
	const char *conf_path = config();
	char want[512], yaml[128], bad[128];

	snprintf(yaml, sizeof yaml, "%s/groups.d/cluster.yaml", dir);
	snprintf(want, sizeof want, "'@nope': no group 'nope' in source 'roles' "
		 "(read from %s, %s, %s/groups.d/local.cfg)", conf_path, yaml, dir);
	expect_error(conf_path, "n1,@nope", want);
	snprintf(want, sizeof want, "'@x:y': no group source 'x' "
		 "(read from %s, %s, %s/groups.d/local.cfg)", conf_path, yaml, dir);
	expect_error(conf_path, "@x:y", want);
	expect_error(conf_path, "@", "'@': no group name");

	snprintf(bad, sizeof bad, "%s", file_in(dir, "loop.yaml",
		 "loop:\n  a: '@b'\n  b: '@c,x1'\n  c: '@a'\n  d: 'x[1-'\n  e: '@d'\n"));
	expect_error(bad, "@a", "'@a': a cycle of groups: @loop:a -> @loop:b -> "
		     "@loop:c -> @loop:a");
	snprintf(want, sizeof want, "'@e': @loop:d in %s: 'x[1-': column 5: "
		 "unclosed '['", bad);
	expect_error(bad, "@e", want);

	snprintf(bad, sizeof bad, "%s", file_in(dir, "bad.yaml",
		 "s:\n  a: 'x1'\n    b: 'x2'\n"));
	snprintf(want, sizeof want, "'@a': %s: line 3: 'b': indented unlike the "
		 "groups before it (nested mappings are not read)", bad);
	expect_error(bad, "@a", want);
	snprintf(bad, sizeof bad, "%s", file_in(dir, "flow.yaml", "s:\n  a: [x1, x2]\n"));
	snprintf(want, sizeof want, "'@a': %s: line 2: '[x1, x2]': YAML's '[' is "
		 "not read here: quote the list", bad);
	expect_error(bad, "@a", want);

	snprintf(bad, sizeof bad, "%s", file_in(dir, "up.conf",
		 "[Main]\ndefault: slurm\n[slurm]\nmap: sinfo -h -o %N -p $GROUP\n"));
	snprintf(want, sizeof want, "'@p': group source 'slurm' is made by commands "
		 "(map:), which ringrun does not run (read from %s)", bad);
	expect_error(bad, "@p", want);
	unconfig();
}

Test(unit_nodegroups, plain_files_exclusions_and_host_files)
{
	struct hostgroups g = { 0 };
	struct hosts h = { .groups = &g }, x = { .groups = &g };
	char err[1024];

	config();
	hostgroups_add_file(&g, file_in(dir, "plain", "# a comment\n"
					"web: web[1-4]  db1\nweb: web9\nodd: @web!web[2-9/2]\n"));
	cr_assert_eq(hosts_select(&h, &x, "@odd,-@local:web&web9,n1", err,
				  sizeof err), -1);
	cr_assert_str_eq(err, "'-@local:web&': pdsh's -HOST takes no set operator");
	cr_assert_eq(hosts_select(&h, &x, "@odd,n1,-db1", err, sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_add_list(&x, "@local:web!web[1-8]", err, sizeof err), 0, "%s", err);
	cr_assert_eq(hosts_add_line(&h, "n2 ", 3, err, sizeof err), 0, "%s", err);
	hosts_exclude(&h, &x);
	cr_assert_eq(h.n, 4);
	cr_assert_str_eq(h.v[0].name, "web1");
	cr_assert_str_eq(h.v[1].name, "web3");
	cr_assert_str_eq(h.v[2].name, "n1");
	cr_assert_str_eq(h.v[3].name, "n2");
	hosts_free(&h);
	hosts_free(&x);
	hostgroups_free(&g);
	unconfig();
}

/* Without --groups-file: ClusterShell's directories, its own first. */
Test(unit_nodegroups, default_files)
{
	char sub[128], err[1024];
	struct hostgroups g = { 0 };
	struct hosts h = { .groups = &g };

	config();
	snprintf(sub, sizeof sub, "%s/clustershell", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	file_in(sub, "groups.conf", "[Main]\nautodir: $CFGDIR\n");
	file_in(sub, "g.yaml", "xdg:\n  g: xdg1\n");
	cr_assert_eq(setenv("XDG_CONFIG_HOME", dir, 1), 0);
	cr_assert_eq(setenv("HOME", dir, 1), 0);
	cr_assert_eq(unsetenv("CLUSTERSHELL_CFGDIR"), 0);
	cr_assert_eq(hosts_add_list(&h, "@g", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(h.v[0].name, "xdg1");
	hosts_free(&h);
	hostgroups_free(&g);

	/* $CLUSTERSHELL_CFGDIR comes first, as for ClusterShell. */
	cr_assert_eq(setenv("CLUSTERSHELL_CFGDIR", dir, 1), 0);
	h = (struct hosts){ .groups = &g };
	cr_assert_eq(hosts_add_list(&h, "@adm,@racks:rack1", err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.n, 2);
	cr_assert_str_eq(h.v[1].name, "example2");
	hosts_free(&h);
	hostgroups_free(&g);
	unconfig();
}

Test(unit_nodegroups, regex_filters)
{
	struct hosts h = { 0 }, x = { 0 };
	char err[256];

	cr_assert_eq(hosts_select(&h, &x, "/n1/,n[1-12],-/2$/", err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(hosts_select(&h, &x, "u@n13,n[1-3]!n2", err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(hosts_add_list(&x, "/^n11/", err, sizeof err), 0, "%s", err);
	hosts_exclude(&h, &x);
	cr_assert_eq(h.n, 3);
	cr_assert_str_eq(h.v[0].name, "n1");
	cr_assert_str_eq(h.v[1].name, "n10");
	cr_assert_str_eq(h.v[2].name, "u@n13");
	hosts_free(&h);
	hosts_free(&x);

	cr_assert_eq(hosts_select(&h, &x, "n1,/n{1/", err, sizeof err), -1);
	cr_assert_str_eq(err, "'/n{1/': Unmatched \\{");
	cr_assert_eq(hosts_select(&h, &x, "n1,//", err, sizeof err), -1);
	cr_assert_str_eq(err, "'//': an empty regular expression");
	cr_assert_eq(hosts_select(&h, &x, "n[1-3]&/n1/", err, sizeof err), -1);
	cr_assert_str_eq(err, "'&/n1/': pdsh's /RE/ takes no set operator");
	hosts_free(&h);
	hosts_free(&x);
}
