/*
 * What copy mode prints of one (host, SRC) copy that ended: a line on
 * stdout ("web1: SRC -> DST: 3 files, 1 directory, 4096 bytes"; group and
 * stream), or a JSON object (json); nothing with quiet.  On stderr, every
 * mode: a line per entry that failed, or the task's failure line when no
 * entry says why (a host that could not be reached, a timeout).
 */
#ifndef CLI_COPYOUT_H
#define CLI_COPYOUT_H

#include <ringrun.h>

#include "copy/copy.h"
#include "output/output.h"

void copyout_done(struct output *o, const struct task_info *t,
		  const struct rr_result *r, const struct copy *c);

#endif
