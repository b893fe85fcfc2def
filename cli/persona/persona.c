/* Personalities: finding one by the name ringrun was called by, and its
   options by their letter or name. */
#include "persona/persona.h"

#include <string.h>

#include "persona/tools.h"

const struct persona *const personas[] = {
	&persona_pdsh, &persona_clush, &persona_pssh, NULL,
};

const struct persona *persona_find(const char *name)
{
	for (size_t k = 0; personas[k]; k++) {
		const struct persona *p = personas[k];

		if (strcmp(p->name, name) == 0 ||
		    (p->alias && strcmp(p->alias, name) == 0))
			return p;
	}
	return NULL;
}

const struct persona_opt *persona_short(const struct persona *p, char c)
{
	for (size_t k = 0; k < p->nopts; k++)
		if (p->opts[k].letter == c)
			return &p->opts[k];
	return NULL;
}

const struct persona_opt *persona_long(const struct persona *p,
				       const char *name, size_t len)
{
	for (size_t k = 0; k < p->nopts; k++) {
		const char *n = p->opts[k].name;

		if (n && strncmp(n, name, len) == 0 && !n[len])
			return &p->opts[k];
	}
	return NULL;
}
