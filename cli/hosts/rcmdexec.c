/* pdsh -R exec's argv: its %h %u %n %% in each word. */
#include "hosts/rcmdexec.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

static void expand(struct buf *b, const char *w, const struct rcmd_host *h)
{
	for (; *w; w++) {
		if (w[0] != '%' || !w[1] || !strchr("hun%", w[1])) {
			buf_addc(b, *w);
			continue;
		}
		w++;
		if (*w == 'h')
			buf_adds(b, h->host);
		else if (*w == 'u')
			buf_adds(b, h->user);
		else if (*w == 'n')
			buf_printf(b, "%zu", h->rank);
		else
			buf_addc(b, '%');
	}
	buf_addc(b, '\0');
}

char **rcmdexec_argv(char *const *words, size_t n, const struct rcmd_host *h)
{
	struct buf text = BUF_INIT;
	size_t *at = xreallocarray(NULL, n ? n : 1, sizeof *at);
	char **argv, *s;

	assert(h->host[0] != '-' && h->user[0] != '-');
	for (size_t k = 0; k < n; k++) {
		at[k] = text.len;
		expand(&text, words[k], h);
	}
	argv = xreallocarray(NULL, 1, (n + 1) * sizeof *argv + text.len);
	s = (char *)(argv + n + 1);
	if (text.len)
		memcpy(s, text.data, text.len);
	for (size_t k = 0; k < n; k++)
		argv[k] = s + at[k];
	argv[n] = NULL;
	free(at);
	buf_free(&text);
	return argv;
}
