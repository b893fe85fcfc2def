/* Personalities: finding one by the name ringrun was called by, and its
   options by their letter or name. */
#include "persona/persona.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persona/tools.h"

const struct persona *const personas[] = {
	&persona_pdsh, &persona_clush, &persona_pssh, &persona_parallel,
	&persona_hyperfine, NULL,
};

const char persona_joblog[] = "(the --joblog file)";

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

static bool begins(const struct persona_opt *po, const char *name, size_t len)
{
	return po->name && strncmp(po->name, name, len) == 0;
}

const struct persona_opt *persona_long(const struct persona *p,
				       const char *name, size_t len,
				       bool *several)
{
	const struct persona_opt *found = NULL;

	*several = false;
	for (size_t k = 0; k < p->nopts; k++)
		if (begins(&p->opts[k], name, len) && !p->opts[k].name[len])
			return &p->opts[k];
	if (!p->abbrev)
		return NULL;
	for (size_t k = 0; k < p->nopts; k++) {
		if (!begins(&p->opts[k], name, len))
			continue;
		if (found) {
			*several = true;
			return NULL;
		}
		found = &p->opts[k];
	}
	return found;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void persona_candidates(const struct persona *p, const char *name, size_t len,
			char *buf, size_t size)
{
	const char *names[64];
	size_t n = 0, used = 0;

	assert(size > 0 && p->nopts <= sizeof names / sizeof names[0]);
	for (size_t k = 0; k < p->nopts; k++)
		if (begins(&p->opts[k], name, len))
			names[n++] = p->opts[k].name;
	qsort(names, n, sizeof names[0], by_name);
	buf[0] = '\0';
	for (size_t k = 0; k < n && used < size; k++) {
		int w = snprintf(buf + used, size - used, "%s--%s",
				 k ? ", " : "", names[k]);

		used += w > 0 ? (size_t)w : 0;
	}
}

/* One option's name as the tool writes it: "-w", "--worker", "-R, --worker". */
static void print_names(FILE *f, const struct persona_opt *po)
{
	char names[64];

	if (po->letter && po->name)
		snprintf(names, sizeof names, "-%c, --%s", po->letter, po->name);
	else if (po->letter)
		snprintf(names, sizeof names, "-%c", po->letter);
	else
		snprintf(names, sizeof names, "    --%s", po->name);
	fprintf(f, "  %-24s ", names);
}

void persona_help(FILE *f, const struct persona *p)
{
	fprintf(f, "Usage: %s [OPTIONS] %s\n"
		"ringrun's %s personality: %s's options, each read as the ringrun\n"
		"option it stands for; ringrun's long options work too.  More: man\n"
		"ringrun (PERSONALITIES).\n\n",
		p->name, p->word_commands ? "COMMAND..." : "COMMAND [ARG...]",
		p->name, p->name);
	for (size_t k = 0; k < p->nopts; k++) {
		const struct persona_opt *po = &p->opts[k];

		print_names(f, po);
		switch (po->act) {
		case PA_SAME:
			fprintf(f, "ringrun --%s\n", po->to);
			break;
		case PA_SET:
			fprintf(f, "ringrun --%s=%s\n", po->to, po->value);
			break;
		case PA_ONLY:
			fprintf(f, "only %s\n", po->value);
			break;
		case PA_REFUSE:
			fprintf(f, "refused: %s\n", po->why);
			break;
		case PA_IGNORE:
		case PA_DROP:
			fputs("accepted, changes nothing\n", f);
			break;
		}
	}
}
