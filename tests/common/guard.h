/*
 * guard.h - the only time limits of the tests: hang guards, far away.  No
 * test passes or fails by how long something took; these end a test that
 * would otherwise wait for ever, and bound each wait for something that is
 * certain to come.
 */
#ifndef RR_TEST_GUARD_H
#define RR_TEST_GUARD_H

/*
 * Every test's time limit, in seconds.  One value for all: BoxFort (under
 * Criterion 2.4) loses timeout records in its runner when tests running side
 * by side have different limits - LeakSanitizer then fails the asan run.
 */
#define TEST_TIMEOUT 120

/* A poll for something certain to come (a process gone, a log line, a
   file's lines) gives up after this long, in milliseconds. */
#define HANG_GUARD_MS 30000

#endif
