/*
 * --outdir DIR: each task's stdout in DIR/TAG.out and its stderr in
 * DIR/TAG.err, written whole when the task ends; both files are made even
 * when empty, so that every task has its pair.  TAG is the host as written,
 * with ".N" after it when there are inputs (N: the input's number, 1..); a
 * local task's is its sequence number {#}.  In a host, '/', '%', NUL and a
 * leading '.' are written %XX (hex, as in URLs), so that each tag names
 * exactly one file of DIR and none hides or climbs out.
 *
 * --stdout-dir DIR and --stderr-dir DIR (clush's --outdir and --errdir,
 * pssh's -o and -e): one stream of each task in DIR/TAG, as they name
 * them; with --skip-empty, only when the stream has bytes (as pssh).
 *
 * --results DIR, GNU parallel's layout: DIR/1/INPUT/stdout, stderr and seq
 * (the sequence number, no newline), INPUT with a backslash doubled, a tab
 * as \t, a NUL as \0 and '/' as \_, as parallel writes them ("" and "."
 * are DIR/1, ".." is DIR itself, as there).  A task of several arguments
 * has each after its column: DIR/1/A/2/B/..., the columns counted afresh
 * in each record (tuple of the sources, or line split by --colsep) that
 * -n or --max-replace-args put together, as parallel 20221122 does.
 */
#ifndef CLI_OUTDIR_H
#define CLI_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include <ringrun.h>

#include "util/buf.h"
#include "output/output.h"

struct outdir {
	int fd;           /* DIR */
	bool results;     /* --results: parallel's layout */
	unsigned arity;   /* --results: arguments per record; 0: all one */
	const char *path; /* DIR as given, for messages */
	const char *option; /* the option, for messages */
	struct buf name;  /* scratch */
};

/*
 * Create DIR and its parents where missing (mode 0777 & ~umask) and open
 * it.  Returns 0 or a negative errno.
 */
int outdir_open(struct outdir *d, const char *option, const char *path,
		bool results);

/* The TAG of a task: host[.input_no] (host escaped), or seq when host is
   NULL. */
void outdir_name(struct buf *b, const char *host, size_t host_len,
		 size_t input_no, unsigned long long seq);

/* --results: an argument as the name of its directory, as parallel writes
   it. */
void outdir_results_name(struct buf *b, const char *input, size_t len);

/*
 * Write task t's pair from r (NULL: it never ran, both files empty), each
 * file created (mode 0666 & ~umask) or truncated, under DIR only and never
 * through a symbolic link; one there already must be a regular file.  A
 * file that cannot be written gets the line "ringrun: --outdir:
 * DIR/TAG.out: <why>" on o's stderr (the option as opened).  Returns false if one could not be
 * written.
 */
bool outdir_task(struct outdir *d, const struct task_info *t,
		 const struct rr_result *r, struct output *o);

/* --stdout-dir, --stderr-dir: DIR/TAG holding c (none when c is empty and
   skip_empty); false when it could not be written (said on o's stderr). */
bool outdir_stream(struct outdir *d, const struct task_info *t,
		   const struct rr_capture *c, bool skip_empty,
		   struct output *o);

void outdir_close(struct outdir *d);

#endif
