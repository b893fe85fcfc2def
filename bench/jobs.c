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
	fprintf(stderr, "usage: %s [-X] -j JOBS -a FILE COMMAND\n", prog);
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

/* cmd split at spaces, in place: its words, NULL-ended. */
static char **words(char *cmd)
{
	size_t n = 0;
	char **w = malloc((strlen(cmd) / 2 + 2) * sizeof(*w));
	char *save = NULL;

	if (!w)
		die("malloc");
	for (char *t = strtok_r(cmd, " ", &save); t; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	w[n] = NULL;
	return w;
}

void jobs_parse(int argc, char **argv, struct jobs *jobs)
{
	int exec = 0;
	const char *path = NULL;
	size_t cap = 0, len = 0;
	char *line = NULL;
	ssize_t got;
	FILE *f;
	int opt;

	jobs->j = 1;
	while ((opt = getopt(argc, argv, "+Xj:a:")) != -1) {
		switch (opt) {
		case 'X':
			exec = 1;
			break;
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
	jobs->argv = NULL;
	while ((got = getline(&line, &len, f)) != -1) {
		if (got > 0 && line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (jobs->n == cap) {
			cap = cap ? 2 * cap : 1024;
			jobs->cmd = realloc(jobs->cmd,
					    cap * sizeof(*jobs->cmd));
			if (!jobs->cmd)
				die("realloc");
			if (exec) {
				jobs->argv = realloc(jobs->argv,
						     cap * sizeof(*jobs->argv));
				if (!jobs->argv)
					die("realloc");
			}
		}
		jobs->cmd[jobs->n] = expand(argv[optind], line);
		if (exec)
			jobs->argv[jobs->n] = words(jobs->cmd[jobs->n]);
		jobs->n++;
	}
	free(line);
	fclose(f);
}

void jobs_free(struct jobs *jobs)
{
	while (jobs->n) {
		jobs->n--;
		free(jobs->cmd[jobs->n]);
		if (jobs->argv)
			free(jobs->argv[jobs->n]);
	}
	free(jobs->cmd);
	free(jobs->argv);
}

pid_t jobs_spawn(const struct jobs *jobs, size_t i,
		 const posix_spawn_file_actions_t *fa)
{
	char *sh[] = { "sh", "-c", jobs->cmd[i], NULL };
	char **argv = jobs->argv ? jobs->argv[i] : sh;
	pid_t pid;
	int err;

	if (!argv[0]) {
		errno = EINVAL;
		die("an empty command");
	}
	/* posix_spawnp searches PATH for a bare word, as execvp does. */
	err = jobs->argv ? posix_spawnp(&pid, argv[0], fa, NULL, argv, environ)
			 : posix_spawn(&pid, "/bin/sh", fa, NULL, argv, environ);
	if (err) {
		errno = err;
		die(argv[0]);
	}
	return pid;
}
