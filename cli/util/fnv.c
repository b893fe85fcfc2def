/* FNV-1a, 64 bits. */
#include "util/fnv.h"

#define FNV_PRIME 1099511628211u

uint64_t fnv_field(uint64_t h, const char *s, size_t len)
{
	for (size_t k = 0; k < len; k++)
		h = (h ^ (unsigned char)s[k]) * FNV_PRIME;
	return (h ^ 0xff) * FNV_PRIME;
}
