/*
 * libFuzzer target: the job log parser.  Arbitrary bytes parse or fail
 * with "line N: ..." and no rows; every row parsed, written again, is one
 * line that parses back to the same fields; --resume-failed's set finds
 * each task's last row (by host, Seq and command as the shell reads it).  The input, cut at its first two NULs, is also a
 * host and a command that must survive a written row.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/joblog.h"
#include "jobs/resume.h"

static void same(const struct joblog_row *a, const struct joblog_row *b)
{
	assert(a->seq == b->seq);
	assert(strcmp(a->host, b->host) == 0);
	assert(a->start_ms == b->start_ms);
	assert(a->runtime_ms == b->runtime_ms);
	assert(a->send == b->send);
	assert(a->receive == b->receive);
	assert(a->exitval == b->exitval);
	assert(a->signal == b->signal);
	assert(strcmp(a->command, b->command) == 0);
}

/* Written and read back: one line, the same fields. */
static void round_trip(const struct joblog_row *row)
{
	struct buf b = BUF_INIT;
	struct joblog back;
	char err[256];

	joblog_format(&b, row);
	assert(b.len > 0 && memchr(b.data, '\n', b.len) == b.data + b.len - 1);
	assert(joblog_parse(&back, b.data, b.len, err, sizeof err) == 0);
	assert(back.n == 1);
	same(&back.rows[0], row);
	joblog_free(&back);
	buf_free(&b);
}

static bool same_command(const char *a, const char *b)
{
	struct buf ca = BUF_INIT, cb = BUF_INIT;
	bool same;

	resume_canon(&ca, a);
	resume_canon(&cb, b);
	same = strcmp(ca.data ? ca.data : "", cb.data ? cb.data : "") == 0;
	buf_free(&ca);
	buf_free(&cb);
	return same;
}

/* The set answers with each task's last row: of its host, Seq and command
   as the shell reads it (a Seq of 0 is no task's: any Seq). */
static void check_resume(struct joblog *log)
{
	struct joblog copy = *log;
	struct resume r;

	*log = (struct joblog){ 0 };
	resume_init(&r, &copy);
	for (size_t k = 0; k < r.log.n; k++) {
		const struct joblog_row *row = &r.log.rows[k], *last = row;
		enum resume_state want;

		for (size_t m = k + 1; m < r.log.n; m++)
			if (!strcmp(r.log.rows[m].host, row->host) &&
			    (!row->seq || r.log.rows[m].seq == row->seq) &&
			    same_command(r.log.rows[m].command, row->command))
				last = &r.log.rows[m];
		want = last->exitval == 0 && last->signal == 0 ? RESUME_DONE :
		       RESUME_FAILED;
		assert(resume_find(&r, row->host, row->seq, row->command) == want);
		if (k == 64)
			break; /* quadratic: enough */
	}
	resume_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct joblog log;
	char err[256];

	assert(text);
	memcpy(text, data, size);
	text[size] = '\0';
	if (joblog_parse(&log, text, size, err, sizeof err) < 0) {
		assert(strncmp(err, "line ", 5) == 0 && log.n == 0);
	} else {
		for (size_t k = 0; k < log.n; k++)
			round_trip(&log.rows[k]);
		check_resume(&log);
	}
	joblog_free(&log);

	const char *host = text;
	const char *command = text + strlen(text) + (strlen(text) < size);
	const struct joblog_row made = {
		.seq = size, .host = host, .start_ms = size * 1000003u,
		.runtime_ms = size, .send = size, .receive = ~(uint64_t)0,
		.exitval = size % 2 ? -1 : (int)size, .signal = (int)(size % 65),
		.command = command,
	};
	round_trip(&made);
	free(text);
	return 0;
}
