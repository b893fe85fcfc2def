/* cli/input.c: lines as inputs, byte for byte. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/input.h"

static struct input in;

static void split(const char *s, size_t len)
{
	char *mem = malloc(len + 1);

	memcpy(mem, s, len);
	input_split(&in, mem, len);
}

#define SPLIT(lit) split(lit, sizeof lit - 1)

static void expect_line(size_t k, const char *s, size_t len)
{
	cr_assert_lt(k, in.n);
	cr_assert_eq(in.lines[k].len, len, "line %zu", k);
	cr_assert_arr_eq(in.lines[k].s, s, len);
	cr_assert_eq(in.lines[k].s[len], '\0', "line %zu not terminated", k);
}

Test(unit_input, lines)
{
	SPLIT("a\nbb\n");
	cr_assert_eq(in.n, 2);
	expect_line(0, "a", 1);
	expect_line(1, "bb", 2);
	input_free(&in);
}

Test(unit_input, last_line_without_newline)
{
	SPLIT("a\nlast");
	cr_assert_eq(in.n, 2);
	expect_line(1, "last", 4);
	input_free(&in);
}

Test(unit_input, empty_lines_are_inputs)
{
	SPLIT("");
	cr_assert_eq(in.n, 0);
	input_free(&in);
	SPLIT("\n");
	cr_assert_eq(in.n, 1);
	expect_line(0, "", 0);
	input_free(&in);
	SPLIT("\n\nx\n\n");
	cr_assert_eq(in.n, 4);
	expect_line(0, "", 0);
	expect_line(2, "x", 1);
	expect_line(3, "", 0);
	input_free(&in);
}

Test(unit_input, bytes_kept)
{
	SPLIT("dos\r\n \t x \n\xff\xfe\nnul\0in\n");
	cr_assert_eq(in.n, 4);
	expect_line(0, "dos\r", 4);
	expect_line(1, " \t x ", 5);
	expect_line(2, "\xff\xfe", 2);
	expect_line(3, "nul\0in", 6);
	input_free(&in);
}

Test(unit_input, load_file)
{
	char path[] = "/tmp/rr-input-XXXXXX";
	int fd = mkstemp(path);
	static char big[200000];

	cr_assert_geq(fd, 0);
	for (size_t k = 0; k < sizeof big; k++)
		big[k] = k % 10 == 9 ? '\n' : 'a' + (char)(k % 10);
	cr_assert_eq(write(fd, big, sizeof big), (ssize_t)sizeof big);
	close(fd);
	cr_assert_eq(input_load(&in, path), 0);
	unlink(path);
	cr_assert_eq(in.n, sizeof big / 10);
	expect_line(0, "abcdefghi", 9);
	expect_line(in.n - 1, "abcdefghi", 9);
	input_free(&in);
}

Test(unit_input, load_errors)
{
	cr_assert_eq(input_load(&in, "/nonexistent/rr-input"), -ENOENT);
	cr_assert_eq(input_load(&in, "/"), -EISDIR);
}

Test(unit_input, words)
{
	char a[] = "a", e[] = "", bc[] = "b c";
	char *const words[] = { a, e, bc };

	input_words(&in, words, 3);
	cr_assert_eq(in.n, 3);
	expect_line(1, "", 0);
	expect_line(2, "b c", 3);
	input_free(&in);
}
