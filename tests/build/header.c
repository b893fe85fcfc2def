/*
 * The public header on its own, compiled as strict C11 (-pedantic) and as
 * C++ by make portability: a program that includes only ringrun.h builds.
 */
#include <ringrun.h>
#include <string.h>

static void on_done(rr_task *task, void *user)
{
	(void)user;
	rr_task_free(task);
}

int main(void)
{
	struct rr_loop_opts lo;
	struct rr_opts o;
	rr_loop *loop;

	memset(&lo, 0, sizeof lo);
	memset(&o, 0, sizeof o);
	o.on_done = on_done;
	o.stdout_mode = RR_IO_DISCARD;
	loop = rr_loop_new(&lo);
	if (!loop || !rr_shell(loop, "true", &o))
		return 1;
	rr_loop_run(loop, RR_RUN_DEFAULT);
	rr_loop_free(loop);
	return 0;
}
