/*
 * How benchmark mode starts a command (hyperfine's --shell): through
 * /bin/sh -c (the default), through another shell's words and -c, or
 * (--shell=none) as the command's own words, without a shell.
 */
#ifndef CLI_BENCH_SHELL_H
#define CLI_BENCH_SHELL_H

#include <stdbool.h>

#include <ringrun.h>

struct bench_shell {
	bool none;    /* --shell=none: the command split into words */
	char **words; /* NULL: /bin/sh (rr_shell) */
};

/* From --shell's value (NULL or "default": /bin/sh).  Returns 0, or -1
   with *why set (its words do not split). */
int bench_shell_init(struct bench_shell *s, const char *value,
		     const char **why);

void bench_shell_free(struct bench_shell *s);

/* The shell's name, for messages. */
const char *bench_shell_name(const struct bench_shell *s);

/* cmd handed to the library through s; NULL with errno set (EINVAL: under
   --shell=none, cmd does not split into words). */
rr_task *bench_start(rr_loop *loop, const struct bench_shell *s,
		     const char *cmd, const struct rr_opts *opts);

#endif
