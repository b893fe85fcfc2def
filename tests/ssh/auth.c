/* auth.c - user authentication: key files in order, a refused key, no key,
 * and keys from an ssh-agent (a local socket libssh2 talks to through the
 * library's send/recv callbacks). */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_auth);

/* Who sessions log in as by default: the current user. */
static const char *me(void)
{
	struct passwd *pw = getpwuid(geteuid());
	cr_assert(pw);
	return pw->pw_name;
}

Test(ssh_auth, wrong_key_refused)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char marker[160], cmd[256];
	const char *ids[] = {s->other_key, NULL};
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.identities = ids, .no_agent = true});

	const struct rr_result *r = run_ssh(loop, h,
		touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, s->other_key); /* what was tried */
	expect_contains(r->message, "publickey");  /* what the server takes */
	expect_contains(r->message, me());         /* as whom */
	cr_assert_eq(access(marker, F_OK), -1, "the command ran");
	cr_assert_eq(sshd_log_count(s, "Accepted publickey"), 0);
	free_loop(loop);
}

/* No key at all (an empty list, no agent): refused, saying nothing was tried. */
Test(ssh_auth, no_key_refused)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *ids[] = {NULL};
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.identities = ids, .no_agent = true});

	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, "nothing");
	free_loop(loop);
}

/* Keys are offered in order until one is accepted. */
Test(ssh_auth, second_key_accepted)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *ids[] = {s->other_key, s->client_key, NULL};
	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.identities = ids, .no_agent = true});

	const struct rr_result *r = run_ssh(loop, h, "echo in", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "in\n");
	cr_assert_eq(sshd_log_count(s, "Accepted publickey"), 1);
	free_loop(loop);
}

/* The user of the spec ("user@addr:port") and of the options are used. */
Test(ssh_auth, user_from_spec_and_options)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *ids[] = {s->client_key, NULL};
	char spec[160], want[64];
	rr_loop *loop = loop_new(NULL);

	snprintf(spec, sizeof spec, "%s@%s:%u", me(), s->addr[0], s->port);
	rr_host *h = rr_host_new(loop, spec, &(struct rr_host_opts){
		.identities = ids, .no_agent = true, .known_hosts = s->known_hosts});
	cr_assert(h);
	const struct rr_result *r = run_ssh(loop, h, "id -un", NULL);
	expect_status(r, RR_OK, 0);
	snprintf(want, sizeof want, "%s\n", me());
	expect_capture("stdout", &r->out, want);

	/* A user that does not exist: refused, the message names it. */
	snprintf(spec, sizeof spec, "nosuchuser-rr@%s:%u", s->addr[0], s->port);
	h = rr_host_new(loop, spec, &(struct rr_host_opts){
		.identities = ids, .no_agent = true, .known_hosts = s->known_hosts});
	cr_assert(h);
	r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, "nosuchuser-rr");

	/* opts.user wins over the spec's. */
	h = rr_host_new(loop, spec, &(struct rr_host_opts){
		.user = me(), .identities = ids, .no_agent = true,
		.known_hosts = s->known_hosts});
	cr_assert(h);
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* An ssh-agent holding key, at DIR/agent.sock; SSH_AUTH_SOCK points at it. */
static void start_agent(const struct sshd *s, const char *key)
{
	char sock[160], cmd[512], out[512];
	sshd_path(s, "agent.sock", sock, sizeof sock);
	bg_start("ssh-agent -D -a \"$1\" >/dev/null 2>&1 & a=$!\n"
		 "read -r x; kill $a; wait $a",
		 "rr-ssh-agent", sock, NULL);
	snprintf(cmd, sizeof cmd, "SSH_AUTH_SOCK=%s ssh-add -q %s 2>&1", sock, key);
	uint64_t end = now_ns() + (uint64_t)HANG_GUARD_MS * 1000000u;
	int rc;
	while ((rc = sh_capture(cmd, out, sizeof out)) != 0 && now_ns() < end)
		pause_ms(20);
	cr_assert_eq(rc, 0, "ssh-add: %s", out);
	setenv("SSH_AUTH_SOCK", sock, 1);
}

/* The agent's key is used when the key files are refused; with no_agent
 * the agent is not asked. */
Test(ssh_auth, agent_key)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	const char *ids[] = {s->other_key, NULL};
	start_agent(s, s->client_key);
	rr_loop *loop = loop_new(NULL);

	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){.identities = ids});
	const struct rr_result *r = run_ssh(loop, h, "echo agent", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "agent\n");

	h = host_on(loop, s, 0, &(struct rr_host_opts){.identities = ids,
							.no_agent = true});
	r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	cr_assert_null(strstr(r->message, "agent"), "the agent was asked: %s", r->message);
	free_loop(loop);
}

/* An agent whose key is refused, then a key file that is accepted; and both
 * refused: the message lists the agent and the file. */
Test(ssh_auth, agent_refused_then_file)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	start_agent(s, s->other_key);
	rr_loop *loop = loop_new(NULL);

	const char *good[] = {s->client_key, NULL};
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){.identities = good});
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);

	const char *bad[] = {s->other_key, NULL};
	h = host_on(loop, s, 0, &(struct rr_host_opts){.identities = bad});
	const struct rr_result *r = run_ssh(loop, h, "true", NULL);
	expect_status_only(r, RR_AUTH_FAILED);
	expect_contains(r->message, "agent");
	expect_contains(r->message, s->other_key);
	free_loop(loop);
}
