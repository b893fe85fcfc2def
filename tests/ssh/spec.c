/* spec.c - what rr_host_new and rr_ssh accept: host specs, options, and the
 * arguments refused with EINVAL before anything runs.  No server needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

SSH_SUITE(ssh_spec);

static const char *const no_ids[] = {NULL};
#define QUIET_OPTS (&(struct rr_host_opts){.identities = no_ids, .no_agent = true})

Test(ssh_spec, bad_specs_einval)
{
	const char *bad[] = {"", "user@", "@host", "host:", "host:0", "host:99999",
			     "host:22x", "host:-1", "[::1", "[::1]x", "[]:22", "[]",
			     "user@:22"};
	rr_loop *loop = loop_new(NULL);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		rr_host *h = rr_host_new(loop, bad[i], QUIET_OPTS);
		cr_assert_null(h, "'%s' was taken as '%s'", bad[i], h ? rr_host_name(h) : "");
		cr_assert_eq(errno, EINVAL, "'%s': errno %d (%s)", bad[i], errno,
			     strerror(errno));
	}
	errno = 0;
	cr_assert_null(rr_host_new(loop, NULL, QUIET_OPTS));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_host_new(NULL, "localhost", QUIET_OPTS));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_host_new(loop, "localhost", &(struct rr_host_opts){
		.identities = no_ids, .hostkey = (enum rr_hostkey_policy)7}));
	cr_assert_eq(errno, EINVAL);
	free_loop(loop);
}

/* rr_host_name is "host:port" as the header promises, "[addr]:port" for IPv6. */
Test(ssh_spec, names)
{
	struct {
		const char *spec;
		unsigned port;
		const char *name;
	} ok[] = {
		{"localhost", 0, "localhost:22"},
		{"localhost:2222", 0, "localhost:2222"},
		{"someone@localhost:65535", 0, "localhost:65535"},
		{"127.0.0.1:1", 0, "127.0.0.1:1"},
		{"[::1]:22", 0, "[::1]:22"},
		{"[::1]", 0, "[::1]:22"},
		{"me@[::1]:2022", 0, "[::1]:2022"},
		{"a@b@localhost:23", 0, "localhost:23"}, /* user "a@b" */
		{"localhost:99", 2222, "localhost:2222"}, /* opts.port wins */
	};
	rr_loop *loop = loop_new(NULL);
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		rr_host *h = rr_host_new(loop, ok[i].spec, &(struct rr_host_opts){
			.identities = no_ids, .no_agent = true, .port = ok[i].port});
		cr_assert(h, "'%s': %s", ok[i].spec, strerror(errno));
		cr_assert_str_eq(rr_host_name(h), ok[i].name, "'%s'", ok[i].spec);
		rr_host_free(h);
	}
	free_loop(loop);
}

/* Files named in the options are read in rr_host_new: one that cannot be
 * read is its error, not a later task's. */
Test(ssh_spec, unreadable_files)
{
	rr_loop *loop = loop_new(NULL);
	const char *ids[] = {"/nonexistent/id_ed25519", NULL};

	errno = 0;
	cr_assert_null(rr_host_new(loop, "localhost", &(struct rr_host_opts){
		.identities = ids, .no_agent = true}));
	cr_assert_eq(errno, ENOENT, "errno %d", errno);
	errno = 0;
	cr_assert_null(rr_host_new(loop, "localhost", &(struct rr_host_opts){
		.identities = no_ids, .password_file = "/nonexistent/pw"}));
	cr_assert_eq(errno, ENOENT, "errno %d", errno);
	unsetenv("RR_TEST_NO_SUCH_PASSWORD");
	errno = 0;
	cr_assert_null(rr_host_new(loop, "localhost", &(struct rr_host_opts){
		.identities = no_ids, .password_env = "RR_TEST_NO_SUCH_PASSWORD"}));
	cr_assert_eq(errno, ENOENT, "errno %d", errno);
	free_loop(loop);
}

/* rr_ssh refuses what it cannot do remotely, and bad arguments. */
Test(ssh_spec, rr_ssh_einval)
{
	rr_loop *loop = loop_new(NULL);
	rr_loop *other = loop_new(NULL);
	rr_host *h = rr_host_new(loop, "127.0.0.1:1", QUIET_OPTS);
	rr_host *h2 = rr_host_new(other, "127.0.0.1:1", QUIET_OPTS);
	int done = 0;
	struct rr_opts bad[] = {
		{.stdout_mode = RR_IO_INHERIT, .on_done = count_done, .user = &done},
		{.stderr_mode = RR_IO_INHERIT, .on_done = count_done, .user = &done},
		{.flags = RR_F_STDIN_INHERIT, .on_done = count_done, .user = &done},
		{.stdout_mode = RR_IO_MERGE, .on_done = count_done, .user = &done},
		{.stdout_mode = (enum rr_io)42, .on_done = count_done, .user = &done},
	};
	cr_assert(h && h2);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		cr_assert_null(rr_ssh(loop, h, "true", &bad[i]), "options %zu taken", i);
		cr_assert_eq(errno, EINVAL, "options %zu: errno %d", i, errno);
	}
	errno = 0;
	cr_assert_null(rr_ssh(loop, NULL, "true", NULL));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_ssh(loop, h, NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_ssh(NULL, h, "true", NULL));
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_null(rr_ssh(loop, h2, "true", NULL), "a host of another loop");
	cr_assert_eq(errno, EINVAL);
	/* Nothing was queued: the loop has nothing to do, no callback ran. */
	cr_assert_eq(rr_loop_run(loop, RR_RUN_NOWAIT), 0);
	cr_assert_eq(done, 0);
	free_loop(other);
	free_loop(loop);
}

/* rr_task_host: the host of a remote task, NULL for a local one. */
Test(ssh_spec, task_host)
{
	rr_loop *loop = loop_new(NULL);
	rr_host *h = rr_host_new(loop, "127.0.0.1:1", QUIET_OPTS);
	rr_task *local = rr_shell(loop, "true", NULL);
	rr_task *remote = rr_ssh(loop, h, "true", NULL);
	cr_assert(local && remote);
	cr_assert_null(rr_task_host(local));
	cr_assert_eq(rr_task_host(remote), h);
	cr_assert_str_eq(rr_task_title(remote), "true");
	cr_assert_eq(rr_task_result(remote)->status, RR_RUNNING);
	rr_task_free(remote); /* queued: dropped */
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	expect_status(rr_task_result(local), RR_OK, 0);
	free_loop(loop);
}
