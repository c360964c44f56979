/* fault.h: guest faults become what a native process would get. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39 /* Linux 6.8; older uapi headers lack it */
#endif

/* The signal for a CPU exception from user mode, as Linux's traps.c sends it. */
struct kd_exc_signal {
	int sig, code;	/* signal and si_code */
	int addr_is_ip; /* si_addr is the faulting instruction's address (else 0) */
};
/* For vector vec (enum x86_vector); #PF and #MF/#XM's si_code depend on more (fault.c). */
struct kd_exc_signal kd_exception_signal(int vec);
/*
 * si_code for an x87 (#MF) or SSE (#XM) exception, from the FPU's control and status words
 * and MXCSR, as the kernel's fpu__exception_code(): the first unmasked flag.
 */
int kd_fpe_code(int vec, uint16_t fcw, uint16_t fsw, uint32_t mxcsr);
/* A CPU exception from ring 3. 0: resume the target (v->user); never returns otherwise. */
int kd_fault_exception(struct kd_vcpu *v, int vec, uint64_t err);
/*
 * An access KVM could not complete (MMIO exit here; -EFAULT or KVM_EXIT_MEMORY_FAULT on
 * bare metal). 0: completed or retried, resume as is; -1: kdune cannot handle it.
 */
int kd_fault_memory(struct kd_vcpu *v, int efault);
