/*
 * Running the ringrun binary under test (tests/common/where.h) and other
 * programs: stdin in, stdout and stderr captured, bounded in time.
 */
#ifndef TESTS_CLI_HARNESS_H
#define TESTS_CLI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	int in, out, err; /* our ends of its stdin, stdout, stderr; -1 closed */
};

struct proc_result {
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int status; /* exit status, or 128 + N when killed by signal N */
};

/* Where the binary under test is: $RINGRUN_BIN, else the ringrun built
   with this suite (the test fails without). */
const char *ringrun_bin(void);

/* Start argv[0] (looked up in PATH); stdout_closed: its stdout is a pipe
   nobody reads. */
void proc_start(struct proc *p, const char *const argv[], bool stdout_closed);

/*
 * Write in[0..in_len) to its stdin and close it, read its output to EOF and
 * reap it; after timeout_ms it gets SIGTERM, then SIGKILL, and the test
 * fails.
 */
void proc_finish(struct proc *p, const char *in, size_t in_len,
		 int timeout_ms, struct proc_result *r);

/* proc_start + proc_finish. */
void run_prog(const char *const argv[], const char *in, size_t in_len,
	      int timeout_ms, struct proc_result *r);

/* ringrun with these arguments (NULL-terminated). */
void run_ringrun(const char *const args[], const char *in, size_t in_len,
		 bool stdout_closed, struct proc_result *r);

/*
 * python3 -c script on data; fails the test unless it exits 0.  The
 * script's stdout, NUL-terminated (caller frees).
 */
char *run_python(const char *script, const char *data, size_t len);

void proc_result_free(struct proc_result *r);

/* Milliseconds on CLOCK_MONOTONIC. */
long long now_ms(void);

#endif
