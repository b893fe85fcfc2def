/*
 * What the CLI tests share around a run: the test's own directory, a real
 * OpenSSH sshd in it (tests/sshd/sshd-harness.sh, on loopback
 * addresses, stopped by its pid when the test ends, failed or not), strings
 * with @TOKENs replaced, and the checks of the data-driven cases.
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
#define CLI_HAS 8   /* entries of a case's lists of substrings */

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
 * args: "-p PORT --no-agent -i KEY --known-hosts KH" when ssh, then each of
 * in (NULL-terminated) expanded, then NULL; at most max entries in all.
 */
void cli_args(const char **args, size_t max, bool ssh, const char *const in[]);

/* DIR/name whole (caller frees); NULL when it cannot be read. */
char *cli_slurp(const char *name);

/* The same, but "" when it cannot be read. */
char *cli_slurp_or_empty(const char *name);

/* DIR/name with content, expanded. */
void cli_write_file(const char *name, const char *content);

/* How many times what occurs in s. */
int cli_count(const char *s, const char *what);

/* python3 on data: prelude then py (expanded); its stdout (caller frees). */
char *cli_python(const char *prelude, const char *py, const char *data, size_t len);

/* What a run must give, all expanded. */
struct cli_expect {
	int status;
	const char *out;                   /* exact stdout */
	const char *const *out_has;        /* substrings of stdout: CLI_HAS
					      at most, up to a NULL */
	const char *err_exact;             /* exact stderr */
	const char *const *err;            /* substrings of stderr, the same;
					      none and no err_exact or
					      err_lines: stderr is empty */
	int err_lines;                     /* lines on stderr, when > 0 */
};

void cli_check(const struct proc_result *r, const struct cli_expect *e);

#endif
