/* ClusterShell's clush, as ringrun: "host: line" output (-b: gathered),
   exit status 0 unless -S. */
#include "persona/tools.h"

#define SSH_OPTIONS "no word of a command line becomes an ssh option: write "	\
	"them in an ssh_config (--ssh-config FILE)"

static const struct persona_opt opts[] = {
	{ 'w', NULL, PA_SAME, "hosts", NULL, NULL },
	{ 'x', NULL, PA_SAME, "exclude", NULL, NULL },
	{ 'g', "group", PA_SAME, "group", NULL, NULL },
	{ 'X', NULL, PA_SAME, "exclude-group", NULL, NULL },
	{ 0, "groupsconf", PA_SAME, "groups-file", NULL, NULL },
	{ 0, "hostfile", PA_SAME, "hostfile", NULL, NULL },
	{ 0, "machinefile", PA_SAME, "hostfile", NULL, NULL },
	{ 'l', "user", PA_SAME, "user", NULL, NULL },
	{ 'u', "command_timeout", PA_SAME, "command-timeout", NULL, NULL },
	{ 't', "connect_timeout", PA_SAME, "connect-timeout", NULL, NULL },
	{ 'f', "fanout", PA_SAME, "fanout", NULL, NULL },
	{ 'b', "dshbak", PA_SAME, "collate", NULL, NULL },
	{ 'B', NULL, PA_SAME, "collate-stderr", NULL, NULL },
	{ 'L', NULL, PA_SAME, "by-host", NULL, NULL },
	{ 'N', NULL, PA_SAME, "no-prefix", NULL, NULL },
	{ 'S', "maxrc", PA_SAME, "max-status", NULL, NULL },
	{ 'q', "quiet", PA_SET, "messages", "clush-quiet", NULL },
	{ 'v', "verbose", PA_SET, "summary", NULL, NULL },
	{ 0, "color", PA_SAME, "color", NULL, NULL },
	{ 0, "outdir", PA_SAME, "stdout-dir", NULL, NULL },
	{ 0, "errdir", PA_SAME, "stderr-dir", NULL, NULL },
	{ 'c', "copy", PA_SAME, "copy", NULL, NULL },
	{ 0, "rcopy", PA_SAME, "rcopy", NULL, NULL },
	{ 0, "dest", PA_SAME, "dest", NULL, NULL },
	{ 'p', NULL, PA_SAME, "preserve", NULL, NULL },
	{ 'R', "worker", PA_ONLY, NULL, "ssh", NULL },
	{ 'h', "help", PA_SAME, "help", NULL, NULL },
	{ 0, "version", PA_SAME, "version", NULL, NULL },
	{ 'o', "options", PA_REFUSE, NULL, NULL, SSH_OPTIONS },
	{ 'O', "option", PA_REFUSE, NULL, NULL,
	  "clush.conf keys are not read: use ringrun's options" },
};

static const char *const defaults[] = {
	"--output=stream", "--exit-status=zero", "--messages=clush",
	"--no-progress", "--no-summary", NULL,
};

const struct persona persona_clush = {
	.name = "clush", .defaults = defaults, .abbrev = true,
	.opts = opts, .nopts = PERSONA_N(opts),
};
