/* sysmem.h: the calls that change the address space (brk, the mmap family). */
#pragma once
#include <stdint.h>
#include "vm/vm.h"

long kd_sys_brk(struct kd_vm *vm, uint64_t addr);
long kd_sys_mmap(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_munmap(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_mremap(struct kd_vm *vm, const uint64_t a[6]);
/* mprotect, madvise, ...: calls on a range that must not touch kdune's own memory. */
long kd_sys_range(struct kd_vm *vm, long nr, const uint64_t a[6]);
long kd_sys_shmat(struct kd_vm *vm, const uint64_t a[6]);
long kd_sys_shmdt(struct kd_vm *vm, const uint64_t a[6]);
