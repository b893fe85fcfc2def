/* --retries: the wait before each new attempt. */
#include "jobs/backoff.h"

#include <time.h>
#include <unistd.h>

uint64_t backoff_base_ms(uint64_t first_ms, unsigned failed)
{
	uint64_t ms = first_ms ? first_ms : BACKOFF_FIRST_MS;
	uint64_t max = ms > BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;

	for (unsigned k = 1; k < failed && ms < max; k++)
		ms *= 2;
	return ms < max ? ms : max;
}

uint64_t backoff_ms(uint64_t first_ms, unsigned failed, uint32_t random)
{
	uint64_t base = backoff_base_ms(first_ms, failed);

	return base + random % (base / 10 + 1);
}

/* xorshift32, seeded from the clock and the pid. */
uint32_t backoff_random(void)
{
	static uint32_t state;

	if (!state) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		state = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() << 16 ^ 0x9e3779b9u;
		if (!state)
			state = 1;
	}
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}
