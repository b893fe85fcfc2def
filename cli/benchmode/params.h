/*
 * hyperfine's parameters: --parameter-scan NAME MIN MAX (with
 * --parameter-step-size DELTA), --parameter-list NAME V1,V2,... (several:
 * every combination), {NAME} in the commands, --prepare, --setup,
 * --cleanup and --command-name; the benchmark's commands made of them.
 */
#ifndef CLI_PARAMS_H
#define CLI_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

/* One parameter as given. */
struct param_opt {
	const char *name;
	const char *list;     /* --parameter-list's values, else NULL */
	const char *min, *max; /* --parameter-scan's range */
};

/* The commands to benchmark, made of templates, parameters and names. */
struct param_cmds {
	size_t n;
	char **commands;    /* n, then NULL */
	char **names;       /* n: --command-name's, NULL where none */
	size_t nparams;     /* each command's parameters, sorted by name */
	const char **pnames;
	char **pvalues;     /* n * nparams: command k's at k * nparams */
};

/*
 * The commands of templates[0..ntemplates) over the parameters (each
 * template for each value of a scan; each combination of the lists, the
 * templates varying fastest, then the first list) and their names (one
 * for all, else one each).  Returns 0, or -1 with hyperfine's reason in err.
 */
int params_expand(struct param_cmds *out, const char *const *templates,
		  size_t ntemplates, const struct param_opt *params,
		  size_t nparams, const char *step, const char *const *names,
		  size_t nnames, char *err, size_t errlen);

void params_free(struct param_cmds *pc);

/* s with command k's {NAME}s replaced (left to right, never twice). */
char *params_apply(const struct param_cmds *pc, size_t k, const char *s);

#endif
