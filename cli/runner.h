/*
 * What run.c, launch.c and jobend.c share: the runner (one run of ringrun)
 * and its jobs (one task each, from its making to its end).
 */
#ifndef CLI_RUNNER_H
#define CLI_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ringrun.h>

#include "benchmode/benchmark.h"
#include "benchmode/benchreport.h"
#include "benchmode/shell.h"
#include "copy/copy.h"
#include "jobs/delay.h"
#include "jobs/reltimeout.h"
#include "output/collate.h"
#include "jobs/control.h"
#include "jobs/exitstatus.h"
#include "output/feedback.h"
#include "hosts/fleet.h"
#include "hosts/hostfile.h"
#include "jobs/input.h"
#include "options.h"
#include "output/order.h"
#include "output/outdir.h"
#include "output/output.h"
#include "jobs/retry.h"
#include "jobs/slots.h"
#include "jobs/tty.h"

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
	char *input;     /* a copy of it (NUL-terminated): the stream lets
			    inputs go once their tasks started */
	size_t input_len;
	char *shown;     /* a packed input's arguments joined by spaces */
	char *tag;       /* --tagstring's, expanded */
	bool clogged;    /* --stdin: it holds too much not taken yet */
	bool rel_killed; /* --timeout N%: killed past the limit */
	unsigned attempts; /* --retry-on-exit: the ones that failed */
	bool waiting;    /* --retry-on-exit: for another (task: the last) */
	struct copy *copy; /* copy mode: where its SRC goes, what came of it */
};

/* --stdin, or an interactive --tty session: ringrun's stdin to every task
   as it comes (broadcast.c). */
struct broadcast {
	bool on;
	int fd;           /* -1 once it ended */
	struct buf kept;  /* what was read, for the tasks still to start */
	unsigned clogged; /* tasks clogged: reading waits for them */
};

struct runner {
	const struct options *o;
	struct input in;
	bool has_input;     /* -a, -C or ::: */
	size_t total;       /* inputs (read so far); COMMAND alone is one */
	size_t ntasks;      /* local: inputs times the runs of each */
	struct hosts *hosts; /* fleet mode: o->hosts, which a host file grows */
	struct hostfile hostfile; /* --hostfile, read as the run goes ... */
	bool streaming_hosts;     /* ... when it is */
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
	struct outdir stdout_dir, stderr_dir; /* --stdout-dir, --stderr-dir */
	struct exit_tally tally; /* --exit-status */
	struct feedback feedback; /* progress, summary, --failed */
	unsigned running;   /* handed over and not ended */
	uint64_t ok, failed;
	uint64_t resumed;   /* --resume-failed: skipped */
	struct control ctl; /* --joblog, --resume-failed, --stdin */
	struct retry_queue retry; /* --retries: jobs and hosts waiting */
	struct delay delay; /* --delay: the next start waits */
	struct rel_timeout rel_timeout; /* --timeout N% */
	bool halted;        /* --halt: reached */
	uint64_t halt_killed; /* --halt now: tasks it cancelled */
	bool stopping;      /* no new task: a signal, a closed stdout, --halt */
	unsigned signals_seen;
	int status;         /* exit status a signal or a write error forces */
	struct broadcast bc; /* --stdin */
	struct rr_pty pty;   /* --tty: what each task's terminal starts as */
	bool interactive;    /* --tty with a terminal on stdin and one task */
	struct tty tty;      /* ... which is in raw mode meanwhile */
	unsigned winches;    /* ... and the size changes seen */
	uint64_t made;       /* fleet mode: tasks made (and skipped) */
	struct bench bench; /* --repeat: the runs of each input */
	struct bench_exports exports;
	struct bench_shell shell; /* --repeat: how each command starts */
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* run.c: fn(r, j, arg) for every job that holds a slot. */
void run_each_job(struct runner *r, void (*fn)(struct runner *r, struct job *j,
					       void *arg), void *arg);

/* stop.c: how a run stops before its end. */

/* Start no task and send every running one the first signal of
   --term-seq; the library goes on with the rest. */
void run_stop(struct runner *r);
/* A second signal: kill what runs, say what may be left, exit now. */
void run_abandon(struct runner *r) __attribute__((noreturn));
/* Between turns: kill the tasks past --timeout N%, wake for the next. */
void run_rel_timeouts(struct runner *r);

/* broadcast.c: --stdin, ringrun's stdin to every task as it comes. */

void broadcast_init(struct runner *r);
/* The fd to wait for with the loop's, or -1: nothing to read now. */
int broadcast_fd(const struct runner *r);
/* One read of it, once it is ready, handed to every task. */
void broadcast_fill(struct runner *r);
/* Job j's task: what it needs to get it (opts), and once made. */
void broadcast_opts(struct runner *r, struct rr_opts *opts);
void broadcast_started(struct runner *r, struct job *j);
/* Job j's task ended. */
void broadcast_ended(struct runner *r, struct job *j);
void broadcast_free(struct runner *r);

/* intake.c: what the run reads while it runs. */

/* The inputs: opened, or read whole where the run needs them all.
   Returns 0, or -1 after saying why (exit status 2). */
int intake_inputs(struct runner *r);
/* Benchmark mode: -C's lines as the templates of the parameters'
   commands, which become the inputs (o->pcmds).  0, or -1 said. */
int intake_templates(struct runner *r, struct options *o);
/* Fleet mode: the host list with its exclusions, and the host file opened
   (or read whole).  Returns 0, or -1 after saying why. */
int intake_hosts(struct runner *r, struct options *o);
/* Between turns: take what was read while it is wanted; a record refused
   stops the run once what came before it started.  Returns how many
   inputs (hosts) came. */
size_t intake_pump(struct runner *r);
/* More may be read, or a refusal is still to come. */
bool intake_reading(const struct runner *r);
/* The fd to wait for with the loop's, or -1: nothing to read now. */
int intake_fd(const struct runner *r);
/* One read of that fd, once it is ready. */
void intake_fill(struct runner *r);
void intake_close(struct runner *r);

/* launch.c: tasks made and handed to the library. */

/* Local mode: hand over tasks while job slots are free. */
void launch_more(struct runner *r);
/* Fleet mode: give host fh tasks while it has room (or skip them: down). */
void launch_host(struct runner *r, struct fleet_host *fh);
/* Between turns: hosts that finished make room for the next ones. */
void launch_next_hosts(struct runner *r);

/* --dry-run: the command of input number idx as it would run (as a shell
   line with -X), malloc'ed. */
char *launch_show(struct runner *r, size_t idx);
/* --retry-on-exit: j's wait is over; its last attempt's task goes. */
void launch_again(struct runner *r, struct job *j);

/* jobend.c: what happens when a task ends. */

/* The library's on_done of every task. */
void job_done(rr_task *task, void *user);
/* j ended (its slot is free again): counted, logged, printed. */
void job_end(struct runner *r, struct job *j, bool ok);
/* j's slot is free again; in fleet mode, whether its failure line is due. */
void job_free_slot(struct runner *r, struct job *j, enum rr_status status,
		   bool started);
/* Benchmark mode: what the run measured (res NULL: it never started);
   true when it counts as ok (--ignore-failure measured its exit). */
bool job_measure(struct runner *r, const struct job *j,
		 const struct rr_result *res);
/* Print a task that ended and let it go. */
void job_finish(struct runner *r, struct job *j);
/* -k with an output mode that keeps order. */
bool job_keeps_order(const struct runner *r);
/* Between turns: redial the hosts and re-run the jobs whose wait is over. */
void retries_run(struct runner *r);
/* Everything stops: no attempt waited for is made. */
void retries_cancel(struct runner *r);

#endif
