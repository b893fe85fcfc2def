/*
 * Personalities: invoked as pdsh, clush, pssh, parallel or hyperfine
 * (argv[0]'s basename, e.g. a
 * symbolic link) or as "ringrun --as TOOL", ringrun reads that tool's
 * options.  A personality is only a table from the tool's options to
 * ringrun's own (by their long names), and ringrun options set first, for
 * the tool's output format and exit status: the one parser (options.c)
 * does the rest.  Another tool is another table.
 */
#ifndef CLI_PERSONA_H
#define CLI_PERSONA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum persona_act {
	PA_SAME,   /* ringrun's option `to`, with the tool's argument if any */
	PA_SET,    /* a flag of the tool: ringrun's `to` with argument `value` */
	PA_ONLY,   /* takes an argument that must be `value`; then nothing */
	PA_REFUSE, /* a clear error: `why` */
	PA_IGNORE, /* a flag of the tool that changes nothing here */
	PA_DROP,   /* takes an argument that changes nothing here */
};

struct persona_opt {
	char letter;      /* 0: long only */
	const char *name; /* the tool's long option; NULL: none */
	enum persona_act act;
	const char *to;   /* ringrun's long option (PA_SAME, PA_SET) */
	const char *value;
	const char *why;  /* PA_REFUSE */
};

struct persona {
	const char *name;  /* as the messages name the tool */
	const char *alias; /* another name it is installed as; NULL: none */
	bool abbrev;       /* a unique prefix of a long option is that option,
			      as python's optparse reads it */
	/* ringrun options given before the tool's: its format, its exit
	   status ("--output=stream"), NULL-terminated */
	const char *const *defaults;
	const struct persona_opt *opts;
	size_t nopts;
	/* A ringrun option given when the command line has no input (GNU
	   parallel reads stdin then: "--args=-"); NULL: none. */
	const char *no_input;
	/* The same without a command too ("--commands=-"). */
	const char *no_command;
	/* Each word that is not an option is one command, and options may
	   follow commands (hyperfine's command line). */
	bool word_commands;
};

/* The value of a PA_SET that stands for the --joblog file (parallel's
   --resume-failed reads the log it appends to). */
extern const char persona_joblog[];

/* The personality called name (or alias); NULL: none. */
const struct persona *persona_find(const char *name);

/* Every personality, NULL-terminated (for the tests and the errors). */
extern const struct persona *const personas[];

/* Its option -c; NULL: it has none. */
const struct persona_opt *persona_short(const struct persona *p, char c);

/* Its option --name (len bytes of it), or (p->abbrev) the only one whose
   name begins so; NULL: none, or (*several) more than one begins so. */
const struct persona_opt *persona_long(const struct persona *p,
				       const char *name, size_t len,
				       bool *several);

/* The names beginning as name (len bytes), sorted, as optparse lists them:
   "--color, --command_timeout" into buf (size bytes, cut if short). */
void persona_candidates(const struct persona *p, const char *name, size_t len,
			char *buf, size_t size);

/* -h under a personality: its options and what each is here. */
void persona_help(FILE *f, const struct persona *p);

#endif
