/* cli/hosts/nodeorder.c: the order ClusterShell's NodeSet lists nodes in
   (this list as NodeSet.fromlist() of ClusterShell 1.9.1 lists it). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "hosts/nodeorder.h"

static int cmp(const void *a, const void *b)
{
	return nodeorder_cmp(*(const char *const *)a, *(const char *const *)b);
}

Test(unit_nodeorder, as_nodeset_lists)
{
	const char *want[] = {
		"10.0.0.2", "10.0.0.10", "10.1.0.1", "H3", "_a", "a1", "b",
		"h1", "h2", "h9", "h01", "h10", "h001", "h1a", "h-1",
		"rack1-n2", "rack1-n10", "rack2-n1", "x1-1", "x1-2", "x1-10",
		"x2-1", "x2-10", "y1-2", "y2-1",
	};
	const char *got[] = {
		"h10", "h9", "h2", "a1", "h01", "h1", "b", "h1a", "10.0.0.2",
		"10.0.0.10", "10.1.0.1", "rack2-n1", "rack1-n2", "rack1-n10",
		"h001", "x1-2", "x2-1", "x1-10", "x2-10", "x1-1", "H3", "_a",
		"h-1", "y1-2", "y2-1",
	};
	size_t n = sizeof want / sizeof want[0];

	cr_assert_eq(n, sizeof got / sizeof got[0]);
	qsort(got, n, sizeof got[0], cmp);
	for (size_t k = 0; k < n; k++)
		cr_assert_str_eq(got[k], want[k], "at %zu", k);
	cr_assert_eq(nodeorder_cmp("h1", "h1"), 0);
}
