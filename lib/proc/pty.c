/*
 * pty.c - the pseudo-terminal of a task run with RR_F_PTY.  The parent
 * opens the pair and sizes it; the child (spawn.c) makes a new session with
 * the slave as its controlling terminal and fds 0-2.  The master is read as
 * the task's one output stream (EIO once the last slave fd is closed is its
 * EOF) and written as its stdin (feed.c).
 */
#include "proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int rr__pty_resize(int master, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows,
			      .ws_col = (unsigned short)cols };

	assert(rows && cols && rows <= USHRT_MAX && cols <= USHRT_MAX);
	return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

/*
 * Blocking fds both: a tty does not tell io_uring it can be tried without
 * blocking, so the ring polls before each read, and O_NONBLOCK would make
 * it hand us EAGAIN instead.  The slave comes from the master itself
 * (TIOCGPTPEER), never from a path someone could swap.
 */
int rr__pty_open(const struct rr_task *t, int *master, int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s, r;

	if (m < 0)
		return -errno;
	r = unlockpt(m) < 0 ? -errno : rr__pty_resize(m, t->pty.rows, t->pty.cols);
	s = r < 0 ? -1 : ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (r == 0 && s < 0)
		r = -errno;
	if (r < 0) {
		close(m);
		return r;
	}
	*master = m;
	*slave = s;
	return 0;
}

/* What the terminal takes as end of input now (the child may have set it). */
char rr__pty_eof_char(int master)
{
	struct termios tio;

	return tcgetattr(master, &tio) == 0 && tio.c_cc[VEOF] ? (char)tio.c_cc[VEOF] : 4;
}
