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
#include "buf.h"
#include "control.h"
#include "fleet.h"
#include "input.h"
#include "order.h"
#include "output.h"
#include "retry.h"
#include "signals.h"
#include "slots.h"
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
	size_t next;        /* local: the next one to hand to the library */
	struct fleet fleet;
	char *tmpl;         /* COMMAND's words joined by spaces */
	bool has_rs;        /* COMMAND holds a replacement string */
	sigset_t wait_mask;
	rr_loop *loop;
	struct slots slots;
	struct order order;
	struct output out;
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
		output_done(&r->out, &j->info, rr_task_result(j->task));
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
	free(j);
}

static void stop(struct runner *r, int sig);
static void cancel_retries(struct runner *r);

/* --joblog's row; a write that fails is said once, and fails the run. */
static void log_job(struct runner *r, struct job *j)
{
	struct rr_result none = { .status = j->skipped ? j->skipped : RR_ERROR };
	int err = control_log(&r->ctl, &j->info,
			      j->task ? rr_task_result(j->task) : &none);

	if (err) {
		output_note(&r->out, "--joblog: %s: %s", r->ctl.log.path,
			    strerror(err));
		if (!r->status)
			r->status = 1;
	}
}

/* Every task: each input on each host. */
static uint64_t all_tasks(const struct runner *r)
{
	return r->total * (r->o->fleet ? r->o->hosts.n : 1);
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
	if (!halt_due(h, all_tasks(r), r->ok, r->failed))
		return;
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
	bool cancelled = j->task &&
			 rr_task_result(j->task)->status == RR_CANCELLED;

	if (!counts)
		r->resumed++;
	else if (ok)
		r->ok++;
	else
		r->failed++;
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
	struct subst v = { .seq = j->info.seq, .slot = j->slot };
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
		opts.stdout_mode = opts.stderr_mode = RR_IO_CALLBACK;
		opts.on_line = on_line;
	} else if (o->output == OUT_QUIET) {
		opts.stdout_mode = opts.stderr_mode = unread(o);
	}
	if (o->discard)
		opts.stdout_mode = unread(o);
	return opts;
}

static struct job *new_job(struct runner *r, unsigned long long seq,
			   struct fleet_host *fh)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->r = r;
	j->fh = fh;
	j->info.seq = seq;
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
	struct rr_opts opts = task_opts(r, j);

	j->idx = idx;
	if (control_done(&r->ctl, &j->info)) {
		free(argv);
		j->resumed = true;
		free_slot(r, j, RR_OK, false);
		end_job(r, j, true);
		return;
	}
	if (j->fh)
		j->task = rr_ssh(r->loop, j->fh->host, j->info.command, &opts);
	else if (argv)
		j->task = rr_exec(r->loop, (const char *const *)argv, &opts);
	else
		j->task = rr_shell(r->loop, j->info.command, &opts);
	free(argv);
	if (!j->task) {
		j->error = errno;
		free_slot(r, j, RR_ERROR, false);
		end_job(r, j, false);
		return;
	}
	r->running++;
}

static void submit_more(struct runner *r)
{
	while (!r->stopping && r->next < r->total && r->slots.nfree) {
		struct job *j = new_job(r, r->next + 1, NULL);

		j->slot = slots_get(&r->slots, j);
		start(r, j, r->next++);
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
		res = rr_task_result(j->task);
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
		if (n < 0 && n != -EINTR) {
			output_flush(&r->out);
			fprintf(stderr, "ringrun: loop: %s\n", rr_strerror(n));
			return 2;
		}
	}
	/* A stop leaves numbers that never ran: what -k holds behind them. */
	for (struct job *j; keeps_order(r) && (j = order_drain(&r->order));)
		finish(r, j);
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
	char err[512];

	if (o->hostfile && load_hosts(o) < 0)
		return -1;
	if (fleet_check(o, err, sizeof err) < 0) {
		fprintf(stderr, "ringrun: %s\n", err);
		return -1;
	}
	return 0;
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
	if (r->total < n)
		n = r->total ? (unsigned)r->total : 1;
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

int run(struct options *o)
{
	struct runner r = { .o = o };
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
	join_command(&r);
	output_init(&r.out, o->output, 1, 2);
	order_init(&r.order, 1);
	uint64_t start = now_ns();
	if (start_loop(&r) == 0) {
		status = drive(&r);
		if (o->stats && !r.out.error)
			print_stats(&r, now_ns() - start);
		retry_queue_free(&r.retry); /* before the loop frees its timer */
		rr_loop_free(r.loop);
	}
	fleet_free(&r.fleet);
	slots_free(&r.slots);
	order_free(&r.order);
	output_free(&r.out);
	input_free(&r.in);
	control_free(&r.ctl);
	free(r.tmpl);
	return status;
}
