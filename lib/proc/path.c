/*
 * path.c - find a program in PATH as execvp would, in the parent, once per
 * name: the child then makes one execve instead of one per PATH entry, and
 * a fan-out running the same program thousands of times looks it up once.
 */
#include "proc/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rr__paths_free(struct rr_path_cache *c)
{
	for (size_t i = 0; i < sizeof(c->e) / sizeof(c->e[0]); i++) {
		free(c->e[i].name);
		free(c->e[i].path);
	}
	free(c->path_env);
	*c = (struct rr_path_cache){ 0 };
}

static int search_path(const char *name, const char *path_env, char **found)
{
	size_t nlen = strlen(name);
	int err = ENOENT;

	for (const char *p = path_env;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char *cand = malloc(dlen + nlen + 3);
		struct stat st;

		if (!cand)
			return -ENOMEM;
		/* An empty PATH element means the current directory. */
		snprintf(cand, dlen + nlen + 3, "%.*s%s%s", (int)dlen, p,
			 dlen ? "/" : "./", name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*found = cand;
				return 0;
			}
			err = EACCES;
		}
		free(cand);
		if (!*end)
			return -err;
		p = end;
	}
}

/* The cache is dropped when PATH changes. */
int rr__resolve(struct rr_path_cache *c, const char *name, const char **path)
{
	const size_t slots = sizeof(c->e) / sizeof(c->e[0]);
	const char *path_env = getenv("PATH");
	char *found;
	int r;

	if (strchr(name, '/')) {
		*path = name;
		return 0;
	}
	if (!path_env)
		path_env = "/usr/local/bin:/usr/bin:/bin";
	if (!c->path_env || strcmp(c->path_env, path_env) != 0) {
		rr__paths_free(c);
		c->path_env = strdup(path_env);
	}
	for (size_t i = 0; i < slots; i++) {
		if (c->e[i].name && strcmp(c->e[i].name, name) == 0) {
			*path = c->e[i].path;
			return 0;
		}
	}
	r = search_path(name, path_env, &found);
	if (r < 0)
		return r;
	free(c->e[c->next].name);
	free(c->e[c->next].path);
	c->e[c->next].name = strdup(name);
	c->e[c->next].path = found;
	c->next = (c->next + 1) % slots;
	*path = found;
	return 0;
}
