/* A word among an option's fixed values (-o MODE, --color WHEN ...). */
#ifndef CLI_NAMES_H
#define CLI_NAMES_H

#include <stddef.h>

/* The index of s in names[0..n), or -1. */
int name_index(const char *const names[], size_t n, const char *s);

#define NAME_INDEX(names, s) name_index(names, sizeof(names) / sizeof((names)[0]), s)

#endif
