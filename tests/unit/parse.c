/* parse.c - the command line of the unit tests' option cases. */
#include "parse.h"

#include <criterion/criterion.h>

int parse_options(struct options *o, char *err, size_t errlen,
		  const char *const argv[])
{
	static char *kept[64];
	int argc = 0;

	for (; argv[argc]; argc++) {
		cr_assert_lt(argc, 63, "too many arguments");
		/* options_parse takes char *const[], as main's argv; it writes to
		   none of the strings. */
		kept[argc] = (char *)argv[argc];
	}
	kept[argc] = NULL;
	err[0] = '\0';
	return options_parse(o, argc, kept, PARSE_NCPU, err, errlen);
}

void expect_usage_error(struct options *o, const char *err, int r,
			const char *msg)
{
	cr_assert_eq(r, -1, "parse succeeded, expected \"%s\"", msg);
	cr_assert_str_eq(err, msg);
	options_free(o);
}
