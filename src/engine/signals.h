/* signals.h: the target's signal handlers run in the guest, with native frames. */
#pragma once
#include <signal.h>
#include <stdint.h>
#include "engine/proc.h"
#include "vm/vcpu.h"
#include "base/nolibc.h"
#include "base/sigmask.h"

/*
 * kdune_enter(): the process's signal table, for threads that stayed native. Their signals
 * reach kdune's host handler too (dispositions are per process), which runs the target's
 * handler on them directly.
 */
extern struct kd_proc *kd_native_proc;
/* The target thread's mask: the host thread's, or the one kept while a signal is held. */
uint64_t kd_target_mask(struct kd_vcpu *v);

/* After kdune_enter(): the handlers the process had become the guest's. */
void kd_signals_take_over(struct kd_proc *p);

/* rt_sigaction: record the target's action and set the host disposition to match. */
long kd_sys_rt_sigaction(struct kd_vcpu *v, const uint64_t a[6]);
/* rt_sigreturn: the registers, mask, FPU state and altstack saved in the frame. */
long kd_sys_rt_sigreturn(struct kd_vcpu *v);
/* sigaltstack, with SS_ONSTACK judged by the guest's stack pointer. */
long kd_sys_sigaltstack(struct kd_vcpu *v, const uint64_t a[6]);

/*
 * A syscall returned -EINTR while signals were caught: 1 if it must run again after the
 * handler (the handler has SA_RESTART and the call is one the kernel restarts).
 */
int kd_signal_restarts(struct kd_vcpu *v, long nr, const uint64_t a[6]);
/* Calls the kernel never restarts once a handler ran, SA_RESTART or not (signal(7)). 1 or 0. */
int kd_signal_never_restarted(long nr, const uint64_t a[6]);
/* Deliver the caught signals into the guest; v->user must hold the interrupted state. */
void kd_signal_deliver(struct kd_vcpu *v);

/* A fault in the guest: run the target's handler if it has one, else die of it. */
void kd_signal_fault(struct kd_vcpu *v, int sig, int code, uint64_t addr, int trapno, uint64_t err);
/*
 * A signal the kernel would force on the thread with this siginfo (seccomp's SIGSYS): the
 * target's handler runs on v->user, or the thread's process dies of it when the signal is
 * blocked, ignored or not handled.
 */
void kd_signal_force(struct kd_vcpu *v, const siginfo_t *info);
