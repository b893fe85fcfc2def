/* --resume-failed and --resume: which tasks a job log has (as done). */
#include "jobs/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fnv.h"
#include "util/xalloc.h"
#include "jobs/input.h"

/* A byte that means the same to sh quoted or not. */
static bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (unsigned char)c >= 0x80 ||
	       strchr("_@%+:,./-=", c);
}

static void quoted(struct buf *out, char c)
{
	if (!plain(c))
		buf_addc(out, '\\');
	buf_addc(out, c);
}

/* Inside "...": a backslash quotes only these (and a newline). */
static bool dquote_escapable(char c)
{
	return c && strchr("$`\"\\\n", c);
}

void resume_canon(struct buf *out, const char *s)
{
	enum { BARE, SINGLE, DOUBLE } in = BARE;

	for (; *s; s++) {
		char c = *s;

		if (in == SINGLE) {
			if (c == '\'')
				in = BARE;
			else
				quoted(out, c);
		} else if (c == '\\' && s[1] && (in == BARE || dquote_escapable(s[1]))) {
			s++;
			if (*s != '\n') /* a line continued: nothing */
				quoted(out, *s);
		} else if (in == DOUBLE) {
			if (c == '"')
				in = BARE;
			else if (c == '$' || c == '`') /* expanded even there */
				buf_addc(out, c);
			else
				quoted(out, c);
		} else if (c == '\'') {
			in = SINGLE;
		} else if (c == '"') {
			in = DOUBLE;
		} else {
			buf_addc(out, c);
		}
	}
}

/* A task as the log names it; seq 0: any. */
struct task_key {
	const char *host, *command; /* command: canonical */
	unsigned long long seq;
};

static uint64_t hash(const struct task_key *k)
{
	uint64_t h = fnv_field(FNV_OFFSET, k->host, strlen(k->host));

	h = fnv_field(h, k->command, strlen(k->command));
	if (k->seq)
		h = fnv_field(h, (const char *)&k->seq, sizeof k->seq);
	return h;
}

static const char *canon_of(const struct resume *r, size_t idx)
{
	return r->canon.data + r->at[idx];
}

static bool row_matches(const void *ctx, size_t idx, const void *key)
{
	const struct resume *r = ctx;
	const struct joblog_row *row = &r->log.rows[idx];
	const struct task_key *k = key;

	return (!k->seq || row->seq == k->seq) &&
	       strcmp(row->host, k->host) == 0 &&
	       strcmp(canon_of(r, idx), k->command) == 0;
}

void resume_init(struct resume *r, struct joblog *log)
{
	*r = (struct resume){ .log = *log, .canon = BUF_INIT };
	*log = (struct joblog){ 0 };
	r->at = xcalloc(r->log.n ? r->log.n : 1, sizeof *r->at);
	for (size_t k = 0; k < r->log.n; k++) {
		r->at[k] = r->canon.len;
		resume_canon(&r->canon, r->log.rows[k].command);
		buf_addc(&r->canon, '\0');
	}
	table_init(&r->last, row_matches);
	table_init(&r->seq, row_matches);
	/* From the end: a task's last row is the first one met. */
	for (size_t k = r->log.n; k-- > 0;) {
		const struct joblog_row *row = &r->log.rows[k];
		struct task_key key = { row->host, canon_of(r, k), 0 };

		table_intern(&r->last, r, hash(&key), &key, k);
		key.seq = row->seq;
		if (key.seq) /* parallel's Seq starts at 1; 0 is no task's */
			table_intern(&r->seq, r, hash(&key), &key, k);
	}
}

int resume_load(struct resume *r, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct joblog log = { 0 };
	char *mem = NULL, why[256];
	size_t len = 0;
	int e = fd < 0 ? (errno == ENOENT ? 0 : -errno) : input_read(fd, &mem, &len);

	if (fd >= 0)
		close(fd);
	if (e < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return -1;
	}
	e = joblog_parse(&log, mem ? mem : "", len, why, sizeof why);
	free(mem);
	if (e < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	resume_init(r, &log);
	return 0;
}

enum resume_state resume_find(const struct resume *r, const char *host,
			      unsigned long long seq, const char *command)
{
	struct buf canon = BUF_INIT;
	struct task_key key = { host, NULL, seq };
	const struct joblog_row *row;
	size_t k = TABLE_NONE;

	resume_canon(&canon, command);
	key.command = canon.data ? canon.data : "";
	if (seq)
		k = table_find(&r->seq, r, hash(&key), &key);
	if (k == TABLE_NONE) {
		key.seq = 0;
		k = table_find(&r->last, r, hash(&key), &key);
	}
	buf_free(&canon);
	if (k == TABLE_NONE)
		return RESUME_NONE;
	row = &r->log.rows[k];
	return row->exitval == 0 && row->signal == 0 ? RESUME_DONE : RESUME_FAILED;
}

void resume_free(struct resume *r)
{
	table_free(&r->last);
	table_free(&r->seq);
	joblog_free(&r->log);
	buf_free(&r->canon);
	free(r->at);
	*r = (struct resume){ 0 };
}
