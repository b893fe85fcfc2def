/*
 * sized.c - options structs that can grow without breaking old binaries.
 *
 * Each begins with the size the caller's header gave it (0: the first
 * layout, as perf_event_attr and sched_attr treat 0).  A smaller struct from
 * an older header gets the defaults for the fields it does not have; a larger
 * one from a newer header is accepted when the fields we do not know are all
 * zero - their defaults - and refused otherwise, as openat2() does, so that
 * a request is never half obeyed.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"

int rr__sized_copy(void *dst, size_t own, size_t ver0, const void *src)
{
	size_t size = 0;

	assert(ver0 >= sizeof(size_t) && ver0 <= own);
	memset(dst, 0, own);
	if (src) {
		memcpy(&size, src, sizeof size);
		size = size ? size : ver0;
		if (size < ver0)
			return -EINVAL;
		for (size_t i = own; i < size; i++)
			if (((const unsigned char *)src)[i])
				return -E2BIG;
		memcpy(dst, src, RR_MIN(size, own));
	}
	memcpy(dst, &own, sizeof own);
	return 0;
}

void rr__sized_fill(void *dst, size_t ver0, const void *full, size_t own)
{
	size_t size;

	memcpy(&size, dst, sizeof size);
	size = size ? size : ver0;
	if (size < ver0)
		return;
	memset(dst, 0, size);
	memcpy(dst, full, RR_MIN(size, own));
	size = RR_MIN(size, own);
	memcpy(dst, &size, sizeof size);
}
