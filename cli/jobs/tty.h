/*
 * --tty: the terminal ringrun runs on.  Its size is what the tasks' ptys
 * start with; in an interactive session (a terminal on stdin, one task) it
 * is put in raw mode, so that every key goes to the task as ssh -t does,
 * and put back as it was on every way out.
 */
#ifndef CLI_TTY_H
#define CLI_TTY_H

#include <stdbool.h>
#include <termios.h>

#include <ringrun.h>

struct tty {
	bool raw;              /* in raw mode: saved is to be put back */
	int fd;
	struct termios saved;
};

/* The size of the terminal on stdin, stdout or stderr (the first that is
   one) into *pty; false (and *pty left) when none is. */
bool tty_size(struct rr_pty *pty);

/* fd's terminal in raw mode.  Returns 0 or a negative errno. */
int tty_raw(struct tty *t, int fd);

/* Put it back as it was; nothing when it is not in raw mode. */
void tty_restore(struct tty *t);

#endif
