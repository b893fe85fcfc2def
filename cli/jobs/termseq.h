/*
 * --term-seq, GNU parallel's --termseq: SIG,MS,SIG,MS,...,SIG[,MS], what a
 * timeout, --halt now or a stop signal sends a task, each signal followed
 * by a wait of MS milliseconds (a last one without it waits 0; a SIGKILL
 * that waits 0 waits --kill-grace's default, the library's).  A signal
 * is a name with or without SIG (any case) or a number.
 */
#ifndef CLI_TERMSEQ_H
#define CLI_TERMSEQ_H

#include <stddef.h>

#include <ringrun.h>

struct termseq {
	unsigned n; /* 0: not given */
	struct rr_kill_step step[RR_KILL_SEQ_MAX + 1]; /* rr_opts.kill_seq */
};

/*
 * Parse s.  Returns NULL, or why not with the item at fault quoted in
 * item[0..itemlen) ("not a signal": the item is "'FOO'").
 */
const char *termseq_parse(const char *s, struct termseq *q, char *item,
			  size_t itemlen);

#endif
