/*
 * What the run came to: every task's end counted (per host in fleet mode),
 * the summary line for stderr, and the list that --failed writes.
 *
 * A host is failed when any of its tasks failed, unreachable when it could
 * not be reached or would not let us in (that wins), ok when all its tasks
 * ended well, and not run when it was stopped before they all ran.
 */
#ifndef CLI_SUMMARY_H
#define CLI_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "hosts/hosts.h"
#include "output/output.h"

/*
 * How a task ended; of the first three, a later one wins for its host.
 * TASK_DONE_BEFORE: --resume-failed skipped it (ok in the job log), so it
 * is not one of this run's tasks, and its host's others decide.
 */
enum task_end { TASK_OK, TASK_FAILED, TASK_UNREACHABLE, TASK_DONE_BEFORE };

struct summary_host {
	uint64_t ended;     /* its tasks that ended */
	enum task_end worst;
};

/* A failed task's tag in failed_text, for --failed in local mode. */
struct failed_tag {
	unsigned long long seq;
	size_t input_no; /* 0: no input */
	size_t off, len;
};

struct summary {
	uint64_t tasks;                   /* to run, in all (so far, if open) */
	bool open;                        /* more may come: a stream is read */
	uint64_t ok, failed, unreachable; /* tasks that ended so */

	/* Fleet mode. */
	const struct hosts *hosts;        /* NULL: local mode */
	uint64_t per_host;                /* tasks on each host */
	struct summary_host *host;        /* one per host (those past nhost
					     have no task ended) */
	size_t nhost;
	uint64_t hosts_done;              /* every task of theirs ended */
	uint64_t hosts_unreachable;

	/* Copy mode: bytes copied, of those found so far. */
	bool copy;
	uint64_t bytes, bytes_total;

	/* Local mode with --failed: the failed tasks' tags. */
	bool keep_failed;
	struct failed_tag *failed_tags;
	size_t nfailed_tags, failed_tags_cap;
	struct buf failed_text;
};

/* Local mode: ntasks tasks; keep_failed: remember the failed ones' tags. */
void summary_init(struct summary *s, uint64_t ntasks, bool keep_failed);

/* Fleet mode: per_host tasks on each of the hosts. */
void summary_init_fleet(struct summary *s, const struct hosts *hosts,
			uint64_t per_host);

/*
 * ntasks more tasks came (inputs or hosts read while the run goes);
 * more: others may still come.
 */
void summary_more(struct summary *s, uint64_t ntasks, bool more);

/* Task t (fleet mode: of host number host in the list) ended so. */
void summary_task(struct summary *s, const struct task_info *t, size_t host,
		  enum task_end how);

/*
 * The summary line: "ringrun: 200 hosts: 197 ok, 2 failed web[07,19],
 * 1 unreachable web33\n" (host lists folded and cut after about 50
 * characters), or "ringrun: 5000 tasks: 4998 ok, 2 failed\n"; then
 * ", N not run" when the run was stopped early, and ", the rest not read"
 * when it stopped before the end of its input.  color: statuses in colour.
 */
void summary_format(const struct summary *s, struct buf *b, bool color);

/*
 * What --failed writes: the hosts that failed or could not be reached, as
 * written, folded on one line (hostfold()); in local mode, one per line, the
 * failed tasks' tags (their inputs, else their commands) in input order, an input once
 * however many of its runs (--repeat) failed.
 */
void summary_failed_list(struct summary *s, struct buf *b);

void summary_free(struct summary *s);

#endif
