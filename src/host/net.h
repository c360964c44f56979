/* net.h: `kdune run --net=none`: the program in an empty network namespace of its own. */
#pragma once
#include <stddef.h>

/*
 * Move this process into a new, empty network namespace (only a loopback device, down),
 * the kernel's own mechanism, as `unshare --net` and `docker run --network none` do. Needs
 * CAP_SYS_ADMIN; without it, a new user namespace comes along that maps this process's
 * uid and gid to themselves (unprivileged user namespaces must be enabled), and the
 * capabilities it would give are dropped back to the ones the process had. Threads,
 * forks and execs of the program inherit the namespace, so the kdune an execve starts
 * needs no option for it. Returns 0, or -1 with a one-line reason in err.
 */
int kd_net_none(char *err, size_t errlen);
