#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/where.h"

const char *helper(void)
{
	return where_helper();
}

rr_loop *loop_new(unsigned max_running, unsigned flags)
{
	struct rr_loop_opts lo = {.max_running = max_running, .flags = flags};
	rr_loop *loop = rr_loop_new(&lo);
	cr_assert(loop, "rr_loop_new: %s", strerror(errno));
	return loop;
}

rr_task *shell_task(rr_loop *loop, const char *cmd, const struct rr_opts *o)
{
	rr_task *t = rr_shell(loop, cmd, o);
	cr_assert(t, "rr_shell(%s): %s", cmd, strerror(errno));
	return t;
}

rr_task *exec_task(rr_loop *loop, const char *const argv[],
		   const struct rr_opts *o)
{
	rr_task *t = rr_exec(loop, argv, o);
	cr_assert(t, "rr_exec(%s): %s", argv[0], strerror(errno));
	return t;
}

rr_task *helper_task(rr_loop *loop, const struct rr_opts *o, ...)
{
	const char *argv[16];
	int n = 0;
	va_list ap;
	argv[n++] = helper();
	va_start(ap, o);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return exec_task(loop, argv, o);
}

const struct rr_result *run_shell(rr_loop *loop, const char *cmd,
				  const struct rr_opts *o)
{
	return wait_task(shell_task(loop, cmd, o));
}

uint8_t *merged_pattern(size_t out, size_t err, uint64_t seed)
{
	uint8_t *b = malloc(out + err + 1), *w = b;
	cr_assert(b);
	struct pat po, pe;
	pat_init(&po, seed);
	pat_init(&pe, seed + 1);
	for (unsigned i = 0; out || err; i++) {
		size_t c = pat_chunk(i);
		size_t a = c < out ? c : out;
		pat_fill(&po, w, a);
		w += a;
		out -= a;
		a = c < err ? c : err;
		pat_fill(&pe, w, a);
		w += a;
		err -= a;
	}
	return b;
}

void expect_pattern_capture(const char *what, const struct rr_capture *c,
			    size_t n, uint64_t seed)
{
	uint8_t *want = pattern_buf(n, seed);
	cr_assert_eq(c->total, n, "%s: total %zu, want %zu", what, c->total, n);
	cr_assert_not(c->truncated, "%s: truncated", what);
	expect_bytes(what, c->data, c->len, want, n);
	cr_assert(c->data, "%s: data is NULL", what);
	cr_assert_eq(c->data[c->len], '\0', "%s: not NUL-terminated", what);
	free(want);
}

void expect_no_children(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
	int e = errno;
	cr_assert(rc == -1 && e == ECHILD,
		  "a child is left: waitid = %d (%s), si_pid %d, si_status %d", rc,
		  rc ? strerror(e) : "ok", (int)si.si_pid, si.si_status);
}

bool has_number(const char *s, long n)
{
	char want[32];
	snprintf(want, sizeof want, "%ld", n);
	size_t wl = strlen(want);
	for (const char *p = s; (p = strstr(p, want)); p++) {
		bool before = p == s || !isdigit((unsigned char)p[-1]);
		bool after = !isdigit((unsigned char)p[wl]);
		if (before && after)
			return true;
	}
	return false;
}

int swap_fd(int target, int newfd)
{
	fflush(NULL);
	int saved = fcntl(target, F_DUPFD_CLOEXEC, 100);
	cr_assert(saved >= 0, "dup: %s", strerror(errno));
	cr_assert(dup2(newfd, target) == target, "dup2: %s", strerror(errno));
	close(newfd);
	return saved;
}

void restore_fd(int target, int saved)
{
	fflush(NULL);
	dup2(saved, target);
	close(saved);
}
