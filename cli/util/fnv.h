/* FNV-1a, 64 bits: the hash of the CLI's small tables of names. */
#ifndef CLI_FNV_H
#define CLI_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV_OFFSET 14695981039346656037u

/*
 * h with the len bytes of s, then the end of a field: ("ab", "c") and
 * ("a", "bc") hash apart.  Start from FNV_OFFSET.
 */
uint64_t fnv_field(uint64_t h, const char *s, size_t len);

#endif
