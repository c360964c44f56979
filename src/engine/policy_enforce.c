/*
 * policy_enforce.c: kdune run --seccomp. Every syscall of the target reaches kd_syscall, so the
 * policy is evaluated there from the guest's registers, before anything runs on the host:
 * unlike a seccomp filter inside the program, nothing can reach the host kernel around it,
 * and the program cannot add, replace or remove it. What each action does follows the
 * kernel's __seccomp_filter() (kernel/seccomp.c) for a process with no tracer attached.
 * No libc here: this runs while the target is inside.
 */
#include "engine/policy.h"
#include "engine/policy_enforce.h"
#include "engine/exit.h"
#include "engine/fault.h"
#include "engine/signals.h"
#include "engine/thread.h"
#include "engine/trace.h"
#include "base/log.h"
#include <errno.h>
#include <signal.h>

/* ERRNO and TRACE: the call is skipped and returns -data, as syscall_set_return_value. */
static int refuse(struct kd_vcpu *v, long nr, const uint64_t a[6], long ret)
{
	v->user.rax = (uint64_t)ret;
	if (v->vm->trace_fd >= 0)
		kd_trace_syscall(v->vm->trace_fd, nr, a, ret);
	return 1;
}

/*
 * TRAP: SIGSYS, forced (blocked or ignored, it kills), with the registers as they were at
 * the call (rax = nr: syscall_rollback) and the call skipped.
 */
static int trap(struct kd_vcpu *v, long nr, uint32_t act)
{
	siginfo_t si;
	kd_policy_siginfo(&si, nr, v->user.rip, act);
	v->user.rax = (uint64_t)nr;
	kd_signal_force(v, &si);
	return 1;
}

/* KILL_THREAD ends only this thread while others live; otherwise death by SIGSYS. */
static _Noreturn void kill_it(struct kd_vcpu *v, long nr, uint32_t act)
{
	kd_info("seccomp policy: %s killed by SIGSYS at %s (syscall %ld)",
		act == KD_RET_KILL_PROCESS ? "process" : "thread", kd_syscall_name(nr) ?: "?", nr);
	kd_target_killed(v->vm, SIGSYS);
}

int kd_policy_enforce(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	uint32_t act = kd_policy_eval(kd_policy, nr, a), data = act & KD_RET_DATA;
	switch (act & KD_RET_ACTION_FULL) {
	case KD_RET_ALLOW:
		return 0;
	case KD_RET_LOG:
		kd_info("seccomp policy: logged %s (syscall %ld)", kd_syscall_name(nr) ?: "?", nr);
		return 0;
	case KD_RET_ERRNO:
		__atomic_add_fetch(&kd_policy_refusals, 1, __ATOMIC_RELAXED);
		return refuse(v, nr, a, -(long)(data > 4095 ? 4095 : data));
	case KD_RET_TRACE:
		__atomic_add_fetch(&kd_policy_refusals, 1, __ATOMIC_RELAXED);
		return refuse(v, nr, a, -ENOSYS);
	case KD_RET_TRAP:
		__atomic_add_fetch(&kd_policy_refusals, 1, __ATOMIC_RELAXED);
		return trap(v, nr, act);
	case KD_RET_KILL_THREAD:
		if (__atomic_load_n(&v->proc->nthreads, __ATOMIC_ACQUIRE) > 1) {
			/* do_exit(SIGSYS): the thread goes, its CLEARTID is done as for exit */
			kd_thread_exit(v, SIGSYS);
			return 1;
		}
		kill_it(v, nr, act);
	default:
		kill_it(v, nr, KD_RET_KILL_PROCESS);
	}
}
