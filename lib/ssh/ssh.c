/*
 * ssh.c - the SSH module's face: its loop-wide state, made when the first
 * host is, the hook through which it joins the loop's turn (let waiting
 * connections in, kick the ones that asked), and rr_ssh().
 */
#include "ssh/xfer.h"

#include <errno.h>
#include <stdlib.h>

static struct rr_ssh *ssh_of_hook(const struct rr_hook *h)
{
	return container_of(h, struct rr_ssh, hook);
}

static void ssh_prepare(struct rr_hook *h)
{
	struct rr_ssh *ssh = ssh_of_hook(h);

	rr__conn_admit(ssh);
	rr__conn_pokes(ssh);
}

static bool ssh_ready(const struct rr_hook *h)
{
	const struct rr_ssh *ssh = ssh_of_hook(h);

	return ssh->pokes || (ssh->admit_head &&
			      ssh->handshakes < ssh->loop->max_handshakes &&
			      !ssh->admit_deadline.slot);
}

static bool ssh_busy(const struct rr_hook *h)
{
	const struct rr_ssh *ssh = ssh_of_hook(h);

	return ssh->closing > 0 || ssh->going > 0 || ssh->killing > 0;
}

/* Commands are killed on their servers and connections say goodbye before
   the ring goes (bounded waits). */
static void ssh_shutdown(struct rr_hook *h)
{
	for (struct rr_host *host = ssh_of_hook(h)->hosts; host; host = host->next)
		if (!host->conn.going && !rr__conn_go(&host->conn, "cancelled: loop freed"))
			rr__conn_bye(&host->conn);
}

static void ssh_free(struct rr_hook *h)
{
	struct rr_ssh *ssh = ssh_of_hook(h);

	rr__hosts_free(ssh);
	rr__deadline_unreserve(ssh->loop, 1);
	libssh2_exit();
	free(ssh);
}

static struct rr_hook *ssh_make(rr_loop *loop)
{
	struct rr_ssh *ssh = calloc(1, sizeof(*ssh));

	if (!ssh || rr__deadline_reserve(loop, 1) < 0) {
		free(ssh);
		errno = ENOMEM;
		return NULL;
	}
	if (libssh2_init(0) != 0) {
		rr__deadline_unreserve(loop, 1);
		free(ssh);
		errno = ENOSYS;
		return NULL;
	}
	ssh->loop = loop;
	ssh->hook = (struct rr_hook){
		.owner = &rr__kind_ssh,
		.prepare = ssh_prepare,
		.ready = ssh_ready,
		.busy = ssh_busy,
		.shutdown = ssh_shutdown,
		.free = ssh_free,
	};
	rr__task_core_join(loop);
	return &ssh->hook;
}

struct rr_ssh *rr__ssh_of(rr_loop *loop)
{
	struct rr_hook *h = rr__hook_get(loop, &rr__kind_ssh, ssh_make);

	return h ? ssh_of_hook(h) : NULL;
}

rr_task *rr_ssh(rr_loop *loop, rr_host *host, const char *cmd,
		const struct rr_opts *opts)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct rr_task *t;

	if (!loop || !host || !cmd || host->loop != loop || host->freed ||
	    (opts && (opts->stdout_mode == RR_IO_INHERIT ||
		      opts->stderr_mode == RR_IO_INHERIT ||
		      (opts->flags & RR_F_STDIN_INHERIT)))) {
		errno = EINVAL;
		return NULL;
	}
	t = rr__task_new(loop, &rr__kind_ssh, argv, false, opts, true);
	if (!t)
		return NULL;
	rr__chan(t)->host = host;
	host->refs++;
	return rr__task_submit(t);
}

rr_host *rr_task_host(const rr_task *t)
{
	if (!t || (t->kind != &rr__kind_ssh && t->kind != &rr__kind_xfer))
		return NULL;
	return ((const struct rr_channel *)rr__task_kind_data_const(t))->host;
}
