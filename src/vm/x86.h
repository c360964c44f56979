/* x86.h: the x86-64 facts kdune relies on, by their SDM names (Intel SDM vol. 3). */
#pragma once

/* Exception vectors (SDM 6.3.1). */
enum x86_vector {
	X86_VEC_DE = 0,	 /* divide error */
	X86_VEC_DB = 1,	 /* debug */
	X86_VEC_NMI = 2, /* non-maskable interrupt */
	X86_VEC_BP = 3,	 /* breakpoint (int3) */
	X86_VEC_OF = 4,	 /* overflow (into) */
	X86_VEC_BR = 5,	 /* bound range */
	X86_VEC_UD = 6,	 /* invalid opcode */
	X86_VEC_NM = 7,	 /* device not available */
	X86_VEC_DF = 8,	 /* double fault */
	X86_VEC_TS = 10, /* invalid TSS */
	X86_VEC_NP = 11, /* segment not present */
	X86_VEC_SS = 12, /* stack-segment fault */
	X86_VEC_GP = 13, /* general protection */
	X86_VEC_PF = 14, /* page fault */
	X86_VEC_MF = 16, /* x87 floating-point error */
	X86_VEC_AC = 17, /* alignment check */
	X86_VEC_MC = 18, /* machine check */
	X86_VEC_XM = 19, /* SIMD floating-point */
	X86_VEC_VE = 20, /* virtualization exception */
	X86_VEC_CP = 21, /* control protection */
	X86_VEC_HV = 28, /* hypervisor injection (AMD) */
	X86_VEC_VC = 29, /* VMM communication (AMD) */
	X86_VEC_SX = 30, /* security exception (AMD) */
	X86_NR_EXCEPTIONS = 32,
};

/* Does the CPU push an error code for this vector (SDM table 6-1; AMD #VC and #SX too)? */
static inline int x86_vec_has_error_code(int vec)
{
	return vec == X86_VEC_DF || (vec >= X86_VEC_TS && vec <= X86_VEC_PF) || vec == X86_VEC_AC ||
	       vec == X86_VEC_CP || vec == X86_VEC_VC || vec == X86_VEC_SX;
}

/* #PF error code bits (SDM 4.7). */
#define X86_PF_PROT (1ULL << 0)	 /* the page was present: a protection violation */
#define X86_PF_WRITE (1ULL << 1) /* a write */
#define X86_PF_USER (1ULL << 2)	 /* from CPL 3 */
#define X86_PF_INSTR (1ULL << 4) /* an instruction fetch */

/* RFLAGS (SDM 3.4.3). */
#define X86_RFLAGS_CF (1ULL << 0)
#define X86_RFLAGS_FIXED (1ULL << 1) /* always 1 */
#define X86_RFLAGS_TF (1ULL << 8)
#define X86_RFLAGS_IF (1ULL << 9)
#define X86_RFLAGS_DF (1ULL << 10)
#define X86_RFLAGS_IOPL (3ULL << 12)
#define X86_RFLAGS_NT (1ULL << 14)
#define X86_RFLAGS_RF (1ULL << 16)
#define X86_RFLAGS_AC (1ULL << 18)
/* What ring 3 may own: CF PF AF ZF SF TF DF OF AC ID (Linux's FIX_EFLAGS less RF). */
#define X86_RFLAGS_USER 0x254dd5ULL

/* Control registers (SDM 2.5) and EFER. */
#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_MP (1ULL << 1)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
#define X86_CR0_WP (1ULL << 16)
#define X86_CR0_PG (1ULL << 31)
#define X86_CR4_TSD (1ULL << 2)
#define X86_CR4_PAE (1ULL << 5)
#define X86_CR4_OSFXSR (1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_FSGSBASE (1ULL << 16)
#define X86_CR4_OSXSAVE (1ULL << 18)
#define X86_EFER_SCE (1ULL << 0)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_EFER_NXE (1ULL << 11)

/* MSRs. */
#define X86_MSR_STAR 0xc0000081
#define X86_MSR_LSTAR 0xc0000082
#define X86_MSR_CSTAR 0xc0000083
#define X86_MSR_FMASK 0xc0000084
#define X86_MSR_FS_BASE 0xc0000100
#define X86_MSR_GS_BASE 0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
#define X86_MSR_PVM_ID 0x4b564d11 /* kvm_pvm's identification MSR: reads 0x4d5650 ("PVM") */
#define X86_PVM_ID 0x4d5650

/* Length in bytes of the `syscall` instruction (0f 05): a restart rewinds rip by this. */
#define X86_SYSCALL_INSN_LEN 2

/* The legacy XSAVE area (SDM 13.4.1): offsets of FCW, FSW and MXCSR. */
#define X86_XSAVE_FCW 0
#define X86_XSAVE_FSW 2
#define X86_XSAVE_MXCSR 24
