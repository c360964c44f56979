/* vcpu.h: one vCPU per target thread, and the loop that serves its exits. */
#pragma once
#include <linux/kvm.h>
#include <stdint.h>
#include "vm.h"

struct kd_vcpu {
	struct kd_vm *vm;
	int fd, id;
	struct kvm_run *run;
	/* The target's ring-3 registers at the current event (rip, rsp, rflags included). */
	struct kvm_regs user;
	uint64_t exits;
	int at_cpl3; /* this exit left the vCPU in ring 3: resume by registers alone */
};

/* Create vCPU `id` in long mode, parked in ring 0, ready for kd_vcpu_resume_user(). */
int kd_vcpu_create(struct kd_vm *vm, int id, struct kd_vcpu *v);
/* In a forked child: the same vCPU (registers, FS/GS base) in the child's new VM. */
int kd_vcpu_refork(struct kd_vcpu *v, uint64_t fs_base, uint64_t gs_base);
/* The next KVM_RUN enters ring 3 with v->user. */
void kd_vcpu_resume_user(struct kd_vcpu *v);
/* Serve exits until the target exits. Returns only on a kdune failure (exit status). */
int kd_vcpu_loop(struct kd_vcpu *v);

int kd_vcpu_set_msr(struct kd_vcpu *v, uint32_t idx, uint64_t val);
int kd_vcpu_get_msr(struct kd_vcpu *v, uint32_t idx, uint64_t *val);
/* Registers of the exit, for crash reports. */
void kd_vcpu_dump(struct kd_vcpu *v, const char *why);

#define KD_MSR_FS_BASE 0xc0000100
#define KD_MSR_GS_BASE 0xc0000101
