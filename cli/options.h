/* The command line: argv -> struct options, and the help text. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "jobs/combine.h"
#include "jobs/exitstatus.h"
#include "jobs/halt.h"
#include "jobs/termseq.h"
#include "hosts/hosts.h"
#include "output/modes.h"
#include "benchmode/params.h"

struct persona;

/* --copy and --rcopy: files, not commands. */
enum copy_mode {
	COPY_NONE,
	COPY_PUT, /* --copy: each SRC here to every host */
	COPY_GET, /* --rcopy: each SRC of every host here, as NAME.HOST */
};

/* --dry-run-style: ringrun's lines, or pdsh -q's (targets folded as
   pdsh folds them) and pdsh -Q's (expanded) options and targets. */
enum dry_style { DRY_LINES, DRY_PDSH, DRY_PDSH_EXPANDED };

struct options {
	const char *args_file;     /* the first -a FILE, "-" = stdin */
	const char *commands_file; /* -C FILE, "-" = stdin */
	char input_sep;            /* between -a/-C records: '\n', '\0' (-0) */
	char *const *cmd;          /* COMMAND and its words (into argv) */
	char **commands;           /* hyperfine's: each word one command, as
				      -C's lines (into argv); one: cmd */
	size_t ncommands;
	size_t ncmd;
	struct source *sources;    /* -a's, then :::'s and ::::'s, in order */
	size_t nsources;
	bool has_list;             /* ::: or :::: was given */
	const char *stdin_by;      /* the source reading stdin: "-a -", ":::: -" */
	const char *colsep;        /* --colsep REGEX: each input's columns */
	unsigned max_args;         /* -n: inputs per command, up to; 0: one */
	unsigned max_replace_args; /* --max-replace-args: {1}..{N}; 0: off */
	bool quote;                /* --quote: COMMAND's words kept as words */
	bool shuf;                 /* --shuf: the jobs in random order */
	bool dry_run;              /* -q: print the commands, run nothing */
	enum dry_style dry_style;  /* --dry-run-style: what it prints */
	unsigned jobs;             /* tasks at once; 0 = the library's limit;
				      fleet mode: hosts at once, 0 = all */
	uint64_t timeout_ms;       /* 0 = none */
	uint64_t idle_timeout_ms;  /* 0 = none */
	uint64_t kill_grace_ms;    /* SIGTERM to SIGKILL; 0 = the library's */
	struct termseq term_seq;   /* --term-seq; n 0: TERM, the grace, KILL */
	enum out_mode output;
	enum collate_style collate_style; /* --collate-style: clush, dshbak */
	enum out_words words;      /* --messages: whose words failures say */
	bool collate_stderr;       /* -B: stderr collated with stdout */
	bool exec;                 /* -X: argv, no shell */
	bool rcmd_exec;            /* --rcmd exec: each host's command runs
				      here (pdsh -R exec) */
	bool keep_order;
	bool discard;
	const char *outdir;        /* --outdir: DIR/TAG.out and DIR/TAG.err */
	bool stats;
	enum when progress;        /* --progress, --no-progress */
	enum when summary;         /* --summary, --no-summary */
	enum when color;           /* --color */
	const char *failed_file;   /* --failed: what failed, for a re-run */
	bool help;
	const struct persona *persona; /* called as another tool; NULL: no */
	bool version;

	/* Fleet mode: -w or --hostfile; COMMAND runs on every host. */
	bool fleet;
	struct hosts hosts;        /* -w's; run() adds the host files' */
	bool hosts_stdin;          /* -w -: a host file on stdin, read first */
	const char *hostfile;      /* "-" = stdin */
	struct hosts exclude;      /* -x's and -w's -ITEMs: left out of hosts */
	struct hostgroups groups;  /* --groups-file's: what @group names */
	bool exclude_given;        /* -x */
	const char *user;          /* -l: for hosts without user@ */
	unsigned port;             /* -p: for hosts without :port; 0 = 22 */
	const char **identities;   /* -i, NULL-terminated; NULL: defaults */
	size_t nidentities;
	const char *known_hosts;
	enum rr_hostkey_policy hostkey;
	uint64_t connect_timeout_ms;
	unsigned per_host;         /* channels per connection */
	const char *password_env;
	const char *password_file;
	bool no_agent;

	/* Benchmark mode: --repeat; each input (or -C line) is one command. */
	unsigned repeat;           /* measured runs of each command; 0: off */
	unsigned warmup;           /* runs of each before those, not measured */
	const char *export_json;
	const char *export_markdown;
	const char *export_csv;
	bool ignore_failure;       /* measure runs that exit non-zero */
	const char *shell;         /* --shell: "none" runs argv (-X) */
	const char **prepare;      /* --prepare: one, or one per command */
	size_t nprepare;
	const char *setup, *cleanup;
	struct param_opt *params;  /* --parameter-scan, --parameter-list */
	size_t nparams;
	const char *param_step;
	const char **names;        /* --command-name */
	size_t nnames;
	struct param_cmds pcmds;   /* the parameters' commands; n 0: none */
	bool hyperfine_report;     /* --report hyperfine */
	const char *ssh_config;    /* -F: instead of ssh's own files */
	bool ssh_exec;             /* --ssh=exec: the system ssh for every host */
	bool print_config;         /* -G: hosts' configuration printed, not run */
	bool hostkey_given;        /* --host-key-check: over the config's */
	bool connect_timeout_given;
	rr_ssh_config *sshcfg;     /* run() reads it */
	/* Job control: the job log, retries, halting, one stdin for all. */
	const char *joblog;        /* --joblog: append a row per task */
	const char *resume_failed; /* run what this log has not as ok */
	bool resume;               /* --resume: what --joblog has at all is done */
	const char *tagstring;     /* --tag ("{}"), --tagstring: each line's
				      prefix (and a tab), as parallel's */
	bool results;              /* --results: outdir in parallel's layout,
				      DIR/1/INPUT/{stdout,stderr,seq} */
	uint64_t delay_ms;         /* --delay: between two tasks' starts */
	uint64_t timeout_mpct;     /* --timeout N%: N in thousandths (1.5% is
				      1500) of the finished tasks' median
				      runtime; 0: none */
	bool bar, eta;             /* --bar, --eta: parallel's, on stderr */
	unsigned ncpu;             /* the online CPUs, as options_parse got them */
	unsigned retries;          /* attempts after the first */
	bool retry_on_exit;        /* also re-run commands that ended not ok */
	uint64_t retry_delay_ms;   /* the first wait; 0 = BACKOFF_FIRST_MS */
	struct halt halt;
	bool stdin_all;            /* --stdin: ours, to every task as it comes */
	bool tty;                  /* --tty: every task on a pty */

	/* Copy mode: each SRC to (from) every host, a task per (host, SRC). */
	enum copy_mode copy;
	char **srcs;               /* the SRCs (into argv), NULL-terminated */
	size_t nsrcs;
	const char *dest;          /* --dest; NULL: each SRC's own directory */
	unsigned xfer_flags;       /* RR_XFER_*: -r, --preserve, --mkdirs */

	/* pdsh's, clush's and pssh's ways (and their personalities). */
	bool no_prefix;            /* -N: no "TAG: " before lines, no headers */
	bool by_host;              /* -L: group output in order, "TAG: " before
				      each line instead of a header */
	enum exit_style exit_style; /* --exit-status, -S */
	const char *stdout_dir;    /* --stdout-dir: DIR/TAG (pssh -o) */
	const char *stderr_dir;    /* -e: DIR/TAG (pssh -e) */
	bool skip_empty;           /* --skip-empty: no file of an empty stream */
};

/* Hosts at once in fleet mode unless -j says. */
#define FLEET_JOBS 64

/* Commands at once on a host unless --per-host says: with the session
   that stops them, OpenSSH's MaxSessions (RR_HOST_CHANNELS_DEFAULT). */
#define PER_HOST_DEFAULT 9

extern const char options_help[];

/*
 * Parse argv; ncpu is the number of online CPUs (the default for -j).
 * Returns 0, or -1 with "<what>: <why>" in err.  Either way
 * options_free() releases what it allocated.
 */
int options_parse(struct options *o, int argc, char *const argv[],
		  unsigned ncpu, char *err, size_t errlen);

void options_free(struct options *o);

/* Does ringrun's option --long_name take an argument (1) or not (0)?  -1:
   there is none (the personalities' tables are checked with it). */
int options_arg(const char *long_name);

/*
 * -j's argument: N, N% of ncpu (at least 1) or 0.  Returns NULL, or why it
 * is not valid.
 */
const char *parse_jobs(const char *s, unsigned ncpu, unsigned *jobs);

/* Seconds with an optional decimal fraction, to milliseconds rounded up. */
const char *parse_seconds(const char *s, uint64_t *ms);

/* --timeout: SEC (as parse_seconds), or N% of the median runtime (N a
   decimal above 0, as parallel's: *mpct is N in thousandths). */
const char *parse_timeout(const char *s, uint64_t *ms, uint64_t *mpct);

/* group, stream, json, quiet or collate. */
const char *parse_output(const char *s, enum out_mode *mode);

/* strict, accept-new or off. */
const char *parse_hostkey(const char *s, enum rr_hostkey_policy *policy);

#endif
