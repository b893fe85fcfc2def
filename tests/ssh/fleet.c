/* fleet.c - many hosts from one loop: one connection each, every command on
 * the right host, and the loop-wide admission of new connections (handshakes
 * at once, connections per second) that keeps sshd's MaxStartups happy. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

SSH_SUITE(ssh_fleet);

/*
 * One sshd listens on at most 16 addresses (OpenSSH's MAX_LISTEN_SOCKS), so a
 * fleet of more hosts is spread over several sshds, each on its own block
 * of addresses: host i is address i % 16 of sshd i / 16.
 */
struct fleet {
	struct sshd *s[4];
	int n;
};

static struct fleet fleet_start(int hosts, const char *config)
{
	struct fleet f = {.n = (hosts + 15) / 16};
	cr_assert(f.n <= 4);
	for (int k = 0; k < f.n; k++) {
		int naddr = hosts - 16 * k < 16 ? hosts - 16 * k : 16;
		f.s[k] = sshd_start(naddr, 16 * k, config, NULL);
	}
	return f;
}

static int fleet_log_count(const struct fleet *f, const char *needle)
{
	int n = 0;
	for (int k = 0; k < f->n; k++)
		n += sshd_log_count(f->s[k], needle);
	return n;
}

/*
 * Run per commands on each of n hosts; every task must be ok and must have
 * run on its own address ($SSH_CONNECTION names the server's address).
 * Returns the seconds it took.
 */
static double run_fleet(const struct fleet *f, int n, int per,
			const struct rr_loop_opts *lo)
{
	rr_loop *loop = loop_new(lo);
	rr_task **t = calloc((size_t)(n * per), sizeof *t);
	cr_assert(t);
	uint64_t t0 = now_ns();
	for (int i = 0; i < n; i++) {
		rr_host *h = host_on(loop, f->s[i / 16], i % 16, NULL);
		for (int j = 0; j < per; j++)
			t[i * per + j] = ssh_task(loop, h,
				"set -- $SSH_CONNECTION; echo $3", NULL);
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	double took = secs_since(t0);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < per; j++) {
			const struct rr_result *r = rr_task_result(t[i * per + j]);
			char want[32];
			expect_status(r, RR_OK, 0);
			snprintf(want, sizeof want, "%s\n", f->s[i / 16]->addr[i % 16]);
			expect_capture("server address", &r->out, want);
		}
	}
	free(t);
	free_loop(loop);
	return took;
}

/* 40 hosts x 4 commands with the default admission: all ok, on the right
 * host, one connection per host, none dropped. */
Test(ssh_fleet, forty_hosts_four_commands)
{
	struct fleet f = fleet_start(40, NULL);
	run_fleet(&f, 40, 4, NULL);
	cr_assert_eq(fleet_log_count(&f, "Connection from"), 40);
	cr_assert_eq(fleet_log_count(&f, "Accepted publickey"), 40);
	cr_assert_eq(fleet_log_count(&f, "Starting session"), 160);
	cr_assert_eq(fleet_log_count(&f, "drop connection"), 0);
}

/*
 * 16 hosts on one sshd with everything default, 16 times over (256
 * connections): the default admission (8 handshakes at once) must keep under
 * sshd's default MaxStartups (10:30:100), which drops at random from 10
 * unauthenticated connections on.  sshd counts a connection as
 * unauthenticated a little longer than the client does, so a margin of two
 * is thin: a drop shows as "SSH handshake failed: connection reset by peer"
 * and "drop connection ... past MaxStartups" in the log.
 */
Test(ssh_fleet, one_sshd_default_admission)
{
	struct fleet f = fleet_start(16, NULL);
	for (int round = 0; round < 16; round++)
		run_fleet(&f, 16, 1, NULL);
	cr_assert_eq(fleet_log_count(&f, "drop connection"), 0);
	cr_assert_eq(fleet_log_count(&f, "Connection from"), 256);
}

/* max_handshakes 2 against sshds that drop any connection beyond 4
 * unauthenticated ones: all 20 hosts get through. */
Test(ssh_fleet, max_handshakes_2)
{
	struct fleet f = fleet_start(20, "MaxStartups 4");
	run_fleet(&f, 20, 2, &(struct rr_loop_opts){.max_handshakes = 2});
	cr_assert_eq(fleet_log_count(&f, "Connection from"), 20);
	cr_assert_eq(fleet_log_count(&f, "drop connection"), 0);
}

/* The control for the test above: the same sshd does drop connections when
 * 16 handshakes start at once, so passing there meant something. */
Test(ssh_fleet, max_handshakes_control)
{
	struct fleet f = fleet_start(16, "MaxStartups 4");
	rr_loop *loop = loop_new(&(struct rr_loop_opts){.max_handshakes = 16});
	rr_task *t[16];
	for (int i = 0; i < 16; i++)
		t[i] = ssh_task(loop, host_on(loop, f.s[0], i, NULL), "true", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	int failed = 0;
	for (int i = 0; i < 16; i++) {
		const struct rr_result *r = rr_task_result(t[i]);
		if (r->status != RR_OK) {
			expect_status_only(r, RR_CONNECT_FAILED);
			failed++;
		}
	}
	cr_assert_gt(failed, 0, "sshd with MaxStartups 4 took 16 handshakes at once");
	cr_assert_gt(fleet_log_count(&f, "drop connection"), 0);
	free_loop(loop);
}

/* connect_rate 20/s: 20 new connections take at least 19 gaps of 50 ms. */
Test(ssh_fleet, connect_rate)
{
	struct fleet f = fleet_start(20, NULL);
	double took = run_fleet(&f, 20, 1, &(struct rr_loop_opts){.connect_rate = 20});
	cr_assert_geq(took, 0.9, "20 connections at 20/s in %.3f s", took);
	cr_assert_lt(took, 10.0, "20 connections at 20/s in %.3f s", took);
	cr_assert_eq(fleet_log_count(&f, "Connection from"), 20);

	/* Without a rate they come much faster (new sshds: fresh logs). */
	struct fleet g = fleet_start(20, NULL);
	double fast = run_fleet(&g, 20, 1, NULL);
	cr_assert_lt(fast, took, "no rate: %.3f s, 20/s: %.3f s", fast, took);
}

/* One handshake at a time still gets every host through. */
Test(ssh_fleet, max_handshakes_1)
{
	struct fleet f = fleet_start(8, NULL);
	run_fleet(&f, 8, 3, &(struct rr_loop_opts){.max_handshakes = 1});
	cr_assert_eq(fleet_log_count(&f, "Connection from"), 8);
}
