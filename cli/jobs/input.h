/* The inputs: lines of -a/-C FILE or the words after :::. */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include <stddef.h>

struct line {
	const char *s; /* NUL-terminated (a NUL inside cuts commands short) */
	size_t len;
};

struct input {
	struct line *lines;
	size_t n;
	char *mem; /* the file's bytes, owned */
};

/*
 * Read FILE ("-" = stdin) whole and split it into lines.  Returns 0 or a
 * negative errno.
 */
int input_load(struct input *in, const char *path);

/*
 * Take ownership of mem[0..len) (malloc'ed, one spare byte at mem[len]) and
 * split it at '\n': every byte but the '\n' is kept, an empty line is an
 * input, and a last line without '\n' counts too.
 */
void input_split(struct input *in, char *mem, size_t len);

/*
 * Read fd to its end: *mem (malloc'ed, one spare byte at (*mem)[*len]).
 * Returns 0 or a negative errno.
 */
int input_read(int fd, char **mem, size_t *len);

/* The words after ::: (borrowed from argv). */
void input_words(struct input *in, char *const *words, size_t n);

void input_free(struct input *in);

#endif
