/* The progress line, the summary and --failed, glued to a run. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "color.h"

int report_init(struct report *rp, const struct options *o, size_t ninputs)
{
	*rp = (struct report){ .o = o, .failed_fd = -1 };
	if (o->failed_file) {
		/* Not truncated yet: it may be the host or input file of this
		   very run, and a run that is killed keeps the old list. */
		rp->failed_fd = open(o->failed_file,
				     O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
		if (rp->failed_fd < 0) {
			fprintf(stderr, "ringrun: --failed: %s: %s\n", o->failed_file,
				strerror(errno));
			return -1;
		}
	}
	if (o->fleet)
		summary_init_fleet(&rp->summary, &o->hosts, ninputs);
	else
		summary_init(&rp->summary, ninputs, o->failed_file != NULL);
	rp->show_summary = o->summary == WHEN_ALWAYS ||
			   (o->summary == WHEN_AUTO &&
			    (isatty(2) || o->progress == WHEN_ALWAYS));
	return 0;
}

void report_attach(struct report *rp, struct output *out)
{
	out->out.color = color_wanted(rp->o->color, out->out.fd);
	out->err.color = color_wanted(rp->o->color, out->err.fd);
	progress_init(&rp->progress, rp->o->progress, out->err.fd, out->out.fd,
		      out->err.color, &rp->summary, NULL);
	out->before_write = progress_before_write;
	out->hook_ctx = &rp->progress;
}

void report_start(struct report *rp, rr_loop *loop, const unsigned *running)
{
	int err;

	rp->progress.running = running;
	err = progress_start(&rp->progress, loop);
	if (err < 0)
		fprintf(stderr, "ringrun: progress: %s\n", strerror(-err));
}

void report_task(struct report *rp, const struct task_info *t,
		 const struct fleet_host *fh, bool ok)
{
	/* A task of a host that is down fails with its host. */
	enum task_end how = ok ? TASK_OK :
			    fh && fh->down ? TASK_UNREACHABLE : TASK_FAILED;

	summary_task(&rp->summary, t, fh ? fh->idx : 0, how);
}

void report_turn(struct report *rp)
{
	progress_show(&rp->progress);
}

void report_erase(struct report *rp)
{
	progress_before_write(&rp->progress, rp->progress.fd);
}

void report_stop(struct report *rp)
{
	progress_end(&rp->progress);
}

/* The list replaces what the file held; then the file is closed. */
static int write_failed(struct report *rp)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd = rp->failed_fd, err = 0;

	summary_failed_list(&rp->summary, &b);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		err = errno;
	for (size_t off = 0; !err && off < b.len;) {
		ssize_t n = write(fd, b.data + off, b.len - off);

		if (n < 0 && errno != EINTR)
			err = errno;
		else if (n > 0)
			off += (size_t)n;
	}
	rp->failed_fd = -1;
	if (close(fd) < 0 && !err)
		err = errno;
	buf_free(&b);
	return err;
}

int report_finish(struct report *rp, struct output *out, int status)
{
	if (rp->show_summary && !out->error) {
		struct buf b = BUF_INIT;

		summary_format(&rp->summary, &b, out->err.color);
		output_stderr(out, b.data, b.len);
		output_flush(out);
		buf_free(&b);
	}
	if (rp->failed_fd >= 0) {
		int err = write_failed(rp);

		if (err) {
			fprintf(stderr, "ringrun: --failed: %s: %s\n",
				rp->o->failed_file, strerror(err));
			status = status > 2 ? status : 2;
		}
	}
	return status;
}

void report_free(struct report *rp)
{
	if (rp->failed_fd >= 0)
		close(rp->failed_fd);
	summary_free(&rp->summary);
}
