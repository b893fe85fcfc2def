/*
 * GNU parallel as the oracle of the parallel job options (parjobs.py does
 * the comparing): --joblog rows, --results trees, -k --tag/--tagstring
 * output byte for byte, the job log read both ways by --resume-failed and
 * --resume, and the rows of --timeout N%.  The inputs: tests/data/parjobs/inputs.txt and generated
 * ones (a fixed seed).  Each mode prints its agreement rate on stderr.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/guard.h"
#include "../common/where.h"
#include "harness.h"
#include "sshd.h"

static void dir_up(void)
{
	cli_dir_up("parjobs");
}

/* A file of the source tree: the harness is at tests/sshd/ in it. */
static const char *source_file(const char *rel)
{
	static char path[PATH_MAX];
	const char *harness = where_sshd_harness();
	const char *tests = strstr(harness, "tests/sshd/sshd-harness.sh");

	cr_assert_not_null(tests, "%s", harness);
	snprintf(path, sizeof path, "%.*s%s", (int)(tests - harness), harness, rel);
	return path;
}

static void oracle(const char *mode)
{
	char script[PATH_MAX], data[PATH_MAX];
	struct proc_result r;

	snprintf(script, sizeof script, "%s", source_file("tests/cli/parjobs.py"));
	snprintf(data, sizeof data, "%s", source_file("tests/data/parjobs/inputs.txt"));
	const char *const argv[] = { "python3", script, mode, ringrun_bin(), data,
				     cli_expand("@DIR"), NULL };

	run_prog(argv, NULL, 0, HANG_GUARD_MS * 2, &r);
	fputs(r.err, stderr);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	proc_result_free(&r);
}

#define ORACLE(mode)                                                      \
	Test(cli_parjobs, mode, .init = dir_up, .fini = cli_dir_down,     \
	     .timeout = TEST_TIMEOUT)                                     \
	{                                                                 \
		oracle(#mode);                                            \
	}

ORACLE(joblog)
ORACLE(results)
ORACLE(tag)
ORACLE(resume)
ORACLE(timeout)
