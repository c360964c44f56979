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
