/* cli/persona/ and the options it maps to: every table names options
   ringrun has, each tool's letters mean what the tool means, and what a
   personality does not take is a clear error naming the tool. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "options.h"
#include "parse.h"
#include "hosts/hostfile.h"
#include "persona/persona.h"

static struct options o;
static char err[512];

#define PARSE(...) PARSE_OPTIONS(&o, err, __VA_ARGS__)
#define EXPECT_ERROR(r, msg) expect_usage_error(&o, err, r, msg)
/* As if called by the name tool (a link to ringrun). */
#define PARSE_AS(tool, ...)                                              \
	parse_options(&o, err, sizeof err,                               \
		      (const char *const[]){ tool, __VA_ARGS__, NULL })

Test(unit_persona, every_table_names_options_ringrun_has)
{
	for (size_t k = 0; personas[k]; k++) {
		const struct persona *p = personas[k];

		cr_assert_eq(persona_find(p->name), p);
		for (size_t d = 0; p->defaults[d]; d++) {
			const char *name = p->defaults[d] + 2;
			const char *eq = strchr(name, '=');
			char opt[64];

			snprintf(opt, sizeof opt, "%.*s",
				 (int)(eq ? eq - name : (int)strlen(name)), name);
			cr_assert_eq(options_arg(opt), eq ? 1 : 0, "%s: %s",
				     p->name, p->defaults[d]);
		}
		for (size_t n = 0; n < p->nopts; n++) {
			const struct persona_opt *po = &p->opts[n];

			cr_assert(po->letter || po->name);
			if (po->act == PA_SAME)
				cr_assert_geq(options_arg(po->to), 0, "%s: %s",
					      p->name, po->to);
			if (po->act == PA_SET)
				cr_assert_eq(options_arg(po->to), po->value != NULL,
					     "%s: %s", p->name, po->to);
			if (po->act == PA_REFUSE)
				cr_assert(po->why && !po->to);
			if (po->act == PA_ONLY)
				cr_assert(po->value && !po->to);
			if (po->act == PA_IGNORE || po->act == PA_DROP)
				cr_assert(!po->value && !po->to && !po->why);
			/* each letter and name once */
			for (size_t m = n + 1; m < p->nopts; m++) {
				cr_assert(!po->letter || po->letter != p->opts[m].letter,
					  "%s: -%c twice", p->name, po->letter);
				cr_assert(!po->name || !p->opts[m].name ||
					  strcmp(po->name, p->opts[m].name),
					  "%s: --%s twice", p->name, po->name);
			}
		}
	}
	cr_assert_eq(persona_find("parallel-ssh"), persona_find("pssh"));
	cr_assert_null(persona_find("ringrun"));
}

Test(unit_persona, native_options)
{
	cr_assert_eq(PARSE("-f", "7", "-u", "2.5", "-N", "-S", "-e", "errs",
			   "--stdout-dir", "outs", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert_eq(o.jobs, 7);
	cr_assert_eq(o.timeout_ms, 2500);
	cr_assert(o.no_prefix);
	cr_assert_eq(o.exit_style, EXIT_MAX);
	cr_assert_str_eq(o.stderr_dir, "errs");
	cr_assert_str_eq(o.stdout_dir, "outs");
	options_free(&o);
	cr_assert_eq(PARSE("-L", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert(o.by_host);
	cr_assert_eq(o.output, OUT_GROUP);
	options_free(&o);
	cr_assert_eq(PARSE("--exit-status", "pssh", "-o", "pssh-inline", "cmd"),
		     0, "%s", err);
	cr_assert_eq(o.exit_style, EXIT_PSSH);
	cr_assert_eq(o.output, OUT_PSSH_INLINE);
	options_free(&o);
	EXPECT_ERROR(PARSE("-L", "-o", "json", "cmd"),
		     "-L: needs group output (-o group)");
	EXPECT_ERROR(PARSE("--exit-status", "most", "cmd"),
		     "--exit-status: most: unknown style (ringrun, max, zero, pssh, "
		     "parallel)");
	EXPECT_ERROR(PARSE("-e", "", "cmd"), "-e: empty directory name");
	EXPECT_ERROR(PARSE("-e", "a", "--stderr-dir", "b", "cmd"),
		     "--stderr-dir: given twice");
	EXPECT_ERROR(PARSE("--copy", "f", "-e", "d", "-w", "h"),
		     "--stderr-dir: cannot be combined with --copy: a copy runs no command");
	EXPECT_ERROR(PARSE("-j", "2", "--as", "pdsh", "cmd"),
		     "--as: must be the first argument");
}

/* pdsh's -t is its connect timeout, -u its command timeout; the format
   and the exit status are pdsh's. */
Test(unit_persona, pdsh_letters)
{
	cr_assert_eq(PARSE_AS("/usr/local/libexec/ringrun/pdsh", "-t", "3",
			      "-u", "9", "-f", "5", "-w", "h[1-2]", "-x", "h2",
			      "-l", "me", "-R", "ssh", "-N", "cmd"), 0, "%s", err);
	cr_assert_eq(o.connect_timeout_ms, 3000);
	cr_assert_eq(o.timeout_ms, 9000);
	cr_assert_eq(o.jobs, 5);
	cr_assert_eq(o.hosts.n, 2); /* -x: left out when the run starts */
	cr_assert(o.exclude_given);
	cr_assert_str_eq(o.user, "me");
	cr_assert(o.no_prefix);
	cr_assert_eq(o.output, OUT_STREAM);
	cr_assert_eq(o.exit_style, EXIT_ZERO);
	cr_assert_eq(o.progress, WHEN_NEVER);
	options_free(&o);
	/* collate's style is dshbak's, for an -o collate that may come */
	cr_assert_eq(PARSE("--as", "pdsh", "--output=collate", "-w", "h", "cmd"),
		     0, "%s", err);
	cr_assert_eq(o.collate_style, COLLATE_DSHBAK);
	options_free(&o);
	cr_assert_eq(PARSE("--as", "pdsh", "-S", "-Q", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert_eq(o.exit_style, EXIT_MAX);
	cr_assert(o.dry_run);
	cr_assert_eq(o.dry_style, DRY_PDSH_EXPANDED);
	cr_assert_eq(o.jobs, 32); /* pdsh's fanout */
	options_free(&o);
	/* pdsh -q: its report, no command needed */
	cr_assert_eq(PARSE("--as", "pdsh", "-q", "-w", "h"), 0, "%s", err);
	cr_assert(o.dry_run);
	cr_assert_eq(o.dry_style, DRY_PDSH);
	options_free(&o);
	cr_assert_eq(PARSE("--dry-run-style", "lines", "true"), 0, "%s", err);
	cr_assert(o.dry_run);
	cr_assert_eq(o.dry_style, DRY_LINES);
	options_free(&o);
	EXPECT_ERROR(PARSE("--dry-run-style", "lines", "-w", "h"),
		     "COMMAND: missing");
	EXPECT_ERROR(PARSE("--dry-run-style", "pdsh-q", "-w", "h"),
		     "--dry-run-style: pdsh-q: unknown style (lines, pdsh, "
		     "pdsh-expanded)");
	/* ringrun's long options stay: the login's, for one */
	cr_assert_eq(PARSE("--as=pdsh", "--port", "2222", "-w", "h", "cmd"), 0,
		     "%s", err);
	cr_assert_eq(o.port, 2222);
	options_free(&o);
	EXPECT_ERROR(PARSE("--as", "pdsh", "-R", "rsh", "-w", "h", "cmd"),
		     "-R: rsh: unknown module (ssh, exec)");
	cr_assert_eq(PARSE("--as", "pdsh", "-R", "exec", "-w", "h", "cmd"), 0,
		     "%s", err);
	cr_assert(o.rcmd_exec);
	options_free(&o);
	EXPECT_ERROR(PARSE("--rcmd", "exec", "cmd"),
		     "--rcmd: needs hosts (-w, -g or --hostfile)");
	EXPECT_ERROR(PARSE("--rcmd", "exec", "-w", "h", "echo", ":::", "a"),
		     "--rcmd exec: cannot be combined with inputs: each host runs "
		     "COMMAND once");
	EXPECT_ERROR(PARSE("--as", "pdsh", "-d", "-w", "h", "cmd"),
		     "-d: not an option ringrun's pdsh personality takes "
		     "(man ringrun: PERSONALITIES)");
	EXPECT_ERROR(PARSE("--as", "pdsh", "-k", "-w", "h", "cmd"),
		     "-k: not an option ringrun's pdsh personality takes "
		     "(man ringrun: PERSONALITIES)");
	EXPECT_ERROR(PARSE("--as", "pdsh", "-t", "x", "-w", "h", "cmd"),
		     "-t: x: not a number");
	EXPECT_ERROR(PARSE("--as", "rsh", "cmd"),
		     "--as: rsh: unknown tool (pdsh, clush, pssh, parallel, "
		     "hyperfine)");
	EXPECT_ERROR(PARSE("--as"), "--as: missing argument");
}

Test(unit_persona, clush_letters)
{
	cr_assert_eq(PARSE_AS("clush", "-w", "h", "-L", "-S", "-u", "4", "-t",
			      "2", "-q", "cmd"), 0, "%s", err);
	cr_assert(o.by_host);
	cr_assert_eq(o.output, OUT_GROUP);
	cr_assert_eq(o.exit_style, EXIT_MAX);
	cr_assert_eq(o.timeout_ms, 4000);
	cr_assert_eq(o.connect_timeout_ms, 2000);
	cr_assert_eq(o.summary, WHEN_NEVER);
	cr_assert_eq(o.words, WORDS_CLUSH_QUIET); /* with -S: no exit lines */
	options_free(&o);
	cr_assert_eq(PARSE_AS("clush", "-w", "h", "-q", "cmd"), 0, "%s", err);
	cr_assert_eq(o.words, WORDS_CLUSH_QUIET); /* without -S: said, no count */
	options_free(&o);
	cr_assert_eq(PARSE_AS("pdsh", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert_eq(o.words, WORDS_PDSH);
	options_free(&o);
	cr_assert_eq(PARSE("--messages", "clush", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert_eq(o.words, WORDS_CLUSH);
	options_free(&o);
	EXPECT_ERROR(PARSE("--messages", "pssh", "-w", "h", "cmd"),
		     "--messages: pssh: unknown style (ringrun, pdsh, clush, "
		     "clush-quiet)");
	cr_assert_eq(PARSE_AS("clush", "-w", "h", "-b", "cmd"), 0, "%s", err);
	cr_assert_eq(o.output, OUT_COLLATE);
	cr_assert_eq(o.collate_style, COLLATE_CLUSH);
	cr_assert_not(o.collate_stderr);
	options_free(&o);
	char dir[] = "/tmp/rr-persona-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	const char *groups = file_in(dir, "groups", "web: w[1-3]\ndb: w2\n");
	cr_assert_eq(PARSE_AS("clush", "--groupsconf", groups, "-g", "web", "-X",
			      "db", "-B", "cmd"), 0, "%s", err);
	cr_assert(o.fleet && o.exclude_given && o.collate_stderr);
	cr_assert_eq(o.hosts.n, 3); /* -X's left out when the run starts */
	cr_assert_eq(o.output, OUT_COLLATE);
	options_free(&o);
	cr_assert_eq(unlink(groups), 0);
	cr_assert_eq(rmdir(dir), 0);
	cr_assert_eq(PARSE_AS("clush", "-w", "h", "-c", "f", "--dest", "/d", "-p"),
		     0, "%s", err);
	cr_assert_eq(o.copy, COPY_PUT);
	cr_assert_eq(o.xfer_flags, RR_XFER_PRESERVE);
	options_free(&o);
	EXPECT_ERROR(PARSE_AS("clush", "-o", "-p 22", "-w", "h", "cmd"),
		     "-o: clush's option is refused: no word of a command line "
		     "becomes an ssh option: write them in an ssh_config "
		     "(--ssh-config FILE)");
	EXPECT_ERROR(PARSE_AS("clush", "-b", "-L", "-w", "h", "cmd"),
		     "-L: needs group output (-o group)");
}

Test(unit_persona, pssh_letters)
{
	cr_assert_eq(PARSE_AS("parallel-ssh", "-H", "a", "-H", "b", "-p", "3",
			      "-t", "5", "-o", "outs", "-e", "errs", "-i",
			      "-l", "me", "cmd"), 0, "%s", err);
	cr_assert_eq(o.hosts.n, 2);
	cr_assert_eq(o.jobs, 3);
	cr_assert_eq(o.timeout_ms, 5000);
	cr_assert_str_eq(o.stdout_dir, "outs");
	cr_assert_str_eq(o.stderr_dir, "errs");
	cr_assert_eq(o.output, OUT_PSSH_INLINE);
	cr_assert_eq(o.exit_style, EXIT_PSSH);
	cr_assert(o.skip_empty);
	options_free(&o);
	cr_assert_eq(PARSE_AS("pssh", "--host=a", "--hosts", "file", "cmd"), 0,
		     "%s", err);
	cr_assert_eq(o.jobs, 32);
	cr_assert_str_eq(o.hostfile, "file");
	cr_assert_eq(o.output, OUT_PSSH);
	options_free(&o);
	EXPECT_ERROR(PARSE_AS("pssh", "-x", "-p 22", "-H", "h", "cmd"),
		     "-x: pssh's option is refused: no word of a command line "
		     "becomes an ssh argument: write ssh options in an ssh_config "
		     "(--ssh-config FILE)");
	EXPECT_ERROR(PARSE_AS("pssh", "--extra-arg=-v", "-H", "h", "cmd"),
		     "--extra-arg: pssh's option is refused: no word of a command "
		     "line becomes an ssh argument: write ssh options in an "
		     "ssh_config (--ssh-config FILE)");
}

/* GNU parallel's letters: -C is --colsep, -q --quote, -N
   --max-replace-args; its output, its exit status; stdin when no input. */
Test(unit_persona, parallel_letters)
{
	cr_assert_eq(PARSE_AS("/usr/libexec/ringrun/parallel", "-j", "3", "-k",
			      "-q", "-N", "2", "-C", ",", "--will-cite", "--tag",
			      "echo", ":::", "a,b", "c,d"), 0, "%s", err);
	cr_assert_eq(o.jobs, 3);
	cr_assert(o.keep_order && o.quote);
	cr_assert_eq(o.max_replace_args, 2);
	cr_assert_str_eq(o.colsep, ",");
	cr_assert_str_eq(o.tagstring, "{}");
	cr_assert_eq(o.output, OUT_GROUP);
	cr_assert_eq(o.exit_style, EXIT_PARALLEL);
	cr_assert_null(o.args_file);
	options_free(&o);
	cr_assert_eq(PARSE_AS("parallel", "-P", "2", "-n", "3", "--lb", "echo"), 0,
		     "%s", err);
	cr_assert_eq(o.jobs, 2);
	cr_assert_eq(o.max_args, 3);
	cr_assert_eq(o.output, OUT_STREAM);
	cr_assert_str_eq(o.args_file, "-"); /* no input: stdin's lines */
	options_free(&o);
	cr_assert_eq(PARSE_AS("parallel", "-j1"), 0, "%s", err);
	cr_assert_str_eq(o.commands_file, "-"); /* no command: stdin's */
	options_free(&o);
	cr_assert_eq(PARSE_AS("parallel", "--joblog", "log", "--resume-failed",
			      "-a", "in", "-0", "echo"), 0, "%s", err);
	cr_assert_str_eq(o.resume_failed, "log");
	cr_assert_str_eq(o.args_file, "in");
	cr_assert_eq(o.input_sep, '\0');
	options_free(&o);
	cr_assert_eq(PARSE_AS("parallel", "--dry-run", "--halt", "now,fail=1",
			      "--timeout", "200%", "--shuf", "echo", ":::", "a"),
		     0, "%s", err);
	cr_assert(o.dry_run && o.shuf);
	cr_assert_eq(o.timeout_mpct, 200000);
	options_free(&o);
	EXPECT_ERROR(PARSE_AS("parallel", "-k", ":::", "echo a"),
		     "COMMAND: missing: ringrun runs no input as a command "
		     "(--commands FILE runs each line of FILE)");
	EXPECT_ERROR(PARSE_AS("parallel", "--resume-failed", "echo", ":::", "a"),
		     "--resume-failed: needs --joblog (the log it reads)");
	EXPECT_ERROR(PARSE_AS("parallel", "-X", "echo", ":::", "a"),
		     "-X: parallel's option is refused: context replace is not "
		     "supported: -n N puts N inputs in {}");
	EXPECT_ERROR(PARSE_AS("parallel", "-S", "h1,h2", "echo", ":::", "a"),
		     "-S: parallel's option is refused: jobs spread over hosts "
		     "are not supported: ringrun runs every job on every host "
		     "(ringrun -w HOSTS)");
	EXPECT_ERROR(PARSE_AS("parallel", "-t", "echo", ":::", "a"),
		     "-t: parallel's option is refused: prints each command and "
		     "runs it; ringrun has no such: --dry-run prints them "
		     "without running");
	EXPECT_ERROR(PARSE_AS("parallel", "-I", "{x}", "echo", ":::", "a"),
		     "-I: not an option ringrun's parallel personality takes "
		     "(man ringrun: PERSONALITIES)");
}

/* hyperfine's: each word a command, options before or after them. */
Test(unit_persona, hyperfine_letters)
{
	cr_assert_eq(PARSE_AS("hyperfine", "-r", "5", "sleep 0", "-w", "2",
			      "--style", "basic", "-N", "true", "-i",
			      "--export-json", "b.json"), 0, "%s", err);
	cr_assert_eq(o.repeat, 5);
	cr_assert_eq(o.warmup, 2);
	cr_assert_str_eq(o.shell, "none");
	cr_assert(o.ignore_failure);
	cr_assert_str_eq(o.export_json, "b.json");
	cr_assert_eq(o.ncommands, 2);
	cr_assert_str_eq(o.commands[0], "sleep 0");
	cr_assert_str_eq(o.commands[1], "true");
	cr_assert_eq(o.output, OUT_QUIET);
	options_free(&o);
	cr_assert_eq(PARSE_AS("hyperfine", "-P", "n", "1", "3", "-D", "1",
			      "-n", "x", "--", "-r", "echo {n}"), 0, "%s", err);
	cr_assert_eq(o.repeat, 10); /* hyperfine's at least 10 */
	cr_assert_eq(o.nparams, 1);
	cr_assert_eq(o.ncommands, 2); /* after --, words */
	cr_assert_str_eq(o.commands[0], "-r");
	options_free(&o);
	cr_assert_eq(PARSE_AS("hyperfine", "-m", "4", "--show-output", "-S",
			      "bash", "-p", "true", "-s", "true", "-c", "true",
			      "true"), 0, "%s", err);
	cr_assert_eq(o.repeat, 4);
	cr_assert_eq(o.output, OUT_GROUP);
	cr_assert_str_eq(o.shell, "bash");
	cr_assert(o.setup && o.cleanup && o.nprepare == 1);
	options_free(&o);
	EXPECT_ERROR(PARSE_AS("hyperfine", "-r", "3"), "COMMAND: missing");
	EXPECT_ERROR(PARSE_AS("hyperfine", "-u", "second", "true"),
		     "-u: hyperfine's option is refused: the report chooses each "
		     "figure's unit");
	EXPECT_ERROR(PARSE_AS("hyperfine", "--export-asciidoc", "f", "true"),
		     "--export-asciidoc: hyperfine's option is refused: use "
		     "--export-markdown, --export-csv or --export-json");
	EXPECT_ERROR(PARSE_AS("hyperfine", "-x", "true"),
		     "-x: not an option ringrun's hyperfine personality takes "
		     "(man ringrun: PERSONALITIES)");
}

/* clush's and pssh's optparse: a unique prefix is the option, an
   ambiguous one an error naming the candidates as optparse lists them. */
Test(unit_persona, optparse_prefixes)
{
	cr_assert_eq(PARSE_AS("clush", "--fan", "4", "--command_t=9", "--us",
			      "me", "-w", "h", "cmd"), 0, "%s", err);
	cr_assert_eq(o.jobs, 4);
	cr_assert_eq(o.timeout_ms, 9000);
	cr_assert_str_eq(o.user, "me");
	options_free(&o);
	/* a whole name wins over the longer ones it begins */
	cr_assert_eq(PARSE_AS("pssh", "--host", "a", "--par", "2", "--inl",
			      "cmd"), 0, "%s", err);
	cr_assert_eq(o.hosts.n, 1);
	cr_assert_eq(o.jobs, 2);
	cr_assert_eq(o.output, OUT_PSSH_INLINE);
	options_free(&o);
	/* ringrun's own long options stay whole */
	cr_assert_eq(PARSE_AS("clush", "--port", "2222", "-w", "h", "cmd"), 0,
		     "%s", err);
	cr_assert_eq(o.port, 2222);
	options_free(&o);
	EXPECT_ERROR(PARSE_AS("clush", "--co", "-w", "h", "cmd"),
		     "--co: ambiguous: clush's --color, --command_timeout, "
		     "--connect_timeout, --copy");
	EXPECT_ERROR(PARSE_AS("pssh", "--ho", "f", "cmd"),
		     "--ho: ambiguous: pssh's --host, --hosts");
	EXPECT_ERROR(PARSE_AS("pssh", "--extra", "-v", "-H", "h", "cmd"),
		     "--extra: ambiguous: pssh's --extra-arg, --extra-args");
	EXPECT_ERROR(PARSE_AS("pssh", "--extra-args=-v", "-H", "h", "cmd"),
		     "--extra-args: pssh's option is refused: no word of a "
		     "command line becomes an ssh argument: write ssh options "
		     "in an ssh_config (--ssh-config FILE)");
	/* pdsh takes no long option of its own: no prefix either */
	EXPECT_ERROR(PARSE_AS("pdsh", "--fan", "4", "-w", "h", "cmd"),
		     "--fan: not an option ringrun's pdsh personality takes "
		     "(man ringrun: PERSONALITIES)");
}

/* pssh's hosts (--pssh-hosts, its default): -H "a b" is two hosts, a host
   file's "host[:port] user" is user@host[:port]. */
Test(unit_persona, pssh_hosts)
{
	char dir[] = "/tmp/rr-persona-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *file = strdup(file_in(dir, "hosts",
				    "# pssh\nh1:2222 bob\n\n  ann@h2 # c\nh3\t\n"));
	char *bad = strdup(file_in(dir, "bad", "h1\nh2 bob extra\n"));
	char *twice = strdup(file_in(dir, "twice", "ann@h2 bob\n"));
	char want[512];

	cr_assert_eq(PARSE_AS("pssh", "-H", " a\tb  c:23 ", "-H", "d", "cmd"), 0,
		     "%s", err);
	cr_assert_eq(o.hosts.n, 4);
	cr_assert_str_eq(o.hosts.v[2].name, "c:23");
	cr_assert_eq(o.hosts.v[2].port, 23);
	options_free(&o);
	cr_assert_eq(PARSE("--pssh-hosts", "--hostfile", file, "cmd"), 0, "%s", err);
	cr_assert_eq(hostfile_read_all(&o.hosts, file, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(o.hosts.n, 3);
	cr_assert_str_eq(o.hosts.v[0].name, "bob@h1:2222");
	cr_assert_str_eq(o.hosts.v[0].user, "bob");
	cr_assert_eq(o.hosts.v[0].port, 2222);
	cr_assert_str_eq(o.hosts.v[1].name, "ann@h2");
	cr_assert_str_eq(o.hosts.v[2].name, "h3");
	cr_assert_eq(hostfile_read_all(&o.hosts, bad, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: line 2: 'h2 bob extra': not pssh's "
		 "\"[user@]host[:port] [user]\"", bad);
	cr_assert_str_eq(err, want);
	cr_assert_eq(hostfile_read_all(&o.hosts, twice, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: line 1: 'ann@h2 bob': the user given "
		 "twice", twice);
	cr_assert_str_eq(err, want);
	options_free(&o);
	/* ringrun's own grammar has no blank in a host */
	EXPECT_ERROR(PARSE("-w", "a b", "cmd"), "-w: 'a b': contains a space");
	for (char **f = (char *[]){ file, bad, twice, NULL }; *f; f++) {
		cr_assert_eq(unlink(*f), 0);
		free(*f);
	}
	cr_assert_eq(rmdir(dir), 0);
}

/* -h under a personality: a line per option of the tool's table, saying
   what it is here; -h reaches it through the parser. */
Test(unit_persona, help_lists_each_option)
{
	for (size_t k = 0; personas[k]; k++) {
		const struct persona *p = personas[k];
		char *text = NULL;
		size_t len = 0, lines = 0;
		FILE *f = open_memstream(&text, &len);

		cr_assert_not_null(f);
		persona_help(f, p);
		cr_assert_eq(fclose(f), 0);
		for (const char *c = strstr(text, "\n\n") + 2; *c; c++)
			lines += *c == '\n';
		cr_assert_eq(lines, p->nopts, "%s: %zu lines for %zu options",
			     p->name, lines, p->nopts);
		for (size_t j = 0; j < p->nopts; j++) {
			const struct persona_opt *po = &p->opts[j];
			char name[64];

			if (po->letter)
				snprintf(name, sizeof name, "-%c", po->letter);
			else
				snprintf(name, sizeof name, "--%s", po->name);
			cr_assert_not_null(strstr(text, name), "%s: %s", p->name, name);
			if (po->act == PA_REFUSE)
				cr_assert_not_null(strstr(text, po->why));
		}
		free(text);
	}
	cr_assert_eq(PARSE_AS("pdsh", "-h"), 0, "%s", err);
	cr_assert(o.help);
	cr_assert_eq(o.persona, persona_find("pdsh"));
	options_free(&o);
}
