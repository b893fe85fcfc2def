/*
 * --retries: the wait before each new attempt: 1 s (--retry-delay) after the
 * first failed attempt, then twice as long each time up to 30 s (or the
 * first wait, if longer), and up to a tenth more at random so that hosts
 * that failed together do not all come back at one instant.
 */
#ifndef CLI_BACKOFF_H
#define CLI_BACKOFF_H

#include <stdint.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000

/* The wait without its jitter after `failed` attempts (1 and up), the
   first being first_ms (0: BACKOFF_FIRST_MS). */
uint64_t backoff_base_ms(uint64_t first_ms, unsigned failed);

/* The wait itself: base plus random % (base / 10 + 1). */
uint64_t backoff_ms(uint64_t first_ms, unsigned failed, uint32_t random);

/* A random number for the jitter (not for anything that needs secrecy). */
uint32_t backoff_random(void);

#endif
