/*
 * Colour on a terminal: SGR escapes around statuses and headers, only when
 * the stream is a terminal and NO_COLOR is not set (no-color.org), unless
 * --color says otherwise.
 */
#ifndef CLI_COLOR_H
#define CLI_COLOR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "output/modes.h"

enum paint {
	PAINT_OK,          /* green */
	PAINT_FAILED,      /* red */
	PAINT_UNREACHABLE, /* yellow */
	PAINT_BOLD,        /* headers, the host of a failure line */
};

/* auto, always or never. */
const char *parse_color(const char *s, enum when *when);

/*
 * Should what goes to fd be coloured?  always: yes; never: no; auto: when
 * fd is a terminal and NO_COLOR is unset or empty.
 */
bool color_wanted(enum when when, int fd);

/* Start painting (when on), and go back to plain. */
void color_start(struct buf *b, bool on, enum paint p);
void color_end(struct buf *b, bool on);

/* s[0..len) in paint p (when on). */
void color_add(struct buf *b, bool on, enum paint p, const char *s, size_t len);

/*
 * A failure message: a leading "host NAME:" in bold, the rest red, or
 * yellow when the host could not be reached.
 */
void color_failure(struct buf *b, const char *msg, bool unreachable);

#endif
