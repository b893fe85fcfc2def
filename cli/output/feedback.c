/* The progress line, the summary and --failed, glued to a run. */
#include "output/feedback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/color.h"
#include "util/fdio.h"

int feedback_init(struct feedback *fb, const struct feedback_opts *o,
		  size_t ninputs)
{
	*fb = (struct feedback){ .o = *o, .failed_fd = -1 };
	if (o->failed_file) {
		/* Not truncated yet: it may be the host or input file of this
		   very run, and a run that is killed keeps the old list. */
		fb->failed_fd = open(o->failed_file, O_WRONLY | O_CREAT |
				     O_CLOEXEC | O_NOCTTY, 0666);
		if (fb->failed_fd < 0) {
			fprintf(stderr, "ringrun: --failed: %s: %s\n",
				o->failed_file, strerror(errno));
			return -1;
		}
	}
	if (o->hosts)
		summary_init_fleet(&fb->summary, o->hosts, ninputs);
	else
		summary_init(&fb->summary, ninputs, o->failed_file != NULL);
	fb->summary.copy = o->copy;
	fb->show_summary = o->summary == WHEN_ALWAYS ||
			   (o->summary == WHEN_AUTO &&
			    (isatty(2) || o->progress == WHEN_ALWAYS));
	return 0;
}

void feedback_more(struct feedback *fb, uint64_t ntasks, bool more)
{
	summary_more(&fb->summary, ntasks, more);
}

void feedback_attach(struct feedback *fb, struct output *out)
{
	out->out.color = color_wanted(fb->o.color, out->out.fd);
	out->err.color = color_wanted(fb->o.color, out->err.fd);
	progress_init(&fb->progress, fb->o.progress, out->err.fd, out->out.fd,
		      out->err.color, &fb->summary, NULL);
	if (fb->o.bar || fb->o.eta)
		progress_parallel(&fb->progress, fb->o.bar, fb->o.ncpu, fb->o.jobs);
	out->before_write = progress_before_write;
	out->hook_ctx = &fb->progress;
}

void feedback_start(struct feedback *fb, rr_loop *loop,
		    const unsigned *running)
{
	int err;

	fb->progress.running = running;
	err = progress_start(&fb->progress, loop);
	if (err < 0)
		fprintf(stderr, "ringrun: progress: %s\n", strerror(-err));
}

void feedback_started(struct feedback *fb, const struct task_info *t)
{
	if (t->arg)
		progress_started(&fb->progress, t->arg, t->arg_len);
	else
		progress_started(&fb->progress, "", 0);
}

void feedback_task(struct feedback *fb, const struct task_info *t, size_t host,
		   enum task_end how)
{
	summary_task(&fb->summary, t, host, how);
}

void feedback_bytes(struct feedback *fb, uint64_t done, uint64_t total)
{
	fb->summary.bytes += done;
	fb->summary.bytes_total += total;
}

void feedback_turn(struct feedback *fb)
{
	progress_show(&fb->progress);
}

void feedback_erase(struct feedback *fb)
{
	progress_before_write(&fb->progress, fb->progress.fd);
}

void feedback_stop(struct feedback *fb)
{
	progress_end(&fb->progress);
}

/* The list replaces what the file held; then the file is closed. */
static int write_failed(struct feedback *fb)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd = fb->failed_fd, err = 0;

	summary_failed_list(&fb->summary, &b);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		err = errno;
	if (!err)
		err = -write_all(fd, b.data, b.len);
	fb->failed_fd = -1;
	if (close(fd) < 0 && !err)
		err = errno;
	buf_free(&b);
	return err;
}

int feedback_finish(struct feedback *fb, struct output *out, int status)
{
	if (fb->show_summary && !out->error) {
		struct buf b = BUF_INIT;

		summary_format(&fb->summary, &b, out->err.color);
		output_stderr(out, b.data, b.len);
		output_flush(out);
		buf_free(&b);
	}
	if (fb->failed_fd >= 0) {
		int err = write_failed(fb);

		if (err) {
			fprintf(stderr, "ringrun: --failed: %s: %s\n",
				fb->o.failed_file, strerror(err));
			status = status > 2 ? status : 2;
		}
	}
	return status;
}

void feedback_free(struct feedback *fb)
{
	if (fb->failed_fd >= 0)
		close(fb->failed_fd);
	summary_free(&fb->summary);
}
