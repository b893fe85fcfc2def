/*
 * Copy mode's tasks: where each SRC goes, what is checked before anything
 * connects, and what one (host, SRC) copy came to, entry by entry.
 */
#ifndef CLI_COPY_H
#define CLI_COPY_H

#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "options.h"

/* An entry that failed: the library's line names the host and the path. */
struct copy_failure {
	char *src, *dst;
	char *message;
};

/* One (host, SRC) copy. */
struct copy {
	char *dst;          /* what rr_put/rr_get gets as its destination */
	uint64_t files, dirs, links, bytes; /* entries copied, their bytes */
	struct copy_failure *failed;
	size_t nfailed;
	uint64_t done, total; /* the last on_progress */
};

/*
 * Before anything connects: each SRC names a file (not "/", "." or ".."),
 * --copy's exist here (a directory only with -r), --rcopy's --dest is a
 * directory (unless --mkdirs).  Returns 0, or -1 with "SRC: why" in err.
 */
int copy_check(const struct options *o, char *err, size_t errlen);

/*
 * The copy of src (one of o->srcs) with host, as written in the host list.
 * --copy: --dest (with several SRCs, always a directory) or src's own
 * directory; --rcopy: DIR/NAME.HOST, DIR --dest or src's own directory.
 */
struct copy *copy_new(const struct options *o, const char *src, const char *host);

/* The library's on_file and on_progress.  copy_progress returns what the
   run's totals grow by. */
void copy_file(struct copy *c, const struct rr_xfer_file *f);
void copy_progress(struct copy *c, uint64_t done, uint64_t total,
		   uint64_t *more_done, uint64_t *more_total);

void copy_free(struct copy *c);

#endif
