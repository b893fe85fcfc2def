/*
 * pdsh -q's report, line for line: pdsh's option blocks (its tabs
 * included), where ringrun's values stand for pdsh's, and the target list.
 */
#include "output/pdshquery.h"

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "hosts/pdshfold.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* pdsh prints its lists through a buffer of this many bytes, cut so. */
#define PDSH_LIST_MAX 1024

static void command(struct buf *b, const struct options *o)
{
	for (size_t k = 0; k < o->ncmd; k++)
		buf_printf(b, "%s%s", k ? " " : "", o->cmd[k]);
	if (!o->ncmd)
		buf_adds(b, "none");
}

static void targets(struct buf *b, const struct options *o, bool expanded)
{
	const char **names = xreallocarray(NULL, o->hosts.n + 1, sizeof *names);

	for (size_t k = 0; k < o->hosts.n; k++)
		names[k] = o->hosts.v[k].target;
	if (expanded)
		for (size_t k = 0; k < o->hosts.n; k++)
			buf_printf(b, "%s%s", k ? "," : "", names[k]);
	else
		pdshfold(b, names, o->hosts.n);
	free(names);
	if (b->len >= PDSH_LIST_MAX) {
		b->len = PDSH_LIST_MAX - 1;
		buf_adds(b, "[truncated]");
	}
}

void pdshquery_print(FILE *f, const struct options *o, bool expanded)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *me = pw ? pw->pw_name : "?";
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	struct buf cmd = BUF_INIT, list = BUF_INIT;

	self[n > 0 ? n : 0] = '\0';
	command(&cmd, o);
	targets(&list, o, expanded);
	fprintf(f, "-- DSH-specific options --\n"
		   "Separate stderr/stdout\tYes\n"
		   "Path prepended to cmd\tnone\n"
		   "Appended to cmd         none\n"
		   "Command:\t\t%s\n"
		   "Full program pathname\t%s\n"
		   "Remote program path\t%s\n\n",
		cmd.data, self, self);
	fprintf(f, "-- Generic options --\n"
		   "Local username\t\t%s\n"
		   "Local uid     \t\t%u\n"
		   "Remote username\t\t%s\n"
		   "Rcmd type\t\tssh\n"
		   "one ^C will kill pdsh   No\n"
		   "Connect timeout (secs)\t%llu\n"
		   "Command timeout (secs)\t%llu\n"
		   "Fanout\t\t\t%u\n"
		   "Display hostname labels\t%s\n"
		   "Debugging       \tNo\n\n",
		me, (unsigned)getuid(), o->user ? o->user : me,
		(unsigned long long)(o->connect_timeout_ms / 1000),
		(unsigned long long)(o->timeout_ms / 1000), o->jobs,
		o->no_prefix ? "No" : "Yes");
	fprintf(f, "-- Target nodes --\n%s\n", list.data);
	buf_free(&cmd);
	buf_free(&list);
}
