/* Drive the library: inputs in, tasks through the loop, output out. */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include "options.h"

/*
 * Run everything the options ask for (the host file's hosts are added to
 * o->hosts); returns ringrun's exit status.
 */
int run(struct options *o);

#endif
