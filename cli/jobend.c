/*
 * What happens when a task ends: its slot is freed, it is measured
 * (--repeat), retried (--retries), counted, logged (--joblog), printed (in
 * order with -k), and --halt is checked; then the next task of its host or
 * of the run is launched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/backoff.h"
#include "output/copyout.h"
#include "util/buf.h"
#include "runner.h"
#include "hosts/sshexec.h"
#include "util/xalloc.h"

bool job_keeps_order(const struct runner *r)
{
	return r->o->keep_order &&
	       (r->o->output == OUT_GROUP || r->o->output == OUT_JSON);
}

/* The result of j's task as ringrun reports it; NULL: it has none. */
static const struct rr_result *result_of(const struct job *j)
{
	if (!j->task)
		return NULL;
	return j->ssh ? &j->ssh->result : rr_task_result(j->task);
}

/* Print a task that ended (in order, with -k) and let it go. */
void job_finish(struct runner *r, struct job *j)
{
	if (j->resumed) {
		/* done in the log: nothing to show */
	} else if (j->copy && (j->task || j->skipped)) {
		const struct rr_result never = {
			.status = j->skipped,
			.message = j->why ? j->why : "",
		};
		copyout_done(&r->out, &j->info, j->task ? result_of(j) : &never,
			     j->copy);
		rr_task_free(j->task);
	} else if (j->task) {
		const struct rr_result *res = result_of(j);

		/* The exit statuses collate_print says need no line of their own. */
		if (r->o->output == OUT_COLLATE &&
		    collate_task(&r->collate, &r->out, &j->info, res))
			j->info.reported = true;
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
	free(j->input);
	free(j->shown);
	free(j->tag);
	ssh_task_free(j->ssh);
	copy_free(j->copy);
	free(j);
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

/* Every task: each input on each host, or each run of each; 0 while a
   stream is read (a --halt percentage reads it whole first). */
static uint64_t all_tasks(const struct runner *r)
{
	if (intake_reading(r))
		return 0;
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
	retries_cancel(r);
	if (h->when == HALT_NOW)
		run_stop(r);
}

/* The job's slot is free again; in fleet mode, say whether its failure
   line is due. */
void job_free_slot(struct runner *r, struct job *j, enum rr_status status,
		      bool started)
{
	if (j->fh)
		j->info.reported = !fleet_end(&r->fleet, j->fh, j->slot, status,
					      started);
	else
		slots_put(&r->slots, j->slot);
}

/* How j ended, for the summary: a task of a host that is down fails with
   its host. */
static enum task_end end_of(const struct job *j, bool ok)
{
	if (j->resumed)
		return TASK_DONE_BEFORE;
	if (ok)
		return TASK_OK;
	return j->fh && j->fh->down ? TASK_UNREACHABLE : TASK_FAILED;
}

/* --exit-status: what j came to (a skipped one never reached its host). */
static void tally(struct runner *r, const struct job *j,
		  const struct rr_result *res, bool ok)
{
	const struct rr_result never = { .status = j->skipped ? j->skipped :
						   RR_ERROR };

	if (ok)
		return;
	if (!res)
		res = &never;
	exit_tally_add(&r->tally, res, ran_to_end(&j->info, res));
}

/* Its slot is free again already. */
void job_end(struct runner *r, struct job *j, bool ok)
{
	bool counts = !j->resumed;
	const struct rr_result *res = result_of(j);
	bool cancelled = res && res->status == RR_CANCELLED;

	if (counts && r->o->outdir &&
	    !outdir_task(&r->outdir, &j->info, res, &r->out))
		ok = false;
	if (counts && res && r->o->stdout_dir &&
	    !outdir_stream(&r->stdout_dir, &j->info, &res->out,
			   r->o->skip_empty, &r->out))
		ok = false;
	if (counts && res && r->o->stderr_dir &&
	    !outdir_stream(&r->stderr_dir, &j->info, &res->err,
			   r->o->skip_empty, &r->out))
		ok = false;
	if (counts)
		tally(r, j, res, ok);
	if (!counts)
		r->resumed++;
	else if (ok)
		r->ok++;
	else
		r->failed++;
	feedback_task(&r->feedback, &j->info, j->fh ? j->fh->idx : 0,
		      end_of(j, ok));
	if (counts)
		log_job(r, j);
	if (!job_keeps_order(r)) {
		job_finish(r, j);
	} else {
		order_put(&r->order, j->info.seq, j);
		while ((j = order_take(&r->order)))
			job_finish(r, j);
	}
	if (counts)
		check_halt(r, cancelled);
}

/* Benchmark mode: what the run measured (res NULL: it never started).
   True: it was measured, a run that counts as ok (--ignore-failure). */
bool job_measure(struct runner *r, const struct job *j,
		 const struct rr_result *res)
{
	struct buf why = BUF_INIT;
	bool stop;

	if (!r->o->repeat)
		return false;
	if (!res)
		buf_printf(&why, "cannot start '%s': %s", j->info.command,
			   strerror(j->error));
	stop = bench_record(&r->bench, j->info.seq - 1, j->info.command, res,
			    why.data);
	if (stop && !r->stopping) {
		/* hyperfine's rule: the first failed run ends the benchmark (one
		   that never started is said by job_end) */
		char *words = res ? bench_stop_words(&r->bench, j->info.seq - 1, res) : NULL;

		if (words)
			output_note(&r->out, "'%s': %s", j->info.command, words);
		free(words);
		if (!r->status)
			r->status = 1;
		r->stopping = true;
	}
	buf_free(&why);
	return bench_phase(&r->bench, j->info.seq - 1) == BENCH_RUN &&
	       bench_measures(&r->bench, res);
}

/* Through the system ssh: the result as ringrun reads it, and the stderr
   line still held back. */
static const struct rr_result *ssh_ended(struct runner *r, struct job *j,
					 const struct rr_result *res)
{
	const struct buf *last;

	res = ssh_task_end(j->ssh, res, j->fh->exec->name);
	if (out_lines(r->o->output) && (last = ssh_task_held(j->ssh)))
		output_line(&r->out, &j->info, RR_STDERR, last->data, last->len);
	return res;
}

/* "<why>; retry 1 of 3 in 1 s" */
static void note_retry(struct runner *r, const struct rr_result *res,
		       unsigned attempt)
{
	output_note(&r->out, "%s; retry %u of %u in %g s",
		    *res->message ? res->message : rr_status_name(res->status),
		    attempt, r->o->retries,
		    (double)backoff_base_ms(r->o->retry_delay_ms, attempt) / 1000);
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
		fh->retry_ms = backoff_ms(r->o->retry_delay_ms, fh->attempts,
					  backoff_random());
		note_retry(r, res, fh->attempts);
	}
	rr_task_free(j->task);
	ssh_task_free(j->ssh);
	copy_free(j->copy);
	free(j->command);
	free(j->input);
	free(j->shown);
	free(j->tag);
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
			backoff_ms(r->o->retry_delay_ms, j->attempts, backoff_random()),
			j, false);
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

void job_done(rr_task *task, void *user)
{
	struct job *j = user;
	struct runner *r = j->r;
	struct fleet_host *fh = j->fh;
	const struct rr_result *res = rr_task_result(task);
	bool measured;

	if (j->ssh)
		res = ssh_ended(r, j, res);
	measured = job_measure(r, j, res);
	broadcast_ended(r, j);
	if (r->interactive) /* its failure line is for a terminal as it was */
		tty_restore(&r->tty);
	r->running--;
	if (retry(r, j, res))
		return;
	if (res->status == RR_OK && res->end_ns > res->start_ns)
		rel_timeout_ok(&r->rel_timeout, res->end_ns - res->start_ns);
	job_free_slot(r, j, res->status, res->start_ns != 0);
	job_end(r, j, res->status == RR_OK || measured);
	if (fh)
		launch_host(r, fh);
	else
		launch_more(r);
}

/* Between turns: hosts wait for their new connection, and what is due. */
void retries_run(struct runner *r)
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
			launch_again(r, w.who);
			continue;
		}
		fleet_redial(&r->fleet, w.who);
		launch_host(r, w.who);
	}
}

/* Everything stops: no attempt waited for is made; a job ends with its
   last one. */
void retries_cancel(struct runner *r)
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
		job_free_slot(r, j, res->status, res->start_ns != 0);
		job_end(r, j, false);
	}
}
