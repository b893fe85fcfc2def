/*
 * ssh_config's %-tokens, ~ and ${VAR}, expanded where ssh expands them and
 * only for the host resolved: a token a place does not take is an error of
 * that host, never of the file (another host's block may hold it).
 */
#include "ssh/ssh.h"
#include "ssh/config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* %C: SHA-1 of %l%h%p%r in hex, as ssh's ssh_connection_hash(). */
static int conn_hash(const struct rr_sshcfg_tokens *t, FILE *f)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	char *text;
	int n = asprintf(&text, "%s%s%u%s", t->this_host, t->hostname, t->port,
			 t->user);

	if (n < 0)
		return -ENOMEM;
	if (!EVP_Digest(text, (size_t)n, md, &len, EVP_sha1(), NULL)) {
		free(text);
		return -ENOMEM;
	}
	free(text);
	for (unsigned k = 0; k < len; k++)
		fprintf(f, "%02x", md[k]);
	return 0;
}

/* One %c among allowed into f; -EINVAL when it is not one. */
static int token(char c, const struct rr_sshcfg_tokens *t, const char *allowed,
		 FILE *f)
{
	if (c == '%') {
		putc('%', f);
		return 0;
	}
	if (!strchr(allowed, c))
		return -EINVAL;
	switch (c) {
	case 'C': return conn_hash(t, f);
	case 'L': fprintf(f, "%.*s", (int)strcspn(t->this_host, "."), t->this_host);
		break;
	case 'd': fputs(t->home, f); break;
	case 'h': fputs(t->hostname, f); break;
	case 'i': fprintf(f, "%u", t->uid); break;
	case 'k': fputs(t->key_alias ? t->key_alias : t->alias, f); break;
	case 'l': fputs(t->this_host, f); break;
	case 'n': fputs(t->alias, f); break;
	case 'p': fprintf(f, "%u", t->port); break;
	case 'r': fputs(t->user, f); break;
	case 'u': fputs(t->local_user, f); break;
	default: return -EINVAL;
	}
	return 0;
}

/* ${NAME} at s into f; how far it reached, or NULL with why set. */
static const char *variable(const char *s, FILE *f, char *why, size_t whylen)
{
	const char *end = strchr(s + 2, '}');
	char name[256];
	const char *value;

	if (!end || end == s + 2 || (size_t)(end - s - 2) >= sizeof name) {
		snprintf(why, whylen, "%s", !end ? "'${' without '}'" :
			 end == s + 2 ? "'${}'" : "a ${VAR} name too long");
		return NULL;
	}
	memcpy(name, s + 2, (size_t)(end - s - 2));
	name[end - s - 2] = '\0';
	if (!(value = getenv(name))) {
		snprintf(why, whylen, "${%s} is not set", name);
		return NULL;
	}
	fputs(value, f);
	return end;
}

int rr__sshcfg_expand(const char *raw, const struct rr_sshcfg_tokens *t,
		      const char *allowed, bool file, char **out, char *why,
		      size_t whylen)
{
	size_t size;
	FILE *f = open_memstream(out, &size);
	const char *s = raw;
	int r = 0;

	if (!f)
		return -ENOMEM;
	if (file && s[0] == '~' && (s[1] == '/' || !s[1])) {
		fputs(t->home, f);
		s++;
	}
	for (; *s && r == 0; s++) {
		if (file && s[0] == '$' && s[1] == '{') {
			if (!(s = variable(s, f, why, whylen)))
				r = -EINVAL;
		} else if (*s != '%') {
			putc(*s, f);
		} else if (!s[1]) {
			snprintf(why, whylen, "'%%' at the end");
			r = -EINVAL;
		} else if ((r = token(*++s, t, allowed, f)) == -EINVAL) {
			snprintf(why, whylen, "unknown token %%%c", *s);
		}
	}
	if (ferror(f) && r == 0)
		r = -ENOMEM;
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}
