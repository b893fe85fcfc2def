/*
 * file.c - a file the SSH module needs whole (an identity, a password, a
 * known_hosts file), read at once, bounded.  rr_host_new() may wait for
 * what it reads (a password from a pipe); the loop may not, so a file read
 * from it is opened O_NONBLOCK and a FIFO in its place cannot stop it.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define RR_READ_CHUNK 8192

/* The next bytes of fd after *len into *data, grown as needed: >0, 0 at EOF. */
static ssize_t read_more(int fd, char **data, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*len + 1 >= *cap) {
		size_t size = *cap ? *cap * 2 : RR_READ_CHUNK;
		char *more = realloc(*data, size);

		if (!more)
			return -ENOMEM;
		*data = more;
		*cap = size;
	}
	do
		n = read(fd, *data + *len, *cap - *len - 1);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int rr__file_read(const char *path, size_t max, bool may_block, char **data,
		  size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (may_block ? 0 : O_NONBLOCK));
	size_t cap = 0;
	ssize_t n;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	while ((n = read_more(fd, data, len, &cap)) > 0)
		if ((*len += (size_t)n) > max) {
			n = -EFBIG;
			break;
		}
	close(fd);
	if (n < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
		return (int)n;
	}
	(*data)[*len] = '\0'; /* read_more made room for it */
	return 0;
}
