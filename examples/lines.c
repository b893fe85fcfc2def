/*
 * lines.c - per-line callbacks with a timeout and an expected exit code
 * (like rcontrol): each line is handled as it arrives, a command that runs
 * too long is killed, and an exit code other than the expected one is a
 * status of its own.
 */
#include <ringrun.h>
#include <stdio.h>

static void on_line(rr_task *task, enum rr_stream stream, const char *line,
		    size_t len, void *user)
{
	(void)user;
	printf("%s %s| %.*s\n", rr_task_title(task),
	       stream == RR_STDERR ? "err" : "out", (int)len, line);
}

static void on_done(rr_task *task, void *user)
{
	const struct rr_result *r = rr_task_result(task);

	(void)user;
	printf("%s -> %s%s%s\n", rr_task_title(task), rr_status_name(r->status),
	       *r->message ? ": " : "", r->message);
}

int main(void)
{
	struct rr_opts opts = {
		.stdout_mode = RR_IO_CALLBACK,
		.stderr_mode = RR_IO_CALLBACK,
		.on_line = on_line,
		.on_done = on_done,
		.timeout_ms = 1000,
		.expect_exit = 2,
	};
	rr_loop *loop = rr_loop_new(NULL);
	rr_task *slow, *odd, *good;

	if (!loop) {
		perror("lines: rr_loop_new");
		return 1;
	}
	good = rr_shell(loop, "echo checking; echo 'warning: disk 91%' >&2; exit 2", &opts);
	odd = rr_shell(loop, "echo all fine; exit 0", &opts);
	slow = rr_shell(loop, "echo starting; sleep 30", &opts);
	rr_loop_run(loop, RR_RUN_DEFAULT);
	int ok = rr_task_result(good)->status == RR_OK &&
		 rr_task_result(odd)->status == RR_EXIT_UNEXPECTED &&
		 rr_task_result(slow)->status == RR_TIMEOUT;
	rr_loop_free(loop);
	return ok ? 0 : 1;
}
