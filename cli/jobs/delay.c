/* --delay: the starts of two tasks SEC apart. */
#include "jobs/delay.h"

/* The timer only wakes the loop: the next turn starts the task. */
static void wake(rr_timer *timer, void *user)
{
	(void)timer, (void)user;
}

int delay_init(struct delay *d, rr_loop *loop, uint64_t ms)
{
	*d = (struct delay){ .ms = ms };
	if (!ms)
		return 0;
	d->timer = rr_timer_new(loop, wake, d);
	return d->timer ? 0 : -1;
}

bool delay_ready(struct delay *d, uint64_t now_ns)
{
	uint64_t wait_ns;

	if (!d->ms || now_ns >= d->next_ns)
		return true;
	wait_ns = d->next_ns - now_ns;
	if (!rr_timer_armed(d->timer)) /* rounded up: never woken early */
		rr_timer_start(d->timer, (wait_ns + 999999) / 1000000);
	return false;
}

void delay_started(struct delay *d, uint64_t now_ns)
{
	if (d->ms)
		d->next_ns = now_ns + d->ms * 1000000;
}

bool delay_waiting(const struct delay *d)
{
	return d->timer && rr_timer_armed(d->timer);
}

void delay_free(struct delay *d)
{
	rr_timer_free(d->timer);
	*d = (struct delay){ 0 };
}
