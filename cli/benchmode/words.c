/* Shell word splitting without a shell: quotes and backslashes. */
#include "benchmode/words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Inside "...", a backslash escapes only these. */
static bool dquote_escapes(char c)
{
	return c == '\\' || c == '"' || c == '$' || c == '`';
}

/* One word from *s into *out (NUL-terminated); false on a quote left
   open. *s ends past it. */
static bool one_word(const char **s, char **out)
{
	const char *p = *s;
	char *o = *out;

	for (; *p && *p != ' ' && *p != '\t' && *p != '\n'; p++) {
		if (*p == '\\' && p[1]) {
			*o++ = *++p;
		} else if (*p == '\'') {
			while (*++p && *p != '\'')
				*o++ = *p;
			if (!*p)
				return false;
		} else if (*p == '"') {
			while (*++p && *p != '"') {
				if (*p == '\\' && dquote_escapes(p[1]))
					p++;
				*o++ = *p;
			}
			if (!*p)
				return false;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\0';
	*s = p;
	*out = o;
	return true;
}

char **words_split(const char *s, const char **why)
{
	size_t len = strlen(s), max = len / 2 + 2, n = 0;
	/* The pointers, then the words: never longer than s. */
	char **argv = xmalloc(max * sizeof *argv + len + 1);
	char *o = (char *)(argv + max);

	for (;;) {
		s += strspn(s, " \t\n");
		if (!*s)
			break;
		argv[n++] = o;
		if (!one_word(&s, &o)) {
			free(argv);
			*why = "unterminated quote";
			return NULL;
		}
	}
	argv[n] = NULL;
	if (!n) {
		free(argv);
		*why = "no command";
		return NULL;
	}
	return argv;
}
