/*
 * floor_output.c - the output floor: capture every job's stdout with the
 * plainest poll() loop.
 *
 *   floor_output [-X] -j J -a FILE COMMAND
 *
 * Each job is /bin/sh -c COMMAND (-X: its words, no shell) with stdout on a
 * pipe (stderr inherited).
 * One poll() over all pipes, one read() per readable pipe straight into that
 * job's buffer (grown by doubling, at least 64 KiB free per read).  At EOF
 * the job is reaped with waitpid() and its whole output written to stdout
 * at once - GNU parallel's --group, ringrun's group mode - and the buffer is
 * freed.  J jobs are kept running.  Exit status 1 if any job failed.
 */
#define _GNU_SOURCE
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_MIN	(64 * 1024)

struct child {
	pid_t pid;
	char *buf;
	size_t len, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "floor_output: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int start(struct child *c, const struct jobs *jobs, size_t i)
{
	posix_spawn_file_actions_t fa;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe2");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	*c = (struct child){ .pid = jobs_spawn(jobs, i, &fa) };
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	return fds[0];
}

/* One read() into c's buffer; returns what read() returned. */
static ssize_t fill(struct child *c, int fd)
{
	ssize_t got;

	if (c->cap - c->len < READ_MIN) {
		c->cap = c->cap * 2 > c->len + READ_MIN ? c->cap * 2 :
			 c->len + READ_MIN;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			die("realloc");
	}
	do
		got = read(fd, c->buf + c->len, c->cap - c->len);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		die("read");
	c->len += (size_t)got;
	return got;
}

/* Reap c (its stdout is closed), write its output, free it; 1 if it failed. */
static int finish(struct child *c)
{
	size_t off = 0;
	ssize_t put;
	int status;

	if (waitpid(c->pid, &status, 0) < 0)
		die("waitpid");
	while (off < c->len) {
		put = write(1, c->buf + off, c->len - off);
		if (put < 0 && errno != EINTR)
			die("write");
		if (put > 0)
			off += (size_t)put;
	}
	free(c->buf);
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	size_t next = 0, active = 0, failed = 0, i;
	struct pollfd *pfd;
	struct child *kid;
	struct jobs jobs;

	jobs_parse(argc, argv, &jobs);
	pfd = calloc(jobs.j, sizeof(*pfd));
	kid = calloc(jobs.j, sizeof(*kid));
	if (!pfd || !kid)
		die("calloc");

	while (next < jobs.n || active) {
		for (; active < jobs.j && next < jobs.n; active++) {
			pfd[active].fd = start(&kid[active], &jobs, next++);
			pfd[active].events = POLLIN;
		}
		if (poll(pfd, active, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		/* Backwards: the last slot fills a finished one's place. */
		for (i = active; i-- > 0; ) {
			if (!pfd[i].revents || fill(&kid[i], pfd[i].fd) > 0)
				continue;
			close(pfd[i].fd);
			failed += finish(&kid[i]);
			active--;
			pfd[i] = pfd[active];
			kid[i] = kid[active];
		}
	}
	if (failed)
		fprintf(stderr, "floor_output: %zu of %zu jobs failed\n",
			failed, jobs.n);
	free(pfd);
	free(kid);
	jobs_free(&jobs);
	return failed ? 1 : 0;
}
