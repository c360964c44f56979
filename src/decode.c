/* decode.c: effective addresses of a faulting instruction, for when KVM reports a failed
 * access without its address. Only fault paths use it. */
#include "decode.h"
#include "uaccess.h"
#include <capstone/capstone.h>

static int reg_value(const struct kvm_regs *r, x86_reg reg, uint64_t *val)
{
	/* 64-bit registers and the 32-bit forms an address-size prefix can use. */
	static const struct {
		x86_reg r64, r32;
		size_t off;
	} map[] = {
	    {X86_REG_RAX, X86_REG_EAX, offsetof(struct kvm_regs, rax)},
	    {X86_REG_RBX, X86_REG_EBX, offsetof(struct kvm_regs, rbx)},
	    {X86_REG_RCX, X86_REG_ECX, offsetof(struct kvm_regs, rcx)},
	    {X86_REG_RDX, X86_REG_EDX, offsetof(struct kvm_regs, rdx)},
	    {X86_REG_RSI, X86_REG_ESI, offsetof(struct kvm_regs, rsi)},
	    {X86_REG_RDI, X86_REG_EDI, offsetof(struct kvm_regs, rdi)},
	    {X86_REG_RSP, X86_REG_ESP, offsetof(struct kvm_regs, rsp)},
	    {X86_REG_RBP, X86_REG_EBP, offsetof(struct kvm_regs, rbp)},
	    {X86_REG_R8, X86_REG_R8D, offsetof(struct kvm_regs, r8)},
	    {X86_REG_R9, X86_REG_R9D, offsetof(struct kvm_regs, r9)},
	    {X86_REG_R10, X86_REG_R10D, offsetof(struct kvm_regs, r10)},
	    {X86_REG_R11, X86_REG_R11D, offsetof(struct kvm_regs, r11)},
	    {X86_REG_R12, X86_REG_R12D, offsetof(struct kvm_regs, r12)},
	    {X86_REG_R13, X86_REG_R13D, offsetof(struct kvm_regs, r13)},
	    {X86_REG_R14, X86_REG_R14D, offsetof(struct kvm_regs, r14)},
	    {X86_REG_R15, X86_REG_R15D, offsetof(struct kvm_regs, r15)},
	};
	if (reg == X86_REG_INVALID) {
		*val = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t v = *(const uint64_t *)(const void *)((const char *)r + map[i].off);
		if (reg == map[i].r64 || reg == map[i].r32) {
			*val = reg == map[i].r64 ? v : (uint32_t)v;
			return 0;
		}
	}
	return -1;
}

static int explicit_operands(struct kd_vcpu *v, const cs_insn *in, struct kd_access *out, int max)
{
	const cs_x86 *x = &in->detail->x86;
	int n = 0;
	for (int i = 0; i < x->op_count && n < max; i++) {
		const cs_x86_op *op = &x->operands[i];
		uint64_t base, index, seg = 0;
		if (op->type != X86_OP_MEM)
			continue;
		if (op->mem.base == X86_REG_RIP)
			base = in->address + in->size;
		else if (reg_value(&v->user, op->mem.base, &base))
			continue;
		if (reg_value(&v->user, op->mem.index, &index))
			continue;
		if (op->mem.segment == X86_REG_FS || op->mem.segment == X86_REG_GS)
			kd_vcpu_get_msr(
			    v, op->mem.segment == X86_REG_FS ? KD_MSR_FS_BASE : KD_MSR_GS_BASE,
			    &seg);
		out[n].addr = seg + base + index * (uint64_t)op->mem.scale + (uint64_t)op->mem.disp;
		out[n++].write = (op->access & CS_AC_WRITE) != 0;
	}
	return n;
}

/* Stack and string instructions name their memory only implicitly. */
static int implicit_operands(const struct kvm_regs *r, unsigned id, struct kd_access *out)
{
	switch (id) {
	case X86_INS_PUSH:
	case X86_INS_CALL:
	case X86_INS_PUSHFQ:
		out[0] = (struct kd_access){r->rsp - 8, 1};
		return 1;
	case X86_INS_POP:
	case X86_INS_RET:
	case X86_INS_POPFQ:
		out[0] = (struct kd_access){r->rsp, 0};
		return 1;
	case X86_INS_STOSB:
	case X86_INS_STOSW:
	case X86_INS_STOSD:
	case X86_INS_STOSQ:
		out[0] = (struct kd_access){r->rdi, 1};
		return 1;
	case X86_INS_MOVSB:
	case X86_INS_MOVSW:
	case X86_INS_MOVSD:
	case X86_INS_MOVSQ:
		out[0] = (struct kd_access){r->rsi, 0};
		out[1] = (struct kd_access){r->rdi, 1};
		return 2;
	case X86_INS_LODSB:
	case X86_INS_LODSW:
	case X86_INS_LODSD:
	case X86_INS_LODSQ:
		out[0] = (struct kd_access){r->rsi, 0};
		return 1;
	default:
		return 0;
	}
}

int kd_decode_accesses(struct kd_vcpu *v, struct kd_access *out, int max)
{
	uint8_t code[15];
	csh h;
	cs_insn *in;
	int n = 0;
	if (max < 2 || kd_copy_from_user(v->vm, code, v->user.rip, sizeof(code)) ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 0;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, code, sizeof(code), v->user.rip, 1, &in) == 1) {
		n = explicit_operands(v, in, out, max);
		if (n < max)
			n += implicit_operands(&v->user, in->id, out + n);
		cs_free(in, 1);
	}
	cs_close(&h);
	return n;
}
