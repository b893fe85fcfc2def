/* What copy mode prints of one (host, SRC) copy that ended. */
#include "output/copyout.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "output/json.h"
#include "util/buf.h"

/* ", 3 files" and the like; singular for 1; none at all unless always. */
static void count(struct buf *b, uint64_t n, const char *one, const char *many,
		  bool always)
{
	if (n || always)
		buf_printf(b, "%s%" PRIu64 " %s", b->data[b->len - 1] == ':' ?
			   " " : ", ", n, n == 1 ? one : many);
}

static void put_line(struct buf *b, const struct task_info *t,
		     const struct copy *c)
{
	buf_add(b, t->host, t->host_len);
	buf_adds(b, ": ");
	buf_add(b, t->tag, t->tag_len);
	buf_adds(b, " -> ");
	buf_adds(b, c->dst);
	buf_addc(b, ':');
	count(b, c->files, "file", "files", true);
	count(b, c->dirs, "directory", "directories", false);
	count(b, c->links, "link", "links", false);
	count(b, c->bytes, "byte", "bytes", true);
	count(b, c->nfailed, "failed", "failed", false);
	buf_addc(b, '\n');
}

/* BEFORE"name":"value" */
static void field(struct buf *b, const char *before, const char *name,
		  const char *s, size_t len)
{
	buf_printf(b, "%s\"%s\":\"", before, name);
	json_escape(b, s, len, SIZE_MAX);
	buf_addc(b, '"');
}

static void put_json(struct buf *b, const struct task_info *t,
		     const struct rr_result *r, const struct copy *c)
{
	uint64_t ns = r->start_ns && r->end_ns > r->start_ns ?
		      r->end_ns - r->start_ns : 0;
	const char *status = rr_status_name(r->status);
	const char *msg = r->message ? r->message : "";

	buf_printf(b, "{\"seq\":%llu", t->seq);
	field(b, ",", "host", t->host, t->host_len);
	field(b, ",", "src", t->tag, t->tag_len);
	field(b, ",", "dst", c->dst, strlen(c->dst));
	field(b, ",", "status", status, strlen(status));
	field(b, ",", "message", msg, strlen(msg));
	buf_printf(b, ",\"duration_ms\":%" PRIu64 ".%03" PRIu64, ns / 1000000,
		   ns / 1000 % 1000);
	buf_printf(b, ",\"files\":%" PRIu64 ",\"dirs\":%" PRIu64
		   ",\"links\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"failed\":[",
		   c->files, c->dirs, c->links, c->bytes);
	for (size_t k = 0; k < c->nfailed; k++) {
		const struct copy_failure *f = &c->failed[k];

		field(b, k ? ",{" : "{", "src", f->src, strlen(f->src));
		field(b, ",", "dst", f->dst, strlen(f->dst));
		field(b, ",", "message", f->message, strlen(f->message));
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
}

void copyout_done(struct output *o, const struct task_info *t,
		  const struct rr_result *r, const struct copy *c)
{
	struct buf b = BUF_INIT;
	bool reached = r->status == RR_OK || c->files || c->dirs || c->links ||
		       c->nfailed;

	if (o->mode == OUT_JSON)
		put_json(&b, t, r, c);
	else if (o->mode != OUT_QUIET && reached)
		put_line(&b, t, c);
	if (b.len)
		output_stdout(o, b.data, b.len);
	buf_free(&b);
	for (size_t k = 0; k < c->nfailed; k++)
		output_note(o, "%s", c->failed[k].message);
	/* The entries said why, unless something else ended it too. */
	if (r->status != RR_ERROR || !c->nfailed)
		output_failure(o, t, r);
}
