/* ringrun: run many commands at once from one thread on one io_uring. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <ringrun.h>

#include "hosts/sshshow.h"
#include "options.h"
#include "persona/persona.h"
#include "run.h"

/*
 * A standard fd that is closed would be taken by the next file we open -
 * the ring, a task's pipe - and our output written into it.  /dev/null
 * takes its place: what would go there is discarded.
 */
static int fill_closed_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open("/dev/null", O_RDWR | O_NOCTTY);
		if (got != fd) /* the lowest free fd: this one */
			return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct options o;
	char err[512];
	long ncpu;
	int status = 0;

	if (fill_closed_stdio() < 0)
		return 2; /* nowhere to say it: stderr may be the closed one */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (options_parse(&o, argc, argv, ncpu > 0 ? (unsigned)ncpu : 1, err,
			  sizeof err) < 0) {
		fprintf(stderr, "ringrun: %s\nTry 'ringrun --help'.\n", err);
		status = 2;
	} else if (o.help && o.persona) {
		persona_help(stdout, o.persona);
	} else if (o.help) {
		fputs(options_help, stdout);
	} else if (o.version) {
		puts("ringrun " RR_VERSION);
	} else if (o.print_config) {
		status = ssh_print_config(&o);
	} else {
		status = run(&o);
	}
	options_free(&o);
	return status;
}
