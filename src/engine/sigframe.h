/*
 * sigframe.h: the kernel's x86-64 signal frame, as a handler sees it
 * (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h; arch/x86/kernel/signal_64.c).
 */
#pragma once
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U

/* The kernel's x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h). */
struct kd_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved1[8];
};

struct kd_ucontext {
	uint64_t uc_flags, uc_link;
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
	struct kd_sigcontext mc;
	uint64_t sigmask;
};

struct kd_rt_sigframe {
	uint64_t pretcode;
	struct kd_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct kd_sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct kd_rt_sigframe) == 440, "rt_sigframe layout");

/* Why a fault signal was raised, for sigcontext's err, trapno and cr2. */
struct kd_fault_regs {
	uint64_t err, trapno, cr2;
};

/*
 * The interrupted registers r into *mc, as the kernel's setup_sigcontext() writes them:
 * f (or NULL) gives err, trapno and cr2 for a fault; mask is the interrupted signal mask;
 * fp the address of the saved FPU state in the frame (0: none).
 */
void kd_sigframe_fill_mcontext(struct kd_sigcontext *mc, const struct kvm_regs *r,
			       const struct kd_fault_regs *f, uint64_t mask, uint64_t fp);
/*
 * rt_sigreturn: the registers a handler left in *mc become *r's. Of rflags, only the bits
 * ring 3 may own come from the frame (restore_sigcontext()'s FIX_EFLAGS); the rest stay.
 */
void kd_sigframe_restore_regs(struct kvm_regs *r, const struct kd_sigcontext *mc);
