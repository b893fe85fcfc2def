/* connect.c - getting a connection, or a clear reason why not: a closed
 * port, a listener that never speaks, a peer that is not an SSH server, a
 * name that does not resolve; and keepalives on a live one. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_connect);

/* A TCP socket on 127.0.0.1, bound to a free port; listening if asked. */
static int tcp_socket(bool listening, unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind: %s",
		  strerror(errno));
	if (listening)
		cr_assert(listen(fd, 16) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static rr_host *plain_host(rr_loop *loop, const char *spec, unsigned timeout_ms)
{
	const char *ids[] = {NULL};
	rr_host *h = rr_host_new(loop, spec, &(struct rr_host_opts){
		.identities = ids, .no_agent = true, .known_hosts = "/dev/null",
		.connect_timeout_ms = timeout_ms});
	cr_assert(h, "rr_host_new(%s): %s", spec, strerror(errno));
	return h;
}

/* Nothing listens: refused, which the message says (a 30 s connect timeout
 * would say it timed out); every task of the host ends the same way. */
Test(ssh_connect, closed_port_refused_fast)
{
	unsigned port;
	int fd = tcp_socket(false, &port); /* bound, not listening: refuses */
	char spec[64];
	snprintf(spec, sizeof spec, "127.0.0.1:%u", port);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = plain_host(loop, spec, 30000);

	rr_task *t[3];
	for (int i = 0; i < 3; i++)
		t[i] = ssh_task(loop, h, "true", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 3; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		expect_status_only(r, RR_CONNECT_FAILED);
		expect_contains(r->message, spec);
		expect_contains(r->message, "connection refused");
		cr_assert_eq(r->pid, 0);
		cr_assert(!r->started, "never ran: safe to run again");
	}

	/* The host stays usable: a later task tries again (and is refused). */
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_CONNECT_FAILED);
	expect_contains(r->message, "connection refused");
	close(fd);
	free_loop(loop);
}

/* A listener that accepts (in the kernel) but never speaks: the handshake
 * cannot finish, and connect_timeout_ms ends it, not before its time. */
Test(ssh_connect, silent_listener_times_out)
{
	unsigned port;
	int fd = tcp_socket(true, &port);
	char spec[64];
	snprintf(spec, sizeof spec, "127.0.0.1:%u", port);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = plain_host(loop, spec, 500);

	uint64_t t0 = now_ns();
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	double took = secs_since(t0);
	expect_status_only(r, RR_CONNECT_FAILED);
	expect_contains(r->message, spec);
	expect_contains(r->message, "0.5 s");
	cr_assert(strstr(r->message, "timed out") || strstr(r->message, "within"),
		  "not a timeout: %s", r->message);
	cr_assert_geq(took, 0.4, "ended after %.2f s", took);
	close(fd);
	free_loop(loop);
}

/* The peer speaks, but not SSH: the handshake fails, and the message says
 * so (a 30 s connect timeout would say it timed out). */
Test(ssh_connect, not_an_ssh_server)
{
	unsigned port;
	int fd = tcp_socket(true, &port);
	char spec[64];
	snprintf(spec, sizeof spec, "127.0.0.1:%u", port);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = plain_host(loop, spec, 30000);

	/* Serve one connection from this thread: queue the task, let the loop
	 * connect, then answer in HTTP and close. */
	rr_task *t = ssh_task(loop, h, "true", NULL);
	int c = -1;
	uint64_t end = now_ns() + (uint64_t)HANG_GUARD_MS * 1000000u;
	while (c < 0 && now_ns() < end) {
		rr_loop_run(loop, RR_RUN_NOWAIT);
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			pause_ms(2);
	}
	cr_assert(c >= 0, "no connection came");
	const char reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
	cr_assert_eq(write(c, reply, sizeof reply - 1), (ssize_t)sizeof reply - 1);
	shutdown(c, SHUT_WR);
	const struct rr_result *r = wait_task(t);
	expect_status_only(r, RR_CONNECT_FAILED);
	expect_contains(r->message, spec);
	expect_contains(r->message, "handshake");
	cr_assert_null(strstr(r->message, "within"), "a timeout: %s", r->message);
	close(c);
	close(fd);
	free_loop(loop);
}

/* A name that does not resolve is not an error of rr_host_new: its tasks
 * end RR_CONNECT_FAILED, "name not found". */
Test(ssh_connect, name_not_found)
{
	rr_loop *loop = loop_new(NULL);
	rr_host *h = plain_host(loop, "nonexistent.invalid", 10000);
	cr_assert_str_eq(rr_host_name(h), "nonexistent.invalid:22");

	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_CONNECT_FAILED);
	expect_contains(r->message, "nonexistent.invalid");
	expect_contains(r->message, "name not found");
	free_loop(loop);
}

/* A failed host does not hold up a good one in the same loop. */
Test(ssh_connect, bad_host_beside_good)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	unsigned port;
	int fd = tcp_socket(false, &port);
	char spec[64];
	snprintf(spec, sizeof spec, "127.0.0.1:%u", port);
	rr_loop *loop = loop_new(NULL);
	rr_host *bad = plain_host(loop, spec, 10000);
	rr_host *none = plain_host(loop, "nonexistent.invalid", 10000);
	rr_host *good = host_on(loop, s, 0, NULL);

	rr_task *tb = ssh_task(loop, bad, "true", NULL);
	rr_task *tn = ssh_task(loop, none, "true", NULL);
	rr_task *tg = ssh_task(loop, good, "echo good", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status_only(rr_task_result(tb), RR_CONNECT_FAILED);
	expect_status_only(rr_task_result(tn), RR_CONNECT_FAILED);
	expect_status(rr_task_result(tg), RR_OK, 0);
	expect_capture("stdout", &rr_task_result(tg)->out, "good\n");
	close(fd);
	free_loop(loop);
}

/* Keepalives every second on a connection that is quiet for 2.5 s: the
 * command still ends well, and so does the next one. */
Test(ssh_connect, keepalive)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.keepalive_s = 1, .no_agent = true});

	const struct rr_result *r = run_ssh(loop, h, "sleep 2.5; echo ok", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "ok\n");
	r = run_ssh(loop, h, "echo again", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "again\n");
	cr_assert_eq(sshd_log_count(s, "Connection from"), 1);
	free_loop(loop);
}

/* The connection waits for the loop: rr_loop_timeout_ms and rr_loop_fd let a
 * host program with its own poll drive SSH tasks too. */
Test(ssh_connect, driven_by_poll)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	int fd = rr_loop_fd(loop);
	cr_assert_geq(fd, 0);

	rr_task *t = ssh_task(loop, h, "echo polled; head -c 5000000 /dev/zero", NULL);
	/* A connection to make is work to do now, as a process to start is. */
	cr_assert_eq(rr_loop_timeout_ms(loop), 0,
		     "rr_loop_timeout_ms says %d with a connection to open",
		     rr_loop_timeout_ms(loop));
	uint64_t end = now_ns() + (uint64_t)HANG_GUARD_MS * 1000000u;
	int stalls = 0, turns = 0;
	while (!rr_task_done(t) && now_ns() < end) {
		int ms = rr_loop_timeout_ms(loop);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		/* -1 means "only the fd will say": waiting for ever would be
		 * right, and nothing for the hang guard's time is a stall (the
		 * loop had work it did not signal). */
		int n = poll(&p, 1, ms < 0 ? HANG_GUARD_MS : ms);
		if (n == 0 && ms < 0)
			stalls++;
		cr_assert_geq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
		turns++;
	}
	cr_assert(rr_task_done(t), "not done by polling");
	cr_assert_eq(stalls, 0, "%d waits of %d ms with no deadline and no wakeup "
		     "(%d turns)", stalls, HANG_GUARD_MS, turns);
	expect_status(rr_task_result(t), RR_OK, 0);
	cr_assert_eq(rr_task_result(t)->out.total, 7 + 5000000);
	cr_assert(memcmp(rr_task_result(t)->out.data, "polled\n", 7) == 0);
	free_loop(loop);
}
