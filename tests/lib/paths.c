/* paths.c - the exit-wait and read paths chosen explicitly by flag. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util.h"

TestSuite(lib_paths, .timeout = TEST_TIMEOUT);

/* A capture, an exit code, a signal and a timeout on a loop. */
static void exercise(rr_loop *loop)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' both 2097152 1048579 401; exit 7", helper());
	rr_task *a = shell_task(loop, cmd, NULL);
	rr_task *b = shell_task(loop, "kill -TERM $$", NULL);
	struct rr_opts o = {.timeout_ms = 200};
	rr_task *c = shell_task(loop, "echo started; exec sleep 600", &o);
	struct lines l = {0};
	struct rr_opts lo = {.on_line = record_cb, .user = &l};
	rr_task *d = helper_task(loop, &lo, "lines", "3", NULL);
	expect_status(wait_task(d), RR_OK, 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);

	const struct rr_result *r = rr_task_result(a);
	expect_status(r, RR_EXIT_NONZERO, 7);
	expect_pattern_capture("stdout", &r->out, 2097152, 401);
	expect_pattern_capture("stderr", &r->err, 1048579, 402);
	expect_status(rr_task_result(b), RR_SIGNALED, -15);
	expect_status(rr_task_result(c), RR_TIMEOUT, -15);
	/* what it printed before the timeout is kept; on a loaded machine the
	   200 ms may pass before the shell gets to its echo */
	cr_assert(!strcmp(rr_task_result(c)->out.data, "started\n") ||
		  !strcmp(rr_task_result(c)->out.data, ""), "out '%s'", rr_task_result(c)->out.data);
	cr_assert_eq(l.n, 3);
	expect_line(&l, 2, RR_STDOUT, "line 3");
	lines_free(&l);
	expect_no_children();
}

Test(lib_paths, no_waitid_flag)
{
	rr_loop *loop = loop_new(0, RR_LOOP_NO_WAITID);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.features & RR_FEAT_WAITID, 0, "features 0x%x", st.features);
	exercise(loop);
	free_loop(loop);
}

Test(lib_paths, no_multishot_flag)
{
	rr_loop *loop = loop_new(0, RR_LOOP_NO_MULTISHOT);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.features & RR_FEAT_READ_MULTISHOT, 0, "features 0x%x", st.features);
	exercise(loop);
	free_loop(loop);
}

Test(lib_paths, both_fallbacks)
{
	rr_loop *loop = loop_new(0, RR_LOOP_NO_WAITID | RR_LOOP_NO_MULTISHOT);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	cr_assert_eq(st.features & (RR_FEAT_WAITID | RR_FEAT_READ_MULTISHOT), 0);
	exercise(loop);
	free_loop(loop);
}

static int kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;
	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 0;
	return a > maj || (a == maj && b >= min);
}

/* Without flags or environment, a 6.7+ kernel gives both fast paths; the
 * environment variables force the fallbacks. */
Test(lib_paths, default_features_follow_kernel_and_env)
{
	rr_loop *loop = loop_new(0, 0);
	struct rr_loop_stats st = { .size = sizeof st };
	rr_loop_stats(loop, &st);
	const char *nw = getenv("RINGRUN_NO_WAITID");
	const char *nm = getenv("RINGRUN_NO_MULTISHOT");
	bool force_nw = nw && !strcmp(nw, "1");
	bool force_nm = nm && !strcmp(nm, "1");
	if (force_nw)
		cr_assert_eq(st.features & RR_FEAT_WAITID, 0, "RINGRUN_NO_WAITID=1 ignored");
	if (force_nm)
		cr_assert_eq(st.features & RR_FEAT_READ_MULTISHOT, 0,
			     "RINGRUN_NO_MULTISHOT=1 ignored");
	if (kernel_at_least(6, 7)) {
		if (!force_nw)
			cr_assert(st.features & RR_FEAT_WAITID, "features 0x%x", st.features);
		if (!force_nm)
			cr_assert(st.features & RR_FEAT_READ_MULTISHOT, "features 0x%x",
				  st.features);
	}
	exercise(loop);
	free_loop(loop);
}
