/*
 * --resume-failed and --resume: which tasks a job log has (as done).  A
 * task is known by its host (":" when local), its sequence number and its
 * command as the log has them, the command compared by what the shell reads
 * in it, not by how it is quoted: GNU parallel (and ringrun) write
 * 'it'"'"'s' where another tool may write 'it'\''s'.  The last row of a task decides: Exitval 0 and
 * Signal 0 is done.  A task whose sequence number has no row of that host
 * and command is known by host and command alone (the inputs may have moved).
 */
#ifndef CLI_RESUME_H
#define CLI_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs/joblog.h"
#include "util/buf.h"
#include "util/table.h"

struct resume {
	struct joblog log;  /* the rows */
	struct buf canon;   /* each row's command, canonical (resume_canon) ... */
	size_t *at;         /* ... at canon.data + at[row] */
	struct table last;  /* (host, command): its last row in log.rows */
	struct table seq;   /* (host, seq, command): its last row */
};

/* The tasks of a parsed log (taken over: freed with the set). */
void resume_init(struct resume *r, struct joblog *log);

/*
 * Read path as a job log.  A file that does not exist has no task (a first
 * run).  Returns 0, or -1 with "<path>: <why>" or "<path>: line N: <why>"
 * in err.
 */
int resume_load(struct resume *r, const char *path, char *err, size_t errlen);

/* What the log says of the task: not there, there but not ok, done. */
enum resume_state { RESUME_NONE, RESUME_FAILED, RESUME_DONE };

enum resume_state resume_find(const struct resume *r, const char *host,
			      unsigned long long seq, const char *command);

/*
 * Append command as /bin/sh reads its quoting: every quoted byte that is
 * special to the shell as a backslash and the byte, every other byte as it
 * is, the quotes gone.  Two quotings of the same words come out the same.
 */
void resume_canon(struct buf *out, const char *command);

void resume_free(struct resume *r);

#endif
