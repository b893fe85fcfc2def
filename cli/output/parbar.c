/* GNU parallel's --bar and --eta, in its format. */
#include "output/parbar.h"

#include <stdio.h>
#include <string.h>

#define REVERSE "\033[7m"
#define RESET "\033[0m"

void parbar_eta_init(struct parbar_eta *e)
{
	*e = (struct parbar_eta){ .first_done_s = -1 };
}

/* Parallel's compute_eta: the seconds left, and the fraction done. */
static long long estimate(struct parbar_eta *e, const struct parbar_figures *f,
			  double *frac, double *avg)
{
	uint64_t total = f->total > f->done ? f->total : f->done;
	uint64_t left = total - f->done;
	long long eta;

	*frac = 0;
	*avg = 0;
	if (!f->done)
		return 0;
	*frac = (double)f->done / (double)total;
	if (e->first_done_s < 0)
		e->first_done_s = f->elapsed_s;
	/* parallel counts whole seconds since the first task ended */
	*avg = (double)(long long)(f->elapsed_s - e->first_done_s) / (double)f->done;
	if (!e->smoothed)
		e->smoothed = *avg;
	e->smoothed = (1 - *frac) * e->smoothed + *frac * *avg;
	eta = (long long)((double)left * e->smoothed);
	if (eta * 0.9 < e->last && e->last < eta)
		eta = e->last; /* up by less than 10 %: kept */
	else
		e->last = eta;
	return eta;
}

void parbar_eta_header(struct buf *b, unsigned ncpu, unsigned jobs)
{
	buf_printf(b, "\nComputers / CPU cores / Max jobs to run\n"
		   "1:local / %u / %u\n\n"
		   "Computer:jobs running/jobs completed/%%of started jobs/"
		   "Average seconds to complete\n", ncpu, jobs);
}

void parbar_eta_status(struct buf *b, struct parbar_eta *e,
		       const struct parbar_figures *f)
{
	double frac, avg;
	long long eta = estimate(e, f, &frac, &avg);
	uint64_t total = f->total > f->done ? f->total : f->done;

	buf_printf(b, "\rETA: %llds Left: %llu AVG: %.2fs  local:%llu/%llu/%d%%/%.1fs ",
		   eta, (unsigned long long)(total - f->done), avg,
		   (unsigned long long)f->running, (unsigned long long)f->done,
		   f->running + f->done ? 100 : 0,
		   f->done ? f->elapsed_s / (double)f->done : 0.0);
}

void parbar_perl_number(struct buf *b, double v)
{
	buf_printf(b, "%.15g", v);
}

/* 75, 1m15s, 1h01m15s, 1d01h01m15s */
static void time_units(struct buf *b, long long s)
{
	long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;

	s %= 60;
	if (d)
		buf_printf(b, "%lldd%02lldh%02lldm%02llds", d, h, m, s);
	else if (h)
		buf_printf(b, "%lldh%02lldm%02llds", h, m, s);
	else if (m)
		buf_printf(b, "%lldm%02llds", m, s);
	else
		buf_printf(b, "%llds", s);
}

/* text cut or padded with spaces to width columns (bytes, as parallel). */
static void padded(struct buf *b, const char *text, size_t len, unsigned width)
{
	buf_add(b, text, len < width ? len : width);
	for (size_t k = len; k < width; k++)
		buf_addc(b, ' ');
}

void parbar_bar(struct buf *b, struct parbar_eta *e,
		const struct parbar_figures *f)
{
	double frac, avg;
	long long eta = estimate(e, f, &frac, &avg);
	uint64_t total = f->total > f->done ? f->total : f->done;
	struct buf t = BUF_INIT;
	size_t at = (size_t)(f->width * frac);
	size_t base;

	buf_printf(&t, "#   %lld sec %s", eta, f->arg);
	buf_addc(b, '\r');
	padded(b, t.data, t.len, f->width);
	buf_addc(b, '\r');
	parbar_perl_number(b, frac * 100);
	buf_adds(b, "\r" REVERSE);
	buf_reset(&t);
	buf_printf(&t, "%d%% %llu:%llu=", (int)(frac * 100),
		   (unsigned long long)f->done, (unsigned long long)(total - f->done));
	time_units(&t, eta);
	buf_printf(&t, " %s", f->arg);
	base = b->len;
	padded(b, t.data, t.len, f->width);
	/* the reverse video ends at the fraction done */
	buf_reserve(b, sizeof RESET);
	memmove(b->data + base + at + strlen(RESET), b->data + base + at,
		b->len - base - at + 1);
	memcpy(b->data + base + at, RESET, strlen(RESET));
	b->len += strlen(RESET);
	buf_adds(b, RESET);
	buf_free(&t);
}
