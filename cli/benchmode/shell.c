/* A benchmark command handed to the library through the chosen shell. */
#include "benchmode/shell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "benchmode/words.h"
#include "util/xalloc.h"

int bench_shell_init(struct bench_shell *s, const char *value,
		     const char **why)
{
	*s = (struct bench_shell){ 0 };
	if (!value || strcmp(value, "default") == 0)
		return 0;
	if (strcmp(value, "none") == 0) {
		s->none = true;
		return 0;
	}
	s->words = words_split(value, why);
	return s->words ? 0 : -1;
}

void bench_shell_free(struct bench_shell *s)
{
	free(s->words);
	s->words = NULL;
}

const char *bench_shell_name(const struct bench_shell *s)
{
	return s->words ? s->words[0] : "/bin/sh";
}

/* SHELL-WORDS... -c cmd */
static rr_task *through(rr_loop *loop, char *const *shell, const char *cmd,
			const struct rr_opts *opts)
{
	size_t n = 0;
	const char **argv;
	rr_task *t;

	while (shell[n])
		n++;
	argv = xreallocarray(NULL, n + 3, sizeof *argv);
	memcpy(argv, shell, n * sizeof *argv);
	argv[n] = "-c";
	argv[n + 1] = cmd;
	argv[n + 2] = NULL;
	t = rr_exec(loop, argv, opts);
	free(argv);
	return t;
}

rr_task *bench_start(rr_loop *loop, const struct bench_shell *s,
		     const char *cmd, const struct rr_opts *opts)
{
	const char *why;
	char **argv;
	rr_task *t;

	if (!s->none)
		return s->words ? through(loop, s->words, cmd, opts) :
				  rr_shell(loop, cmd, opts);
	argv = words_split(cmd, &why);
	if (!argv) {
		errno = EINVAL;
		return NULL;
	}
	t = rr_exec(loop, (const char *const *)argv, opts);
	free(argv);
	return t;
}
