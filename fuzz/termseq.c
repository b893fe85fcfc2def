/*
 * libFuzzer target: --term-seq.  Arbitrary bytes (cut at the first NUL)
 * parse to 1..RR_KILL_SEQ_MAX real signals ended by a step of signal 0,
 * which, written back as numbers, parse the same; or are refused with the
 * item at fault quoted.
 */
#include <assert.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/termseq.h"

static void check_taken(const struct termseq *q)
{
	char s[RR_KILL_SEQ_MAX * 24], item[64];
	struct termseq back;
	size_t n = 0;

	assert(q->n >= 1 && q->n <= RR_KILL_SEQ_MAX && q->step[q->n].sig == 0);
	for (unsigned k = 0; k < q->n; k++) {
		assert(q->step[k].sig > 0 && q->step[k].sig < NSIG);
		n += (size_t)snprintf(s + n, sizeof s - n, "%s%d,%u", k ? "," : "",
				      q->step[k].sig, q->step[k].ms);
	}
	assert(termseq_parse(s, &back, item, sizeof item) == NULL);
	assert(memcmp(&back, q, sizeof back) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	char item[64] = "";
	struct termseq q;
	const char *why;

	assert(s);
	why = termseq_parse(s, &q, item, sizeof item);
	if (why)
		assert(*why && item[0] == '\'');
	else
		check_taken(&q);
	free(s);
	return 0;
}
