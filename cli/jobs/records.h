/*
 * The records of a byte stream, split as its bytes arrive: lines, or with
 * -0 strings that each end with a NUL byte (the last one may end without).
 * A reader holds the bytes of its record being read and of one read() at
 * most, so an endless stream costs no more than RECORD_MAX.
 */
#ifndef CLI_RECORDS_H
#define CLI_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

/* The longest record: Linux takes no longer argument (128 KiB) nor
   command, and no host list of a line is that long. */
#define RECORD_MAX_MIB 1
#define RECORD_MAX ((size_t)RECORD_MAX_MIB << 20)

struct records {
	int fd;          /* -1: closed */
	bool own_fd;     /* opened here (stdin is not closed) */
	char sep;        /* '\n', or '\0' for -0 */
	char *buf;       /* cap + 1 bytes: room for a last record's NUL */
	size_t cap, len;
	size_t start;    /* buf[start, len): not handed out yet */
	size_t scanned;  /* buf[start, scanned) holds no separator */
	size_t number;   /* records handed out */
	bool eof;        /* read() found the end */
};

/* FILE, or "-" for stdin.  Returns 0 or -errno (nothing to close). */
int records_open(struct records *rs, const char *path, char sep);

/*
 * The next record, NUL-terminated in *rec[0..*len) until the next call:
 * returns 1; 0 when no whole one is here (rs->eof: none is left, else
 * records_fill); -EILSEQ when a line holds a NUL byte, -EMSGSIZE when a
 * record is longer than RECORD_MAX (record number rs->number + 1).
 */
int records_next(struct records *rs, const char **rec, size_t *len);

/*
 * One read(2) of what the fd has, after poll(2) said it has something (a
 * read that would block, on an O_NONBLOCK fd, reads nothing).  Returns 0
 * (rs->eof at the end) or -errno.
 */
int records_fill(struct records *rs);

/* Wait until the fd has something to read, or its end.  0 or -errno. */
int records_wait(const struct records *rs);

/* "line", or "input" with -0: what a record number counts. */
const char *records_unit(const struct records *rs);

/* Why records_next refused a record. */
const char *records_strerror(int err);

void records_close(struct records *rs);

#endif
