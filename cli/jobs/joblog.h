/*
 * --joblog: one tab-separated row per task as it ends, under one header:
 *
 *   Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
 *
 * exactly as GNU parallel writes it, so that either reads the other's.
 * Host is ":" for a local task (as parallel writes it), else the host as
 * given (a tab, newline or backslash in it written \t, \n, \\).  Starttime is the epoch in seconds with 3 decimals, JobRuntime
 * seconds as printf's "%10.3f"; Send is the bytes given to the task's stdin,
 * Receive the bytes read from its stdout.  Exitval is the exit status, or
 * -1 when the command did not run to its own end; Signal the signal that
 * killed it, or 0.  A row is ok exactly when both are 0.  Command is as run,
 * a newline written as a NUL byte (as parallel does) so that a row is one
 * line.
 *
 * The parser also reads the rows ringrun wrote before (JobRuntime not
 * padded, Command with \t, \n and \\ escaped too).
 */
#ifndef CLI_JOBLOG_H
#define CLI_JOBLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define JOBLOG_LOCAL_HOST ":"

extern const char joblog_header[];

struct joblog_row {
	unsigned long long seq;
	const char *host;
	uint64_t start_ms;   /* since the epoch */
	uint64_t runtime_ms;
	uint64_t send, receive;
	int exitval;
	int signal;
	const char *command;
};

/* Append row as one line, '\n' included. */
void joblog_format(struct buf *b, const struct joblog_row *row);

/* A log read back: rows in file order, their strings in mem. */
struct joblog {
	struct joblog_row *rows;
	size_t n;
	char *mem;
};

/*
 * Parse data[0..len): header lines (first field "Seq") and empty lines are
 * skipped, a last line without '\n' counts.  Returns 0, or -1 with
 * "line N: <why>" in err (log is then empty).  joblog_free() either way.
 */
int joblog_parse(struct joblog *log, const char *data, size_t len, char *err,
		 size_t errlen);

void joblog_free(struct joblog *log);

/* The file rows are appended to, one write() each. */
struct joblog_file {
	int fd;           /* -1: closed */
	const char *path;
	int error;        /* errno of the first failed write */
};

/*
 * Open path to append to, creating it with the header line; a file that is
 * not empty must start with a header (it is not a job log otherwise).
 * Returns 0, or -1 with "<path>: <why>" in err.
 */
int joblog_open(struct joblog_file *f, const char *path, char *err,
		size_t errlen);

/* Append a row; returns 0, or the errno of the first write that failed
   (nothing more is written then). */
int joblog_write(struct joblog_file *f, const struct joblog_row *row);

void joblog_close(struct joblog_file *f);

#endif
