/* process.h: execve, fork and the clone family. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"
#include "engine/thread.h"

/*
 * execve/execveat: the native checks, then kdune runs itself on the new program in a new VM
 * (fs/exec.c's errors come back to the caller). Returns only on failure: -errno.
 */
long kd_sys_execve(struct kd_vcpu *v, long nr, const uint64_t a[6]);
/* fork, vfork, clone, clone3: a new VM for a new process, a pooled vCPU for CLONE_VM. */
long kd_sys_clone(struct kd_vcpu *v, long nr, const uint64_t a[6]);
/*
 * The clone-family call nr with arguments a, as one struct kd_clone (vm: for clone3's
 * argument block). 0, -EINVAL or -EFAULT as the kernel's, -ENOSYS for what kdune lacks.
 */
long kd_clone_args(struct kd_vm *vm, long nr, const uint64_t a[6], struct kd_clone *c);
/* The kernel's consistency rules for clone flags (kernel/fork.c copy_process): 0 or -errno. */
long kd_clone_check(const struct kd_clone *c);
