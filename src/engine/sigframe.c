/* sigframe.c: registers to and from the kernel's signal frame layout. */
#include "engine/sigframe.h"
#include "vm/layout.h"
#include "vm/x86.h"

void kd_sigframe_fill_mcontext(struct kd_sigcontext *mc, const struct kvm_regs *r,
			       const struct kd_fault_regs *f, uint64_t mask, uint64_t fp)
{
	*mc = (struct kd_sigcontext){.r8 = r->r8,
				     .r9 = r->r9,
				     .r10 = r->r10,
				     .r11 = r->r11,
				     .r12 = r->r12,
				     .r13 = r->r13,
				     .r14 = r->r14,
				     .r15 = r->r15,
				     .rdi = r->rdi,
				     .rsi = r->rsi,
				     .rbp = r->rbp,
				     .rbx = r->rbx,
				     .rdx = r->rdx,
				     .rax = r->rax,
				     .rcx = r->rcx,
				     .rsp = r->rsp,
				     .rip = r->rip,
				     .eflags = r->rflags,
				     .cs = KD_SEL_UCS,
				     .ss = KD_SEL_UDS,
				     .oldmask = mask,
				     .fpstate = fp};
	if (f) {
		mc->err = f->err;
		mc->trapno = f->trapno;
		mc->cr2 = f->cr2;
	}
}

void kd_sigframe_restore_regs(struct kvm_regs *r, const struct kd_sigcontext *mc)
{
	*r = (struct kvm_regs){.r8 = mc->r8,
			       .r9 = mc->r9,
			       .r10 = mc->r10,
			       .r11 = mc->r11,
			       .r12 = mc->r12,
			       .r13 = mc->r13,
			       .r14 = mc->r14,
			       .r15 = mc->r15,
			       .rdi = mc->rdi,
			       .rsi = mc->rsi,
			       .rbp = mc->rbp,
			       .rbx = mc->rbx,
			       .rdx = mc->rdx,
			       .rax = mc->rax,
			       .rcx = mc->rcx,
			       .rsp = mc->rsp,
			       .rip = mc->rip,
			       .rflags =
				   (r->rflags & ~X86_RFLAGS_USER) | (mc->eflags & X86_RFLAGS_USER)};
}
