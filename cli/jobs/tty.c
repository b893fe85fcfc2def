/* --tty: the size of ringrun's terminal, and raw mode for a session. */
#include "jobs/tty.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool tty_size(struct rr_pty *pty)
{
	struct winsize ws;

	for (int fd = 0; fd <= 2; fd++) {
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			pty->rows = ws.ws_row;
			pty->cols = ws.ws_col;
			return true;
		}
	}
	return false;
}

int tty_raw(struct tty *t, int fd)
{
	struct termios raw;

	if (tcgetattr(fd, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return -errno;
	t->fd = fd;
	t->raw = true;
	return 0;
}

void tty_restore(struct tty *t)
{
	if (!t->raw)
		return;
	/* TCSADRAIN: what the task wrote last is shown as it was sent. */
	while (tcsetattr(t->fd, TCSADRAIN, &t->saved) < 0 && errno == EINTR)
		;
	t->raw = false;
}
