/*
 * What the CLI tests share around a run: the test's own directory, a real
 * OpenSSH sshd in it (tests/sshd/sshd-harness.sh, on loopback
 * addresses, stopped by its pid when the test ends, failed or not), strings
 * with @TOKENs replaced.
 *
 * The tokens: @DIR (the test's directory), @H1..@H4 (the sshd's addresses),
 * @NET (the first address up to its last '.'), @PORT, @KEY (an authorized
 * key), @OTHER (a key that is not), @OTHERPUB (that key's public half, as a
 * host key that is wrong) and @KH (a known_hosts file with the server's key).
 */
#ifndef TESTS_CLI_SSHD_H
#define TESTS_CLI_SSHD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define CLI_NADDR 4 /* addresses an sshd may have here */

struct cli_test {
	char dir[64];
	bool up; /* an sshd was started in dir: stopped when the test ends */
	char port[16];
	char addr[CLI_NADDR][32];
	char net[32]; /* addr[0] up to its last '.' */
	char key[PATH_MAX], other[PATH_MAX], other_pub[256], kh[PATH_MAX];
};

extern struct cli_test cli;

/* Make /tmp/rr-NAME-XXXXXX, the test's directory. */
void cli_dir_up(const char *name);

/* Stop the sshd if one was started, free what cli_expand made, remove the
   directory: the .fini of every test that made one. */
void cli_dir_down(void);

/* Start an sshd in the directory on naddr addresses, with one more
   sshd_config line unless extra is NULL; failing, the test is cleaned up
   and fails with the harness's log.  cli's port, addresses and keys are
   left as they are: a restart (same directory, same keys) keeps them. */
void cli_sshd_start(int naddr, const char *extra);

/* cli_sshd_start(naddr, NULL), then read its port, addresses and keys. */
void cli_sshd_up(int naddr);

/* Stop it before the test ends; stopping it again then is harmless. */
void cli_sshd_stop(void);

/* The harness with these arguments (NULL-terminated), its output appended
   to DIR/harness.log; its exit status. */
int cli_harness(const char *const args[]);

/* s with every @TOKEN replaced (NULL stays NULL); lives until the test
   ends. */
const char *cli_expand(const char *s);

/*
 * The options that log in to the sshd: "-p PORT --no-agent -i IDENTITY
 * --known-hosts KNOWN_HOSTS" (NULL: @KEY, @KH) into args; how many (7).
 */
size_t cli_login(const char **args, const char *identity, const char *known_hosts);

/*
 * args: cli_login's defaults when ssh, then each of in (NULL-terminated)
 * expanded, then NULL; at most max entries in all.
 */
void cli_args(const char **args, size_t max, bool ssh, const char *const in[]);

/* DIR/name whole (caller frees); NULL when it cannot be read. */
char *cli_slurp(const char *name);

/* The same, but "" when it cannot be read. */
char *cli_slurp_or_empty(const char *name);

/* DIR/name with content, expanded. */
void cli_write_file(const char *name, const char *content);

/* Read fd (a running program's stdout or stderr) until what came holds
   want; fails the test after HANG_GUARD_MS.  What came (a static buffer). */
const char *cli_read_until(int fd, const char *want);

/* Poll until DIR/name has at least n lines; fails the test after
   HANG_GUARD_MS. */
void cli_wait_lines(const char *name, int n);

/* Entries of DIR/name, . and .. aside. */
int cli_entries(const char *name);

/* How many times what occurs in s. */
int cli_count(const char *s, const char *what);

/*
 * The processes "sleep N" (by /proc: a remote command runs here too, the
 * sshd is on loopback), SIGKILLed when kill; how many.  Each test that
 * looks for what it left marks its processes with an N of its own.
 */
int cli_marked(const char *n, bool kill);

/* Poll (bounded) until no "sleep N" is left; what is, is killed after the
   test failed, so that it is not left to the next one. */
void cli_expect_gone(const char *n);

#endif
