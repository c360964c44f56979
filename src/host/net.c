/* net.c: --net=none through a new network namespace (namespaces(7), unshare(2)). */
#include "host/net.h"
#include "host/sandbox.h"
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Write text to a /proc/self file (uid_map and friends). 0 or -errno. */
static int write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return e;
}

/* The effective capabilities, as bits by CAP_* number. */
static uint64_t effective_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	syscall(SYS_capget, &h, d);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

/*
 * Without CAP_SYS_ADMIN: a user namespace where this process keeps its own ids, and its
 * own capabilities. The namespace would give kdune every capability in it, and the program
 * runs in kdune's process: natively, `unshare --map-user` and an exec leave it none.
 */
static int with_user_ns(char *err, size_t errlen)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
	uint64_t caps = effective_caps();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		snprintf(err, errlen,
			 "--net=none: cannot create a network namespace (%s), nor a user namespace "
			 "to create one in (%s)",
			 strerror(EPERM), strerror(errno));
		return -1;
	}
	int rc = write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	rc = rc ?: write_proc("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	rc = rc ?: write_proc("/proc/self/gid_map", map);
	if (rc) {
		snprintf(err, errlen, "--net=none: cannot map ids in the new user namespace: %s",
			 strerror(-rc));
		return -1;
	}
	return kd_caps_keep(caps, err, errlen);
}

int kd_net_none(char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNET) == 0)
		return 0;
	if (errno != EPERM) {
		snprintf(err, errlen, "--net=none: cannot create a network namespace: %s",
			 strerror(errno));
		return -1;
	}
	return with_user_ns(err, errlen);
}
