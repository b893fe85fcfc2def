/* files.c - what the unit tests read back from an fd and write to a file. */
#include "files.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *fd_contents(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *s = malloc((size_t)end + 1);

	cr_assert_not_null(s);
	cr_assert_eq(pread(fd, s, (size_t)end, 0), end);
	s[end] = '\0';
	return s;
}

const char *file_in(const char *dir, const char *name, const char *text)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}
