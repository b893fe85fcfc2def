/*
 * One data-driven case of the ringrun binary: files made first, ringrun run
 * with the case's arguments and stdin (after a first run, if the case has
 * one), then what it must give: exit status, stdout and stderr (whole, in
 * parts, by lines), a python3 check of its output, the files it leaves.
 * Every string may hold sshd.h's @TOKENs.  Each test file's table is a list
 * of these, under a CASE macro of its own that names the suite, its set-up
 * and what its cases share.
 */
#ifndef TESTS_CLI_CASE_H
#define TESTS_CLI_CASE_H

#include <stdbool.h>

#include "../common/guard.h"
#include "harness.h"

/*
 * Shell words that wait until FILE has at least N lines: how a command
 * waits for what another task or ringrun itself (its job log) writes,
 * instead of sleeping and hoping it came.  Gives up after some 30 s (3000
 * polls), a hang guard.
 */
#define WAIT_LINES(file, n)                                                 \
	"i=0; until [ $(cat " file " 2>/dev/null | wc -l) -ge " #n " ] || " \
	"[ $i -ge 3000 ]; do sleep 0.01; i=$((i + 1)); done; "

struct cli_case {
	/* ---- what runs */
	const char *pre[24];      /* ringrun first with these, if any ... */
	int pre_status;           /* ... which must exit with this */
	const char *args[40];     /* after "ringrun", NULL-terminated */
	bool ssh;                 /* "-p @PORT --no-agent -i IDENTITY
				     --known-hosts KNOWN_HOSTS" before both */
	const char *identity;     /* default @KEY */
	const char *known_hosts;  /* default @KH */
	const char *in;           /* stdin (NULL: empty) */
	bool stdout_closed;       /* stdout is a pipe nobody reads */
	const char *write[4][2];  /* DIR/name and its content, written first;
				     missing directories are made */
	const char *mkdir;        /* DIR/this made a directory first */

	/* ---- what it must give */
	int status;
	const char *out;          /* exact stdout */
	const char *out_prefix;   /* stdout starts with it */
	const char *out_has[16];  /* substrings of stdout, up to a NULL */
	const char *out_not;      /* not in stdout */
	const char *err_exact;    /* exact stderr */
	const char *err[8];       /* substrings of stderr, up to a NULL; none
				     and no err_exact or err_lines: stderr
				     must be empty */
	const char *err_not;      /* not in stderr */
	const char *err_ignore[4]; /* stderr lines holding one are dropped
				     first (what the clock decides: benchmark
				     mode's warnings) */
	int err_lines;            /* lines on stderr, when > 0 */
	const char *py_prelude;   /* python3: the prelude then py, on stdout
				     or on DIR/py_on, must print py_out */
	const char *py;
	const char *py_on;
	const char *py_out;
	const char *files[16][2]; /* DIR/name and its exact content */
	bool files_only;          /* and the first one's directory holds
				     nothing else (but what mkdir made) */
	void (*check)(const struct proc_result *r); /* anything else */
};

void check_case(const struct cli_case *c);

#endif
