/* adopt.c: kdune_enter(): memory the host mapped behind kdune's back becomes the target's. */
#include "vm/vm.h"
#include "vm/maps.h"
#include <string.h>

int kd_vm_adopt(struct kd_vm *vm, uint64_t addr)
{
	struct kd_mapping m;
	if (addr >= KD_USER_TOP || kd_maps_find(addr, &m) || !memcmp(m.perms, "---", 3) ||
	    kd_regions_overlaps(&vm->host, m.start, m.end))
		return -1;
	return kd_mem_add(vm, m.start, m.end - m.start) ? -1 : 0;
}

int kd_vm_adopt_range(struct kd_vm *vm, uint64_t start, uint64_t end)
{
	struct kd_range gap;
	while (kd_regions_gaps(&vm->target, start, end, &gap, 1))
		if (kd_vm_adopt(vm, gap.start))
			return -1;
	return 0;
}
