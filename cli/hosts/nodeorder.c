/* ClusterShell's node order (NodeSet's sorted patterns, RangeSet's
   sorted items). */
#include "hosts/nodeorder.h"

#include <stdbool.h>
#include <string.h>

#define DIGITS "0123456789"

/* The next character of a name's ClusterShell pattern, where a run of
   digits reads "%s"; 0 at its end. */
static int pattern_next(const char **s, bool *in_digits)
{
	if (*in_digits) {
		*in_digits = false;
		return 's';
	}
	if (**s >= '0' && **s <= '9') {
		*s += strspn(*s, DIGITS);
		*in_digits = true;
		return '%';
	}
	return **s ? (unsigned char)*(*s)++ : 0;
}

int nodeorder_cmp(const char *a, const char *b)
{
	bool da = false, db = false;
	const char *pa = a, *pb = b;

	for (;;) {
		int x = pattern_next(&pa, &da), y = pattern_next(&pb, &db);

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			break;
	}
	/* The same pattern: as many runs of digits on each side. */
	for (pa = a, pb = b; *(pa += strcspn(pa, DIGITS));) {
		size_t la = strspn(pa, DIGITS), lb;
		int d;

		pb += strcspn(pb, DIGITS);
		lb = strspn(pb, DIGITS);
		if (la != lb)
			return la < lb ? -1 : 1;
		d = memcmp(pa, pb, la);
		if (d)
			return d;
		pa += la;
		pb += lb;
	}
	return strcmp(a, b);
}
