/* vcpu.h: one vCPU per target thread: set-up, registers, and what each exit means. */
#pragma once
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "vm/vm.h"
#include "vm/x86.h"

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
	int exited, exit_code;	  /* the thread called exit: kd_loop_run returns 0 */
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
/* What one KVM_RUN came back with, in the target's terms. */
enum kd_vcpu_exit_kind {
	KD_VCPU_EXIT_SYSCALL,	  /* ring 3 ran `syscall`: v->user holds it, rip after it */
	KD_VCPU_EXIT_EXCEPTION,	  /* a CPU exception in ring 3: vector, error_code; v->user */
	KD_VCPU_EXIT_MEMORY,	  /* an access KVM could not complete (MMIO, memory fault) */
	KD_VCPU_EXIT_INTERRUPTED, /* a signal for this host thread stopped KVM_RUN (EINTR) */
	KD_VCPU_EXIT_RETRY,	  /* nothing to do (EAGAIN): run again */
	KD_VCPU_EXIT_FAILED,	  /* KVM_RUN failed, or the guest stopped: why says which */
};

struct kd_vcpu_exit {
	enum kd_vcpu_exit_kind kind;
	int vector;	      /* EXCEPTION: enum x86_vector */
	uint64_t error_code;  /* EXCEPTION: the one the CPU pushed, 0 if none */
	int efault;	      /* MEMORY: KVM_RUN returned -EFAULT (bare metal), not an exit */
	unsigned exit_reason; /* KVM's exit_reason when KVM_RUN returned 0 */
	int host_errno;	      /* KVM_RUN's errno, 0 when it returned 0 */
	const char *why;      /* FAILED: one line for the crash report */
};

/*
 * Run the vCPU until its next exit (at once if kvm_run's immediate_exit is set: the caller
 * clears it, a host signal handler sets it) and decode it into *e (v->user and v->at_cpl3 follow
 * the target's registers for SYSCALL and EXCEPTION). Returns 0, or -1 for FAILED.
 */
int kd_vcpu_run(struct kd_vcpu *v, struct kd_vcpu_exit *e);
/*
 * The decoding alone, for the exit in v->run (run_errno 0) or KVM_RUN's errno: what
 * kd_vcpu_run does after the ioctl, separate so that it can be tested on made-up exits.
 */
int kd_vcpu_exit_decode(struct kd_vcpu *v, int run_errno, struct kd_vcpu_exit *e);
/*
 * After an INTERRUPTED exit: read the target's registers into v->user if the vCPU stopped
 * in ring 3 outside kdune's stubs (then a signal can be delivered on them). 0, or -1.
 */
int kd_vcpu_read_user(struct kd_vcpu *v);
/* The vCPU's general registers (through kvm_run's sync area where KVM offers it). */
void kd_vcpu_get_regs(struct kd_vcpu *v, struct kvm_regs *k);
void kd_vcpu_set_regs(struct kd_vcpu *v, const struct kvm_regs *k);

int kd_vcpu_set_msr(struct kd_vcpu *v, uint32_t idx, uint64_t val);
int kd_vcpu_get_msr(struct kd_vcpu *v, uint32_t idx, uint64_t *val);
/* The vCPU's XSAVE image (standard format), malloc'd; its size in *len. NULL on error. */
struct kvm_xsave *kd_vcpu_xsave(struct kd_vcpu *v, size_t *len);
/* The FPU/SSE/AVX state of src becomes dst's, as a new thread inherits it. */
int kd_vcpu_copy_fpu(struct kd_vcpu *dst, struct kd_vcpu *src);
/* Registers of the exit, for crash reports. */
void kd_vcpu_dump(struct kd_vcpu *v, const char *why);
