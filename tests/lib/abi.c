/* abi.c - options structs that grow: a newer caller's struct is taken when
 * what this library does not know of it is zero, refused (E2BIG) when not;
 * rr_loop_stats() fills only what the caller has room for. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "util.h"

TestSuite(lib_abi, .timeout = TEST_TIMEOUT);

/* A struct from a header newer than this library: one more field. */
#define NEWER(type)              \
	struct {                 \
		type known;      \
		uint64_t future; \
	}

static rr_loop *plain_loop(void)
{
	rr_loop *loop = rr_loop_new(NULL);

	cr_assert_not_null(loop, "rr_loop_new: %s", strerror(errno));
	return loop;
}

Test(lib_abi, newer_loop_opts)
{
	NEWER(struct rr_loop_opts) o;
	rr_loop *loop;

	memset(&o, 0, sizeof o);
	o.known.size = sizeof o;
	loop = rr_loop_new(&o.known);
	cr_assert_not_null(loop, "a zero field it does not know is its default");
	rr_loop_free(loop);
	o.future = 1;
	errno = 0;
	cr_assert_null(rr_loop_new(&o.known));
	cr_assert_eq(errno, E2BIG);
}

Test(lib_abi, newer_task_opts)
{
	rr_loop *loop = plain_loop();
	NEWER(struct rr_opts) o;
	rr_task *t;

	memset(&o, 0, sizeof o);
	o.known.size = sizeof o;
	o.known.stdout_mode = RR_IO_CAPTURE;
	t = rr_shell(loop, "echo known", &o.known);
	cr_assert_not_null(t);
	cr_assert_eq(rr_task_wait(t), 0);
	cr_assert_str_eq(rr_task_result(t)->out.data, "known\n");
	rr_task_free(t);
	o.future = 7;
	errno = 0;
	cr_assert_null(rr_shell(loop, "echo never", &o.known));
	cr_assert_eq(errno, E2BIG);
	rr_loop_free(loop);
}

/* The pty is a struct of its own inside rr_opts, read by the same rule. */
Test(lib_abi, newer_pty)
{
	rr_loop *loop = plain_loop();
	NEWER(struct rr_pty) pty;
	struct rr_opts o = {.flags = RR_F_PTY, .pty = &pty.known};

	memset(&pty, 0, sizeof pty);
	pty.known.size = sizeof pty;
	pty.known.rows = 33;
	pty.known.cols = 99;
	rr_task *t = rr_shell(loop, "stty size", &o);
	cr_assert_not_null(t);
	cr_assert_eq(rr_task_wait(t), 0);
	cr_assert_str_eq(rr_task_result(t)->out.data, "33 99\r\n");
	rr_task_free(t);
	pty.future = 1;
	errno = 0;
	cr_assert_null(rr_shell(loop, "stty size", &o));
	cr_assert_eq(errno, E2BIG);
	rr_loop_free(loop);
}

Test(lib_abi, newer_host_opts)
{
	rr_loop *loop = plain_loop();
	NEWER(struct rr_host_opts) o;
	rr_host *h;

	memset(&o, 0, sizeof o);
	o.known.size = sizeof o;
	o.known.no_agent = true;
	h = rr_host_new(loop, "127.0.0.1:9", &o.known);
	cr_assert_not_null(h, "rr_host_new: %s", strerror(errno));
	rr_host_free(h);
	o.future = 1;
	errno = 0;
	cr_assert_null(rr_host_new(loop, "127.0.0.1:9", &o.known));
	cr_assert_eq(errno, E2BIG);
	rr_loop_free(loop);
}

/* A size smaller than the first layout is no layout at all. */
Test(lib_abi, size_below_first_layout)
{
	rr_loop *loop = plain_loop();
	struct rr_opts o = {.size = sizeof(size_t)};
	struct rr_loop_opts lo = {.size = 1};

	errno = 0;
	cr_assert_null(rr_shell(loop, "true", &o));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_loop_new(&lo));
	cr_assert_eq(errno, EINVAL);
	rr_loop_free(loop);
}

/* Stats: the counters fit whatever room the caller has, 0 meaning the first
 * layout; a newer caller's unknown fields come back zero, and size says how
 * much was filled. */
Test(lib_abi, stats_fill_the_callers_room)
{
	rr_loop *loop = plain_loop();
	NEWER(struct rr_loop_stats) newer;
	struct rr_loop_stats zero = {0};
	rr_task *t = rr_shell(loop, "true", NULL);

	cr_assert_eq(rr_task_wait(t), 0);
	rr_loop_stats(loop, &zero);
	cr_assert_eq(zero.size, sizeof zero);
	cr_assert_eq(zero.spawned, 1);
	memset(&newer, 0xa5, sizeof newer);
	newer.known.size = sizeof newer;
	rr_loop_stats(loop, &newer.known);
	cr_assert_eq(newer.known.size, sizeof newer.known);
	cr_assert_eq(newer.known.spawned, 1);
	cr_assert_eq(newer.future, 0, "a field this library does not know is zeroed");
	rr_task_free(t);
	rr_loop_free(loop);
}
