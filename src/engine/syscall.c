/* syscall.c: every target syscall is executed by the host thread that runs its vCPU.
 * Most are passed through untouched; the few that concern state kdune owns (the address
 * space, FS/GS bases, signal handlers, kdune's descriptors, /proc/self/exe) are handled
 * here. */
#include "engine/syscall.h"
#include "engine/exit.h"
#include "engine/process.h"
#include "engine/procself.h"
#include "engine/sysmem.h"
#include "engine/policy.h"
#include "engine/policy_enforce.h"
#include "engine/monitor.h"
#include "vm/layout.h"
#include "base/log.h"
#include "engine/signals.h"
#include "engine/thread.h"
#include "engine/trace.h"
#include "engine/trace_events.h"
#include "vm/uaccess.h"
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long arch_prctl(struct kd_vcpu *v, const uint64_t a[6])
{
	uint64_t val;
	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= KD_USER_TOP)
			return -EPERM;
		return kd_vcpu_set_msr(v, a[0] == ARCH_SET_FS ? X86_MSR_FS_BASE : X86_MSR_GS_BASE,
				       a[1]);
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		if (kd_vcpu_get_msr(v, a[0] == ARCH_GET_FS ? X86_MSR_FS_BASE : X86_MSR_GS_BASE,
				    &val))
			return -EIO;
		return kd_copy_to_user(v->vm, a[1], &val, sizeof(val));
	case ARCH_GET_CPUID:
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
	case ARCH_REQ_XCOMP_PERM:
		/* About the CPU's features, which the guest shares with this thread. */
		return kd_raw_syscall(SYS_arch_prctl, a[0], a[1], 0, 0, 0, 0);
	default:
		/* CPUID faulting, shadow stacks, vDSO moves: not offered inside the VM. */
		return -EINVAL;
	}
}

/* A snapshot of the target's argv strings, read like the kernel reads them. */
static long open_cmdline(struct kd_vm *vm, uint64_t flags)
{
	uint64_t len = vm->arg_end - vm->arg_start;
	if (len > 1 << 17)
		len = 1 << 17;
	char *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	long fd = kd_copy_from_user(vm, buf, vm->arg_start, len)
		      ? -EFAULT
		      : kd_raw_syscall(SYS_memfd_create, (uint64_t) "cmdline",
				       flags & O_CLOEXEC ? MFD_CLOEXEC : 0, 0, 0, 0, 0);
	if (!KD_IS_ERR(fd) &&
	    kd_raw_syscall(SYS_write, (uint64_t)fd, (uint64_t)buf, len, 0, 0, 0) != (long)len) {
		kd_raw_syscall(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
		fd = -EIO;
	}
	free(buf);
	if (KD_IS_ERR(fd))
		return fd;
	kd_raw_syscall(SYS_lseek, (uint64_t)fd, 0, SEEK_SET, 0, 0, 0);
	return fd;
}

/* readlink(at) of /proc/self/exe names the target, not kdune. */
static long readlink_exe(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	int at = nr == SYS_readlinkat;
	char path[64];
	long n = kd_strncpy_from_user(v->vm, path, a[at], sizeof(path));
	if (n < 0 || !kd_is_self_exe(path))
		return kd_raw_syscall(nr, a[0], a[1], a[2], a[3], 0, 0);
	size_t len = strlen(v->vm->exe), size = a[at + 2];
	if ((long)size <= 0)
		return -EINVAL;
	if (len > size)
		len = size;
	return kd_copy_to_user(v->vm, a[at + 1], v->vm->exe, len) ?: (long)len;
}

static long open_proc_self(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	int at = nr == SYS_openat;
	char path[64];
	long n = kd_strncpy_from_user(v->vm, path, a[at], sizeof(path));
	const char *f = n < 0 ? NULL : kd_proc_self_file(path);
	if (!f || (!strcmp(f, "cmdline") && v->vm->cmdline_native))
		return kd_monitor_opened(v, kd_raw_syscall(nr, a[0], a[1], a[2], a[3], 0, 0));
	if (!strcmp(f, "cmdline"))
		return open_cmdline(v->vm, a[at + 1]);
	return kd_raw_syscall(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)v->vm->exe, a[at + 1],
			      a[at + 2], 0, 0);
}

static long close_range_around_ours(const uint64_t a[6])
{
	/* Close around kdune's descriptors: they do not exist for the target. */
	uint64_t first = a[0], last = a[1];
	for (uint64_t fd = first; fd <= last && fd < (1u << 20); fd++) {
		if (!kd_fd_is_ours((long)fd))
			continue;
		if (fd > first) {
			long r = kd_raw_syscall(SYS_close_range, first, fd - 1, a[2], 0, 0, 0);
			if (KD_IS_ERR(r))
				return r;
		}
		first = fd + 1;
	}
	return first <= last ? kd_raw_syscall(SYS_close_range, first, last, a[2], 0, 0, 0) : 0;
}

/* Calls whose first argument is a descriptor that must not be one of kdune's. */
static int fd_arg_is_ours(long nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_ioctl:
	case SYS_fcntl:
	case SYS_dup:
	case SYS_close:
	/* Calls that probe or use a descriptor: natively kdune's do not exist at all. */
	case SYS_fstat:
	case SYS_fstatfs:
	case SYS_lseek:
	case SYS_read:
	case SYS_write:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_readv:
	case SYS_writev:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_ftruncate:
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fchdir:
	case SYS_getdents64:
	case SYS_flock:
	case SYS_fadvise64:
	case SYS_fgetxattr:
	case SYS_flistxattr:
	/* The *at calls, whose first argument is a directory descriptor (or AT_FDCWD). */
	case SYS_openat:
	case SYS_newfstatat:
	case SYS_statx:
	case SYS_faccessat:
	case SYS_faccessat2:
	case SYS_readlinkat:
	case SYS_mkdirat:
	case SYS_unlinkat:
	case SYS_fchownat:
	case SYS_fchmodat:
	case SYS_utimensat:
	case SYS_execveat:
	case SYS_name_to_handle_at:
		return kd_fd_is_ours((long)a[0]);
	case SYS_dup2:
	case SYS_dup3:
		return kd_fd_is_ours((long)a[0]) || kd_fd_is_ours((long)a[1]);
	case SYS_mmap:
		return !(a[3] & MAP_ANONYMOUS) && kd_fd_is_ours((long)a[4]);
	default:
		return 0;
	}
}

/* Calls that change the address space: one at a time, with kdune's view of it. */
static long memory_call(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	struct kd_vm *vm = v->vm;
	long r;
	kd_vm_lock(vm);
	switch (nr) {
	case SYS_brk:
		r = kd_sys_brk(vm, a[0]);
		break;
	case SYS_mmap:
		r = kd_sys_mmap(vm, a);
		break;
	case SYS_munmap:
		r = kd_sys_munmap(vm, a);
		break;
	case SYS_mremap:
		r = kd_sys_mremap(vm, a);
		break;
	case SYS_shmat:
		r = kd_sys_shmat(vm, a);
		break;
	case SYS_shmdt:
		r = kd_sys_shmdt(vm, a);
		break;
	default:
		r = kd_sys_range(vm, nr, a);
	}
	kd_vm_unlock(vm);
	return r;
}

/*
 * PR_SET_TSC: the host thread's flag (PR_GET_TSC reads it, fork and clone inherit it) and the
 * guest's CR4.TSD, which makes rdtsc and rdtscp raise #GP in ring 3 on VT-x and SVM. PVM keeps
 * the host's flag instead: rdtscp raises #UD there (fault.c makes it the native SIGSEGV).
 */
static long prctl_set_tsc(struct kd_vcpu *v, const uint64_t a[6])
{
	long r = kd_raw_syscall(SYS_prctl, a[0], a[1], a[2], a[3], a[4], 0);
	if (r == 0 && kd_vcpu_tsd(v, a[1] == PR_TSC_SIGSEGV) < 0)
		return -EIO;
	return r;
}

long kd_syscall_dispatch(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	if (fd_arg_is_ours(nr, a))
		return -EBADF;
	long checked; /* a pointer into kdune's memory, or a call run on kdune's copies */
	if (kd_monitor_call(v, nr, a, &checked))
		return checked;
	switch (nr) {
	case SYS_brk:
	case SYS_mmap:
	case SYS_munmap:
	case SYS_mremap:
	case SYS_shmat:
	case SYS_shmdt:
	case SYS_mprotect:
	case SYS_pkey_mprotect:
	case SYS_madvise:
	case SYS_mlock:
	case SYS_mlock2:
	case SYS_munlock:
	case SYS_msync:
	case SYS_remap_file_pages:
		return memory_call(v, nr, a);
	case SYS_arch_prctl:
		return arch_prctl(v, a);
	case SYS_rseq:
		/*
		 * rseq cannot restart guest code. kdune run: ENOSYS, as under a seccomp filter
		 * (glibc carries on without it). kdune_enter: glibc decided before entry and
		 * aborts a thread whose registration fails, so it succeeds and stays inactive.
		 */
		return v->vm->entered ? 0 : -ENOSYS;
	case SYS_exit:
		if (v->vm->trace_fd >= 0)
			kd_trace_noreturn(v->vm->trace_fd, nr, a);
		kd_thread_exit(v, (int)a[0]);
		return 0;
	case SYS_exit_group:
		if (v->vm->trace_fd >= 0)
			kd_trace_noreturn(v->vm->trace_fd, nr, a);
		kd_target_exit(v->vm, (int)a[0]);
	case SYS_rt_sigaction:
		return kd_sys_rt_sigaction(v, a);
	case SYS_rt_sigreturn:
		return kd_sys_rt_sigreturn(v);
	case SYS_sigaltstack:
		return kd_sys_sigaltstack(v, a);
	case SYS_set_tid_address:
		/* The host thread's own clear-tid is kdune's (a host stack's): the program's is
		 * kept like clone's CHILD_CLEARTID and cleared by kd_thread_exit. */
		v->clear_tid = a[0];
		return kd_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
	case SYS_readlink:
	case SYS_readlinkat:
		return readlink_exe(v, nr, a);
	case SYS_open:
	case SYS_openat:
		return open_proc_self(v, nr, a);
	case SYS_openat2:
	case SYS_creat:
		return kd_monitor_opened(v, kd_raw_syscall(nr, a[0], a[1], a[2], a[3], 0, 0));
	case SYS_close_range:
		return close_range_around_ours(a);
	case SYS_seccomp:
		return -EINVAL; /* a filter on this thread would filter kdune itself */
	case SYS_prctl:
		if (a[0] == PR_SET_SECCOMP)
			return -EINVAL;
		if (a[0] == PR_SET_TSC)
			return prctl_set_tsc(v, a);
		break;
	case SYS_execve:
	case SYS_execveat:
		return kd_sys_execve(v, nr, a);
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
		return kd_sys_clone(v, nr, a);
	case KD_SYS_QUERY:
		return a[0] == 0   ? KD_QUERY_INSIDE
		       : a[0] == 1 ? (long)(v->nsyscalls + v->xl.served)
				   : -EINVAL;
	}
	return kd_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

void kd_syscall(struct kd_vcpu *v)
{
	struct kvm_regs *u = &v->user;
	/*
	 * The kernel takes the number from eax, sign-extended (entry_64.S, do_syscall_64's int
	 * nr): the upper half of rax never matters, so it must not matter to kdune's checks.
	 */
	long nr = (long)(int)u->rax;
	uint64_t a[6] = {u->rdi, u->rsi, u->rdx, u->r10, u->r8, u->r9};
	v->nsyscalls++;
	if (kd_policy && kd_policy_enforce(v, nr, a))
		return; /* --seccomp refused it: policy_enforce.c set what the target sees */
	uint64_t t0 = kd_trace_cfg.summary ? kd_trace_now_ns() : 0;
	long ret = kd_syscall_dispatch(v, nr, a);
	if (v->exited)
		return; /* exit: traced already, and nothing goes back */
	if (kd_trace_cfg.summary)
		kd_trace_account(nr, ret, kd_trace_now_ns() - t0);
	/* A successful execve never comes back here; a failed one is traced like any call. */
	if (v->vm->trace_fd >= 0)
		kd_trace_syscall(v->vm->trace_fd, nr, a, ret);
	u->rax = (uint64_t)ret;
	/* A caught signal's handler runs first; with SA_RESTART the call then runs again. */
	if (ret == -EINTR && kd_signal_restarts(v, nr, a)) {
		u->rip -= 2;
		u->rax = (uint64_t)nr;
	}
}
