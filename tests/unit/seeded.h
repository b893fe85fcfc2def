/* The oracle tests' generator: xorshift64, seeded, so that the generated
   cases are the same on every run and machine. */
#ifndef TESTS_SEEDED_H
#define TESTS_SEEDED_H

#include <stdint.h>

/* A number below n (n > 0), from *state. */
static inline unsigned seeded_pick(uint64_t *state, unsigned n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned)(*state % n);
}

#endif
