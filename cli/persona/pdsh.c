/* pdsh's options (pdsh -R ssh), as ringrun's: "host: line" output, exit
   status 0 unless -S; --output=collate as dshbak -c prints. */
#include "persona/tools.h"

static const struct persona_opt opts[] = {
	{ 'w', NULL, PA_SAME, "hosts", NULL, NULL },
	{ 'x', NULL, PA_SAME, "exclude", NULL, NULL },
	{ 'g', NULL, PA_SAME, "group", NULL, NULL },
	{ 'X', NULL, PA_SAME, "exclude-group", NULL, NULL },
	{ 'l', NULL, PA_SAME, "user", NULL, NULL },
	{ 't', NULL, PA_SAME, "connect-timeout", NULL, NULL },
	{ 'u', NULL, PA_SAME, "command-timeout", NULL, NULL },
	{ 'f', NULL, PA_SAME, "fanout", NULL, NULL },
	{ 'N', NULL, PA_SAME, "no-prefix", NULL, NULL },
	{ 'S', NULL, PA_SAME, "max-status", NULL, NULL },
	{ 'R', NULL, PA_SAME, "rcmd", NULL, NULL },
	{ 'q', NULL, PA_SET, "dry-run-style", "pdsh", NULL },
	{ 'Q', NULL, PA_SET, "dry-run-style", "pdsh-expanded", NULL },
	{ 'h', NULL, PA_SAME, "help", NULL, NULL },
	{ 'V', NULL, PA_SAME, "version", NULL, NULL },
	{ 'M', NULL, PA_REFUSE, NULL, NULL,
	  "ssh is the only rcmd module: there is none to choose" },
};

static const char *const defaults[] = {
	"--output=stream", "--exit-status=zero", "--collate-style=dshbak",
	"--jobs=32", "--messages=pdsh", "--no-progress", "--no-summary", NULL,
};

const struct persona persona_pdsh = {
	.name = "pdsh", .defaults = defaults,
	.opts = opts, .nopts = PERSONA_N(opts),
};
