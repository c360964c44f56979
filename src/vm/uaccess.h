/* uaccess.h: kdune reading and writing the target's memory on its behalf. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "vm/vm.h"

/*
 * Only target-owned memory is accessible (never kdune's own), and a bad address gives
 * -EFAULT instead of crashing kdune. Return 0 or -EFAULT.
 */
int kd_copy_from_user(struct kd_vm *vm, void *dst, uint64_t src, size_t n);
int kd_copy_to_user(struct kd_vm *vm, uint64_t dst, const void *src, size_t n);
/* NUL-terminated string of at most n-1 bytes; returns its length or -EFAULT/-ENAMETOOLONG. */
long kd_strncpy_from_user(struct kd_vm *vm, char *dst, uint64_t src, size_t n);
