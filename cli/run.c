/*
 * Drive the library: inputs in, tasks through the loop, output out.
 *
 * Tasks are handed to the library lazily (launch.c): at most one per job
 * slot, and the next one when a task ends (jobend.c), so memory stays flat
 * however many inputs there are.  In fleet mode every input runs on every
 * host, host after host: at most -j hosts are in flight, each with at most
 * --per-host tasks, and a host that finished makes room for the next one
 * between loop turns.  Inputs and host files are read as the run goes
 * (intake.c).  Here: set-up, the turns, signals, the exit status.
 * Everything runs in this thread; the only wait is one call a turn.
 */
#define _GNU_SOURCE /* ppoll */
#include "run.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ringrun.h>

#include "benchmode/calibrate.h"
#include "util/buf.h"
#include "runner.h"
#include "jobs/signals.h"
#include "hosts/sshhost.h"
#include "output/pdshquery.h"
#include "output/stats.h"
#include "jobs/subst.h"

void run_each_job(struct runner *r, void (*fn)(struct runner *r, struct job *j,
					       void *arg), void *arg)
{
	const struct slots *s = &r->slots;

	for (unsigned k = 1; k <= s->n; k++)
		if (s->owner[k])
			fn(r, s->owner[k], arg);
	for (unsigned h = 0; h < r->fleet.nslots; h++) {
		s = &r->fleet.slot[h].chans;
		for (unsigned k = 1; k <= s->n; k++)
			if (s->owner[k])
				fn(r, s->owner[k], arg);
	}
}

/* The first signal stops the run; another one ends it at once. */
static void check_signals(struct runner *r)
{
	unsigned n = signals_count();

	if (n == r->signals_seen)
		return;
	if (!r->status)
		r->status = 128 + signals_first();
	if (r->signals_seen || n > 1)
		run_abandon(r);
	r->signals_seen = n;
	run_stop(r);
}

static void resize(struct runner *r, struct job *j, void *arg)
{
	(void)arg;
	if (j->task)
		rr_task_resize(j->task, r->pty.rows, r->pty.cols);
}

/* An interactive session: the terminal's new size to the task's. */
static void check_winch(struct runner *r)
{
	unsigned n = r->interactive ? signals_winches() : 0;

	if (n == r->winches)
		return;
	r->winches = n;
	if (tty_size(&r->pty))
		run_each_job(r, resize, NULL);
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
	run_stop(r);
}

static void start_tasks(struct runner *r)
{
	if (r->o->fleet)
		launch_next_hosts(r);
	else
		launch_more(r);
}

/* Tasks for the free slots, from what was read: taking inputs makes room
   for more, and tasks may take all there were. */
static void feed(struct runner *r)
{
	do
		start_tasks(r);
	while (intake_pump(r));
}

/*
 * Wait for what comes next, and take it.  With nothing to read, the loop
 * waits by itself: one system call a turn.  While a stream is read (the
 * inputs or the host file, and --stdin's), a pipe may stay silent while
 * tasks end, and tasks may run while it brings input: ppoll waits for
 * all, with the loop's fd and timeout and the signal mask it would wait
 * with, then the loop runs without waiting.  A stream is read only when
 * ppoll found it ready, so a read never blocks; it is not made
 * O_NONBLOCK, which would change a file description that stdin may share
 * with the shell.
 */
static int turn(struct runner *r)
{
	int fd = intake_fd(r), in = broadcast_fd(r), lfd, ms, n;
	struct timespec ts;
	struct pollfd p[3];

	if (fd < 0 && in < 0)
		return rr_loop_run(r->loop, RR_RUN_ONCE);
	lfd = rr_loop_fd(r->loop);
	if (lfd < 0)
		return lfd;
	ms = rr_loop_timeout_ms(r->loop);
	ts = (struct timespec){ ms / 1000, ms % 1000 * 1000000L };
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = in, .events = POLLIN };
	if (ppoll(p, 3, ms < 0 ? NULL : &ts, &r->wait_mask) < 0 && errno != EINTR)
		return -errno;
	n = rr_loop_run(r->loop, RR_RUN_NOWAIT);
	if (p[1].revents && !r->stopping)
		intake_fill(r);
	if (p[2].revents && broadcast_fd(r) >= 0) {
		check_winch(r); /* a resize before the keys typed after it */
		broadcast_fill(r);
	}
	return n;
}

/* Turn by turn, writing out after each, until every task has ended. */
static int drive(struct runner *r)
{
	int status;

	feed(r);
	while (r->running || r->retry.n || intake_reading(r) ||
	       (delay_waiting(&r->delay) && !r->stopping)) {
		int n = turn(r);

		check_output(r);
		check_signals(r);
		check_winch(r);
		feed(r);
		retries_run(r);
		run_rel_timeouts(r);
		feedback_turn(&r->feedback);
		if (n < 0 && n != -EINTR) {
			output_flush(&r->out);
			feedback_erase(&r->feedback);
			fprintf(stderr, "ringrun: loop: %s\n", rr_strerror(n));
			return 2;
		}
	}
	/* A stop leaves numbers that never ran: what -k holds behind them. */
	for (struct job *j; job_keeps_order(r) && (j = order_drain(&r->order));)
		job_finish(r, j);
	if (r->o->output == OUT_COLLATE)
		collate_print(&r->collate, &r->out);
	if (r->o->by_host)
		output_by_host(&r->out);
	check_output(r);
	if (r->status)
		return r->status;
	if (r->fleet.unreachable)
		status = 3;
	/* What --halt now cancelled did not fail by itself. */
	else
		status = r->failed > r->halt_killed ? 1 : 0;
	return exit_tally_status(&r->tally, r->o->exit_style, status);
}

static void close_outdirs(struct runner *r)
{
	outdir_close(&r->outdir);
	outdir_close(&r->stdout_dir);
	outdir_close(&r->stderr_dir);
}

/* One of --outdir, --stdout-dir, --stderr-dir, when given. */
static int open_outdir(struct outdir *d, const char *option, const char *path,
		       bool results)
{
	int err = path ? outdir_open(d, option, path, results) : 0;

	if (err < 0) {
		fprintf(stderr, "ringrun: %s: %s: %s\n", option, path,
			strerror(-err));
		outdir_close(d);
		return -1;
	}
	return 0;
}

/* --results: the arguments of a record, a tuple of the sources; with
   --colsep a job is one (options_parse() refuses several then). */
static unsigned results_arity(const struct options *o)
{
	return o->colsep ? 0 : o->nsources ? (unsigned)o->nsources : 1;
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

static int check_fleet(struct runner *r, struct options *o)
{
	char err[1024];
	struct buf notes = BUF_INIT;
	int ret;

	if (intake_hosts(r, o) < 0)
		return -1;
	ret = fleet_check(o, err, sizeof err);
	if (ret == 0 && o->copy)
		ret = copy_check(o, err, sizeof err);
	if (ret == 0 && !o->rcmd_exec)
		ret = ssh_hosts_setup(o, &notes, err, sizeof err);
	if (ret < 0)
		fprintf(stderr, "ringrun: %s\n", err);
	else if (notes.len)
		fputs(notes.data, stderr);
	buf_free(&notes);
	return ret;
}

/* The open-file limit in force: the loop raised the soft one to the hard. */
static unsigned long fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return ULONG_MAX;
	return (unsigned long)rl.rlim_cur;
}

/* want at once, but only fit (of what) fit in the open-file limit: said
   once. */
static unsigned fit_in_fds(struct runner *r, unsigned want, unsigned fit,
			   const char *what, const char *doing)
{
	if (fit >= want)
		return want;
	output_note(&r->out, "-j %u: only %u %s%s fit%s in the open-file limit "
		    "(%lu); %s %u at a time", r->o->jobs, fit, what,
		    fit == 1 ? "" : "s", fit == 1 ? "s" : "", fd_limit(), doing,
		    fit);
	return fit;
}

/* Job slots: -j's, no more than there are tasks or than the library runs. */
static unsigned local_slots(struct runner *r)
{
	struct rr_loop_stats st = { .size = sizeof st };
	/* A stream still read: how many is not known yet. */
	unsigned want = intake_reading(r) || r->ntasks >= UINT_MAX ? UINT_MAX :
			(unsigned)r->ntasks;

	rr_loop_stats(r->loop, &st);
	assert(st.max_running > 0);
	if (!want)
		return 1;
	if (!r->o->jobs) /* -j 0: as many as the library's figure */
		return want < st.max_running ? want : st.max_running;
	return fit_in_fds(r, want < r->o->jobs ? want : r->o->jobs,
			  st.max_running, "task", "running");
}

/* Hosts at once: -j's, no more than their connections' fds allow. */
static unsigned fleet_slots(struct runner *r)
{
	unsigned long limit = fd_limit();
	unsigned long fit = limit > FLEET_FDS_RESERVED + FLEET_FDS_PER_HOST ?
			    (limit - FLEET_FDS_RESERVED) / FLEET_FDS_PER_HOST : 1;

	return fit_in_fds(r, fleet_wanted(r->o, r->total),
			  fit < UINT_MAX ? (unsigned)fit : UINT_MAX, "host",
			  "connecting to");
}

/* The library went on past something its user may want to know. */
static void warn(rr_loop *loop, const char *msg, void *user)
{
	struct runner *r = user;

	(void)loop;
	output_warning(&r->out, msg);
}

static int start_loop(struct runner *r)
{
	const struct rr_loop_opts lo = {
		.max_running = r->o->fleet ? 0 : r->o->jobs,
		.wait_sigmask = &r->wait_mask,
		.on_warning = warn,
		.user = r,
	};
	int err = signals_setup(&r->wait_mask, r->interactive);

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
	if (delay_init(&r->delay, r->loop, r->o->delay_ms) < 0 ||
	    rel_timeout_init(&r->rel_timeout, r->loop, r->o->timeout_mpct) < 0) {
		fprintf(stderr, "ringrun: cannot create a timer: %s\n",
			strerror(errno));
		retry_queue_free(&r->retry);
		delay_free(&r->delay);
		rr_loop_free(r->loop);
		return -1;
	}
	if (r->o->fleet)
		fleet_init(&r->fleet, r->loop, r->o, r->total, fleet_slots(r));
	else
		slots_init(&r->slots, local_slots(r));
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

static int start_feedback(struct runner *r)
{
	const struct options *o = r->o;
	const struct feedback_opts fo = {
		/* a progress line would write into the session */
		.progress = r->interactive ? WHEN_NEVER : o->progress,
		.summary = o->summary, .color = o->color,
		.failed_file = o->failed_file,
		.hosts = o->fleet ? &o->hosts : NULL,
		.copy = o->copy != COPY_NONE,
		.bar = o->bar && !r->interactive,
		.eta = o->eta && !r->interactive,
		.ncpu = o->ncpu, .jobs = o->jobs,
	};

	return feedback_init(&r->feedback, &fo, o->fleet ? r->total : r->ntasks);
}

/*
 * --tty: the tasks' terminals start with the size of ours, if we have one.
 * With a terminal on stdin and exactly one task the session is
 * interactive, as ssh -t makes it: our terminal in raw mode, every key to
 * the task as it comes, its output as it comes.
 */
static void setup_tty(struct runner *r)
{
	const struct options *o = r->o;

	if (!o->tty)
		return;
	tty_size(&r->pty);
	r->interactive = isatty(0) && !intake_reading(r) &&
			 (o->fleet ? !o->hosts.more && o->hosts.n == 1 && r->total == 1 :
				     r->ntasks == 1);
}

/* The session starts: our terminal in raw mode (restored on every way
   out: the end of its task, of the run, a second signal); a terminal that
   refuses stays as it is. */
static void start_session(struct runner *r)
{
	int err = r->interactive ? tty_raw(&r->tty, 0) : 0;

	if (err < 0)
		output_note(&r->out, "--tty: raw mode: %s", strerror(-err));
}

/* Benchmark mode: its shell and export files, before anything runs. */
static int bench_open(struct runner *r)
{
	const struct options *o = r->o;
	const char *const paths[BENCH_EXPORTS] = {
		[BENCH_JSON] = o->export_json,
		[BENCH_MARKDOWN] = o->export_markdown,
		[BENCH_CSV] = o->export_csv,
	};
	const char *why;

	if (bench_shell_init(&r->shell, o->shell, &why) < 0) {
		fprintf(stderr, "ringrun: --shell: %s: %s\n", o->shell, why);
		return -1;
	}
	if (benchreport_open(&r->exports, paths) < 0) {
		bench_shell_free(&r->shell);
		return -1;
	}
	return 0;
}

/* A signal came: the calibration stops. */
static bool signalled(void *arg)
{
	struct runner *r = arg;

	check_signals(r);
	return r->status != 0;
}

/* Benchmark mode through a shell: its start-up measured first. */
static int calibrate(struct runner *r)
{
	int err;

	if (!r->bench.shell)
		return 0;
	err = bench_calibrate(&r->bench, r->loop, &r->shell, signalled, r);
	if (err == -EINTR)
		return -1;
	if (err < 0)
		r->status = 2;
	return err < 0 ? -1 : 0;
}

/* Benchmark mode: the report, once every run has ended. */
static int report(struct runner *r, int status)
{
	if (benchreport_write(&r->bench, &r->exports, &r->out) < 0)
		status = 2;
	check_output(r);
	return r->status ? r->status : status;
}

/* The loop is up: the run, its report, the last lines; the exit status. */
static int go(struct runner *r)
{
	uint64_t start = now_ns();
	int status;

	start_session(r);
	feedback_start(&r->feedback, r->loop, &r->running);
	status = drive(r);
	tty_restore(&r->tty);
	feedback_stop(&r->feedback);
	if (r->o->repeat && !r->status)
		status = report(r, status);
	if (r->o->stats && !r->out.error)
		print_stats(r, now_ns() - start);
	return feedback_finish(&r->feedback, &r->out, status);
}

/* --dry-run with --resume(-failed): would command idx run (on a host)?
   Known as a run knows its tasks: by host, sequence number and command. */
static bool would_run(const struct runner *r, size_t idx, const char *command)
{
	const struct options *o = r->o;
	struct task_info t = { .seq = idx + 1, .command = command };

	if (!o->fleet)
		return !control_done(&r->ctl, &t);
	for (size_t h = 0; h < o->hosts.n; h++) {
		t.host = o->hosts.v[h].name;
		t.seq = (unsigned long long)h * r->total + idx + 1; /* fleet_seq() */
		if (!control_done(&r->ctl, &t))
			return true;
	}
	return false;
}

/* --dry-run's lines: the hosts (one a line), then each command as it
   would run. */
static void dry_lines(struct runner *r, const struct options *o)
{
	join_command(r);
	for (size_t k = 0; o->fleet && k < o->hosts.n; k++)
		printf("%s\n", o->hosts.v[k].name);
	for (size_t k = 0; k < r->total; k++) {
		char *line = launch_show(r, k);

		if (would_run(r, k, line))
			printf("%s\n", line);
		free(line);
	}
}

/*
 * --dry-run: its lines, or pdsh -q's report (--dry-run-style); nothing
 * connects, nothing starts.
 */
static int dry_run(struct runner *r, struct options *o)
{
	int status = 0;

	if ((o->fleet && intake_hosts(r, o) < 0) ||
	    (o->dry_style == DRY_LINES &&
	     (intake_inputs(r) < 0 || intake_templates(r, o) < 0 ||
	      control_resume(&r->ctl, o) < 0))) {
		control_free(&r->ctl);
		intake_close(r);
		return 2;
	}
	if (o->dry_style != DRY_LINES)
		pdshquery_print(stdout, o, o->dry_style == DRY_PDSH_EXPANDED);
	else
		dry_lines(r, o);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		int err = errno;

		/* As a run's output: a closed stdout ends it quietly. */
		if (err != EPIPE)
			fprintf(stderr, "ringrun: write: %s\n", strerror(err));
		status = err == EPIPE ? 128 + SIGPIPE : 1;
	}
	control_free(&r->ctl);
	intake_close(r);
	free(r->tmpl);
	return status;
}

int run(struct options *o)
{
	struct runner r = { .o = o, .outdir = { .fd = -1 },
			    .stdout_dir = { .fd = -1 }, .stderr_dir = { .fd = -1 },
			    .ctl = { .log = { .fd = -1 } } };
	int status = 2;

	if (o->dry_run)
		return dry_run(&r, o);

	if ((o->fleet && check_fleet(&r, o) < 0) || intake_inputs(&r) < 0 ||
	    intake_templates(&r, o) < 0) {
		intake_close(&r);
		return 2;
	}
	if (control_init(&r.ctl, o) < 0) {
		control_free(&r.ctl);
		intake_close(&r);
		return 2;
	}
	if (open_outdir(&r.outdir, o->results ? "--results" : "--outdir",
			o->outdir, o->results) < 0 ||
	    open_outdir(&r.stdout_dir, "--stdout-dir", o->stdout_dir, false) < 0 ||
	    open_outdir(&r.stderr_dir, "--stderr-dir", o->stderr_dir, false) < 0) {
		close_outdirs(&r);
		control_free(&r.ctl);
		intake_close(&r);
		return 2;
	}
	r.outdir.arity = results_arity(o);
	if (o->repeat && bench_open(&r) < 0) {
		close_outdirs(&r);
		control_free(&r.ctl);
		intake_close(&r);
		return 2;
	}
	bench_init(&r.bench, o->repeat, o->warmup, o->jobs, r.total);
	r.bench.ignore_failure = o->ignore_failure;
	r.bench.setup = o->setup;
	r.bench.prepare = o->nprepare;
	r.bench.cleanup = o->cleanup;
	r.bench.params = o->pcmds.n ? &o->pcmds : NULL;
	r.bench.names = o->pcmds.n ? (const char *const *)o->pcmds.names :
				     o->names;
	r.bench.nnames = o->pcmds.n ? o->pcmds.n : o->nnames;
	r.bench.shell = o->repeat && !o->exec && !r.shell.none;
	r.bench.hyperfine_report = o->hyperfine_report;
	r.ntasks = r.total * bench_runs_each(&r.bench);
	setup_tty(&r);
	broadcast_init(&r);
	if (start_feedback(&r) < 0) {
		bench_free(&r.bench);
		benchreport_close(&r.exports);
		close_outdirs(&r);
		control_free(&r.ctl);
		intake_close(&r);
		return 2;
	}
	feedback_more(&r.feedback, 0, intake_reading(&r));
	join_command(&r);
	output_init(&r.out, o->output, 1, 2);
	r.out.no_prefix = o->no_prefix;
	output_words(&r.out, o->words);
	r.out.max_status = o->exit_style == EXIT_MAX;
	if (o->rcmd_exec) { /* pdsh names the program by its last name */
		const char *slash = strrchr(o->cmd[0], '/');

		r.out.local = slash ? slash + 1 : o->cmd[0];
	}
	r.out.by_host = o->by_host;
	r.out.tab_tag = o->tagstring != NULL;
	feedback_attach(&r.feedback, &r.out);
	collate_init(&r.collate, o->collate_style, o->collate_stderr, NULL);
	order_init(&r.order, 1);
	if (start_loop(&r) == 0) {
		status = calibrate(&r) < 0 ? r.status : go(&r);
		retry_queue_free(&r.retry); /* before the loop frees its timer */
		delay_free(&r.delay);
		rel_timeout_free(&r.rel_timeout);
		rr_loop_free(r.loop);
	}
	benchreport_close(&r.exports);
	bench_free(&r.bench);
	bench_shell_free(&r.shell);
	fleet_free(&r.fleet);
	slots_free(&r.slots);
	order_free(&r.order);
	collate_free(&r.collate);
	close_outdirs(&r);
	output_free(&r.out);
	feedback_free(&r.feedback);
	intake_close(&r);
	control_free(&r.ctl);
	broadcast_free(&r);
	free(r.tmpl);
	return status;
}
