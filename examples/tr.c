/*
 * tr.c - stdin in, stdout out (communicate-style): hand bytes to a child's
 * stdin, get its stdout back.  The bytes are copied at submit.
 */
#include <ringrun.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *text = argc > 1 ? argv[1] : "hello from ringrun\n";
	const char *tr_argv[] = { "tr", "a-z", "A-Z", NULL };
	struct rr_opts opts = { .stdin_data = text, .stdin_len = strlen(text) };
	rr_loop *loop = rr_loop_new(NULL);
	const struct rr_result *r;
	rr_task *task;
	bool ok;

	if (!loop || !(task = rr_exec(loop, tr_argv, &opts))) {
		perror("tr");
		return 1;
	}
	rr_task_wait(task);
	r = rr_task_result(task);
	fwrite(r->out.data, 1, r->out.len, stdout);
	ok = r->status == RR_OK;
	rr_loop_free(loop); /* frees the task and its result */
	return ok ? 0 : 1;
}
