/*
 * The signals sent to stop a program - SIGINT, SIGTERM, SIGHUP, SIGQUIT -
 * are blocked, except while the loop sleeps in the kernel with the mask
 * from signals_setup(); their handler only counts them.  Left to their
 * default action they would end ringrun at once and leave its tasks, each
 * in a process group of its own, running.
 */
#include "jobs/signals.h"

#include <errno.h>
#include <stddef.h>
#include <time.h>

static volatile sig_atomic_t count;
static volatile sig_atomic_t first;
static volatile sig_atomic_t winches;

static void record(int sig)
{
	if (!first)
		first = sig;
	count++;
}

static void winched(int sig)
{
	(void)sig;
	winches++;
}

/* SIGWINCH counted too, and let in while the loop sleeps. */
static int catch_winch(sigset_t *wait_mask)
{
	struct sigaction count_it = { .sa_handler = winched };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
		return -errno;
	sigdelset(wait_mask, SIGWINCH);
	sigfillset(&count_it.sa_mask);
	return sigaction(SIGWINCH, &count_it, NULL) < 0 ? -errno : 0;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])

int signals_setup(sigset_t *wait_mask, bool winch)
{
	struct sigaction record_it = { .sa_handler = record };
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct sigaction old;
	sigset_t block;
	int err;

	sigemptyset(&block);
	for (size_t k = 0; k < NSTOP; k++)
		sigaddset(&block, stop_signals[k]);
	sigfillset(&record_it.sa_mask);
	if (sigprocmask(SIG_BLOCK, &block, wait_mask) < 0)
		return -errno;
	/*
	 * Even if our parent blocked them, they wake the loop; but one it set
	 * to SIG_IGN (nohup, a shell's background job) stays ignored.
	 */
	for (size_t k = 0; k < NSTOP; k++) {
		if (sigaction(stop_signals[k], NULL, &old) < 0)
			return -errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		sigdelset(wait_mask, stop_signals[k]);
		if (sigaction(stop_signals[k], &record_it, NULL) < 0)
			return -errno;
	}
	if (winch && (err = catch_winch(wait_mask)) < 0)
		return err;
	if (sigaction(SIGPIPE, &ignore, NULL) < 0)
		return -errno;
	/* An inherited SIG_IGN would make the kernel reap our children. */
	if (sigaction(SIGCHLD, NULL, &old) == 0 && old.sa_handler == SIG_IGN &&
	    sigaction(SIGCHLD, &dfl, NULL) < 0)
		return -errno;
	return 0;
}

unsigned signals_count(void)
{
	return (unsigned)count;
}

int signals_first(void)
{
	return first;
}

unsigned signals_winches(void)
{
	static const struct timespec now;
	sigset_t winch;

	/* One that came as the loop's wait ended is still pending, blocked:
	   taken here, so that a resize is never behind the keys after it. */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigtimedwait(&winch, NULL, &now) == SIGWINCH)
		winches++;
	return (unsigned)winches;
}
