/* cli/input.c: lines as inputs, byte for byte. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/input.h"

static struct input in;

/* s[0..len) as a file, read whole. */
static void load(const char *s, size_t len)
{
	char path[] = "/tmp/rr-input-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, s, len), (ssize_t)len);
	close(fd);
	cr_assert_eq(input_open(&in, path, '\n'), 0);
	unlink(path);
	cr_assert_eq(input_read_all(&in), 0);
	cr_assert(input_ended(&in));
}

#define LOAD(lit) load(lit, sizeof lit - 1)

static void expect_line(size_t k, const char *s, size_t len)
{
	const struct line *l = input_get(&in, k);

	cr_assert_not_null(l, "line %zu not read", k);
	cr_assert_eq(l->len, len, "line %zu", k);
	cr_assert_arr_eq(l->s, s, len);
	cr_assert_eq(l->s[len], '\0', "line %zu not terminated", k);
}

Test(unit_input, lines)
{
	LOAD("a\nbb\n");
	cr_assert_eq(in.n, 2);
	expect_line(0, "a", 1);
	expect_line(1, "bb", 2);
	cr_assert_null(input_get(&in, 2));
	input_free(&in);
}

Test(unit_input, last_line_without_newline)
{
	LOAD("a\nlast");
	cr_assert_eq(in.n, 2);
	expect_line(1, "last", 4);
	input_free(&in);
}

Test(unit_input, empty_lines_are_inputs)
{
	LOAD("");
	cr_assert_eq(in.n, 0);
	input_free(&in);
	LOAD("\n");
	cr_assert_eq(in.n, 1);
	expect_line(0, "", 0);
	input_free(&in);
	LOAD("\n\nx\n\n");
	cr_assert_eq(in.n, 4);
	expect_line(0, "", 0);
	expect_line(2, "x", 1);
	expect_line(3, "", 0);
	input_free(&in);
}

Test(unit_input, bytes_kept)
{
	LOAD("dos\r\n \t x \n\xff\xfe\n");
	cr_assert_eq(in.n, 3);
	expect_line(0, "dos\r", 4);
	expect_line(1, " \t x ", 5);
	expect_line(2, "\xff\xfe", 2);
	input_free(&in);
}

Test(unit_input, load_file)
{
	static char big[200000];

	for (size_t k = 0; k < sizeof big; k++)
		big[k] = k % 10 == 9 ? '\n' : 'a' + (char)(k % 10);
	load(big, sizeof big);
	cr_assert_eq(in.n, sizeof big / 10);
	expect_line(0, "abcdefghi", 9);
	expect_line(in.n - 1, "abcdefghi", 9);
	input_free(&in);
}

Test(unit_input, load_errors)
{
	cr_assert_eq(input_open(&in, "/nonexistent/rr-input", '\n'), -ENOENT);
	input_free(&in);
	cr_assert_eq(input_open(&in, "/", '\n'), -EISDIR);
	input_free(&in);
}

Test(unit_input, words)
{
	char a[] = "a", e[] = "", bc[] = "b c";
	char *const words[] = { a, e, bc };

	input_words(&in, words, 3);
	cr_assert_eq(in.n, 3);
	cr_assert(input_ended(&in));
	expect_line(1, "", 0);
	expect_line(2, "b c", 3);
	input_free(&in);
}
