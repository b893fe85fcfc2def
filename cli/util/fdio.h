/* Writing to a file descriptor, whole. */
#ifndef CLI_FDIO_H
#define CLI_FDIO_H

#include <stddef.h>

/*
 * write(2) until all n bytes are out: EINTR is retried, and an O_NONBLOCK
 * fd we inherited is waited for.  Returns 0 or -errno.
 */
int write_all(int fd, const void *p, size_t n);

#endif
