/*
 * Fleet mode's hosts in flight: at most -j of them hold a slot, each with
 * its connection (an rr_host), its next input and its channel slots.
 */
#include "hosts/fleet.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "hosts/sshhost.h"
#include "util/xalloc.h"

/* A file the library will read: it must open, and not be a directory. */
static int check_file(const char *option, const char *path, char *err,
		      size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int e = fd < 0 ? errno : fstat(fd, &st) < 0 ? errno :
		S_ISDIR(st.st_mode) ? EISDIR : 0;

	if (fd >= 0)
		close(fd);
	if (e) {
		snprintf(err, errlen, "%s: %s: %s", option, path, strerror(e));
		return -1;
	}
	return 0;
}

int fleet_check(const struct options *o, char *err, size_t errlen)
{
	for (size_t k = 0; k < o->nidentities; k++)
		if (check_file("-i", o->identities[k], err, errlen) < 0)
			return -1;
	if (o->password_file &&
	    check_file("--password-file", o->password_file, err, errlen) < 0)
		return -1;
	if (o->password_env && !getenv(o->password_env)) {
		snprintf(err, errlen, "--password-env: %s: not set", o->password_env);
		return -1;
	}
	return 0;
}

unsigned fleet_wanted(const struct options *o, size_t ninputs)
{
	/* Nothing to run: no host; a list still read: -j of them. */
	size_t n = !ninputs ? 0 : o->hosts.more ? SIZE_MAX : o->hosts.n;

	assert(o->jobs || !o->hosts.more);
	if (o->jobs && o->jobs < n)
		n = o->jobs;
	return n < UINT_MAX ? (unsigned)n : UINT_MAX;
}

void fleet_init(struct fleet *f, rr_loop *loop, const struct options *o,
		size_t ninputs, unsigned nslots)
{
	*f = (struct fleet){
		.loop = loop,
		.o = o,
		.ninputs = ninputs,
		.slot = xcalloc(nslots, sizeof *f->slot),
		.nslots = nslots,
		.free = xcalloc(nslots, sizeof *f->free),
		.finished = xcalloc(nslots, sizeof *f->finished),
		.parking = xcalloc(nslots, sizeof *f->parking),
	};
	/* Slot 0 on top: the first hosts get {%} from 1 up. */
	for (unsigned k = 0; k < f->nslots; k++)
		f->free[f->nfree++] = f->nslots - 1 - k;
}

/* Its own client, or the system ssh (see sshhost.h for which and how). */
static void connect_host(struct fleet *f, struct fleet_host *h)
{
	const struct host_spec *s = &h->spec;
	struct ssh_host sh;
	int e = 0;

	if (f->o->rcmd_exec)
		return; /* its commands run here: nothing to reach */
	ssh_host_init(&sh, f->o, s);
	if (sh.error) {
		e = sh.error;
	} else if (sh.route == ROUTE_NATIVE) {
		h->host = rr_host_new(f->loop, sh.target, &sh.ho);
		e = errno;
	} else {
		h->exec = sshexec_new(f->o, s, sh.config_timeout, sh.name);
	}
	if (!h->host && !h->exec) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "host %s: cannot set up: %s", sh.name, strerror(e));
		h->why = buf_detach(&b);
		h->down = RR_ERROR;
		f->unreachable++;
	}
	ssh_host_free(&sh);
}

struct fleet_host *fleet_start_host(struct fleet *f)
{
	if (!f->nfree || f->next_host == f->o->hosts.n)
		return NULL;
	unsigned k = f->free[--f->nfree];
	struct fleet_host *h = &f->slot[k];

	*h = (struct fleet_host){
		.spec = f->o->hosts.v[f->next_host],
		.idx = f->next_host++,
		.base = k * f->o->per_host,
	};
	slots_init(&h->chans, f->o->per_host);
	connect_host(f, h);
	return h;
}

bool fleet_has_channel(const struct fleet *f, const struct fleet_host *h)
{
	return !h->down && !h->redial && (h->nredo || h->next < f->ninputs) &&
	       h->chans.nfree;
}

size_t fleet_take(struct fleet_host *h, void *owner, unsigned *slot)
{
	*slot = h->base + slots_get(&h->chans, owner);
	h->running++;
	return h->nredo ? h->redo[--h->nredo] : h->next++;
}

bool fleet_skip(struct fleet *f, struct fleet_host *h, size_t *input,
		bool *report)
{
	if (!h->down || (!h->nredo && h->next == f->ninputs))
		return false;
	*input = h->nredo ? h->redo[--h->nredo] : h->next++;
	*report = !h->reported;
	h->reported = true;
	return true;
}

bool fleet_end(struct fleet *f, struct fleet_host *h, unsigned slot,
	       enum rr_status status, bool started)
{
	bool due;

	slots_put(&h->chans, slot - h->base);
	h->running--;
	if (started && !h->reached && !h->down) {
		h->reached = true;
		f->reached++;
	}
	if (!rr_status_unreachable(status))
		return true;
	if (!h->down) {
		h->down = status;
		f->unreachable++;
		if (h->reached)
			f->reached--;
	}
	due = !h->reported;
	h->reported = true;
	return due;
}

unsigned long long fleet_seq(const struct fleet *f, const struct fleet_host *h,
			     size_t input)
{
	return (unsigned long long)h->idx * f->ninputs + input + 1;
}

void fleet_requeue(struct fleet_host *h, unsigned slot, size_t input)
{
	slots_put(&h->chans, slot - h->base);
	h->running--;
	/* Grown at each power of two: no capacity to keep. */
	if ((h->nredo & (h->nredo - 1)) == 0)
		h->redo = xreallocarray(h->redo, h->nredo ? 2 * h->nredo : 1,
					sizeof *h->redo);
	h->redo[h->nredo++] = input;
	h->redial = true;
}

struct fleet_host *fleet_park(struct fleet *f)
{
	struct fleet_host *h;

	if (!f->nparking)
		return NULL;
	h = &f->slot[f->parking[--f->nparking]];
	h->parking = false;
	rr_host_free(h->host);
	h->host = NULL;
	sshexec_free(h->exec);
	h->exec = NULL;
	return h;
}

void fleet_redial(struct fleet *f, struct fleet_host *h)
{
	h->redial = false;
	connect_host(f, h);
}

void fleet_abandon(struct fleet *f, struct fleet_host *h)
{
	h->redial = false;
	if (!h->down) {
		h->down = RR_CONNECT_FAILED;
		f->unreachable++;
		if (h->reached)
			f->reached--;
	}
	h->reported = true; /* its retries said why */
}

void fleet_settle(struct fleet *f, struct fleet_host *h)
{
	if (h->redial) {
		if (!h->running && !h->parking) {
			h->parking = true;
			f->parking[f->nparking++] = (unsigned)(h - f->slot);
		}
		return;
	}
	if (h->finished || h->running || h->nredo || h->next < f->ninputs)
		return;
	h->finished = true;
	f->finished[f->nfinished++] = (unsigned)(h - f->slot);
}

void fleet_retire(struct fleet *f)
{
	while (f->nfinished) {
		unsigned k = f->finished[--f->nfinished];
		struct fleet_host *h = &f->slot[k];

		if (h->host)
			rr_host_free(h->host);
		sshexec_free(h->exec);
		slots_free(&h->chans);
		free(h->why);
		free(h->redo);
		*h = (struct fleet_host){ 0 };
		f->free[f->nfree++] = k;
	}
}

void fleet_free(struct fleet *f)
{
	for (unsigned k = 0; k < f->nslots; k++) {
		sshexec_free(f->slot[k].exec);
		slots_free(&f->slot[k].chans);
		free(f->slot[k].why);
		free(f->slot[k].redo);
	}
	free(f->slot);
	free(f->free);
	free(f->finished);
	free(f->parking);
	*f = (struct fleet){ 0 };
}
