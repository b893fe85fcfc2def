/* The command line: argv -> struct options, and the help text. */
#include "options.h"

#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts/sshhost.h"
#include "jobs/combine.h"
#include "hosts/hostfile.h"
#include "output/color.h"
#include "persona/persona.h"
#include "util/buf.h"
#include "jobs/subst.h"
#include "util/xalloc.h"
#include "util/names.h"

_Static_assert(PER_HOST_DEFAULT + 1 == RR_HOST_CHANNELS_DEFAULT,
	       "--per-host's default and the session that stops them fill MaxSessions");

/* --per-host: more channels than any sshd allows is a typo. */
#define PER_HOST_MAX 1000

/* --repeat, --warmup: every measured run is kept until the report. */
#define RUNS_MAX 1000000

/* -n, --max-replace-args: more inputs than Linux takes as arguments. */
#define ARGS_MAX 100000

/* --retries: past this the backoff (30 s each) would outlast anyone. */
#define RETRIES_MAX 1000

/* A number's digits, for the help text. */
#define DIGITS(n) #n
#define NUMBER(n) DIGITS(n)

const char options_help[] =
	"Usage: ringrun [OPTIONS] [--] COMMAND [ARG...] [::: INPUT...]...\n"
	"       ringrun [OPTIONS] -C FILE\n"
	"       ringrun [OPTIONS] --copy|--rcopy SRC... [--dest PATH] -w HOSTS\n"
	"Run COMMAND once per input, many at once, from one thread on one io_uring.\n"
	"COMMAND's words are joined and run by /bin/sh -c; replacement strings take\n"
	"the input, else it is appended as a last word.  With -w or --hostfile,\n"
	"every command runs on every host over SSH.  More: man ringrun.\n"
	"\n"
	"Input (none: COMMAND runs once):\n"
	"  -a, --args FILE         one input per line of FILE (- = stdin), read as\n"
	"                          the tasks run; repeatable (a list each)\n"
	"  -C, --commands FILE     each line of FILE (- = stdin) is a shell command\n"
	"  -0, --null              -a, :::: and -C inputs end with a NUL byte\n"
	"  ::: INPUT...            the inputs on the command line; several lists\n"
	"                          run every combination, {1} {2} ... take each\n"
	"  :::+ INPUT...           a list paired with the one before (the shorter\n"
	"                          decides), not combined\n"
	"  :::: FILE...            a list per FILE, its lines; ::::+ FILE: paired\n"
	"      --colsep REGEX      split each input into columns {1} {2} ...\n"
	"                          (POSIX extended regex; each column trimmed)\n"
	"  -n, --max-args N        up to N inputs per command\n"
	"      --max-replace-args N  N inputs per command, as {1}..{N} (parallel's -N)\n"
	"      --shuf              the commands in random order\n"
	"      --quote             COMMAND's words stay words (parallel's -q)\n"
	"  -q, --dry-run           print each command (the hosts first), run nothing\n"
	"      --dry-run-style S   -q's lines: lines (the above), pdsh (pdsh -q's\n"
	"                          options and targets), pdsh-expanded (pdsh -Q's)\n"
	"      --stdin             stdin to every task as it arrives (a task that\n"
	"                          starts later gets what came before it too)\n"
	"\n"
	"Running:\n"
	"  -j, --jobs N            tasks at once: N, N% of the CPUs, 0 = the fd limit\n"
	"                          (default: the CPUs); hosts at once with hosts\n"
	"                          (default " NUMBER(FLEET_JOBS) ", 0 = all)\n"
	"  -f, --fanout N          the same as -j (pdsh's and clush's name)\n"
	"  -X, --exec              run COMMAND as argv, without a shell\n"
	"  -t, --timeout SEC       kill a task running longer than SEC (e.g. 0.5),\n"
	"                          or N% of the median runtime of the tasks ok so far\n"
	"  -u, --command-timeout SEC  the same as -t (pdsh's and clush's -u)\n"
	"      --idle-timeout SEC  kill a task silent on stdout and stderr that long\n"
	"      --kill-grace SEC    after the SIGTERM of a timeout or a stop, SIGKILL\n"
	"                          that much later (default 2): --term-seq TERM,MS,KILL\n"
	"      --term-seq SIG,MS,...  what a timeout or a stop sends: each signal,\n"
	"                          then a wait of MS ms (default TERM,2000,KILL);\n"
	"                          then SIGKILL if none was; not with --kill-grace\n"
	"      --halt WHEN,WHAT=N  once N (or N%) tasks fail (WHAT: fail, success,\n"
	"                          done): start no more (soon), kill the rest (now)\n"
	"      --retries N         reconnect an unreachable host up to N times\n"
	"      --retry-on-exit     --retries also re-runs commands that failed\n"
	"      --retry-delay SEC   the first wait before a retry (default 1), then\n"
	"                          doubling up to 30 s (or SEC if more)\n"
	"      --tty               every task on a terminal (as ssh -t); with a\n"
	"                          terminal on stdin and one task, interactive\n"
	"      --joblog FILE       append a TSV row per task to FILE (as parallel)\n"
	"      --resume-failed FILE  run only what job log FILE does not have as ok\n"
	"      --resume            run only what the --joblog file does not have\n"
	"      --delay SEC         wait SEC between the starts of two tasks\n"
	"  -S, --max-status        exit with the largest exit status of a command\n"
	"                          (255: a host not reached, a command killed), as\n"
	"                          pdsh -S and clush -S do\n"
	"      --exit-status MODE  ringrun (default, below), max (-S), zero (always\n"
	"                          0, as pdsh and clush), pssh (its 3, 4 and 5)\n"
	"                          or parallel (the failed tasks, up to 101)\n"
	"      --messages WORDS    a host's failure in ringrun's words, pdsh's\n"
	"                          (pdsh@HOST: web1: ssh exited with exit code 3),\n"
	"                          clush's or clush-quiet's (clush -q)\n"
	"\n"
	"Hosts (SSH; commands run through each host's login shell):\n"
	"  -w, --hosts LIST        [user@]host[:port],... with ranges web[01-20,33],\n"
	"                          steps n[1-10/2], ClusterShell's ! & ^ between\n"
	"                          items (web[1-9]!web3: left to right), node\n"
	"                          groups @group and @source:group, ^FILE,\n"
	"                          -HOST or -^FILE to leave hosts out, /RE/ to\n"
	"                          keep those matching, -/RE/ to leave them out;\n"
	"                          - reads a host file on stdin; repeatable;\n"
	"                          duplicates run once\n"
	"      --hostfile FILE     one host list per line, # comments, #include FILE\n"
	"                          (- = stdin; a pipe is read as the hosts run;\n"
	"                          default with an option that needs hosts: $WCOLL)\n"
	"      --pssh-hosts        as pssh reads them: blanks part -w's hosts too,\n"
	"                          a host file's line \"host[:port] user\" is\n"
	"                          user@host[:port]\n"
	"  -g, --group GROUP       the hosts of node group GROUP (= -w @GROUP)\n"
	"      --groups-file FILE  node groups from FILE: groups.conf, *.yaml, or\n"
	"                          NAME: LIST lines; repeatable (default:\n"
	"                          ClusterShell's groups.conf)\n"
	"  -x, --exclude LIST      not these hosts (same grammar); repeatable\n"
	"      --exclude-group GROUP  not the hosts of GROUP (-x @GROUP, clush -X)\n"
	"  -l, --user USER         for hosts without user@ (default: yours)\n"
	"  -p, --port PORT         for hosts without :port (default 22)\n"
	"  -i, --identity FILE     private key to offer; repeatable\n"
	"      --no-agent          do not ask the ssh-agent\n"
	"      --password-env VAR  the password is in environment variable VAR\n"
	"      --password-file FILE  the password is the first line of FILE\n"
	"      --known-hosts FILE  host keys (default ~/.ssh/known_hosts)\n"
	"      --host-key-check P  strict (default), accept-new or off\n"
	"      --connect-timeout SEC  connect and handshake limit (default 10)\n"
	"      --per-host N        commands at once on each host (default "
	NUMBER(PER_HOST_DEFAULT) ")\n"
	"  -F, --ssh-config FILE   instead of ~/.ssh/config and /etc/ssh/ssh_config\n"
	"  -G, --print-ssh-config HOSTS  print what ringrun makes of each host's\n"
	"                          ssh_config (and -l, -p, -i ...) as ssh -G does;\n"
	"                          run nothing\n"
	"      --ssh MODE          native (default; the system ssh for ProxyJump\n"
	"                          and ProxyCommand hosts) or exec (the system ssh)\n"
	"      --rcmd MODULE       ssh (default), or exec: each host's COMMAND runs\n"
	"                          here, its words with %h %u %n (rank) replaced,\n"
	"                          no shell (pdsh -R exec)\n"
	"\n"
	"Copy (over SFTP; a task per host and SRC, as clush --copy and pdcp):\n"
	"      --copy SRC...       each local SRC to every host (options may follow)\n"
	"      --rcopy SRC...      each SRC of every host here, as DIR/NAME.HOST\n"
	"      --dest PATH         where to: a directory receives each SRC under its\n"
	"                          name, else (one SRC) PATH is its new name\n"
	"                          (default: each SRC's own directory)\n"
	"  -r, --recursive         directories and all they hold\n"
	"      --preserve          keep modes and times (pdcp's -p: -p is --port)\n"
	"      --mkdirs            create the destination's missing directories\n"
	"\n"
	"Output:\n"
	"  -o, --output MODE       group: each task's output whole when it ends (default)\n"
	"                          stream: lines as they arrive, prefixed 'TAG: '\n"
	"                          json: one JSON object per task, one per line\n"
	"                          collate: identical outputs once, under their tags\n"
	"                          quiet: no task output\n"
	"                          pssh, pssh-inline, pssh-print: pssh's lines\n"
	"  -b, --collate           -o collate: as clush -b, by stdout (stderr apart,\n"
	"                          'TAG: line'), split by exit status\n"
	"  -B, --collate-stderr    -o collate, stderr part of the output (clush -B)\n"
	"      --collate-style S   clush (default) or dshbak: dshbak -c's headers\n"
	"  -k, --keep-order        group and json output in input order\n"
	"      --discard           every task's stdout goes to /dev/null\n"
	"      --outdir DIR        also DIR/TAG.out and DIR/TAG.err per task\n"
	"      --results DIR       DIR/1/INPUT/stdout, stderr and seq per task, and\n"
	"                          no task output (as parallel)\n"
	"      --tag               each output line after its input and a tab\n"
	"      --tagstring STR     each line after STR (with replacement strings)\n"
	"      --stdout-dir DIR    also each task's stdout in DIR/TAG and, with -e,\n"
	"  -e, --stderr-dir DIR    its stderr in that DIR/TAG (clush's --outdir and\n"
	"                          --errdir, pssh's -o and -e)\n"
	"      --skip-empty        no such file of an empty stream (as pssh)\n"
	"  -N, --no-prefix         no 'TAG: ' before lines, no headers (pdsh -N)\n"
	"  -L, --by-host           group output held to the end, 'TAG: ' before\n"
	"                          each line, by exit code then host (clush -L)\n"
	"      --failed FILE       the failed hosts (or inputs) to FILE, to re-run\n"
	"      --progress          a progress line on stderr (default: on a terminal)\n"
	"      --summary           a summary line at the end (default: on a terminal)\n"
	"      --no-progress, --no-summary  never\n"
	"      --bar, --eta        parallel's progress bar, or its estimate, on stderr\n"
	"      --color WHEN        auto (default; none under NO_COLOR), always, never\n"
	"      --stats             counts, times, CPU, memory and ring figures\n"
	"TAG: the input, else the command; with hosts, the host (and the input),\n"
	"and group output heads each task's output with '---- TAG ----'.\n"
	"\n"
	"Benchmark (each input or -C line is one command; like hyperfine):\n"
	"      --repeat N          run each command N times, one at a time unless\n"
	"                          -j; report wall, user and sys time, peak RSS\n"
	"      --warmup N          N unmeasured runs of each command first\n"
	"      --export-json FILE, --export-markdown FILE, --export-csv FILE\n"
	"                          the results as hyperfine writes them\n"
	"      --ignore-failure    measure runs that exit non-zero (else the first\n"
	"                          stops the benchmark)\n"
	"      --shell SHELL       run the commands with SHELL -c, its start-up time\n"
	"                          measured and taken off; none: as argv (as -X)\n"
	"      --prepare CMD       CMD before each run (once, or once per command)\n"
	"      --setup CMD, --cleanup CMD  CMD before, after the runs of each command\n"
	"      --parameter-scan NAME MIN MAX  a command for each value: {NAME} in\n"
	"                          it; steps of --parameter-step-size DELTA (1)\n"
	"      --parameter-list NAME V1,V2,...  a command for each value; several:\n"
	"                          every combination\n"
	"      --command-name NAME  the name of a command (or of each)\n"
	"      --report STYLE      ringrun (default: the table above) or hyperfine\n"
	"                          (its Benchmark, Time, Range and Summary lines)\n"
	"\n"
	"Personalities (called as pdsh, clush, pssh, parallel-ssh, parallel or\n"
	"hyperfine: a link):\n"
	"      --as TOOL           the first argument: read TOOL's options and print\n"
	"                          as it does (man ringrun: PERSONALITIES)\n"
	"\n"
	"Replacement strings: {} input  {.} without extension  {/} basename\n"
	"  {//} dirname  {/.} basename without extension  {#} sequence number\n"
	"  {%} job slot  {N} {N.} {N/} {N//} {N/.} input N of several  {-N} from\n"
	"  the last\n"
	"\n"
	"  -h, --help              this help\n"
	"  -V, --version           the version\n"
	"\n"
	"Exit status: 0 all tasks ok, 1 some task failed, 2 usage error or ringrun\n"
	"could not run, 3 some host unreachable, its key refused or login failed,\n"
	"128+N after signal N (141: stdout closed); other tools': --exit-status.\n";

enum opt_id {
	O_ARGS,
	O_COMMANDS,
	O_EXEC,
	O_JOBS,
	O_TIMEOUT,
	O_IDLE_TIMEOUT,
	O_KILL_GRACE,
	O_TERM_SEQ,
	O_OUTPUT,
	O_KEEP_ORDER,
	O_DISCARD,
	O_OUTDIR,
	O_STATS,
	O_PROGRESS,
	O_NO_PROGRESS,
	O_SUMMARY,
	O_NO_SUMMARY,
	O_FAILED,
	O_COLOR,
	O_HELP,
	O_VERSION,
	O_HOSTS,
	O_HOSTFILE,
	O_USER,
	O_PORT,
	O_IDENTITY,
	O_NO_AGENT,
	O_PASSWORD_ENV,
	O_PASSWORD_FILE,
	O_KNOWN_HOSTS,
	O_HOSTKEY,
	O_CONNECT_TIMEOUT,
	O_PER_HOST,
	O_REPEAT,
	O_WARMUP,
	O_EXPORT_JSON,
	O_EXPORT_MARKDOWN,
	O_EXCLUDE,
	O_SSH_CONFIG,
	O_SSH,
	O_JOBLOG,
	O_RESUME_FAILED,
	O_RETRIES,
	O_RETRY_ON_EXIT,
	O_RETRY_DELAY,
	O_HALT,
	O_STDIN,
	O_TTY,
	O_NULL,
	O_COPY,
	O_RCOPY,
	O_DEST,
	O_RECURSIVE,
	O_PRESERVE,
	O_MKDIRS,
	O_DRY_RUN,
	O_COLSEP,
	O_MAX_ARGS,
	O_MAX_REPLACE_ARGS,
	O_QUOTE,
	O_SHUF,
	O_COLLATE,
	O_COLLATE_STDERR,
	O_COLLATE_STYLE,
	O_GROUP,
	O_GROUPS_FILE,
	O_EXCLUDE_GROUP,
	O_NO_PREFIX,
	O_BY_HOST,
	O_MAX_STATUS,
	O_EXIT_STATUS,
	O_STDOUT_DIR,
	O_STDERR_DIR,
	O_SKIP_EMPTY,
	O_AS,
	O_RESUME,
	O_TAG,
	O_TAGSTRING,
	O_RESULTS,
	O_DELAY,
	O_BAR,
	O_ETA,
	O_EXPORT_CSV,
	O_IGNORE_FAILURE,
	O_SHELL,
	O_PREPARE,
	O_SETUP,
	O_CLEANUP,
	O_PARAMETER_SCAN,
	O_PARAMETER_STEP,
	O_PARAMETER_LIST,
	O_COMMAND_NAME,
	O_PRINT_CONFIG,
	O_REPORT,
	O_PSSH_HOSTS,
	O_DRY_RUN_STYLE,
	O_MESSAGES,
	O_RCMD,
};

struct optdef {
	char short_name; /* 0: long only */
	const char *long_name;
	bool has_arg;
	enum opt_id id;
	bool needs_hosts; /* meaningless without -w or --hostfile */
};

static const struct optdef optdefs[] = {
	{ 'a', "args", true, O_ARGS, false },
	{ 'C', "commands", true, O_COMMANDS, false },
	{ 'X', "exec", false, O_EXEC, false },
	{ 'j', "jobs", true, O_JOBS, false },
	{ 't', "timeout", true, O_TIMEOUT, false },
	{ 0, "idle-timeout", true, O_IDLE_TIMEOUT, false },
	{ 0, "kill-grace", true, O_KILL_GRACE, false },
	{ 0, "term-seq", true, O_TERM_SEQ, false },
	{ 'o', "output", true, O_OUTPUT, false },
	{ 'k', "keep-order", false, O_KEEP_ORDER, false },
	{ 0, "discard", false, O_DISCARD, false },
	{ 0, "outdir", true, O_OUTDIR, false },
	{ 0, "stats", false, O_STATS, false },
	{ 0, "progress", false, O_PROGRESS, false },
	{ 0, "no-progress", false, O_NO_PROGRESS, false },
	{ 0, "summary", false, O_SUMMARY, false },
	{ 0, "no-summary", false, O_NO_SUMMARY, false },
	{ 0, "failed", true, O_FAILED, false },
	{ 0, "color", true, O_COLOR, false },
	{ 'h', "help", false, O_HELP, false },
	{ 'V', "version", false, O_VERSION, false },
	{ 'w', "hosts", true, O_HOSTS, false },
	{ 0, "hostfile", true, O_HOSTFILE, false },
	{ 'l', "user", true, O_USER, true },
	{ 'p', "port", true, O_PORT, true },
	{ 'i', "identity", true, O_IDENTITY, true },
	{ 0, "no-agent", false, O_NO_AGENT, true },
	{ 0, "password-env", true, O_PASSWORD_ENV, true },
	{ 0, "password-file", true, O_PASSWORD_FILE, true },
	{ 0, "known-hosts", true, O_KNOWN_HOSTS, true },
	{ 0, "host-key-check", true, O_HOSTKEY, true },
	{ 0, "connect-timeout", true, O_CONNECT_TIMEOUT, true },
	{ 0, "per-host", true, O_PER_HOST, true },
	{ 0, "repeat", true, O_REPEAT, false },
	{ 0, "warmup", true, O_WARMUP, false },
	{ 0, "export-json", true, O_EXPORT_JSON, false },
	{ 0, "export-markdown", true, O_EXPORT_MARKDOWN, false },
	{ 'x', "exclude", true, O_EXCLUDE, true },
	{ 'F', "ssh-config", true, O_SSH_CONFIG, true },
	{ 0, "ssh", true, O_SSH, true },
	{ 0, "joblog", true, O_JOBLOG, false },
	{ 0, "resume-failed", true, O_RESUME_FAILED, false },
	{ 0, "retries", true, O_RETRIES, false },
	{ 0, "retry-on-exit", false, O_RETRY_ON_EXIT, false },
	{ 0, "retry-delay", true, O_RETRY_DELAY, false },
	{ 0, "halt", true, O_HALT, false },
	{ 0, "stdin", false, O_STDIN, false },
	{ 0, "tty", false, O_TTY, false },
	{ '0', "null", false, O_NULL, false },
	{ 0, "copy", false, O_COPY, false },
	{ 0, "rcopy", false, O_RCOPY, false },
	{ 0, "dest", true, O_DEST, false },
	{ 'r', "recursive", false, O_RECURSIVE, false },
	{ 0, "preserve", false, O_PRESERVE, false },
	{ 0, "mkdirs", false, O_MKDIRS, false },
	{ 'q', "dry-run", false, O_DRY_RUN, false },
	{ 0, "colsep", true, O_COLSEP, false },
	{ 'n', "max-args", true, O_MAX_ARGS, false },
	{ 0, "max-replace-args", true, O_MAX_REPLACE_ARGS, false },
	{ 0, "quote", false, O_QUOTE, false },
	{ 0, "shuf", false, O_SHUF, false },
	{ 'b', "collate", false, O_COLLATE, false },
	{ 'B', "collate-stderr", false, O_COLLATE_STDERR, false },
	{ 0, "collate-style", true, O_COLLATE_STYLE, false },
	{ 'g', "group", true, O_GROUP, false },
	{ 0, "groups-file", true, O_GROUPS_FILE, true },
	{ 0, "exclude-group", true, O_EXCLUDE_GROUP, true },
	{ 'f', "fanout", true, O_JOBS, false },
	{ 'u', "command-timeout", true, O_TIMEOUT, false },
	{ 'N', "no-prefix", false, O_NO_PREFIX, false },
	{ 'L', "by-host", false, O_BY_HOST, false },
	{ 'S', "max-status", false, O_MAX_STATUS, false },
	{ 0, "exit-status", true, O_EXIT_STATUS, false },
	{ 0, "stdout-dir", true, O_STDOUT_DIR, false },
	{ 'e', "stderr-dir", true, O_STDERR_DIR, false },
	{ 0, "skip-empty", false, O_SKIP_EMPTY, false },
	{ 0, "as", true, O_AS, false },
	{ 0, "resume", false, O_RESUME, false },
	{ 0, "tag", false, O_TAG, false },
	{ 0, "tagstring", true, O_TAGSTRING, false },
	{ 0, "results", true, O_RESULTS, false },
	{ 0, "delay", true, O_DELAY, false },
	{ 0, "bar", false, O_BAR, false },
	{ 0, "eta", false, O_ETA, false },
	{ 0, "export-csv", true, O_EXPORT_CSV, false },
	{ 0, "ignore-failure", false, O_IGNORE_FAILURE, false },
	{ 0, "shell", true, O_SHELL, false },
	{ 0, "prepare", true, O_PREPARE, false },
	{ 0, "setup", true, O_SETUP, false },
	{ 0, "cleanup", true, O_CLEANUP, false },
	{ 0, "parameter-scan", true, O_PARAMETER_SCAN, false },
	{ 0, "parameter-step-size", true, O_PARAMETER_STEP, false },
	{ 0, "parameter-list", true, O_PARAMETER_LIST, false },
	{ 0, "command-name", true, O_COMMAND_NAME, false },
	{ 'G', "print-ssh-config", true, O_PRINT_CONFIG, false },
	{ 0, "report", true, O_REPORT, false },
	{ 0, "pssh-hosts", false, O_PSSH_HOSTS, false },
	{ 0, "dry-run-style", true, O_DRY_RUN_STYLE, false },
	{ 0, "messages", true, O_MESSAGES, false },
	{ 0, "rcmd", true, O_RCMD, true },
};

#define NOPTDEFS (sizeof optdefs / sizeof optdefs[0])

/* A -w, -g or -x list, taken once every option is known (hosts.h). */
struct host_list {
	const char *value;
	char *owned;       /* value, when made here (-g) */
	char shown[12];    /* the option as given: -w, --exclude */
	bool exclude;      /* -x */
};

struct parser {
	struct options *o;
	int argc;
	char *const *argv;
	int i; /* the argument being read */
	unsigned ncpu;
	bool jobs_given;
	bool kill_grace_given;
	char needs_hosts[24]; /* the first option given that needs them */
	bool output_given;
	char collate_opt[24];  /* the first -B or --collate-style given */
	char needs_repeat[24]; /* the first benchmark option given */
	char needs_copy[24];   /* the first copy option given */
	struct host_list *lists; /* in the order given */
	size_t nlists;
	const struct persona *persona; /* whose options: NULL, ringrun's */
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Digits only: no sign, no space, nothing after unless end is wanted. */
static const char *parse_uint(const char *s, uint64_t max, uint64_t *n,
			      const char **end)
{
	uint64_t v = 0;
	const char *c = s;

	for (; *c >= '0' && *c <= '9'; c++) {
		unsigned d = (unsigned)(*c - '0');
		if (v > (max - d) / 10)
			return "out of range";
		v = v * 10 + d;
	}
	if (c == s || (!end && *c))
		return "not a number";
	if (end)
		*end = c;
	*n = v;
	return NULL;
}

const char *parse_jobs(const char *s, unsigned ncpu, unsigned *jobs)
{
	uint64_t n;
	const char *end;
	const char *why = parse_uint(s, UINT_MAX, &n, &end);

	if (why)
		return why;
	if (end[0] == '%' && end[1] == '\0') {
		n = n * (ncpu ? ncpu : 1) / 100;
		if (n > UINT_MAX)
			return "out of range";
		*jobs = n ? (unsigned)n : 1;
		return NULL;
	}
	if (*end)
		return "not a number";
	*jobs = (unsigned)n;
	return NULL;
}

/* Exact decimal arithmetic: "0.3" is 300 ms, not 299.99... */
const char *parse_seconds(const char *s, uint64_t *ms)
{
	uint64_t sec = 0, frac = 0;
	const char *c = s;
	const char *why = NULL;
	bool round_up = false;

	if (*c >= '0' && *c <= '9')
		why = parse_uint(s, UINT64_MAX / 1000 - 1, &sec, &c);
	if (why)
		return why;
	if (*c == '.') {
		const char *digits = ++c;
		for (; *c >= '0' && *c <= '9'; c++) {
			if (c - digits < 3)
				frac = frac * 10 + (uint64_t)(*c - '0');
			else if (*c != '0')
				round_up = true;
		}
		for (long k = c - digits; k < 3; k++)
			frac *= 10;
		if (c == digits && c - 1 == s)
			return "not a number";
	} else if (c == s) {
		return "not a number";
	}
	if (*c)
		return "not a number";
	*ms = sec * 1000 + frac + round_up;
	return NULL;
}

const char *parse_timeout(const char *s, uint64_t *ms, uint64_t *mpct)
{
	size_t len = strlen(s);
	uint64_t n = 0;
	const char *why;
	char digits[24];

	*ms = 0;
	*mpct = 0;
	if (!len || s[len - 1] != '%')
		return parse_seconds(s, ms);
	if (len > sizeof digits)
		return "out of range";
	memcpy(digits, s, len - 1);
	digits[len - 1] = '\0';
	/* N.NNN as seconds are: in thousandths, exactly. */
	why = parse_seconds(digits, &n);
	if (!why && (n == 0 || n > (uint64_t)UINT_MAX * 1000))
		why = "out of range";
	if (!why)
		*mpct = n;
	return why;
}

const char *parse_output(const char *s, enum out_mode *mode)
{
	static const char *const names[] = {
		[OUT_GROUP] = "group",
		[OUT_STREAM] = "stream",
		[OUT_JSON] = "json",
		[OUT_QUIET] = "quiet",
		[OUT_COLLATE] = "collate",
		[OUT_PSSH] = "pssh",
		[OUT_PSSH_INLINE] = "pssh-inline",
		[OUT_PSSH_PRINT] = "pssh-print",
	};

	int m = NAME_INDEX(names, s);

	if (m < 0)
		return "unknown mode (group, stream, json, quiet, collate, pssh, "
		       "pssh-inline, pssh-print)";
	*mode = (enum out_mode)m;
	return NULL;
}

const char *parse_hostkey(const char *s, enum rr_hostkey_policy *policy)
{
	static const char *const names[] = {
		[RR_HOSTKEY_STRICT] = "strict",
		[RR_HOSTKEY_ACCEPT_NEW] = "accept-new",
		[RR_HOSTKEY_OFF] = "off",
	};

	int m = NAME_INDEX(names, s);

	if (m < 0)
		return "unknown policy (strict, accept-new, off)";
	*policy = (enum rr_hostkey_policy)m;
	return NULL;
}

/* --report: ringrun's table or hyperfine's report. */
static const char *parse_report(const char *s, bool *hyperfine)
{
	static const char *const names[] = { "ringrun", "hyperfine" };
	int m = NAME_INDEX(names, s);

	if (m < 0)
		return "unknown style (ringrun, hyperfine)";
	*hyperfine = m == 1;
	return NULL;
}

static const char *parse_ssh_mode(const char *s, bool *exec)
{
	if (strcmp(s, "native") && strcmp(s, "exec"))
		return "unknown mode (native, exec)";
	*exec = strcmp(s, "exec") == 0;
	return NULL;
}

/* A count from min to max. */
static const char *parse_count(const char *s, unsigned min, unsigned max,
			       unsigned *n)
{
	uint64_t v;
	const char *why = parse_uint(s, UINT64_MAX, &v, NULL);

	if (why)
		return why;
	if (v < min || v > max)
		return "out of range";
	*n = (unsigned)v;
	return NULL;
}

static void add_identity(struct options *o, const char *path)
{
	o->identities = xreallocarray(o->identities, o->nidentities + 2,
				      sizeof *o->identities);
	o->identities[o->nidentities++] = path;
	o->identities[o->nidentities] = NULL;
}

/* Set a file option once: two of them would silently drop one. */
static int set_file(struct parser *p, const char **slot, const char *shown,
		    const char *value)
{
	if (*slot)
		return fail(p, "%s: given twice", shown);
	*slot = value;
	return 0;
}

/*
 * Lists are read once the options are checked: -w - reads stdin, which
 * nothing else may be reading; -w's -ITEMs leave hosts out whatever the
 * order (as pdsh does); each host keeps its place in the order given.
 */
static struct host_list *add_host_list(struct parser *p, const char *shown,
				       const char *value, bool exclude)
{
	struct host_list *l;

	p->lists = xreallocarray(p->lists, p->nlists + 1, sizeof *p->lists);
	l = &p->lists[p->nlists++];
	*l = (struct host_list){ .value = value, .exclude = exclude };
	snprintf(l->shown, sizeof l->shown, "%s", shown);
	return l;
}

/* -g a,b: the list "@a,@b" (clush's -g); --exclude-group (clush's -X):
   those hosts left out. */
static void add_group_list(struct parser *p, const char *shown,
			   const char *value, bool exclude)
{
	struct buf b = BUF_INIT;
	struct host_list *l;

	for (const char *s = value;; s++) {
		if (s == value || s[-1] == ',')
			buf_addc(&b, '@');
		if (!*s)
			break;
		buf_addc(&b, *s);
	}
	l = add_host_list(p, shown, b.data, exclude);
	l->owned = buf_detach(&b);
}

static void note_needs_repeat(struct parser *p, const char *shown)
{
	if (!p->needs_repeat[0])
		snprintf(p->needs_repeat, sizeof p->needs_repeat, "%s", shown);
}

static void note_needs_copy(struct parser *p, const char *shown)
{
	if (!p->needs_copy[0])
		snprintf(p->needs_copy, sizeof p->needs_copy, "%s", shown);
}

/* Only one input may read stdin: the second would find it read. */
static int set_stdin_by(struct parser *p, const char *what)
{
	if (p->o->stdin_by)
		return fail(p, "%s -: stdin is already the input of %s -", what,
			    p->o->stdin_by);
	p->o->stdin_by = what;
	return 0;
}

static int add_source(struct parser *p, const char *what, char *const *words,
		      size_t n, const char *path, bool linked)
{
	struct options *o = p->o;

	if (path && strcmp(path, "-") == 0 && set_stdin_by(p, what) < 0)
		return -1;
	o->sources = xreallocarray(o->sources, o->nsources + 1,
				   sizeof *o->sources);
	o->sources[o->nsources++] = (struct source){
		.words = words, .n = n, .path = path, .linked = linked,
	};
	return 0;
}

/* --copy, --rcopy: once, one of them. */
static int set_copy(struct parser *p, enum copy_mode mode, const char *shown)
{
	if (p->o->copy && p->o->copy != mode)
		return fail(p, "%s: cannot be combined with %s", shown,
			    mode == COPY_PUT ? "--rcopy" : "--copy");
	p->o->copy = mode;
	return 0;
}

static void add_src(struct options *o, char *src)
{
	o->srcs = xreallocarray(o->srcs, o->nsrcs + 2, sizeof *o->srcs);
	o->srcs[o->nsrcs++] = src;
	o->srcs[o->nsrcs] = NULL;
}

/* -b (-o collate), -B (and stderr collated too), --collate-style. */
static int apply_collate(struct parser *p, const struct optdef *d,
			 const char *shown, const char *value)
{
	struct options *o = p->o;

	if (d->id != O_COLLATE && !p->collate_opt[0])
		snprintf(p->collate_opt, sizeof p->collate_opt, "%s", shown);
	if (d->id == O_COLLATE_STYLE) {
		if (strcmp(value, "clush") && strcmp(value, "dshbak"))
			return fail(p, "%s: %s: unknown style (clush, dshbak)",
				    shown, value);
		o->collate_style = strcmp(value, "clush") ? COLLATE_DSHBAK :
							    COLLATE_CLUSH;
		return 0;
	}
	o->output = OUT_COLLATE;
	p->output_given = true;
	o->collate_stderr |= d->id == O_COLLATE_STDERR;
	return 0;
}

/* One more argument of an option that takes several. */
static int take_more(struct parser *p, const char *shown, const char **v)
{
	if (p->i + 1 >= p->argc)
		return fail(p, "%s: missing argument", shown);
	*v = p->argv[++p->i];
	return 0;
}

/* --parameter-scan NAME MIN MAX, --parameter-list NAME VALUES */
static int add_param(struct parser *p, const char *shown, const char *name,
		     bool scan)
{
	struct options *o = p->o;
	struct param_opt po = { .name = name };

	note_needs_repeat(p, shown);
	if (scan && (take_more(p, shown, &po.min) < 0 ||
		     take_more(p, shown, &po.max) < 0))
		return -1;
	if (!scan && take_more(p, shown, &po.list) < 0)
		return -1;
	for (size_t k = 0; k < o->nparams; k++)
		if (scan && !o->params[k].list)
			return fail(p, "%s: given twice", shown);
	o->params = xreallocarray(o->params, o->nparams + 1, sizeof *o->params);
	o->params[o->nparams++] = po;
	return 0;
}

static int apply(struct parser *p, const struct optdef *d, const char *shown,
		 const char *value)
{
	struct options *o = p->o;
	const char *why = NULL;

	if (d->needs_hosts && !p->needs_hosts[0])
		snprintf(p->needs_hosts, sizeof p->needs_hosts, "%s", shown);

	switch (d->id) {
	case O_ARGS:
		if (!o->args_file)
			o->args_file = value;
		return add_source(p, "-a", NULL, 0, value, false);
	case O_COMMANDS:
		if (strcmp(value, "-") == 0 && set_stdin_by(p, "-C") < 0)
			return -1;
		return set_file(p, &o->commands_file, shown, value);
	case O_EXEC:
		o->exec = true;
		break;
	case O_JOBS:
		why = parse_jobs(value, p->ncpu, &o->jobs);
		p->jobs_given = true;
		break;
	case O_TIMEOUT:
		why = parse_timeout(value, &o->timeout_ms, &o->timeout_mpct);
		break;
	case O_IDLE_TIMEOUT:
		why = parse_seconds(value, &o->idle_timeout_ms);
		break;
	case O_KILL_GRACE:
		why = parse_seconds(value, &o->kill_grace_ms);
		p->kill_grace_given = true;
		break;
	case O_TERM_SEQ: {
		char item[64];

		why = termseq_parse(value, &o->term_seq, item, sizeof item);
		if (why)
			return fail(p, "%s: %s: %s", shown, item, why);
		break;
	}
	case O_OUTPUT:
		why = parse_output(value, &o->output);
		p->output_given = true;
		break;
	case O_KEEP_ORDER:
		o->keep_order = true;
		break;
	case O_DISCARD:
		o->discard = true;
		break;
	case O_OUTDIR:
	case O_RESULTS:
		if (!*value)
			return fail(p, "%s: empty directory name", shown);
		if (o->outdir && o->results != (d->id == O_RESULTS))
			return fail(p, "%s: cannot be combined with %s", shown,
				    o->results ? "--results" : "--outdir");
		o->results = d->id == O_RESULTS;
		return set_file(p, &o->outdir, shown, value);
	case O_STATS:
		o->stats = true;
		break;
	case O_PROGRESS:
	case O_NO_PROGRESS:
		o->progress = d->id == O_PROGRESS ? WHEN_ALWAYS : WHEN_NEVER;
		break;
	case O_SUMMARY:
	case O_NO_SUMMARY:
		o->summary = d->id == O_SUMMARY ? WHEN_ALWAYS : WHEN_NEVER;
		break;
	case O_FAILED:
		return set_file(p, &o->failed_file, shown, value);
	case O_COLOR:
		why = parse_color(value, &o->color);
		break;
	case O_HELP:
		o->help = true;
		break;
	case O_VERSION:
		o->version = true;
		break;
	case O_HOSTS:
		o->fleet = true;
		if (strcmp(value, "-") == 0 && o->hosts_stdin)
			return fail(p, "%s -: given twice", shown);
		o->hosts_stdin |= strcmp(value, "-") == 0;
		add_host_list(p, shown, value, d->id == O_EXCLUDE);
		break;
	case O_HOSTFILE:
		o->fleet = true;
		return set_file(p, &o->hostfile, shown, value);
	case O_PSSH_HOSTS:
		o->hosts.pssh = true;
		break;
	case O_GROUP:
		o->fleet = true;
		add_group_list(p, shown, value, false);
		break;
	case O_EXCLUDE_GROUP:
		o->exclude_given = true;
		add_group_list(p, shown, value, true);
		break;
	case O_GROUPS_FILE:
		hostgroups_add_file(&o->groups, value);
		break;
	case O_USER:
		why = ssh_user_refused(value);
		if (why)
			break;
		return set_file(p, &o->user, shown, value);
	case O_PORT:
		why = parse_count(value, 1, 65535, &o->port);
		break;
	case O_IDENTITY:
		add_identity(o, value);
		break;
	case O_NO_AGENT:
		o->no_agent = true;
		break;
	case O_PASSWORD_ENV:
		return set_file(p, &o->password_env, shown, value);
	case O_PASSWORD_FILE:
		return set_file(p, &o->password_file, shown, value);
	case O_KNOWN_HOSTS:
		return set_file(p, &o->known_hosts, shown, value);
	case O_HOSTKEY:
		why = parse_hostkey(value, &o->hostkey);
		o->hostkey_given = true;
		break;
	case O_CONNECT_TIMEOUT:
		why = parse_seconds(value, &o->connect_timeout_ms);
		if (!why && (o->connect_timeout_ms == 0 ||
			     o->connect_timeout_ms > UINT_MAX))
			why = "out of range";
		o->connect_timeout_given = true;
		break;
	case O_PER_HOST:
		why = parse_count(value, 1, PER_HOST_MAX, &o->per_host);
		break;
	case O_REPEAT:
		why = parse_count(value, 1, RUNS_MAX, &o->repeat);
		break;
	case O_WARMUP:
		why = parse_count(value, 0, RUNS_MAX, &o->warmup);
		note_needs_repeat(p, shown);
		break;
	case O_EXPORT_JSON:
		note_needs_repeat(p, shown);
		return set_file(p, &o->export_json, shown, value);
	case O_EXPORT_MARKDOWN:
		note_needs_repeat(p, shown);
		return set_file(p, &o->export_markdown, shown, value);
	case O_EXPORT_CSV:
		note_needs_repeat(p, shown);
		return set_file(p, &o->export_csv, shown, value);
	case O_IGNORE_FAILURE:
		note_needs_repeat(p, shown);
		o->ignore_failure = true;
		break;
	case O_SHELL:
		note_needs_repeat(p, shown);
		return set_file(p, &o->shell, shown, value);
	case O_PREPARE:
		note_needs_repeat(p, shown);
		o->prepare = xreallocarray(o->prepare, o->nprepare + 1,
					   sizeof *o->prepare);
		o->prepare[o->nprepare++] = value;
		break;
	case O_SETUP:
		note_needs_repeat(p, shown);
		return set_file(p, &o->setup, shown, value);
	case O_CLEANUP:
		note_needs_repeat(p, shown);
		return set_file(p, &o->cleanup, shown, value);
	case O_PARAMETER_SCAN:
	case O_PARAMETER_LIST:
		return add_param(p, shown, value, d->id == O_PARAMETER_SCAN);
	case O_PARAMETER_STEP:
		note_needs_repeat(p, shown);
		return set_file(p, &o->param_step, shown, value);
	case O_REPORT:
		note_needs_repeat(p, shown);
		why = parse_report(value, &o->hyperfine_report);
		break;
	case O_COMMAND_NAME:
		note_needs_repeat(p, shown);
		o->names = xreallocarray(o->names, o->nnames + 1, sizeof *o->names);
		o->names[o->nnames++] = value;
		break;
	case O_EXCLUDE:
		o->exclude_given = true;
		add_host_list(p, shown, value, d->id == O_EXCLUDE);
		break;
	case O_SSH_CONFIG:
		return set_file(p, &o->ssh_config, shown, value);
	case O_SSH:
		why = parse_ssh_mode(value, &o->ssh_exec);
		break;
	case O_JOBLOG:
		return set_file(p, &o->joblog, shown, value);
	case O_RESUME_FAILED:
		return set_file(p, &o->resume_failed, shown, value);
	case O_RETRIES:
		why = parse_count(value, 0, RETRIES_MAX, &o->retries);
		break;
	case O_RETRY_ON_EXIT:
		o->retry_on_exit = true;
		break;
	case O_RETRY_DELAY:
		why = parse_seconds(value, &o->retry_delay_ms);
		break;
	case O_HALT:
		why = halt_parse(value, &o->halt);
		break;
	case O_STDIN:
		o->stdin_all = true;
		break;
	case O_TTY:
		o->tty = true;
		break;
	case O_NULL:
		o->input_sep = '\0';
		break;
	case O_COPY:
	case O_RCOPY:
		return set_copy(p, d->id == O_COPY ? COPY_PUT : COPY_GET, shown);
	case O_DEST:
		note_needs_copy(p, shown);
		if (!*value)
			return fail(p, "%s: empty path", shown);
		return set_file(p, &o->dest, shown, value);
	case O_RECURSIVE:
	case O_PRESERVE:
	case O_MKDIRS:
		note_needs_copy(p, shown);
		o->xfer_flags |= d->id == O_RECURSIVE ? RR_XFER_RECURSIVE :
				 d->id == O_PRESERVE ? RR_XFER_PRESERVE :
				 RR_XFER_MKDIRS;
		break;
	case O_DRY_RUN:
		o->dry_run = true;
		break;
	case O_RCMD:
		if (strcmp(value, "ssh") && strcmp(value, "exec"))
			return fail(p, "%s: %s: unknown module (ssh, exec)", shown,
				    value);
		o->rcmd_exec = strcmp(value, "exec") == 0;
		break;
	case O_MESSAGES:
		if (strcmp(value, "ringrun") == 0)
			o->words = WORDS_RINGRUN;
		else if (strcmp(value, "pdsh") == 0)
			o->words = WORDS_PDSH;
		else if (strcmp(value, "clush") == 0)
			o->words = WORDS_CLUSH;
		else if (strcmp(value, "clush-quiet") == 0)
			o->words = WORDS_CLUSH_QUIET;
		else
			return fail(p, "%s: %s: unknown style (ringrun, pdsh, "
				       "clush, clush-quiet)", shown, value);
		break;
	case O_DRY_RUN_STYLE:
		o->dry_run = true;
		if (strcmp(value, "lines") == 0)
			o->dry_style = DRY_LINES;
		else if (strcmp(value, "pdsh") == 0)
			o->dry_style = DRY_PDSH;
		else if (strcmp(value, "pdsh-expanded") == 0)
			o->dry_style = DRY_PDSH_EXPANDED;
		else
			return fail(p, "%s: %s: unknown style (lines, pdsh, "
				       "pdsh-expanded)", shown, value);
		break;
	case O_COLSEP:
		if (!*value)
			return fail(p, "%s: empty regular expression", shown);
		return set_file(p, &o->colsep, shown, value);
	case O_MAX_ARGS:
		why = parse_count(value, 1, ARGS_MAX, &o->max_args);
		break;
	case O_MAX_REPLACE_ARGS:
		why = parse_count(value, 1, ARGS_MAX, &o->max_replace_args);
		break;
	case O_QUOTE:
		o->quote = true;
		break;
	case O_SHUF:
		o->shuf = true;
		break;
	case O_COLLATE:
	case O_COLLATE_STDERR:
	case O_COLLATE_STYLE:
		return apply_collate(p, d, shown, value);
	case O_NO_PREFIX:
		o->no_prefix = true;
		break;
	case O_BY_HOST:
		o->by_host = true;
		break;
	case O_MAX_STATUS:
		o->exit_style = EXIT_MAX;
		break;
	case O_EXIT_STATUS:
		why = exit_style_parse(value, &o->exit_style);
		break;
	case O_STDOUT_DIR:
	case O_STDERR_DIR:
		if (!*value)
			return fail(p, "%s: empty directory name", shown);
		return set_file(p, d->id == O_STDOUT_DIR ? &o->stdout_dir :
				&o->stderr_dir, shown, value);
	case O_SKIP_EMPTY:
		o->skip_empty = true;
		break;
	case O_AS:
		return fail(p, "%s: must be the first argument", shown);
	case O_RESUME:
		o->resume = true;
		break;
	case O_TAG:
	case O_TAGSTRING:
		if (o->tagstring)
			return fail(p, "%s: given twice (--tag is --tagstring '{}')",
				    shown);
		o->tagstring = d->id == O_TAG ? "{}" : value;
		break;
	case O_DELAY:
		why = parse_seconds(value, &o->delay_ms);
		break;
	case O_BAR:
		o->bar = true;
		break;
	case O_ETA:
		o->eta = true;
		break;
	case O_PRINT_CONFIG:
		o->print_config = true;
		add_host_list(p, shown, value, false);
		break;
	}
	if (why)
		return fail(p, "%s: %s: %s", shown, value, why);
	return 0;
}

/* The option's argument: the rest of this word, or the next one. */
static int take_value(struct parser *p, const char *rest, const char *shown,
		      const char **value)
{
	if (rest && *rest) {
		*value = rest;
		return 0;
	}
	if (p->i + 1 >= p->argc)
		return fail(p, "%s: missing argument", shown);
	*value = p->argv[++p->i];
	return 0;
}

static const struct optdef *find_long(const char *name, size_t len)
{
	for (size_t k = 0; k < NOPTDEFS; k++)
		if (!strncmp(optdefs[k].long_name, name, len) &&
		    !optdefs[k].long_name[len])
			return &optdefs[k];
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t k = 0; k < NOPTDEFS; k++)
		if (optdefs[k].short_name == c)
			return &optdefs[k];
	return NULL;
}

/*
 * An option as the parser reads it: ringrun's own, or a personality's
 * standing for one of ringrun's (def NULL: PA_ONLY's, meaning nothing
 * more once its argument is the one it takes).
 */
struct opt {
	const struct optdef *def;
	bool has_arg;
	const char *fixed; /* its argument whatever is given (PA_SET) */
	const char *only;  /* PA_ONLY: the argument it must have */
	bool ignored;      /* PA_IGNORE, PA_DROP: taken, changes nothing */
};

/* What a personality's option stands for; -1 when it is refused. */
static int tool_opt(struct parser *p, const struct persona_opt *po,
		    const char *shown, struct opt *opt)
{
	*opt = (struct opt){ .fixed = po->value };
	switch (po->act) {
	case PA_REFUSE:
		return fail(p, "%s: %s's option is refused: %s", shown,
			    p->persona->name, po->why);
	case PA_ONLY:
		*opt = (struct opt){ .has_arg = true, .only = po->value };
		return 0;
	case PA_IGNORE:
	case PA_DROP:
		*opt = (struct opt){ .has_arg = po->act == PA_DROP,
				     .ignored = true };
		return 0;
	case PA_SAME:
	case PA_SET:
		break;
	}
	opt->def = find_long(po->to, strlen(po->to));
	assert(opt->def); /* tests/unit/persona.c checks every table */
	opt->has_arg = po->act == PA_SAME && opt->def->has_arg;
	return 0;
}

static int unknown(struct parser *p, const char *shown)
{
	if (p->persona)
		return fail(p, "%s: not an option ringrun's %s personality takes "
			       "(man ringrun: PERSONALITIES)", shown,
			    p->persona->name);
	return fail(p, "%s: unknown option", shown);
}

/* --name (len bytes): the personality's (a prefix of one, as its
   optparse reads it), else ringrun's. */
static int find_long_opt(struct parser *p, const char *name, size_t len,
			 const char *shown, struct opt *opt)
{
	bool several = false;
	const struct persona_opt *po =
		p->persona ? persona_long(p->persona, name, len, &several) : NULL;
	char names[256];

	if (po)
		return tool_opt(p, po, shown, opt);
	if (several) {
		persona_candidates(p->persona, name, len, names, sizeof names);
		return fail(p, "%s: ambiguous: %s's %s", shown, p->persona->name,
			    names);
	}
	*opt = (struct opt){ .def = find_long(name, len) };
	if (!opt->def)
		return unknown(p, shown);
	opt->has_arg = opt->def->has_arg;
	return 0;
}

/* -c: the personality's only when there is one (its letters are its). */
static int find_short_opt(struct parser *p, char c, const char *shown,
			  struct opt *opt)
{
	const struct persona_opt *po;

	if (p->persona) {
		po = persona_short(p->persona, c);
		return po ? tool_opt(p, po, shown, opt) : unknown(p, shown);
	}
	*opt = (struct opt){ .def = find_short(c) };
	if (!opt->def)
		return unknown(p, shown);
	opt->has_arg = opt->def->has_arg;
	return 0;
}

static int apply_opt(struct parser *p, const struct opt *opt,
		     const char *shown, const char *value)
{
	if (opt->ignored)
		return 0;
	if (opt->only) {
		if (strcmp(value, opt->only))
			return fail(p, "%s: %s: not supported: ringrun's %s "
				       "personality takes only %s", shown, value,
				    p->persona->name, opt->only);
		return 0;
	}
	return apply(p, opt->def, shown, opt->fixed ? opt->fixed : value);
}

/* --name, --name=value, --name value */
static int parse_long(struct parser *p)
{
	const char *name = p->argv[p->i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	char shown[64];
	const char *value = NULL;
	struct opt opt;

	snprintf(shown, sizeof shown, "--%.*s", (int)len, name);
	if (find_long_opt(p, name, len, shown, &opt) < 0)
		return -1;
	if (!opt.has_arg && eq)
		return fail(p, "%s: takes no argument", shown);
	if (opt.has_arg && eq && !eq[1])
		return fail(p, "%s: missing argument", shown);
	if (opt.has_arg && take_value(p, eq ? eq + 1 : NULL, shown, &value) < 0)
		return -1;
	return apply_opt(p, &opt, shown, value);
}

/* -kX, -j4, -j 4 */
static int parse_short(struct parser *p)
{
	for (const char *c = p->argv[p->i] + 1; *c; c++) {
		const char shown[] = { '-', *c, '\0' };
		const char *value = NULL;
		struct opt opt;

		if (find_short_opt(p, *c, shown, &opt) < 0)
			return -1;
		if (opt.has_arg) {
			if (take_value(p, c + 1, shown, &value) < 0)
				return -1;
			return apply_opt(p, &opt, shown, value);
		}
		if (apply_opt(p, &opt, shown, NULL) < 0)
			return -1;
	}
	return 0;
}

/* A word of GNU parallel's input grammar: ::: and the like. */
static bool is_separator(const char *w)
{
	return strncmp(w, ":::", 3) == 0;
}

/* ::: WORD... or :::+ WORD...: one source; returns the words taken. */
static size_t take_words(struct parser *p, char *const *w, size_t n,
			 bool linked)
{
	size_t k = 0;

	while (k < n && !is_separator(w[k]))
		k++;
	add_source(p, ":::", w, k, NULL, linked); /* no path: cannot fail */
	return k;
}

/* :::: FILE... or ::::+ FILE...: a source per FILE, the first linked. */
static int take_files(struct parser *p, const char *sep, char *const *w,
		      size_t n, bool linked, size_t *taken)
{
	size_t k = 0;

	while (k < n && !is_separator(w[k])) {
		if (add_source(p, "::::", NULL, 0, w[k], linked && k == 0) < 0)
			return -1;
		k++;
	}
	if (!k)
		return fail(p, "'%s': no FILE after it", sep);
	*taken = k;
	return 0;
}

/* COMMAND [ARG...] [::: INPUT...] [:::+ INPUT...] [:::: FILE...] ... */
static int take_command(struct parser *p)
{
	struct options *o = p->o;
	char *const *rest = p->argv + p->i;
	size_t n = (size_t)(p->argc - p->i);
	size_t k = 0;

	while (k < n && !is_separator(rest[k]))
		k++;
	o->cmd = rest;
	o->ncmd = k;
	while (k < n) {
		const char *sep = rest[k++];
		bool linked = sep[strlen(sep) - 1] == '+';
		bool files = strncmp(sep, "::::", 4) == 0;
		size_t taken = 0;

		if (strcmp(sep + 3 + files, linked ? "+" : ""))
			return fail(p, "'%s': not a word of the input grammar "
				       "(:::, :::+, ::::, ::::+)", sep);
		/* As GNU parallel: an -a is no list to link to. */
		if (linked && !o->has_list)
			return fail(p, "'%s': no input list before it to link to",
				    sep);
		/* GNU parallel 20221122 then links other lists than said. */
		if (linked && o->args_file)
			return fail(p, "'%s': cannot be combined with -a: use :::: "
				       "FILE for its list", sep);
		o->has_list = true;
		if (!files)
			taken = take_words(p, rest + k, n - k, linked);
		else if (take_files(p, sep, rest + k, n - k, linked, &taken) < 0)
			return -1;
		k += taken;
	}
	return 0;
}

/* What only makes sense with hosts, and what does not go with them. */
static int check_fleet(struct parser *p)
{
	struct options *o = p->o;

	if (!o->fleet) {
		if (p->needs_hosts[0] && !o->print_config)
			return fail(p, "%s: needs hosts (-w, -g or --hostfile)",
				    p->needs_hosts);
		return 0;
	}
	if (!p->jobs_given)
		o->jobs = FLEET_JOBS;
	if (o->exec)
		return fail(p, "-X: cannot be combined with hosts: remote commands "
			       "run through the login shell");
	if (o->rcmd_exec && (o->copy || o->commands_file || o->nsources))
		return fail(p, "--rcmd exec: cannot be combined with %s: each "
			       "host runs COMMAND once", o->copy ? "--copy" :
			       o->commands_file ? "-C" : "inputs");
	if (o->delay_ms || o->eta)
		return fail(p, "%s: cannot be combined with hosts (local commands "
			       "only)", o->delay_ms ? "--delay" : "--eta");
	if (o->hostfile && strcmp(o->hostfile, "-") == 0 && o->stdin_by)
		return fail(p, "--hostfile: stdin is already the input of %s",
			    o->stdin_by);
	if (o->hosts_stdin && o->stdin_by)
		return fail(p, "-w -: stdin is already the input of %s",
			    o->stdin_by);
	if (o->hosts_stdin && o->hostfile && strcmp(o->hostfile, "-") == 0)
		return fail(p, "--hostfile: stdin is already read by -w -");
	if (o->password_env && o->password_file)
		return fail(p, "--password-file: cannot be combined with --password-env");
	if (o->ssh_exec && (o->password_env || o->password_file))
		return fail(p, "%s: cannot be combined with --ssh=exec: the system ssh "
			       "runs in batch mode", o->password_env ? "--password-env" :
			       "--password-file");
	return 0;
}

/* The parameters' commands: COMMAND's words, joined, over them. */
static int check_params(struct parser *p)
{
	struct options *o = p->o;
	bool scan = false, list = false;
	struct buf tmpl = BUF_INIT;
	const char *t;
	char err[256];
	int r;

	for (size_t k = 0; k < o->nparams; k++)
		*(o->params[k].list ? &list : &scan) = true;
	if (o->param_step && !scan)
		return fail(p, "--parameter-step-size: needs --parameter-scan");
	if (!o->nparams)
		return 0;
	if (scan && list)
		return fail(p, "--parameter-scan: cannot be combined with "
			       "--parameter-list");
	if (o->has_list || o->args_file || o->exec)
		return fail(p, "%s: cannot be combined with %s: the parameters "
			       "make the commands", scan ? "--parameter-scan" :
			    "--parameter-list", o->has_list ? ":::" : o->args_file ?
			    "-a" : "-X");
	/* its lines (the words) are the templates: intake.c */
	if (o->commands_file || o->ncommands)
		return 0;
	for (size_t k = 0; k < o->ncmd; k++)
		buf_printf(&tmpl, "%s%s", k ? " " : "", o->cmd[k]);
	t = tmpl.data ? tmpl.data : "";
	r = params_expand(&o->pcmds, &t, 1, o->params, o->nparams,
			  o->param_step, o->names, o->nnames, err, sizeof err);
	buf_free(&tmpl);
	if (r < 0)
		return fail(p, "%s: %s", scan ? "--parameter-scan" :
			    "--parameter-list", err);
	return 0;
}

/*
 * Benchmark mode: local commands only (a child's CPU time and peak RSS come
 * from wait4), one run at a time and task output discarded unless asked.
 */
static int check_bench(struct parser *p)
{
	struct options *o = p->o;

	if (!o->repeat) {
		if (p->needs_repeat[0])
			return fail(p, "%s: needs --repeat", p->needs_repeat);
		return 0;
	}
	if (o->fleet)
		return fail(p, "--repeat: cannot be combined with hosts: benchmark "
			       "mode measures local commands only");
	if (!p->jobs_given)
		o->jobs = 1;
	if (!p->output_given)
		o->output = OUT_QUIET;
	if (o->shell && o->exec)
		return fail(p, "--shell: cannot be combined with -X: COMMAND runs "
			       "as argv");
	if ((o->nprepare || o->setup || o->cleanup) && o->jobs != 1)
		return fail(p, "%s: needs one run at a time (-j 1): it runs "
			       "between them", o->nprepare ? "--prepare" :
			    o->setup ? "--setup" : "--cleanup");
	return check_params(p);
}

/* Job control: what --stdin, --retries and --retry-on-exit need. */
static int check_jobs(struct parser *p)
{
	struct options *o = p->o;

	if (o->stdin_all) {
		if (o->stdin_by)
			return fail(p, "--stdin: cannot be combined with %s -: stdin is "
				       "read once for every task", o->stdin_by);
		if (o->hostfile && strcmp(o->hostfile, "-") == 0)
			return fail(p, "--stdin: cannot be combined with --hostfile -: "
				       "stdin is read once for every task");
		if (o->hosts_stdin)
			return fail(p, "--stdin: cannot be combined with -w -: "
				       "stdin is read once for every task");
	}
	if (o->repeat && (o->resume_failed || o->retries || o->halt.when))
		return fail(p, "%s: cannot be combined with --repeat: benchmark mode "
			       "runs each command as often as it says",
			    o->resume_failed ? "--resume-failed" :
			    o->retries ? "--retries" : "--halt");
	if (o->resume_failed == persona_joblog) { /* parallel's --resume-failed */
		if (!o->joblog)
			return fail(p, "--resume-failed: needs --joblog (the log "
				       "it reads)");
		o->resume_failed = o->joblog;
	}
	if (o->resume && !o->joblog)
		return fail(p, "--resume: needs --joblog (the log it reads)");
	if (o->resume && o->resume_failed)
		return fail(p, "--resume: cannot be combined with --resume-failed");
	if (o->repeat && (o->resume || o->delay_ms || o->timeout_mpct))
		return fail(p, "%s: cannot be combined with --repeat: benchmark mode "
			       "runs each command as often as it says",
			    o->resume ? "--resume" : o->delay_ms ? "--delay" :
			    "--timeout N%");
	if (o->term_seq.n && p->kill_grace_given)
		return fail(p, "--kill-grace: cannot be combined with --term-seq "
			       "(--kill-grace N is --term-seq TERM,N,KILL)");
	if (o->retry_on_exit && !o->retries)
		return fail(p, "--retry-on-exit: needs --retries");
	if (o->retry_delay_ms && !o->retries)
		return fail(p, "--retry-delay: needs --retries");
	if (o->retries && !o->fleet && !o->retry_on_exit)
		return fail(p, "--retries: a local task can only fail by its exit: "
			       "add --retry-on-exit");
	return 0;
}

/* Parallel's output options: --tag, --tagstring, --results. */
static int check_parallel_output(struct parser *p)
{
	struct options *o = p->o;
	const char *tag = o->tagstring && strcmp(o->tagstring, "{}") == 0 ?
			  "--tag" : "--tagstring";

	if (o->tagstring && o->output != OUT_GROUP && o->output != OUT_STREAM &&
	    o->output != OUT_QUIET)
		return fail(p, "%s: needs -o group or stream (tags are line prefixes)",
			    tag);
	if (!o->results)
		return 0;
	if (o->fleet)
		return fail(p, "--results: cannot be combined with hosts: every host "
			       "would write the same files (--outdir names them by host)");
	if (subst_present(o->outdir))
		return fail(p, "--results: %s: replacement strings in DIR are not "
			       "supported", o->outdir);
	if (o->colsep && (o->max_args > 1 || o->max_replace_args > 1))
		return fail(p, "--results: cannot be combined with --colsep and %s "
			       "above 1: which column each argument is of is not "
			       "kept", o->max_args ? "-n" : "--max-replace-args");
	if (!p->output_given)
		o->output = OUT_QUIET; /* parallel prints what it saves nowhere else */
	return 0;
}

/* What copy mode's tasks have no use for: they run no command. */
static const char *copy_refuses(const struct parser *p)
{
	const struct options *o = p->o;

	return o->args_file ? "-a" : o->commands_file ? "-C" :
	       o->input_sep == '\0' ? "-0" : o->exec ? "-X" :
	       o->stdin_all ? "--stdin" : o->tty ? "--tty" :
	       o->outdir ? (o->results ? "--results" : "--outdir") :
	       o->discard ? "--discard" : o->tagstring ? "--tagstring" :
	       o->output == OUT_COLLATE ? "-o collate" :
	       o->stdout_dir ? "--stdout-dir" : o->stderr_dir ? "--stderr-dir" :
	       o->idle_timeout_ms ? "--idle-timeout" :
	       o->term_seq.n ? "--term-seq" :
	       p->kill_grace_given ? "--kill-grace" :
	       o->ssh_exec ? "--ssh=exec" : o->repeat ? "--repeat" :
	       o->colsep ? "--colsep" : o->max_args ? "-n" :
	       o->max_replace_args ? "--max-replace-args" :
	       o->quote ? "--quote" : o->shuf ? "--shuf" :
	       o->dry_run ? "--dry-run" : NULL;
}

/* Copy mode: SRCs, hosts, and no option of commands. */
static int check_copy(struct parser *p)
{
	const struct options *o = p->o;
	const char *mode = o->copy == COPY_PUT ? "--copy" : "--rcopy";
	const char *refused;

	if (!o->copy) {
		if (p->needs_copy[0])
			return fail(p, "%s: needs --copy or --rcopy", p->needs_copy);
		return 0;
	}
	if (!o->nsrcs)
		return fail(p, "%s: no SRC given", mode);
	if (!o->fleet)
		return fail(p, "%s: needs hosts (-w, -g or --hostfile)", mode);
	refused = copy_refuses(p);
	if (refused)
		return fail(p, "%s: cannot be combined with %s: a copy runs no "
			       "command", refused, mode);
	return 0;
}

/* Does an input come from a file (-a, ::::, -C)? */
static bool reads_files(const struct options *o)
{
	for (size_t k = 0; k < o->nsources; k++)
		if (o->sources[k].path)
			return true;
	return o->commands_file;
}

/* What splits or groups inputs, where there are none to split. */
static int combine_refuses(struct parser *p, const char *with, const char *why)
{
	const struct options *o = p->o;
	const char *opt = o->colsep ? "--colsep" : o->max_args ? "-n" :
			  o->max_replace_args ? "--max-replace-args" :
			  o->shuf ? "--shuf" : NULL;

	if (!opt)
		return 0;
	return fail(p, "%s: cannot be combined with %s: %s", opt, with, why);
}

static int check_colsep(struct parser *p)
{
	regex_t re;
	char why[256];

	if (colsep_compile(p->o->colsep, &re, why, sizeof why) < 0)
		return fail(p, "--colsep: %s: %s", p->o->colsep, why);
	regfree(&re);
	return 0;
}

/*
 * pdsh's WCOLL: the host file when none is named (-w, -g, --hostfile).
 * Only for a run that needs hosts (--copy, -x, -l ...): ringrun without
 * them runs COMMAND here, and an exported WCOLL must not send it to a
 * cluster.
 */
static void take_wcoll(struct parser *p)
{
	struct options *o = p->o;
	const char *wcoll = getenv("WCOLL");

	if (o->fleet || !wcoll || !*wcoll || (!p->needs_hosts[0] && !o->copy))
		return;
	o->hostfile = wcoll;
	o->fleet = true;
}

/* -L is group output held to the end, each line headed by its tag. */
static int check_by_host(struct parser *p)
{
	struct options *o = p->o;

	if (!o->by_host)
		return 0;
	if (p->output_given && o->output != OUT_GROUP)
		return fail(p, "-L: needs group output (-o group)");
	o->output = OUT_GROUP;
	return 0;
}

/* -G: the hosts' configuration printed, nothing run. */
static int check_print(struct parser *p)
{
	const struct options *o = p->o;

	if (o->ncmd || o->has_list || o->args_file || o->commands_file)
		return fail(p, "-G: takes no COMMAND or input: it runs nothing");
	if (o->fleet || o->copy || o->repeat)
		return fail(p, "-G: cannot be combined with %s", o->fleet ?
			    "-w or --hostfile: -G names the hosts" :
			    o->copy ? "--copy or --rcopy" : "--repeat");
	return 0;
}

static int check(struct parser *p)
{
	const struct options *o = p->o;

	if (o->print_config)
		return check_print(p);
	take_wcoll(p);
	if (check_copy(p) < 0 || check_fleet(p) < 0 || check_bench(p) < 0 ||
	    check_jobs(p) < 0 || check_parallel_output(p) < 0 ||
	    check_by_host(p) < 0)
		return -1;
	if (p->collate_opt[0] && o->output != OUT_COLLATE)
		return fail(p, "%s: needs -o collate (or -b)", p->collate_opt);
	if (o->copy)
		return 0;
	if (o->input_sep == '\0' && !reads_files(o))
		return fail(p, "-0: needs -a, :::: or -C");
	if (o->commands_file) {
		if (o->args_file)
			return fail(p, "-C: cannot be combined with -a");
		if (o->ncmd || o->has_list)
			return fail(p, "-C: takes no COMMAND: each line of its file is one");
		if (o->exec)
			return fail(p, "-X: cannot be combined with -C: its lines are shell commands");
		if (o->quote)
			return fail(p, "--quote: cannot be combined with -C: its "
				       "lines are commands");
		return combine_refuses(p, "-C", "its lines are commands");
	}
	if (o->ncommands)
		return 0; /* hyperfine's: each a command, as -C's lines */
	if (!o->ncmd && o->dry_style == DRY_LINES)
		return fail(p, "COMMAND: missing");
	if (o->max_args && o->max_replace_args)
		return fail(p, "-n: cannot be combined with --max-replace-args");
	if (!o->nsources)
		return combine_refuses(p, "no input", "there is nothing to combine");
	return o->colsep ? check_colsep(p) : 0;
}

/* The -w and -x lists, in order. */
static int take_host_lists(struct parser *p)
{
	struct options *o = p->o;
	char err[1024];

	for (size_t k = 0; k < p->nlists; k++) {
		const struct host_list *l = &p->lists[k];
		int r = l->exclude ?
			hosts_add_list(&o->exclude, l->value, err, sizeof err) :
			strcmp(l->value, "-") == 0 ?
			hostfile_read_all(&o->hosts, "-", err, sizeof err) :
			hosts_select(&o->hosts, &o->exclude, l->value, err,
				     sizeof err);

		if (r < 0)
			return fail(p, "%s: %s", l->shown, err);
	}
	return 0;
}

static int apply_default(struct parser *p, const char *text);

/* hyperfine's command line: each word a command (options may follow). */
static void add_command(struct options *o, char *word)
{
	o->commands = xreallocarray(o->commands, o->ncommands + 1,
				    sizeof *o->commands);
	o->commands[o->ncommands++] = word;
}

/* What a personality reads when the command line has no input: GNU
   parallel reads stdin's lines (the commands, without a command). */
static int take_no_input(struct parser *p)
{
	const struct options *o = p->o;
	const struct persona *t = p->persona;

	if (t && t->no_command && !o->ncmd && !o->commands_file &&
	    (o->has_list || o->nsources))
		return fail(p, "COMMAND: missing: ringrun runs no input as a "
			       "command (--commands FILE runs each line of FILE)");
	if (!t || o->has_list || o->nsources || o->commands_file || o->copy)
		return 0;
	if (t->no_input && o->ncmd)
		return apply_default(p, t->no_input);
	if (t->no_command)
		return apply_default(p, t->no_command);
	return 0;
}

static int parse(struct parser *p)
{
	struct options *o = p->o;
	bool words = p->persona && p->persona->word_commands;

	for (; p->i < p->argc; p->i++) {
		const char *a = p->argv[p->i];

		if (strcmp(a, "--") == 0) {
			p->i++;
			break;
		}
		if ((a[0] != '-' || a[1] == '\0') && (o->copy || words)) {
			/* options may follow */
			if (words)
				add_command(o, p->argv[p->i]);
			else
				add_src(o, p->argv[p->i]);
			continue;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if ((a[1] == '-' ? parse_long(p) : parse_short(p)) < 0)
			return -1;
		if (o->help || o->version)
			return 0;
	}
	if (o->copy) {
		for (; p->i < p->argc; p->i++)
			add_src(o, p->argv[p->i]);
	} else if (words) {
		for (; p->i < p->argc; p->i++)
			add_command(o, p->argv[p->i]);
		if (o->ncommands == 1) { /* one: COMMAND, as ringrun's own */
			o->cmd = o->commands;
			o->ncmd = 1;
			o->ncommands = 0;
		}
	} else if (take_command(p) < 0) {
		return -1;
	}
	if (take_no_input(p) < 0 || check(p) < 0)
		return -1;
	return take_host_lists(p);
}

int options_arg(const char *long_name)
{
	const struct optdef *d = find_long(long_name, strlen(long_name));

	return d ? d->has_arg : -1;
}

/* "--name=value" or "--name", a personality's default. */
static int apply_default(struct parser *p, const char *text)
{
	const char *name = text + 2;
	const char *eq = strchr(name, '=');
	const struct optdef *d = find_long(name, eq ? (size_t)(eq - name) :
					   strlen(name));

	assert(d && d->has_arg == !!eq); /* tests/unit/persona.c */
	return apply(p, d, text, eq ? eq + 1 : NULL);
}

/*
 * The personality ringrun was called as: its name (a link to it), or
 * "--as TOOL" first; then its defaults, which options given may change.
 */
static int take_persona(struct parser *p)
{
	const char *base = p->argc > 0 ? strrchr(p->argv[0], '/') : NULL;
	const char *as = NULL;

	if (p->argc > 0)
		p->persona = persona_find(base ? base + 1 : p->argv[0]);
	if (!p->persona && p->argc > 1 && strncmp(p->argv[1], "--as=", 5) == 0)
		as = p->argv[p->i++] + 5;
	else if (!p->persona && p->argc > 1 && strcmp(p->argv[1], "--as") == 0) {
		if (p->argc < 3)
			return fail(p, "--as: missing argument");
		as = p->argv[2];
		p->i += 2;
	}
	if (as && !(p->persona = persona_find(as)))
		return fail(p, "--as: %s: unknown tool (pdsh, clush, pssh, "
			       "parallel, hyperfine)", as);
	p->o->persona = p->persona;
	for (size_t k = 0; p->persona && p->persona->defaults[k]; k++)
		if (apply_default(p, p->persona->defaults[k]) < 0)
			return -1;
	p->output_given = false; /* -L may still choose */
	p->collate_opt[0] = '\0'; /* a style, for -o collate if it comes */
	return 0;
}

int options_parse(struct options *o, int argc, char *const argv[],
		  unsigned ncpu, char *err, size_t errlen)
{
	struct parser p = {
		.o = o, .argc = argc, .argv = argv, .i = 1,
		.ncpu = ncpu, .err = err, .errlen = errlen,
	};
	int r;

	*o = (struct options){
		.jobs = ncpu ? ncpu : 1,
		.ncpu = ncpu,
		.input_sep = '\n',
		.connect_timeout_ms = 10000,
		.per_host = PER_HOST_DEFAULT,
	};
	o->hosts.groups = &o->groups;
	o->exclude.groups = &o->groups;
	r = take_persona(&p);
	if (r == 0)
		r = parse(&p);
	for (size_t k = 0; k < p.nlists; k++)
		free(p.lists[k].owned);
	free(p.lists);
	return r;
}

void options_free(struct options *o)
{
	hosts_free(&o->hosts);
	hosts_free(&o->exclude);
	hostgroups_free(&o->groups);
	free(o->identities);
	o->identities = NULL;
	free(o->commands);
	o->commands = NULL;
	o->ncommands = 0;
	free(o->prepare);
	o->prepare = NULL;
	o->nprepare = 0;
	free(o->params);
	o->params = NULL;
	o->nparams = 0;
	free(o->names);
	o->names = NULL;
	o->nnames = 0;
	params_free(&o->pcmds);
	free(o->srcs);
	o->srcs = NULL;
	free(o->sources);
	o->sources = NULL;
	o->nsources = 0;
	o->nsrcs = 0;
	o->nidentities = 0;
	rr_ssh_config_free(o->sshcfg);
	o->sshcfg = NULL;
}
