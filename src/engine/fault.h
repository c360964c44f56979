/* fault.h: guest faults become what a native process would get. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39 /* Linux 6.8; older uapi headers lack it */
#endif

/* A CPU exception from ring 3. 0: resume the target (v->user); never returns otherwise. */
int kd_fault_exception(struct kd_vcpu *v, int vec, uint64_t err);
/*
 * An access KVM could not complete (MMIO exit here; -EFAULT or KVM_EXIT_MEMORY_FAULT on
 * bare metal). 0: completed or retried, resume as is; -1: kdune cannot handle it.
 */
int kd_fault_memory(struct kd_vcpu *v, int efault);

