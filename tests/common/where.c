/* where.c - the programs a suite runs, found from the suite's own path. */
#include "where.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HARNESS "tests/sshd/sshd-harness.sh"

/* The variable's value, when it is set and not empty. */
static const char *from_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return NULL;
	cr_assert(access(v, X_OK) == 0, "%s=%s: %s", name, v, strerror(errno));
	return v;
}

/* The directory the running suite is in (an absolute path). */
static void suite_dir(char dir[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);

	cr_assert(n > 0, "/proc/self/exe: %s", strerror(errno));
	dir[n] = '\0';
	*strrchr(dir, '/') = '\0';
}

/* dir/name into path; true when it is an executable file. */
static bool executable(const char *dir, const char *name, char path[PATH_MAX])
{
	struct stat st;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* dir becomes its parent; false at the root. */
static bool up(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return false;
	*slash = '\0';
	return true;
}

const char *where_helper(void)
{
	static _Thread_local char path[PATH_MAX]; /* suites call from threads */
	const char *env = from_env("RR_HELPER");
	char dir[PATH_MAX];

	if (env)
		return env;
	suite_dir(dir);
	cr_assert(executable(dir, "rr-helper", path),
		  "no rr-helper beside the suite: %s (make test-build, or set RR_HELPER)",
		  path);
	return path;
}

const char *where_sshd_harness(void)
{
	static _Thread_local char path[PATH_MAX]; /* suites call from threads */
	const char *env = from_env("RR_SSHD_HARNESS");
	char dir[PATH_MAX], start[PATH_MAX];

	if (env)
		return env;
	suite_dir(dir);
	memcpy(start, dir, sizeof start);
	while (!executable(dir, HARNESS, path))
		cr_assert(up(dir), "no %s above %s (set RR_SSHD_HARNESS)", HARNESS, start);
	return path;
}

const char *where_ringrun(void)
{
	static _Thread_local char path[PATH_MAX]; /* suites call from threads */
	const char *env = from_env("RINGRUN_BIN");
	char dir[PATH_MAX], start[PATH_MAX], harness[PATH_MAX];

	if (env)
		return env;
	suite_dir(dir);
	memcpy(start, dir, sizeof start);
	/* The sanitizer build's is next to its tests, the normal build's at
	   the top of the source tree. */
	while (!executable(dir, "ringrun", path))
		cr_assert(!executable(dir, HARNESS, harness) && up(dir),
			  "no ringrun in %s or above it in the source tree (make, or set "
			  "RINGRUN_BIN)", start);
	return path;
}

const char *where_data(const char *rel)
{
	static _Thread_local char path[PATH_MAX]; /* suites call from threads */
	char top[PATH_MAX];

	snprintf(top, sizeof top, "%s", where_sshd_harness());
	for (int k = 0; k < 3; k++) /* tests/sshd/sshd-harness.sh */
		cr_assert(up(top), "%s: not in a source tree", where_sshd_harness());
	cr_assert_lt((size_t)snprintf(path, sizeof path, "%s/tests/data/%s", top, rel),
		     sizeof path, "%s/tests/data/%s: too long", top, rel);
	return path;
}
