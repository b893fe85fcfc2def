/* watch.c - rr_watch_fd on the program's own fds, and rr_loop_post from
 * other threads. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

TestSuite(lib_watch, .timeout = TEST_TIMEOUT);

struct seen {
	int calls;
	unsigned revents;
	int fd;
	bool drain;      /* read one byte per call */
	bool free_self;
	rr_task *victim;
};

static void on_ready(rr_watch *w, int fd, unsigned revents, void *user)
{
	struct seen *s = user;
	char c;

	s->calls++;
	s->revents = revents;
	s->fd = fd;
	if (s->drain)
		cr_assert_eq(read(fd, &c, 1), 1);
	if (s->victim)
		rr_task_kill(s->victim, SIGTERM);
	if (s->free_self)
		rr_watch_free(w);
}

static void put_byte(int fd)
{
	cr_assert_eq(write(fd, "x", 1), 1);
}

/* Turns of RR_RUN_ONCE until the watch has been called n times. */
static void run_until(rr_loop *loop, const struct seen *s, int n)
{
	for (int turns = 0; s->calls < n; turns++) {
		cr_assert_lt(turns, 1000, "%d calls of %d", s->calls, n);
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	}
}

/* A byte in a watched pipe: POLLIN on the loop; a watch is not work. */
Test(lib_watch, pipe_readable)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { .drain = true };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	rr_watch *w = rr_watch_fd(loop, p[0], POLLIN, on_ready, &s);
	cr_assert_not_null(w);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0, "a watch is not work");
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(s.calls, 0);
	put_byte(p[1]);
	run_until(loop, &s, 1);
	cr_assert(s.revents & POLLIN, "revents %#x", s.revents);
	cr_assert_eq(s.fd, p[0]);
	rr_watch_free(w);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

Test(lib_watch, each_write_a_call)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { .drain = true };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	rr_watch *w = rr_watch_fd(loop, p[0], POLLIN, on_ready, &s);
	for (int i = 1; i <= 5; i++) {
		put_byte(p[1]);
		run_until(loop, &s, i);
		cr_assert_eq(s.calls, i);
	}
	rr_watch_free(w);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

/* Freed from its callback: never called again, and RR_RUN_ONCE no longer
 * waits for it. */
Test(lib_watch, free_from_its_callback)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { .drain = true, .free_self = true };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_not_null(rr_watch_fd(loop, p[0], POLLIN, on_ready, &s));
	put_byte(p[1]);
	run_until(loop, &s, 1);
	put_byte(p[1]);
	put_byte(p[1]);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(s.calls, 1);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

/* A watch beside a running task: its callback cancels the task. */
Test(lib_watch, beside_a_running_task)
{
	rr_loop *loop = loop_new(0, 0);
	rr_task *task = shell_task(loop, "exec sleep 600", NULL);
	struct seen s = { .drain = true, .victim = task };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	rr_watch *w = rr_watch_fd(loop, p[0], POLLIN, on_ready, &s);
	put_byte(p[1]);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	cr_assert_eq(s.calls, 1);
	expect_status(rr_task_result(task), RR_CANCELLED, -15);
	rr_task_free(task);
	rr_watch_free(w);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

Test(lib_watch, socketpair_writable)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { .free_self = true };
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_not_null(rr_watch_fd(loop, sv[0], POLLOUT, on_ready, &s));
	run_until(loop, &s, 1);
	cr_assert(s.revents & POLLOUT, "revents %#x", s.revents);
	cr_assert(!(s.revents & POLLIN), "revents %#x", s.revents);
	free_loop(loop);
	close(sv[0]);
	close(sv[1]);
}

/* rr_loop_free takes live watches, one of them ready, without a call. */
Test(lib_watch, loop_free_takes_live_watches)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { 0 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_not_null(rr_watch_fd(loop, p[0], POLLIN, on_ready, &s));
	cr_assert_not_null(rr_watch_fd(loop, p[1], POLLOUT, on_ready, &s));
	put_byte(p[1]);
	free_loop(loop);
	cr_assert_eq(s.calls, 0);
	close(p[0]);
	close(p[1]);
}

/* ----------------------------------------------------------------- posts */

enum { THREADS = 4, POSTS = 1000 };

struct posts {
	rr_loop *loop;
	pthread_t loop_thread;
	int ran[THREADS][POSTS];
	int next[THREADS];  /* the seq each thread's next post must carry */
	int total;
	bool wrong_thread, out_of_order;
	struct post_arg {
		struct posts *ps;
		int thread, seq;
	} args[THREADS][POSTS];
};

static void posted(void *arg)
{
	struct post_arg *a = arg;
	struct posts *ps = a->ps;

	if (!pthread_equal(pthread_self(), ps->loop_thread))
		ps->wrong_thread = true;
	if (ps->next[a->thread]++ != a->seq)
		ps->out_of_order = true;
	ps->ran[a->thread][a->seq]++;
	ps->total++;
}

static char post_failed[] = "post failed";

static void *poster(void *arg)
{
	struct post_arg *row = arg;

	for (int i = 0; i < POSTS; i++)
		if (rr_loop_post(row[i].ps->loop, posted, &row[i]) != 0)
			return post_failed;
	return NULL;
}

static struct posts *posts_new(rr_loop *loop)
{
	struct posts *ps = calloc(1, sizeof(*ps));

	cr_assert_not_null(ps);
	ps->loop = loop;
	ps->loop_thread = pthread_self();
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < POSTS; i++)
			ps->args[t][i] = (struct post_arg){ ps, t, i };
	return ps;
}

static void start_posters(struct posts *ps, pthread_t th[THREADS])
{
	for (int t = 0; t < THREADS; t++)
		cr_assert_eq(pthread_create(&th[t], NULL, poster, ps->args[t]), 0);
}

static void join_posters(pthread_t th[THREADS])
{
	for (int t = 0; t < THREADS; t++) {
		void *r;

		cr_assert_eq(pthread_join(th[t], &r), 0);
		cr_assert_null(r, "%s", (char *)r);
	}
}

static void expect_all_once(const struct posts *ps)
{
	cr_assert(!ps->wrong_thread, "a posted function ran off the loop's thread");
	cr_assert(!ps->out_of_order, "a thread's posts ran out of order");
	cr_assert_eq(ps->total, THREADS * POSTS);
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < POSTS; i++)
			cr_assert_eq(ps->ran[t][i], 1, "post %d of thread %d ran %d times",
				     i, t, ps->ran[t][i]);
}

/* The loop sleeps in RR_RUN_ONCE on a silent pipe's watch while 4 threads
 * post: their posts wake it, each runs once, on its thread, in order. */
Test(lib_watch, posts_from_4_threads_wake_the_loop)
{
	rr_loop *loop = loop_new(0, 0);
	struct posts *ps = posts_new(loop);
	struct seen s = { 0 };
	pthread_t th[THREADS];
	int p[2];

	cr_assert_eq(pipe(p), 0);
	rr_watch *w = rr_watch_fd(loop, p[0], POLLIN, on_ready, &s);
	start_posters(ps, th);
	while (ps->total < THREADS * POSTS)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	join_posters(th);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_all_once(ps);
	cr_assert_eq(s.calls, 0);
	rr_watch_free(w);
	free_loop(loop);
	free(ps);
	close(p[0]);
	close(p[1]);
}

/* Pending posts are work: RR_RUN_DEFAULT returns once all of them ran. */
Test(lib_watch, default_runs_every_post)
{
	rr_loop *loop = loop_new(0, 0);
	struct posts *ps = posts_new(loop);
	pthread_t th[THREADS];

	start_posters(ps, th);
	join_posters(th);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_all_once(ps);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	free_loop(loop);
	free(ps);
}

struct sleeper {
	rr_loop *loop;
	pid_t tid;  /* the loop's thread */
	int ran;
	bool saw_wait;
};

static void bump(void *arg)
{
	((struct sleeper *)arg)->ran++;
}

/* The loop's thread is inside io_uring_enter (from its syscall file). */
static bool in_enter(pid_t tid)
{
	char path[64], line[64];
	FILE *f;
	bool in;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	in = fgets(line, sizeof line, f) &&
	     atol(line) == (long)SYS_io_uring_enter;
	fclose(f);
	return in;
}

static void *post_once_asleep(void *arg)
{
	struct sleeper *sl = arg;

	while (!in_enter(sl->tid))
		sched_yield();
	sl->saw_wait = true;
	return rr_loop_post(sl->loop, bump, sl) == 0 ? NULL : post_failed;
}

/* With nothing to do but a silent pipe's watch, RR_RUN_ONCE sleeps in the
 * kernel; a post made once it is there wakes it and runs in that turn. */
Test(lib_watch, post_wakes_a_sleeping_once)
{
	rr_loop *loop = loop_new(0, 0);
	struct sleeper sl = { .loop = loop, .tid = gettid() };
	struct seen s = { 0 };
	pthread_t th;
	void *r;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	rr_watch *w = rr_watch_fd(loop, p[0], POLLIN, on_ready, &s);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 0); /* the polls are in */
	cr_assert_eq(pthread_create(&th, NULL, post_once_asleep, &sl), 0);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	cr_assert_eq(pthread_join(th, &r), 0);
	cr_assert_null(r);
	cr_assert(sl.saw_wait);
	cr_assert_eq(sl.ran, 1);
	cr_assert_eq(s.calls, 0);
	rr_watch_free(w);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

static void *post_one(void *arg)
{
	struct sleeper *sl = arg;

	return rr_loop_post(sl->loop, bump, sl) == 0 ? NULL : post_failed;
}

/* A host program asleep in its own poll() on rr_loop_fd wakes for a post. */
Test(lib_watch, post_wakes_a_host_poll)
{
	rr_loop *loop = loop_new(0, 0);
	struct sleeper sl = { .loop = loop };
	int fd = rr_loop_fd(loop);
	pthread_t th;
	void *r;

	cr_assert_geq(fd, 0);
	cr_assert_eq(rr_loop_timeout_ms(loop), -1, "nothing to do");
	cr_assert_eq(pthread_create(&th, NULL, post_one, &sl), 0);
	while (!sl.ran) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* -1 until posted: then only the wake ends the poll; 0 once
		   the post is queued, whether the fd told it yet or not. */
		cr_assert_geq(poll(&pfd, 1, rr_loop_timeout_ms(loop)), 0);
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	}
	cr_assert_eq(pthread_join(th, &r), 0);
	cr_assert_null(r);
	cr_assert_eq(sl.ran, 1);
	free_loop(loop);
}

/* Posted from a callback on the loop's thread: runs on a later turn. */
static void post_from_callback(rr_watch *w, int fd, unsigned revents, void *user)
{
	struct sleeper *sl = user;
	char c;

	(void)revents;
	cr_assert_eq(read(fd, &c, 1), 1);
	cr_assert_eq(rr_loop_post(sl->loop, bump, sl), 0);
	cr_assert_eq(sl->ran, 0, "ran inside the callback");
	rr_watch_free(w);
}

Test(lib_watch, post_from_a_callback)
{
	rr_loop *loop = loop_new(0, 0);
	struct sleeper sl = { .loop = loop };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_not_null(rr_watch_fd(loop, p[0], POLLIN, post_from_callback, &sl));
	put_byte(p[1]);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	while (!sl.ran)
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
	cr_assert_eq(sl.ran, 1);
	free_loop(loop);
	close(p[0]);
	close(p[1]);
}

/* Still queued at rr_loop_free: dropped, never called (no leak). */
Test(lib_watch, loop_free_drops_queued_posts)
{
	rr_loop *loop = loop_new(0, 0);
	struct sleeper sl = { .loop = loop };

	for (int i = 0; i < 10; i++)
		cr_assert_eq(rr_loop_post(loop, bump, &sl), 0);
	free_loop(loop);
	cr_assert_eq(sl.ran, 0);
}

Test(lib_watch, bad_arguments)
{
	rr_loop *loop = loop_new(0, 0);
	struct seen s = { 0 };

	cr_assert_eq(rr_loop_post(NULL, bump, NULL), -EINVAL);
	cr_assert_eq(rr_loop_post(loop, NULL, NULL), -EINVAL);
	errno = 0;
	cr_assert_null(rr_watch_fd(loop, 0, 0, on_ready, &s));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(rr_watch_fd(loop, -1, POLLIN, on_ready, &s));
	cr_assert_null(rr_watch_fd(loop, 0, POLLIN, NULL, &s));
	cr_assert_null(rr_watch_fd(NULL, 0, POLLIN, on_ready, &s));
	rr_watch_free(NULL);
	free_loop(loop);
}
