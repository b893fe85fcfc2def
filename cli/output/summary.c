/*
 * What the run came to: every task's end counted, the summary line and the
 * list for --failed.
 */
#include "output/summary.h"

#include <stdlib.h>
#include <string.h>

#include "output/color.h"
#include "hosts/hostfold.h"
#include "util/xalloc.h"

/* A host list in the summary line is cut after about this many characters
   (--failed has them all). */
#define LIST_CAP 50

void summary_init(struct summary *s, uint64_t ntasks, bool keep_failed)
{
	*s = (struct summary){
		.tasks = ntasks,
		.keep_failed = keep_failed,
		.failed_text = BUF_INIT,
	};
}

void summary_init_fleet(struct summary *s, const struct hosts *hosts,
			uint64_t per_host)
{
	summary_init(s, hosts->n * per_host, false);
	s->hosts = hosts;
	s->per_host = per_host;
	s->nhost = hosts->n;
	s->host = xcalloc(hosts->n ? hosts->n : 1, sizeof *s->host);
	if (!per_host)
		s->hosts_done = hosts->n; /* nothing to run: done, and ok */
}

void summary_more(struct summary *s, uint64_t ntasks, bool more)
{
	s->tasks += ntasks;
	s->open = more;
}

/* Host number k, whose tasks may not have ended yet. */
static const struct summary_host *host_at(const struct summary *s, size_t k)
{
	static const struct summary_host none;

	return k < s->nhost ? &s->host[k] : &none;
}

/* Host number k's entry, made when the list grew after the start. */
static struct summary_host *host_entry(struct summary *s, size_t k)
{
	if (k >= s->nhost) {
		size_t n = s->hosts->n > k ? s->hosts->n : k + 1;

		s->host = xreallocarray(s->host, n, sizeof *s->host);
		memset(s->host + s->nhost, 0, (n - s->nhost) * sizeof *s->host);
		s->nhost = n;
	}
	return &s->host[k];
}

/* A failed task's input (its command without one) for --failed: its
   arguments, when several, separated by tabs (a line --colsep '\t' reads
   back as the same arguments). */
static void keep_tag(struct summary *s, const struct task_info *t)
{
	const char *text = t->packed ? t->packed : t->tag;
	size_t len = t->packed ? t->arg_len : t->tag_len;
	size_t cap = s->failed_tags_cap;

	if (s->nfailed_tags == cap) {
		s->failed_tags_cap = cap = cap ? 2 * cap : 16;
		s->failed_tags = xreallocarray(s->failed_tags, cap,
					       sizeof *s->failed_tags);
	}
	s->failed_tags[s->nfailed_tags++] = (struct failed_tag){
		.seq = t->seq, .input_no = t->input_no,
		.off = s->failed_text.len, .len = len,
	};
	for (size_t k = 0; k < len; k++)
		buf_addc(&s->failed_text, text[k] ? text[k] : '\t');
}

void summary_task(struct summary *s, const struct task_info *t, size_t host,
		  enum task_end how)
{
	struct summary_host *h;

	if (how == TASK_DONE_BEFORE)
		s->tasks--;
	else if (how == TASK_OK)
		s->ok++;
	else if (how == TASK_FAILED)
		s->failed++;
	else
		s->unreachable++;
	if (!s->hosts) {
		if ((how == TASK_FAILED || how == TASK_UNREACHABLE) &&
		    s->keep_failed)
			keep_tag(s, t);
		return;
	}
	h = host_entry(s, host);
	if (how != TASK_DONE_BEFORE && how > h->worst) {
		if (how == TASK_UNREACHABLE)
			s->hosts_unreachable++;
		h->worst = how;
	}
	if (++h->ended == s->per_host)
		s->hosts_done++;
}

/*
 * A folded host list, cut at a comma before LIST_CAP characters with
 * "..." for the rest.  Names are never cut: a first name (or range) longer
 * than that is kept whole, or cut between its ranges ("web[1,3,...]").
 */
static void add_capped(struct buf *b, const char *list)
{
	const size_t none = (size_t)-1;
	size_t len = strlen(list), first_end = len, top = none, inner = none;
	const char *close;
	int depth = 0;

	if (len <= LIST_CAP) {
		buf_add(b, list, len);
		return;
	}
	for (size_t k = 0; k < len; k++) {
		if (list[k] == '[')
			depth++;
		else if (list[k] == ']')
			depth--;
		else if (list[k] == ',' && depth == 0 && first_end == len)
			first_end = k;
		if (list[k] == ',' && depth == 0 && k <= LIST_CAP)
			top = k;
		else if (list[k] == ',' && depth == 1 && k <= LIST_CAP &&
			 first_end == len)
			inner = k;
	}
	close = inner != none ? strchr(list + inner, ']') : NULL;
	if (top != none) {
		buf_add(b, list, top);
		buf_adds(b, ",...");
	} else if (close && (size_t)(close - list) < first_end) {
		/* Inside the first name's brackets: its other parts stay. */
		buf_add(b, list, inner);
		buf_adds(b, ",...");
		buf_add(b, close, first_end - (size_t)(close - list));
		if (first_end < len)
			buf_adds(b, ",...");
	} else {
		buf_add(b, list, first_end);
		if (first_end < len)
			buf_adds(b, ",...");
	}
}

/* ", N what LIST": the hosts whose worst end is how, folded and capped. */
static void add_hosts(struct buf *b, const struct summary *s,
		      enum task_end how, const char *what, enum paint p,
		      bool color)
{
	const char **names = xcalloc(s->hosts->n ? s->hosts->n : 1,
				     sizeof *names);
	size_t n = 0;

	for (size_t k = 0; k < s->hosts->n; k++)
		if (host_at(s, k)->worst == how)
			names[n++] = s->hosts->v[k].name;
	if (n) {
		char *folded = hostfold(names, n);

		buf_adds(b, ", ");
		color_start(b, color, p);
		buf_printf(b, "%zu %s ", n, what);
		add_capped(b, folded);
		color_end(b, color);
		free(folded);
	}
	free(names);
}

static void add_count(struct buf *b, uint64_t n, const char *what,
		      enum paint p, bool color)
{
	color_start(b, color && n, p);
	buf_printf(b, "%llu %s", (unsigned long long)n, what);
	color_end(b, color && n);
}

static void format_fleet(const struct summary *s, struct buf *b, bool color)
{
	uint64_t ok = 0, not_run = 0;

	for (size_t k = 0; k < s->hosts->n; k++) {
		const struct summary_host *h = host_at(s, k);

		if (h->worst == TASK_OK && h->ended == s->per_host)
			ok++;
		else if (h->worst == TASK_OK)
			not_run++;
	}
	buf_printf(b, "ringrun: %zu host%s: ", s->hosts->n,
		   s->hosts->n == 1 ? "" : "s");
	add_count(b, ok, "ok", PAINT_OK, color);
	add_hosts(b, s, TASK_FAILED, "failed", PAINT_FAILED, color);
	add_hosts(b, s, TASK_UNREACHABLE, "unreachable", PAINT_UNREACHABLE,
		  color);
	if (not_run)
		buf_printf(b, ", %llu not run", (unsigned long long)not_run);
	if (s->open)
		buf_adds(b, ", the rest not read");
	buf_addc(b, '\n');
}

void summary_format(const struct summary *s, struct buf *b, bool color)
{
	uint64_t not_run = s->tasks - s->ok - s->failed - s->unreachable;

	if (s->hosts) {
		format_fleet(s, b, color);
		return;
	}
	buf_printf(b, "ringrun: %llu task%s: ", (unsigned long long)s->tasks,
		   s->tasks == 1 ? "" : "s");
	add_count(b, s->ok, "ok", PAINT_OK, color);
	if (s->failed) {
		buf_adds(b, ", ");
		add_count(b, s->failed, "failed", PAINT_FAILED, color);
	}
	if (not_run)
		buf_printf(b, ", %llu not run", (unsigned long long)not_run);
	if (s->open)
		buf_adds(b, ", the rest not read");
	buf_addc(b, '\n');
}

static int by_seq(const void *a, const void *b)
{
	const struct failed_tag *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

void summary_failed_list(struct summary *s, struct buf *b)
{
	if (s->hosts) { /* one line, folded as nodeset -f folds */
		const char **names = xcalloc(s->hosts->n + 1, sizeof *names);
		size_t n = 0;

		for (size_t k = 0; k < s->hosts->n; k++)
			if (host_at(s, k)->worst != TASK_OK)
				names[n++] = s->hosts->v[k].name;
		if (n) {
			char *folded = hostfold(names, n);

			buf_adds(b, folded);
			buf_addc(b, '\n');
			free(folded);
		}
		free(names);
		return;
	}
	if (s->nfailed_tags)
		qsort(s->failed_tags, s->nfailed_tags, sizeof *s->failed_tags,
		      by_seq);
	for (size_t k = 0; k < s->nfailed_tags; k++) {
		const struct failed_tag *f = &s->failed_tags[k];

		/* The runs of an input have consecutive numbers. */
		if (k && f->input_no && f->input_no == f[-1].input_no)
			continue;
		buf_add(b, s->failed_text.data + f->off, f->len);
		buf_addc(b, '\n');
	}
}

void summary_free(struct summary *s)
{
	free(s->host);
	free(s->failed_tags);
	buf_free(&s->failed_text);
	*s = (struct summary){ 0 };
}
