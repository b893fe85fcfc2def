/* The inputs: lines of -a/-C FILE or the words after :::. */
#include "jobs/input.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

void input_split(struct input *in, char *mem, size_t len)
{
	size_t n = 0;

	for (char *c = mem; (c = memchr(c, '\n', len - (size_t)(c - mem))); c++)
		n++;
	if (len && mem[len - 1] != '\n')
		n++;
	*in = (struct input){ .lines = xcalloc(n, sizeof *in->lines), .mem = mem };
	for (char *c = mem, *end = mem + len; c < end; in->n++) {
		char *nl = memchr(c, '\n', (size_t)(end - c));
		char *stop = nl ? nl : end;

		*stop = '\0';
		in->lines[in->n] = (struct line){ c, (size_t)(stop - c) };
		c = stop + 1;
	}
}

int input_read(int fd, char **mem, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p = xmalloc(cap + 1);

	for (;;) {
		if (n == cap)
			p = xreallocarray(p, (cap *= 2) + 1, 1);
		ssize_t r = read(fd, p + n, cap - n);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(p);
			return -err;
		}
		n += (size_t)r;
	}
	*mem = p;
	*len = n;
	return 0;
}

int input_load(struct input *in, const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	char *mem = NULL;
	size_t len = 0;

	if (fd < 0)
		return -errno;
	int r = input_read(fd, &mem, &len);
	if (!is_stdin)
		close(fd);
	if (r < 0)
		return r;
	input_split(in, mem, len);
	return 0;
}

void input_words(struct input *in, char *const *words, size_t n)
{
	*in = (struct input){ .lines = xcalloc(n, sizeof *in->lines), .n = n };
	for (size_t k = 0; k < n; k++)
		in->lines[k] = (struct line){ words[k], strlen(words[k]) };
}

void input_free(struct input *in)
{
	free(in->lines);
	free(in->mem);
	*in = (struct input){ 0 };
}
