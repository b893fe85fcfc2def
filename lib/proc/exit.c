/*
 * exit.c - a child's exit as a ring completion, and signals to its group.
 *
 * Where the kernel has IORING_OP_WAITID (6.7) the ring reaps the child and
 * fills our siginfo.  Otherwise a POLL_ADD on the pidfd says it exited and
 * waitid(P_PIDFD, WNOHANG) reaps it on the loop without blocking.  With
 * RR_F_RUSAGE the ring only waits (WNOWAIT) and wait4 reaps, since only wait4
 * hands back the child's rusage.
 */
#include "proc/proc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void proc_complete(struct rr_op *op, const struct io_uring_cqe *cqe);

void rr__proc_wait(struct rr_task *t)
{
	rr_loop *loop = t->loop;
	struct rr_proc *p = rr__proc(t);
	struct io_uring_sqe *sqe;

	p->op.complete = proc_complete;
	sqe = rr__sqe(loop, &p->op);
	if (loop->features & RR_FEAT_WAITID) {
		memset(&p->si, 0, sizeof(p->si));
		io_uring_prep_rw(RR_OP_WAITID, sqe, p->pidfd, NULL, P_PIDFD, 0);
		sqe->file_index = WEXITED |
				  ((t->opts.flags & RR_F_RUSAGE) ? WNOWAIT : 0);
		sqe->addr2 = (uint64_t)(uintptr_t)&p->si;
		io_uring_sqe_set_data(sqe, &p->op); /* addr2 overlays nothing of it */
	} else {
		io_uring_prep_poll_add(sqe, p->pidfd, POLLIN);
	}
}

/* Reap without blocking; 0 with si_pid 0 means it has not exited yet. */
static int reap_now(struct rr_task *t)
{
	struct rr_proc *p = rr__proc(t);
	int status;

	if (t->opts.flags & RR_F_RUSAGE) {
		pid_t r = wait4(p->pid, &status, WNOHANG, &p->ru);

		if (r <= 0)
			return r < 0 ? -errno : 0;
		p->si.si_pid = r;
		if (WIFSIGNALED(status)) {
			p->si.si_code = CLD_KILLED;
			p->si.si_status = WTERMSIG(status);
		} else {
			p->si.si_code = CLD_EXITED;
			p->si.si_status = WEXITSTATUS(status);
		}
		return 0;
	}
	memset(&p->si, 0, sizeof(p->si));
	return waitid(P_PIDFD, (id_t)p->pidfd, &p->si, WEXITED | WNOHANG) < 0 ?
		       -errno : 0;
}

static int group_signal(struct rr_task *t, int sig);

/*
 * A child the shell was forking when the group signal came can miss it: the
 * shell blocks signals around fork, so the signal lands before the child
 * joins the group, and only the shell gets it.  The leader is gone now, so
 * any fork of it has completed: say it again to whoever is left.
 */
static void signal_stragglers(struct rr_task *t)
{
	if (rr__proc(t)->end_sig)
		group_signal(t, rr__proc(t)->end_sig);
}

static int exit_code(const struct rr_proc *p)
{
	return p->si.si_code == CLD_EXITED ? p->si.si_status : -p->si.si_status;
}

/*
 * Its kill's grace is over and the child is gone: whatever still holds its
 * pipes (a daemon it left in a session of its own) is not waited for.  The
 * message then says so after how the child ended.
 */
void rr__proc_drop_output(struct rr_task *t, int code)
{
	struct rr_proc *p = rr__proc(t);
	bool out = rr__reader_stop(&t->out), err = rr__reader_stop(&t->err);

	if (!out && !err)
		return;
	p->dropped = true;
	snprintf(p->ending, sizeof(p->ending), "%s %d; its output held open by a "
		 "process it left, no longer read",
		 code >= 0 ? "exited with status" : "killed by signal",
		 code >= 0 ? code : -code);
}

/* What the reaped child tells the task core. */
static void report(struct rr_task *t, int err)
{
	struct rr_proc *p = rr__proc(t);
	char name[128];

	if (err) {
		rr__task_end(t, RR_ERROR, "%s: exit status lost: %s",
			     rr__quoted_name(t->title, name, sizeof(name)),
			     err == -ECHILD ? "another waiter reaped it (SIGCHLD ignored?)" :
					      rr_strerror(err));
	} else if (p->spawn_errno) {
		rr__proc_spawn_failed(t, p->spawn_errno);
	} else {
		rr__task_exited(t, exit_code(p), &p->ru);
	}
}

static void exited(struct rr_task *t, int err)
{
	struct rr_proc *p = rr__proc(t);

	signal_stragglers(t);
	p->reaped = true;
	assert(p->procs->unreaped > 0);
	p->procs->unreaped--;
	rr__feed_stop(t); /* nobody is left to read what we still have */
	if (p->stopping && !err)
		rr__proc_drop_output(t, exit_code(p));
	report(t, err);
}

static void proc_complete(struct rr_op *op, const struct io_uring_cqe *cqe)
{
	struct rr_proc *p = container_of(op, struct rr_proc, op);
	struct rr_task *t = rr__task_of(p);
	bool waitid_op = t->loop->features & RR_FEAT_WAITID;
	int r = cqe->res;

	assert(!p->reaped);
	if (r == -EINTR || r == -EAGAIN || r == -ECANCELED) {
		rr__proc_wait(t);
		return;
	}
	if (r >= 0 && (!waitid_op || (t->opts.flags & RR_F_RUSAGE)))
		r = reap_now(t);
	if (r == 0 && p->si.si_pid == 0) {
		rr__proc_wait(t); /* woken before it exited */
		return;
	}
	exited(t, r);
}

static int group_signal(struct rr_task *t, int sig)
{
	struct rr_proc *p = rr__proc(t);

	if (t->loop->features & RR_FEAT_GROUP_SIGNAL) {
		if (pidfd_send_signal(p->pidfd, sig, NULL,
				      PIDFD_SIGNAL_PROCESS_GROUP) == 0)
			return 0;
		if (errno != EINVAL)
			return -errno;
	}
	return kill(-p->pid, sig) == 0 ? 0 : -errno;
}

/*
 * Signal the whole process group through the pidfd: it pins the pid, so the
 * group can be reached even after the leader is reaped and its number can
 * never name someone else's group.  kill(-pgid) before kernel 6.9.  A child
 * spawned a moment ago may not have made its group yet: then the child
 * itself gets the signal (it is the whole group so far).  RR_SIG_LEADER: the
 * child only.  -ESRCH: nobody is left to get it.
 */
int rr__proc_signal(struct rr_task *t, int sig, unsigned flags)
{
	struct rr_proc *p = rr__proc(t);
	int r;

	if (p->pidfd < 0)
		return -ESRCH;
	if (flags & RR_SIG_LEADER) {
		if (p->reaped)
			return -ESRCH;
		return pidfd_send_signal(p->pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
	}
	if ((flags & RR__SIG_END) && (sig == SIGTERM || sig == SIGKILL || sig == SIGINT ||
				       sig == SIGHUP || sig == SIGQUIT))
		p->end_sig = sig;
	r = group_signal(t, sig);
	if (r == -ESRCH && !p->reaped)
		r = pidfd_send_signal(p->pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
	return r;
}
