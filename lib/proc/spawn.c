/*
 * spawn.c - start a child: clone(CLONE_VM|CLONE_PIDFD) on a small stack of
 * the loop's, and a child that does only what it must before execve.
 *
 * Why not posix_spawn: glibc's child resets every signal disposition one
 * rt_sigaction at a time (~120 calls per spawn) and maps a fresh stack per
 * call; it gives no pidfd (pidfd_spawn is glibc 2.39); and it keeps the
 * parent waiting until the child's execve is done.  That wait - the most of
 * a spawn - is what bounds a fan-out's rate on a small machine, so by default
 * the child runs alongside us (no CLONE_VFORK): its stack is free again when
 * the kernel zeroes the CLONE_CHILD_CLEARTID word, at its execve or exit.
 * With CLONE_PIDFD the pidfd is born with the child.  RINGRUN_SPAWN_VFORK=1
 * (or RR_LOOP_SPAWN_VFORK, or an architecture without sys.h's raw system
 * calls) keeps the parent waiting instead, as valgrind needs.
 *
 * The child shares our memory: it reads only its slot and the task's
 * strings, which stay put until it has exec'd, makes errno-free calls
 * (sys.h), and reports a failure by writing the errno into the task before
 * exiting 127; the task ends as spawn-failed when that exit is reaped.
 * Who must know that the exec succeeded (on_start) gets the read end of a
 * close-on-exec pipe only the child holds: its end of file, read on the
 * ring, comes at the execve or the exit, with the errno written by then.
 */
#include "proc/proc.h"
#include "proc/sys.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define RR_SLOT_SIZE (64 * 1024) /* the slot, then the child's stack above it */

/* One child between clone() and its execve. */
struct rr_slot {
	struct rr_slot *next;
	volatile pid_t busy;     /* non-zero until the kernel clears it */
	int *err;                /* where the child reports a failure */
	char *const *argv;
	const char *cwd;
	int fds[3];
	int told;                /* the exec pipe's write end, or -1 */
	bool pty;                /* fd 0 becomes the controlling terminal */
	bool restore_nofile;
	struct rlimit nofile;
	char **envp;             /* owned: environ may change meanwhile */
	size_t envp_cap;
	char *term;              /* owned: "TERM=..." for a pty */
	size_t term_cap;
	char path[PATH_MAX];
};

extern char **environ;

/* ------------------------------------------------------------ the child */

#define NO_SAN __attribute__((no_sanitize("address", "undefined")))

/* The kernel's struct sigaction, all zero but the handler: its layout
   differs by architecture only past the fields we use. */
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

/* Put the wanted fds on 0, 1, 2; sources below 3 are moved out of the way. */
NO_SAN static long child_fds(const struct rr_slot *s)
{
	int src[3] = { s->fds[0], s->fds[1], s->fds[2] };
	long r;

	for (int i = 0; i < 3; i++) {
		if (src[i] < 0 || src[i] >= 3 || src[i] == i)
			continue;
		r = rr_sys(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, 3, 0);
		if (r < 0)
			return r;
		for (int j = 2; j >= i; j--)
			if (src[j] == src[i])
				src[j] = (int)r;
	}
	for (int i = 0; i < 3; i++) {
		if (src[i] < 0)
			continue;
		r = src[i] == i ? rr_sys(SYS_fcntl, i, F_SETFD, 0, 0) :
				  rr_sys(SYS_dup3, src[i], i, 0, 0);
		if (r < 0)
			return r;
	}
	/* Only our fds are CLOEXEC for sure; this catches the host's leaks.
	   Before 5.11 they are closed now, all but the exec pipe. */
	if (rr_sys(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC, 0) < 0) {
		if (s->told >= 3) {
			rr_sys(SYS_close_range, 3, (unsigned)s->told - 1, 0, 0);
			rr_sys(SYS_close_range, (unsigned)s->told + 1, ~0U, 0, 0);
		} else {
			rr_sys(SYS_close_range, 3, ~0U, 0, 0);
		}
	}
	return 0;
}

/*
 * Signals: the mask is all-blocked (inherited from the batch).  A handler
 * could only run if a signal is already pending here - nobody outside knows
 * our pid yet and we are in our own group by now - so only then are handled
 * signals reset, instead of ~64 rt_sigaction calls every time.  SIGPIPE goes
 * back to default: a host that ignores it must not pass that on.
 */
NO_SAN static void child_signals(void)
{
	struct ksigaction dfl = { 0 }, old;
	unsigned long pending = 0, none = 0;

	rr_sys(SYS_rt_sigaction, SIGPIPE, (long)&dfl, 0, sizeof(none));
	if (rr_sys(SYS_rt_sigpending, (long)&pending, sizeof(pending), 0, 0) == 0) {
		for (int sig = 1; pending && sig <= 64; sig++) {
			if (!(pending & (1UL << (sig - 1))) ||
			    rr_sys(SYS_rt_sigaction, sig, 0, (long)&old, sizeof(none)) < 0)
				continue;
			if (old.handler != (unsigned long)SIG_DFL &&
			    old.handler != (unsigned long)SIG_IGN)
				rr_sys(SYS_rt_sigaction, sig, (long)&dfl, 0, sizeof(none));
		}
	}
	rr_sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, sizeof(none));
}

/*
 * Its own process group, so that signals reach all it starts; on a pty its
 * own session (it leads a group of the same number), with the terminal on
 * fds 0-2 as its controlling one.
 */
NO_SAN static int child_main(void *arg)
{
	struct rr_slot *s = arg;
	long r = s->pty ? rr_sys(SYS_setsid, 0, 0, 0, 0) : rr_sys(SYS_setpgid, 0, 0, 0, 0);

	if (r >= 0)
		r = child_fds(s);
	if (r == 0 && s->pty)
		r = rr_sys(SYS_ioctl, 0, TIOCSCTTY, 0, 0);
	if (r == 0 && s->cwd)
		r = rr_sys(SYS_chdir, (long)s->cwd, 0, 0, 0);
	if (r == 0 && s->restore_nofile)
		r = rr_sys(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&s->nofile, 0);
	if (r == 0) {
		child_signals();
		r = rr_sys(SYS_execve, (long)s->path, (long)s->argv, (long)s->envp, 0);
	}
	*s->err = (int)-r;
	rr_sys(SYS_exit, 127, 0, 0, 0);
	return 127;
}

/* ----------------------------------------------------------- the parent */

void rr__spawn_free(struct rr_procs *ps)
{
	/* Every child has exec'd or exited: rr_loop_free reaped them all. */
	while (ps->slots) {
		struct rr_slot *s = ps->slots;

		ps->slots = s->next;
		free(s->envp);
		free(s->term);
		munmap(s, RR_SLOT_SIZE);
	}
}

/*
 * Children start with every signal blocked, so none of the host's handlers
 * can run on the child's side of the shared memory before execve.  One
 * block/restore pair covers a whole batch of spawns.
 */
void rr__spawn_batch_begin(struct rr_procs *ps)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &ps->spawn_saved_mask);
}

void rr__spawn_batch_end(struct rr_procs *ps)
{
	pthread_sigmask(SIG_SETMASK, &ps->spawn_saved_mask, NULL);
}

/* A slot no child uses any more, or a new one. */
static struct rr_slot *slot_get(struct rr_procs *ps)
{
	struct rr_slot *s;

	for (s = ps->slots; s; s = s->next)
		if (!__atomic_load_n(&s->busy, __ATOMIC_ACQUIRE))
			return s;
	s = mmap(NULL, RR_SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	s->next = ps->slots;
	ps->slots = s;
	return s;
}

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static bool overridden(const char *entry, char *const *extra, const char *term)
{
	size_t n = name_len(entry);

	if (term && n == 4 && strncmp(entry, "TERM", 4) == 0)
		return true;
	for (; extra && *extra; extra++)
		if (name_len(*extra) == n && strncmp(*extra, entry, n) == 0)
			return true;
	return false;
}

/* "TERM=term" in the slot's own buffer. */
static int slot_term(struct rr_slot *s, const char *term)
{
	size_t need = strlen(term) + sizeof("TERM=");

	if (need > s->term_cap) {
		char *p = realloc(s->term, need);

		if (!p)
			return -ENOMEM;
		s->term = p;
		s->term_cap = need;
	}
	snprintf(s->term, need, "TERM=%s", term);
	return 0;
}

/*
 * The child's environment: TERM for a pty, the extra entries, then
 * environ's others (pointers).
 */
static int slot_env(struct rr_slot *s, char *const *extra, const char *term)
{
	size_t n = 0, m = 0, k = 0;

	while (environ && environ[n])
		n++;
	while (extra && extra[m])
		m++;
	if (n + m + 2 > s->envp_cap) {
		char **e = realloc(s->envp, (n + m + 2) * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->envp = e;
		s->envp_cap = n + m + 2;
	}
	if (term) {
		if (slot_term(s, term) < 0)
			return -ENOMEM;
		s->envp[k++] = s->term;
	}
	for (size_t i = 0; i < m; i++)
		if (!overridden(extra[i], NULL, term))
			s->envp[k++] = extra[i];
	for (size_t i = 0; i < n; i++)
		if (!overridden(environ[i], extra, term))
			s->envp[k++] = environ[i];
	s->envp[k] = NULL;
	return 0;
}

/* The close-on-exec pipe whose end of file tells the execve (told). */
static int exec_pipe(const struct rr_spawn *sp, bool wait, int told[2])
{
	told[0] = told[1] = -1;
	if (!sp->exec_fd || wait)
		return 0;
	return pipe2(told, O_CLOEXEC) == 0 ? 0 : -errno;
}

int rr__spawn(struct rr_procs *ps, const struct rr_spawn *sp, pid_t *pid, int *pidfd)
{
	rr_loop *loop = ps->loop;
	struct rr_slot *s = slot_get(ps);
	int flags = CLONE_VM | CLONE_PIDFD | SIGCHLD, fd = -1, r, told[2];
	bool wait = ps->spawn_vfork;
	pid_t child;

	if (!s)
		return -ENOMEM;
	if (strlen(sp->path) >= sizeof(s->path))
		return -ENAMETOOLONG;
	r = slot_env(s, sp->env, sp->term);
	if (r == 0)
		r = exec_pipe(sp, wait, told);
	if (r < 0)
		return r;
	strcpy(s->path, sp->path);
	s->told = told[1];
	s->argv = sp->argv;
	s->cwd = sp->cwd;
	memcpy(s->fds, sp->fds, sizeof(s->fds));
	s->pty = sp->pty;
	s->restore_nofile = loop->nofile_raised;
	s->nofile = loop->nofile_orig;
	s->err = sp->err;
	*sp->err = 0;
	flags |= wait ? CLONE_VFORK : CLONE_CHILD_CLEARTID;
	__atomic_store_n(&s->busy, 1, __ATOMIC_RELEASE);
	child = clone(child_main, (char *)s + RR_SLOT_SIZE, flags, s, &fd, NULL,
		      (pid_t *)&s->busy);
	r = child < 0 ? -errno : 0;
	if (child < 0 || wait) /* a waited-for child is past it */
		__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
	if (told[1] >= 0)
		close(told[1]); /* the child's copy alone keeps it open */
	if (r < 0) {
		if (told[0] >= 0)
			close(told[0]);
		return r;
	}
	ps->spawned++;
	*pid = child;
	*pidfd = fd;
	if (sp->exec_fd)
		*sp->exec_fd = told[0];
	return 0;
}
