/*
 * dialogue.c - hold a conversation with a running program (as asyncio's
 * process.stdin.write / readline, or paramiko's channel send/recv): each
 * question is written only once the answer to the one before has come back,
 * then stdin is closed and the program ends on its own.  The same calls
 * drive a remote program: rr_ssh() in place of rr_exec().
 */
#include <ringrun.h>
#include <stdio.h>
#include <string.h>

struct talk {
	const char *const *questions;
	int asked, answered;
	int wrong;
	const char *const *answers;
};

static void ask_next(rr_task *task, struct talk *k)
{
	const char *q = k->questions[k->asked];

	if (!q) {
		rr_task_close_stdin(task); /* bc exits at EOF */
		return;
	}
	printf("> %s", q);
	if (rr_task_write(task, q, strlen(q)) == 0)
		k->asked++;
}

static void on_start(rr_task *task, pid_t pid, void *user)
{
	printf("bc started as pid %ld\n", (long)pid);
	ask_next(task, user);
}

static void on_line(rr_task *task, enum rr_stream stream, const char *line,
		    size_t len, void *user)
{
	struct talk *k = user;
	const char *want = k->answers[k->answered++];

	(void)stream;
	printf("< %.*s\n", (int)len, line);
	k->wrong += strlen(want) != len || memcmp(want, line, len) != 0;
	ask_next(task, k);
}

int main(void)
{
	static const char *const questions[] = { "1+1\n", "2+3\n", "2^64\n", NULL };
	static const char *const answers[] = { "2", "5", "18446744073709551616" };
	static const char *const argv[] = { "bc", "-q", NULL };
	struct talk k = { .questions = questions, .answers = answers };
	struct rr_opts opts = {
		.stdout_mode = RR_IO_CALLBACK,
		.on_line = on_line,
		.on_start = on_start,
		.flags = RR_F_STDIN_PIPE,
		.user = &k,
	};
	rr_loop *loop = rr_loop_new(NULL);
	rr_task *bc;
	int ok;

	if (!loop) {
		perror("dialogue: rr_loop_new");
		return 1;
	}
	bc = rr_exec(loop, argv, &opts);
	if (!bc) {
		perror("dialogue: rr_exec");
		rr_loop_free(loop);
		return 1;
	}
	rr_task_wait(bc);
	printf("bc: %s\n", rr_status_name(rr_task_result(bc)->status));
	ok = rr_task_result(bc)->status == RR_OK && k.answered == 3 && !k.wrong;
	rr_loop_free(loop);
	return ok ? 0 : 1;
}
