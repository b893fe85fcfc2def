/*
 * cli/fleet.c: host slots (-j), channel slots (--per-host), {%} and {#},
 * hosts that are down, retiring and reusing slots, redials (--retries).
 * No task runs: a host connects only when a task needs it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hosts/fleet.h"

static struct options o;
static struct fleet f;
static rr_loop *loop;
static char err[256];

/* hosts, -j jobs, --per-host per_host, ninputs inputs. */
static void setup(const char *hosts, unsigned jobs, unsigned per_host,
		  size_t ninputs)
{
	o = (struct options){ .fleet = true, .jobs = jobs, .per_host = per_host,
			      .connect_timeout_ms = 10000, .no_agent = true };
	cr_assert_eq(hosts_add_list(&o.hosts, hosts, err, sizeof err), 0, "%s", err);
	o.sshcfg = rr_ssh_config_read("/dev/null", err, sizeof err); /* none */
	cr_assert_not_null(o.sshcfg, "%s", err);
	loop = rr_loop_new(NULL);
	cr_assert_not_null(loop);
	fleet_init(&f, loop, &o, ninputs, fleet_wanted(&o, ninputs));
}

static void teardown(void)
{
	fleet_free(&f);
	rr_loop_free(loop);
	options_free(&o);
}

/* Take a task of h: its input, and {%} in *slot. */
static size_t take(struct fleet_host *h, unsigned *slot)
{
	cr_assert(fleet_has_channel(&f, h), "no channel free on %s", h->spec.name);
	return fleet_take(h, h, slot);
}

Test(unit_fleet, slots_channels_and_numbers)
{
	unsigned s1, s2, s3, s4, s5;

	setup("127.0.0.1:1,127.0.0.2:1,127.0.0.3:1", 2, 2, 3);
	cr_assert_eq(f.nslots, 2);
	struct fleet_host *a = fleet_start_host(&f);
	struct fleet_host *b = fleet_start_host(&f);
	cr_assert(a && b);
	cr_assert_null(fleet_start_host(&f), "-j 2: a third host started");
	cr_assert_str_eq(a->spec.name, "127.0.0.1:1");
	cr_assert_str_eq(b->spec.name, "127.0.0.2:1");
	cr_assert_str_eq(rr_host_name(a->host), "127.0.0.1:1");

	cr_assert_eq(take(a, &s1), 0);
	cr_assert_eq(take(a, &s2), 1);
	cr_assert_not(fleet_has_channel(&f, a), "--per-host 2: a third channel");
	cr_assert_eq(take(b, &s3), 0);
	cr_assert_eq(s1, 1);
	cr_assert_eq(s2, 2);
	cr_assert_eq(s3, 3, "b's {%%} after a's");
	cr_assert_eq(fleet_seq(&f, a, 1), 2);
	cr_assert_eq(fleet_seq(&f, b, 0), 4);

	/* A channel that ends is taken again, by the next input. */
	cr_assert(fleet_end(&f, a, s1, RR_OK, true));
	cr_assert_eq(take(a, &s4), 2);
	cr_assert_eq(s4, 1);
	cr_assert_not(fleet_has_channel(&f, a), "no input left");
	fleet_settle(&f, a);
	cr_assert_not(a->finished, "tasks still run");
	cr_assert(fleet_end(&f, a, s2, RR_EXIT_NONZERO, true));
	cr_assert(fleet_end(&f, a, s4, RR_OK, true));
	fleet_settle(&f, a);
	cr_assert(a->finished);
	cr_assert_eq(f.reached, 1, "b has not run anything yet");

	/* a's slot goes to c, with a's {%} numbers. */
	fleet_retire(&f);
	struct fleet_host *c = fleet_start_host(&f);
	cr_assert_not_null(c);
	cr_assert_str_eq(c->spec.name, "127.0.0.3:1");
	cr_assert_eq(take(c, &s5), 0);
	cr_assert_eq(s5, 1);
	cr_assert_eq(fleet_seq(&f, c, 2), 9);
	cr_assert_null(fleet_start_host(&f), "no host left");
	teardown();
}

/* Down: one failure line, the inputs not handed over are skipped. */
Test(unit_fleet, host_down)
{
	unsigned s1, s2;
	size_t input;
	bool report = true;

	setup("127.0.0.1:1", 0, 2, 5);
	struct fleet_host *a = fleet_start_host(&f);
	cr_assert_eq(take(a, &s1), 0);
	cr_assert_eq(take(a, &s2), 1);
	cr_assert_not(fleet_skip(&f, a, &input, &report), "skipped while up");
	cr_assert(fleet_end(&f, a, s1, RR_CONNECT_FAILED, false), "first line due");
	cr_assert_eq(a->down, RR_CONNECT_FAILED);
	cr_assert_not(fleet_has_channel(&f, a));
	for (size_t k = 2; k < 5; k++) {
		cr_assert(fleet_skip(&f, a, &input, &report));
		cr_assert_eq(input, k);
		cr_assert_not(report);
	}
	cr_assert_not(fleet_skip(&f, a, &input, &report));
	cr_assert_not(fleet_end(&f, a, s2, RR_CONNECT_FAILED, false),
		      "a second line for the same host");
	fleet_settle(&f, a);
	cr_assert(a->finished);
	cr_assert_eq(f.unreachable, 1);
	cr_assert_eq(f.reached, 0);
	teardown();
}

/* A command failing is not its host failing. */
Test(unit_fleet, command_failures_are_not_the_host)
{
	unsigned s;

	setup("127.0.0.1:1", 0, 1, 3);
	struct fleet_host *a = fleet_start_host(&f);
	take(a, &s);
	cr_assert(fleet_end(&f, a, s, RR_EXIT_NONZERO, true));
	take(a, &s);
	cr_assert(fleet_end(&f, a, s, RR_SSH_ERROR, true));
	take(a, &s);
	cr_assert(fleet_end(&f, a, s, RR_TIMEOUT, true));
	cr_assert_eq(a->down, RR_RUNNING);
	cr_assert_eq(f.unreachable, 0);
	cr_assert_eq(f.reached, 1);
	teardown();
}

/* Reached, then its key or its login refused on a new connection. */
Test(unit_fleet, reached_then_down)
{
	unsigned s;

	setup("127.0.0.1:1", 0, 1, 2);
	struct fleet_host *a = fleet_start_host(&f);
	take(a, &s);
	cr_assert(fleet_end(&f, a, s, RR_OK, true));
	cr_assert_eq(f.reached, 1);
	take(a, &s);
	cr_assert(fleet_end(&f, a, s, RR_AUTH_FAILED, false));
	cr_assert_eq(f.reached, 0);
	cr_assert_eq(f.unreachable, 1);
	teardown();
}

/* A host the library cannot set up is down from the start, with its line. */
Test(unit_fleet, setup_failure)
{
	static const char *ids[] = { "/nonexistent/rr-key", NULL };
	size_t input;
	bool report;

	setup("127.0.0.1:1,127.0.0.2:1", 0, 2, 2);
	o.identities = ids; /* fleet_check would have refused it */
	struct fleet_host *a = fleet_start_host(&f);
	cr_assert_null(a->host);
	cr_assert_eq(a->down, RR_ERROR);
	cr_assert_str_eq(a->why, "host 127.0.0.1:1: cannot set up: No such file or directory");
	cr_assert(fleet_skip(&f, a, &input, &report));
	cr_assert_eq(input, 0);
	cr_assert(report, "its line is due once");
	cr_assert(fleet_skip(&f, a, &input, &report));
	cr_assert_not(report);
	fleet_settle(&f, a);
	cr_assert(a->finished);
	cr_assert_eq(f.unreachable, 1);
	o.identities = NULL;
	teardown();
}

/* The spec's user and port win over -l and -p. */
Test(unit_fleet, user_and_port)
{
	setup("u@127.0.0.1:2222,127.0.0.2", 0, 1, 1);
	o.user = "other";
	o.port = 2200;
	struct fleet_host *a = fleet_start_host(&f);
	struct fleet_host *b = fleet_start_host(&f);
	cr_assert_str_eq(rr_host_name(a->host), "127.0.0.1:2222");
	cr_assert_str_eq(rr_host_name(b->host), "127.0.0.2:2200");
	teardown();
}

Test(unit_fleet, nothing_to_run)
{
	setup("a,b", 0, 10, 0);
	cr_assert_eq(f.nslots, 0);
	cr_assert_null(fleet_start_host(&f));
	teardown();
}

/* -j larger than the host list: a slot per host. */
Test(unit_fleet, fewer_hosts_than_jobs)
{
	setup("a,b,c", 64, 10, 1);
	cr_assert_eq(f.nslots, 3);
	teardown();
}

/* Files the library would read are checked before anything starts. */
Test(unit_fleet, check_files)
{
	static const char *ids[] = { "/dev/null", "/nonexistent/rr-key", NULL };

	o = (struct options){ .identities = ids, .nidentities = 2 };
	cr_assert_eq(fleet_check(&o, err, sizeof err), -1);
	cr_assert_str_eq(err, "-i: /nonexistent/rr-key: No such file or directory");
	o = (struct options){ .password_file = "/" };
	cr_assert_eq(fleet_check(&o, err, sizeof err), -1);
	cr_assert_str_eq(err, "--password-file: /: Is a directory");
	o = (struct options){ .password_env = "RR_TEST_NO_SUCH_VARIABLE" };
	cr_assert_eq(fleet_check(&o, err, sizeof err), -1);
	cr_assert_str_eq(err, "--password-env: RR_TEST_NO_SUCH_VARIABLE: not set");
	o = (struct options){ .password_env = "PATH", .password_file = "/dev/null" };
	cr_assert_eq(fleet_check(&o, err, sizeof err), 0, "%s", err);
}

/* --retries: a host handed its tasks again on a new connection. */
Test(unit_fleet_retry, tasks_handed_over_again, .fini = teardown)
{
	unsigned s1, s2, s3;

	setup("127.0.0.1:1", 0, 2, 3);
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
Test(unit_fleet_retry, abandoned, .fini = teardown)
{
	unsigned s1;
	size_t input;
	bool report;

	setup("127.0.0.1:1", 0, 1, 2);
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
