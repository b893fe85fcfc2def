/*
 * cli/output/output.c: the library's warnings are notes on stderr, written
 * after the progress line has erased itself (the output's before_write
 * hook), never into it.
 */
#define _GNU_SOURCE /* memfd_create */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output/output.h"
#include "files.h"

/* Stands for the progress line: it "erases" itself where it is told to. */
static void erase(void *ctx, int fd)
{
	(void)ctx;
	cr_assert_eq(write(fd, "<erase>", 7), 7);
}

Test(unit_warning, a_note_after_the_progress_line_is_erased)
{
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	struct output o;
	char *got;

	cr_assert(out >= 0 && err >= 0);
	output_init(&o, OUT_STREAM, out, err);
	o.before_write = erase;
	output_warning(&o, "known_hosts line 3 skipped: not a key");
	cr_assert_eq(output_flush(&o), 0);
	got = fd_contents(err);
	cr_assert_str_eq(got, "<erase>ringrun: warning: known_hosts line 3 skipped: "
			      "not a key\n");
	free(got);
	got = fd_contents(out);
	cr_assert_str_eq(got, "", "nothing on stdout");
	free(got);
	output_free(&o);
	close(out);
	close(err);
}

/* Once a write failed (nobody reads), nothing more is even buffered. */
Test(unit_warning, nothing_after_a_write_error)
{
	struct output o;

	output_init(&o, OUT_STREAM, 1, 2);
	o.error = EPIPE;
	output_warning(&o, "x");
	cr_assert_eq(o.err.b.len, 0);
	output_free(&o);
}
