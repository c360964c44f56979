/* policy_enforce.h: --seccomp's check of each syscall, before dispatch. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

/*
 * kd_syscall's hook: apply kd_policy to the call in v->user (nr, a), as the kernel's
 * seccomp would (seccomp(2)). Returns 0: run the call. 1: the call was not run and
 * v->user is already what the target sees next (ERRNO or TRACE's -ENOSYS in rax, or a
 * SIGSYS handler's frame for TRAP). KILL_THREAD and KILL_PROCESS do not return (the
 * process dies by SIGSYS, or only this thread ends when others are left).
 */
int kd_policy_enforce(struct kd_vcpu *v, long nr, const uint64_t a[6]);
