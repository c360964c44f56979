/* test_oci_lookup.c: the program lookup at create (oci_lookup.h) in a made-up rootfs: runc's
 * answers and words, symlinks kept inside the rootfs, mounts and other unknowns let through. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/oci_bundle.h"
#include "host/oci_lookup.h"

static char bundle[] = "/tmp/kdune-oci-lookup.XXXXXX";

static void file_at(const char *rel, mode_t mode)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/rootfs/%s", bundle, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
}

static void dir_at(const char *rel)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/rootfs/%s", bundle, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void link_at(const char *rel, const char *target)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/rootfs/%s", bundle, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* rootfs/: bin/busybox, bin/sh -> busybox, usr/bin -> /bin, escape -> ../../../../usr/bin,
 * hostenv -> /usr/bin/env, data (not executable), etc/, srv/app, run/, var/run -> /run,
 * loop1 <-> loop2. */
static int setup(void **state)
{
	assert_non_null(mkdtemp(bundle));
	dir_at("");
	dir_at("bin");
	dir_at("usr");
	dir_at("etc");
	dir_at("srv");
	dir_at("run");
	dir_at("var");
	file_at("bin/busybox", 0755);
	file_at("data", 0644);
	file_at("srv/app", 0700);
	link_at("bin/sh", "busybox");
	link_at("usr/bin", "/bin");
	link_at("escape", "../../../../usr/bin");
	link_at("hostenv", "/usr/bin/env");
	link_at("var/run", "/run");
	link_at("loop1", "loop2");
	link_at("loop2", "loop1");
	return 0;
}

static int teardown(void **state)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bundle);
	return system(cmd);
}

/* check("[\"sh\"]", "PATH=/bin", "/", "[]"): kd_oci_check_program on such a config; err
 * gets the message ("" when found). */
static int check(const char *args, const char *env, const char *cwd, const char *mounts, char *err,
		 size_t len)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "{\"process\":{\"args\":%s,\"env\":[%s%s%s],\"cwd\":\"%s\"},\"root\":{\"path\":"
		 "\"rootfs\"},\"mounts\":%s}",
		 args, env ? "\"" : "", env ? env : "", env ? "\"" : "", cwd, mounts);
	struct json_object *cfg = json_tokener_parse(text);
	assert_non_null(cfg);
	err[0] = 0;
	int r = kd_oci_check_program(cfg, bundle, err, len);
	assert_true(r == 0 || (r == -1 && err[0] && !strchr(err, '\n')));
	json_object_put(cfg);
	return r;
}

#define PATHS "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void expect(const char *args, const char *want)
{
	char err[512];
	int r = check(args, PATHS, "/", "[]", err, sizeof(err));
	if (!want) {
		if (r)
			fail_msg("%s: refused: %s", args, err);
		return;
	}
	assert_int_equal(r, -1);
	assert_string_equal(err, want);
}

#define PRE "unable to start container process: exec: "

static void test_oci_lookup_path_search(void **state)
{
	expect("[\"sh\"]", NULL);      /* /usr/bin/sh: /usr/bin -> /bin, sh -> busybox */
	expect("[\"busybox\"]", NULL); /* /bin */
	expect("[\"nosuch\",\"x\"]", PRE "\"nosuch\": executable file not found in $PATH");
	expect("[\"data\"]", PRE "\"data\": executable file not found in $PATH");
}

static void test_oci_lookup_paths_with_slash(void **state)
{
	expect("[\"/bin/sh\"]", NULL);
	expect("[\"/usr/bin/busybox\"]", NULL);
	expect("[\"/bin/nosuch\"]",
	       PRE "\"/bin/nosuch\": stat /bin/nosuch: no such file or directory");
	expect("[\"/data/x\"]", PRE "\"/data/x\": stat /data/x: not a directory");
	expect("[\"/data\"]", PRE "\"/data\": permission denied");
	expect("[\"/etc\"]", PRE "\"/etc\": permission denied");
}

/* Symlinks resolve inside the rootfs, never to the host's files of the same name. */
static void test_oci_lookup_stays_in_rootfs(void **state)
{
	assert_int_equal(access("/usr/bin/env", X_OK), 0); /* the host has it, the rootfs not */
	expect("[\"/escape/sh\"]", NULL);
	expect("[\"/../../../bin/sh\"]", NULL);
	expect("[\"/usr/bin/env\"]",
	       PRE "\"/usr/bin/env\": stat /usr/bin/env: no such file or directory");
	expect("[\"/hostenv\"]", PRE "\"/hostenv\": stat /hostenv: no such file or directory");
	expect("[\"/escape/../../../usr/bin/env\"]",
	       PRE "\"/escape/../../../usr/bin/env\": stat /escape/../../../usr/bin/env: no such "
		   "file or directory");
}

static void test_oci_lookup_relative_to_cwd(void **state)
{
	char err[512];
	assert_int_equal(check("[\"./app\"]", PATHS, "/srv", "[]", err, sizeof(err)), 0);
	assert_int_equal(check("[\"app\"]", "PATH=:/bin", "/srv", "[]", err, sizeof(err)), 0);
	assert_int_equal(check("[\"../bin/sh\"]", PATHS, "/srv", "[]", err, sizeof(err)), 0);
	assert_int_equal(check("[\"./nope\"]", PATHS, "/srv", "[]", err, sizeof(err)), -1);
	assert_string_equal(err, PRE "\"./nope\": stat ./nope: no such file or directory");
	/* a cwd that does not exist yet (runc makes it) holds nothing */
	assert_int_equal(check("[\"./app\"]", PATHS, "/new/dir", "[]", err, sizeof(err)), -1);
}

/* What runc mounts later may hold the program: never refused. */
static void test_oci_lookup_mounts_let_through(void **state)
{
	char err[512];
	const char *m = "[{\"destination\":\"/opt\"},{\"destination\":\"/var/run\"},"
			"{\"destination\":\"proc\"}]";
	assert_int_equal(check("[\"/opt/app\"]", PATHS, "/", m, err, sizeof(err)), 0);
	assert_int_equal(check("[\"app\"]", "PATH=/bin:/opt/bin", "/", m, err, sizeof(err)), 0);
	/* /var/run -> /run in the rootfs: runc mounts it at /run */
	assert_int_equal(check("[\"/run/app\"]", PATHS, "/", m, err, sizeof(err)), 0);
	assert_int_equal(check("[\"/proc/self/exe\"]", PATHS, "/", m, err, sizeof(err)), 0);
	assert_int_equal(check("[\"/srv/nope\"]", PATHS, "/", m, err, sizeof(err)), -1);
}

static void test_oci_lookup_unknown_let_through(void **state)
{
	char err[512];
	/* no PATH: runc's own lookup decides */
	assert_int_equal(check("[\"nosuch\"]", NULL, "/", "[]", err, sizeof(err)), 0);
	/* a symlink loop: ELOOP is runc's to report */
	assert_int_equal(check("[\"/loop1/x\"]", PATHS, "/", "[]", err, sizeof(err)), 0);
	/* no rootfs, or no root */
	struct json_object *cfg = json_tokener_parse(
	    "{\"process\":{\"args\":[\"nosuch\"],\"env\":[\"PATH=/bin\"]},\"root\":{\"path\":"
	    "\"/nonexistent\"}}");
	assert_int_equal(kd_oci_check_program(cfg, bundle, err, sizeof(err)), 0);
	json_object_object_del(cfg, "root");
	assert_int_equal(kd_oci_check_program(cfg, bundle, err, sizeof(err)), 0);
	json_object_put(cfg);
}

/* An edited config: the program is the word after kdune's "--". */
static void test_oci_lookup_after_kdune_prefix(void **state)
{
	expect("[\"/.kdune/kdune\",\"run\",\"-v\",\"--\",\"sh\",\"-c\",\"x\"]", NULL);
	expect("[\"/.kdune/kdune\",\"run\",\"--\",\"nosuch\"]",
	       PRE "\"nosuch\": executable file not found in $PATH");
}

/* At create: a missing program fails with the bundle untouched; an opted-out container is
 * left to runc. */
static void test_oci_lookup_at_create(void **state)
{
	static const struct kd_oci_host host = {"/k", "/d", 1, 10, 232, NULL};
	char path[4200], err[512] = "";
	const char *cfgs[] = {
	    "{\"process\":{\"args\":[\"nosuch\"],\"env\":[\"" PATHS "\"]},\"root\":{\"path\":"
	    "\"rootfs\"}}",
	    "{\"process\":{\"args\":[\"nosuch\"],\"env\":[\"" PATHS "\"]},\"root\":{\"path\":"
	    "\"rootfs\"},\"annotations\":{\"org.kdune.enable\":\"false\"}}"};
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(path, "w");
		fputs(cfgs[i], f);
		fclose(f);
		assert_int_equal(kd_oci_edit_bundle(bundle, &host, err, sizeof(err)), i ? 0 : -1);
		char buf[1024] = "";
		f = fopen(path, "r");
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = 0;
		fclose(f);
		assert_string_equal(buf, cfgs[i]);
	}
	assert_string_equal(err, PRE "\"nosuch\": executable file not found in $PATH");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oci_lookup_path_search),
	    cmocka_unit_test(test_oci_lookup_paths_with_slash),
	    cmocka_unit_test(test_oci_lookup_stays_in_rootfs),
	    cmocka_unit_test(test_oci_lookup_relative_to_cwd),
	    cmocka_unit_test(test_oci_lookup_mounts_let_through),
	    cmocka_unit_test(test_oci_lookup_unknown_let_through),
	    cmocka_unit_test(test_oci_lookup_after_kdune_prefix),
	    cmocka_unit_test(test_oci_lookup_at_create),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
