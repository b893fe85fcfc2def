/* Allocation that cannot fail: ringrun gives up with a message instead. */
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit status 2: ringrun itself could not run (see ringrun(1)). */
static void nomem(void)
{
	fputs("ringrun: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		nomem();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		nomem();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		nomem();
	size_t bytes = n * size;

	p = realloc(p, bytes ? bytes : 1);
	if (!p)
		nomem();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}
