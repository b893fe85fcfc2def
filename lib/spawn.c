/*
 * spawn.c - start a child: clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) on a
 * stack the loop reuses, then a child that does only what it must before
 * execve.
 *
 * Why not posix_spawn: glibc's child resets every signal disposition one
 * rt_sigaction at a time (~120 calls per spawn while we wait) and maps a
 * fresh stack per call; and it gives no pidfd (pidfd_spawn is glibc 2.39).
 * With CLONE_PIDFD the pidfd is created atomically with the child.
 *
 * The child shares our memory until execve, so it touches nothing but its
 * own stack and the request, and reports a failure by writing errno into the
 * request before _exit: CLONE_VFORK guarantees we read it after it is set.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RR_STACK_SIZE (256 * 1024) /* sanitizer runtimes want headroom */

extern char **environ;

struct child_req {
	const struct rr_spawn *sp;
	char *const *envp;
	const struct rlimit *nofile; /* restore in the child, or NULL */
	int err;
};

int rr__spawn_init(rr_loop *loop)
{
	loop->stack = mmap(NULL, RR_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (loop->stack == MAP_FAILED) {
		loop->stack = NULL;
		return -errno;
	}
	loop->stack_size = RR_STACK_SIZE;
	return 0;
}

static void clear_paths(struct rr_path_cache *c)
{
	for (size_t i = 0; i < sizeof(c->e) / sizeof(c->e[0]); i++) {
		free(c->e[i].name);
		free(c->e[i].path);
	}
	free(c->path_env);
	*c = (struct rr_path_cache){ 0 };
}

void rr__spawn_free(rr_loop *loop)
{
	if (loop->stack)
		munmap(loop->stack, loop->stack_size);
	clear_paths(&loop->paths);
}

/*
 * Children start with every signal blocked, so none of the host's handlers
 * can run on the child's side of the shared memory before execve.  One
 * block/restore pair covers a whole batch of spawns.
 */
void rr__spawn_batch_begin(rr_loop *loop)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &loop->spawn_saved_mask);
}

void rr__spawn_batch_end(rr_loop *loop)
{
	pthread_sigmask(SIG_SETMASK, &loop->spawn_saved_mask, NULL);
}

/* ------------------------------------------------------------ the child */

#define NO_ASAN __attribute__((no_sanitize("address", "undefined")))

NO_ASAN static int child_fail(struct child_req *req)
{
	req->err = errno;
	_exit(127);
}

/* Put the wanted fds on 0, 1, 2; sources below 3 are moved out of the way. */
NO_ASAN static int child_fds(const struct rr_spawn *sp)
{
	int src[3] = { sp->fds[0], sp->fds[1], sp->fds[2] };

	for (int i = 0; i < 3; i++) {
		int moved;

		if (src[i] < 0 || src[i] >= 3 || src[i] == i)
			continue;
		moved = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
		if (moved < 0)
			return -1;
		for (int j = 2; j >= i; j--)
			if (src[j] == src[i])
				src[j] = moved;
	}
	for (int i = 0; i < 3; i++) {
		if (src[i] < 0)
			continue;
		if (src[i] == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(src[i], i) < 0)
			return -1;
	}
	/* Only our fds are CLOEXEC for sure; this catches the host's leaks. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		close_range(3, ~0U, 0);
	return 0;
}

/*
 * Signals: the mask is all-blocked (inherited from the batch).  A handler
 * could only run if a signal is already pending here - nobody outside knows
 * our pid before execve and we are in our own group by now - so only then
 * are handled signals reset, instead of ~64 rt_sigaction calls every time.
 * SIGPIPE goes back to default: a host that ignores it must not pass that on.
 */
NO_ASAN static void child_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	sigset_t pending, none;

	sigaction(SIGPIPE, &dfl, NULL);
	if (sigpending(&pending) == 0 && !sigisemptyset(&pending)) {
		for (int sig = 1; sig < NSIG; sig++) {
			if (!sigismember(&pending, sig) || sigaction(sig, NULL, &old) < 0)
				continue;
			if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
				sigaction(sig, &dfl, NULL);
		}
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

NO_ASAN static int child_main(void *arg)
{
	struct child_req *req = arg;
	const struct rr_spawn *sp = req->sp;

	if (setpgid(0, 0) < 0 || child_fds(sp) < 0)
		return child_fail(req);
	if (sp->cwd && chdir(sp->cwd) < 0)
		return child_fail(req);
	if (req->nofile && setrlimit(RLIMIT_NOFILE, req->nofile) < 0)
		return child_fail(req);
	child_signals();
	execve(sp->path, sp->argv, req->envp);
	return child_fail(req);
}

/* ----------------------------------------------------------- the parent */

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static bool overridden(const char *entry, char *const *extra)
{
	size_t n = name_len(entry);

	for (; *extra; extra++)
		if (name_len(*extra) == n && strncmp(*extra, entry, n) == 0)
			return true;
	return false;
}

/* environ with the extra entries replacing same-named ones: pointers only. */
static char **merge_env(char *const *extra)
{
	size_t n = 0, m = 0, k = 0;
	char **envp;

	while (environ && environ[n])
		n++;
	while (extra[m])
		m++;
	envp = malloc((n + m + 1) * sizeof(*envp));
	if (!envp)
		return NULL;
	for (size_t i = 0; i < m; i++)
		envp[k++] = extra[i];
	for (size_t i = 0; i < n; i++)
		if (!overridden(environ[i], extra))
			envp[k++] = environ[i];
	envp[k] = NULL;
	return envp;
}

int rr__spawn(rr_loop *loop, const struct rr_spawn *sp, pid_t *pid, int *pidfd)
{
	struct child_req req = {
		.sp = sp,
		.nofile = loop->nofile_raised ? &loop->nofile_orig : NULL,
	};
	char **merged = NULL;
	int saved = errno;
	int fd = -1;
	pid_t child;

	if (sp->env) {
		merged = merge_env(sp->env);
		if (!merged)
			return -ENOMEM;
	}
	req.envp = merged ? merged : environ;
	child = clone(child_main, (char *)loop->stack + loop->stack_size,
		      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &req, &fd);
	free(merged);
	if (child < 0) {
		int err = errno;

		errno = saved;
		return -err;
	}
	errno = saved; /* the child shared our errno */
	if (req.err) {
		siginfo_t si;

		/* It has already exited: this reaps it at once. */
		waitid(P_PIDFD, (id_t)fd, &si, WEXITED);
		close(fd);
		return -req.err;
	}
	loop->spawned++;
	*pid = child;
	*pidfd = fd;
	return 0;
}

/* ------------------------------------------------------------ PATH lookup */

static int search_path(const char *name, const char *path_env, char **found)
{
	size_t nlen = strlen(name);
	int err = ENOENT;

	for (const char *p = path_env;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char *cand = malloc(dlen + nlen + 3);
		struct stat st;

		if (!cand)
			return -ENOMEM;
		/* An empty PATH element means the current directory. */
		snprintf(cand, dlen + nlen + 3, "%.*s%s%s", (int)dlen, p,
			 dlen ? "/" : "./", name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*found = cand;
				return 0;
			}
			err = EACCES;
		}
		free(cand);
		if (!*end)
			return -err;
		p = end;
	}
}

/*
 * Resolve a program name as execvp would, once per name: fan-outs run the
 * same program thousands of times.  The cache is dropped when PATH changes.
 */
int rr__resolve(rr_loop *loop, const char *name, const char **path)
{
	struct rr_path_cache *c = &loop->paths;
	const size_t slots = sizeof(c->e) / sizeof(c->e[0]);
	const char *path_env = getenv("PATH");
	char *found;
	int r;

	if (strchr(name, '/')) {
		*path = name;
		return 0;
	}
	if (!path_env)
		path_env = "/usr/local/bin:/usr/bin:/bin";
	if (!c->path_env || strcmp(c->path_env, path_env) != 0) {
		clear_paths(c);
		c->path_env = strdup(path_env);
	}
	for (size_t i = 0; i < slots; i++) {
		if (c->e[i].name && strcmp(c->e[i].name, name) == 0) {
			*path = c->e[i].path;
			return 0;
		}
	}
	r = search_path(name, path_env, &found);
	if (r < 0)
		return r;
	free(c->e[c->next].name);
	free(c->e[c->next].path);
	c->e[c->next].name = strdup(name);
	c->e[c->next].path = found;
	c->next = (c->next + 1) % slots;
	*path = found;
	return 0;
}
