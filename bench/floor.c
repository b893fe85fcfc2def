/*
 * floor.c - the spawn floor: the least a runner can do per job.
 *
 *   floor [-X] -j J -a FILE COMMAND
 *
 * posix_spawn("/bin/sh", {"sh", "-c", COMMAND}) for every line of FILE
 * (-X: posix_spawnp of COMMAND's words, no shell),
 * keeping J children running, each reaped with a blocking waitpid().  The
 * children inherit stdout: nothing is captured, so this is the speed of
 * process creation alone, the bar a runner that captures output must reach.
 * Exit status 1 if any job failed.
 */
#include "jobs.h"

#include <stdio.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	size_t next = 0, running = 0, failed = 0;
	struct jobs jobs;
	int status;

	jobs_parse(argc, argv, &jobs);
	while (next < jobs.n || running) {
		while (running < jobs.j && next < jobs.n) {
			jobs_spawn(&jobs, next++, NULL);
			running++;
		}
		if (waitpid(-1, &status, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed)
		fprintf(stderr, "floor: %zu of %zu jobs failed\n", failed,
			jobs.n);
	jobs_free(&jobs);
	return failed ? 1 : 0;
}
