/* cli/options.c: every option, its forms, and every usage error. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "parse.h"

static struct options o;
static char err[256];

#define PARSE(...) PARSE_OPTIONS(&o, err, __VA_ARGS__)
#define EXPECT_ERROR(r, msg) expect_usage_error(&o, err, r, msg)

Test(unit_options, defaults)
{
	cr_assert_eq(PARSE("echo", "hi"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert_str_eq(o.cmd[0], "echo");
	cr_assert_str_eq(o.cmd[1], "hi");
	cr_assert_eq(o.jobs, PARSE_NCPU);
	cr_assert_eq(o.output, OUT_GROUP);
	cr_assert_null(o.args_file);
	cr_assert_null(o.commands_file);
	cr_assert_not(o.has_list || o.exec || o.keep_order || o.discard ||
		      o.stats || o.help || o.version);
	cr_assert_eq(o.timeout_ms, 0);
	cr_assert_eq(o.idle_timeout_ms, 0);
}

Test(unit_options, every_option_short)
{
	cr_assert_eq(PARSE("-a", "in.txt", "-X", "-j", "3", "-t", "1.5", "-o",
			   "json", "-k", "cmd"), 0, "%s", err);
	cr_assert_str_eq(o.args_file, "in.txt");
	cr_assert(o.exec);
	cr_assert_eq(o.jobs, 3);
	cr_assert_eq(o.timeout_ms, 1500);
	cr_assert_eq(o.output, OUT_JSON);
	cr_assert(o.keep_order);
	cr_assert_eq(PARSE("-C", "-", "-o", "quiet"), 0, "%s", err);
	cr_assert_str_eq(o.commands_file, "-");
	cr_assert_eq(o.output, OUT_QUIET);
	cr_assert_eq(o.ncmd, 0);
}

Test(unit_options, every_option_long)
{
	cr_assert_eq(PARSE("--args", "f", "--exec", "--jobs", "7", "--timeout",
			   "2", "--idle-timeout", "0.25", "--output", "stream",
			   "--keep-order", "--discard", "--stats", "cmd"), 0,
		     "%s", err);
	cr_assert_str_eq(o.args_file, "f");
	cr_assert(o.exec && o.keep_order && o.discard && o.stats);
	cr_assert_eq(o.jobs, 7);
	cr_assert_eq(o.timeout_ms, 2000);
	cr_assert_eq(o.idle_timeout_ms, 250);
	cr_assert_eq(o.output, OUT_STREAM);
	cr_assert_eq(PARSE("--commands", "cmds.txt"), 0, "%s", err);
	cr_assert_str_eq(o.commands_file, "cmds.txt");
}

Test(unit_options, long_with_equals)
{
	cr_assert_eq(PARSE("--args=a=b", "--jobs=50%", "--timeout=0.5",
			   "--idle-timeout=3", "--output=group", "x"), 0, "%s",
		     err);
	cr_assert_str_eq(o.args_file, "a=b");
	cr_assert_eq(o.jobs, 2);
	cr_assert_eq(o.timeout_ms, 500);
	cr_assert_eq(o.idle_timeout_ms, 3000);
	cr_assert_eq(o.output, OUT_GROUP);
}

Test(unit_options, clustered_and_attached)
{
	cr_assert_eq(PARSE("-kXj5", "cmd"), 0, "%s", err);
	cr_assert(o.keep_order && o.exec);
	cr_assert_eq(o.jobs, 5);
	cr_assert_eq(PARSE("-afile", "-t0.1", "-ostream", "cmd"), 0, "%s", err);
	cr_assert_str_eq(o.args_file, "file");
	cr_assert_eq(o.timeout_ms, 100);
	cr_assert_eq(o.output, OUT_STREAM);
}

Test(unit_options, command_ends_options)
{
	cr_assert_eq(PARSE("-k", "ls", "-l", "--stats", "-j", "9"), 0, "%s", err);
	cr_assert(o.keep_order);
	cr_assert_not(o.stats);
	cr_assert_eq(o.jobs, PARSE_NCPU);
	cr_assert_eq(o.ncmd, 5);
	cr_assert_str_eq(o.cmd[4], "9");
}

Test(unit_options, double_dash)
{
	cr_assert_eq(PARSE("-k", "--", "-weird", "-k"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert_str_eq(o.cmd[0], "-weird");
	cr_assert_str_eq(o.cmd[1], "-k");
	/* A lone "-" is a word, not an option. */
	cr_assert_eq(PARSE("-", "x"), 0, "%s", err);
	cr_assert_str_eq(o.cmd[0], "-");
}

Test(unit_options, input_list)
{
	cr_assert_eq(PARSE("echo", "{}", ":::", "a", "b c", "-k"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert(o.has_list);
	cr_assert_eq(o.nsources, 1);
	cr_assert_eq(o.sources[0].n, 3);
	cr_assert_str_eq(o.sources[0].words[1], "b c");
	cr_assert_str_eq(o.sources[0].words[2], "-k");
	cr_assert_not(o.keep_order);
	options_free(&o);
	cr_assert_eq(PARSE("echo", ":::"), 0, "%s", err);
	cr_assert(o.has_list);
	cr_assert_eq(o.sources[0].n, 0);
	options_free(&o);
}

/* GNU parallel's grammar: each source in order, -a's first. */
Test(unit_options, input_sources)
{
	cr_assert_eq(PARSE("-a", "f", "echo", ":::", "a", "b", ":::", "1",
			   "::::", "g", "h", "::::", "i", ":::", "-a"), 0,
		     "%s", err);
	cr_assert_eq(o.ncmd, 1);
	cr_assert_eq(o.nsources, 7);
	cr_assert_str_eq(o.sources[0].path, "f");
	cr_assert_not(o.sources[2].linked || o.sources[5].linked);
	options_free(&o);
	cr_assert_eq(PARSE("echo", ":::", "a", "b", ":::+", "1",
			   "::::", "g", "h", "::::+", "i", ":::", "-a"), 0,
		     "%s", err);
	cr_assert_eq(o.nsources, 6);
	cr_assert_eq(o.sources[0].n, 2);
	cr_assert(o.sources[1].linked);
	cr_assert_str_eq(o.sources[1].words[0], "1");
	cr_assert_str_eq(o.sources[2].path, "g");
	cr_assert_not(o.sources[3].linked);
	cr_assert_str_eq(o.sources[4].path, "i");
	cr_assert(o.sources[4].linked);
	cr_assert_str_eq(o.sources[5].words[0], "-a");
	options_free(&o);
	cr_assert_eq(PARSE("-a", "f", "-a", "g", "-n", "2", "--colsep", ",",
			   "--shuf", "--quote", "echo"), 0, "%s", err);
	cr_assert_eq(o.nsources, 2);
	cr_assert_eq(o.max_args, 2);
	cr_assert_str_eq(o.colsep, ",");
	cr_assert(o.shuf && o.quote && !o.dry_run);
	options_free(&o);
	cr_assert_eq(PARSE("-q", "--max-replace-args", "3", "echo", ":::", "x"),
		     0, "%s", err);
	cr_assert(o.dry_run);
	cr_assert_eq(o.max_replace_args, 3);
	options_free(&o);
	cr_assert_eq(PARSE("-0", "echo", ":::", "x", "::::", "f"), 0, "%s", err);
	cr_assert_eq(o.input_sep, '\0');
	options_free(&o);
	EXPECT_ERROR(PARSE("-0", "echo", ":::", "x"), "-0: needs -a, :::: or -C");
}

/* A word of the grammar ringrun does not know is refused, never a word of
   the command (exit 2). */
Test(unit_options, input_grammar_errors)
{
	EXPECT_ERROR(PARSE("echo", ":::+", "a"),
		     "':::+': no input list before it to link to");
	EXPECT_ERROR(PARSE("echo", "::::+", "f"),
		     "'::::+': no input list before it to link to");
	EXPECT_ERROR(PARSE("-a", "f", "echo", ":::+", "a"),
		     "':::+': no input list before it to link to");
	EXPECT_ERROR(PARSE("-a", "f", "echo", ":::", "a", ":::+", "b"),
		     "':::+': cannot be combined with -a: use :::: FILE for its list");
	EXPECT_ERROR(PARSE("-a", "f", "echo", "::::", "g", "::::+", "h"),
		     "'::::+': cannot be combined with -a: use :::: FILE for its list");
	EXPECT_ERROR(PARSE("echo", "::::"), "'::::': no FILE after it");
	EXPECT_ERROR(PARSE("echo", ":::", "a", "::::", ":::", "b"),
		     "'::::': no FILE after it");
	const char *const bad[] = { "::::-", ":::x", ":::::", ":::++", "::::++",
				    ":::-", NULL };
	for (const char *const *b = bad; *b; b++) {
		char want[128];

		snprintf(want, sizeof want, "'%s': not a word of the input "
			 "grammar (:::, :::+, ::::, ::::+)", *b);
		EXPECT_ERROR(PARSE("echo", ":::", "a", *b, "x"), want);
		EXPECT_ERROR(PARSE("echo", *b), want);
	}
	EXPECT_ERROR(PARSE("-a", "-", "echo", "::::", "-"),
		     ":::: -: stdin is already the input of -a -");
	EXPECT_ERROR(PARSE("-C", "-", "-a", "-"),
		     "-a -: stdin is already the input of -C -");
	EXPECT_ERROR(PARSE("-n", "0", "echo"), "-n: 0: out of range");
	EXPECT_ERROR(PARSE("--max-replace-args", "x", "echo"),
		     "--max-replace-args: x: not a number");
	EXPECT_ERROR(PARSE("-n", "2", "--max-replace-args", "2", "echo", ":::", "a"),
		     "-n: cannot be combined with --max-replace-args");
	EXPECT_ERROR(PARSE("--colsep", "(", "echo", ":::", "a"),
		     "--colsep: (: Unmatched ( or \\(");
	EXPECT_ERROR(PARSE("--colsep", "", "echo", ":::", "a"),
		     "--colsep: empty regular expression");
	EXPECT_ERROR(PARSE("--colsep", ",", "echo"),
		     "--colsep: cannot be combined with no input: there is nothing "
		     "to combine");
	EXPECT_ERROR(PARSE("-n", "2", "-C", "f"),
		     "-n: cannot be combined with -C: its lines are commands");
}

Test(unit_options, help_and_version_win)
{
	cr_assert_eq(PARSE("-h", "--bogus"), 0, "%s", err);
	cr_assert(o.help);
	cr_assert_eq(PARSE("--help"), 0, "%s", err);
	cr_assert(o.help);
	cr_assert_eq(PARSE("-V"), 0, "%s", err);
	cr_assert(o.version);
	cr_assert_eq(PARSE("-k", "--version", "-j", "x"), 0, "%s", err);
	cr_assert(o.version);
}

Test(unit_options, unknown_options)
{
	EXPECT_ERROR(PARSE("-Z", "x"), "-Z: unknown option");
	EXPECT_ERROR(PARSE("-kZ", "x"), "-Z: unknown option");
	EXPECT_ERROR(PARSE("--bogus", "x"), "--bogus: unknown option");
	EXPECT_ERROR(PARSE("--bogus=1", "x"), "--bogus: unknown option");
	EXPECT_ERROR(PARSE("--job", "2", "x"), "--job: unknown option");
}

Test(unit_options, missing_arguments)
{
	EXPECT_ERROR(PARSE("-j"), "-j: missing argument");
	EXPECT_ERROR(PARSE("-a"), "-a: missing argument");
	EXPECT_ERROR(PARSE("--timeout"), "--timeout: missing argument");
	EXPECT_ERROR(PARSE("--jobs=", "x"), "--jobs: missing argument");
	EXPECT_ERROR(PARSE("--stats=yes", "x"), "--stats: takes no argument");
}

Test(unit_options, bad_values)
{
	EXPECT_ERROR(PARSE("-j", "abc", "x"), "-j: abc: not a number");
	EXPECT_ERROR(PARSE("--jobs", "-1", "x"), "--jobs: -1: not a number");
	EXPECT_ERROR(PARSE("-j", "99999999999", "x"), "-j: 99999999999: out of range");
	EXPECT_ERROR(PARSE("-t", "soon", "x"), "-t: soon: not a number");
	EXPECT_ERROR(PARSE("--idle-timeout", "1e3", "x"),
		     "--idle-timeout: 1e3: not a number");
	EXPECT_ERROR(PARSE("-o", "fancy", "x"),
		     "-o: fancy: unknown mode (group, stream, json, quiet, collate, pssh, "
		     "pssh-inline, pssh-print)");
}

Test(unit_options, missing_command)
{
	EXPECT_ERROR(PARSE("-k"), "COMMAND: missing");
	EXPECT_ERROR(PARSE("--", ":::", "a"), "COMMAND: missing");
	EXPECT_ERROR(PARSE("-a", "f"), "COMMAND: missing");
	const char *const none[] = { "ringrun", NULL };
	EXPECT_ERROR(parse_options(&o, err, sizeof err, none), "COMMAND: missing");
}

Test(unit_options, conflicting_inputs)
{
	EXPECT_ERROR(PARSE("-C", "f", "--commands", "g"), "--commands: given twice");
	EXPECT_ERROR(PARSE("-a", "f", "-C", "g"), "-C: cannot be combined with -a");
	EXPECT_ERROR(PARSE("-C", "f", "echo"),
		     "-C: takes no COMMAND: each line of its file is one");
	EXPECT_ERROR(PARSE("-X", "-C", "f"),
		     "-X: cannot be combined with -C: its lines are shell commands");
}

Test(unit_jobs, values)
{
	unsigned j = 99;

	cr_assert_null(parse_jobs("4", 2, &j));
	cr_assert_eq(j, 4);
	cr_assert_null(parse_jobs("0", 2, &j));
	cr_assert_eq(j, 0);
	cr_assert_null(parse_jobs("50%", 8, &j));
	cr_assert_eq(j, 4);
	cr_assert_null(parse_jobs("200%", 3, &j));
	cr_assert_eq(j, 6);
	cr_assert_null(parse_jobs("1%", 8, &j)); /* at least 1 */
	cr_assert_eq(j, 1);
	cr_assert_null(parse_jobs("0%", 8, &j));
	cr_assert_eq(j, 1);
	cr_assert_null(parse_jobs("4294967295", 1, &j));
	cr_assert_eq(j, 4294967295u);
}

Test(unit_jobs, errors)
{
	unsigned j = 7;
	const char *bad[] = { "", "x", "4x", "%", "-1", "+2", " 4", "4 ", "4%%",
			      "1.5", NULL };

	for (const char **s = bad; *s; s++)
		cr_assert_str_eq(parse_jobs(*s, 4, &j), "not a number", "\"%s\"", *s);
	cr_assert_str_eq(parse_jobs("4294967296", 4, &j), "out of range");
	cr_assert_str_eq(parse_jobs("99999999999999999999%", 4, &j), "out of range");
	cr_assert_eq(j, 7, "an error changed the value");
}

Test(unit_seconds, values)
{
	static const struct {
		const char *s;
		uint64_t ms;
	} cases[] = {
		{ "0", 0 }, { "1", 1000 }, { "0.5", 500 }, { ".5", 500 },
		{ "5.", 5000 }, { "0.3", 300 }, { "2.25", 2250 },
		{ "0.001", 1 }, { "0.0001", 1 }, /* rounded up: never 0 */
		{ "0.1239", 124 }, { "0.1230", 123 }, { "10.000", 10000 },
		{ "86400", 86400000 },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		uint64_t ms = 42;
		cr_assert_null(parse_seconds(cases[k].s, &ms), "%s", cases[k].s);
		cr_assert_eq(ms, cases[k].ms, "%s: %llu", cases[k].s,
			     (unsigned long long)ms);
	}
}

Test(unit_seconds, errors)
{
	const char *bad[] = { "", ".", "-1", "1e3", "1.2.3", " 1", "1 ", "0x10",
			      "inf", "nan", "1,5", "1s", NULL };
	uint64_t ms = 42;

	for (const char **s = bad; *s; s++)
		cr_assert_str_eq(parse_seconds(*s, &ms), "not a number", "\"%s\"", *s);
	cr_assert_str_eq(parse_seconds("99999999999999999999", &ms), "out of range");
	cr_assert_eq(ms, 42);
}

Test(unit_output_mode, names)
{
	enum out_mode m;

	cr_assert_null(parse_output("group", &m));
	cr_assert_eq(m, OUT_GROUP);
	cr_assert_null(parse_output("stream", &m));
	cr_assert_eq(m, OUT_STREAM);
	cr_assert_null(parse_output("json", &m));
	cr_assert_eq(m, OUT_JSON);
	cr_assert_null(parse_output("quiet", &m));
	cr_assert_eq(m, OUT_QUIET);
	cr_assert_not_null(parse_output("JSON", &m));
	cr_assert_not_null(parse_output("", &m));
}

/* The help names every option the parser accepts, and vice versa. */
Test(unit_options, help_is_true)
{
	static const char *const names[] = {
		"-a, --args FILE", "-C, --commands FILE", "-j, --jobs N",
		"-X, --exec", "-t, --timeout SEC", "--idle-timeout SEC",
		"-o, --output MODE", "-k, --keep-order", "--discard", "--stats",
		"-h, --help", "-V, --version", "::: INPUT",
		"{} ", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}",
	};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		cr_assert_not_null(strstr(options_help, names[k]), "%s", names[k]);
	cr_assert_eq(PARSE("--discard", "--stats", "--idle-timeout", "1",
			   "-X", "-k", "x"), 0, "%s", err);
}

/* ------------------------------------------------------ fleet mode */

Test(unit_fleet_options, defaults)
{
	cr_assert_eq(PARSE("-w", "a,b", "uptime"), 0, "%s", err);
	cr_assert(o.fleet);
	cr_assert_eq(o.hosts.n, 2);
	cr_assert_str_eq(o.hosts.v[1].name, "b");
	cr_assert_eq(o.jobs, FLEET_JOBS);
	cr_assert_eq(o.per_host, PER_HOST_DEFAULT);
	cr_assert_eq(o.connect_timeout_ms, 10000);
	cr_assert_eq(o.hostkey, RR_HOSTKEY_STRICT);
	cr_assert_eq(o.port, 0);
	cr_assert_null(o.user);
	cr_assert_null(o.identities);
	cr_assert_null(o.known_hosts);
	cr_assert_null(o.hostfile);
	cr_assert_null(o.password_env);
	cr_assert_null(o.password_file);
	cr_assert_not(o.no_agent);
	options_free(&o);
	/* Local mode keeps the CPUs. */
	cr_assert_eq(PARSE("uptime"), 0, "%s", err);
	cr_assert_not(o.fleet);
	cr_assert_eq(o.jobs, PARSE_NCPU);
}

Test(unit_fleet_options, every_option_short)
{
	cr_assert_eq(PARSE("-w", "a", "-wb,c", "-l", "me", "-p", "2222", "-i", "k1",
			   "-ik2", "-j", "3", "cmd"), 0, "%s", err);
	cr_assert_eq(o.hosts.n, 3);
	cr_assert_str_eq(o.hosts.v[2].name, "c");
	cr_assert_str_eq(o.user, "me");
	cr_assert_eq(o.port, 2222);
	cr_assert_eq(o.nidentities, 2);
	cr_assert_str_eq(o.identities[0], "k1");
	cr_assert_str_eq(o.identities[1], "k2");
	cr_assert_null(o.identities[2]);
	cr_assert_eq(o.jobs, 3);
	options_free(&o);
}

Test(unit_fleet_options, every_option_long)
{
	cr_assert_eq(PARSE("--hosts", "a", "--hostfile", "hosts.txt", "--user", "me",
			   "--port=22", "--identity", "k", "--known-hosts", "kh",
			   "--host-key-check", "accept-new", "--connect-timeout",
			   "2.5", "--per-host", "4", "--password-env", "PW",
			   "--no-agent", "--jobs", "0", "cmd"), 0, "%s", err);
	cr_assert_eq(o.hosts.n, 1);
	cr_assert_str_eq(o.hostfile, "hosts.txt");
	cr_assert_str_eq(o.user, "me");
	cr_assert_eq(o.port, 22);
	cr_assert_str_eq(o.identities[0], "k");
	cr_assert_str_eq(o.known_hosts, "kh");
	cr_assert_eq(o.hostkey, RR_HOSTKEY_ACCEPT_NEW);
	cr_assert_eq(o.connect_timeout_ms, 2500);
	cr_assert_eq(o.per_host, 4);
	cr_assert_str_eq(o.password_env, "PW");
	cr_assert(o.no_agent);
	cr_assert_eq(o.jobs, 0);
	options_free(&o);
	cr_assert_eq(PARSE("--hostfile=-", "--password-file", "pw.txt",
			   "--host-key-check=off", "cmd"), 0, "%s", err);
	cr_assert(o.fleet);
	cr_assert_eq(o.hosts.n, 0);
	cr_assert_str_eq(o.hostfile, "-");
	cr_assert_str_eq(o.password_file, "pw.txt");
	cr_assert_eq(o.hostkey, RR_HOSTKEY_OFF);
	options_free(&o);
}

/* Fleet mode works with every input form. */
Test(unit_fleet_options, with_inputs)
{
	cr_assert_eq(PARSE("-w", "a", "-a", "-", "echo"), 0, "%s", err);
	options_free(&o);
	cr_assert_eq(PARSE("-w", "a", "-C", "cmds"), 0, "%s", err);
	options_free(&o);
	cr_assert_eq(PARSE("--hostfile", "-", "-a", "in", "echo"), 0, "%s", err);
	options_free(&o);
	cr_assert_eq(PARSE("-w", "a", "echo", ":::", "x", "y"), 0, "%s", err);
	cr_assert_eq(o.sources[0].n, 2);
	options_free(&o);
}

static void expect_fleet_error(int r, const char *msg)
{
	EXPECT_ERROR(r, msg);
	options_free(&o);
}

Test(unit_fleet_options, errors)
{
	expect_fleet_error(PARSE("-w", "a:0", "x"), "-w: 'a:0': port must be 1 to 65535");
	expect_fleet_error(PARSE("--hosts", "a,web[1-3", "x"),
			   "--hosts: 'web[1-3': column 8: unclosed '['");
	expect_fleet_error(PARSE("-w", "", "x"), "-w: '': no host in it");
	expect_fleet_error(PARSE("-w", "a", "-p", "0", "x"), "-p: 0: out of range");
	expect_fleet_error(PARSE("-w", "a", "-p", "65536", "x"), "-p: 65536: out of range");
	expect_fleet_error(PARSE("-w", "a", "--port", "ssh", "x"),
			   "--port: ssh: not a number");
	expect_fleet_error(PARSE("-w", "a", "--per-host", "0", "x"),
			   "--per-host: 0: out of range");
	expect_fleet_error(PARSE("-w", "a", "--per-host", "1001", "x"),
			   "--per-host: 1001: out of range");
	expect_fleet_error(PARSE("-w", "a", "--connect-timeout", "0", "x"),
			   "--connect-timeout: 0: out of range");
	expect_fleet_error(PARSE("-w", "a", "--connect-timeout", "5000000", "x"),
			   "--connect-timeout: 5000000: out of range");
	expect_fleet_error(PARSE("-w", "a", "--connect-timeout", "soon", "x"),
			   "--connect-timeout: soon: not a number");
	expect_fleet_error(PARSE("-w", "a", "--host-key-check", "yes", "x"),
			   "--host-key-check: yes: unknown policy (strict, accept-new, off)");
	expect_fleet_error(PARSE("-w", "a", "-l", "u", "-l", "v", "x"), "-l: given twice");
	expect_fleet_error(PARSE("--hostfile", "f", "--hostfile", "g", "x"),
			   "--hostfile: given twice");
	expect_fleet_error(PARSE("-w", "a", "--known-hosts", "f", "--known-hosts", "g", "x"),
			   "--known-hosts: given twice");
	expect_fleet_error(PARSE("-w", "a", "--password-env", "A", "--password-file", "f", "x"),
			   "--password-file: cannot be combined with --password-env");
	expect_fleet_error(PARSE("-w", "a", "-X", "x"),
			   "-X: cannot be combined with hosts: remote commands run "
			   "through the login shell");
	expect_fleet_error(PARSE("--hostfile", "-", "-a", "-", "x"),
			   "--hostfile: stdin is already the input of -a");
	expect_fleet_error(PARSE("--hostfile", "-", "-C", "-"),
			   "--hostfile: stdin is already the input of -C");
	expect_fleet_error(PARSE("-w", "a", "-i"), "-i: missing argument");
	expect_fleet_error(PARSE("-w", "a", "--no-agent=1", "x"),
			   "--no-agent: takes no argument");
	expect_fleet_error(PARSE("-w", "a"), "COMMAND: missing");
}

/* -G names its hosts and runs nothing: the host options go with it. */
Test(unit_fleet_options, print_config)
{
	cr_assert_eq(PARSE("-G", "web[1-2],root@db:2200", "-F", "cfg", "-l", "me", "-p", "2",
			   "--print-ssh-config=x"), 0, "%s", err);
	cr_assert(o.print_config);
	cr_assert_not(o.fleet);
	cr_assert_eq(o.hosts.n, 4);
	cr_assert_str_eq(o.hosts.v[2].user, "root");
	cr_assert_eq(o.hosts.v[2].port, 2200);
	options_free(&o);
	expect_fleet_error(PARSE("-G", "web", "uptime"),
			   "-G: takes no COMMAND or input: it runs nothing");
	expect_fleet_error(PARSE("-G", "web", ":::", "a"),
			   "-G: takes no COMMAND or input: it runs nothing");
	expect_fleet_error(PARSE("-G", "web", "-w", "db"),
			   "-G: cannot be combined with -w or --hostfile: -G names the hosts");
	expect_fleet_error(PARSE("-G", "a b"), "-G: 'a b': contains a space");
}

/* Options that mean nothing without hosts say so, by the name given. */
Test(unit_fleet_options, need_hosts)
{
	expect_fleet_error(PARSE("-l", "me", "x"), "-l: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--port", "22", "x"), "--port: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("-k", "-i", "key", "--no-agent", "x"),
			   "-i: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--no-agent", "x"), "--no-agent: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--password-env", "P", "x"),
			   "--password-env: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--password-file", "f", "x"),
			   "--password-file: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--known-hosts", "f", "x"),
			   "--known-hosts: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--host-key-check", "off", "x"),
			   "--host-key-check: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--connect-timeout", "1", "x"),
			   "--connect-timeout: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("--per-host", "1", "x"),
			   "--per-host: needs hosts (-w, -g or --hostfile)");
	/* Given after the hosts, or before them: the same. */
	cr_assert_eq(PARSE("-l", "me", "-w", "a", "x"), 0, "%s", err);
	options_free(&o);
}

/* -g a,src:b is -w @a,@src:b; --groups-file may be given again; -x @g. */
Test(unit_fleet_options, node_groups)
{
	char dir[] = "/tmp/rr-opt-XXXXXX", plain[64], yaml[64], want[160];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(plain, sizeof plain, "%s", file_in(dir, "groups", "web: w[1-3]\n"));
	snprintf(yaml, sizeof yaml, "%s", file_in(dir, "g.yaml", "db:\n  main: d1 d2\n"));
	cr_assert_eq(PARSE("--groups-file", plain, "-g", "web,db:main",
			   "--groups-file", yaml, "-x", "@local:web!w2", "x"), 0, "%s", err);
	cr_assert(o.fleet);
	cr_assert_eq(o.hosts.n, 5);
	hosts_exclude(&o.hosts, &o.exclude); /* as the run does */
	cr_assert_eq(o.hosts.n, 3);
	cr_assert_str_eq(o.hosts.v[0].name, "w2");
	cr_assert_str_eq(o.hosts.v[2].name, "d2");
	options_free(&o);
	cr_assert_eq(PARSE("--groups-file", plain, "-w", "@web,-/[12]$/", "x"), 0, "%s", err);
	hosts_exclude(&o.hosts, &o.exclude);
	cr_assert_eq(o.hosts.n, 1);
	cr_assert_str_eq(o.hosts.v[0].name, "w3");
	options_free(&o);
	snprintf(want, sizeof want, "-g: '@db': no group 'db' in source 'local' "
		 "(read from %s)", plain);
	expect_fleet_error(PARSE("--groups-file", plain, "-g", "db", "x"), want);
	expect_fleet_error(PARSE("--groups-file", plain, "x"),
			   "--groups-file: needs hosts (-w, -g or --hostfile)");
	unlink(plain);
	unlink(yaml);
	rmdir(dir);
}

/* pdsh's WCOLL: the host file of a run that needs hosts and names none;
   a plain run stays here. */
Test(unit_fleet_options, wcoll)
{
	cr_assert_eq(setenv("WCOLL", "nodes.txt", 1), 0);
	cr_assert_eq(PARSE("uptime"), 0, "%s", err);
	cr_assert(!o.fleet);
	cr_assert_null(o.hostfile);
	options_free(&o);
	cr_assert_eq(PARSE("-x", "n3", "uptime"), 0, "%s", err);
	cr_assert(o.fleet);
	cr_assert_str_eq(o.hostfile, "nodes.txt");
	options_free(&o);
	cr_assert_eq(PARSE("--copy", "f", "--dest", "/tmp"), 0, "%s", err);
	cr_assert_str_eq(o.hostfile, "nodes.txt");
	options_free(&o);
	cr_assert_eq(PARSE("-w", "a", "-l", "me", "uptime"), 0, "%s", err);
	cr_assert_null(o.hostfile);
	options_free(&o);
	cr_assert_eq(setenv("WCOLL", "", 1), 0);
	expect_fleet_error(PARSE("-l", "me", "x"), "-l: needs hosts (-w, -g or --hostfile)");
}

Test(unit_hostkey_policy, names)
{
	enum rr_hostkey_policy p;

	cr_assert_null(parse_hostkey("strict", &p));
	cr_assert_eq(p, RR_HOSTKEY_STRICT);
	cr_assert_null(parse_hostkey("accept-new", &p));
	cr_assert_eq(p, RR_HOSTKEY_ACCEPT_NEW);
	cr_assert_null(parse_hostkey("off", &p));
	cr_assert_eq(p, RR_HOSTKEY_OFF);
	cr_assert_not_null(parse_hostkey("no", &p));
	cr_assert_not_null(parse_hostkey("", &p));
}

/* The help names every fleet option the parser accepts. */
Test(unit_fleet_options, help_is_true)
{
	static const char *const names[] = {
		"-w, --hosts LIST", "--hostfile FILE", "-l, --user USER",
		"-p, --port PORT", "-i, --identity FILE", "--no-agent",
		"--password-env VAR", "--password-file FILE", "--known-hosts FILE",
		"--host-key-check P", "strict", "accept-new", "--connect-timeout SEC",
		"--per-host N", "hosts at once with hosts", "(default 64, 0 = all)", "---- TAG ----",
		"3 some host unreachable",
	};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		cr_assert_not_null(strstr(options_help, names[k]), "%s", names[k]);
}

/* ------------------------------------------------------ copy mode */

Test(unit_copy_options, sources_and_options_in_any_order)
{
	cr_assert_eq(PARSE("--copy", "a", "b/", "--dest", "/tmp/x", "-r", "-w", "h1,h2",
			   "--preserve", "c", "--mkdirs"), 0, "%s", err);
	cr_assert_eq(o.copy, COPY_PUT);
	cr_assert_eq(o.nsrcs, 3);
	cr_assert_str_eq(o.srcs[0], "a");
	cr_assert_str_eq(o.srcs[1], "b/");
	cr_assert_str_eq(o.srcs[2], "c");
	cr_assert_null(o.srcs[3]);
	cr_assert_str_eq(o.dest, "/tmp/x");
	cr_assert_eq(o.xfer_flags, RR_XFER_RECURSIVE | RR_XFER_PRESERVE | RR_XFER_MKDIRS);
	cr_assert_eq(o.hosts.n, 2);
	cr_assert_eq(o.ncmd, 0);
	options_free(&o);
	/* after --, every word is a SRC, even one that looks like an option */
	cr_assert_eq(PARSE("-w", "h", "--rcopy", "--recursive", "--", "-w", "x"), 0,
		     "%s", err);
	cr_assert_eq(o.copy, COPY_GET);
	cr_assert_eq(o.nsrcs, 2);
	cr_assert_str_eq(o.srcs[0], "-w");
	cr_assert_null(o.dest);
	cr_assert_eq(o.xfer_flags, RR_XFER_RECURSIVE);
	options_free(&o);
	/* -p is still the port */
	cr_assert_eq(PARSE("--copy", "a", "-w", "h", "-p", "2222"), 0, "%s", err);
	cr_assert_eq(o.port, 2222);
	cr_assert_eq(o.xfer_flags, 0);
	options_free(&o);
}

Test(unit_copy_options, errors)
{
	expect_fleet_error(PARSE("--copy", "a"), "--copy: needs hosts (-w, -g or --hostfile)");
	expect_fleet_error(PARSE("-w", "h", "--rcopy"), "--rcopy: no SRC given");
	expect_fleet_error(PARSE("--copy", "--rcopy", "a", "-w", "h"),
			   "--rcopy: cannot be combined with --copy");
	expect_fleet_error(PARSE("-r", "-w", "h", "ls"), "-r: needs --copy or --rcopy");
	expect_fleet_error(PARSE("--dest", "d", "ls"), "--dest: needs --copy or --rcopy");
	expect_fleet_error(PARSE("--copy", "a", "--dest", "d", "--dest", "e", "-w", "h"),
			   "--dest: given twice");
	expect_fleet_error(PARSE("--copy", "a", "--dest=", "-w", "h"),
			   "--dest: missing argument");
	expect_fleet_error(PARSE("--copy", "a", "-w", "h", "-a", "f"),
			   "-a: cannot be combined with --copy: a copy runs no command");
	expect_fleet_error(PARSE("--rcopy", "a", "-w", "h", "--tty"),
			   "--tty: cannot be combined with --rcopy: a copy runs no command");
	expect_fleet_error(PARSE("--copy", "a", "-w", "h", "-o", "collate"),
			   "-o collate: cannot be combined with --copy: a copy runs no command");
	expect_fleet_error(PARSE("--copy", "a", "-w", "h", "--ssh", "exec"),
			   "--ssh=exec: cannot be combined with --copy: a copy runs no command");
	expect_fleet_error(PARSE("--copy", "a", "-w", "h", "--kill-grace", "1"),
			   "--kill-grace: cannot be combined with --copy: a copy runs no command");
}

Test(unit_copy_options, help_is_true)
{
	static const char *const names[] = {
		"--copy SRC...", "--rcopy SRC...", "--dest PATH", "-r, --recursive",
		"--preserve", "--mkdirs", "-p is --port",
	};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		cr_assert_not_null(strstr(options_help, names[k]), "%s", names[k]);
}
