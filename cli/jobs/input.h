/*
 * The inputs of a run: the words after :::, or the records of -a/-C FILE
 * (lines, or NUL-separated with -0).  A file is read as the run goes, a
 * window ahead of the next task to start, and each input is let go once
 * its tasks have their own copy of it; or it is kept whole when every input
 * is needed all along (fleet mode: each host runs each input).
 */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "jobs/records.h"
#include "util/buf.h"

struct line {
	const char *s; /* NUL-terminated; no other NUL but between the
			  arguments of a packed input (combine.h) */
	size_t len;
};

struct input {
	struct line *ring;  /* the inputs kept: numbers first .. first+count-1 */
	size_t cap, head, count;
	size_t first;       /* the number of the oldest one kept, from 0 */
	size_t n;           /* inputs read so far: all of them once ended */
	bool owned;         /* the strings are ours, not argv's */
	struct records rs;  /* the file, while reading */
	bool reading;       /* rs is open and its end not reached */
	bool starved;       /* rs holds no whole record: read the fd */
	int error;          /* the next record was refused, or a read failed
			       (-errno); nothing more is read */
	size_t error_at;    /* that record's number from 1; 0: a read */
	/* input_pack(): records packed as they are taken (combine.h) */
	bool packing;
	bool split;         /* colsep holds a regex */
	regex_t colsep;
	size_t group;       /* records per input */
	struct buf pack;    /* the input being packed ... */
	size_t packed;      /* ... of this many records */
};

/* The words after ::: (borrowed from argv): every input, ended. */
void input_words(struct input *in, char *const *words, size_t n);

/* No input yet: input_add() brings them, every one read. */
void input_empty(struct input *in);

/* One more input, s (malloc'ed, s[len] a NUL) now in's. */
void input_add(struct input *in, char *s, size_t len);

/* Read FILE ("-" = stdin) as sep-separated records ('\n', or '\0' for
   -0).  Returns 0 or -errno. */
int input_open(struct input *in, const char *path, char sep);

/*
 * The file's records packed as they are taken (combine.h): each split into
 * columns where colsep (a --colsep regex, or NULL) matches, group of them
 * (at least 1) one input, the last input taking what is left.  After
 * input_open(); colsep was checked.
 */
void input_pack(struct input *in, const char *colsep, size_t group);

/* Take the records already read while fewer than ahead inputs are kept
   (0: no bound).  Returns how many inputs came. */
size_t input_pump(struct input *in, size_t ahead);

/* The fd to poll before input_fill(), or -1: nothing to read now (ended,
   refused, ahead inputs kept, or whole records still to take). */
int input_fd(const struct input *in, size_t ahead);

/* One read(2), after poll(2) said the fd is ready; a failure stops the
   reading (in->error). */
void input_fill(struct input *in);

/* Read to the end, waiting as needed: every input kept.  Returns 0 or
   in->error. */
int input_read_all(struct input *in);

/* Every input is read: n is their number. */
bool input_ended(const struct input *in);

/* Input number idx (from 0), or NULL when it is not read yet. */
const struct line *input_get(const struct input *in, size_t idx);

/* The inputs numbered below idx are not needed any more. */
void input_release(struct input *in, size_t idx);

/* Why reading stopped: "line 3: contains a NUL byte ...". */
void input_why(const struct input *in, char *why, size_t len);

void input_free(struct input *in);

/*
 * Read fd to its end: *mem (malloc'ed, one spare byte at (*mem)[*len]).
 * Returns 0 or a negative errno.
 */
int input_read(int fd, char **mem, size_t *len);

#endif
