/* --timeout N%: the limit from the median runtime of the tasks ok so far. */
#include "jobs/reltimeout.h"

/* The timer only wakes the loop: the next turn checks the tasks. */
static void wake(rr_timer *timer, void *user)
{
	(void)timer, (void)user;
}

int rel_timeout_init(struct rel_timeout *t, rr_loop *loop, uint64_t mpct)
{
	*t = (struct rel_timeout){ .mpct = mpct };
	if (!mpct)
		return 0;
	t->timer = rr_timer_new(loop, wake, t);
	return t->timer ? 0 : -1;
}

void rel_timeout_ok(struct rel_timeout *t, uint64_t runtime_ns)
{
	if (t->mpct)
		median_add(&t->runtimes, runtime_ns);
}

uint64_t rel_timeout_limit_ns(const struct rel_timeout *t)
{
	/* N% in thousandths: the median times mpct / 100000, in two parts
	   so that neither overflows before the limit would. */
	const uint64_t whole = 100000;
	uint64_t m, q, part;

	if (!t->mpct || !median_count(&t->runtimes))
		return 0;
	m = median_get(&t->runtimes);
	q = m / whole;
	if (q > (UINT64_MAX - t->mpct) / t->mpct)
		return UINT64_MAX;
	part = m % whole * t->mpct / whole; /* < mpct: no overflow */
	/* A median of 0 ns still lets a task start: 1 ns at least. */
	return q * t->mpct + part + 1;
}

void rel_timeout_wake(struct rel_timeout *t, uint64_t wait_ns)
{
	rr_timer_start(t->timer, (wait_ns + 999999) / 1000000);
}

void rel_timeout_free(struct rel_timeout *t)
{
	rr_timer_free(t->timer);
	median_free(&t->runtimes);
	*t = (struct rel_timeout){ 0 };
}
