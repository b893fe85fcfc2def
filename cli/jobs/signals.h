/*
 * The signals sent to stop a program - SIGINT, SIGTERM, SIGHUP, SIGQUIT -
 * are blocked, except while the loop sleeps in the kernel with the mask
 * from signals_setup(); their handler only counts them.  So a signal
 * interrupts exactly that sleep (rr_loop_run() = -EINTR) and never a
 * half-done update.  Left to their default action they would end ringrun
 * at once and leave its tasks, each in a process group of its own, running.
 * SIGPIPE is ignored: a closed stdout shows up as EPIPE.  In an
 * interactive --tty session SIGWINCH is counted in the same way.
 */
#ifndef CLI_SIGNALS_H
#define CLI_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Returns 0 or a negative errno; wait_mask: the mask for the loop's sleep.
   winch: SIGWINCH is counted too (an interactive --tty session). */
int signals_setup(sigset_t *wait_mask, bool winch);

/* How many of them have arrived, and the first one's number (0: none). */
unsigned signals_count(void);
int signals_first(void);

/* How many SIGWINCHs have arrived (with winch). */
unsigned signals_winches(void);

#endif
