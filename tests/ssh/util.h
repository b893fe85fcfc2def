/*
 * util.h - shared helpers of the SSH suite: a throwaway OpenSSH sshd per test
 * (tests/sshd/sshd-harness.sh), hosts and tasks on it, and checks of what is
 * left behind on both sides.  Every helper asserts with Criterion, so call
 * them from the test's thread.  What every suite uses (wait_task,
 * expect_status, the line recorder, leak and fd checks...) is in
 * tests/common/check.h, included here.
 *
 * Every suite is declared with SSH_SUITE(name): the time limit of every test
 * (tests/common/guard.h), and a .fini that stops every sshd the test
 * started, also when an assertion failed.  Should the test process die
 * without running .fini (a crash, Criterion's timeout), a guard process
 * started with each sshd stops it, by its pid, when the test's end of a pipe
 * closes.
 */
#ifndef RR_SSH_TEST_UTIL_H
#define RR_SSH_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/check.h"
#include "ringrun.h"

void ssh_test_init(void);
void ssh_test_fini(void);

#define SSH_SUITE(name)                                                    \
	TestSuite(name, .init = ssh_test_init, .fini = ssh_test_fini,      \
		  .timeout = TEST_TIMEOUT)

#define SSHD_MAX_ADDRS 64

/* One sshd started by the harness, in its own temporary directory. */
struct sshd {
	char dir[64];
	unsigned port;
	pid_t pid;                /* the listening sshd */
	int naddr;
	char addr[SSHD_MAX_ADDRS][20];
	char known_hosts[128];    /* [addr]:port ssh-ed25519 ... for every addr */
	char client_key[128];     /* authorized */
	char other_key[128];      /* not authorized */
	char host_pub[128];       /* the host key, .pub */
	char log[128];            /* LogLevel VERBOSE */
	pid_t guard;
	int guard_fd;
	bool running;
};

/*
 * Start an sshd on naddr loopback addresses (harness index first..), with
 * the extra sshd_config lines given, NULL-terminated.  Asserted.
 */
struct sshd *sshd_start(int naddr, int first, ...) __attribute__((sentinel));

/*
 * Stop it: every process it started (per-connection sshds, sessions, and
 * session processes orphaned by a lost connection), then the listener by its
 * pid (harness stop), then its directory.  Idempotent; .fini calls it.
 */
void sshd_stop(struct sshd *s);

/* SIGKILL the listener and every process below it, as a crash would. */
void sshd_crash(struct sshd *s);

/* SIGKILL every process below the listener (the connections and their
 * sessions); the listener stays and takes new connections. */
void sshd_drop_connections(struct sshd *s);

/* "ADDR:PORT" of address i. */
const char *sshd_spec(const struct sshd *s, int i, char *buf, size_t size);

/* DIR/name of the sshd's directory, into buf. */
void sshd_path(const struct sshd *s, const char *name, char *buf, size_t size);

/* Lines of the sshd log containing needle. */
int sshd_log_count(const struct sshd *s, const char *needle);

/*
 * Poll (bounded by timeout_ms) until the log has at least want lines with
 * needle; returns the count then.
 */
int sshd_log_wait(const struct sshd *s, const char *needle, int want,
		  int timeout_ms);

/* Connections the kernel has accepted on the sshd's ports that sshd has
   not accepted yet (the listening sockets' backlogs, /proc/net/tcp). */
int sshd_backlog(const struct sshd *s);

/* Send sig to every process below the listener (the connections, their
 * sessions and what those run) whose command line contains needle; returns
 * how many.  Unlike procs_kill(), it never reaches another test's sshd. */
int sshd_procs_signal(const struct sshd *s, const char *needle, int sig);

/* Processes whose parent is the listener: one per live connection. */
int sshd_sessions(const struct sshd *s);

/* Poll (bounded) until sshd_sessions() == 0; returns the last count. */
int sshd_sessions_wait_gone(const struct sshd *s, int timeout_ms);

/*
 * Run script with /bin/sh -c (arguments from $0 on, NULL-terminated) in its
 * own session, its stdin a pipe from this process, until the test ends:
 * .fini closes the pipe and waits for it, and the kernel closes it when this
 * process dies, so a script that ends at EOF on stdin never outlives the
 * test.  Returns its pid.
 */
pid_t bg_start(const char *script, ...) __attribute__((sentinel));

/* ------------------------------------------------------------ the library */

/* Host options with fields past the first layout (hostkey_cb, password,
 * passphrase_cb, cb_user): their size set, as a caller must set it. */
#define HOST_OPTS(...) \
	(&(struct rr_host_opts){.size = sizeof(struct rr_host_opts), __VA_ARGS__})

/* A new loop (asserted); opts may be NULL. */
rr_loop *loop_new(const struct rr_loop_opts *opts);

/*
 * A host on address i of s (asserted): the authorized client key, s's
 * known_hosts and no agent unless base says otherwise.  base may be NULL.
 */
rr_host *host_on(rr_loop *loop, const struct sshd *s, int i,
		 const struct rr_host_opts *base);

/* rr_ssh (asserted non-NULL). */
rr_task *ssh_task(rr_loop *loop, rr_host *host, const char *cmd,
		  const struct rr_opts *o);

/* Queue and wait: the result of one remote command. */
const struct rr_result *run_ssh(rr_loop *loop, rr_host *host, const char *cmd,
				const struct rr_opts *o);

/* Asserts a capture holds exactly the C string s. */
void expect_capture(const char *what, const struct rr_capture *c, const char *s);

/* Asserts that msg contains needle. */
void expect_contains(const char *msg, const char *needle);

/* ------------------------------------------------------------------- misc */

/* Write data to path (asserted). */
void write_file(const char *path, const void *data, size_t len);

/* A file's bytes, NUL-terminated (malloc'd), or NULL when it cannot be read. */
char *read_file(const char *path, size_t *len);

/* Run a command line with /bin/sh, stdout into out (NUL-terminated, may be
 * NULL); returns the exit status.  For tools like ssh-keygen. */
int sh_capture(const char *cmd, char *out, size_t size);

/* "touch DIR/ran" with DIR/ran removed first: proof a command never ran. */
const char *touch_cmd(const struct sshd *s, char *marker, size_t msize,
		      char *cmd, size_t csize);

/* Processes (other than this one) whose command line contains needle. */
int procs_with_cmdline(const char *needle);

/* Send sig to every process (but this one) whose command line contains
 * needle; returns how many. */
int procs_kill(const char *needle, int sig);

/* Processes whose command line contains needle and whose state is state. */
int procs_in_state(const char *needle, char state);

/* Poll (bounded) until procs_with_cmdline(needle) >= want (a process in
   the middle of its execve shows no cmdline for a moment); the count. */
int procs_wait_count(const char *needle, int want, int timeout_ms);
/* Poll (bounded) until procs_with_cmdline(needle) == 0; returns the count. */
int procs_wait_gone(const char *needle, int timeout_ms);

/* A pause between two looks at a condition (bounded polling only). */
void pause_ms(int ms);
double secs_since(uint64_t start_ns);

#endif
