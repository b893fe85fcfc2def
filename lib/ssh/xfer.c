/* xfer.c - file copies over SFTP (being written: this entry point only). */
#include "ssh.h"

#include <errno.h>

rr_task *rr_put(rr_loop *loop, rr_host *host, const char *local, const char *remote,
		const struct rr_xfer_opts *opts)
{
	(void)loop, (void)host, (void)local, (void)remote, (void)opts;
	errno = ENOSYS;
	return NULL;
}

rr_task *rr_get(rr_loop *loop, rr_host *host, const char *remote, const char *local,
		const struct rr_xfer_opts *opts)
{
	(void)loop, (void)host, (void)local, (void)remote, (void)opts;
	errno = ENOSYS;
	return NULL;
}
