/*
 * cli/retry.c: which endings are retried, and the waits on one rr_timer;
 * cli/fleet.c: a host handed its tasks again on a new connection.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "../../cli/fleet.h"
#include "../../cli/retry.h"

Test(retry, which_endings)
{
	static const struct {
		struct rr_result r;
		bool connect, exit;
	} cases[] = {
		{ { .status = RR_OK, .start_ns = 1, .started = true }, false, false },
		{ { .status = RR_EXIT_NONZERO, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_EXIT_UNEXPECTED, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_SIGNALED, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_TIMEOUT, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_IDLE_TIMEOUT, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_SPAWN_FAILED }, false, true },
		{ { .status = RR_ERROR, .start_ns = 1, .started = true }, false, true },
		{ { .status = RR_CANCELLED, .start_ns = 1, .started = true }, false, false },
		{ { .status = RR_CONNECT_FAILED }, true, false },
		{ { .status = RR_HOSTKEY_REJECTED }, false, false },
		{ { .status = RR_AUTH_FAILED }, false, false },
		{ { .status = RR_SSH_ERROR }, true, false },
		/* a channel lost before its exec request: the command never ran */
		{ { .status = RR_SSH_ERROR, .start_ns = 1 }, true, false },
		{ { .status = RR_SSH_ERROR, .start_ns = 1, .started = true }, false, true },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		cr_assert_eq(retry_connect(&cases[k].r), cases[k].connect, "case %zu", k);
		cr_assert_eq(retry_exit(&cases[k].r), cases[k].exit, "case %zu", k);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Due in time order, each not before its time, the loop woken for each. */
Test(retry_queue, due_in_order, .timeout = 10)
{
	rr_loop *loop = rr_loop_new(NULL);
	struct retry_queue q;
	struct retry_wait w;
	int a, b, c;
	void *order[3];
	uint64_t due[3], t0 = now_ns();
	int n = 0;

	cr_assert_not_null(loop);
	cr_assert_eq(retry_queue_init(&q, loop), 0);
	retry_queue_add(&q, t0, 60, &a, false);
	retry_queue_add(&q, t0, 20, &b, false);
	retry_queue_add(&q, t0, 40, &c, true);
	cr_assert(rr_timer_armed(q.timer));
	cr_assert_not(retry_queue_take(&q, t0, &w), "nothing is due yet");
	while (n < 3) {
		cr_assert_geq(rr_loop_run(loop, RR_RUN_ONCE), 0);
		while (n < 3 && retry_queue_take(&q, now_ns(), &w)) {
			order[n] = w.who;
			due[n++] = w.due_ns;
			cr_assert_eq(w.host, w.who == &c);
		}
	}
	cr_assert(order[0] == &b && order[1] == &c && order[2] == &a);
	cr_assert_eq(due[0], t0 + 20000000u);
	cr_assert_geq(now_ns() + 1000000u, t0 + 60000000u, "taken before its time");
	cr_assert_not(rr_timer_armed(q.timer), "nothing left to wait for");
	retry_queue_free(&q);
	rr_loop_free(loop);
}

/* When everything stops: all of them, due or not, and the timer stopped. */
Test(retry_queue, pop_all)
{
	rr_loop *loop = rr_loop_new(NULL);
	struct retry_queue q;
	struct retry_wait w;
	int x[20];

	cr_assert_eq(retry_queue_init(&q, loop), 0);
	for (int k = 0; k < 20; k++)
		retry_queue_add(&q, 0, (uint64_t)(k * 7 % 20) * 1000, &x[k], false);
	for (int k = 0; k < 20; k++) {
		cr_assert(retry_queue_pop(&q, &w));
		cr_assert_eq(w.due_ns, (uint64_t)k * 1000000000u, "%d", k);
	}
	cr_assert_not(retry_queue_pop(&q, &w));
	cr_assert_not(rr_timer_armed(q.timer));
	retry_queue_free(&q);
	rr_loop_free(loop);
}

/* ------------------------------------------------------ fleet */

static struct options o;
static struct fleet f;
static rr_loop *loop;

static void setup(const char *hosts, unsigned per_host, size_t ninputs)
{
	char err[256];

	o = (struct options){ .fleet = true, .jobs = 0, .per_host = per_host,
			      .connect_timeout_ms = 10000, .no_agent = true };
	cr_assert_eq(hosts_add_list(&o.hosts, hosts, err, sizeof err), 0, "%s", err);
	loop = rr_loop_new(NULL);
	cr_assert_not_null(loop);
	fleet_init(&f, loop, &o, ninputs);
}

static void teardown(void)
{
	fleet_free(&f);
	rr_loop_free(loop);
	options_free(&o);
}

static size_t take(struct fleet_host *h, unsigned *slot)
{
	cr_assert(fleet_has_channel(&f, h));
	return fleet_take(h, h, slot);
}

Test(fleet_retry, tasks_handed_over_again, .fini = teardown)
{
	unsigned s1, s2, s3;

	setup("127.0.0.1:1", 2, 3);
	struct fleet_host *h = fleet_start_host(&f);
	cr_assert_eq(take(h, &s1), 0);
	cr_assert_eq(take(h, &s2), 1);

	/* The connection failed under both. */
	fleet_requeue(h, s1, 0);
	cr_assert(h->redial);
	cr_assert_not(fleet_has_channel(&f, h), "a host to redial takes nothing");
	fleet_settle(&f, h);
	cr_assert_null(fleet_park(&f), "a task still runs");
	fleet_requeue(h, s2, 1);
	fleet_settle(&f, h);
	fleet_settle(&f, h);
	cr_assert_not(h->finished);
	cr_assert_eq(f.nparking, 1, "queued once");
	cr_assert_eq(fleet_park(&f), h);
	cr_assert_null(h->host, "its connection is gone");
	cr_assert_null(fleet_park(&f));

	fleet_redial(&f, h);
	cr_assert_not_null(h->host);
	cr_assert_str_eq(rr_host_name(h->host), "127.0.0.1:1");
	size_t first = take(h, &s1), second = take(h, &s2);
	cr_assert(first + second == 1 && first != second, "both again: %zu %zu",
		  first, second);
	cr_assert_not(fleet_has_channel(&f, h), "--per-host 2");
	cr_assert(fleet_end(&f, h, s1, RR_OK, true));
	cr_assert_eq(take(h, &s3), 2, "then the next input");
	cr_assert(fleet_end(&f, h, s2, RR_OK, true));
	cr_assert(fleet_end(&f, h, s3, RR_OK, true));
	fleet_settle(&f, h);
	cr_assert(h->finished);
	cr_assert_eq(f.reached, 1);
	cr_assert_eq(f.unreachable, 0);
}

/* No attempt left while parked: down, and its inputs are skipped. */
Test(fleet_retry, abandoned, .fini = teardown)
{
	unsigned s1;
	size_t input;
	bool report;

	setup("127.0.0.1:1", 1, 2);
	struct fleet_host *h = fleet_start_host(&f);
	cr_assert_eq(take(h, &s1), 0);
	fleet_requeue(h, s1, 0);
	fleet_settle(&f, h);
	cr_assert_eq(fleet_park(&f), h);
	fleet_abandon(&f, h);
	cr_assert_eq(h->down, RR_CONNECT_FAILED);
	cr_assert_eq(f.unreachable, 1);
	fleet_abandon(&f, h);
	cr_assert_eq(f.unreachable, 1, "counted once");
	cr_assert(fleet_skip(&f, h, &input, &report));
	cr_assert_eq(input, 0);
	cr_assert_not(report, "its retries said why");
	cr_assert(fleet_skip(&f, h, &input, &report));
	cr_assert_eq(input, 1);
	cr_assert_not(fleet_skip(&f, h, &input, &report));
	fleet_settle(&f, h);
	cr_assert(h->finished);
}
