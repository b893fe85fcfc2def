/*
 * Drive the library: inputs in, tasks through the loop, output out.
 *
 * Tasks are handed to the library lazily: at most one per job slot, and the
 * next one from on_done, so memory stays flat however many inputs there
 * are.  In fleet mode every input runs on every host, host after host: at
 * most -j hosts are in flight, each with at most --per-host tasks, and a
 * host that finished makes room for the next one between loop turns.
 * Everything runs in this thread; the only wait is rr_loop_run().
 */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ringrun.h>

#include "backoff.h"
#include "benchmark.h"
#include "benchreport.h"
#include "buf.h"
#include "collate.h"
#include "control.h"
#include "fleet.h"
#include "input.h"
#include "order.h"
#include "outdir.h"
#include "output.h"
#include "feedback.h"
#include "retry.h"
#include "signals.h"
#include "slots.h"
#include "sshexec.h"
#include "sshhost.h"
#include "stats.h"
#include "subst.h"
#include "xalloc.h"

struct runner;

struct job {
	struct task_info info;
	struct runner *r;
	rr_task *task;          /* NULL: never handed to the library */
	struct fleet_host *fh;  /* fleet mode: its host, until the task ends */
	enum rr_status skipped; /* no task: its host is down ... */
	char *why;              /* ... and this failure line is still due */
	int error;              /* no task, not skipped: the library's errno */
	unsigned slot;
	char *command;   /* owned, unless info.command points elsewhere */
	struct ssh_task *ssh; /* through the system ssh */
	bool resumed;    /* --resume-failed: done before, not run */
	size_t idx;      /* its input */
	unsigned attempts; /* --retry-on-exit: the ones that failed */
	bool waiting;    /* --retry-on-exit: for another (task: the last) */
};

struct runner {
	const struct options *o;
	struct input in;
	bool has_input;     /* -a, -C or ::: */
	size_t total;       /* inputs; COMMAND alone is one */
	size_t ntasks;      /* local: inputs times the runs of each */
	size_t next;        /* local: the next task to hand to the library */
	struct fleet fleet;
	char *tmpl;         /* COMMAND's words joined by spaces */
	bool has_rs;        /* COMMAND holds a replacement string */
	sigset_t wait_mask;
	rr_loop *loop;
	struct slots slots;
	struct order order;
	struct output out;
	struct collate collate; /* -o collate */
	struct outdir outdir;   /* --outdir */
	struct feedback feedback; /* progress, summary, --failed */
	unsigned running;   /* handed over and not ended */
	uint64_t ok, failed;
	uint64_t resumed;   /* --resume-failed: skipped */
	struct control ctl; /* --joblog, --resume-failed, --stdin */
	struct retry_queue retry; /* --retries: jobs and hosts waiting */
	bool halted;        /* --halt: reached */
	uint64_t halt_killed; /* --halt now: tasks it cancelled */
	bool stopping;      /* no new task: a signal, a closed stdout, --halt */
	unsigned signals_seen;
	int status;         /* exit status a signal or a write error forces */
	struct bench bench; /* --repeat: the runs of each input */
	struct bench_exports exports;
};

static void submit_more(struct runner *r);
static void feed_host(struct runner *r, struct fleet_host *fh);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool keeps_order(const struct runner *r)
{
	return r->o->keep_order &&
	       (r->o->output == OUT_GROUP || r->o->output == OUT_JSON);
}

/* Print a task that ended (in order, with -k) and let it go. */
static void finish(struct runner *r, struct job *j)
{
	if (j->resumed) {
		/* done in the log: nothing to show */
	} else if (j->task) {
		const struct rr_result *res = j->ssh ? &j->ssh->result :
					      rr_task_result(j->task);

		if (r->o->output == OUT_COLLATE)
			collate_task(&r->collate, &j->info, res);
		output_done(&r->out, &j->info, res);
		rr_task_free(j->task);
	} else if (j->skipped) {
		const struct rr_result never = {
			.status = j->skipped,
			.message = j->why ? j->why : "",
		};
		output_done(&r->out, &j->info, &never);
	} else {
		output_note(&r->out, "cannot start '%s'%s%s: %s",
			    j->info.command, j->info.host ? " on " : "",
			    j->info.host ? j->info.host : "", strerror(j->error));
	}
	free(j->why);
	free(j->command);
	ssh_task_free(j->ssh);
	free(j);
}

static void stop(struct runner *r, int sig);
static void cancel_retries(struct runner *r);

/* The result of j's task as ringrun reports it; NULL: it has none. */
static const struct rr_result *result_of(const struct job *j)
{
	if (!j->task)
		return NULL;
	return j->ssh ? &j->ssh->result : rr_task_result(j->task);
}

/* --joblog's row; a write that fails is said once, and fails the run. */
static void log_job(struct runner *r, struct job *j)
{
	struct rr_result none = { .status = j->skipped ? j->skipped : RR_ERROR };
	const struct rr_result *res = result_of(j);
	int err = control_log(&r->ctl, &j->info, res ? res : &none);

	if (err) {
		output_note(&r->out, "--joblog: %s: %s", r->ctl.log.path,
			    strerror(err));
		if (!r->status)
			r->status = 1;
	}
}

/* Every task: each input on each host, or each run of each. */
static uint64_t all_tasks(const struct runner *r)
{
	return r->o->fleet ? r->total * r->o->hosts.n : r->ntasks;
}

/*
 * --halt: once reached, say why, and start no more (soon) or kill the
 * running tasks too (now).  cancelled: the task that ended was.
 */
static void check_halt(struct runner *r, bool cancelled)
{
	const struct halt *h = &r->o->halt;
	struct buf b = BUF_INIT;

	if (r->halted) {
		if (h->when == HALT_NOW && cancelled)
			r->halt_killed++;
		return;
	}
	if (r->stopping || !halt_due(h, all_tasks(r), r->ok, r->failed))
		return; /* a signal or a closed stdout stops it already */
	r->halted = true;
	halt_describe(&b, h, all_tasks(r), r->ok, r->failed);
	output_note(&r->out, "%s; %s", b.data, h->when == HALT_NOW ?
		    "killing the running tasks" : "starting no more tasks");
	buf_free(&b);
	r->stopping = true;
	cancel_retries(r);
	if (h->when == HALT_NOW)
		stop(r, SIGTERM);
}

/* Its slot is free again already. */
static void end_job(struct runner *r, struct job *j, bool ok)
{
	bool counts = !j->resumed;
	const struct rr_result *res = result_of(j);
	bool cancelled = res && res->status == RR_CANCELLED;

	if (counts && r->o->outdir &&
	    !outdir_task(&r->outdir, &j->info,
			 j->task ? rr_task_result(j->task) : NULL, &r->out))
		ok = false;
	if (!counts)
		r->resumed++;
	else if (ok)
		r->ok++;
	else
		r->failed++;
	feedback_task(&r->feedback, &j->info, j->fh, ok, j->resumed);
	if (counts)
		log_job(r, j);
	if (!keeps_order(r)) {
		finish(r, j);
	} else {
		order_put(&r->order, j->info.seq, j);
		while ((j = order_take(&r->order)))
			finish(r, j);
	}
	if (counts)
		check_halt(r, cancelled);
}

/* The job's slot is free again; in fleet mode, say whether its failure
   line is due. */
static void free_slot(struct runner *r, struct job *j, enum rr_status status,
		      bool started)
{
	if (j->fh)
		j->info.reported = !fleet_end(&r->fleet, j->fh, j->slot, status,
					      started);
	else
		slots_put(&r->slots, j->slot);
}

/* Benchmark mode: what the run measured (res NULL: it never started). */
static void measure(struct runner *r, const struct job *j,
		    const struct rr_result *res)
{
	struct buf why = BUF_INIT;

	if (!r->o->repeat)
		return;
	if (!res)
		buf_printf(&why, "cannot start '%s': %s", j->info.command,
			   strerror(j->error));
	bench_record(&r->bench, j->info.seq - 1, j->info.command, res, why.data);
	buf_free(&why);
}

/* Through the system ssh: the result as ringrun reads it, and the stderr
   line still held back. */
static const struct rr_result *ssh_ended(struct runner *r, struct job *j,
					 const struct rr_result *res)
{
	const struct buf *last;

	res = ssh_task_end(j->ssh, res, j->fh->spec->name);
	if (r->o->output == OUT_STREAM && (last = ssh_task_held(j->ssh)))
		output_line(&r->out, &j->info, RR_STDERR, last->data, last->len);
	return res;
}

/* "<why>; retry 1 of 3 in 1 s" */
static void note_retry(struct runner *r, const struct rr_result *res,
		       unsigned attempt)
{
	output_note(&r->out, "%s; retry %u of %u in %llu s",
		    *res->message ? res->message : rr_status_name(res->status),
		    attempt, r->o->retries,
		    (unsigned long long)backoff_base_ms(attempt) / 1000);
}

/*
 * --retries: j's host could not be reached before j's command started.
 * Its input goes back to the host, which gets a new connection after the
 * backoff, once none of its tasks runs.  False: no attempt is left.
 */
static bool retry_host(struct runner *r, struct job *j,
		       const struct rr_result *res)
{
	struct fleet_host *fh = j->fh;
	bool first = !fh->redial; /* of the tasks on that connection */

	if (first && fh->attempts >= r->o->retries)
		return false;
	fleet_requeue(fh, j->slot, j->idx);
	if (first) {
		fh->attempts++;
		fh->retry_ms = backoff_ms(fh->attempts, backoff_random());
		note_retry(r, res, fh->attempts);
	}
	rr_task_free(j->task);
	ssh_task_free(j->ssh);
	free(j->command);
	free(j);
	fleet_settle(&r->fleet, fh);
	return true;
}

/* --retry-on-exit: j runs again after the backoff, keeping its slot. */
static bool retry_job(struct runner *r, struct job *j,
		      const struct rr_result *res)
{
	if (j->attempts >= r->o->retries)
		return false;
	j->attempts++;
	note_retry(r, res, j->attempts);
	j->waiting = true;
	retry_queue_add(&r->retry, now_ns(),
			backoff_ms(j->attempts, backoff_random()), j, false);
	return true;
}

/* Does j get another attempt (later), rather than end with res? */
static bool retry(struct runner *r, struct job *j, const struct rr_result *res)
{
	if (!r->o->retries || r->stopping)
		return false;
	if (j->fh && !j->fh->down && retry_connect(res))
		return retry_host(r, j, res);
	return r->o->retry_on_exit && retry_exit(res) && retry_job(r, j, res);
}

static void on_done(rr_task *task, void *user)
{
	struct job *j = user;
	struct runner *r = j->r;
	struct fleet_host *fh = j->fh;
	const struct rr_result *res = rr_task_result(task);

	if (j->ssh)
		res = ssh_ended(r, j, res);
	measure(r, j, res);
	r->running--;
	if (retry(r, j, res))
		return;
	free_slot(r, j, res->status, res->start_ns != 0);
	end_job(r, j, res->status == RR_OK);
	if (fh)
		feed_host(r, fh);
	else
		submit_more(r);
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
	if (j->ssh && j->r->o->output != OUT_STREAM)
		return; /* read for the system ssh's last line */
	if (stream == RR_STDOUT && j->r->o->discard)
		return; /* read only for --idle-timeout's sake */
	output_line(&j->r->out, &j->info, stream, line, len);
}

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
		v.line = r->in.lines[idx].s;
		v.len = r->in.lines[idx].len;
	}
	if (o->commands_file) {
		j->info.command = v.line;
	} else if (o->exec) {
		char **argv = subst_argv(o->cmd, o->ncmd, r->has_rs,
					 r->has_input ? &v : NULL);
		j->info.command = j->command = show_argv(argv);
		return argv;
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

static struct rr_opts task_opts(const struct runner *r, struct job *j)
{
	const struct options *o = r->o;
	struct rr_opts opts = {
		.timeout_ms = o->timeout_ms,
		.idle_timeout_ms = o->idle_timeout_ms,
		.user = j,
		.on_done = on_done,
		.stdin_data = r->ctl.stdin_data,
		.stdin_len = r->ctl.stdin_len,
	};

	if (o->output == OUT_STREAM) {
		/* Capture calls on_line too: --outdir takes the streams whole. */
		opts.stdout_mode = opts.stderr_mode =
			o->outdir ? RR_IO_CAPTURE : RR_IO_CALLBACK;
		opts.on_line = on_line;
	} else if (o->output == OUT_QUIET && !o->outdir) {
		opts.stdout_mode = opts.stderr_mode = unread(o);
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

/* Its command and what names it, for input number idx. */
static char **describe(struct runner *r, struct job *j, size_t idx)
{
	char **argv = make_command(r, j, idx);

	if (r->has_input) {
		j->info.tag = r->in.lines[idx].s;
		j->info.tag_len = r->in.lines[idx].len;
		j->info.input = true;
		j->info.input_no = idx + 1;
	} else {
		j->info.tag = j->info.command;
		j->info.tag_len = strlen(j->info.command);
	}
	if (j->fh) {
		j->info.host = j->fh->spec->name;
		j->info.host_len = strlen(j->fh->spec->name);
	}
	return argv;
}

/* Hand job j (input idx, slot taken) to the library. */
static void start(struct runner *r, struct job *j, size_t idx)
{
	char **argv = describe(r, j, idx);

	j->idx = idx;
	if (control_done(&r->ctl, &j->info)) {
		free(argv);
		j->resumed = true;
		free_slot(r, j, RR_OK, false);
		end_job(r, j, true);
		return;
	}
	if (j->fh && j->fh->exec)
		j->ssh = ssh_task_new();
	struct rr_opts opts = task_opts(r, j);

	if (j->ssh)
		j->task = rr_exec(r->loop, sshexec_argv(j->fh->exec, j->info.command),
				  &opts);
	else if (j->fh)
		j->task = rr_ssh(r->loop, j->fh->host, j->info.command, &opts);
	else if (argv)
		j->task = rr_exec(r->loop, (const char *const *)argv, &opts);
	else
		j->task = rr_shell(r->loop, j->info.command, &opts);
	free(argv);
	if (!j->task) {
		j->error = errno;
		measure(r, j, NULL);
		free_slot(r, j, RR_ERROR, false);
		end_job(r, j, false);
		return;
	}
	r->running++;
}

static void submit_more(struct runner *r)
{
	while (!r->stopping && r->next < r->ntasks && r->slots.nfree) {
		struct job *j = new_job(r, r->next + 1, NULL);

		j->slot = slots_get(&r->slots, j);
		start(r, j, r->next++ / bench_runs_each(&r->bench));
	}
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
	end_job(r, j, false);
}

/* Give host fh tasks while it has room, or skip them all when it is down. */
static void feed_host(struct runner *r, struct fleet_host *fh)
{
	size_t idx;
	bool report;

	while (!r->stopping && fleet_has_channel(&r->fleet, fh)) {
		struct job *j = new_job(r, 0, fh);

		idx = fleet_take(fh, j, &j->slot);
		j->info.seq = fleet_seq(&r->fleet, fh, idx);
		start(r, j, idx);
	}
	while (!r->stopping && fleet_skip(&r->fleet, fh, &idx, &report))
		skip(r, fh, idx, report);
	fleet_settle(&r->fleet, fh);
}

/* Between turns: hosts that finished make room for the next ones. */
static void next_hosts(struct runner *r)
{
	struct fleet_host *fh;

	fleet_retire(&r->fleet);
	while (!r->stopping && (fh = fleet_start_host(&r->fleet))) {
		feed_host(r, fh);
		fleet_retire(&r->fleet);
	}
}

/* --retry-on-exit: j's wait is over; the last attempt's task goes. */
static void relaunch(struct runner *r, struct job *j)
{
	j->waiting = false;
	rr_task_free(j->task);
	j->task = NULL;
	ssh_task_free(j->ssh);
	j->ssh = NULL;
	free(j->command);
	j->command = NULL;
	start(r, j, j->idx);
}

/* Between turns: hosts wait for their new connection, and what is due. */
static void run_retries(struct runner *r)
{
	struct fleet_host *fh;
	struct retry_wait w;

	while ((fh = fleet_park(&r->fleet))) {
		if (r->stopping)
			fleet_abandon(&r->fleet, fh);
		else
			retry_queue_add(&r->retry, now_ns(), fh->retry_ms, fh, true);
	}
	while (retry_queue_take(&r->retry, now_ns(), &w)) {
		if (!w.host) {
			relaunch(r, w.who);
			continue;
		}
		fleet_redial(&r->fleet, w.who);
		feed_host(r, w.who);
	}
}

/* Everything stops: no attempt waited for is made; a job ends with its
   last one. */
static void cancel_retries(struct runner *r)
{
	struct retry_wait w;

	while (retry_queue_pop(&r->retry, &w)) {
		struct job *j = w.who;
		const struct rr_result *res;

		if (w.host) {
			fleet_abandon(&r->fleet, w.who);
			continue;
		}
		j->waiting = false;
		res = result_of(j);
		free_slot(r, j, res->status, res->start_ns != 0);
		end_job(r, j, false);
	}
}

static void kill_slots(const struct slots *s, int sig)
{
	for (unsigned k = 1; k <= s->n; k++) {
		struct job *j = s->owner[k];

		if (j && j->task)
			rr_task_kill(j->task, sig);
	}
}

/* Stop starting tasks and send sig to every running one. */
static void stop(struct runner *r, int sig)
{
	r->stopping = true;
	cancel_retries(r);
	kill_slots(&r->slots, sig);
	for (unsigned k = 0; k < r->fleet.nslots; k++)
		kill_slots(&r->fleet.slot[k].chans, sig);
}

/* First signal: SIGTERM to every task; another one: SIGKILL. */
static void check_signals(struct runner *r)
{
	unsigned n = signals_count();

	if (n == r->signals_seen)
		return;
	if (!r->status)
		r->status = 128 + signals_first();
	stop(r, r->signals_seen || n > 1 ? SIGKILL : SIGTERM);
	r->signals_seen = n;
}

/* Nobody reads our output any more: stop everything, print nothing. */
static void check_output(struct runner *r)
{
	int err = output_flush(&r->out);

	if (!err || r->stopping)
		return;
	feedback_erase(&r->feedback);
	if (err != EPIPE)
		fprintf(stderr, "ringrun: write: %s\n", strerror(err));
	if (!r->status)
		r->status = err == EPIPE ? 128 + SIGPIPE : 1;
	stop(r, SIGTERM);
}

static void start_tasks(struct runner *r)
{
	if (r->o->fleet)
		next_hosts(r);
	else
		submit_more(r);
}

/* Turn by turn, writing out after each, until every task has ended. */
static int drive(struct runner *r)
{
	start_tasks(r);
	while (r->running || r->retry.n) {
		int n = rr_loop_run(r->loop, RR_RUN_ONCE);

		check_output(r);
		check_signals(r);
		if (r->o->fleet)
			next_hosts(r);
		run_retries(r);
		feedback_turn(&r->feedback);
		if (n < 0 && n != -EINTR) {
			output_flush(&r->out);
			feedback_erase(&r->feedback);
			fprintf(stderr, "ringrun: loop: %s\n", rr_strerror(n));
			return 2;
		}
	}
	/* A stop leaves numbers that never ran: what -k holds behind them. */
	for (struct job *j; keeps_order(r) && (j = order_drain(&r->order));)
		finish(r, j);
	if (r->o->output == OUT_COLLATE)
		collate_print(&r->collate, &r->out);
	check_output(r);
	if (r->status)
		return r->status;
	if (r->fleet.unreachable)
		return 3;
	/* What --halt now cancelled did not fail by itself. */
	return r->failed > r->halt_killed ? 1 : 0;
}

static int load_input(struct runner *r)
{
	const struct options *o = r->o;
	const char *path = o->args_file ? o->args_file : o->commands_file;

	if (o->has_list) {
		input_words(&r->in, o->list, o->nlist);
	} else if (path) {
		int err = input_load(&r->in, path);
		if (err < 0) {
			fprintf(stderr, "ringrun: %s: %s: %s\n",
				o->args_file ? "-a" : "-C",
				strcmp(path, "-") ? path : "stdin",
				strerror(-err));
			return -1;
		}
	} else {
		r->total = 1;
		return 0;
	}
	r->has_input = true;
	r->total = r->in.n;
	return 0;
}

static int open_outdir(struct runner *r)
{
	int err = outdir_open(&r->outdir, r->o->outdir);

	if (err < 0) {
		fprintf(stderr, "ringrun: --outdir: %s: %s\n", r->o->outdir,
			strerror(-err));
		outdir_close(&r->outdir);
		return -1;
	}
	return 0;
}

static void join_command(struct runner *r)
{
	const struct options *o = r->o;
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < o->ncmd; k++) {
		if (k)
			buf_addc(&b, ' ');
		buf_adds(&b, o->cmd[k]);
		r->has_rs |= subst_present(o->cmd[k]);
	}
	r->tmpl = buf_detach(&b);
}

/* --hostfile's hosts after -w's. */
static int load_hosts(struct options *o)
{
	struct input lines;
	char err[512];
	const char *shown = strcmp(o->hostfile, "-") ? o->hostfile : "stdin";
	int r = input_load(&lines, o->hostfile);

	if (r < 0) {
		fprintf(stderr, "ringrun: --hostfile: %s: %s\n", shown, strerror(-r));
		return -1;
	}
	r = hosts_add_lines(&o->hosts, lines.lines, lines.n, err, sizeof err);
	input_free(&lines);
	if (r < 0) {
		fprintf(stderr, "ringrun: --hostfile: %s: %s\n", shown, err);
		return -1;
	}
	return 0;
}

static int check_fleet(struct options *o)
{
	char err[1024];
	struct buf notes = BUF_INIT;
	int r;

	if (o->hostfile && load_hosts(o) < 0)
		return -1;
	if (o->hosts.n && hosts_exclude(&o->hosts, &o->exclude) && !o->hosts.n) {
		fprintf(stderr, "ringrun: -x: every host is excluded\n");
		return -1;
	}
	r = fleet_check(o, err, sizeof err);
	if (r == 0)
		r = ssh_hosts_setup(o, &notes, err, sizeof err);
	if (r < 0)
		fprintf(stderr, "ringrun: %s\n", err);
	else if (notes.len)
		fputs(notes.data, stderr);
	buf_free(&notes);
	return r;
}

static int start_loop(struct runner *r)
{
	const struct rr_loop_opts lo = {
		.max_running = r->o->fleet ? 0 : r->o->jobs,
		.wait_sigmask = &r->wait_mask,
	};
	struct rr_loop_stats st;
	int err = signals_setup(&r->wait_mask);

	if (err < 0) {
		fprintf(stderr, "ringrun: signals: %s\n", strerror(-err));
		return -1;
	}
	r->loop = rr_loop_new(&lo);
	if (!r->loop) {
		fprintf(stderr, "ringrun: cannot create the loop: %s\n",
			strerror(errno));
		return -1;
	}
	if (r->o->retries && retry_queue_init(&r->retry, r->loop) < 0) {
		fprintf(stderr, "ringrun: cannot create a timer: %s\n",
			strerror(errno));
		rr_loop_free(r->loop);
		return -1;
	}
	if (r->o->fleet) {
		fleet_init(&r->fleet, r->loop, r->o, r->total);
		return 0;
	}
	/* -j 0, or more than the fd limit allows: the library's figure. */
	rr_loop_stats(r->loop, &st);
	unsigned n = st.max_running ? st.max_running : 1;
	if (r->ntasks < n)
		n = r->ntasks ? (unsigned)r->ntasks : 1;
	slots_init(&r->slots, n);
	return 0;
}

static void print_stats(struct runner *r, uint64_t wall_ns)
{
	struct run_figures f = {
		.ok = r->ok, .failed = r->failed, .wall_ns = wall_ns,
		.skipped = r->resumed,
		.fleet = r->o->fleet, .hosts = r->o->hosts.n,
		.reached = r->fleet.reached, .unreachable = r->fleet.unreachable,
		.hosts_at_once = r->fleet.nslots, .per_host = r->o->per_host,
	};
	struct buf b = BUF_INIT;

	getrusage(RUSAGE_SELF, &f.self);
	getrusage(RUSAGE_CHILDREN, &f.children);
	f.peak_rss_kb = stats_peak_rss_kb();
	if (f.peak_rss_kb < 0)
		f.peak_rss_kb = f.self.ru_maxrss;
	rr_loop_stats(r->loop, &f.loop);
	stats_format(&b, &f);
	output_stderr(&r->out, b.data, b.len);
	output_flush(&r->out);
	buf_free(&b);
}

/* Benchmark mode: the report, once every run has ended. */
static int report(struct runner *r, int status)
{
	if (benchreport_write(&r->bench, &r->exports, &r->out) < 0)
		status = 2;
	check_output(r);
	return r->status ? r->status : status;
}

int run(struct options *o)
{
	struct runner r = { .o = o, .outdir = { .fd = -1 } };
	int status = 2;

	if (o->fleet && check_fleet(o) < 0)
		return 2;
	if (load_input(&r) < 0)
		return 2;
	if (control_init(&r.ctl, o) < 0) {
		control_free(&r.ctl);
		input_free(&r.in);
		return 2;
	}
	if (o->outdir && open_outdir(&r) < 0) {
		control_free(&r.ctl);
		input_free(&r.in);
		return 2;
	}
	if (o->repeat && benchreport_open(&r.exports, o->export_json,
					  o->export_markdown) < 0) {
		outdir_close(&r.outdir);
		control_free(&r.ctl);
		input_free(&r.in);
		return 2;
	}
	bench_init(&r.bench, o->repeat, o->warmup, o->jobs, r.total);
	r.ntasks = r.total * bench_runs_each(&r.bench);
	if (feedback_init(&r.feedback, o, o->fleet ? r.total : r.ntasks) < 0) {
		bench_free(&r.bench);
		benchreport_close(&r.exports);
		outdir_close(&r.outdir);
		control_free(&r.ctl);
		input_free(&r.in);
		return 2;
	}
	join_command(&r);
	output_init(&r.out, o->output, 1, 2);
	feedback_attach(&r.feedback, &r.out);
	collate_init(&r.collate, NULL);
	order_init(&r.order, 1);
	uint64_t start = now_ns();
	if (start_loop(&r) == 0) {
		feedback_start(&r.feedback, r.loop, &r.running);
		status = drive(&r);
		feedback_stop(&r.feedback);
		if (o->repeat && !r.status)
			status = report(&r, status);
		if (o->stats && !r.out.error)
			print_stats(&r, now_ns() - start);
		status = feedback_finish(&r.feedback, &r.out, status);
		retry_queue_free(&r.retry); /* before the loop frees its timer */
		rr_loop_free(r.loop);
	}
	benchreport_close(&r.exports);
	bench_free(&r.bench);
	fleet_free(&r.fleet);
	slots_free(&r.slots);
	order_free(&r.order);
	collate_free(&r.collate);
	outdir_close(&r.outdir);
	output_free(&r.out);
	feedback_free(&r.feedback);
	input_free(&r.in);
	control_free(&r.ctl);
	free(r.tmpl);
	return status;
}
