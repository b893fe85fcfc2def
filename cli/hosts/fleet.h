/*
 * Fleet mode's hosts in flight: at most -j of them hold a slot, each with
 * its connection (an rr_host), its next input and its channel slots (at
 * most --per-host tasks at once).  A host that cannot be reached - connect,
 * host key or login - is down: its failure is reported once, and its tasks
 * not handed over yet are never tried.
 */
#ifndef CLI_FLEET_H
#define CLI_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ringrun.h>

#include "hosts/hosts.h"
#include "options.h"
#include "jobs/slots.h"
#include "hosts/sshexec.h"

struct fleet_host {
	struct host_spec spec; /* a copy: the list may grow meanwhile; its
				  strings are the list's (name NULL: the slot
				  is free) */
	size_t idx;          /* in the host list */
	rr_host *host;       /* NULL: through the system ssh, or it could not
				be set up (see why) */
	struct sshexec *exec; /* through the system ssh: its argv */
	size_t next;         /* the next input to hand over */
	unsigned running;    /* tasks handed over and not ended */
	struct slots chans;  /* a slot per task at once; owners: the jobs */
	unsigned base;       /* {%} = base + channel slot */
	enum rr_status down; /* RR_RUNNING while it is up, else why not */
	char *why;           /* the failure line when it could not be set up */
	bool reached;        /* a command of it started */
	bool reported;       /* its failure line is out */
	bool finished;       /* nothing left to do: waiting for fleet_retire */
	/* --retries: a connection that failed before its commands started. */
	size_t *redo, nredo; /* inputs to hand over again, before next */
	unsigned attempts;   /* connections that failed and were retried */
	uint64_t retry_ms;   /* the wait before the next one */
	bool redial;         /* connect again once none of its tasks runs */
	bool parking;        /* queued for fleet_park */
};

struct fleet {
	rr_loop *loop;
	const struct options *o;
	size_t ninputs;            /* tasks per host */
	struct fleet_host *slot;   /* nslots of them */
	unsigned nslots;
	unsigned *free, nfree;     /* free slots, a stack */
	unsigned *finished, nfinished;
	unsigned *parking, nparking; /* --retries: hosts to fleet_park */
	size_t next_host;          /* into o->hosts */
	uint64_t reached, unreachable;
};

/* The key and password files must be readable.  Returns 0, or -1 with
   "<option>: <what>: <why>" in err. */
int fleet_check(const struct options *o, char *err, size_t errlen);

/*
 * What a host in flight holds open: its connection's socket.  Beside the
 * hosts, a run holds FLEET_FDS_RESERVED: stdio, the ring and its eventfd,
 * /dev/null, the --outdir, --joblog and --failed files, what a host's
 * set-up opens for a moment (known_hosts, keys, name resolution) and an
 * ssh-agent socket per handshake in progress.
 */
#define FLEET_FDS_PER_HOST 1
#define FLEET_FDS_RESERVED 32

/* The hosts at once o asks for (-j; 0: all, and no more may come:
   o->hosts.more is false), with ninputs tasks on each. */
unsigned fleet_wanted(const struct options *o, size_t ninputs);

/* At most nslots hosts at once, ninputs tasks on each. */
void fleet_init(struct fleet *f, rr_loop *loop, const struct options *o,
		size_t ninputs, unsigned nslots);

/*
 * Put the next host in a free slot and set it up (name resolution blocks:
 * never call this from a callback).  A host that cannot be set up is down
 * from the start.  NULL: no slot is free or no host is left (yet).
 */
struct fleet_host *fleet_start_host(struct fleet *f);

/* Can a task of h start now: up, an input left and a channel free? */
bool fleet_has_channel(const struct fleet *f, const struct fleet_host *h);

/* Hand over h's next input: its number, and in *slot its {%}. */
size_t fleet_take(struct fleet_host *h, void *owner, unsigned *slot);

/*
 * h is down: its next input, never to be tried, or false when none is
 * left.  *report: its failure line (h->why) is still due.
 */
bool fleet_skip(struct fleet *f, struct fleet_host *h, size_t *input,
		bool *report);

/*
 * A task of h that had slot ended with status; started: its command began
 * on the host.  Returns whether its failure line is still due (false for
 * the second failure of a host that is down).
 */
bool fleet_end(struct fleet *f, struct fleet_host *h, unsigned slot,
	       enum rr_status status, bool started);

/*
 * --retries: a task of h that had slot ended before its command started,
 * as its connection failed: its input is handed over again on a new
 * connection.  h takes no task until then.
 */
void fleet_requeue(struct fleet_host *h, unsigned slot, size_t input);

/*
 * --retries: a host whose connection is to be set up again once none of
 * its tasks runs; its rr_host is freed (not from a callback).  NULL: none.
 */
struct fleet_host *fleet_park(struct fleet *f);

/* Set a parked host up again (not from a callback: name resolution). */
void fleet_redial(struct fleet *f, struct fleet_host *h);

/* A parked host gets no new connection: it is down, unreachable. */
void fleet_abandon(struct fleet *f, struct fleet_host *h);

/* The sequence number of h's task for input ({#}). */
unsigned long long fleet_seq(const struct fleet *f, const struct fleet_host *h,
			     size_t input);

/* When h has nothing left to do, queue it for fleet_retire. */
void fleet_settle(struct fleet *f, struct fleet_host *h);

/* Close the connections of the hosts that finished and free their slots
   (not from a callback). */
void fleet_retire(struct fleet *f);

void fleet_free(struct fleet *f);

#endif
