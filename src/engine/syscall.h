/* syscall.h: the syscall dispatcher, independent of how a request reaches it. */
#pragma once
#include <stdint.h>
#include "base/nolibc.h"
#include "vm/vcpu.h"

/* Serve the syscall in v->user (rax, rdi, rsi, rdx, r10, r8, r9); result in v->user.rax. */
void kd_syscall(struct kd_vcpu *v);
/* Execute one syscall for the target; returns the raw kernel result (-errno on error). */
long kd_syscall_dispatch(struct kd_vcpu *v, long nr, const uint64_t a[6]);

/*
 * A syscall number no kernel uses, which libkdune's kdune_inside() and kdune_syscalls()
 * make: natively it fails with ENOSYS; kdune answers it. a[0] 0: KD_QUERY_INSIDE;
 * 1: the syscalls this thread's vCPU has sent to the host so far.
 */
#define KD_SYS_QUERY 0x4b44
#define KD_QUERY_INSIDE 0x6b64756eL

/* Does the path name this process's /proc/.../exe (self, thread-self or its pid)? */
int kd_is_self_exe(const char *path);

/* process.c: execve, fork, clone. */
long kd_sys_execve(struct kd_vcpu *v, long nr, const uint64_t a[6]);
long kd_sys_clone(struct kd_vcpu *v, long nr, const uint64_t a[6]);
/* -ENOSYS, said once with -v. */
long kd_unsupported(long nr, const char *what);

/* sysmem.c: the calls that change the address space. */
long kd_sys_brk(struct kd_vm *vm, uint64_t addr);
long kd_sys_mmap(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_munmap(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_mremap(struct kd_vm *vm, const uint64_t a[6]);
/* mprotect, madvise, ...: calls on a range that must not touch kdune's own memory. */
long kd_sys_range(struct kd_vm *vm, long nr, const uint64_t a[6]);
long kd_sys_shmat(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_shmdt(struct kd_vm *vm, const uint64_t a[6]);
