/* A word among an option's fixed values. */
#include "util/names.h"

#include <string.h>

int name_index(const char *const names[], size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (names[k] && strcmp(s, names[k]) == 0)
			return (int)k;
	return -1;
}
