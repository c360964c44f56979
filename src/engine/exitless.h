/*
 * exitless.h: syscalls without a VM exit. A vCPU's own LSTAR stub (vm/xlstub.S) publishes
 * the request on its data page and spins; a host server thread of the process polls the
 * pages, serves the calls that cannot block and do not depend on the calling thread, and
 * sends everything else back to the exit path. See README (Design: exitless path).
 */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

/* "auto", "on", "off" (also "1"/"0"): the mode; NULL or "" (unset): auto; else -1. */
int kd_xl_parse_mode(const char *s);

/* One per process (VM): the server thread and what it needs to know. */
struct kd_xl_server {
	int started;	    /* the thread exists (or is being made) */
	int disabled;	    /* never start one: one CPU, or no stack for it */
	int pid;	    /* the process it serves (a fork child makes its own) */
	const void *proc;   /* the struct kd_proc of its threads: only they are served */
	int tid;	    /* the server thread's, for -v */
	int sleeping;	    /* it is on (or going to) its futex */
	int kick;	    /* futex word: an exit came since its polling period began */
	int creds_changed;  /* a thread changed credentials: identity calls exit */
	int limits_changed; /* a thread changed RLIMIT_FSIZE: writes exit */
	uint64_t spin_ns;   /* how long it polls after its last request before sleeping */
	uint64_t wakeups;   /* times it woke from its futex, for -v */
};

/* How long the server polls after its last request: 1.5 ms. */
#define KD_XL_SPIN_NS 1500000ULL

/*
 * Whether a vCPU of this VM uses the path: mode ON, the PVM backend (on VT-x/SVM the LSTAR
 * stub runs at CPL0, where its `jmp *%rcx` would stay in ring 0) and no --trace (the server
 * writes no trace lines, so tracing keeps every call on the exit path). *why: a reason for -v.
 */
int kd_exitless_wanted(const struct kd_vm *vm, const char **why);

/*
 * A vCPU (new, or re-created in a fork child): if the path is wanted, its pages, its own
 * LSTAR and an FMASK that keeps IF (popfq at CPL3 cannot set it again). 0 or -errno.
 */
int kd_exitless_vcpu_init(struct kd_vcpu *v);

/*
 * KVM_RUN came back (EINTR) with v->user at ring 3: if its rip is in v's exitless stub,
 * bring it to a syscall boundary, completing or cancelling the request (see
 * kd_xl_settle_regs). Returns 1 if it did, 0 if the rip is elsewhere.
 */
int kd_exitless_settle(struct kd_vcpu *v);

/* In a fork child: no server yet, and the pages say so. */
void kd_exitless_after_fork(struct kd_vm *vm);

/* -v: one line of counts. */
void kd_exitless_stats(struct kd_vm *vm);

/* ---- pieces, public for tests/unit/test_exitless.c ---- */

enum kd_xl_settled { KD_XL_NOT_IN_STUB, KD_XL_RESTART, KD_XL_COMPLETED };

/*
 * Registers r, stopped somewhere: if r->rip is in c's stub, turn them into a syscall
 * boundary. RESTART: the call was not run (never published, cancelled before the server
 * claimed it, declined): rip = rcx - 2 (the `syscall` again), rflags = r11, the rest as at
 * entry. COMPLETED: the server ran it: rax = its result, rip = rcx, rflags = r11, rsp the
 * caller's. A request the server claimed is waited for (it never blocks).
 */
enum kd_xl_settled kd_xl_settle_regs(struct kd_xl_cpu *c, struct kvm_regs *r);
