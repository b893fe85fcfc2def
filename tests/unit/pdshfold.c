/* cli/hosts/pdshfold.c: pdsh -q's folding (tests/cli/persona.py compares
   it with the real pdsh -q on generated lists). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "hosts/pdshfold.h"
#include "util/buf.h"

#define FOLDS(want, ...)                                                   \
	do {                                                               \
		const char *const names[] = { __VA_ARGS__ };               \
		struct buf b = BUF_INIT;                                   \
		pdshfold(&b, names, sizeof names / sizeof names[0]);       \
		cr_assert_str_eq(b.data, want);                            \
		buf_free(&b);                                              \
	} while (0)

Test(unit_pdshfold, in_order_as_pdsh)
{
	FOLDS("h[1-3]", "h1", "h2", "h3");
	FOLDS("x,h[3,1]", "x", "h3", "h1");
	FOLDS("h[5,4,3]", "h5", "h4", "h3");
	FOLDS("h1,x,h2", "h1", "x", "h2");
	FOLDS("h[9-11]", "h9", "h10", "h11");   /* a width that reads the same */
	FOLDS("h[01,1-2]", "h01", "h1", "h2");  /* zero padding apart */
	FOLDS("h[001-002,3]", "h001", "h002", "h3");
	FOLDS("h[0,00,000]", "h0", "h00", "h000");
	FOLDS("a1-b[2-3]", "a1-b2", "a1-b3");
	FOLDS("10.0.0.[1-2]", "10.0.0.1", "10.0.0.2");
	FOLDS("h1a,h2a", "h1a", "h2a");          /* no number at the end */
	FOLDS("a,a", "a", "a");
	FOLDS("h,h1", "h", "h1");
	FOLDS("h7", "h7");
	FOLDS("h1234567890123456789", "h1234567890123456789"); /* too long */
}

Test(unit_pdshfold, none)
{
	struct buf b = BUF_INIT;

	pdshfold(&b, NULL, 0);
	cr_assert_str_eq(b.data, "");
	buf_free(&b);
}
