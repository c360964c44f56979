/* fsrules.c: --rw=PATH through Landlock (landlock(7)): the kernel checks every path. */
#include "host/fsrules.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* Linux 6.2, ABI 3 */
#endif

/* Every right that changes the file system, for the Landlock ABI the kernel has. */
static uint64_t write_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return r;
}

/* Allow the handled rights beneath path: all of them for a directory, a file's own for a file. */
static int allow(int ruleset, const char *path, uint64_t handled, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "--rw=%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	uint64_t file = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
	struct landlock_path_beneath_attr rule = {
	    .allowed_access = S_ISDIR(st.st_mode) ? handled : handled & file, .parent_fd = fd};
	long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	int e = errno;
	close(fd);
	if (rc) {
		snprintf(err, errlen, "--rw=%s: Landlock refused the rule: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int kd_fs_writable_only(const char *const *paths, int n, char *err, size_t errlen)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		snprintf(err, errlen, "--rw: the kernel's Landlock is not available: %s",
			 strerror(errno));
		return -1;
	}
	struct landlock_ruleset_attr attr = {.handled_access_fs = write_rights((int)abi)};
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		snprintf(err, errlen, "--rw: cannot create a Landlock ruleset: %s",
			 strerror(errno));
		return -1;
	}
	int rc = allow(ruleset, "/dev/null", attr.handled_access_fs, err, errlen);
	for (int i = 0; !rc && i < n; i++)
		rc = allow(ruleset, paths[i], attr.handled_access_fs, err, errlen);
	if (!rc && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_landlock_restrict_self, ruleset, 0))) {
		snprintf(err, errlen, "--rw: cannot restrict kdune with Landlock: %s",
			 strerror(errno));
		rc = -1;
	}
	close(ruleset);
	return rc;
}
