/* killseq.c - rr_opts.kill_seq: what a kill, a timeout and an idle timeout
 * send, step by step. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

TestSuite(lib_kill_seq, .timeout = TEST_TIMEOUT);

/* Far longer than any test here runs: a step that must not come yet. */
#define FAR_MS 60000

/*
 * A shell that says which signals it got: USR1 and USR2 are only noted,
 * INT ends it with status 7.  Traps set before "ready", so a kill sent from
 * that line finds them.
 */
static const char trapper[] =
	"trap 'echo got-USR1' USR1; trap 'echo got-USR2; exit 5' USR2; "
	"trap 'echo got-INT; exit 7' INT; echo ready; "
	"while :; do sleep 0.05; done";

struct seen {
	int sig;         /* rr_task_kill from "ready" with this, or 0 */
	char lines[8][16];
	int n;
};

static void note_line(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	struct seen *k = u;

	(void)s;
	if (n == 5 && memcmp(d, "ready", 5) == 0 && k->sig)
		cr_assert_eq(rr_task_kill(t, k->sig), 0);
	if (k->n < 8 && n < 16)
		memcpy(k->lines[k->n++], d, n);
}

/* The timeout sends the first step's signal, not SIGTERM. */
Test(lib_kill_seq, timeout_sends_the_first_step)
{
	static const struct rr_kill_step seq[] = { { SIGINT, FAR_MS }, { SIGKILL, 0 }, { 0, 0 } };
	rr_loop *loop = loop_new(0, 0);
	struct seen k = { 0 };
	struct rr_opts o = { .on_line = note_line, .user = &k, .timeout_ms = 1,
			     .kill_seq = seq };
	const struct rr_result *r = run_shell(loop, trapper, &o);

	cr_assert_eq(r->status, RR_TIMEOUT, "%s", r->message);
	/* Its trap ran (7), or the INT came before the shell set it (-2). */
	cr_assert(r->exit_code == 7 || r->exit_code == -SIGINT, "exit %d", r->exit_code);
	rr_loop_free(loop);
}

/* rr_task_kill's signal takes the first step's place; the next step
   follows when the task outlives the first. */
Test(lib_kill_seq, steps_follow_in_order)
{
	static const struct rr_kill_step seq[] = { { SIGTERM, 10 }, { SIGUSR2, FAR_MS },
						   { SIGKILL, 0 }, { 0, 0 } };
	rr_loop *loop = loop_new(0, 0);
	struct seen k = { .sig = SIGUSR1 };
	struct rr_opts o = { .on_line = note_line, .user = &k, .kill_seq = seq };
	const struct rr_result *r = run_shell(loop, trapper, &o);

	expect_status(r, RR_CANCELLED, 5);
	cr_assert_eq(k.n, 3, "lines: %d", k.n);
	cr_assert_str_eq(k.lines[1], "got-USR1");
	cr_assert_str_eq(k.lines[2], "got-USR2");
	rr_loop_free(loop);
}

/* Steps that run out before a SIGKILL are followed by one. */
Test(lib_kill_seq, sigkill_after_the_last_step)
{
	static const struct rr_kill_step seq[] = { { SIGUSR1, 10 }, { 0, 0 } };
	rr_loop *loop = loop_new(0, 0);
	struct seen k = { .sig = SIGUSR1 };
	struct rr_opts o = { .on_line = note_line, .user = &k, .kill_seq = seq };
	const struct rr_result *r = run_shell(loop, trapper, &o);

	expect_status(r, RR_CANCELLED, -SIGKILL);
	rr_loop_free(loop);
}

/* A SIGKILL given to rr_task_kill while the steps run ends it now. */
static void kill_twice(rr_task *t, enum rr_stream s, const char *d, size_t n, void *u)
{
	(void)s, (void)u;
	if (n == 8 && memcmp(d, "got-USR1", 8) == 0)
		cr_assert_eq(rr_task_kill(t, SIGKILL), 0);
	else if (n == 5 && memcmp(d, "ready", 5) == 0)
		cr_assert_eq(rr_task_kill(t, SIGUSR1), 0);
}

Test(lib_kill_seq, sigkill_jumps_to_the_end)
{
	static const struct rr_kill_step seq[] = { { SIGTERM, FAR_MS }, { SIGUSR2, FAR_MS },
						   { 0, 0 } };
	rr_loop *loop = loop_new(0, 0);
	struct rr_opts o = { .on_line = kill_twice, .kill_seq = seq };
	const struct rr_result *r = run_shell(loop, trapper, &o);

	expect_status(r, RR_CANCELLED, -SIGKILL);
	rr_loop_free(loop);
}

Test(lib_kill_seq, bad_sequences_refused)
{
	static const struct rr_kill_step empty[] = { { 0, 0 } };
	static const struct rr_kill_step bad_sig[] = { { SIGTERM, 1 }, { NSIG, 1 }, { 0, 0 } };
	static const struct rr_kill_step neg[] = { { -1, 1 }, { 0, 0 } };
	struct rr_kill_step too_long[RR_KILL_SEQ_MAX + 1];
	const struct rr_kill_step *bad[] = { empty, bad_sig, neg, too_long };
	rr_loop *loop = loop_new(0, 0);

	for (int i = 0; i < RR_KILL_SEQ_MAX + 1; i++)
		too_long[i] = (struct rr_kill_step){ SIGTERM, 1 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rr_opts o = { .kill_seq = bad[i] };

		errno = 0;
		cr_assert_null(rr_shell(loop, "true", &o), "sequence %zu accepted", i);
		cr_assert_eq(errno, EINVAL);
	}
	rr_loop_free(loop);
}

/* RR_KILL_SEQ_MAX steps are taken, and the caller's copy may go once the
   task is submitted. */
Test(lib_kill_seq, longest_sequence_copied)
{
	struct rr_kill_step *seq = calloc(RR_KILL_SEQ_MAX + 1, sizeof(*seq));
	rr_loop *loop = loop_new(0, 0);
	struct seen k = { .sig = SIGUSR1 };
	struct rr_opts o = { .on_line = note_line, .user = &k };
	rr_task *t;

	for (int i = 0; i < RR_KILL_SEQ_MAX; i++)
		seq[i] = (struct rr_kill_step){ i == 1 ? SIGINT : SIGUSR1, i == 0 ? 10 : FAR_MS };
	o.kill_seq = seq;
	t = shell_task(loop, trapper, &o);
	memset(seq, 0xff, RR_KILL_SEQ_MAX * sizeof(*seq));
	free(seq);
	cr_assert_eq(rr_task_wait(t), 0);
	expect_status(rr_task_result(t), RR_CANCELLED, 7);
	rr_loop_free(loop);
}
