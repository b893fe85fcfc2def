/*
 * pattern.h - the deterministic byte stream shared by rr-helper (which
 * writes it) and the library suite (which checks it); pattern_buf() in
 * tests/common/check.c makes test data of it for every suite.
 *
 * xorshift64 scrambled by a multiply; every byte value occurs, NULs and
 * bytes >= 0x80 included.  The stream depends only on the seed, never on
 * how it is cut into chunks.  pat_chunk() is the write schedule the helper
 * uses: odd sizes, some larger than a pipe buffer.
 */
#ifndef RR_TEST_PATTERN_H
#define RR_TEST_PATTERN_H

#include <stddef.h>
#include <stdint.h>

struct pat {
	uint64_t s;
	uint64_t word;
	unsigned left;
};

static inline void pat_init(struct pat *p, uint64_t seed)
{
	p->s = (seed + 1) * 0x9E3779B97F4A7C15ull;
	if (!p->s)
		p->s = 1;
	p->word = 0;
	p->left = 0;
}

static inline uint8_t pat_byte(struct pat *p)
{
	if (!p->left) {
		uint64_t x = p->s;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p->s = x;
		p->word = x * 0x2545F4914F6CDD1Dull;
		p->left = 8;
	}
	uint8_t b = (uint8_t)p->word;
	p->word >>= 8;
	p->left--;
	return b;
}

static inline void pat_fill(struct pat *p, void *buf, size_t n)
{
	uint8_t *b = buf;
	for (size_t i = 0; i < n; i++)
		b[i] = pat_byte(p);
}

/* Size of the helper's i-th write. */
static inline size_t pat_chunk(unsigned i)
{
	static const size_t sz[] = {1, 7, 4093, 65537, 13, 131071, 509, 3};
	return sz[i % (sizeof sz / sizeof sz[0])];
}

#endif
