/*
 * Commands through the system ssh, as local processes (never a shell):
 * the argv for a host, and what the result of such a task means.  ssh
 * reads its own configuration; the argv carries only what the command line
 * says, so that it wins over the configuration as it would for ssh.
 */
#ifndef CLI_SSHEXEC_H
#define CLI_SSHEXEC_H

#include <stdbool.h>
#include <stddef.h>

#include <ringrun.h>

#include "util/buf.h"
#include "hosts/hosts.h"
#include "options.h"

struct sshexec {
	char **argv; /* "ssh" ... "--" HOST, then the command's place, NULL */
	size_t n;    /* the command's place */
	char *name;  /* how failure lines name the host */
};

/*
 * ssh -T -o BatchMode=yes [-F FILE] [-l USER] [-p PORT] [-i KEY ...]
 * [-o IdentityAgent=none] [-o StrictHostKeyChecking=...]
 * [-o UserKnownHostsFile=...] [-o ConnectTimeout=N] -- HOST.
 * ConnectTimeout is --connect-timeout's, else ringrun's default unless the
 * configuration sets one (config_timeout).  name: how failure lines name
 * the host (copied).
 */
struct sshexec *sshexec_new(const struct options *o, const struct host_spec *s,
			    bool config_timeout, const char *name);

/* The argv that runs command; valid until the next call. */
const char *const *sshexec_argv(struct sshexec *x, const char *command);

void sshexec_free(struct sshexec *x);

/*
 * A task through the system ssh.  Its stderr lines are held back by one:
 * when ssh exits 255 - it could not reach the host or log in - its last
 * line is the reason, and the host's one failure line.
 */
struct ssh_task {
	struct buf held, shown;  /* the last line, the one before it */
	bool has_held;
	bool unreached;          /* it exited 255 */
	struct rr_result result; /* as ringrun reports it */
	struct buf message;
};

struct ssh_task *ssh_task_new(void);

/* Hold a stderr line; the line held before it, to be shown now, or NULL. */
const struct buf *ssh_task_hold(struct ssh_task *t, const char *line,
				size_t len);

/* After ssh_task_end: the last line, still to be shown, or NULL (none, or
   it is the failure line). */
const struct buf *ssh_task_held(const struct ssh_task *t);

/*
 * r as ringrun reports it: the message names the host (host: as
 * sshexec.name has it) and exit 255 is RR_CONNECT_FAILED, never started,
 * its stderr dropped, ssh's last line the cause in the library's words
 * where they differ ("connection refused", "name not found: ...").
 * Points into t; r's buffers must outlive it.
 */
const struct rr_result *ssh_task_end(struct ssh_task *t,
				     const struct rr_result *r,
				     const char *host);

void ssh_task_free(struct ssh_task *t);

#endif
