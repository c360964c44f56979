/*
 * monitor.h: the program's syscalls cannot reach kdune's memory (engine side of ptrcheck.c
 * and procfilter.c, with the VM's ranges).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vm/vcpu.h"

/*
 * Check syscall nr's pointers (ptrcheck.h) before kd_syscall_dispatch runs it. Returns false
 * when the call goes on to the dispatcher with its own arguments unchanged (the common case:
 * a lookup per pointer). Returns true with *ret set when the monitor answered: an error (a
 * pointer into kdune's memory: -EFAULT; an unknown or refused call: -ENOSYS/-EPERM/...), or
 * the result of the call, which it ran itself on kdune's copies of the program's structures
 * (iovecs, msghdr, ...) and whose value-result fields it copied back; or getdents(64), which
 * it runs itself to leave kdune's descriptors out of /proc/self/fd and fdinfo listings.
 */
/*
 * Does [start, start+len) (bytes; wrapping counts as yes) touch kdune's own memory? For kdune
 * code that runs a call on the program's buffer itself, with arguments of its own.
 */
bool kd_monitor_range_is_ours(struct kd_vm *vm, uint64_t start, uint64_t len);
bool kd_monitor_call(struct kd_vcpu *v, long nr, const uint64_t a[6], long *ret);

/*
 * After an open of any kind returned fd (or -errno, returned as is): a /proc/PID/mem of any
 * process, and a KVM VM or vCPU (kdune's, reopened through /proc/self/map_files), are closed
 * and refused with EACCES (as for a process that may not ptrace the owner); the program's own
 * /proc/self/maps and smaps are replaced, under the same number and close-on-exec flag, by a memory
 * file holding their text without kdune's mappings. Costs one readlink per successful open.
 */
long kd_monitor_opened(struct kd_vcpu *v, long fd);
