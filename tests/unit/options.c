/* cli/options.c: every option, its forms, and every usage error. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../cli/options.h"

#define NCPU 4

static struct options o;
static char err[256];

/* Parse "ringrun ARGS..." with NCPU online CPUs. */
#define PARSE(...) parse((char *const[]){ "ringrun", __VA_ARGS__, NULL })

/* o points into argv: keep a copy that outlives the caller's literal. */
static int parse(char *const *argv)
{
	static char *kept[64];
	int argc = 0;

	for (; argv[argc]; argc++) {
		cr_assert_lt(argc, 63);
		kept[argc] = argv[argc];
	}
	kept[argc] = NULL;
	err[0] = '\0';
	return options_parse(&o, argc, kept, NCPU, err, sizeof err);
}

static void expect_error(int r, const char *msg)
{
	cr_assert_eq(r, -1, "parse succeeded, expected \"%s\"", msg);
	cr_assert_str_eq(err, msg);
}

Test(options, defaults)
{
	cr_assert_eq(PARSE("echo", "hi"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert_str_eq(o.cmd[0], "echo");
	cr_assert_str_eq(o.cmd[1], "hi");
	cr_assert_eq(o.jobs, NCPU);
	cr_assert_eq(o.output, OUT_GROUP);
	cr_assert_null(o.args_file);
	cr_assert_null(o.commands_file);
	cr_assert_not(o.has_list || o.exec || o.keep_order || o.discard ||
		      o.stats || o.help || o.version);
	cr_assert_eq(o.timeout_ms, 0);
	cr_assert_eq(o.idle_timeout_ms, 0);
}

Test(options, every_option_short)
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

Test(options, every_option_long)
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

Test(options, long_with_equals)
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

Test(options, clustered_and_attached)
{
	cr_assert_eq(PARSE("-kXj5", "cmd"), 0, "%s", err);
	cr_assert(o.keep_order && o.exec);
	cr_assert_eq(o.jobs, 5);
	cr_assert_eq(PARSE("-afile", "-t0.1", "-ostream", "cmd"), 0, "%s", err);
	cr_assert_str_eq(o.args_file, "file");
	cr_assert_eq(o.timeout_ms, 100);
	cr_assert_eq(o.output, OUT_STREAM);
}

Test(options, command_ends_options)
{
	cr_assert_eq(PARSE("-k", "ls", "-l", "--stats", "-j", "9"), 0, "%s", err);
	cr_assert(o.keep_order);
	cr_assert_not(o.stats);
	cr_assert_eq(o.jobs, NCPU);
	cr_assert_eq(o.ncmd, 5);
	cr_assert_str_eq(o.cmd[4], "9");
}

Test(options, double_dash)
{
	cr_assert_eq(PARSE("-k", "--", "-weird", "-k"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert_str_eq(o.cmd[0], "-weird");
	cr_assert_str_eq(o.cmd[1], "-k");
	/* A lone "-" is a word, not an option. */
	cr_assert_eq(PARSE("-", "x"), 0, "%s", err);
	cr_assert_str_eq(o.cmd[0], "-");
}

Test(options, input_list)
{
	cr_assert_eq(PARSE("echo", "{}", ":::", "a", "b c", "-k"), 0, "%s", err);
	cr_assert_eq(o.ncmd, 2);
	cr_assert(o.has_list);
	cr_assert_eq(o.nlist, 3);
	cr_assert_str_eq(o.list[1], "b c");
	cr_assert_str_eq(o.list[2], "-k");
	cr_assert_not(o.keep_order);
	cr_assert_eq(PARSE("echo", ":::"), 0, "%s", err);
	cr_assert(o.has_list);
	cr_assert_eq(o.nlist, 0);
}

Test(options, help_and_version_win)
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

Test(options, unknown_options)
{
	expect_error(PARSE("-Z", "x"), "-Z: unknown option");
	expect_error(PARSE("-kZ", "x"), "-Z: unknown option");
	expect_error(PARSE("--bogus", "x"), "--bogus: unknown option");
	expect_error(PARSE("--bogus=1", "x"), "--bogus: unknown option");
	expect_error(PARSE("--job", "2", "x"), "--job: unknown option");
}

Test(options, missing_arguments)
{
	expect_error(PARSE("-j"), "-j: missing argument");
	expect_error(PARSE("-a"), "-a: missing argument");
	expect_error(PARSE("--timeout"), "--timeout: missing argument");
	expect_error(PARSE("--jobs=", "x"), "--jobs: missing argument");
	expect_error(PARSE("--stats=yes", "x"), "--stats: takes no argument");
}

Test(options, bad_values)
{
	expect_error(PARSE("-j", "abc", "x"), "-j: abc: not a number");
	expect_error(PARSE("--jobs", "-1", "x"), "--jobs: -1: not a number");
	expect_error(PARSE("-j", "99999999999", "x"), "-j: 99999999999: out of range");
	expect_error(PARSE("-t", "soon", "x"), "-t: soon: not a number");
	expect_error(PARSE("--idle-timeout", "1e3", "x"),
		     "--idle-timeout: 1e3: not a number");
	expect_error(PARSE("-o", "fancy", "x"),
		     "-o: fancy: unknown mode (group, stream, json, quiet)");
}

Test(options, missing_command)
{
	expect_error(PARSE("-k"), "COMMAND: missing");
	expect_error(PARSE("--", ":::", "a"), "COMMAND: missing");
	expect_error(PARSE("-a", "f"), "COMMAND: missing");
	char *const none[] = { "ringrun", NULL };
	expect_error(parse(none), "COMMAND: missing");
}

Test(options, conflicting_inputs)
{
	expect_error(PARSE("-a", "f", "-a", "g", "x"), "-a: given twice");
	expect_error(PARSE("-C", "f", "--commands", "g"), "--commands: given twice");
	expect_error(PARSE("-a", "f", "-C", "g"), "-C: cannot be combined with -a");
	expect_error(PARSE("-C", "f", "echo"),
		     "-C: takes no COMMAND: each line of its file is one");
	expect_error(PARSE("-X", "-C", "f"),
		     "-X: cannot be combined with -C: its lines are shell commands");
	expect_error(PARSE("-a", "f", "echo", ":::", "x"),
		     "':::': cannot be combined with -a");
	expect_error(PARSE("echo", ":::", "a", ":::", "b"),
		     "':::': given twice (one input list is supported)");
}

Test(jobs, values)
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

Test(jobs, errors)
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

Test(seconds, values)
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

Test(seconds, errors)
{
	const char *bad[] = { "", ".", "-1", "1e3", "1.2.3", " 1", "1 ", "0x10",
			      "inf", "nan", "1,5", "1s", NULL };
	uint64_t ms = 42;

	for (const char **s = bad; *s; s++)
		cr_assert_str_eq(parse_seconds(*s, &ms), "not a number", "\"%s\"", *s);
	cr_assert_str_eq(parse_seconds("99999999999999999999", &ms), "out of range");
	cr_assert_eq(ms, 42);
}

Test(output_mode, names)
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
Test(options, help_is_true)
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
