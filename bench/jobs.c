/*
 * jobs.c - read the input file and expand "{}" in the command template.
 *
 * All of it happens before the first spawn, so the floors' timed work is
 * spawning, waiting and (floor_output) reading - nothing else.
 */
#include "jobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(2);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s -j JOBS -a FILE COMMAND\n", prog);
	exit(2);
}

/* COMMAND with every "{}" replaced by arg. */
static char *expand(const char *tmpl, const char *arg)
{
	size_t alen = strlen(arg), n = 0;
	const char *p;
	char *out, *o;

	for (p = tmpl; (p = strstr(p, "{}")); p += 2)
		n++;
	out = malloc(strlen(tmpl) + n * alen + 1);
	if (!out)
		die("malloc");
	for (o = out; *tmpl; ) {
		if (tmpl[0] == '{' && tmpl[1] == '}') {
			memcpy(o, arg, alen);
			o += alen;
			tmpl += 2;
		} else {
			*o++ = *tmpl++;
		}
	}
	*o = '\0';
	return out;
}

void jobs_parse(int argc, char **argv, struct jobs *jobs)
{
	const char *path = NULL;
	size_t cap = 0, len = 0;
	char *line = NULL;
	ssize_t got;
	FILE *f;
	int opt;

	jobs->j = 1;
	while ((opt = getopt(argc, argv, "+j:a:")) != -1) {
		switch (opt) {
		case 'j':
			jobs->j = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			path = optarg;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!path || optind != argc - 1 || jobs->j == 0)
		usage(argv[0]);

	f = fopen(path, "re");
	if (!f)
		die(path);
	jobs->n = 0;
	jobs->cmd = NULL;
	while ((got = getline(&line, &len, f)) != -1) {
		if (got > 0 && line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (jobs->n == cap) {
			cap = cap ? 2 * cap : 1024;
			jobs->cmd = realloc(jobs->cmd,
					    cap * sizeof(*jobs->cmd));
			if (!jobs->cmd)
				die("realloc");
		}
		jobs->cmd[jobs->n++] = expand(argv[optind], line);
	}
	free(line);
	fclose(f);
}

void jobs_free(struct jobs *jobs)
{
	while (jobs->n)
		free(jobs->cmd[--jobs->n]);
	free(jobs->cmd);
}

pid_t jobs_spawn(const char *cmd, const posix_spawn_file_actions_t *fa)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	pid_t pid;
	int err;

	err = posix_spawn(&pid, "/bin/sh", fa, NULL, argv, environ);
	if (err) {
		errno = err;
		die("posix_spawn /bin/sh");
	}
	return pid;
}
