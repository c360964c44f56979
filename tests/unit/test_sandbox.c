/*
 * test_sandbox.c: --rw (Landlock), --sandbox's capability drop and the order in which
 * kd_sandbox_early/late apply everything, checked natively in child processes: the same
 * host code confines kdune's own process before the program starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/fsrules.h"
#include "engine/policy.h"
#include "host/sandbox.h"

static char inside[64], outside[64];

static int setup(void **state)
{
	strcpy(inside, "/tmp/kdune-rw-in-XXXXXX");
	strcpy(outside, "/var/tmp/kdune-rw-out-XXXXXX");
	if (!mkdtemp(inside) || !mkdtemp(outside))
		return -1;
	char f[128];
	snprintf(f, sizeof(f), "%s/old", outside);
	int fd = open(f, O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || write(fd, "data", 4) != 4)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", inside, outside);
	return system(cmd) == 0 ? 0 : -1;
}

/* errno of creating path (0: it worked). */
static int create(const char *dir, const char *name)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int in(const char *dir, const char *name, char *buf)
{
	sprintf(buf, "%s/%s", dir, name);
	return 0;
}

/* The checks run in a child, which reports the first that failed as its exit code. */
static int rw_child(void)
{
	char err[256], a[160], b[160];
	const char *paths[] = {inside};
	if (kd_fs_writable_only(paths, 1, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 10;
	}
	if (create(inside, "new"))
		return 11;
	if (create(outside, "new") != EACCES)
		return 12;
	in(outside, "old", a);
	if (open(a, O_RDONLY) < 0) /* reading is not restricted */
		return 13;
	if (open(a, O_WRONLY) >= 0 || errno != EACCES)
		return 14;
	if (unlink(a) == 0 || errno != EACCES)
		return 15;
	in(inside, "new", b);
	if (rename(b, a) == 0) /* out of the writable tree: refused (EXDEV or EACCES) */
		return 16;
	if (truncate(a, 0) == 0 && syscall(SYS_landlock_create_ruleset, NULL, 0, 1) >= 3)
		return 17;
	if (open("/dev/null", O_WRONLY) < 0)
		return 18;
	if (!prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))
		return 19;
	if (mkdir(b, 0755) == 0 || errno != EEXIST) /* inside: mkdir allowed (exists here) */
		return 20;
	return 0;
}

static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_sandbox_rw_confines_writes(void **state)
{
	assert_int_equal(in_child(rw_child), 0);
}

static int rw_bad_path_child(void)
{
	char err[256] = "";
	const char *paths[] = {"/nonexistent/dir"};
	if (kd_fs_writable_only(paths, 1, err, sizeof(err)) != -1)
		return 1;
	return strstr(err, "--rw=/nonexistent/dir: No such file") ? 0 : 2;
}

static void test_sandbox_rw_bad_path(void **state)
{
	assert_int_equal(in_child(rw_bad_path_child), 0);
}

/* A file as the writable path: that file, not its neighbours. */
static int rw_file_child(void)
{
	char err[256], a[160];
	in(outside, "old", a);
	const char *paths[] = {a};
	if (kd_fs_writable_only(paths, 1, err, sizeof(err)))
		return 10;
	int fd = open(a, O_WRONLY);
	if (fd < 0)
		return 11;
	close(fd);
	return create(outside, "sibling") == EACCES ? 0 : 12;
}

static void test_sandbox_rw_file(void **state)
{
	assert_int_equal(in_child(rw_file_child), 0);
}

static uint64_t caps(int bounding)
{
	if (bounding) {
		uint64_t b = 0;
		for (int c = 0; c <= CAP_LAST_CAP; c++)
			if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
				b |= 1ULL << c;
		return b;
	}
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	syscall(SYS_capget, &h, d);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int caps_child(void)
{
	char err[256];
	uint64_t before = caps(0);
	if (kd_caps_keep(kd_container_caps, err, sizeof(err)))
		return 10;
	if (caps(0) != (before & kd_container_caps))
		return 11;
	if (caps(1) & ~kd_container_caps)
		return 12;
	return 0;
}

static void test_sandbox_caps_container_default(void **state)
{
	if (getuid() != 0)
		skip(); /* nothing to drop */
	assert_int_equal(in_child(caps_child), 0);
}

static ino_t parent_net;

/* --sandbox as a whole: network, capabilities, Podman's profile, writes in cwd and /tmp. */
static int sandbox_child(void)
{
	char err[512];
	struct kdune_options o = {.sandbox = 1};
	if (chdir(inside))
		return 9;
	if (kd_sandbox_early(&o, err, sizeof(err)) || kd_sandbox_late(&o, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 10;
	}
	if (!kd_policy || kd_policy_fd < 0)
		return 11;
	if (caps(1) & ~kd_container_caps)
		return 12;
	if (create(".", "here") || create("/tmp", "kdune-sandbox-test"))
		return 13;
	unlink("/tmp/kdune-sandbox-test");
	if (create(outside, "nope") != EACCES)
		return 14;
	struct stat a;
	if (stat("/proc/self/ns/net", &a) || a.st_ino == parent_net)
		return 15;
	return 0;
}

static void test_sandbox_all_of_it(void **state)
{
	struct stat st;
	if (access(KD_SANDBOX_PROFILE, R_OK))
		skip();
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	parent_net = st.st_ino;
	assert_int_equal(in_child(sandbox_child), 0);
}

/* kd_container_caps is Podman's default_capabilities, as its containers.conf lists them. */
static void test_sandbox_container_caps_are_podmans(void **state)
{
	static const char *const names[] = {"CHOWN",
					    "DAC_OVERRIDE",
					    "DAC_READ_SEARCH",
					    "FOWNER",
					    "FSETID",
					    "KILL",
					    "SETGID",
					    "SETUID",
					    "SETPCAP",
					    "LINUX_IMMUTABLE",
					    "NET_BIND_SERVICE",
					    "NET_BROADCAST",
					    "NET_ADMIN",
					    "NET_RAW",
					    "IPC_LOCK",
					    "IPC_OWNER",
					    "SYS_MODULE",
					    "SYS_RAWIO",
					    "SYS_CHROOT",
					    "SYS_PTRACE",
					    "SYS_PACCT",
					    "SYS_ADMIN",
					    "SYS_BOOT",
					    "SYS_NICE",
					    "SYS_RESOURCE",
					    "SYS_TIME",
					    "SYS_TTY_CONFIG",
					    "MKNOD",
					    "LEASE",
					    "AUDIT_WRITE",
					    "AUDIT_CONTROL",
					    "SETFCAP"};
	FILE *f = fopen("/usr/share/containers/containers.conf", "r");
	if (!f)
		skip();
	char line[256];
	int in_list = 0;
	uint64_t listed = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "default_capabilities = [", 24))
			in_list = 1;
		else if (in_list && line[0] == ']')
			break;
		else if (in_list)
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				char q[40];
				snprintf(q, sizeof(q), "\"%s\"", names[i]);
				if (strstr(line, q))
					listed |= 1ULL << i;
			}
	}
	fclose(f);
	assert_int_equal(listed, kd_container_caps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sandbox_rw_confines_writes),
	    cmocka_unit_test(test_sandbox_rw_bad_path),
	    cmocka_unit_test(test_sandbox_rw_file),
	    cmocka_unit_test(test_sandbox_caps_container_default),
	    cmocka_unit_test(test_sandbox_container_caps_are_podmans),
	    cmocka_unit_test(test_sandbox_all_of_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
