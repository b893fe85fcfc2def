/*
 * Every suite starts with SIGINT, SIGQUIT and SIGHUP at their defaults.
 * Started as a script's background job (CI under load, "make check &") or
 * under nohup, a suite inherits them ignored, and so would every process
 * it runs, across exec: the tests that send them (a kill sequence's
 * SIGINT, Ctrl-C on a terminal, ringrun's own handlers) need the default.
 */
#include <signal.h>

__attribute__((constructor)) static void default_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}
