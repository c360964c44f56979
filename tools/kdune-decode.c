/*
 * kdune-decode: describe the memory operands of one x86-64 instruction, for kdune's fault
 * path. Usage: kdune-decode RIP HEXBYTES. Prints one line per access:
 *   mem BASE INDEX SCALE DISP SEG W     (registers as capstone names, "-" for none)
 *   push | pop | stos | movs | lods    (implicit stack and string accesses)
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *reg(csh h, unsigned r)
{
	return r == X86_REG_INVALID ? "-" : cs_reg_name(h, r);
}

static void implicit(unsigned id)
{
	switch (id) {
	case X86_INS_PUSH:
	case X86_INS_CALL:
	case X86_INS_PUSHFQ:
		puts("push");
		break;
	case X86_INS_POP:
	case X86_INS_RET:
	case X86_INS_POPFQ:
		puts("pop");
		break;
	case X86_INS_STOSB:
	case X86_INS_STOSW:
	case X86_INS_STOSD:
	case X86_INS_STOSQ:
		puts("stos");
		break;
	case X86_INS_MOVSB:
	case X86_INS_MOVSW:
	case X86_INS_MOVSD:
	case X86_INS_MOVSQ:
		puts("movs");
		break;
	case X86_INS_LODSB:
	case X86_INS_LODSW:
	case X86_INS_LODSD:
	case X86_INS_LODSQ:
		puts("lods");
		break;
	}
}

int main(int argc, char **argv)
{
	uint8_t code[16];
	size_t n = 0;
	csh h;
	cs_insn *in;
	if (argc != 3)
		return 2;
	uint64_t rip = strtoull(argv[1], NULL, 16);
	for (const char *p = argv[2]; p[0] && p[1] && n < sizeof(code); p += 2) {
		unsigned b;
		if (sscanf(p, "%2x", &b) != 1)
			return 2;
		code[n++] = (uint8_t)b;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 1;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, code, n, rip, 1, &in) != 1)
		return 1;
	const cs_x86 *x = &in->detail->x86;
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type != X86_OP_MEM)
			continue;
		printf("mem %s %s %d %" PRId64 " %s %d\n", reg(h, op->mem.base),
		       reg(h, op->mem.index), op->mem.scale, op->mem.disp, reg(h, op->mem.segment),
		       (op->access & CS_AC_WRITE) != 0);
	}
	implicit(in->id);
	printf("size %u\n", in->size);
	cs_free(in, 1);
	cs_close(&h);
	return 0;
}
