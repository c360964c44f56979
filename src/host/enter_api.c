/*
 * enter_api.c: libkdune's kdune_enter() and friends, the part that runs natively before
 * entry (and so may use libc): options from the environment, the seccomp check, errno.
 */
#include "engine/enter.h"
#include "engine/exitless.h"
#include "kdune.h"
#include "engine/syscall.h"
#include "host/kvm_advice.h"
#include "host/paths.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KDUNE_BINDIR
#define KDUNE_BINDIR "/usr/local/bin"
#endif

static char last_error[512];

const char *kdune_last_error(void)
{
	return last_error;
}

static int failed(int e, const char *fmt, const char *arg)
{
	snprintf(last_error, sizeof(last_error), fmt, arg);
	errno = e;
	return -1;
}

/* The Seccomp: line of /proc/self/status: 0 none, 1 strict, 2 filter. */
static int seccomp_mode(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int mode = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			mode = atoi(line + 8);
	if (f)
		fclose(f);
	return mode;
}

/* In a child under the same filter: the KVM calls kdune needs. Exit 0 if all went through. */
static int probe_child(const char *dev)
{
	int kvm = (int)syscall(SYS_openat, AT_FDCWD, dev, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 0; /* a missing device is reported by kdune_enter itself */
	int vm = (int)syscall(SYS_ioctl, kvm, KVM_CREATE_VM, 0);
	int vcpu = vm < 0 ? -1 : (int)syscall(SYS_ioctl, vm, KVM_CREATE_VCPU, 0);
	return syscall(SYS_ioctl, kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION && vcpu >= 0 ? 0
											       : 1;
}

/*
 * Under a seccomp filter, try KVM's calls in a child first: a filter that kills, traps or
 * holds ioctl (user notification) must give a clear error here, not a dead or hung caller.
 */
static int seccomp_allows_kvm(const char *dev)
{
	int mode = seccomp_mode();
	if (mode == 0)
		return 1;
	if (mode == 1)
		return 0;
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		syscall(SYS_exit_group, probe_child(dev));
	if (pid < 0)
		return 0;
	int st = 0;
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 0;
}

/*
 * $KDUNE, else the kdune installed with this library: ../bin/kdune from libkdune.so
 * wherever it was copied, else (a static libkdune.a, whose code is in the program) the
 * PREFIX it was built for.
 */
static const char *kdune_path(void)
{
	static char path[4096];
	const char *k = getenv("KDUNE");
	Dl_info info;
	if (k && *k)
		return k;
	if (dladdr((void *)kdune_enter, &info) && info.dli_fname &&
	    !kd_kdune_beside_lib(info.dli_fname, path, sizeof(path)) && !access(path, X_OK))
		return path;
	return KDUNE_BINDIR "/kdune";
}

/* After "kdune_enter: /dev/kvm: Permission denied", what to do about it on this machine. */
static void add_kvm_advice(const char *dev, int e)
{
	char prefix[4200], advice[512];
	snprintf(prefix, sizeof(prefix), "kdune_enter: %s: ", dev);
	if (strncmp(last_error, prefix, strlen(prefix)))
		return;
	kd_kvm_advice(dev, e, advice, sizeof(advice));
	size_t n = strlen(last_error);
	snprintf(last_error + n, sizeof(last_error) - n, "%s", advice);
}

/* glibc's rseq area of the calling thread (weak: absent with other libcs). */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

/*
 * rseq cannot work for code inside KVM (the kernel would restart critical sections at the
 * host's instruction pointer, never the guest's), so the entering thread leaves it. Inside,
 * a registration is accepted and stays inactive (cpu_id -1): rseq users take their
 * fallback path, and glibc's new threads do not abort on a refused registration.
 */
static void rseq_leave(void)
{
	if (!&__rseq_size || !&__rseq_offset || !__rseq_size)
		return;
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if (syscall(SYS_rseq, area, 32, 1 /* RSEQ_FLAG_UNREGISTER */, 0x53053053))
		syscall(SYS_rseq, area, __rseq_size, 1, 0x53053053);
}

int kdune_enter(void)
{
	struct kd_enter_opts o = {.err = last_error, .errlen = sizeof(last_error)};
	const char *v = getenv("KDUNE_VERBOSE");
	o.kvm_device = getenv("KDUNE_KVM_DEVICE");
	o.verbose = v && *v && strcmp(v, "0");
	const char *xl = getenv("KDUNE_EXITLESS");
	o.exitless = kd_xl_parse_mode(xl);
	if (o.exitless < 0)
		return failed(EINVAL, "kdune_enter: KDUNE_EXITLESS=%s: not auto, on or off", xl);
	const char *follow = getenv("KDUNE_FOLLOW_EXEC");
	o.kdune_exe = kdune_path();
	o.follow_exec = follow && !strcmp(follow, "1");
	if (kdune_inside())
		return failed(EBUSY, "kdune_enter: %s", "this thread is inside a VM already");
	if (o.follow_exec && access(o.kdune_exe, X_OK))
		return failed(ENOENT,
			      "kdune_enter: KDUNE_FOLLOW_EXEC=1, but %s is not there (set KDUNE)",
			      o.kdune_exe);
	if (!seccomp_allows_kvm(o.kvm_device ? o.kvm_device : "/dev/kvm"))
		return failed(EPERM, "kdune_enter: %s",
			      "this process's seccomp filter does not allow the KVM ioctl calls");
	last_error[0] = 0;
	/* No kd_log_init() here: a failed entry must leave the process as it was, no new fd. */
	rseq_leave();
	long rc = kd_enter(&o);
	/* Either still native after a failure, or already in the guest, returning 0. */
	if (rc < 0) {
		add_kvm_advice(o.kvm_device ? o.kvm_device : "/dev/kvm", (int)-rc);
		errno = (int)-rc;
		return -1;
	}
	return 0;
}

int kdune_inside(void)
{
	int e = errno; /* natively the call fails with ENOSYS: not the caller's business */
	int in = syscall(KD_SYS_QUERY, 0) == KD_QUERY_INSIDE;
	errno = e;
	return in;
}

long kdune_syscalls(void)
{
	int e = errno;
	long n = syscall(KD_SYS_QUERY, 1);
	errno = e;
	return n < 0 ? -1 : n;
}
