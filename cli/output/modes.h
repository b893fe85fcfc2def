/*
 * The choices the output code is made with: how task output is shown, and
 * when progress, summary and colour are on.  Apart from the option parser,
 * so that output code does not depend on it.
 */
#ifndef CLI_MODES_H
#define CLI_MODES_H

#include <stdbool.h>

enum out_mode {
	OUT_GROUP,  /* each task's output whole when it ends */
	OUT_STREAM, /* lines as they arrive, prefixed with the tag */
	OUT_JSON,   /* one JSON object per task */
	OUT_QUIET,  /* no task output */
	OUT_COLLATE, /* identical outputs merged, printed at the end */
	OUT_PSSH,   /* pssh's "[N] HH:MM:SS [SUCCESS] host" line per task */
	OUT_PSSH_INLINE, /* ... each followed by its output (pssh -i) */
	OUT_PSSH_PRINT,  /* ... after its stdout lines as they came (pssh -P) */
};

/* -o collate's layout: clush -b's (the default) or dshbak -c's. */
enum collate_style { COLLATE_CLUSH, COLLATE_DSHBAK };
/* Lines handed to the output as they arrive. */
static inline bool out_lines(enum out_mode m)
{
	return m == OUT_STREAM || m == OUT_PSSH_PRINT;
}

/* pssh's lines: one per task. */
static inline bool out_pssh(enum out_mode m)
{
	return m == OUT_PSSH || m == OUT_PSSH_INLINE || m == OUT_PSSH_PRINT;
}

/* Whose words a failure says (--messages): ringrun's, or those of pdsh
   ("pdsh@HOST: web1: ssh exited with exit code 3") or of clush ("clush:
   web1: exited with exit code 3"; clush -q: those lines without their
   count, and none at all with -S), where a script may parse them. */
enum out_words { WORDS_RINGRUN, WORDS_PDSH, WORDS_CLUSH, WORDS_CLUSH_QUIET };

/* Progress, summary, colour: as stderr decides (a terminal?), or as told. */
enum when { WHEN_AUTO, WHEN_ALWAYS, WHEN_NEVER };

#endif
