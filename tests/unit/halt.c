/* cli/halt.c: --halt's policies, thresholds and the line that says why. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "jobs/halt.h"

static struct halt h;

static void parses(const char *s, enum halt_when when, enum halt_what what,
		   uint64_t n, bool percent)
{
	cr_assert_null(halt_parse(s, &h), "%s: %s", s, halt_parse(s, &h));
	cr_assert_eq(h.when, when, "%s", s);
	if (when == HALT_NEVER)
		return;
	cr_assert_eq(h.what, what, "%s", s);
	cr_assert_eq(h.n, n, "%s", s);
	cr_assert_eq(h.percent, percent, "%s", s);
	cr_assert_str_eq(h.spec, s);
}

Test(unit_halt, policies)
{
	parses("never", HALT_NEVER, 0, 0, false);
	parses("0", HALT_NEVER, 0, 0, false);
	parses("1", HALT_SOON, HALT_FAIL, 1, false);
	parses("2", HALT_NOW, HALT_FAIL, 1, false);
	parses("soon,fail=3", HALT_SOON, HALT_FAIL, 3, false);
	parses("now,fail=1", HALT_NOW, HALT_FAIL, 1, false);
	parses("now,success=2", HALT_NOW, HALT_SUCCESS, 2, false);
	parses("soon,done=10%", HALT_SOON, HALT_DONE, 10, true);
	parses("now,fail=100%", HALT_NOW, HALT_FAIL, 100, true);
	parses("soon,fail=18446744073709551600", HALT_SOON, HALT_FAIL,
	       18446744073709551600u, false);
}

Test(unit_halt, errors)
{
	static const char usage[] =
		"not a policy (never, soon|now,fail|success|done=N|N%)";
	const char *bad_policy[] = { "", "3", "soon", "now,", "later,fail=1",
				     "soon,fails=1", "soon fail=1", "soon,fail",
				     "Now,fail=1", "never,fail=1", ",fail=1", NULL };

	for (const char **s = bad_policy; *s; s++)
		cr_assert_str_eq(halt_parse(*s, &h), usage, "\"%s\"", *s);
	cr_assert_str_eq(halt_parse("soon,fail=", &h), "not a number after '='");
	cr_assert_str_eq(halt_parse("soon,fail=x", &h), "not a number after '='");
	cr_assert_str_eq(halt_parse("soon,fail=-1", &h), "not a number after '='");
	cr_assert_str_eq(halt_parse("soon,fail=1x", &h), "junk after the number");
	cr_assert_str_eq(halt_parse("soon,fail=5%%", &h), "junk after the number");
	cr_assert_str_eq(halt_parse("soon,fail=0", &h), "out of range");
	cr_assert_str_eq(halt_parse("soon,fail=0%", &h), "out of range");
	cr_assert_str_eq(halt_parse("soon,fail=101%", &h), "out of range");
	cr_assert_str_eq(halt_parse("soon,fail=99999999999999999999", &h),
			 "out of range");
}

Test(unit_halt, thresholds)
{
	cr_assert_null(halt_parse("soon,fail=3", &h));
	cr_assert_eq(halt_threshold(&h, 0), 3);
	cr_assert_eq(halt_threshold(&h, 1000), 3);
	cr_assert_null(halt_parse("soon,fail=10%", &h));
	cr_assert_eq(halt_threshold(&h, 20), 2);
	cr_assert_eq(halt_threshold(&h, 21), 3, "rounded up");
	cr_assert_eq(halt_threshold(&h, 250), 25);
	cr_assert_eq(halt_threshold(&h, 3), 1);
	cr_assert_eq(halt_threshold(&h, 0), 1, "at least one");
	cr_assert_eq(halt_threshold(&h, UINT64_MAX), UINT64_MAX / 10 + 1);
	cr_assert_null(halt_parse("now,fail=100%", &h));
	cr_assert_eq(halt_threshold(&h, 7), 7);
}

Test(unit_halt, due)
{
	cr_assert_null(halt_parse("never", &h));
	cr_assert_not(halt_due(&h, 10, 0, 10));
	cr_assert_null(halt_parse("soon,fail=2", &h));
	cr_assert_not(halt_due(&h, 10, 9, 1));
	cr_assert(halt_due(&h, 10, 0, 2));
	cr_assert_null(halt_parse("now,success=2", &h));
	cr_assert_not(halt_due(&h, 10, 1, 9));
	cr_assert(halt_due(&h, 10, 2, 0));
	cr_assert_null(halt_parse("soon,done=50%", &h));
	cr_assert_not(halt_due(&h, 10, 2, 2));
	cr_assert(halt_due(&h, 10, 3, 2));
	cr_assert_null(halt_parse("soon,fail=50%", &h));
	cr_assert_not(halt_due(&h, 5, 0, 2), "half of 5 is 3");
	cr_assert(halt_due(&h, 5, 0, 3));
}

Test(unit_halt, describe)
{
	struct buf b = BUF_INIT;

	cr_assert_null(halt_parse("soon,fail=10%", &h));
	halt_describe(&b, &h, 20, 5, 2);
	cr_assert_str_eq(b.data, "--halt soon,fail=10%: 2 of 20 tasks failed");
	buf_reset(&b);
	cr_assert_null(halt_parse("now,success=1", &h));
	halt_describe(&b, &h, 3, 1, 0);
	cr_assert_str_eq(b.data, "--halt now,success=1: 1 of 3 tasks succeeded");
	buf_reset(&b);
	cr_assert_null(halt_parse("soon,done=4", &h));
	halt_describe(&b, &h, 9, 3, 1);
	cr_assert_str_eq(b.data, "--halt soon,done=4: 4 of 9 tasks ended");
	buf_free(&b);
}
