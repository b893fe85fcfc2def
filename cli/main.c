/* ringrun: run many commands at once from one thread on one io_uring. */
#include <stdio.h>
#include <unistd.h>

#include <ringrun.h>

#include "options.h"
#include "run.h"

int main(int argc, char *argv[])
{
	struct options o;
	char err[256];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (options_parse(&o, argc, argv, ncpu > 0 ? (unsigned)ncpu : 1, err,
			  sizeof err) < 0) {
		fprintf(stderr, "ringrun: %s\nTry 'ringrun --help'.\n", err);
		return 2;
	}
	if (o.help) {
		fputs(options_help, stdout);
		return 0;
	}
	if (o.version) {
		puts("ringrun " RR_VERSION);
		return 0;
	}
	return run(&o);
}
