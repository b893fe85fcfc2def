/*
 * xfer.h - what the file copy suites (xfer.c, xfertree.c, xferfail.c) share:
 * a fleet of loopback hosts on one or two sshds, files and trees made from
 * the seeded pattern (tests/lib/pattern.h), a record of a copy's callbacks,
 * and checks of what a copy left on disk.  Every "remote" path is on this
 * machine: each host gets its own directory under one work directory.
 */
#ifndef RR_SSH_TEST_XFER_H
#define RR_SSH_TEST_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/*
 * The big file: 64 MiB, as issue 10 asks.  Under AddressSanitizer, which
 * checks how memory is used rather than how much of it moves, 16 MiB:
 * still eight times what a copy keeps in flight, at a quarter of the
 * time (CI runs both).
 */
#if defined(__SANITIZE_ADDRESS__)
#define XFER_BIG (16 * MiB)
#else
#define XFER_BIG (64 * MiB)
#endif

/* Hosts on at most two sshds: host i is address i % 16 of sshd i / 16 (one
   sshd listens on 16 addresses at most). */
struct xfleet {
	struct sshd *s[2];
	int n;               /* hosts */
	char work[160];      /* the work directory, inside sshd 0's own */
};

/* n (1..32) hosts and an empty work directory (removed with the sshds). */
void xfleet_start(struct xfleet *f, int n);

/* Host i on loop; base as for host_on(). */
rr_host *xfleet_host(rr_loop *loop, const struct xfleet *f, int i,
		     const struct rr_host_opts *base);

/* Lines with needle in the logs of all its sshds. */
int xfleet_log_count(const struct xfleet *f, const char *needle);

/* WORK/fmt..., into buf (asserted to fit). */
const char *xpath(const struct xfleet *f, char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* mkdir -p (asserted). */
void mkdirs(const char *path);

/* A file of size bytes of the pattern for seed; mode 0644. */
void make_file(const char *path, size_t size, uint64_t seed);

/* Asserts path is a regular file holding exactly size bytes of seed's
   pattern. */
void expect_file(const char *path, size_t size, uint64_t seed);

/* Asserts path does not exist (lstat ENOENT). */
void expect_absent(const char *path);

/*
 * Asserts directory dir holds exactly the names in want (NULL-terminated,
 * any order): no temporary ".NAME.rr-*" or anything else left beside them.
 */
void expect_dir_names(const char *dir, const char *const want[]);

/* A tree of files under root: levels - 1 levels of fan directories, fan
   files of 0..8 KiB in each of the last (seeds from seed on).  Returns how
   many entries it has, root included; their bytes into *bytes. */
int make_tree(const char *root, int fan, int levels, uint64_t seed, uint64_t *bytes);

/* Asserts "diff -r --no-dereference a b" finds no difference. */
void expect_same_tree(const char *a, const char *b);

/* "find DIR -printf FMT | sort" into a malloc'd string (asserted). */
char *find_list(const char *dir, const char *fmt);

/* What a copy's callbacks saw; opts.user of xrec_opts. */
struct xrec {
	uint64_t done, total;   /* the last on_progress */
	int progress_calls;
	char *regress;          /* the first progress that went back, or NULL */
	int files;              /* on_file calls */
	int file_errs;          /* ... with err != 0 */
	char *entries;          /* "TYPE DST\n" of each on_file, in call order */
	size_t len, cap;
	char *first_err;        /* the first on_file message with err != 0 */
	int done_calls;
};

/* opts with the recording callbacks and rec as user. */
struct rr_xfer_opts xrec_opts(struct xrec *rec, unsigned flags);

/* The entries, sorted, one "TYPE DST" a line (malloc'd). */
char *xrec_sorted(const struct xrec *rec);

/* Asserts progress never went back and ends at total == want (bytes). */
void xrec_expect_progress(const struct xrec *rec, uint64_t want);

void xrec_free(struct xrec *rec);

/* rr_put / rr_get, asserted non-NULL. */
rr_task *put_task(rr_loop *loop, rr_host *h, const char *local, const char *remote,
		  const struct rr_xfer_opts *o);
rr_task *get_task(rr_loop *loop, rr_host *h, const char *remote, const char *local,
		  const struct rr_xfer_opts *o);

/* rr_loop_run(RR_RUN_DEFAULT) == 0. */
void run_all(rr_loop *loop);

/* Asserts r is RR_ERROR and its message has each of the needles
   (NULL-terminated; case-insensitive). */
void expect_error(const struct rr_result *r, ...) __attribute__((sentinel));

#endif
