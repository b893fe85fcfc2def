/* A growable byte string, always NUL-terminated once anything was added. */
#ifndef CLI_BUF_H
#define CLI_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_add(struct buf *b, const void *data, size_t len);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Make room for len more bytes (and the NUL) without adding them. */
void buf_reserve(struct buf *b, size_t len);
/* Empty it, keeping the memory. */
void buf_reset(struct buf *b);
/* Hand the string over to the caller (never NULL) and empty the buffer. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
