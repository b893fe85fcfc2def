/*
 * where.h - the programs a suite runs, found from the suite's own path
 * (/proc/self/exe), so that a suite runs alone, from any directory:
 *
 *   build/tests/lib-suite        build/tests/rr-helper        ./ringrun
 *   build/asan/tests/lib-suite   build/asan/tests/rr-helper   build/asan/ringrun
 *
 * The source tree is the nearest directory above the suite that holds
 * tests/sshd/sshd-harness.sh.  An environment variable, when set, names the
 * program instead.  Each function fails the test when the program is not
 * there, saying where it looked.
 */
#ifndef RR_TEST_WHERE_H
#define RR_TEST_WHERE_H

/* $RR_HELPER, else the rr-helper beside the suite. */
const char *where_helper(void);

/* $RINGRUN_BIN, else the ringrun in the nearest directory above the suite,
   up to the source tree. */
const char *where_ringrun(void);

/* $RR_SSHD_HARNESS, else tests/sshd/sshd-harness.sh of the source tree. */
const char *where_sshd_harness(void);

/* The source tree's tests/data/rel (a static buffer per thread). */
const char *where_data(const char *rel);

#endif
