/* uaccess.c: fault-safe access to target memory, through the kernel's own checks. */
#include "vm/uaccess.h"
#include "vm/layout.h"
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int owned(struct kd_vm *vm, uint64_t addr, size_t n)
{
	if (n == 0)
		return 1;
	kd_vm_lock(vm);
	int ok = addr + n > addr && kd_regions_covers(&vm->target, addr, addr + n);
	if (!ok && addr + n > addr && vm->entered)
		ok = kd_vm_adopt_range(vm, addr, addr + n) == 0;
	kd_vm_unlock(vm);
	return ok;
}

int kd_copy_from_user(struct kd_vm *vm, void *dst, uint64_t src, size_t n)
{
	if (!owned(vm, src, n))
		return -EFAULT;
	struct iovec l = {dst, n}, r = {(void *)src, n};
	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

int kd_copy_to_user(struct kd_vm *vm, uint64_t dst, const void *src, size_t n)
{
	if (!owned(vm, dst, n))
		return -EFAULT;
	struct iovec l = {(void *)src, n}, r = {(void *)dst, n};
	return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

long kd_strncpy_from_user(struct kd_vm *vm, char *dst, uint64_t src, size_t n)
{
	size_t got = 0;
	while (got < n) {
		/* Never read across a page the string may not reach. */
		size_t chunk = KD_PAGE - ((src + got) & (KD_PAGE - 1));
		if (chunk > n - got)
			chunk = n - got;
		if (kd_copy_from_user(vm, dst + got, src + got, chunk))
			return -EFAULT;
		char *nul = memchr(dst + got, 0, chunk);
		if (nul)
			return nul - dst;
		got += chunk;
	}
	return -ENAMETOOLONG;
}
