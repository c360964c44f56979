/* sandbox.h: kdune run's confinement options, applied before the program starts. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "kdune.h"

/*
 * Podman's default capability set (containers.conf default_capabilities): CHOWN,
 * DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
 * SYS_CHROOT, as bits by CAP_* number.
 */
extern const uint64_t kd_container_caps;
/* Where --sandbox finds the container world's default seccomp profile. */
#define KD_SANDBOX_PROFILE "/usr/share/containers/seccomp.json"

/*
 * Apply o's confinement to this process in two steps. Early, before anything of the
 * program is looked at: --net=none (a new network namespace, made while kdune may still
 * have CAP_SYS_ADMIN; without it, a user namespace comes along), --sandbox's capability
 * drop to kd_container_caps (bounding, permitted, effective, inheritable and ambient
 * sets), then the seccomp profile (--seccomp, or KD_SANDBOX_PROFILE for --sandbox),
 * judged against the capabilities left. Late, once kdune has opened what it must write
 * (the KVM device, the trace file): the Landlock rules (--rw, and for --sandbox the
 * current directory and /tmp). All of it is inherited by the program's threads, forks and
 * execs (the seccomp table through --seccomp=fd:N, the rest by the kernel). Each returns
 * 0, or -1 with a one-line reason in err.
 */
int kd_sandbox_early(const struct kdune_options *o, char *err, size_t errlen);
int kd_sandbox_late(const struct kdune_options *o, char *err, size_t errlen);

/* Drop every capability outside keep, in every set. 0, or -1 with a reason in err. */
int kd_caps_keep(uint64_t keep, char *err, size_t errlen);
