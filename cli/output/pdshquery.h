/* pdsh -q and -Q: what pdsh would do, in pdsh's words, then its targets. */
#ifndef CLI_PDSHQUERY_H
#define CLI_PDSHQUERY_H

#include <stdbool.h>
#include <stdio.h>

#include "options.h"

/* Print to f what o says as pdsh -q prints its options, and o->hosts
   (exclusions applied) folded as pdsh folds them, or one by one
   (expanded: pdsh -Q). */
void pdshquery_print(FILE *f, const struct options *o, bool expanded);

#endif
