/*
 * jobs.h - the job list shared by the floor programs.
 *
 * Both floors take the same command line as the tools they are compared
 * with:  PROG [-X] -j J -a FILE COMMAND.  Every line of FILE is one job
 * whose command is COMMAND with each "{}" replaced by the line, run as
 * /bin/sh -c COMMAND - the same work per job as xargs, GNU parallel,
 * asyncio and ringrun do.  With -X the command is split at spaces (no
 * quoting) and run by exec, no shell, as the python workloads run theirs.
 */
#ifndef BENCH_JOBS_H
#define BENCH_JOBS_H

#include <spawn.h>
#include <stddef.h>

struct jobs {
	unsigned int j;		/* children kept running at once */
	size_t n;		/* number of jobs */
	char **cmd;		/* n expanded commands */
	char ***argv;		/* -X: n NULL-ended word lists (in cmd's memory) */
};

/* Parse "[-X] -j J -a FILE COMMAND" and expand every command; exit 2 on
   error. */
void jobs_parse(int argc, char **argv, struct jobs *jobs);

/* Free what jobs_parse() allocated. */
void jobs_free(struct jobs *jobs);

/* Start job i, "/bin/sh -c CMD" or with -X its words (fa may be NULL);
   exit 2 if that fails. */
pid_t jobs_spawn(const struct jobs *jobs, size_t i,
		 const posix_spawn_file_actions_t *fa);

#endif
