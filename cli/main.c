/* ringrun: run many commands at once from one thread on one io_uring. */
#include <stdio.h>
#include <unistd.h>

#include <ringrun.h>

#include "options.h"
#include "run.h"

int main(int argc, char *argv[])
{
	struct options o;
	char err[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int status = 0;

	if (options_parse(&o, argc, argv, ncpu > 0 ? (unsigned)ncpu : 1, err,
			  sizeof err) < 0) {
		fprintf(stderr, "ringrun: %s\nTry 'ringrun --help'.\n", err);
		status = 2;
	} else if (o.help) {
		fputs(options_help, stdout);
	} else if (o.version) {
		puts("ringrun " RR_VERSION);
	} else {
		status = run(&o);
	}
	options_free(&o);
	return status;
}
