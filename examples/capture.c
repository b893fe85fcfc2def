/*
 * capture.c - run a few commands at once, then read what each printed.
 * rr_exec runs argv without a shell; rr_task_wait runs the loop until that
 * task has ended (the others go on meanwhile).
 */
#include <ringrun.h>
#include <stdio.h>

int main(void)
{
	const char *uname_argv[] = { "uname", "-sr", NULL };
	const char *ls_argv[] = { "ls", "/", NULL };
	rr_loop *loop = rr_loop_new(NULL);
	rr_task *tasks[3];
	int failed = 0;

	if (!loop) {
		perror("capture: rr_loop_new");
		return 1;
	}
	tasks[0] = rr_exec(loop, uname_argv, NULL);
	tasks[1] = rr_exec(loop, ls_argv, NULL);
	tasks[2] = rr_shell(loop, "echo to stderr >&2; exit 3", NULL);
	for (int i = 0; i < 3; i++) {
		const struct rr_result *r;

		if (!tasks[i] || rr_task_wait(tasks[i]) < 0)
			return 1;
		r = rr_task_result(tasks[i]);
		printf("== %s: %s, exit %d, %zu bytes out, %zu bytes err, %.1f ms\n",
		       rr_task_title(tasks[i]), rr_status_name(r->status),
		       r->exit_code, r->out.len, r->err.len,
		       (double)(r->end_ns - r->start_ns) / 1e6);
		fwrite(r->out.data, 1, r->out.len, stdout);
		fwrite(r->err.data, 1, r->err.len, stdout);
		failed += r->status != RR_OK;
	}
	rr_loop_free(loop); /* frees the tasks too */
	return failed == 1 ? 0 : 1; /* only the 'exit 3' one should fail */
}
