/*
 * What ringrun prints: each task's output in the chosen mode, and one
 * "ringrun: <message>" line on stderr for each task that failed.
 */
#include "output/output.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hosts/hostfold.h"
#include "hosts/nodeorder.h"
#include "output/color.h"
#include "util/fdio.h"
#include "output/json.h"
#include "util/xalloc.h"

/*
 * Buffered bytes that trigger a write; a captured stream at least this big
 * is written straight from the library's buffer instead of being copied.
 */
#define SINK_MAX (64 * 1024)

void output_init(struct output *o, enum out_mode mode, int out_fd, int err_fd)
{
	*o = (struct output){
		.mode = mode,
		.out = { .fd = out_fd, .b = BUF_INIT },
		.err = { .fd = err_fd, .b = BUF_INIT },
		.who = "ringrun: ",
	};
}

void output_words(struct output *o, enum out_words words)
{
	char host[64] = "";

	o->words = words;
	if (words == WORDS_CLUSH || words == WORDS_CLUSH_QUIET)
		snprintf(o->who, sizeof o->who, "clush: ");
	if (words != WORDS_PDSH)
		return;
	if (gethostname(host, sizeof host - 1) < 0)
		snprintf(host, sizeof host, "localhost");
	host[strcspn(host, ".")] = '\0';
	snprintf(o->who, sizeof o->who, "pdsh@%s: ", host);
}

static void sink_write(struct output *o, struct sink *k, const char *p,
		       size_t n)
{
	if (o->before_write && !o->error)
		o->before_write(o->hook_ctx, k->fd);
	int r = o->error ? 0 : write_all(k->fd, p, n);

	if (r < 0)
		o->error = -r;
}

static void sink_flush(struct output *o, struct sink *k)
{
	if (k->b.len)
		sink_write(o, k, k->b.data, k->b.len);
	buf_reset(&k->b);
}

int output_flush(struct output *o)
{
	sink_flush(o, &o->out);
	sink_flush(o, &o->err);
	return o->error;
}

/* Between lines only: write both buffers out once either is full. */
static void spill(struct output *o)
{
	if (o->out.b.len >= SINK_MAX || o->err.b.len >= SINK_MAX)
		output_flush(o);
}

static void put_capture(struct output *o, struct sink *k,
			const struct rr_capture *c)
{
	if (c->len < SINK_MAX) {
		buf_add(&k->b, c->data, c->len);
		spill(o);
		return;
	}
	output_flush(o);
	sink_write(o, k, c->data, c->len);
}

/* Where a line or a block comes from: the tag, or the host [and input]. */
static void put_prefix(struct buf *b, const struct task_info *t)
{
	if (!t->host) {
		buf_add(b, t->tag, t->tag_len);
		return;
	}
	buf_add(b, t->host, t->host_len);
	if (t->input) {
		buf_addc(b, ' ');
		buf_add(b, t->tag, t->tag_len);
	}
}

/* -L: each line of c after the tag (none: -N), as clush -L prints them. */
static void put_tagged_lines(struct buf *b, const struct buf *tag,
			     const struct rr_capture *c)
{
	for (const char *s = c->data, *end = s + c->len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (tag->len) {
			buf_add(b, tag->data, tag->len);
			buf_add(b, ": ", 2);
		}
		buf_add(b, s, len);
		buf_addc(b, '\n');
		s += len + 1;
	}
}

/* -L: a task's output held until every task ended, then printed in
   clush -L's order. */
static void hold_by_host(struct output *o, const struct task_info *t,
			 const struct rr_result *r)
{
	struct held *h;
	const struct buf none = BUF_INIT;

	o->held = xreallocarray(o->held, o->nheld + 1, sizeof *o->held);
	h = &o->held[o->nheld++];
	*h = (struct held){ .tag = BUF_INIT, .out = BUF_INIT, .err = BUF_INIT,
			    .seq = t->seq };
	/* ssh's exit code, as clush has it: 255 for a host not reached */
	h->rc = ran_to_end(t, r) && r->exit_code >= 0 ? r->exit_code : 255;
	buf_add(&h->tag, "", 0); /* NUL-terminated, for the sort */
	put_prefix(&h->tag, t);
	put_tagged_lines(&h->out, o->no_prefix ? &none : &h->tag, &r->out);
	put_tagged_lines(&h->err, o->no_prefix ? &none : &h->tag, &r->err);
}

/* clush -L's order: by exit code, then the nodes as NodeSet lists them
   (then as they ran: one host's several tasks). */
static int held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int d;

	if (x->rc != y->rc)
		return x->rc < y->rc ? -1 : 1;
	d = nodeorder_cmp(x->tag.data, y->tag.data);
	if (d)
		return d;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int failure_cmp(const void *a, const void *b)
{
	const struct held_failure *x = a, *y = b;

	if (x->rc != y->rc)
		return x->rc < y->rc ? -1 : 1;
	return nodeorder_cmp(x->host, y->host);
}

/* clush's lines at the end of -L: "HOSTS (N): exited with exit code RC"
   for each code, the lowest first, then "HOSTS: command timeout". */
static void say_failures(struct output *o)
{
	const char **names;

	if (!o->nfailed)
		return;
	names = xreallocarray(NULL, o->nfailed, sizeof *names);
	qsort(o->failed, o->nfailed, sizeof *o->failed, failure_cmp);
	for (size_t k = 0, end; k < o->nfailed; k = end) {
		int rc = o->failed[k].rc;
		char *folded;

		for (end = k; end < o->nfailed && o->failed[end].rc == rc; end++)
			names[end - k] = o->failed[end].host;
		folded = hostfold(names, end - k);
		if (rc == FAILED_TIMEOUT)
			output_note(o, "%s: command timeout", folded);
		else if (end - k > 1 && o->words == WORDS_CLUSH)
			output_note(o, "%s (%zu): exited with exit code %d",
				    folded, end - k, rc);
		else
			output_note(o, "%s: exited with exit code %d", folded, rc);
		free(folded);
	}
	free(names);
}

void output_by_host(struct output *o)
{
	qsort(o->held, o->nheld, sizeof *o->held, held_cmp);
	for (size_t k = 0; k < o->nheld && !o->error; k++) {
		buf_add(&o->out.b, o->held[k].out.data, o->held[k].out.len);
		buf_add(&o->err.b, o->held[k].err.data, o->held[k].err.len);
		spill(o);
	}
	say_failures(o);
}

/* --tag: every line of c after "TAG\t"; a last line without a newline
   stays without one, as parallel prints it. */
static void put_tagged(struct output *o, struct sink *k,
		       const struct task_info *t, const struct rr_capture *c)
{
	for (const char *s = c->data, *end = s + c->len, *nl; s < end; s = nl) {
		nl = memchr(s, '\n', (size_t)(end - s));
		nl = nl ? nl + 1 : end;
		put_prefix(&k->b, t);
		buf_addc(&k->b, '\t');
		buf_add(&k->b, s, (size_t)(nl - s));
		spill(o);
	}
}

/*
 * One stream of a task in group mode.  A remote task's output is headed by
 * where it comes from (as dshbak and clush -b do) when there is any, and
 * ends at the end of a line, so that the next header stands on its own.
 */
static void put_block(struct output *o, struct sink *k,
		      const struct task_info *t, const struct rr_capture *c)
{
	if (o->tab_tag) {
		put_tagged(o, k, t, c);
		return;
	}
	if (!t->host || o->no_prefix) {
		put_capture(o, k, c);
		return;
	}
	if (!c->len)
		return;
	color_start(&k->b, k->color, PAINT_BOLD);
	buf_adds(&k->b, "---- ");
	put_prefix(&k->b, t);
	buf_adds(&k->b, " ----");
	color_end(&k->b, k->color);
	buf_addc(&k->b, '\n');
	put_capture(o, k, c);
	if (c->data[c->len - 1] != '\n')
		buf_addc(&k->b, '\n');
}

/*
 * ,"name":"value" escaped in pieces, writing stdout's buffer out between
 * them: a 32 MiB output never needs a 200 MiB copy.  Only stdout's buffer:
 * stderr must not land in the middle of this JSON line.
 */
static void json_field(struct output *o, const char *name, const char *s,
		       size_t len)
{
	struct buf *b = &o->out.b;

	buf_printf(b, ",\"%s\":\"", name);
	for (size_t n; len; s += n, len -= n) {
		n = json_escape(b, s, len, SINK_MAX);
		if (b->len >= SINK_MAX)
			sink_flush(o, &o->out);
	}
	buf_addc(b, '"');
}

bool ran_to_end(const struct task_info *t, const struct rr_result *r)
{
	if (!t->host)
		return r->pid != 0 && r->status != RR_SPAWN_FAILED;
	return r->start_ns != 0 && r->status != RR_SSH_ERROR &&
	       r->status != RR_ERROR && r->status != RR_SPAWN_FAILED;
}

static void put_json(struct output *o, const struct task_info *t,
		     const struct rr_result *r)
{
	struct buf *b = &o->out.b;
	bool ran = ran_to_end(t, r);
	uint64_t ns = r->start_ns && r->end_ns > r->start_ns ?
		      r->end_ns - r->start_ns : 0;
	const char *status = rr_status_name(r->status);

	buf_printf(b, "{\"seq\":%llu", t->seq);
	if (t->host)
		json_field(o, "host", t->host, t->host_len);
	json_field(o, "tag", t->tag, t->tag_len);
	json_field(o, "command", t->command, strlen(t->command));
	json_field(o, "status", status, strlen(status));
	if (ran && r->exit_code >= 0)
		buf_printf(b, ",\"exit\":%d,\"signal\":null", r->exit_code);
	else if (ran)
		buf_printf(b, ",\"exit\":null,\"signal\":%d", -r->exit_code);
	else
		buf_adds(b, ",\"exit\":null,\"signal\":null");
	buf_printf(b, ",\"duration_ms\":%" PRIu64 ".%03" PRIu64,
		   ns / 1000000, ns / 1000 % 1000);
	json_field(o, "stdout", r->out.data, r->out.len);
	json_field(o, "stderr", r->err.data, r->err.len);
	buf_printf(b, ",\"stdout_truncated\":%s,\"stderr_truncated\":%s}\n",
		   r->out.truncated ? "true" : "false",
		   r->err.truncated ? "true" : "false");
}

/* "ringrun: MESSAGE", in colour on a terminal: the host in bold, the
   rest red, or yellow when the host could not be reached. */
static void put_failure(struct output *o, const struct rr_result *r)
{
	const char *msg = r->message && *r->message ? r->message :
			  rr_status_name(r->status);
	if (!o->err.color) {
		output_note(o, "%s", msg);
		return;
	}
	buf_adds(&o->err.b, o->who);
	color_failure(&o->err.b, msg, rr_status_unreachable(r->status));
	buf_addc(&o->err.b, '\n');
}

/* Why pssh says a task failed: its ssh's exit, 255 when ssh could not
   tell the command's (a host not reached, a signal there). */
static void pssh_failure(struct buf *b, const struct task_info *t,
			 const struct rr_result *r)
{
	if (r->status == RR_TIMEOUT || r->status == RR_IDLE_TIMEOUT)
		buf_adds(b, " Timed out, Killed by signal 9");
	else if (r->status == RR_CANCELLED)
		buf_adds(b, " Interrupted");
	else
		buf_printf(b, " Exited with error code %d",
			   ran_to_end(t, r) && r->exit_code > 0 ?
			   r->exit_code : 255);
}

/* pssh's "[N] HH:MM:SS [SUCCESS] host" (-i: then its output); in colour,
   the status word and "Stderr: ", as pssh on a terminal. */
static void put_pssh(struct output *o, const struct task_info *t,
		     const struct rr_result *r)
{
	struct buf *b = &o->out.b;
	const char *word = r->status == RR_OK ? "[SUCCESS]" : "[FAILURE]";
	time_t now = time(NULL);
	struct tm tm;
	char hms[16] = "00:00:00";

	if (localtime_r(&now, &tm))
		strftime(hms, sizeof hms, "%H:%M:%S", &tm);
	buf_printf(b, "[%llu] %s ", ++o->shown, hms);
	color_add(b, o->out.color, r->status == RR_OK ? PAINT_OK : PAINT_FAILED,
		  word, strlen(word));
	buf_addc(b, ' ');
	put_prefix(b, t);
	if (r->status != RR_OK)
		pssh_failure(b, t, r);
	buf_addc(b, '\n');
	if (o->mode != OUT_PSSH_INLINE)
		return;
	put_capture(o, &o->out, &r->out);
	if (r->err.len) {
		color_add(b, o->out.color, PAINT_FAILED, "Stderr: ", 8);
		put_capture(o, &o->out, &r->err);
	}
}

void output_done(struct output *o, const struct task_info *t,
		 const struct rr_result *r)
{
	if (o->error)
		return;
	if (o->mode == OUT_GROUP && o->by_host) {
		hold_by_host(o, t, r);
	} else if (o->mode == OUT_GROUP) {
		put_block(o, &o->out, t, &r->out);
		put_block(o, &o->err, t, &r->err);
	} else if (o->mode == OUT_JSON) {
		put_json(o, t, r);
	} else if (out_pssh(o->mode)) {
		put_pssh(o, t, r);
	}
	output_failure(o, t, r);
}

/*
 * pdsh's and clush's words for a host's failure: "HOST: command timeout",
 * and ssh's exit code (255: not reached, or the command killed), after
 * ringrun's own line where ssh would have said why (clush -q: only that);
 * pdsh -R exec's program's exit code or signal.
 */
static void tool_failure(struct output *o, const struct task_info *t,
			 const struct rr_result *r)
{
	bool timeout = r->status == RR_TIMEOUT || r->status == RR_IDLE_TIMEOUT;
	int code = ran_to_end(t, r) && r->exit_code > 0 ? r->exit_code : 255;
	const char *prog = o->local ? o->local : "ssh";
	const char *ssh = o->words == WORDS_PDSH ? prog : NULL;

	if (!timeout && code == 255 && !ran_to_end(t, r))
		put_failure(o, r);
	if (o->words == WORDS_CLUSH_QUIET && o->max_status)
		return;
	if (o->by_host && o->words != WORDS_PDSH) { /* clush -L: at the end */
		o->failed = xreallocarray(o->failed, o->nfailed + 1,
					  sizeof *o->failed);
		o->failed[o->nfailed++] = (struct held_failure){
			xstrndup(t->host, t->host_len), timeout ? FAILED_TIMEOUT : code };
		return;
	}
	if (timeout)
		output_note(o, "%.*s: command timeout", (int)t->host_len, t->host);
	if (ssh && o->local && ran_to_end(t, r) && r->exit_code < 0)
		output_note(o, "%.*s: %s killed by signal %d", (int)t->host_len,
			    t->host, ssh, -r->exit_code);
	else if (!timeout || ssh)
		output_note(o, "%.*s: %s%sexited with exit code %d",
			    (int)t->host_len, t->host, ssh ? ssh : "",
			    ssh ? " " : "", code);
}

void output_failure(struct output *o, const struct task_info *t,
		    const struct rr_result *r)
{
	if (o->error)
		return;
	if (r->status != RR_OK && !t->reported) {
		if (o->words != WORDS_RINGRUN && t->host)
			tool_failure(o, t, r);
		else
			put_failure(o, r);
	}
	spill(o);
}

void output_line(struct output *o, const struct task_info *t,
		 enum rr_stream stream, const char *line, size_t len)
{
	struct buf *b = stream == RR_STDERR ? &o->err.b : &o->out.b;

	if (o->error || (o->mode == OUT_PSSH_PRINT && stream == RR_STDERR))
		return; /* pssh -P prints stdout only */
	buf_reserve(b, t->host_len + 1 + t->tag_len + 2 + len + 1);
	if (!o->no_prefix || o->tab_tag) { /* --tag asks for one, as in group */
		put_prefix(b, t);
		buf_add(b, o->tab_tag ? "\t" : ": ", o->tab_tag ? 1 : 2);
	}
	buf_add(b, line, len);
	buf_addc(b, '\n');
	spill(o);
}

void output_note(struct output *o, const char *fmt, ...)
{
	va_list ap;

	if (o->error)
		return;
	buf_adds(&o->err.b, o->who);
	va_start(ap, fmt);
	buf_vprintf(&o->err.b, fmt, ap);
	va_end(ap);
	buf_addc(&o->err.b, '\n');
	spill(o);
}

void output_warning(struct output *o, const char *msg)
{
	output_note(o, "warning: %s", msg);
}

void output_stderr(struct output *o, const char *s, size_t len)
{
	if (o->error)
		return;
	buf_add(&o->err.b, s, len);
	spill(o);
}

void output_stdout(struct output *o, const char *s, size_t len)
{
	const struct rr_capture c = { .data = s, .len = len };

	if (o->error)
		return;
	put_capture(o, &o->out, &c);
}

void output_free(struct output *o)
{
	for (size_t k = 0; k < o->nheld; k++) {
		buf_free(&o->held[k].tag);
		buf_free(&o->held[k].out);
		buf_free(&o->held[k].err);
	}
	free(o->held);
	for (size_t k = 0; k < o->nfailed; k++)
		free(o->failed[k].host);
	free(o->failed);
	buf_free(&o->out.b);
	buf_free(&o->err.b);
}
