/* --stats: what a benchmark needs, as a few lines for stderr. */
#include "output/stats.h"

#include <stdio.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void add_features(struct buf *b, unsigned features)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ RR_FEAT_WAITID, "waitid" },
		{ RR_FEAT_READ_MULTISHOT, "read-multishot" },
		{ RR_FEAT_GROUP_SIGNAL, "group-signal" },
		{ RR_FEAT_ASYNC_SPAWN, "async-spawn" },
	};

	buf_adds(b, "ringrun: features");
	if (!features)
		buf_adds(b, " none");
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (features & names[k].bit)
			buf_printf(b, " %s", names[k].name);
	buf_addc(b, '\n');
}

long stats_peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	long kb = -1;

	while (f && kb < 0 && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) != 1)
			kb = -1;
	if (f)
		fclose(f);
	return kb;
}

void stats_format(struct buf *b, const struct run_figures *f)
{
	uint64_t tasks = f->ok + f->failed;
	double wall = (double)f->wall_ns / 1e9;
	double per_task = tasks ? 1.0 / (double)tasks : 0;

	buf_printf(b, "ringrun: tasks %llu (%llu ok, %llu failed",
		   (unsigned long long)tasks, (unsigned long long)f->ok,
		   (unsigned long long)f->failed);
	if (f->skipped)
		buf_printf(b, "; %llu more skipped", (unsigned long long)f->skipped);
	buf_printf(b, ") in %.3f s: %.1f tasks/s, %u %sat once\n", wall,
		   wall > 0 ? (double)tasks / wall : 0,
		   f->fleet ? f->hosts_at_once : f->loop.max_running,
		   f->fleet ? "hosts " : "");
	if (f->fleet)
		buf_printf(b, "ringrun: hosts %llu (%llu reached, %llu unreachable), "
			   "%u commands at once on each\n",
			   (unsigned long long)f->hosts,
			   (unsigned long long)f->reached,
			   (unsigned long long)f->unreachable, f->per_host);
	buf_printf(b, "ringrun: cpu ringrun %.3f s user %.3f s sys, "
		   "peak rss %ld KiB; children %.3f s user %.3f s sys\n",
		   seconds(f->self.ru_utime), seconds(f->self.ru_stime),
		   f->peak_rss_kb, seconds(f->children.ru_utime),
		   seconds(f->children.ru_stime));
	buf_printf(b, "ringrun: io_uring %llu enters %llu sqes %llu cqes "
		   "(per task %.2f enters %.2f sqes %.2f cqes)\n",
		   (unsigned long long)f->loop.enters,
		   (unsigned long long)f->loop.sqes,
		   (unsigned long long)f->loop.cqes,
		   (double)f->loop.enters * per_task,
		   (double)f->loop.sqes * per_task,
		   (double)f->loop.cqes * per_task);
	add_features(b, f->loop.features);
}
