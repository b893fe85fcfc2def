/*
 * The records of a byte stream, split as its bytes arrive.  Only the bytes
 * not handed out yet stay: a partial record and what the last read()
 * brought after it.
 */
#include "jobs/records.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* What one read(2) may bring. */
#define READ_SIZE ((size_t)65536)

int records_open(struct records *rs, const char *path, char sep)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	/* A directory opens; say so now rather than at its first read. */
	if (!is_stdin && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	*rs = (struct records){
		.fd = fd, .own_fd = !is_stdin, .sep = sep,
		.buf = xmalloc(READ_SIZE + 1), .cap = READ_SIZE,
	};
	return 0;
}

int records_next(struct records *rs, const char **rec, size_t *len)
{
	char *s = rs->buf + rs->start, *end = rs->buf + rs->len;
	char *sep = memchr(rs->buf + rs->scanned, rs->sep, rs->len - rs->scanned);
	size_t n;

	if (!sep) {
		rs->scanned = rs->len;
		if (rs->len - rs->start > RECORD_MAX)
			return -EMSGSIZE;
		if (!rs->eof || rs->start == rs->len)
			return 0;
		sep = end; /* the last record, without its separator */
	}
	n = (size_t)(sep - s);
	if (n > RECORD_MAX)
		return -EMSGSIZE;
	if (rs->sep != '\0' && memchr(s, '\0', n))
		return -EILSEQ;
	rs->start = rs->scanned = (size_t)(sep - rs->buf) + (sep < end);
	*sep = '\0'; /* buf has a byte past cap for the last one's */
	rs->number++;
	*rec = s;
	*len = n;
	return 1;
}

int records_fill(struct records *rs)
{
	ssize_t n;

	/* Only when no whole record is left: then what stays is one partial
	   record of RECORD_MAX at most, and the buffer stays that small. */
	assert(rs->scanned == rs->len && !rs->eof);
	if (rs->start) {
		memmove(rs->buf, rs->buf + rs->start, rs->len - rs->start);
		rs->len -= rs->start;
		rs->scanned = rs->len;
		rs->start = 0;
	}
	if (rs->cap - rs->len < READ_SIZE) {
		rs->cap = rs->len + READ_SIZE;
		rs->buf = xreallocarray(rs->buf, rs->cap + 1, 1);
	}
	do
		n = read(rs->fd, rs->buf + rs->len, rs->cap - rs->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	rs->eof = n == 0;
	rs->len += (size_t)n;
	return 0;
}

int records_wait(const struct records *rs)
{
	struct pollfd p = { .fd = rs->fd, .events = POLLIN };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

const char *records_unit(const struct records *rs)
{
	return rs->sep == '\0' ? "input" : "line";
}

const char *records_strerror(int err)
{
	if (err == -EILSEQ)
		return "contains a NUL byte";
	if (err == -EMSGSIZE)
		return "longer than " STR(RECORD_MAX_MIB) " MiB";
	return strerror(-err);
}

void records_close(struct records *rs)
{
	if (rs->own_fd && rs->fd >= 0)
		close(rs->fd);
	free(rs->buf);
	rs->buf = NULL;
	rs->fd = -1;
	rs->cap = rs->len = rs->start = rs->scanned = 0;
}
