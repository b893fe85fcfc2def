/*
 * What the run reads while it runs: the inputs of -a and -C (local mode),
 * or the host file of --hostfile (fleet mode).  A stream is read a
 * window ahead of what starts, never to its end first: an endless one
 * (yes | ringrun -a - true) costs a window of memory, and tasks start while
 * it still arrives.  It is read whole where the run needs all of it at
 * once: fleet mode's inputs (every host runs each of them, and {#} counts
 * them), the hosts of -j 0 (all at once), and both for a --halt percentage
 * (of all the tasks, which GNU parallel counts first too).  A host file
 * that is a regular file is read whole too: its size is bounded (1000000
 * hosts), and a mistake in it then runs nothing rather than half a fleet.
 * A record refused in a stream stops the run where the stream stands:
 * what came before it runs, nothing after it does, and the exit status is
 * 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hosts/sshhost.h"
#include "runner.h"
#include "util/xalloc.h"

/* Inputs read ahead of the next task to start, per job slot: enough that
   tasks never wait for a pump, few enough to be nothing in memory. */
#define AHEAD_PER_SLOT 4

static size_t window(const struct runner *r)
{
	return AHEAD_PER_SLOT * (size_t)r->slots.n;
}

/* What a message about the input file begins with: its option, or
   nothing for a :::: FILE. */
static const char *input_option(const struct options *o)
{
	return o->commands_file ? "-C: " : o->args_file ? "-a: " : "";
}

static const char *shown(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

/* --prepare and --command-name against the number of commands. */
static int bench_counts(const struct options *o, size_t total)
{
	if (o->nprepare > 1 && o->nprepare != total) {
		fprintf(stderr, "ringrun: --prepare: given %zu times for %zu "
			"commands: give it once, or once for each\n", o->nprepare,
			total);
		return -1;
	}
	if (!o->pcmds.n && o->nnames > total) {
		fprintf(stderr, "ringrun: --command-name: Too many --command-name "
			"options: Expected %zu at most\n", total);
		return -1;
	}
	return 0;
}

/* Inputs split into columns or grouped (GNU parallel's grammar beyond a
   list): how many of them one command takes, 0 when neither. */
static unsigned packing(const struct options *o)
{
	unsigned group = o->max_args ? o->max_args : o->max_replace_args;

	return o->colsep || group > 1 ? (group ? group : 1) : 0;
}

/* Several sources, a shuffle, or words to pack: read whole and combined.
   One file packed is read as the run goes, as any. */
static bool combined(const struct options *o)
{
	return o->nsources > 1 || o->shuf ||
	       (packing(o) && !o->sources->path);
}

static int combine(struct runner *r)
{
	const struct options *o = r->o;
	const struct combine c = {
		.sources = o->sources, .n = o->nsources, .sep = o->input_sep,
		.colsep = o->colsep, .shuf = o->shuf, .per_job = packing(o),
	};
	char why[1024];

	if (combine_inputs(&r->in, &c, why, sizeof why) < 0) {
		fprintf(stderr, "ringrun: %s\n", why);
		return -1;
	}
	return 0;
}

int intake_inputs(struct runner *r)
{
	const struct options *o = r->o;
	const struct source *one = o->nsources ? o->sources : NULL;
	const char *path = one ? one->path : o->commands_file;
	char why[512];
	int err;

	if (o->copy) {
		input_words(&r->in, o->srcs, o->nsrcs);
	} else if (o->pcmds.n) {
		input_words(&r->in, o->pcmds.commands, o->pcmds.n);
	} else if (combined(o)) {
		if (combine(r) < 0)
			return -1;
	} else if (one && !one->path) {
		input_words(&r->in, one->words, one->n);
	} else if (o->ncommands) {
		input_words(&r->in, o->commands, o->ncommands);
	} else if (!path) {
		r->total = 1;
		return o->repeat ? bench_counts(o, 1) : 0;
	} else if ((err = input_open(&r->in, path, o->input_sep)) < 0) {
		fprintf(stderr, "ringrun: %s%s: %s\n", input_option(o),
			shown(path), strerror(-err));
		return -1;
	} else {
		if (packing(o))
			input_pack(&r->in, o->colsep, packing(o));
		if ((o->fleet || o->halt.percent || o->dry_run ||
		     o->nprepare > 1 || o->nnames || o->nparams) &&
		    input_read_all(&r->in) < 0) {
			input_why(&r->in, why, sizeof why);
			fprintf(stderr, "ringrun: %s%s: %s\n", input_option(o),
				shown(path), why);
			return -1;
		}
	}
	r->has_input = true;
	r->total = r->in.n;
	return o->nparams && !o->pcmds.n ? 0 : bench_counts(o, r->total);
}

int intake_templates(struct runner *r, struct options *o)
{
	const char **t;
	char err[256];
	int ret;

	if (!o->nparams || (!o->commands_file && !o->ncommands))
		return 0;
	t = xcalloc(r->in.n + 1, sizeof *t);
	for (size_t k = 0; k < r->in.n; k++)
		t[k] = input_get(&r->in, k)->s;
	ret = params_expand(&o->pcmds, t, r->in.n, o->params, o->nparams,
			    o->param_step, o->names, o->nnames, err, sizeof err);
	free(t);
	if (ret < 0) {
		fprintf(stderr, "ringrun: %s: %s\n", o->params[0].list ?
			"--parameter-list" : "--parameter-scan", err);
		return -1;
	}
	input_free(&r->in);
	input_words(&r->in, o->pcmds.commands, o->pcmds.n);
	r->total = o->pcmds.n;
	return bench_counts(o, r->total);
}

/* -x, or -w's -ITEMs, left out every host there was (none at all runs
   nothing).  The reason, or NULL. */
static const char *all_excluded(const struct options *o)
{
	if (o->hosts.n || !o->hosts.excluded)
		return NULL;
	return o->exclude_given ? "-x: every host is excluded" :
				  "-w: every host is excluded";
}

/* A regular file, not a pipe or a terminal ("-": stdin). */
static bool regular_file(const char *path)
{
	struct stat st;
	int e = strcmp(path, "-") ? stat(path, &st) : fstat(0, &st);

	return e == 0 && S_ISREG(st.st_mode);
}

int intake_hosts(struct runner *r, struct options *o)
{
	const char *path = o->hostfile;
	char why[1024];

	r->hosts = &o->hosts;
	hosts_exclude(&o->hosts, &o->exclude);
	o->hosts.exclude = &o->exclude; /* and the host file's, as they come */
	if (!path) {
		/* nothing more to read */
	} else if (o->jobs == 0 || o->halt.percent || o->dry_run ||
		   regular_file(path)) {
		if (hostfile_read_all(&o->hosts, path, why, sizeof why) < 0) {
			fprintf(stderr, "ringrun: --hostfile: %s\n", why);
			return -1;
		}
	} else if (hostfile_open(&r->hostfile, &o->hosts, path) < 0) {
		fprintf(stderr, "ringrun: --hostfile: %s\n", r->hostfile.err);
		return -1;
	} else {
		r->streaming_hosts = true;
		o->hosts.more = true;
	}
	if (!o->hosts.more && all_excluded(o)) {
		fprintf(stderr, "ringrun: %s\n", all_excluded(o));
		return -1;
	}
	return 0;
}

/* A stream refused a record, or what it brought cannot run: the tasks
   running end by themselves, no other starts, exit status 2. */
static void refuse(struct runner *r, const char *what)
{
	output_note(&r->out, "%s", what);
	if (!r->status)
		r->status = 2;
	r->stopping = true;
	retries_cancel(r);
}

static size_t pump_inputs(struct runner *r)
{
	size_t runs = bench_runs_each(&r->bench);
	size_t came = input_pump(&r->in, window(r));
	char why[512], what[1024];

	r->total += came;
	r->ntasks += came * runs;
	feedback_more(&r->feedback, came * runs, !input_ended(&r->in));
	if (r->in.error && r->next == r->ntasks) {
		input_why(&r->in, why, sizeof why);
		snprintf(what, sizeof what, "%s%s: %s", input_option(r->o),
			 shown(r->o->nsources ? r->o->sources->path :
			       r->o->commands_file), why);
		refuse(r, what);
	}
	return came;
}

/* The hosts a free slot would take now. */
static size_t hosts_wanted(const struct runner *r)
{
	return r->fleet.next_host + r->fleet.nfree;
}

/* Hosts from number from on came: counted, and checked as at the start. */
static void hosts_came(struct runner *r, size_t from)
{
	struct buf notes = BUF_INIT;
	char err[1024];

	feedback_more(&r->feedback, (r->hosts->n - from) * r->total, true);
	if (ssh_hosts_more(r->o, from, &notes, err, sizeof err) < 0)
		refuse(r, err);
	else if (notes.len)
		output_stderr(&r->out, notes.data, notes.len);
	buf_free(&notes);
}

static size_t pump_hosts(struct runner *r)
{
	size_t from = r->hosts->n;
	char what[1100];

	hostfile_pump(&r->hostfile, hosts_wanted(r));
	if (r->hosts->n > from)
		hosts_came(r, from);
	if (hostfile_ended(&r->hostfile) && r->hosts->more) {
		r->hosts->more = false;
		feedback_more(&r->feedback, 0, false);
		if (all_excluded(r->o))
			refuse(r, all_excluded(r->o));
	}
	if (r->hostfile.failed && r->fleet.next_host == r->hosts->n &&
	    !r->stopping) {
		snprintf(what, sizeof what, "--hostfile: %s", r->hostfile.err);
		refuse(r, what);
	}
	return r->hosts->n - from;
}

size_t intake_pump(struct runner *r)
{
	if (r->stopping)
		return 0;
	if (r->o->fleet)
		return r->streaming_hosts && r->total ? pump_hosts(r) : 0;
	return r->has_input ? pump_inputs(r) : 0;
}

bool intake_reading(const struct runner *r)
{
	if (r->stopping)
		return false;
	if (r->o->fleet)
		return r->streaming_hosts && r->total &&
		       (r->hostfile.depth || r->hostfile.failed);
	return r->in.reading || r->in.error;
}

int intake_fd(const struct runner *r)
{
	if (!intake_reading(r))
		return -1;
	if (r->o->fleet)
		return hostfile_fd(&r->hostfile, hosts_wanted(r));
	return input_fd(&r->in, window(r));
}

void intake_fill(struct runner *r)
{
	if (r->o->fleet)
		hostfile_fill(&r->hostfile);
	else
		input_fill(&r->in);
}

void intake_close(struct runner *r)
{
	hostfile_close(&r->hostfile);
	input_free(&r->in);
}
