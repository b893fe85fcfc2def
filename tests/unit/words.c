/* cli/benchmode/words.c: --shell=none's words, as sh would split them. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "benchmode/words.h"

static void expect_words(const char *s, const char *const *want)
{
	const char *why = NULL;
	char **w = words_split(s, &why);
	size_t k = 0;

	cr_assert_not_null(w, "%s: %s", s, why);
	for (; want[k]; k++) {
		cr_assert_not_null(w[k], "%s: word %zu missing", s, k);
		cr_assert_str_eq(w[k], want[k], "%s: word %zu", s, k);
	}
	cr_assert_null(w[k], "%s: a word too many: %s", s, w[k]);
	free(w);
}

#define WORDS(s, ...) expect_words(s, (const char *const[]){ __VA_ARGS__, NULL })

Test(unit_words, split)
{
	WORDS("echo a  b", "echo", "a", "b");
	WORDS("  sleep\t0.1 ", "sleep", "0.1");
	WORDS("echo 'a b' \"c d\"", "echo", "a b", "c d");
	WORDS("echo a\\ b", "echo", "a b");
	WORDS("printf '%s\\n' x", "printf", "%s\\n", "x");
	WORDS("echo \"a\\\"b\\$c\\d\"", "echo", "a\"b$c\\d");
	WORDS("echo x'y'\"z\"", "echo", "xyz");
	WORDS("echo ''", "echo", "");
}

Test(unit_words, refused)
{
	const char *why = NULL;

	cr_assert_null(words_split("echo 'a", &why));
	cr_assert_str_eq(why, "unterminated quote");
	cr_assert_null(words_split("echo \"a", &why));
	cr_assert_str_eq(why, "unterminated quote");
	cr_assert_null(words_split(" \t", &why));
	cr_assert_str_eq(why, "no command");
}
