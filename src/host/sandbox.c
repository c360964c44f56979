/*
 * sandbox.c: --sandbox, --seccomp, --net=none and --rw, applied in one place before the
 * program starts. Each uses the kernel's or the container world's own mechanism where one
 * fits: capability sets, a network namespace, Landlock; the seccomp profile is the one
 * thing kdune enforces itself (engine/policy.c), because every syscall passes through it.
 */
#include "host/sandbox.h"
#include "host/fsrules.h"
#include "host/net.h"
#include "host/profile.h"
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAPBIT(n) (1ULL << (n))
const uint64_t kd_container_caps =
    CAPBIT(CAP_CHOWN) | CAPBIT(CAP_DAC_OVERRIDE) | CAPBIT(CAP_FOWNER) | CAPBIT(CAP_FSETID) |
    CAPBIT(CAP_KILL) | CAPBIT(CAP_NET_BIND_SERVICE) | CAPBIT(CAP_SETFCAP) | CAPBIT(CAP_SETGID) |
    CAPBIT(CAP_SETPCAP) | CAPBIT(CAP_SETUID) | CAPBIT(CAP_SYS_CHROOT);

int kd_caps_keep(uint64_t keep, char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which may go below. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!(keep & CAPBIT(cap)) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			snprintf(err, errlen, "cannot drop capability %d: %s", cap,
				 strerror(errno));
			return -1;
		}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) == 0) {
		for (int i = 0; i < 2; i++) {
			uint32_t k = (uint32_t)(keep >> (32 * i));
			d[i].effective &= k;
			d[i].permitted &= k;
			d[i].inheritable &= k;
		}
		if (syscall(SYS_capset, &h, d) == 0)
			return 0;
	}
	snprintf(err, errlen, "cannot set the capabilities: %s", strerror(errno));
	return -1;
}

/* --sandbox's writable places: the current directory and /tmp, then --rw's. */
static int fs_rules(const struct kdune_options *o, char *err, size_t errlen)
{
	const char *paths[256];
	char cwd[PATH_MAX];
	int n = 0;
	if (o->sandbox) {
		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, errlen, "--sandbox: the current directory: %s",
				 strerror(errno));
			return -1;
		}
		paths[n++] = cwd;
		paths[n++] = "/tmp";
	}
	for (int i = 0; i < o->nrw && n < 256; i++)
		paths[n++] = o->rw[i];
	if (o->nrw > 254) {
		snprintf(err, errlen, "--rw: at most 254 paths");
		return -1;
	}
	return n ? kd_fs_writable_only(paths, n, err, errlen) : 0;
}

static int seccomp_rules(const struct kdune_options *o, char *err, size_t errlen)
{
	const char *profile = o->seccomp;
	if (!profile && o->sandbox) {
		if (access(KD_SANDBOX_PROFILE, R_OK)) {
			snprintf(
			    err, errlen,
			    "--sandbox: no seccomp profile: %s is not installed (Debian: "
			    "golang-github-containers-common); give one with --seccomp=PROFILE",
			    KD_SANDBOX_PROFILE);
			return -1;
		}
		profile = KD_SANDBOX_PROFILE;
	}
	if (!profile || !kd_profile_install(profile, err, errlen))
		return 0;
	if (!strncmp(err, "--", 2))
		return -1; /* it names --seccomp already */
	/* Name what the file is: the program's own path could be missing too. */
	char why[1024];
	snprintf(why, sizeof(why), "%s", err);
	snprintf(err, errlen, "seccomp profile %s", why);
	return -1;
}

int kd_sandbox_early(const struct kdune_options *o, char *err, size_t errlen)
{
	/* Paths are used late, once KVM is open, but a wrong one is said first. */
	for (int i = 0; i < o->nrw; i++)
		if (access(o->rw[i], F_OK)) {
			snprintf(err, errlen, "--rw=%s: %s", o->rw[i], strerror(errno));
			return -1;
		}
	/* The namespace first, while kdune may still have CAP_SYS_ADMIN for it. */
	if ((o->net_none || o->sandbox) && kd_net_none(err, errlen))
		return -1;
	if (o->sandbox && kd_caps_keep(kd_container_caps, err, errlen))
		return -1;
	return seccomp_rules(o, err, errlen);
}

int kd_sandbox_late(const struct kdune_options *o, char *err, size_t errlen)
{
	return fs_rules(o, err, errlen);
}
