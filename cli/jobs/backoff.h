/*
 * --retries: the wait before each new attempt: 1 s after the first failed
 * attempt, then 2 s, 4 s ... at most 30 s, and up to a tenth more at random
 * so that hosts that failed together do not all come back at one instant.
 */
#ifndef CLI_BACKOFF_H
#define CLI_BACKOFF_H

#include <stdint.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000

/* The wait without its jitter after `failed` attempts (1 and up). */
uint64_t backoff_base_ms(unsigned failed);

/* The wait itself: base plus random % (base / 10 + 1). */
uint64_t backoff_ms(unsigned failed, uint32_t random);

/* A random number for the jitter (not for anything that needs secrecy). */
uint32_t backoff_random(void);

#endif
