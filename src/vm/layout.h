/* layout.h: the guest's fixed layout: kernel-half addresses, guest-physical map, ports. */
#pragma once

/*
 * Guest virtual: the low half is the target's, identical to this process (GVA == HVA).
 * The top 512 GiB (PML4 slot 511) holds kdune's ring-0 area, supervisor-only; no host
 * mapping can ever be there, so it never collides with the target.
 */
#define KD_KBASE 0xffffff8000000000ULL
#define KD_KOFF_STUBS 0x0000ULL /* ring-0 code (stubs.S), one page */
#define KD_KOFF_IDT 0x1000ULL	/* 256 gates, shared by every vCPU */
#define KD_KOFF_CPU 0x2000ULL	/* per-vCPU areas start here */
#define KD_CPU_AREA 0x6000ULL	/* per vCPU: GDT, TSS + I/O bitmap, IST stack, exitless */
#define KD_CPU_GDT 0x0000ULL
#define KD_CPU_TSS 0x0100ULL
#define KD_CPU_STACK_TOP 0x4000ULL
/* The exitless path's code and data pages (vm/exitless.h), adjacent, in this order; also
 * aliased user-accessible in the low half at vm->xl_alias + cpu * KD_XL_ALIAS_STRIDE. */
#define KD_CPU_XL_CODE 0x4000ULL
#define KD_CPU_XL_DATA 0x5000ULL
#define KD_XL_ALIAS_STRIDE 0x2000ULL
#define KD_MAX_VCPUS 1024
#define KD_KAREA_SIZE (KD_KOFF_CPU + KD_MAX_VCPUS * KD_CPU_AREA)

/* Guest physical: allocated by kdune, never equal to host addresses. */
#define KD_GPA_KAREA 0x00100000ULL /* the ring-0 area above */
#define KD_GPA_PT 0x40000000ULL	   /* page-table pool, in chunks */
#define KD_GPA_PT_END 0x100000000ULL
#define KD_GPA_USER 0x100000000ULL /* runs of target memory from here up */
#define KD_PT_CHUNK (8ULL << 20)

/* Linux's GDT layout. */
#define KD_SEL_KCS 0x10
#define KD_SEL_KDS 0x18
#define KD_SEL_UCS32 0x23
#define KD_SEL_UDS 0x2b
#define KD_SEL_UCS 0x33
#define KD_SEL_TSS 0x40

/* Exit ports: the stubs' only way out. The TSS I/O bitmap opens KD_PORT_SYSCALL alone to
 * ring 3 (the LSTAR stub runs there on PVM); the host checks the RIP of every such exit. */
#define KD_PORT_SYSCALL 0x10  /* LSTAR stub, reached at CPL0 (bare-metal VT-x/SVM) */
#define KD_PORT_SPURIOUS 0x1f /* vectors 32..255: nothing should raise them */
#define KD_PORT_EXC 0x20      /* + vector 0..31 */

#define KD_STUB_ALIGN 16 /* stubs.S: each exception stub is 16 bytes apart */

#define KD_PAGE 4096ULL
#define KD_HUGE (2ULL << 20)
#define KD_USER_TOP 0x800000000000ULL
