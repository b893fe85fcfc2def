/*
 * pdsh's exec module (pdsh -R exec, ringrun --rcmd exec): each host's
 * command runs here, as an argv without a shell, its words with %h (the
 * host), %u (its user), %n (its rank in the list, from 0) and %% (a '%')
 * replaced; another %X stays as written, as pdsh leaves it.
 */
#ifndef CLI_RCMDEXEC_H
#define CLI_RCMDEXEC_H

#include <stddef.h>

struct rcmd_host {
	const char *host;
	const char *user;
	size_t rank;
};

/* The argv of words[0..n) for h; NULL-terminated, one free() releases
   it.  A host or user never begins with '-' (hosts.h refuses it), so a
   word becomes an option only if it was written so. */
char **rcmdexec_argv(char *const *words, size_t n, const struct rcmd_host *h);

#endif
