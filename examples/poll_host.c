/*
 * poll_host.c - a host program with its own poll() loop drives ringrun:
 * rr_loop_fd() joins the host's pollfd set, rr_loop_timeout_ms() bounds the
 * wait, and rr_loop_run(RR_RUN_NOWAIT) does the work when either says so.
 * Here the host also watches its own stdin, as an orchestrator would watch
 * its sockets.
 */
#include <poll.h>
#include <ringrun.h>
#include <stdio.h>
#include <unistd.h>

static void on_done(rr_task *task, void *user)
{
	int *finished = user;

	(*finished)++;
	printf("done: %s (%s)\n", rr_task_title(task),
	       rr_status_name(rr_task_result(task)->status));
}

int main(void)
{
	struct rr_opts opts = { .on_done = on_done, .timeout_ms = 500 };
	rr_loop *loop = rr_loop_new(NULL);
	int finished = 0, fd;

	if (!loop || (fd = rr_loop_fd(loop)) < 0) {
		perror("poll_host");
		return 1;
	}
	opts.user = &finished;
	rr_shell(loop, "sleep 0.1; echo quick", &opts);
	rr_shell(loop, "sleep 0.2; echo slower", &opts);
	rr_shell(loop, "sleep 60", &opts); /* ends by its timeout */
	while (rr_loop_run(loop, RR_RUN_NOWAIT) > 0) {
		struct pollfd fds[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};

		if (poll(fds, 2, rr_loop_timeout_ms(loop)) < 0)
			break;
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			char buf[256];

			if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
				fds[1].fd = -1; /* the host's own input ended */
		}
	}
	rr_loop_free(loop);
	return finished == 3 ? 0 : 1;
}
