/* cli/json.c: JSON string escaping and the \udcXX rule for bad UTF-8. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/json.h"

/* s as a whole quoted JSON string. */
static void json_string(struct buf *out, const char *s, size_t len)
{
	buf_addc(out, '"');
	json_escape(out, s, len, SIZE_MAX);
	buf_addc(out, '"');
}

static void expect_n(const char *s, size_t len, const char *want)
{
	struct buf b = BUF_INIT;

	json_string(&b, s, len);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

#define EXPECT(lit, want) expect_n(lit, sizeof lit - 1, want)

Test(unit_json, plain_and_specials)
{
	EXPECT("", "\"\"");
	EXPECT("hello, world", "\"hello, world\"");
	EXPECT("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	EXPECT("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	EXPECT("\x01\x1f\x1b", "\"\\u0001\\u001f\\u001b\"");
	EXPECT("nul\0byte", "\"nul\\u0000byte\"");
	EXPECT("\x7f", "\"\x7f\""); /* DEL is valid JSON as it is */
}

Test(unit_json, valid_utf8_passes)
{
	EXPECT("caf\xc3\xa9", "\"caf\xc3\xa9\"");                 /* U+00E9 */
	EXPECT("\xc2\x80", "\"\xc2\x80\"");                       /* U+0080 */
	EXPECT("\xe2\x82\xac", "\"\xe2\x82\xac\"");               /* U+20AC */
	EXPECT("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");               /* U+0800 */
	EXPECT("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");               /* U+D7FF */
	EXPECT("\xee\x80\x80", "\"\xee\x80\x80\"");               /* U+E000 */
	EXPECT("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");               /* U+FFFF */
	EXPECT("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");       /* U+1F600 */
	EXPECT("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");       /* U+10000 */
	EXPECT("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
	EXPECT("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");               /* U+2028 */
}

Test(unit_json, invalid_bytes_escaped)
{
	EXPECT("\x80", "\"\\udc80\"");         /* lone continuation */
	EXPECT("\xbf", "\"\\udcbf\"");
	EXPECT("\xff\xfe", "\"\\udcff\\udcfe\"");
	EXPECT("\xc0\xaf", "\"\\udcc0\\udcaf\"");     /* overlong '/' */
	EXPECT("\xc1\xbf", "\"\\udcc1\\udcbf\"");     /* overlong */
	EXPECT("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"");
	EXPECT("\xe0\x9f\xbf", "\"\\udce0\\udc9f\\udcbf\"");
	EXPECT("\xf0\x80\x80\xaf", "\"\\udcf0\\udc80\\udc80\\udcaf\"");
	EXPECT("\xf0\x8f\xbf\xbf", "\"\\udcf0\\udc8f\\udcbf\\udcbf\"");
	/* UTF-16 surrogates encoded in UTF-8 (CESU-8) */
	EXPECT("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"");
	EXPECT("\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\"");
	EXPECT("\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\""); /* > U+10FFFF */
	EXPECT("\xf5\x80\x80\x80", "\"\\udcf5\\udc80\\udc80\\udc80\"");
	EXPECT("\xf8\x88\x80\x80\x80", "\"\\udcf8\\udc88\\udc80\\udc80\\udc80\"");
}

Test(unit_json, truncated_sequences)
{
	EXPECT("\xc3", "\"\\udcc3\"");
	EXPECT("\xe2\x82", "\"\\udce2\\udc82\"");
	EXPECT("\xf0\x9f\x98", "\"\\udcf0\\udc9f\\udc98\"");
	EXPECT("\xe2\x82" "A", "\"\\udce2\\udc82A\"");
	EXPECT("\xc3" "\xc3\xa9", "\"\\udcc3\xc3\xa9\"");
	EXPECT("\xf0\x9f" "\xe2\x82\xac", "\"\\udcf0\\udc9f\xe2\x82\xac\"");
	EXPECT("a\xe2\x82\n", "\"a\\udce2\\udc82\\n\"");
}

Test(unit_json, limit_stops_between_characters)
{
	struct buf b = BUF_INIT;
	char big[100];

	memset(big, 'a', sizeof big);
	cr_assert_eq(json_escape(&b, big, sizeof big, 10), 10);
	cr_assert_eq(b.len, 10);
	buf_reset(&b);
	/* Never inside a character: the first whole one, then stop. */
	cr_assert_eq(json_escape(&b, "\xc3\xa9\xc3\xa9", 4, 1), 2);
	cr_assert_str_eq(b.data, "\xc3\xa9");
	buf_reset(&b);
	cr_assert_eq(json_escape(&b, "\x01z", 2, 1), 1);
	cr_assert_str_eq(b.data, "\\u0001");
	buf_reset(&b);
	/* Pieces add up to the whole. */
	const char *s = "x\xff\"\xe2\x82\xac\n\xed\xa0\x80yz";
	size_t len = strlen(s), off = 0;
	while (off < len)
		off += json_escape(&b, s + off, len - off, 3);
	cr_assert_str_eq(b.data, "x\\udcff\\\"\xe2\x82\xac\\n\\udced\\udca0\\udc80yz");
	buf_free(&b);
}

/*
 * Python must read every byte back: json.loads, then
 * encode('utf-8', 'surrogateescape').
 */
Test(unit_json, python_round_trip)
{
	unsigned char bytes[256 + 4096];
	char path[] = "/tmp/rr-json-XXXXXX";
	struct buf b = BUF_INIT;
	unsigned seed = 12345;

	for (int k = 0; k < 256; k++)
		bytes[k] = (unsigned char)k;
	for (size_t k = 256; k < sizeof bytes; k++) {
		seed = seed * 1103515245 + 12345;
		bytes[k] = (unsigned char)(seed >> 16);
	}
	json_string(&b, (const char *)bytes, sizeof bytes);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);

	char cmd[256];
	snprintf(cmd, sizeof cmd,
		 "python3 -c \"import json,sys; s=open(sys.argv[1],encoding='utf-8').read(); "
		 "sys.stdout.buffer.write(json.loads(s).encode('utf-8','surrogateescape'))\" %s",
		 path);
	FILE *py = popen(cmd, "r");
	cr_assert_not_null(py);
	unsigned char back[sizeof bytes + 1];
	size_t n = fread(back, 1, sizeof back, py);
	cr_assert_eq(pclose(py), 0, "python3 failed on the JSON");
	unlink(path);
	cr_assert_eq(n, sizeof bytes);
	cr_assert_arr_eq(back, bytes, sizeof bytes);
	buf_free(&b);
}
