/*
 * Node groups for "@group" and "@source:group" in host lists, read from
 * ClusterShell's files: groups.conf ([Main] default and autodir, whose
 * *.yaml files hold sources of groups), a YAML file of sources
 * ("source:" then indented "group: LIST" or a block list of LISTs), or a
 * plain file of "NAME: LIST" lines (ClusterShell's local.cfg: the source
 * "local").  No upcall (a source's map: command) is ever run.  Files are
 * read at the first group a list names, so a run that names none reads
 * nothing.
 */
#ifndef CLI_HOSTGROUPS_H
#define CLI_HOSTGROUPS_H

#include <stdbool.h>
#include <stddef.h>

struct hostgroup {
	const char *source;
	char *name;
	char **lists;       /* its members: host lists, whitespace as ',' */
	size_t nlists;
	const char *file;   /* where it is defined */
	bool resolving;     /* on the chain: naming it again is a cycle */
};

struct hostgroups {
	const char **files;  /* --groups-file, in order; none: ClusterShell's */
	size_t nfiles;
	bool loaded;
	char *failed;        /* why loading failed, said again at each use */
	char **read;         /* the files read, for messages */
	size_t nread;
	char **sources;      /* every source, in the order met */
	bool *upcall;        /* a source of commands only (no groups read) */
	size_t nsources;
	const char *default_source;
	struct hostgroup *v;
	size_t n;
	struct hostgroup **chain; /* the groups being resolved, outermost first */
	size_t depth;
	bool said;           /* the error names the group it is in already */
};

/* --groups-file: read FILE instead of ClusterShell's default files. */
void hostgroups_add_file(struct hostgroups *g, const char *path);

/*
 * Read the files (once; a later call says the same).  Without
 * --groups-file: groups.conf of the first of $CLUSTERSHELL_CFGDIR,
 * $XDG_CONFIG_HOME/clustershell (~/.config/clustershell),
 * ~/.local/etc/clustershell and /etc/clustershell that has one.
 * Returns 0, or -1 with "FILE: line N: why" or "FILE: why" in err.
 */
int hostgroups_load(struct hostgroups *g, char *err, size_t errlen);

/*
 * The source name[0..len) (NULL: the default one), as kept.  NULL if there
 * is none or it is made by commands, with why in err (the files read named).
 */
const char *hostgroups_source(struct hostgroups *g, const char *name,
			      size_t len, char *err, size_t errlen);

/*
 * Group name[0..len) of source (one hostgroups_source() gave).  NULL if
 * there is none, with why in err (the files read named).
 */
struct hostgroup *hostgroups_find(struct hostgroups *g, const char *source,
				  const char *name, size_t len, char *err,
				  size_t errlen);

/* "@source:name", for messages. */
const char *hostgroups_shown(const struct hostgroup *grp, char *buf,
			     size_t size);

void hostgroups_free(struct hostgroups *g);

#endif
