/*
 * The parallel personality with GNU parallel as the oracle: the cases of
 * tests/data/persona/parallel.txt, the input grammar's cases of
 * tests/data/parallel/cases (--dry-run -k) and seeded generated runs, each
 * through `parallel --will-cite` and `ringrun --as parallel`, compared by
 * tests/cli/parpersona.py (one Python; parallel has no batch mode).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../common/guard.h"
#include "../common/where.h"
#include "harness.h"
#include "sshd.h"

/* Generated runs besides the data files' cases: parallel starts in
   ~0.1 s of CPU, so a few. */
#define GENERATED "24"

static void dir_up(void)
{
	cli_dir_up("parpersona");
}

/* The source tree's path to name (it holds the harness). */
static void source(char *path, size_t size, const char *name)
{
	const char *harness = where_sshd_harness();
	const char *end = strstr(harness, "tests/sshd/sshd-harness.sh");

	cr_assert_not_null(end, "%s", harness);
	snprintf(path, size, "%.*s%s", (int)(end - harness), harness, name);
}

Test(cli_parpersona, oracle, .init = dir_up, .fini = cli_dir_down,
     .timeout = TEST_TIMEOUT)
{
	char script[PATH_MAX], cases[PATH_MAX], grammar[PATH_MAX];
	struct proc_result r;

	source(script, sizeof script, "tests/cli/parpersona.py");
	source(cases, sizeof cases, "tests/data/persona/parallel.txt");
	source(grammar, sizeof grammar, "tests/data/parallel/cases");
	run_prog((const char *const[]){ "python3", script, cli_expand("@DIR"),
					ringrun_bin(), cases, grammar,
					GENERATED, NULL },
		 NULL, 0, 4 * HANG_GUARD_MS, &r);
	fputs(r.err, stderr); /* the agreement rates */
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	proc_result_free(&r);
}
