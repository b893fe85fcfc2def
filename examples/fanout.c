/*
 * fanout.c - fire-and-forget fan-out, then wait for all (like aioshell's
 * Executor): queue many commands, let the loop run them 32 at a time, count
 * how each ended.  Tasks free themselves (RR_F_AUTOFREE) once counted.
 *
 *   ./fanout [N]
 */
#include <ringrun.h>
#include <stdio.h>
#include <stdlib.h>

struct tally {
	unsigned ok, failed;
};

static void count(rr_task *task, void *user)
{
	struct tally *tally = user;
	const struct rr_result *r = rr_task_result(task);

	if (r->status == RR_OK) {
		tally->ok++;
	} else {
		tally->failed++;
		fprintf(stderr, "fanout: %s\n", r->message);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	struct rr_loop_opts lopts = { .max_running = 32 };
	struct tally tally = { 0 };
	struct rr_opts opts = {
		.stdout_mode = RR_IO_DISCARD,
		.on_done = count,
		.user = &tally,
		.flags = RR_F_AUTOFREE,
	};
	rr_loop *loop = rr_loop_new(&lopts);
	char cmd[64];

	if (!loop) {
		perror("fanout: rr_loop_new");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "test %d -ge 0", i);
		if (!rr_shell(loop, cmd, &opts)) {
			perror("fanout: rr_shell");
			return 1;
		}
	}
	rr_loop_run(loop, RR_RUN_DEFAULT);
	rr_loop_free(loop);
	printf("fanout: %u ok, %u failed\n", tally.ok, tally.failed);
	return tally.ok == (unsigned)n ? 0 : 1;
}
