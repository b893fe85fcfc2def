/*
 * Tasks made and handed to the library: each job's command (replacement
 * strings, argv or shell), its options, and the order in which inputs and
 * hosts are taken.  At most one task per job slot (per channel slot in
 * fleet mode) is handed over; the next one comes when one ends.
 */
#include <assert.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "runner.h"
#include "hosts/rcmdexec.h"
#include "hosts/sshexec.h"
#include "jobs/subst.h"
#include "util/xalloc.h"

/* argv shown as one shell-quoted line: the command in JSON and tags. */
static char *show_argv(char *const *argv)
{
	struct buf b = BUF_INIT;

	for (size_t k = 0; argv[k]; k++) {
		if (k)
			buf_addc(&b, ' ');
		shell_quote(&b, argv[k], strlen(argv[k]));
	}
	return buf_detach(&b);
}

/* The user a host's commands run as: its user@, -l, else this one's. */
static const char *host_user(const struct options *o,
			     const struct fleet_host *fh)
{
	const struct passwd *pw;

	if (fh->spec.user || o->user)
		return fh->spec.user ? fh->spec.user : o->user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "";
}

/*
 * The command of job j (input number idx): j->info.command for the shell,
 * or the returned argv (free() it) with -X.
 */
static char **make_command(struct runner *r, struct job *j, size_t idx)
{
	const struct options *o = r->o;
	struct subst v = { .seq = r->o->repeat ? idx + 1 : j->info.seq,
			   .slot = j->slot };
	struct buf b = BUF_INIT;

	if (r->has_input) {
		v.line = j->input;
		v.len = j->input_len;
	}
	if (o->commands_file || o->ncommands || o->pcmds.n) {
		j->info.command = v.line;
	} else if (o->rcmd_exec && j->fh) {
		char **argv = rcmdexec_argv(o->cmd, o->ncmd, &(struct rcmd_host){
			.host = j->fh->spec.target, .user = host_user(o, j->fh),
			.rank = j->fh->idx });
		j->info.command = j->command = show_argv(argv);
		return argv;
	} else if (o->exec) {
		char **argv = subst_argv(o->cmd, o->ncmd, r->has_rs,
					 r->has_input ? &v : NULL);
		j->info.command = j->command = show_argv(argv);
		return argv;
	} else if (o->quote) {
		/* COMMAND's words stay words: each quoted whole, as -X's. */
		char **argv = subst_argv(o->cmd, o->ncmd, r->has_rs,
					 r->has_input ? &v : NULL);
		j->info.command = j->command = show_argv(argv);
		free(argv);
	} else if (r->has_input) {
		subst_shell(&b, r->tmpl, r->has_rs, &v);
		j->info.command = j->command = buf_detach(&b);
	} else {
		j->info.command = r->tmpl;
	}
	return NULL;
}

/* Streams nobody prints are not read, unless the idle timer must see them. */
static enum rr_io unread(const struct options *o)
{
	return o->idle_timeout_ms ? RR_IO_CALLBACK : RR_IO_DISCARD;
}

static void on_line(rr_task *task, enum rr_stream stream, const char *line,
		    size_t len, void *user)
{
	struct job *j = user;

	(void)task;
	if (j->ssh && stream == RR_STDERR) {
		const struct buf *shown = ssh_task_hold(j->ssh, line, len);

		if (!shown)
			return;
		line = shown->data;
		len = shown->len;
	}
	if (j->ssh && !out_lines(j->r->o->output))
		return; /* read for the system ssh's last line */
	if (stream == RR_STDOUT && j->r->o->discard)
		return; /* read only for --idle-timeout's sake */
	output_line(&j->r->out, &j->info, stream, line, len);
}

/* An interactive session: what the task writes, as it comes. */
static void on_chunk(rr_task *task, enum rr_stream stream, const char *data,
		     size_t len, void *user)
{
	struct job *j = user;

	(void)task, (void)stream;
	output_stdout(&j->r->out, data, len);
}

/* --tty: the task on a terminal of the size of ours. */
static void on_tty(struct runner *r, struct rr_opts *opts)
{
	opts->flags |= RR_F_PTY;
	opts->pty = &r->pty;
	if (r->interactive) {
		opts->stdout_mode = RR_IO_CALLBACK;
		opts->on_chunk = on_chunk;
		opts->on_line = NULL;
	}
}

static struct rr_opts task_opts(struct runner *r, struct job *j)
{
	const struct options *o = r->o;
	struct rr_opts opts = {
		.timeout_ms = o->timeout_ms,
		.idle_timeout_ms = o->idle_timeout_ms,
		.kill_grace_ms = o->kill_grace_ms,
		.kill_seq = o->term_seq.n ? o->term_seq.step : NULL,
		.user = j,
		.on_done = job_done,
	};
	bool files = o->outdir || o->stdout_dir || o->stderr_dir;

	if (out_lines(o->output)) {
		/* Capture calls on_line too: the files take the streams whole. */
		opts.stdout_mode = opts.stderr_mode =
			files ? RR_IO_CAPTURE : RR_IO_CALLBACK;
		opts.on_line = on_line;
	} else if ((o->output == OUT_QUIET || o->output == OUT_PSSH) && !files) {
		/* pssh without -i or -P prints a line per host, no output */
		opts.stdout_mode = opts.stderr_mode = unread(o);
	} else if (o->output == OUT_COLLATE && o->collate_stderr && !j->ssh) {
		opts.stderr_mode = RR_IO_MERGE; /* -B: in the order written */
	}
	if (o->discard)
		opts.stdout_mode = unread(o);
	if (o->repeat)
		opts.flags |= RR_F_RUSAGE;
	if (j->ssh) { /* its last stderr line may be ssh's own reason */
		opts.on_line = on_line;
		opts.title = j->info.command;
		if (opts.stderr_mode != RR_IO_CAPTURE)
			opts.stderr_mode = RR_IO_CALLBACK;
	}
	if (o->tty)
		on_tty(r, &opts);
	broadcast_opts(r, &opts);
	return opts;
}

static struct job *new_job(struct runner *r, unsigned long long seq,
			   struct fleet_host *fh)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->r = r;
	j->fh = fh;
	j->info.seq = seq;
	j->info.reported = r->o->repeat; /* benchmark mode: said per command */
	return j;
}

/* Its own copy of input number idx, which the stream may let go. */
static void take_input(struct runner *r, struct job *j, size_t idx)
{
	const struct line *l;

	if (!r->has_input || j->input)
		return;
	l = input_get(&r->in, idx);
	j->input = xmalloc(l->len + 1);
	memcpy(j->input, l->s, l->len + 1);
	j->input_len = l->len;
	if (memchr(l->s, '\0', l->len)) { /* packed: shown with spaces */
		j->shown = xmalloc(l->len + 1);
		for (size_t k = 0; k <= l->len; k++)
			j->shown[k] = l->s[k] || k == l->len ? l->s[k] : ' ';
	}
}

/* Copy mode: "put SRC DST", "get SRC DST", as the library names it. */
static void describe_copy(struct runner *r, struct job *j)
{
	struct buf b = BUF_INIT;

	if (!j->copy)
		j->copy = copy_new(r->o, j->input, j->fh->spec.name);
	buf_printf(&b, "%s %s %s", r->o->copy == COPY_PUT ? "put" : "get",
		   j->input, j->copy->dst);
	j->info.command = j->command = buf_detach(&b);
}

/* --tag, --tagstring: its tag, with the values as they are (parallel's). */
static void make_tag(struct runner *r, struct job *j)
{
	struct subst v = { .line = r->has_input ? j->input : "",
			   .len = r->has_input ? j->input_len : 0,
			   .seq = j->info.seq, .slot = j->slot };
	struct buf b = BUF_INIT;

	if (!j->tag) {
		subst_expand(&b, r->o->tagstring, &v, false);
		j->tag = buf_detach(&b);
	}
	j->info.tag = j->tag;
	j->info.tag_len = strlen(j->tag);
}

/* Its command and what names it, for input number idx. */
static char **describe(struct runner *r, struct job *j, size_t idx)
{
	char **argv = NULL;

	take_input(r, j, idx);
	if (r->o->copy)
		describe_copy(r, j);
	else
		argv = make_command(r, j, idx);
	if (r->has_input) {
		j->info.arg = j->shown ? j->shown : j->input;
		j->info.packed = j->input;
		j->info.arg_len = j->input_len;
	}
	if (r->o->tagstring) {
		make_tag(r, j);
		j->info.input = true;
		j->info.input_no = r->has_input ? idx + 1 : 0;
	} else if (r->has_input) {
		j->info.tag = j->shown ? j->shown : j->input;
		j->info.tag_len = j->input_len;
		j->info.input = true;
		j->info.input_no = idx + 1;
	} else {
		j->info.tag = j->info.command;
		j->info.tag_len = strlen(j->info.command);
	}
	if (j->fh) {
		j->info.host = j->fh->spec.name;
		j->info.host_len = strlen(j->fh->spec.name);
	}
	return argv;
}

/* A task of a host that is down: reported as its host's failure. */
static void skip(struct runner *r, struct fleet_host *fh, size_t idx,
		 bool report)
{
	struct job *j = new_job(r, fleet_seq(&r->fleet, fh, idx), fh);

	free(describe(r, j, idx));
	j->skipped = fh->down;
	j->why = report ? xstrdup(fh->why) : NULL;
	j->info.reported = !report;
	r->made++;
	job_end(r, j, false);
}

static void on_file(rr_task *task, const struct rr_xfer_file *f, void *user)
{
	struct job *j = user;

	(void)task;
	copy_file(j->copy, f);
}

static void on_progress(rr_task *task, uint64_t done, uint64_t total, void *user)
{
	struct job *j = user;
	uint64_t more_done, more_total;

	(void)task;
	copy_progress(j->copy, done, total, &more_done, &more_total);
	feedback_bytes(&j->r->feedback, more_done, more_total);
}

/* Copy mode: the copy of j's SRC with its host. */
static rr_task *start_copy(struct runner *r, struct job *j)
{
	const struct rr_xfer_opts xo = {
		.flags = r->o->xfer_flags,
		.timeout_ms = r->o->timeout_ms,
		.title = j->info.command,
		.user = j,
		.on_done = job_done,
		.on_progress = on_progress,
		.on_file = on_file,
	};

	/* ssh_hosts_setup() refused the hosts of the system ssh, which has no
	   SFTP channel of ours; one that could not be set up is skipped. */
	assert(j->fh->host);
	if (r->o->copy == COPY_PUT)
		return rr_put(r->loop, j->fh->host, j->input, j->copy->dst, &xo);
	return rr_get(r->loop, j->fh->host, j->input, j->copy->dst, &xo);
}

/* Benchmark mode: the command of a task around the runs of command idx
   (--setup, --prepare, --cleanup), else NULL. */
static const char *around(const struct runner *r, const struct job *j,
			  size_t idx)
{
	const struct options *o = r->o;

	switch (bench_phase(&r->bench, j->info.seq - 1)) {
	case BENCH_SETUP:
		return o->setup;
	case BENCH_PREPARE:
		assert(o->nprepare == 1 || idx < o->nprepare);
		return o->prepare[o->nprepare == 1 ? 0 : idx];
	case BENCH_CLEANUP:
		return o->cleanup;
	case BENCH_RUN:
		break;
	}
	return NULL;
}

char *launch_show(struct runner *r, size_t idx)
{
	struct job j = { .r = r, .info.seq = idx + 1, .slot = 1 };
	char **argv;
	char *line;

	take_input(r, &j, idx);
	argv = make_command(r, &j, idx);
	line = xstrdup(j.info.command);
	free(j.command);
	free(argv);
	free(j.input);
	free(j.shown);
	return line;
}

/* Hand job j (input idx, slot taken) to the library. */
static void launch_job(struct runner *r, struct job *j, size_t idx)
{
	char **argv = describe(r, j, idx);
	const char *aux = r->o->repeat ? around(r, j, idx) : NULL;

	if (aux) { /* run as the benchmark's commands are, without -X */
		free(argv);
		argv = NULL;
		free(j->command);
		j->command = r->o->pcmds.n ? params_apply(&r->o->pcmds, idx, aux) :
					     xstrdup(aux);
		j->info.command = j->info.tag = j->command;
		j->info.tag_len = strlen(j->command);
	}

	j->idx = idx;
	r->made++;
	if (control_done(&r->ctl, &j->info)) {
		free(argv);
		j->resumed = true;
		job_free_slot(r, j, RR_OK, false);
		job_end(r, j, true);
		return;
	}
	if (j->fh && j->fh->exec && !r->o->copy)
		j->ssh = ssh_task_new();
	struct rr_opts opts = task_opts(r, j);

	if (r->o->copy)
		j->task = start_copy(r, j);
	else if (j->ssh)
		j->task = rr_exec(r->loop, sshexec_argv(j->fh->exec, j->info.command),
				  &opts);
	else if (argv) /* -X, or --rcmd exec's on a host */
		j->task = rr_exec(r->loop, (const char *const *)argv, &opts);
	else if (j->fh)
		j->task = rr_ssh(r->loop, j->fh->host, j->info.command, &opts);
	else if (r->o->repeat)
		j->task = bench_start(r->loop, &r->shell, j->info.command, &opts);
	else
		j->task = rr_shell(r->loop, j->info.command, &opts);
	free(argv);
	if (!j->task) {
		j->error = errno;
		job_measure(r, j, NULL);
		job_free_slot(r, j, RR_ERROR, false);
		job_end(r, j, false);
		return;
	}
	broadcast_started(r, j);
	feedback_started(&r->feedback, &j->info);
	r->running++;
}

void launch_more(struct runner *r)
{
	size_t runs = bench_runs_each(&r->bench);

	while (!r->stopping && r->next < r->ntasks && r->slots.nfree &&
	       delay_ready(&r->delay, now_ns())) {
		struct job *j = new_job(r, r->next + 1, NULL);

		delay_started(&r->delay, now_ns());
		j->slot = slots_get(&r->slots, j);
		launch_job(r, j, r->next++ / runs);
		/* Every run of the inputs before it has its own copy now. */
		input_release(&r->in, r->next / runs);
	}
}

/* Give host fh tasks while it has room, or skip them all when it is down. */
void launch_host(struct runner *r, struct fleet_host *fh)
{
	size_t idx;
	bool report;

	while (!r->stopping && fleet_has_channel(&r->fleet, fh)) {
		struct job *j = new_job(r, 0, fh);

		idx = fleet_take(fh, j, &j->slot);
		j->info.seq = fleet_seq(&r->fleet, fh, idx);
		launch_job(r, j, idx);
	}
	while (!r->stopping && fleet_skip(&r->fleet, fh, &idx, &report))
		skip(r, fh, idx, report);
	fleet_settle(&r->fleet, fh);
}

/* Between turns: hosts that finished make room for the next ones. */
void launch_next_hosts(struct runner *r)
{
	struct fleet_host *fh;

	fleet_retire(&r->fleet);
	while (!r->stopping && (fh = fleet_start_host(&r->fleet))) {
		launch_host(r, fh);
		fleet_retire(&r->fleet);
	}
}

/* --retry-on-exit: j's wait is over; the last attempt's task goes. */
void launch_again(struct runner *r, struct job *j)
{
	j->waiting = false;
	rr_task_free(j->task);
	j->task = NULL;
	ssh_task_free(j->ssh);
	j->ssh = NULL;
	free(j->command);
	j->command = NULL;
	copy_free(j->copy); /* what the last attempt came to */
	j->copy = NULL;
	if (j->rel_killed) { /* the next attempt has its own limit and line */
		j->rel_killed = false;
		j->info.reported = r->o->repeat;
	}
	launch_job(r, j, j->idx);
}
