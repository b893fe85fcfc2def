/* The command line: argv -> struct options, and the help text. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum out_mode {
	OUT_GROUP,  /* each task's output whole when it ends */
	OUT_STREAM, /* lines as they arrive, prefixed with the tag */
	OUT_JSON,   /* one JSON object per task */
	OUT_QUIET,  /* no task output */
};

struct options {
	const char *args_file;     /* -a FILE, "-" = stdin */
	const char *commands_file; /* -C FILE, "-" = stdin */
	char *const *cmd;          /* COMMAND and its words (into argv) */
	size_t ncmd;
	char *const *list;         /* the inputs after ::: */
	size_t nlist;
	bool has_list;             /* ::: was given, perhaps with no input */
	unsigned jobs;             /* tasks at once; 0 = the library's limit */
	uint64_t timeout_ms;       /* 0 = none */
	uint64_t idle_timeout_ms;  /* 0 = none */
	enum out_mode output;
	bool exec;                 /* -X: argv, no shell */
	bool keep_order;
	bool discard;
	bool stats;
	bool help;
	bool version;
};

extern const char options_help[];

/*
 * Parse argv; ncpu is the number of online CPUs (the default for -j).
 * Returns 0, or -1 with "<what>: <why>" in err.
 */
int options_parse(struct options *o, int argc, char *const argv[],
		  unsigned ncpu, char *err, size_t errlen);

/*
 * -j's argument: N, N% of ncpu (at least 1) or 0.  Returns NULL, or why it
 * is not valid.
 */
const char *parse_jobs(const char *s, unsigned ncpu, unsigned *jobs);

/* Seconds with an optional decimal fraction, to milliseconds rounded up. */
const char *parse_seconds(const char *s, uint64_t *ms);

/* group, stream, json or quiet. */
const char *parse_output(const char *s, enum out_mode *mode);

#endif
