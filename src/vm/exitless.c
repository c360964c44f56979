/* exitless.c: the per-vCPU code page of the exitless path (the stub is xlstub.S). */
#include "vm/exitless.h"
#include <string.h>

_Static_assert(XL_STACK_TOP == 4096, "the data page follows the code page");

void kd_xl_code_init(uint8_t *code, uint64_t out_gva, uint32_t spins)
{
	size_t len = (size_t)(kd_xl_stub_end - kd_xl_stub);
	memset(code, 0xcc, 4096); /* int3 anywhere else: nothing else is code */
	memcpy(code, kd_xl_stub, len);
	memcpy(code + kd_xl_off(kd_xl_out_slot), &out_gva, sizeof(out_gva));
	if (!spins)
		spins = XL_SPIN_MAX;
	memcpy(code + kd_xl_off(kd_xl_spin_imm_end) - sizeof(spins), &spins, sizeof(spins));
}
