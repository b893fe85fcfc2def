/* cli/copy/copy.c: where each SRC goes, what is refused before a
   connection, and what a copy's entries add up to. */
#define _GNU_SOURCE /* asprintf */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/copy.h"
#include "files.h"
#include "parse.h"

static struct options o;
static char err[512];

#define PARSE(...) cr_assert_eq(PARSE_OPTIONS(&o, err, __VA_ARGS__), 0, "%s", err)

/* Where src goes with host h, then the options are freed. */
static void expect_dst(const char *src, const char *host, const char *want)
{
	struct copy *c = copy_new(&o, src, host);

	cr_assert_str_eq(c->dst, want, "%s", src);
	copy_free(c);
}

Test(unit_copy, put_destinations)
{
	char cwd[PATH_MAX], *want;

	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	/* no --dest: the SRC's own directory, absolute, as clush takes it */
	PARSE("--copy", "/etc/hosts", "rel/f", "g", "/top", "/etc/dir//", "-w", "h");
	expect_dst("/etc/hosts", "h", "/etc/");
	expect_dst("/top", "h", "/");
	expect_dst("/etc/dir//", "h", "/etc/");
	cr_assert_gt(asprintf(&want, "%s/rel/", strcmp(cwd, "/") ? cwd : ""), 0);
	expect_dst("rel/f", "h", want);
	free(want);
	cr_assert_gt(asprintf(&want, "%s/", strcmp(cwd, "/") ? cwd : ""), 0);
	expect_dst("g", "h", want);
	free(want);
	options_free(&o);
	/* one SRC: --dest as given (cp's rule: a directory, or the new name) */
	PARSE("--copy", "/etc/hosts", "--dest", "/tmp/new", "-w", "h");
	expect_dst("/etc/hosts", "h", "/tmp/new");
	options_free(&o);
	/* several: always a directory, never all of them under one name */
	PARSE("--copy", "a", "b", "--dest", "/srv", "-w", "h");
	expect_dst("a", "h", "/srv/");
	options_free(&o);
}

Test(unit_copy, rcopy_names_name_dot_host)
{
	PARSE("--rcopy", "/var/log/syslog", "--dest", "out", "-w", "h");
	expect_dst("/var/log/syslog", "root@web1:2222", "out/syslog.root@web1:2222");
	expect_dst("/etc/app/", "[::1]", "out/app.[::1]");
	options_free(&o);
	PARSE("--rcopy", "/var/log/syslog", "--dest", "out/", "-w", "h");
	expect_dst("/var/log/syslog", "web1", "out/syslog.web1");
	options_free(&o);
	/* no --dest: beside where SRC is, here */
	PARSE("--rcopy", "/var/log/syslog", "-w", "h");
	expect_dst("/var/log/syslog", "web1", "/var/log/syslog.web1");
	options_free(&o);
}

static void expect_refused(const char *want)
{
	cr_assert_eq(copy_check(&o, err, sizeof err), -1);
	cr_assert_str_eq(err, want);
	options_free(&o);
}

Test(unit_copy, checks_before_connecting)
{
	char dir[] = "/tmp/rr-unit-copy-XXXXXX", want[512], *f, *sub, *missing;

	cr_assert_not_null(mkdtemp(dir));
	f = strdup(file_in(dir, "f", "x"));
	cr_assert_gt(asprintf(&sub, "%s/sub", dir), 0);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_gt(asprintf(&missing, "%s/missing", dir), 0);

	PARSE("--copy", f, "-r", sub, "-w", "h");
	cr_assert_eq(copy_check(&o, err, sizeof err), 0, "%s", err);
	options_free(&o);
	PARSE("--copy", f, missing, "-w", "h");
	snprintf(want, sizeof want, "%s: No such file or directory", missing);
	expect_refused(want);
	PARSE("--copy", sub, "-w", "h");
	snprintf(want, sizeof want, "%s: is a directory (-r copies directories)", sub);
	expect_refused(want);
	PARSE("--copy", "/", "-w", "h");
	expect_refused("/: names no file");
	PARSE("--rcopy", "..", "-w", "h");
	expect_refused("..: names no file (give the directory's own path)");
	/* --rcopy's SRCs are the hosts': not looked at here; its --dest is */
	PARSE("--rcopy", missing, "--dest", dir, "-w", "h");
	cr_assert_eq(copy_check(&o, err, sizeof err), 0, "%s", err);
	options_free(&o);
	PARSE("--rcopy", "x", "--dest", f, "-w", "h");
	snprintf(want, sizeof want, "--dest: %s: not a directory", f);
	expect_refused(want);
	PARSE("--rcopy", "x", "--dest", missing, "--mkdirs", "-w", "h");
	cr_assert_eq(copy_check(&o, err, sizeof err), 0, "%s", err);
	options_free(&o);

	unlink(f);
	rmdir(sub);
	rmdir(dir);
	free(f);
	free(sub);
	free(missing);
}

Test(unit_copy, entries_and_progress)
{
	struct copy *c;
	uint64_t d, t;

	PARSE("--copy", "/a", "-w", "h");
	c = copy_new(&o, "/a", "h");
	copy_file(c, &(struct rr_xfer_file){ .src = "/a", .dst = "/a", .type = 'd',
					    .message = "" });
	copy_file(c, &(struct rr_xfer_file){ .src = "/a/f", .dst = "/a/f", .type = 'f',
					    .bytes = 10, .message = "" });
	copy_file(c, &(struct rr_xfer_file){ .src = "/a/l", .dst = "/a/l", .type = 'l',
					    .message = "" });
	copy_file(c, &(struct rr_xfer_file){ .src = "/a/g", .dst = "/a/g", .type = 'f',
					    .err = -13, .message = "host h:22: /a/g: permission denied" });
	cr_assert_eq(c->files, 1);
	cr_assert_eq(c->dirs, 1);
	cr_assert_eq(c->links, 1);
	cr_assert_eq(c->bytes, 10);
	cr_assert_eq(c->nfailed, 1);
	cr_assert_str_eq(c->failed[0].dst, "/a/g");
	cr_assert_str_eq(c->failed[0].message, "host h:22: /a/g: permission denied");
	copy_progress(c, 4, 10, &d, &t);
	cr_assert(d == 4 && t == 10);
	copy_progress(c, 10, 30, &d, &t); /* the total grows as a tree is found */
	cr_assert(d == 6 && t == 20);
	copy_free(c);
	options_free(&o);
}
