/*
 * jobs.h - the job list shared by the floor programs.
 *
 * Both floors take the same command line as the tools they are compared
 * with:  PROG -j J -a FILE COMMAND.  Every line of FILE is one job whose
 * command is COMMAND with each "{}" replaced by the line, run as
 * /bin/sh -c COMMAND - the same work per job as xargs, GNU parallel,
 * asyncio and ringrun do.
 */
#ifndef BENCH_JOBS_H
#define BENCH_JOBS_H

#include <spawn.h>
#include <stddef.h>

struct jobs {
	unsigned int j;		/* children kept running at once */
	size_t n;		/* number of jobs */
	char **cmd;		/* n expanded commands */
};

/* Parse "-j J -a FILE COMMAND" and expand every command; exit 2 on error. */
void jobs_parse(int argc, char **argv, struct jobs *jobs);

/* Free what jobs_parse() allocated. */
void jobs_free(struct jobs *jobs);

/* Start "/bin/sh -c cmd" (fa may be NULL); exit 2 if that fails. */
pid_t jobs_spawn(const char *cmd, const posix_spawn_file_actions_t *fa);

#endif
