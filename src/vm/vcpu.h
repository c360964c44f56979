/* vcpu.h: one vCPU per target thread, and the loop that serves its exits. */
#pragma once
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "vm/vm.h"

/*
 * Signals the host caught for a thread, waiting to be delivered into the guest. While n > 0
 * the host thread blocks every signal, and mask is the target thread's own.
 */
struct kd_sigq {
	siginfo_t info[32];
	volatile sig_atomic_t n;
	uint64_t mask;
};

struct kd_vcpu {
	struct kd_vm *vm;
	int fd, id;
	struct kvm_run *run;
	/* The target's ring-3 registers at the current event (rip, rsp, rflags included). */
	struct kvm_regs user;
	int at_cpl3; /* this exit left the vCPU in ring 3: resume by registers alone */
	/* The target thread that runs on this vCPU now. */
	struct kd_proc *proc;	  /* its process (thread group) */
	uint64_t clear_tid;	  /* CLONE_CHILD_CLEARTID address, 0 if none */
	int tid;		  /* host thread id, 0 while in the pool */
	const void *owner;	  /* who took it from the pool, NULL while in the pool */
	int exited, exit_code;	  /* the thread called exit: kd_vcpu_loop returns 0 */
	struct kd_hstack *hstack; /* the host stack of the thread, NULL for the main one */
	struct kd_vcpu *next_free;
	struct kd_sigq sigq;
	int user_valid;	     /* v->user is the target's state now: a signal can be delivered */
	int tsd;	     /* CR4.TSD is set (PR_SET_TSC): rdtsc faults in ring 3 */
	struct kd_xl_cpu xl; /* the exitless path (engine/exitless.c) */
	/* Counters for -v. */
	uint64_t exits, nsyscalls, nfaults, nmemfaults, nintr;
	uint64_t pf_last_addr, pf_repeats;
};

/*
 * CR4.TSD, which makes rdtsc and rdtscp fault in ring 3 (PR_SET_TSC): set it (on 0 or 1) or
 * only read it (on -1). Returns the setting, or -1.
 */
int kd_vcpu_tsd(struct kd_vcpu *v, int on);
/*
 * CR4.TSD as the calling host thread's PR_SET_TSC, which threads, forks and execs inherit:
 * for a vCPU about to run a new thread or process.
 */
void kd_vcpu_sync_tsd(struct kd_vcpu *v);
/* Create vCPU `id` in long mode, parked in ring 0, ready for kd_vcpu_resume_user(). */
int kd_vcpu_create(struct kd_vm *vm, int id, struct kd_vcpu *v);
/*
 * Let go of the vCPU's fd and run page (fd -1 after). close_fd 0: the number is not this
 * process's to close (a descriptor table that never had it).
 */
void kd_vcpu_close(struct kd_vcpu *v, int close_fd);
/* In a forked child: the same vCPU (registers, FS/GS base) in the child's new VM. */
int kd_vcpu_refork(struct kd_vcpu *v, uint64_t fs_base, uint64_t gs_base);
/* The next KVM_RUN enters ring 3 with v->user. */
void kd_vcpu_resume_user(struct kd_vcpu *v);
/*
 * Serve exits until the target thread exits (returns 0; v->exit_code) or kdune fails
 * (returns an exit status). The end of the whole target process never returns.
 */
int kd_vcpu_loop(struct kd_vcpu *v);

int kd_vcpu_set_msr(struct kd_vcpu *v, uint32_t idx, uint64_t val);
int kd_vcpu_get_msr(struct kd_vcpu *v, uint32_t idx, uint64_t *val);
/* The vCPU's XSAVE image (standard format), malloc'd; its size in *len. NULL on error. */
struct kvm_xsave *kd_vcpu_xsave(struct kd_vcpu *v, size_t *len);
/* The FPU/SSE/AVX state of src becomes dst's, as a new thread inherits it. */
int kd_vcpu_copy_fpu(struct kd_vcpu *dst, struct kd_vcpu *src);
/* Registers of the exit, for crash reports. */
void kd_vcpu_dump(struct kd_vcpu *v, const char *why);

#define KD_MSR_FS_BASE 0xc0000100
#define KD_MSR_GS_BASE 0xc0000101
