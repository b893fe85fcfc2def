/*
 * copy_put.c - the copy workloads' library row: rr_put() of one file to
 * every host at once, with one key and one known_hosts (strict checking,
 * no agent): what `ringrun --copy` does, without the command line.
 *
 *   copy_put [-r] -i KEY -k KNOWN_HOSTS SRC DEST ADDR:PORT[,ADDR:PORT]...
 *
 * -r copies a directory and all it holds (RR_XFER_RECURSIVE).
 * Exit status 0 when every copy ended RR_OK; 1 when one did not (each
 * failure's message on stderr); 2 for bad usage or a call that could not
 * begin (rr_host_new, rr_put).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ringrun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: copy_put [-r] -i KEY -k KNOWN_HOSTS SRC DEST "
			"ADDR:PORT[,ADDR:PORT]...\n");
	exit(2);
}

/* rr_put() of src to dest on every host of the comma-separated list. */
static int put_all(rr_loop *loop, rr_group *group, unsigned flags,
		   const char *key, const char *known_hosts, const char *src, const char *dest,
		   char *hosts)
{
	const char *ids[] = { key, NULL };
	const struct rr_host_opts hopts = {
		.identities = ids,
		.no_agent = true,
		.known_hosts = known_hosts,
	};
	const struct rr_xfer_opts xopts = { .group = group, .flags = flags };
	char *save = NULL;

	for (char *spec = strtok_r(hosts, ",", &save); spec;
	     spec = strtok_r(NULL, ",", &save)) {
		rr_host *host = rr_host_new(loop, spec, &hopts);

		if (!host) {
			fprintf(stderr, "copy_put: host %s: %s\n", spec, strerror(errno));
			return -1;
		}
		if (!rr_put(loop, host, src, dest, &xopts)) {
			fprintf(stderr, "copy_put: rr_put %s to %s:%s: %s\n", src,
				spec, dest, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *key = NULL, *known_hosts = NULL;
	unsigned flags = 0;
	int c, status = 0;

	while ((c = getopt(argc, argv, "ri:k:")) != -1) {
		if (c == 'r')
			flags |= RR_XFER_RECURSIVE;
		else if (c == 'i')
			key = optarg;
		else if (c == 'k')
			known_hosts = optarg;
		else
			usage();
	}
	if (!key || !known_hosts || argc - optind != 3)
		usage();

	rr_loop *loop = rr_loop_new(NULL);
	rr_group *group = loop ? rr_group_new(loop) : NULL;

	if (!group) {
		perror("copy_put: rr_loop_new");
		return 2;
	}
	if (put_all(loop, group, flags, key, known_hosts, argv[optind],
		    argv[optind + 1], argv[optind + 2]) < 0) {
		rr_loop_free(loop);
		return 2;
	}
	int err = rr_group_wait(group);
	size_t nfailed = rr_group_failed(group, NULL, 0);
	rr_task **failed = calloc(nfailed ? nfailed : 1, sizeof(*failed));

	if (err < 0 || !failed) {
		fprintf(stderr, "copy_put: %s\n", strerror(err < 0 ? -err : ENOMEM));
		status = 2;
	} else if (nfailed) {
		rr_group_failed(group, failed, nfailed);
		for (size_t i = 0; i < nfailed; i++)
			fprintf(stderr, "copy_put: %s\n", rr_task_result(failed[i])->message);
		status = 1;
	}
	free(failed);
	rr_loop_free(loop);
	return status;
}
