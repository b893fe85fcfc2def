/*
 * The choices the output code is made with: how task output is shown, and
 * when progress, summary and colour are on.  Apart from the option parser,
 * so that output code does not depend on it.
 */
#ifndef CLI_MODES_H
#define CLI_MODES_H

enum out_mode {
	OUT_GROUP,  /* each task's output whole when it ends */
	OUT_STREAM, /* lines as they arrive, prefixed with the tag */
	OUT_JSON,   /* one JSON object per task */
	OUT_QUIET,  /* no task output */
	OUT_COLLATE, /* identical outputs merged, printed at the end */
};

/* -o collate's layout: clush -b's (the default) or dshbak -c's. */
enum collate_style { COLLATE_CLUSH, COLLATE_DSHBAK };

/* Progress, summary, colour: as stderr decides (a terminal?), or as told. */
enum when { WHEN_AUTO, WHEN_ALWAYS, WHEN_NEVER };

#endif
