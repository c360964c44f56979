/* desc.h: the guest's descriptor tables (GDT, IDT, TSS) and ring-0 stubs. */
#pragma once
#include <stdint.h>
#include "vm/layout.h"
#include "vm/vm.h"

/* Copy the stubs into the ring-0 area and fill the IDT. */
void kd_desc_init(struct kd_vm *vm);
/* GDT and TSS (IST1; the I/O bitmap opens only KD_PORT_SYSCALL) for vCPU `cpu`. */
void kd_desc_init_cpu(struct kd_vm *vm, int cpu);

/* Guest-virtual addresses of the pieces. */
uint64_t kd_stub_gva(const void *sym);
/* The LSTAR stub through the ring-3 mapping. */
uint64_t kd_lstar(const struct kd_vm *vm);
static inline uint64_t kd_cpu_gva(int cpu, uint64_t off)
{
	return KD_KBASE + KD_KOFF_CPU + (uint64_t)cpu * KD_CPU_AREA + off;
}

extern const uint8_t kd_stubs_start[], kd_stubs_end[], kd_stub_syscall[], kd_stub_iret[],
    kd_stub_exc[], kd_stub_spurious[];
int kd_exc_has_error_code(int vec);
