/* pssh (Debian's parallel-ssh), as ringrun: its "[N] HH:MM:SS [SUCCESS]
   host" lines, its exit statuses, its 32 hosts at once. */
#include "persona/tools.h"

#define SSH_ARGS "no word of a command line becomes an ssh argument: write "	\
	"ssh options in an ssh_config (--ssh-config FILE)"

static const struct persona_opt opts[] = {
	{ 'h', "hosts", PA_SAME, "hostfile", NULL, NULL },
	{ 'H', "host", PA_SAME, "hosts", NULL, NULL },
	{ 'l', "user", PA_SAME, "user", NULL, NULL },
	{ 'p', "par", PA_SAME, "jobs", NULL, NULL },
	{ 't', "timeout", PA_SAME, "timeout", NULL, NULL },
	{ 'o', "outdir", PA_SAME, "stdout-dir", NULL, NULL },
	{ 'e', "errdir", PA_SAME, "stderr-dir", NULL, NULL },
	{ 'i', "inline", PA_SET, "output", "pssh-inline", NULL },
	{ 'P', "print", PA_SET, "output", "pssh-print", NULL },
	{ 'I', "send-input", PA_SET, "stdin", NULL, NULL },
	{ 'v', "verbose", PA_SET, "summary", NULL, NULL },
	{ 0, "help", PA_SAME, "help", NULL, NULL },
	{ 0, "version", PA_SAME, "version", NULL, NULL },
	{ 'x', "extra-args", PA_REFUSE, NULL, NULL, SSH_ARGS },
	{ 'X', "extra-arg", PA_REFUSE, NULL, NULL, SSH_ARGS },
	{ 'O', "option", PA_REFUSE, NULL, NULL, SSH_ARGS },
	{ 'A', "askpass", PA_REFUSE, NULL, NULL,
	  "no password is asked for: use --password-file or --password-env" },
};

static const char *const defaults[] = {
	"--output=pssh", "--exit-status=pssh", "--jobs=32", "--skip-empty",
	"--pssh-hosts",
	"--no-progress", "--no-summary", NULL,
};

const struct persona persona_pssh = {
	.name = "pssh", .alias = "parallel-ssh", .defaults = defaults,
	.abbrev = true,
	.opts = opts, .nopts = PERSONA_N(opts),
};
