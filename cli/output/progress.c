/* The progress line: redrawn in place on a terminal, else line by line. */
#include "output/progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/color.h"
#include "util/fdio.h"

/* How often the line changes: on a terminal, and as lines of their own. */
#define REDRAW_MS 100
#define LINE_MS 1000

/* A terminal that does not say how wide it is. */
#define DEFAULT_WIDTH 80

#define ERASE "\r\033[K"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The line so far: its parts, separated by ", ", while they fit. */
struct parts {
	struct buf *b;
	size_t cols;
	unsigned width;
	bool full;  /* a part did not fit: nothing more goes in */
	bool color;
};

static void part(struct parts *l, const char *text, bool painted, enum paint p)
{
	size_t n = strlen(text) + (l->cols ? 2 : 0);

	if (l->full || (l->width && l->cols && l->cols + n > l->width)) {
		l->full = true;
		return;
	}
	if (l->cols)
		buf_adds(l->b, ", ");
	color_add(l->b, l->color && painted, p, text, strlen(text));
	l->cols += n;
}

/* A total in s: n, or "?" while it is not known. */
static const char *total(char *s, size_t size, uint64_t n, bool open)
{
	if (open)
		return "?";
	snprintf(s, size, "%llu", (unsigned long long)n);
	return s;
}

/* 812/s, 2.5/s */
static void format_rate(char *s, size_t size, const struct progress_figures *f)
{
	double rate = f->elapsed_ms ? f->done * 1000.0 / f->elapsed_ms : 0;

	snprintf(s, size, rate < 10 ? "%.1f/s" : "%.0f/s", rate);
}

/* 512 B, 1.5 KiB, 12.0 MiB, 3.2 GiB */
static void format_size(char *s, size_t size, double n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (n >= 1024 && u + 1 < sizeof unit / sizeof unit[0]) {
		n /= 1024;
		u++;
	}
	snprintf(s, size, u ? "%.1f %s" : "%.0f %s", n, unit[u]);
}

/* Copy mode: 12.0 MiB/40.0 MiB, then 5.1 MiB/s */
static void part_bytes(struct parts *l, const struct progress_figures *f)
{
	char s[64], a[24], b[24];

	format_size(a, sizeof a, (double)f->bytes);
	format_size(b, sizeof b, (double)f->bytes_total);
	snprintf(s, sizeof s, "%s/%s", a, b);
	part(l, s, false, PAINT_OK);
	format_size(a, sizeof a, f->elapsed_ms ? f->bytes * 1000.0 / f->elapsed_ms : 0);
	snprintf(s, sizeof s, "%s/s", a);
	part(l, s, false, PAINT_OK);
}

/* ETA 4s, ETA 2m05s, ETA 1h02m; ETA ? before the first task ended or
   while the total is not known; in copy mode, once bytes came, by
   bytes. */
static void format_eta(char *s, size_t size, const struct progress_figures *f)
{
	uint64_t left;

	if (f->copy && f->bytes && f->elapsed_ms) {
		/* A copy's tasks differ in size: the bytes found so far left,
		   at their rate so far. */
		uint64_t rest = f->bytes_total > f->bytes ? f->bytes_total - f->bytes : 0;

		left = (uint64_t)((double)rest * f->elapsed_ms /
				  ((double)f->bytes * 1000) + 0.999);
	} else if (!f->done || !f->elapsed_ms || f->open) {
		snprintf(s, size, "ETA ?");
		return;
	} else {
		/* Seconds, rounded up, at the rate so far. */
		left = ((f->total - f->done) * f->elapsed_ms + f->done * 1000 - 1) /
		       (f->done * 1000);
	}
	if (left < 60)
		snprintf(s, size, "ETA %llus", (unsigned long long)left);
	else if (left < 3600)
		snprintf(s, size, "ETA %llum%02llus",
			 (unsigned long long)left / 60,
			 (unsigned long long)left % 60);
	else
		snprintf(s, size, "ETA %lluh%02llum",
			 (unsigned long long)left / 3600,
			 (unsigned long long)left / 60 % 60);
}

void progress_format(struct buf *b, const struct progress_figures *f,
		     unsigned width, bool color)
{
	struct parts l = { .b = b, .width = width, .color = color };
	char s[64], n[24];

	snprintf(s, sizeof s, "ringrun: %llu/%s done", (unsigned long long)f->done,
		 total(n, sizeof n, f->total, f->open));
	part(&l, s, false, PAINT_OK);
	snprintf(s, sizeof s, "%llu running", (unsigned long long)f->running);
	part(&l, s, false, PAINT_OK);
	snprintf(s, sizeof s, "%llu failed", (unsigned long long)f->failed);
	part(&l, s, f->failed, PAINT_FAILED);
	if (f->fleet) {
		snprintf(s, sizeof s, "%llu unreachable",
			 (unsigned long long)f->unreachable);
		part(&l, s, f->unreachable, PAINT_UNREACHABLE);
	}
	if (f->copy)
		part_bytes(&l, f);
	format_rate(s, sizeof s, f);
	part(&l, s, false, PAINT_OK);
	format_eta(s, sizeof s, f);
	part(&l, s, false, PAINT_OK);
	if (f->fleet && f->per_host > 1) {
		snprintf(s, sizeof s, "%llu/%s hosts",
			 (unsigned long long)f->hosts_done,
			 total(n, sizeof n, f->hosts, f->open));
		part(&l, s, false, PAINT_OK);
	}
}

/* Is b the terminal a is? */
static bool same_terminal(int a, int b)
{
	struct stat sa, sb;

	return isatty(a) && isatty(b) && fstat(a, &sa) == 0 &&
	       fstat(b, &sb) == 0 && sa.st_rdev == sb.st_rdev;
}

void progress_init(struct progress *p, enum when when, int fd, int out_fd,
		   bool color, const struct summary *s,
		   const unsigned *running)
{
	bool tty = isatty(fd);

	*p = (struct progress){
		.style = when == WHEN_NEVER ? PROGRESS_OFF :
			 tty ? PROGRESS_REDRAW :
			 when == WHEN_ALWAYS ? PROGRESS_LINES : PROGRESS_OFF,
		.fd = fd,
		.out_fd = same_terminal(fd, out_fd) ? out_fd : -1,
		.color = color,
		.s = s,
		.running = running,
		.line = BUF_INIT,
		.arg = BUF_INIT,
	};
}

void progress_parallel(struct progress *p, bool bar, unsigned ncpu,
		       unsigned jobs)
{
	p->style = bar ? PROGRESS_BAR : PROGRESS_ETA;
	p->ncpu = ncpu;
	p->jobs = jobs;
	parbar_eta_init(&p->eta);
}

void progress_started(struct progress *p, const char *arg, size_t len)
{
	buf_reset(&p->arg);
	buf_add(&p->arg, arg, len);
	p->started++;
}

static bool parallel_style(const struct progress *p)
{
	return p->style == PROGRESS_BAR || p->style == PROGRESS_ETA;
}

/* One write; a terminal that fails it gets no more progress. */
static void put(struct progress *p, const char *s, size_t len)
{
	if (write_all(p->fd, s, len) < 0) {
		p->style = PROGRESS_OFF;
		p->shown = false;
	}
}

static uint64_t interval_ms(const struct progress *p)
{
	return p->style == PROGRESS_REDRAW ? REDRAW_MS : LINE_MS;
}

static void tick(rr_timer *timer, void *user)
{
	struct progress *p = user;

	progress_show(p);
	rr_timer_start(timer, interval_ms(p));
}

int progress_start(struct progress *p, rr_loop *loop)
{
	if (p->style == PROGRESS_OFF)
		return 0;
	p->start_ns = now_ns();
	if (p->style == PROGRESS_ETA) {
		struct buf b = BUF_INIT;

		parbar_eta_header(&b, p->ncpu, p->jobs);
		put(p, b.data, b.len);
		buf_free(&b);
	}
	if (parallel_style(p))
		return 0; /* drawn as tasks start and end, as parallel does */
	p->timer = rr_timer_new(loop, tick, p);
	if (!p->timer) {
		p->style = PROGRESS_OFF;
		return -errno;
	}
	rr_timer_start(p->timer, interval_ms(p));
	return 0;
}

static unsigned terminal_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return DEFAULT_WIDTH;
}

static void figures(const struct progress *p, struct progress_figures *f,
		    uint64_t now)
{
	const struct summary *s = p->s;

	*f = (struct progress_figures){
		.done = s->ok + s->failed + s->unreachable,
		.total = s->tasks,
		.open = s->open,
		.running = *p->running,
		.failed = s->failed,
		.elapsed_ms = (now - p->start_ns) / 1000000,
		.fleet = s->hosts != NULL,
		.unreachable = s->hosts_unreachable,
		.hosts_done = s->hosts_done,
		.hosts = s->hosts ? s->hosts->n : 0,
		.per_host = s->per_host,
		.copy = s->copy,
		.bytes = s->bytes,
		.bytes_total = s->bytes_total,
	};
}

/* The line with the figures of now: "\r" + text + erase the rest, or
   text + newline.  A terminal's last column is left free: writing there
   would wrap the line. */
static void draw(struct progress *p, uint64_t now)
{
	struct progress_figures f;
	bool redraw = p->style == PROGRESS_REDRAW;

	figures(p, &f, now);
	buf_reset(&p->line);
	buf_adds(&p->line, redraw ? "\r" : "");
	progress_format(&p->line, &f, redraw ? terminal_width(p->fd) - 1 : 0,
			p->color);
	buf_adds(&p->line, redraw ? "\033[K" : "\n");
	p->drawn_ns = now;
	put(p, p->line.data, p->line.len);
	p->shown = redraw && p->style != PROGRESS_OFF;
}

/* --bar, --eta: drawn when a task started or ended since the last time. */
static void draw_parallel(struct progress *p, uint64_t now)
{
	const struct summary *s = p->s;
	struct parbar_figures f = {
		.total = s->tasks,
		.done = s->ok + s->failed + s->unreachable,
		.running = *p->running,
		.elapsed_s = (double)(now - p->start_ns) / 1e9,
		.arg = p->arg.data ? p->arg.data : "",
		.width = isatty(p->fd) ? terminal_width(p->fd) : DEFAULT_WIDTH,
	};

	if (p->drawn_ns && f.done == p->drawn_done && p->started == p->drawn_running)
		return;
	p->drawn_done = f.done;
	p->drawn_running = p->started;
	p->drawn_ns = now;
	buf_reset(&p->line);
	if (p->style == PROGRESS_BAR)
		parbar_bar(&p->line, &p->eta, &f);
	else
		parbar_eta_status(&p->line, &p->eta, &f);
	put(p, p->line.data, p->line.len);
}

void progress_show(struct progress *p)
{
	uint64_t now = now_ns();
	uint64_t since = now - (p->drawn_ns ? p->drawn_ns : p->start_ns);

	if (parallel_style(p))
		draw_parallel(p, now);
	if (p->style == PROGRESS_OFF || parallel_style(p))
		return;
	/* Due, or erased for other output: back at once, with what that
	   output was about counted. */
	if (since >= interval_ms(p) * 1000000 ||
	    (p->style == PROGRESS_REDRAW && !p->shown && p->drawn_ns))
		draw(p, now);
}

void progress_before_write(void *progress, int fd)
{
	struct progress *p = progress;

	if (!p->shown || (fd != p->fd && fd != p->out_fd))
		return;
	put(p, ERASE, strlen(ERASE));
	p->shown = false;
}

void progress_end(struct progress *p)
{
	if (parallel_style(p)) {
		draw_parallel(p, now_ns());
		put(p, "\n", 1);
	}
	buf_free(&p->arg);
	progress_before_write(p, p->fd);
	rr_timer_free(p->timer);
	buf_free(&p->line);
	p->timer = NULL;
	p->style = PROGRESS_OFF;
}
