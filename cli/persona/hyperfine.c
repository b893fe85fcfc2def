/* hyperfine's options, as ringrun's benchmark mode: each word that is not
   an option is one command; 10 runs of each unless -r, -m or -M says (the
   runs are counted, never timed: hyperfine's "at least 3 s" is not). */
#include "persona/tools.h"

static const struct persona_opt opts[] = {
	{ 'r', "runs", PA_SAME, "repeat", NULL, NULL },
	{ 'm', "min-runs", PA_SAME, "repeat", NULL, NULL },
	{ 'M', "max-runs", PA_SAME, "repeat", NULL, NULL },
	{ 'w', "warmup", PA_SAME, "warmup", NULL, NULL },
	{ 'p', "prepare", PA_SAME, "prepare", NULL, NULL },
	{ 's', "setup", PA_SAME, "setup", NULL, NULL },
	{ 'c', "cleanup", PA_SAME, "cleanup", NULL, NULL },
	{ 'P', "parameter-scan", PA_SAME, "parameter-scan", NULL, NULL },
	{ 'D', "parameter-step-size", PA_SAME, "parameter-step-size", NULL, NULL },
	{ 'L', "parameter-list", PA_SAME, "parameter-list", NULL, NULL },
	{ 'S', "shell", PA_SAME, "shell", NULL, NULL },
	{ 'N', NULL, PA_SET, "shell", "none", NULL },
	{ 'i', "ignore-failure", PA_SAME, "ignore-failure", NULL, NULL },
	{ 'n', "command-name", PA_SAME, "command-name", NULL, NULL },
	{ 0, "export-json", PA_SAME, "export-json", NULL, NULL },
	{ 0, "export-markdown", PA_SAME, "export-markdown", NULL, NULL },
	{ 0, "export-csv", PA_SAME, "export-csv", NULL, NULL },
	{ 0, "show-output", PA_SET, "output", "group", NULL },
	/* the report has one style: on a terminal or not, coloured or not */
	{ 0, "style", PA_DROP, NULL, NULL, NULL },
	{ 'h', "help", PA_SAME, "help", NULL, NULL },
	{ 'V', "version", PA_SAME, "version", NULL, NULL },
	{ 'u', "time-unit", PA_REFUSE, NULL, NULL,
	  "the report chooses each figure's unit" },
	{ 0, "export-asciidoc", PA_REFUSE, NULL, NULL,
	  "use --export-markdown, --export-csv or --export-json" },
	{ 0, "export-orgmode", PA_REFUSE, NULL, NULL,
	  "use --export-markdown, --export-csv or --export-json" },
	{ 0, "output", PA_REFUSE, NULL, NULL,
	  "the commands' output is discarded, or shown with --show-output" },
	{ 0, "input", PA_REFUSE, NULL, NULL,
	  "the commands' stdin is /dev/null" },
};

static const char *const defaults[] = {
	"--repeat=10", "--report=hyperfine", "--no-progress", "--no-summary",
	NULL,
};

const struct persona persona_hyperfine = {
	.name = "hyperfine", .defaults = defaults,
	.opts = opts, .nopts = PERSONA_N(opts), .word_commands = true,
};
