/*
 * Host files (--hostfile, -w -, ^FILE): a host list per line (hosts.h),
 * '#' starts a comment, and a line "#include FILE" reads FILE in its place,
 * as pdsh does (a relative FILE is in the including file's directory).  A
 * file is read whole, or as the run goes: lines are taken while more hosts
 * are wanted, and its fd is read only when poll(2) says so.
 */
#ifndef CLI_HOSTFILE_H
#define CLI_HOSTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hosts/hosts.h"
#include "jobs/records.h"

/* Files open at once: one and its includes, nested. */
#define HOSTFILE_DEPTH 16

struct hostfile_level {
	struct records rs;
	char *name;        /* in messages: as given ("stdin"), or as opened */
	char *dir;         /* where its includes are; NULL: the current one */
	dev_t dev;         /* the file, to refuse a cycle */
	ino_t ino;
};

struct hostfile {
	struct hosts *hosts; /* where its hosts go */
	struct hostfile_level level[HOSTFILE_DEPTH];
	size_t depth;      /* files open; 0: read to the end, or failed */
	bool starved;      /* the innermost one holds no whole line */
	bool failed;       /* a line was refused or a read failed: */
	char err[1024];    /* "FILE: line N: why" or "FILE: why" */
};

/* Open FILE ("-": stdin) for hosts.  Returns 0, or -1 (failed). */
int hostfile_open(struct hostfile *hf, struct hosts *hosts, const char *path);

/* Take its lines while hosts->n is below want, until a read is needed,
   its end, or a line it refuses (failed). */
void hostfile_pump(struct hostfile *hf, size_t want);

/* The fd to poll before hostfile_fill(), or -1: nothing to read now. */
int hostfile_fd(const struct hostfile *hf, size_t want);

/* One read(2), after poll(2) said the fd is ready. */
void hostfile_fill(struct hostfile *hf);

/* Read to its end, neither failed nor stopped. */
bool hostfile_ended(const struct hostfile *hf);

void hostfile_close(struct hostfile *hf);

/*
 * All the hosts of FILE, waiting for it as needed.  Returns 0, or -1 with
 * "FILE: line N: why" in err.
 */
int hostfile_read_all(struct hosts *hosts, const char *path, char *err,
		      size_t errlen);

#endif
