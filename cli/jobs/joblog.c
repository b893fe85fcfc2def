/* --joblog: rows written as tasks end, and read back for --resume-failed. */
#include "jobs/joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fdio.h"
#include "util/xalloc.h"

#define NFIELDS 9

const char joblog_header[] =
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

/* As parallel prints a job's runtime: "%10.3f". */
#define RUNTIME_WIDTH 10

/* A host as it is, but for a tab, a newline and a backslash (never in a
   host name parallel writes): \t, \n and \\, so that a row stays one line
   of nine fields. */
static void put_host(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\t')
			buf_adds(b, "\\t");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else if (*s == '\\')
			buf_adds(b, "\\\\");
		else
			buf_addc(b, *s);
	}
}

/* Parallel's command: as it is, a newline as a NUL byte (one line a row). */
static void put_command(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, *s == '\n' ? '\0' : *s);
}

void joblog_format(struct buf *b, const struct joblog_row *row)
{
	char runtime[32];

	snprintf(runtime, sizeof runtime, "%" PRIu64 ".%03" PRIu64,
		 row->runtime_ms / 1000, row->runtime_ms % 1000);
	buf_printf(b, "%llu\t", row->seq);
	put_host(b, row->host);
	buf_printf(b, "\t%" PRIu64 ".%03" PRIu64 "\t%*s"
		   "\t%" PRIu64 "\t%" PRIu64 "\t%d\t%d\t",
		   row->start_ms / 1000, row->start_ms % 1000,
		   RUNTIME_WIDTH, runtime, row->send, row->receive, row->exitval,
		   row->signal);
	put_command(b, row->command);
	buf_addc(b, '\n');
}

/* ------------------------------------------------------------ parsing */

/* A field: [s, e), NUL-terminated at e once split. */
struct field {
	char *s, *e;
};

static void trim(struct field *f)
{
	while (f->s < f->e && *f->s == ' ')
		f->s++;
	while (f->e > f->s && f->e[-1] == ' ')
		f->e--;
}

/* Digits, at most max; *end: where they stop. */
static const char *parse_digits(const char *s, const char *e, uint64_t max,
				uint64_t *n, const char **end)
{
	uint64_t v = 0;
	const char *c = s;

	for (; c < e && *c >= '0' && *c <= '9'; c++) {
		unsigned d = (unsigned)(*c - '0');

		if (v > (max - d) / 10)
			return "out of range";
		v = v * 10 + d;
	}
	if (c == s)
		return "not a number";
	*n = v;
	*end = c;
	return NULL;
}

static const char *parse_u64(struct field f, uint64_t *n)
{
	const char *end;
	const char *why;

	trim(&f);
	why = parse_digits(f.s, f.e, UINT64_MAX, n, &end);
	return why ? why : end != f.e ? "not a number" : NULL;
}

/* Seconds with decimals to milliseconds; further decimals are dropped. */
static const char *parse_ms(struct field f, uint64_t *ms)
{
	uint64_t sec, frac = 0;
	const char *c;
	const char *why;

	trim(&f);
	why = parse_digits(f.s, f.e, UINT64_MAX / 1000 - 1, &sec, &c);
	if (why)
		return why;
	if (c < f.e && *c == '.') {
		int k = 0;

		for (c++; c < f.e && *c >= '0' && *c <= '9'; c++, k++)
			if (k < 3)
				frac = frac * 10 + (uint64_t)(*c - '0');
		for (; k < 3; k++)
			frac *= 10;
	}
	if (c != f.e)
		return "not a number";
	*ms = sec * 1000 + frac;
	return NULL;
}

/* An int, perhaps negative (Exitval -1), or one >= 0. */
static const char *parse_int(struct field f, bool negative_ok, int *n)
{
	bool neg = false;
	uint64_t v;
	const char *why;

	trim(&f);
	if (f.s < f.e && *f.s == '-' && negative_ok) {
		neg = true;
		f.s++;
	}
	why = parse_u64(f, &v);
	if (why)
		return why;
	if (v > (uint64_t)INT_MAX + neg)
		return "out of range";
	*n = neg ? (int)-(int64_t)v : (int)v;
	return NULL;
}

/* \t \n \\ back to what they stand for, in place; other bytes stay. */
static void unescape(struct field f)
{
	char *out = f.s;

	for (char *c = f.s; c < f.e; c++) {
		if (*c == '\\' && c + 1 < f.e &&
		    (c[1] == 't' || c[1] == 'n' || c[1] == '\\')) {
			c++;
			*out++ = *c == 't' ? '\t' : *c == 'n' ? '\n' : '\\';
		} else {
			*out++ = *c;
		}
	}
	*out = '\0';
}

/* Parallel's command: as written, a NUL byte for a newline. */
static void parallel_command(struct field f)
{
	for (char *c = f.s; c < f.e; c++)
		if (*c == '\0')
			*c = '\n';
	*f.e = '\0';
}

/* Split [s, e) at its first 8 tabs; the 9th field is the rest. */
static int split(char *s, char *e, struct field *f)
{
	int n = 0;

	for (f[0].s = s; n < NFIELDS - 1; n++) {
		char *tab = memchr(f[n].s, '\t', (size_t)(e - f[n].s));

		if (!tab)
			break;
		f[n].e = tab;
		f[n + 1].s = tab + 1;
	}
	f[n].e = e;
	return n + 1;
}

static bool is_header(const struct field *first)
{
	return first->e - first->s == 3 && memcmp(first->s, "Seq", 3) == 0;
}

static const char *const names[NFIELDS] = {
	"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive",
	"Exitval", "Signal", "Command",
};

/* One line, not a header; why it is not a row, or NULL. */
static const char *parse_row(struct field *f, struct joblog_row *row,
			     const char **bad)
{
	const char *why = NULL;
	uint64_t seq;
	int k;

	for (k = 0; k < NFIELDS && !why; k++) {
		switch (k) {
		case 0:
			why = parse_u64(f[k], &seq);
			row->seq = seq;
			break;
		case 2:
			why = parse_ms(f[k], &row->start_ms);
			break;
		case 3:
			why = parse_ms(f[k], &row->runtime_ms);
			break;
		case 4:
			why = parse_u64(f[k], &row->send);
			break;
		case 5:
			why = parse_u64(f[k], &row->receive);
			break;
		case 6:
			why = parse_int(f[k], true, &row->exitval);
			break;
		case 7:
			why = parse_int(f[k], false, &row->signal);
			break;
		}
	}
	if (why) {
		*bad = names[k - 1];
		return why;
	}
	if (f[3].e - f[3].s < RUNTIME_WIDTH && *f[3].s != ' ')
		unescape(f[8]); /* ringrun's rows before they were parallel's */
	else
		parallel_command(f[8]);
	unescape(f[1]);
	row->host = f[1].s;
	row->command = f[8].s;
	return NULL;
}

int joblog_parse(struct joblog *log, const char *data, size_t len, char *err,
		 size_t errlen)
{
	char *mem = xmalloc(len + 1);
	char *c = mem, *end = mem + len;
	size_t cap = 0;
	unsigned long line = 0;

	memcpy(mem, data, len);
	*end = '\0';
	*log = (struct joblog){ .mem = mem };
	for (; c < end; c++) {
		char *nl = memchr(c, '\n', (size_t)(end - c));
		char *stop = nl ? nl : end;
		struct field f[NFIELDS];
		struct joblog_row row;
		const char *why, *bad;
		int n;

		line++;
		*stop = '\0';
		n = split(c, stop, f);
		c = stop;
		if (f[0].s == stop || is_header(&f[0]))
			continue;
		if (n < NFIELDS) {
			snprintf(err, errlen, "line %lu: %d field%s, expected %d",
				 line, n, n == 1 ? "" : "s", NFIELDS);
			joblog_free(log);
			return -1;
		}
		why = parse_row(f, &row, &bad);
		if (why) {
			snprintf(err, errlen, "line %lu: %s: %s", line, bad, why);
			joblog_free(log);
			return -1;
		}
		if (log->n == cap)
			log->rows = xreallocarray(log->rows, cap = cap ? 2 * cap : 16,
						  sizeof *log->rows);
		log->rows[log->n++] = row;
	}
	return 0;
}

void joblog_free(struct joblog *log)
{
	free(log->rows);
	free(log->mem);
	*log = (struct joblog){ 0 };
}

/* ------------------------------------------------------------ writing */

/* A log being appended to: it must start with a header (*why says so),
   and the next row must start a line of its own.  Returns 0 or an errno. */
static int check_existing(int fd, off_t size, const char **why)
{
	char head[4], last;

	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head ||
	    memcmp(head, "Seq\t", 4) != 0) {
		*why = "not a job log: its first line is not the header";
		return 0;
	}
	if (pread(fd, &last, 1, size - 1) == 1 && last != '\n')
		return -write_all(fd, "\n", 1);
	return 0;
}

int joblog_open(struct joblog_file *f, const char *path, char *err,
		size_t errlen)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	const char *why = NULL;
	struct stat st;
	int e = 0;

	*f = (struct joblog_file){ .fd = -1, .path = path };
	if (fd < 0 || fstat(fd, &st) < 0)
		e = errno;
	else if (S_ISREG(st.st_mode) && st.st_size > 0)
		e = check_existing(fd, st.st_size, &why);
	else
		e = -write_all(fd, joblog_header, sizeof joblog_header - 1);
	if (e || why) {
		snprintf(err, errlen, "%s: %s", path, why ? why : strerror(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	f->fd = fd;
	return 0;
}

int joblog_write(struct joblog_file *f, const struct joblog_row *row)
{
	struct buf b = BUF_INIT;

	if (f->error)
		return f->error;
	joblog_format(&b, row);
	f->error = -write_all(f->fd, b.data, b.len);
	buf_free(&b);
	return f->error;
}

void joblog_close(struct joblog_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
