/* sysmem.c: brk and the mmap family. The host executes them; kdune follows with slots
 * and page tables, and keeps the target away from kdune's own mappings. */
#include "vm/layout.h"
#include "engine/sysmem.h"
#include <errno.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#define PAGE_UP(x) (((x) + KD_PAGE - 1) & ~(KD_PAGE - 1))

static int hits_kdune(struct kd_vm *vm, uint64_t start, uint64_t len)
{
	uint64_t end = start + PAGE_UP(len);
	return end < start || end > KD_USER_TOP || kd_regions_overlaps(&vm->host, start, end);
}

/* After kdune_enter() the break is the kernel's, as the process had it: kdune follows. */
static long native_brk(struct kd_vm *vm, uint64_t addr)
{
	uint64_t old_end = PAGE_UP(vm->brk_cur);
	long r = kd_raw_syscall(SYS_brk, addr, 0, 0, 0, 0, 0);
	uint64_t new_end = PAGE_UP((uint64_t)r);
	if (new_end > old_end && kd_mem_add(vm, old_end, new_end - old_end)) {
		kd_raw_syscall(SYS_brk, vm->brk_cur, 0, 0, 0, 0, 0);
		return (long)vm->brk_cur;
	}
	if (new_end < old_end)
		kd_mem_remove(vm, new_end, old_end - new_end);
	vm->brk_cur = (uint64_t)r;
	return r;
}

long kd_sys_brk(struct kd_vm *vm, uint64_t addr)
{
	if (vm->entered)
		return native_brk(vm, addr);
	uint64_t old_end = PAGE_UP(vm->brk_cur), new_end = PAGE_UP(addr);
	if (addr < vm->brk_start)
		return (long)vm->brk_cur;
	if (new_end > old_end) {
		uint64_t len = new_end - old_end;
		/* NOREPLACE: like the kernel, brk never grows over another mapping. */
		if (hits_kdune(vm, old_end, len) ||
		    KD_IS_ERR(kd_raw_syscall(SYS_mmap, old_end, len, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
					     (uint64_t)-1, 0)))
			return (long)vm->brk_cur;
		if (kd_mem_add(vm, old_end, len)) {
			kd_raw_syscall(SYS_munmap, old_end, len, 0, 0, 0, 0);
			return (long)vm->brk_cur;
		}
	} else if (new_end < old_end) {
		kd_raw_syscall(SYS_munmap, new_end, old_end - new_end, 0, 0, 0, 0);
		kd_mem_remove(vm, new_end, old_end - new_end);
	}
	vm->brk_cur = addr;
	return (long)addr;
}

/*
 * Shadow paging pays ~6 us per fresh 4 KiB page the guest touches; with transparent huge
 * pages behind a 2 MiB guest page it pays once per 2 MiB. Large private anonymous
 * mappings get THP (the guest side already uses 2 MiB pages there). Data is the same;
 * resident memory can grow in 2 MiB steps for sparsely touched mappings.
 */
static void prefer_huge(uint64_t addr, const uint64_t a[6])
{
	uint64_t want = MAP_PRIVATE | MAP_ANONYMOUS;
	if ((a[3] & (want | MAP_SHARED | MAP_GROWSDOWN | MAP_STACK)) == want && a[1] >= KD_HUGE)
		kd_raw_syscall(SYS_madvise, addr, a[1], MADV_HUGEPAGE, 0, 0, 0);
}

long kd_sys_mmap(struct kd_vm *vm, const uint64_t a[6])
{
	if ((a[3] & MAP_FIXED) && hits_kdune(vm, a[0], a[1]))
		return -ENOMEM;
	long r = kd_raw_syscall(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (KD_IS_ERR(r))
		return r;
	if (kd_mem_add(vm, (uint64_t)r, a[1])) {
		kd_raw_syscall(SYS_munmap, (uint64_t)r, a[1], 0, 0, 0, 0);
		return -ENOMEM;
	}
	prefer_huge((uint64_t)r, a);
	return r;
}

long kd_sys_munmap(struct kd_vm *vm, const uint64_t a[6])
{
	uint64_t start = a[0], end = a[0] + PAGE_UP(a[1]);
	if ((start & (KD_PAGE - 1)) || a[1] == 0 || end < start)
		return -EINVAL;
	/* Only the target's parts go; kdune's own mappings are invisible to it. */
	struct kd_range gaps[64];
	size_t n = kd_regions_gaps(&vm->host, start, end, gaps, 64);
	for (size_t i = 0; i < n; i++) {
		long r = kd_raw_syscall(SYS_munmap, gaps[i].start, gaps[i].end - gaps[i].start, 0,
					0, 0, 0);
		if (KD_IS_ERR(r))
			return r;
		kd_mem_remove(vm, gaps[i].start, gaps[i].end - gaps[i].start);
	}
	return 0;
}

long kd_sys_mremap(struct kd_vm *vm, const uint64_t a[6])
{
	uint64_t old = a[0], old_len = PAGE_UP(a[1]), new_len = PAGE_UP(a[2]);
	if (hits_kdune(vm, old, old_len))
		return -EFAULT;
	if ((a[3] & MREMAP_FIXED) && hits_kdune(vm, a[4], new_len))
		return -ENOMEM;
	long r = kd_raw_syscall(SYS_mremap, a[0], a[1], a[2], a[3], a[4], 0);
	if (KD_IS_ERR(r))
		return r;
	/* Add the new range first so that a shared 2 MiB run never goes dormant in between. */
	if (kd_mem_add(vm, (uint64_t)r, new_len))
		return -ENOMEM; /* out of guest-physical space: the program sees a failed call */
	if (!(a[3] & MREMAP_DONTUNMAP) && old_len) {
		uint64_t nstart = (uint64_t)r, nend = nstart + new_len, oend = old + old_len;
		if (old < nstart)
			kd_mem_remove(vm, old, (oend < nstart ? oend : nstart) - old);
		if (oend > nend)
			kd_mem_remove(vm, old > nend ? old : nend,
				      oend - (old > nend ? old : nend));
	}
	return r;
}

long kd_sys_range(struct kd_vm *vm, long nr, const uint64_t a[6])
{
	if (hits_kdune(vm, a[0], a[1]))
		return -ENOMEM;
	return kd_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

long kd_sys_shmat(struct kd_vm *vm, const uint64_t a[6])
{
	struct shmid_ds ds;
	long r = kd_raw_syscall(SYS_shmctl, a[0], IPC_STAT, (uint64_t)&ds, 0, 0, 0);
	if (KD_IS_ERR(r))
		return r == -EACCES ? -EACCES : -EINVAL;
	if (a[1] && hits_kdune(vm, a[1], ds.shm_segsz))
		return -EINVAL;
	r = kd_raw_syscall(SYS_shmat, a[0], a[1], a[2], 0, 0, 0);
	if (!KD_IS_ERR(r) && kd_mem_add(vm, (uint64_t)r, ds.shm_segsz)) {
		kd_raw_syscall(SYS_shmdt, (uint64_t)r, 0, 0, 0, 0, 0);
		return -ENOMEM;
	}
	return r;
}

long kd_sys_shmdt(struct kd_vm *vm, const uint64_t a[6])
{
	/* Only a segment's start can be detached; its size comes from the host's map. */
	if (kd_regions_overlaps(&vm->host, a[0], a[0] + 1))
		return -EINVAL;
	return kd_raw_syscall(SYS_shmdt, a[0], 0, 0, 0, 0, 0);
}
