/* cli/backoff.c: --retries' waits, and their jitter. */
#include <criterion/criterion.h>

#include "jobs/backoff.h"

Test(unit_backoff, doubles_up_to_30_s)
{
	const uint64_t want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };

	for (unsigned k = 0; k < 7; k++)
		cr_assert_eq(backoff_base_ms(0, k + 1), want[k], "attempt %u", k + 1);
	cr_assert_eq(backoff_base_ms(0, 1000), 30000);
	cr_assert_eq(backoff_base_ms(0, 4000000000u), 30000);
}

/* --retry-delay: the first wait given; doubling up to 30 s, or up to it. */
Test(unit_backoff, first_wait_given)
{
	cr_assert_eq(backoff_base_ms(250, 1), 250);
	cr_assert_eq(backoff_base_ms(250, 3), 1000);
	cr_assert_eq(backoff_base_ms(250, 9), 30000);
	cr_assert_eq(backoff_base_ms(60000, 1), 60000);
	cr_assert_eq(backoff_base_ms(60000, 5), 60000);
}

Test(unit_backoff, jitter_up_to_a_tenth)
{
	cr_assert_eq(backoff_ms(0, 1, 0), 1000);
	cr_assert_eq(backoff_ms(0, 1, 100), 1100);
	cr_assert_eq(backoff_ms(0, 1, 101), 1000);
	cr_assert_eq(backoff_ms(0, 6, 3000), 33000);
	cr_assert_eq(backoff_ms(0, 6, UINT32_MAX), 30000 + UINT32_MAX % 3001);
}

/* Not a constant, and spread over the range. */
Test(unit_backoff, random)
{
	unsigned seen[4] = { 0 };
	uint32_t first = backoff_random();
	bool differs = false;

	for (int k = 0; k < 4000; k++) {
		uint32_t v = backoff_random();

		differs |= v != first;
		seen[(backoff_ms(0, 1, v) - 1000) * 4 / 101]++;
	}
	cr_assert(differs);
	for (int k = 0; k < 4; k++)
		cr_assert_gt(seen[k], 0, "quarter %d never drawn", k);
}
