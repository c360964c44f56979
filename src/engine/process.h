/* process.h: execve, fork and the clone family. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

/*
 * execve/execveat: the native checks, then kdune runs itself on the new program in a new VM
 * (fs/exec.c's errors come back to the caller). Returns only on failure: -errno.
 */
long kd_sys_execve(struct kd_vcpu *v, long nr, const uint64_t a[6]);
/* fork, vfork, clone, clone3: a new VM for a new process, a pooled vCPU for CLONE_VM. */
long kd_sys_clone(struct kd_vcpu *v, long nr, const uint64_t a[6]);
