/*
 * libFuzzer target for lib/ssh/sftp.c: any bytes as one reply packet's
 * payload, as a VERSION packet and as statvfs's reply.  Every name of a
 * NAME reply lies inside the packet; a request written from a parsed
 * reply's strings parses back as the same bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssh/sftp.h"

static bool inside(const void *p, size_t n, const uint8_t *data, size_t size)
{
	return !n || ((const uint8_t *)p >= data && (const uint8_t *)p + n <= data + size);
}

static void round_trip(const struct rr_sftp_reply *r)
{
	struct rr_buf b = { 0 };
	struct rr_sftp_out o;
	struct rr_sftp_reply back;

	rr__sftp_begin(&o, &b, RR_FXP_DATA, r->id);
	rr__sftp_str(&o, r->str, r->len);
	if (rr__sftp_end(&o) == 0) {
		assert(rr__sftp_reply((const unsigned char *)b.data + 4, b.len - 4, &back) == 0);
		assert(back.type == RR_FXP_DATA && back.id == r->id && back.len == r->len);
		assert(!r->len || memcmp(back.str, r->str, r->len) == 0);
	}
	free(b.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rr_sftp_reply r;
	struct rr_sftp_name n;
	uint32_t version;
	unsigned ext;
	uint64_t room;

	rr__sftp_version(data, size, &version, &ext);
	if (rr__sftp_reply(data, size, &r) != 0)
		return 0;
	assert(inside(r.text, r.text_len, data, size));
	assert(inside(r.str, r.len, data, size));
	if (r.type == RR_FXP_DATA || r.type == RR_FXP_HANDLE)
		round_trip(&r);
	if (r.type == RR_FXP_EXTENDED_REPLY)
		rr__sftp_statvfs_free(&r, &room);
	while (r.type == RR_FXP_NAME && rr__sftp_name_next(&r, &n) == 0)
		assert(inside(n.name, n.len, data, size));
	return 0;
}
