/* cli/hosts/rcmdexec.c: pdsh -R exec's words (tests/cli/persona.py runs
   them against the real pdsh -R exec). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "hosts/rcmdexec.h"

Test(unit_rcmdexec, tokens_in_each_word)
{
	/* argv's words are writable: as main() has them */
	char w[][8] = { "ssh", "-l", "%u", "%h", "x%hy", "%n%%", "%x", "%",
			"50%", "" };
	char *words[10];

	for (size_t k = 0; k < 10; k++)
		words[k] = w[k];
	const struct rcmd_host h = { .host = "web7", .user = "bob", .rank = 12 };
	char **argv = rcmdexec_argv(words, 10, &h);
	const char *want[] = { "ssh", "-l", "bob", "web7", "xweb7y", "12%",
			       "%x", "%", "50%", "" };

	for (size_t k = 0; k < 10; k++)
		cr_assert_str_eq(argv[k], want[k], "word %zu", k);
	cr_assert_null(argv[10]);
	free(argv);
	argv = rcmdexec_argv(words, 0, &h);
	cr_assert_null(argv[0]);
	free(argv);
}
