/* cli/options.c: -b, -B and --collate-style, -o collate's options. */
#include <criterion/criterion.h>
#include <string.h>

#include "parse.h"

static struct options o;
static char err[256];

#define PARSE(...) PARSE_OPTIONS(&o, err, __VA_ARGS__)
#define EXPECT_ERROR(r, msg) expect_usage_error(&o, err, r, msg)

Test(unit_collate_options, defaults)
{
	cr_assert_eq(PARSE("-o", "collate", "echo"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_COLLATE);
	cr_assert_eq(o.collate_style, COLLATE_CLUSH);
	cr_assert_not(o.collate_stderr);
}

/* -b is -o collate; -B is that with stderr, in any order with -b. */
Test(unit_collate_options, short_and_long)
{
	cr_assert_eq(PARSE("-b", "echo"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_COLLATE);
	cr_assert_not(o.collate_stderr);
	cr_assert_eq(PARSE("--collate", "echo"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_COLLATE);
	cr_assert_eq(PARSE("-B", "echo"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_COLLATE);
	cr_assert(o.collate_stderr);
	cr_assert_eq(PARSE("-kbB", "echo"), 0, "%s", err);
	cr_assert(o.collate_stderr && o.keep_order);
	cr_assert_eq(PARSE("--collate-stderr", "-o", "collate", "echo"), 0, "%s", err);
	cr_assert(o.collate_stderr);
	cr_assert_eq(PARSE("--collate-style", "dshbak", "-b", "echo"), 0, "%s", err);
	cr_assert_eq(o.collate_style, COLLATE_DSHBAK);
	cr_assert_eq(PARSE("-b", "--collate-style=clush", "echo"), 0, "%s", err);
	cr_assert_eq(o.collate_style, COLLATE_CLUSH);
}

/* The last output mode wins; -B and --collate-style then mean nothing. */
Test(unit_collate_options, errors)
{
	EXPECT_ERROR(PARSE("--collate-style", "pdsh", "-b", "echo"),
		     "--collate-style: pdsh: unknown style (clush, dshbak)");
	EXPECT_ERROR(PARSE("--collate-style", "", "-b", "echo"),
		     "--collate-style: : unknown style (clush, dshbak)");
	EXPECT_ERROR(PARSE("--collate-style", "dshbak", "echo"),
		     "--collate-style: needs -o collate (or -b)");
	EXPECT_ERROR(PARSE("-B", "-o", "json", "echo"),
		     "-B: needs -o collate (or -b)");
	EXPECT_ERROR(PARSE("-b", "--collate-style"), "--collate-style: missing argument");
	EXPECT_ERROR(PARSE("--collate=x", "echo"), "--collate: takes no argument");
}

Test(unit_collate_options, help_is_true)
{
	cr_assert(strstr(options_help, "  -b, --collate  "));
	cr_assert(strstr(options_help, "  -B, --collate-stderr  "));
	cr_assert(strstr(options_help, "      --collate-style S  "));
}
