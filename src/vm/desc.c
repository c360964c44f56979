/* desc.c: GDT, IDT and TSS in the ring-0 area, in Linux's layout. */
#include "vm/desc.h"
#include "vm/layout.h"
#include "vm/x86.h"
#include <string.h>

#define TSS_LIMIT (0x68 + 8192 / 8) /* the I/O bitmap ends with one extra 0xff byte */

uint64_t kd_stub_gva(const void *sym)
{
	return KD_KBASE + KD_KOFF_STUBS + (uint64_t)((const uint8_t *)sym - kd_stubs_start);
}

uint64_t kd_lstar(const struct kd_vm *vm)
{
	return vm->ustub + (uint64_t)(kd_stub_syscall - kd_stubs_start);
}

static uint64_t seg(uint8_t access, int l, int db)
{
	/* base 0, limit 0xfffff pages, G=1 */
	return 0xffffULL | (0xfULL << 48) | ((uint64_t)access << 40) | ((uint64_t)l << 53) |
	       ((uint64_t)db << 54) | (1ULL << 55);
}

static void idt_gate(uint64_t *idt, int vec, uint64_t handler, int dpl)
{
	idt[2 * vec] = (handler & 0xffff) | ((uint64_t)KD_SEL_KCS << 16) | (1ULL << 32) /* IST1 */ |
		       ((uint64_t)(0x8e | dpl << 5) << 40) | (((handler >> 16) & 0xffff) << 48);
	idt[2 * vec + 1] = handler >> 32;
}

void kd_desc_init(struct kd_vm *vm)
{
	memcpy(vm->karea + KD_KOFF_STUBS, kd_stubs_start, (size_t)(kd_stubs_end - kd_stubs_start));
	uint64_t *idt = (uint64_t *)(vm->karea + KD_KOFF_IDT);
	for (int vec = 0; vec < 256; vec++) {
		uint64_t h = vec < X86_NR_EXCEPTIONS
				 ? kd_stub_gva(kd_stub_exc) + (uint64_t)vec * KD_STUB_ALIGN
				 : kd_stub_gva(kd_stub_spurious);
		/* int3 and into are legal from ring 3, as on Linux; other `int $n` raise #GP. */
		idt_gate(idt, vec, h, vec == X86_VEC_BP || vec == X86_VEC_OF ? 3 : 0);
	}
}

void kd_desc_init_cpu(struct kd_vm *vm, int cpu)
{
	uint8_t *area = vm->karea + KD_KOFF_CPU + (uint64_t)cpu * KD_CPU_AREA;
	uint64_t *gdt = (uint64_t *)(area + KD_CPU_GDT);
	memset(gdt, 0, KD_CPU_TSS);
	gdt[KD_SEL_KCS >> 3] = seg(0x9b, 1, 0);
	gdt[KD_SEL_KDS >> 3] = seg(0x93, 0, 1);
	gdt[KD_SEL_UCS32 >> 3] = seg(0xfb, 0, 1);
	gdt[KD_SEL_UDS >> 3] = seg(0xf3, 0, 1);
	gdt[KD_SEL_UCS >> 3] = seg(0xfb, 1, 0);
	uint64_t tss = kd_cpu_gva(cpu, KD_CPU_TSS);
	gdt[KD_SEL_TSS >> 3] = (TSS_LIMIT & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
			       (((uint64_t)(TSS_LIMIT >> 16) & 0xf) << 48) |
			       (((tss >> 24) & 0xff) << 56);
	gdt[(KD_SEL_TSS >> 3) + 1] = tss >> 32;

	uint8_t *t = area + KD_CPU_TSS;
	memset(t, 0, 0x68);
	uint64_t stack = kd_cpu_gva(cpu, KD_CPU_STACK_TOP);
	memcpy(t + 4, &stack, 8);    /* RSP0 */
	memcpy(t + 0x24, &stack, 8); /* IST1: every vector lands on a known, empty stack */
	uint16_t iomap = 0x68;
	memcpy(t + 0x66, &iomap, 2);
	/* One port is open to ring 3: the LSTAR stub's, checked by RIP on every exit. */
	memset(t + 0x68, 0xff, 8192 / 8 + 1);
	t[0x68 + KD_PORT_SYSCALL / 8] &= (uint8_t) ~(1u << (KD_PORT_SYSCALL % 8));
}
