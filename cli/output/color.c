/* Colour on a terminal, as SGR escapes. */
#include "output/color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/names.h"

#define SGR_RESET "\033[0m"

static const char *const sgr[] = {
	[PAINT_OK] = "\033[32m",
	[PAINT_FAILED] = "\033[31m",
	[PAINT_UNREACHABLE] = "\033[33m",
	[PAINT_BOLD] = "\033[1m",
};

const char *parse_color(const char *s, enum when *when)
{
	static const char *const names[] = {
		[WHEN_AUTO] = "auto",
		[WHEN_ALWAYS] = "always",
		[WHEN_NEVER] = "never",
	};

	int m = NAME_INDEX(names, s);

	if (m < 0)
		return "unknown value (auto, always, never)";
	*when = (enum when)m;
	return NULL;
}

bool color_wanted(enum when when, int fd)
{
	const char *no_color = getenv("NO_COLOR");

	if (when != WHEN_AUTO)
		return when == WHEN_ALWAYS;
	return isatty(fd) && !(no_color && *no_color);
}

void color_start(struct buf *b, bool on, enum paint p)
{
	if (on)
		buf_adds(b, sgr[p]);
}

void color_end(struct buf *b, bool on)
{
	if (on)
		buf_adds(b, SGR_RESET);
}

void color_add(struct buf *b, bool on, enum paint p, const char *s, size_t len)
{
	color_start(b, on, p);
	buf_add(b, s, len);
	color_end(b, on);
}

void color_failure(struct buf *b, const char *msg, bool unreachable)
{
	const char *rest = msg;

	/* "host web7:22: ...", "host h7 (10.0.0.7:22): ..." - neither a host
	   name nor an address holds ": ", so the first one ends the name, an
	   IPv6 address's colons included. */
	if (strncmp(msg, "host ", 5) == 0 && strstr(msg, ": ")) {
		rest = strstr(msg, ": ");
		color_add(b, true, PAINT_BOLD, msg, (size_t)(rest - msg));
		buf_adds(b, ": ");
		rest += 2;
	}
	color_add(b, true, unreachable ? PAINT_UNREACHABLE : PAINT_FAILED, rest,
		  strlen(rest));
}
