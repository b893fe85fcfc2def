/* cli/order.c (keep-order) and cli/slots.c (job slots). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "output/order.h"
#include "jobs/slots.h"

#define ITEM(n) ((void *)(uintptr_t)(n))

Test(unit_order, hands_back_in_sequence)
{
	struct order q;

	order_init(&q, 1);
	cr_assert_null(order_take(&q));
	order_put(&q, 3, ITEM(3));
	order_put(&q, 2, ITEM(2));
	cr_assert_null(order_take(&q), "1 has not ended");
	order_put(&q, 1, ITEM(1));
	cr_assert_eq(order_take(&q), ITEM(1));
	cr_assert_eq(order_take(&q), ITEM(2));
	cr_assert_eq(order_take(&q), ITEM(3));
	cr_assert_null(order_take(&q));
	order_put(&q, 4, ITEM(4));
	cr_assert_eq(order_take(&q), ITEM(4));
	order_free(&q);
}

/* A wide window: 1 ends last, after 2..5000 in a shuffled order. */
Test(unit_order, grows_with_the_window)
{
	enum { N = 5000 };
	static unsigned perm[N - 1];
	struct order q;
	unsigned seed = 7;

	for (unsigned k = 0; k < N - 1; k++)
		perm[k] = k + 2;
	for (unsigned k = N - 2; k > 0; k--) {
		seed = seed * 1103515245 + 12345;
		unsigned j = (seed >> 8) % (k + 1), t = perm[k];
		perm[k] = perm[j];
		perm[j] = t;
	}
	order_init(&q, 1);
	for (unsigned k = 0; k < N - 1; k++) {
		order_put(&q, perm[k], ITEM(perm[k]));
		cr_assert_null(order_take(&q));
	}
	order_put(&q, 1, ITEM(1));
	for (unsigned k = 1; k <= N; k++)
		cr_assert_eq(order_take(&q), ITEM(k), "expected %u", k);
	cr_assert_null(order_take(&q));
	cr_assert_leq(q.cap, 8192);
	order_free(&q);
}

/* Steady state: the ring stays as small as the window. */
Test(unit_order, stays_small)
{
	struct order q;

	order_init(&q, 1);
	for (unsigned long long s = 1; s <= 100000; s += 2) {
		order_put(&q, s + 1, ITEM(s + 1));
		order_put(&q, s, ITEM(s));
		cr_assert_eq(order_take(&q), ITEM(s));
		cr_assert_eq(order_take(&q), ITEM(s + 1));
	}
	cr_assert_leq(q.cap, 16);
	order_free(&q);
}

Test(unit_slots, lowest_first_then_reused)
{
	struct slots s;
	int a, b, c;

	slots_init(&s, 3);
	cr_assert_eq(slots_get(&s, &a), 1);
	cr_assert_eq(slots_get(&s, &b), 2);
	cr_assert_eq(slots_get(&s, &c), 3);
	cr_assert_eq(slots_get(&s, &c), 0, "all taken");
	cr_assert_eq(s.owner[2], &b);
	slots_put(&s, 2);
	cr_assert_null(s.owner[2]);
	cr_assert_eq(s.nfree, 1);
	cr_assert_eq(slots_get(&s, &a), 2);
	cr_assert_eq(s.owner[2], &a);
	slots_free(&s);
}

/* A stop leaves gaps: what is held comes back in order past them. */
Test(unit_order, drain_past_gaps)
{
	struct order q;
	int a, b, c;

	order_init(&q, 1);
	order_put(&q, 3, &a);
	order_put(&q, 7, &b);
	order_put(&q, 40, &c);
	cr_assert_null(order_take(&q), "1 never ended");
	cr_assert_eq(order_drain(&q), &a);
	cr_assert_eq(order_drain(&q), &b);
	cr_assert_eq(order_drain(&q), &c);
	cr_assert_null(order_drain(&q));
	order_free(&q);
	order_init(&q, 1);
	cr_assert_null(order_drain(&q), "nothing held");
	order_free(&q);
}
