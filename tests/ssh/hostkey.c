/* hostkey.c - the host-key policy against known_hosts: strict refuses an
 * unknown or changed key before any command runs, accept-new records an
 * unknown key as ssh would, off checks nothing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

SSH_SUITE(ssh_hostkey);

/* The host key's "SHA256:..." as ssh-keygen -l prints it. */
static void host_fingerprint(const struct sshd *s, char *fp, size_t size)
{
	char cmd[256], out[512];
	snprintf(cmd, sizeof cmd, "ssh-keygen -lf %s", s->host_pub);
	cr_assert_eq(sh_capture(cmd, out, sizeof out), 0, "%s failed", cmd);
	char *sp = strchr(out, ' ');
	cr_assert(sp, "ssh-keygen -l: '%s'", out);
	size_t n = strcspn(sp + 1, " ");
	cr_assert(n < size);
	memcpy(fp, sp + 1, n);
	fp[n] = 0;
	cr_assert(strncmp(fp, "SHA256:", 7) == 0, "fingerprint '%s'", fp);
}

/* The "ssh-ed25519 AAAA..." of a .pub file. */
static void pub_key(const char *pub, char *key, size_t size)
{
	char *b = read_file(pub, NULL);
	cr_assert(b, "%s", pub);
	char *sp = strchr(b, ' ');
	cr_assert(sp);
	size_t n = (size_t)(sp - b) + 1 + strcspn(sp + 1, " \n");
	cr_assert(n < size);
	memcpy(key, b, n);
	key[n] = 0;
	free(b);
}

Test(ssh_hostkey, unknown_rejected_strict)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], fp[128], marker[160], cmd[256];
	sshd_path(s, "empty_known_hosts", kh, sizeof kh);
	write_file(kh, "", 0);
	host_fingerprint(s, fp, sizeof fp);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.known_hosts = kh, .no_agent = true});
	const struct rr_result *r = run_ssh(loop, h,
		touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
	expect_status_only(r, RR_HOSTKEY_REJECTED);
	expect_contains(r->message, rr_host_name(h));
	expect_contains(r->message, "ssh-ed25519");
	expect_contains(r->message, "SHA256:");
	expect_contains(r->message, fp);
	expect_contains(r->message, "unknown");
	cr_assert_eq(access(marker, F_OK), -1, "the command ran");
	/* Nothing was recorded in strict mode. */
	size_t len = 1;
	free(read_file(kh, &len));
	cr_assert_eq(len, 0, "strict mode wrote to known_hosts");

	/* Every task of that host fails the same way, also later ones. */
	rr_task *t[3];
	for (int i = 0; i < 3; i++)
		t[i] = ssh_task(loop, h, cmd, NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < 3; i++)
		expect_status_only(rr_task_result(t[i]), RR_HOSTKEY_REJECTED);
	cr_assert_eq(access(marker, F_OK), -1, "the command ran");
	free_loop(loop);
}

/* A known_hosts file that does not exist is an empty one. */
Test(ssh_hostkey, missing_file_is_unknown)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], marker[160], cmd[256];
	sshd_path(s, "no/such/known_hosts", kh, sizeof kh);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.known_hosts = kh, .no_agent = true});
	const struct rr_result *r = run_ssh(loop, h,
		touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
	expect_status_only(r, RR_HOSTKEY_REJECTED);
	expect_contains(r->message, "unknown");
	cr_assert_eq(access(marker, F_OK), -1, "the command ran");
	free_loop(loop);
}

/* known_hosts has another key for [addr]:port: refused as changed, in
 * strict and in accept-new mode alike. */
Test(ssh_hostkey, changed_key_rejected)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], other_pub[160], key[256], line[512], marker[160], cmd[256],
		fp[128];
	snprintf(other_pub, sizeof other_pub, "%s.pub", s->other_key);
	pub_key(other_pub, key, sizeof key);
	snprintf(line, sizeof line, "[%s]:%u %s\n", s->addr[0], s->port, key);
	sshd_path(s, "changed_known_hosts", kh, sizeof kh);
	write_file(kh, line, strlen(line));
	host_fingerprint(s, fp, sizeof fp);

	for (int mode = 0; mode < 2; mode++) {
		rr_loop *loop = loop_new(NULL);
		rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
			.known_hosts = kh, .no_agent = true,
			.hostkey = mode ? RR_HOSTKEY_ACCEPT_NEW : RR_HOSTKEY_STRICT});
		const struct rr_result *r = run_ssh(loop, h,
			touch_cmd(s, marker, sizeof marker, cmd, sizeof cmd), NULL);
		expect_status_only(r, RR_HOSTKEY_REJECTED);
		expect_contains(r->message, "changed");
		expect_contains(r->message, fp);
		expect_contains(r->message, rr_host_name(h));
		cr_assert_eq(access(marker, F_OK), -1, "the command ran");
		free_loop(loop);
		/* The file is left as it was. */
		char *now = read_file(kh, NULL);
		cr_assert_str_eq(now, line);
		free(now);
	}
}

/* accept-new: an unknown key is recorded as "[addr]:port ssh-ed25519 ..."
 * (what ssh-keygen -F finds), the command runs, and the file then passes
 * strict mode in a new loop. */
Test(ssh_hostkey, accept_new_records)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160], key[256], name[64], cmd[512], out[2048];
	sshd_path(s, "new_known_hosts", kh, sizeof kh);
	write_file(kh, "", 0);
	pub_key(s->host_pub, key, sizeof key);
	snprintf(name, sizeof name, "[%s]:%u", s->addr[0], s->port);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.known_hosts = kh, .no_agent = true, .hostkey = RR_HOSTKEY_ACCEPT_NEW});
	const struct rr_result *r = run_ssh(loop, h, "echo ran", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "ran\n");
	free_loop(loop);

	char *text = read_file(kh, NULL);
	char want[512];
	snprintf(want, sizeof want, "%s %s", name, key);
	cr_assert(strncmp(text, want, strlen(want)) == 0,
		  "known_hosts is '%s', want a line '%s'", text, want);
	cr_assert(text[strlen(text) - 1] == '\n', "no newline at the end: '%s'", text);
	cr_assert_eq(strchr(text, '\n'), text + strlen(text) - 1, "more than one line: '%s'",
		     text);
	free(text);
	snprintf(cmd, sizeof cmd, "ssh-keygen -F '%s' -f %s", name, kh);
	cr_assert_eq(sh_capture(cmd, out, sizeof out), 0, "%s found nothing", cmd);
	cr_assert(strstr(out, key), "ssh-keygen -F: '%s'", out);

	loop = loop_new(NULL);
	h = host_on(loop, s, 0, &(struct rr_host_opts){.known_hosts = kh,
							.no_agent = true});
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}

/* accept-new for several hosts at once into one file: one whole line each,
 * recorded once (the second connection of a loop finds the key it learned). */
Test(ssh_hostkey, accept_new_many_hosts)
{
	int n = 6;
	struct sshd *s = sshd_start(n, 0, NULL);
	char kh[160], name[64], cmd[512];
	sshd_path(s, "new_known_hosts", kh, sizeof kh);
	write_file(kh, "", 0);

	rr_loop *loop = loop_new(NULL);
	for (int i = 0; i < n; i++) {
		rr_host *h = host_on(loop, s, i, &(struct rr_host_opts){
			.known_hosts = kh, .no_agent = true,
			.hostkey = RR_HOSTKEY_ACCEPT_NEW});
		for (int j = 0; j < 3; j++)
			ssh_task(loop, h, "true", &(struct rr_opts){.flags = RR_F_AUTOFREE});
	}
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	free_loop(loop);

	char *text = read_file(kh, NULL);
	int lines = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, n, "%d lines in known_hosts: '%s'", lines, text);
	free(text);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "[%s]:%u", s->addr[i], s->port);
		snprintf(cmd, sizeof cmd, "ssh-keygen -F '%s' -f %s", name, kh);
		cr_assert_eq(sh_capture(cmd, NULL, 0), 0, "%s found nothing", cmd);
	}

	/* Strict with the file: every host passes. */
	loop = loop_new(NULL);
	rr_task *t[6];
	for (int i = 0; i < n; i++)
		t[i] = ssh_task(loop, host_on(loop, s, i, &(struct rr_host_opts){
			.known_hosts = kh, .no_agent = true}), "true", NULL);
	cr_assert_eq(rr_loop_run(loop, RR_RUN_DEFAULT), 0);
	for (int i = 0; i < n; i++)
		expect_status(rr_task_result(t[i]), RR_OK, 0);
	free_loop(loop);
}

/* off: an empty known_hosts does not stop it, and nothing is written. */
Test(ssh_hostkey, off_connects)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char kh[160];
	sshd_path(s, "empty_known_hosts", kh, sizeof kh);
	write_file(kh, "", 0);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, &(struct rr_host_opts){
		.known_hosts = kh, .no_agent = true, .hostkey = RR_HOSTKEY_OFF});
	const struct rr_result *r = run_ssh(loop, h, "echo ran", NULL);
	expect_status(r, RR_OK, 0);
	expect_capture("stdout", &r->out, "ran\n");
	free_loop(loop);
	size_t len = 1;
	free(read_file(kh, &len));
	cr_assert_eq(len, 0);
}

/* Hashed names (ssh-keygen -H) are matched. */
Test(ssh_hostkey, hashed_known_hosts)
{
	struct sshd *s = sshd_start(1, 0, NULL);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -H -f %s >/dev/null 2>&1", s->known_hosts);
	cr_assert_eq(sh_capture(cmd, NULL, 0), 0);
	char *text = read_file(s->known_hosts, NULL);
	cr_assert(strncmp(text, "|1|", 3) == 0, "not hashed: %s", text);
	free(text);

	rr_loop *loop = loop_new(NULL);
	rr_host *h = host_on(loop, s, 0, NULL);
	expect_status(run_ssh(loop, h, "true", NULL), RR_OK, 0);
	free_loop(loop);
}
