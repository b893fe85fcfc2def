/*
 * Host names folded as pdsh folds its target list (pdsh -q): in the order
 * given, nothing sorted or dropped, "h[3,1]" for h3,h1.
 */
#ifndef CLI_PDSHFOLD_H
#define CLI_PDSHFOLD_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Append names[0..n) to b as pdsh's hostlist prints them: a name's last
 * run of digits is its number, the rest its prefix.  A name extends the
 * range before it when it has the same prefix, its number is one more and
 * the widths agree as pdsh's do (h9,h10: "h[9-10]"; h002,h3 and h01,h1
 * stay apart); neighbouring ranges of one prefix share a bracket
 * ("n[01-03,4]"); a name without a number stands alone.
 */
void pdshfold(struct buf *b, const char *const *names, size_t n);

#endif
