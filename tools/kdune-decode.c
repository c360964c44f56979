/*
 * kdune-decode: describe the memory operands of one x86-64 instruction, for kdune's fault
 * path. Usage: kdune-decode RIP HEXBYTES, or kdune-decode --serve (below). Prints one line
 * per access:
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

/* The instruction in HEX (up to 16 bytes) at rip, printed as above. 0, 1 (no instruction) or
 * 2 (bad bytes), the one-shot mode's exit status. */
static int describe(csh h, uint64_t rip, const char *hex)
{
	uint8_t code[16];
	size_t n = 0;
	cs_insn *in;
	for (const char *p = hex; p[0] && p[1] && n < sizeof(code); p += 2) {
		unsigned b;
		if (sscanf(p, "%2x", &b) != 1)
			return 2;
		code[n++] = (uint8_t)b;
	}
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
	return 0;
}

static int open_capstone(csh *h)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK)
		return -1;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	return 0;
}

/*
 * --serve: one request per line, "RIP HEXBYTES", until EOF (kdune closed its end, or died).
 * Each answer is what the one-shot mode prints, or "error" where it would fail, then "end".
 * kdune reads up to "end": an answer never lacks one, so it never waits for more than that.
 */
static int serve(csh h)
{
	char line[256];
	while (fgets(line, sizeof(line), stdin)) {
		char *nl = strchr(line, '\n'), *hex = strchr(line, ' ');
		int c, rc = 2;
		if (!nl) /* too long for any instruction: drop the rest of the line */
			while ((c = getchar()) != EOF && c != '\n')
				;
		else
			*nl = 0;
		if (nl && hex) {
			*hex++ = 0;
			rc = describe(h, strtoull(line, NULL, 16), hex);
		}
		if (rc)
			puts("error");
		puts("end");
		if (fflush(stdout))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	csh h;
	int serving = argc == 2 && !strcmp(argv[1], "--serve");
	if (!serving && argc != 3)
		return 2;
	if (open_capstone(&h))
		return 1;
	int rc = serving ? serve(h) : describe(h, strtoull(argv[1], NULL, 16), argv[2]);
	cs_close(&h);
	return rc;
}
