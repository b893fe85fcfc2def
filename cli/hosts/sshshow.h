/*
 * -G: what ringrun makes of each host's ssh_config and command line,
 * printed as ssh -G prints it, with nothing run.
 */
#ifndef CLI_SSHSHOW_H
#define CLI_SSHSHOW_H

#include "options.h"

/*
 * Read the configuration and print, for each of o->hosts, "keyword value"
 * lines in ssh -G's words: the keywords ringrun uses.  Returns the exit
 * status: 0, or 2 after "ringrun: FILE: line N: Keyword: cause" (a bad
 * file, a value the host cannot take) on stderr.
 */
int ssh_print_config(struct options *o);

#endif
