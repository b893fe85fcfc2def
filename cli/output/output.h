/*
 * What ringrun prints: each task's output in the chosen mode, and one
 * "ringrun: <message>" line on stderr for each task that failed (for each
 * host that failed, in fleet mode).  Output is
 * buffered and written with write() loops; a buffer is only ever written
 * out at the end of a line (or of a task's whole output), so stdout and
 * stderr sent to one place never tear each other's lines.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <ringrun.h>

#include "util/buf.h"
#include "output/modes.h"

struct sink {
	int fd;
	struct buf b;
	bool color; /* headers and failure lines in colour */
};

/* -L in clush's words: a host's failure, said with the others at the end
   (rc FAILED_TIMEOUT: its command timed out, said after the codes). */
#define FAILED_TIMEOUT 256
struct held_failure {
	char *host;
	int rc;
};

/* -L: a task's lines, each after its tag, held until the end. */
struct held {
	struct buf tag, out, err;
	int rc;                 /* its exit code (255: none), the first key */
	unsigned long long seq;
};

struct output {
	enum out_mode mode;
	bool tab_tag; /* --tag, --tagstring: each line after its tag and a tab
			 (group mode too), as parallel's */
	struct sink out, err;
	int error; /* errno of the first failed write; then nothing is written */
	bool no_prefix;  /* -N: lines without their tag, blocks without one */
	bool by_host;    /* -L: group output held, each line after its tag */
	struct held *held;
	size_t nheld;
	unsigned long long shown; /* pssh's [N]: tasks shown so far */
	enum out_words words;
	char who[80];    /* what its lines on stderr begin with: "ringrun: " */
	const char *local; /* --rcmd exec: the program hosts run here, as pdsh
			      names it ("grep"); NULL: they run over ssh */
	bool max_status;   /* -S: the exit status says the codes (clush -q) */
	struct held_failure *failed; /* -L in clush's words: said at the end */
	size_t nfailed;
	/* Called before each write to a sink's fd (the progress line erases
	   itself); NULL: none. */
	void (*before_write)(void *ctx, int fd);
	void *hook_ctx;
};

/* What output needs to know of a task besides its result. */
struct task_info {
	unsigned long long seq;
	const char *tag;  /* the input, or the command when there is none */
	size_t tag_len;
	const char *command;
	const char *host; /* fleet mode: the host as given; NULL: local */
	size_t host_len;
	bool input;       /* tag is an input (shown after the host) */
	size_t input_no;  /* the input's number, 1..; 0: no input */
	const char *arg;  /* the input itself (NULL: none), its arguments
			     joined by spaces: the progress bar's */
	size_t arg_len;
	const char *packed; /* arg as packed (NUL between the arguments,
			       combine.h), arg_len long: --results' */
	bool reported;    /* its failure line is out already (its host's), or
			     said by -o collate at the end */
	uint64_t sent;    /* bytes given to its stdin (--stdin), for the log */
};

void output_init(struct output *o, enum out_mode mode, int out_fd, int err_fd);

/* Failures in words's words, its notes after its name ("pdsh@HOST: ",
   HOST this machine's name up to its first dot, as pdsh says it). */
void output_words(struct output *o, enum out_words words);

/*
 * The task ended: its output (group, json, pssh's line) and its failure
 * line.  In fleet mode a group block starts with a "---- TAG ----" line
 * (-L: each line with "TAG: ") and ends with a newline; with tab_tag each
 * line starts with its tag and a tab instead.
 */
void output_done(struct output *o, const struct task_info *t,
		 const struct rr_result *r);

/*
 * Did the command end by itself or by a signal, so that its exit code says
 * how?  A remote one has no pid: it ran when it started on its host and its
 * channel did not fail.
 */
bool ran_to_end(const struct task_info *t, const struct rr_result *r);

/* Its failure line on stderr, unless it ended ok or its host's is out. */
void output_failure(struct output *o, const struct task_info *t,
		    const struct rr_result *r);

/* One line of a task's stdout or stderr (stream). */
void output_line(struct output *o, const struct task_info *t,
		 enum rr_stream stream, const char *line, size_t len);

/* A "ringrun: ..." line on stderr (o->who's name). */
void output_note(struct output *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What the library went on past (rr_loop_opts.on_warning): "ringrun:
   warning: MSG" on stderr, as a note. */
void output_warning(struct output *o, const char *msg);

/* Text for stderr as it is, in order with the rest. */
void output_stderr(struct output *o, const char *s, size_t len);

/* Text for stdout as it is (collated output). */
void output_stdout(struct output *o, const char *s, size_t len);

/* -L: what was held, by exit code, then host (clush -L's order); in
   clush's words, then its failures gathered by exit code, hosts folded. */
void output_by_host(struct output *o);

/* Write out what is buffered.  Returns 0 or the first write error. */
int output_flush(struct output *o);

void output_free(struct output *o);

#endif
