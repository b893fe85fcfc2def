/* GNU parallel's options, as ringrun's: its output (each job's whole, no
   tag), its exit status (the failed jobs, up to 101), stdin's lines for
   the input when the command line has none. */
#include "persona/tools.h"

#define NO_SHOW "prints each command and runs it; ringrun has no such: " \
	"--dry-run prints them without running"

static const struct persona_opt opts[] = {
	{ 'j', "jobs", PA_SAME, "jobs", NULL, NULL },
	{ 'P', "max-procs", PA_SAME, "jobs", NULL, NULL },
	{ 'k', "keep-order", PA_SAME, "keep-order", NULL, NULL },
	{ 'a', "arg-file", PA_SAME, "args", NULL, NULL },
	{ '0', "null", PA_SAME, "null", NULL, NULL },
	{ 'q', "quote", PA_SAME, "quote", NULL, NULL },
	{ 'n', "max-args", PA_SAME, "max-args", NULL, NULL },
	{ 'N', "max-replace-args", PA_SAME, "max-replace-args", NULL, NULL },
	{ 'C', "colsep", PA_SAME, "colsep", NULL, NULL },
	{ 0, "shuf", PA_SAME, "shuf", NULL, NULL },
	{ 0, "dry-run", PA_SAME, "dry-run", NULL, NULL },
	{ 0, "group", PA_SET, "output", "group", NULL },
	/* lines as they come, each whole (parallel -u may split them) */
	{ 'u', "ungroup", PA_SET, "output", "stream", NULL },
	{ 0, "line-buffer", PA_SET, "output", "stream", NULL },
	{ 0, "lb", PA_SET, "output", "stream", NULL },
	{ 0, "tag", PA_SAME, "tag", NULL, NULL },
	{ 0, "tagstring", PA_SAME, "tagstring", NULL, NULL },
	{ 0, "results", PA_SAME, "results", NULL, NULL },
	{ 0, "joblog", PA_SAME, "joblog", NULL, NULL },
	{ 0, "resume", PA_SAME, "resume", NULL, NULL },
	{ 0, "resume-failed", PA_SET, "resume-failed", persona_joblog, NULL },
	{ 0, "halt", PA_SAME, "halt", NULL, NULL },
	{ 0, "halt-on-error", PA_SAME, "halt", NULL, NULL },
	{ 0, "timeout", PA_SAME, "timeout", NULL, NULL },
	{ 0, "delay", PA_SAME, "delay", NULL, NULL },
	{ 0, "bar", PA_SAME, "bar", NULL, NULL },
	{ 0, "eta", PA_SAME, "eta", NULL, NULL },
	{ 0, "will-cite", PA_IGNORE, NULL, NULL, NULL },
	{ 0, "citation", PA_IGNORE, NULL, NULL, NULL },
	{ 'h', "help", PA_SAME, "help", NULL, NULL },
	{ 'V', "version", PA_SAME, "version", NULL, NULL },
	{ 't', "verbose", PA_REFUSE, NULL, NULL, NO_SHOW },
	{ 'v', NULL, PA_REFUSE, NULL, NULL, NO_SHOW },
	{ 'X', "xargs", PA_REFUSE, NULL, NULL,
	  "context replace is not supported: -n N puts N inputs in {}" },
	{ 'm', NULL, PA_REFUSE, NULL, NULL,
	  "filling command lines is not supported: -n N puts N inputs in {}" },
	{ 'S', "sshlogin", PA_REFUSE, NULL, NULL,
	  "jobs spread over hosts are not supported: ringrun runs every job "
	  "on every host (ringrun -w HOSTS)" },
	{ 0, "pipe", PA_REFUSE, NULL, NULL,
	  "stdin split into jobs is not supported" },
};

static const char *const defaults[] = {
	"--output=group", "--no-prefix", "--exit-status=parallel",
	"--no-progress",
	"--no-summary", NULL,
};

const struct persona persona_parallel = {
	.name = "parallel", .defaults = defaults,
	.opts = opts, .nopts = PERSONA_N(opts), .no_input = "--args=-",
	.no_command = "--commands=-",
};
