/*
 * monitor.c: ptrcheck.c and procfilter.c applied to a running program, with the VM's record
 * of kdune's own ranges (vm->host) and fault-safe copies through the kernel.
 */
#include "engine/monitor.h"
#include "engine/trace.h"
#include "engine/procfilter.h"
#include "engine/ptrcheck.h"
#include "engine/syscall.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define IS_ERR(r) ((unsigned long)(r) >= (unsigned long)-4095)
/* /proc/self/maps larger than this is served cut short (the kernel has no such limit). */
#define MAPS_MAX (64u << 20)

/*
 * kdune's ranges for lookups without the VM lock, which costs a system call per take where
 * the CPU lacks FSGSBASE (this machine's), and every forwarded call checks pointers. A
 * seqlock: the copy is rewritten in place under the VM lock when kd_regions_generation()
 * moved on, and a reader that saw seq change under it looks again. The storage is fixed, so
 * even a torn read stays inside it. One VM per kdune process; vm says whose copy it is.
 */
#define SNAP_MAX 4096
static struct {
	unsigned seq; /* odd while being rewritten */
	uint64_t gen; /* kd_regions_generation() when copied */
	const struct kd_vm *vm;
	size_t n; /* SNAP_MAX + 1: more ranges than fit, ask vm->host under the lock */
	struct kd_range r[SNAP_MAX];
} snap;

static void snap_refresh(struct kd_vm *vm)
{
	kd_vm_lock(vm); /* every change to vm->host is made under it */
	__atomic_store_n(&snap.seq, snap.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	uint64_t gen = kd_regions_generation();
	size_t n = vm->host.n;
	if (n && n <= SNAP_MAX) /* an empty set may have no array at all */
		memcpy(snap.r, vm->host.r, n * sizeof(*snap.r));
	snap.n = n <= SNAP_MAX ? n : SNAP_MAX + 1;
	snap.vm = vm;
	__atomic_store_n(&snap.gen, gen, __ATOMIC_RELAXED);
	__atomic_store_n(&snap.seq, snap.seq + 1, __ATOMIC_RELEASE);
	kd_vm_unlock(vm);
}

/* Does [start, end) overlap one of n sorted ranges? */
static bool overlaps(const struct kd_range *r, size_t n, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the first range that ends after start */
		size_t mid = lo + (hi - lo) / 2;
		if (__atomic_load_n(&r[mid].end, __ATOMIC_RELAXED) > start)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < n && __atomic_load_n(&r[lo].start, __ATOMIC_RELAXED) < end;
}

static bool ours_locked(struct kd_vm *vm, uint64_t start, uint64_t end)
{
	kd_vm_lock(vm);
	bool hit = kd_regions_overlaps(&vm->host, start, end);
	kd_vm_unlock(vm);
	return hit;
}

static bool ours(void *ctx, uint64_t start, uint64_t end)
{
	struct kd_vm *vm = ctx;
	for (;;) {
		unsigned seq = __atomic_load_n(&snap.seq, __ATOMIC_ACQUIRE);
		if ((seq & 1) || __atomic_load_n(&snap.vm, __ATOMIC_RELAXED) != vm ||
		    __atomic_load_n(&snap.gen, __ATOMIC_RELAXED) != kd_regions_generation()) {
			snap_refresh(vm);
			continue;
		}
		size_t n = __atomic_load_n(&snap.n, __ATOMIC_RELAXED);
		if (n > SNAP_MAX)
			return ours_locked(vm, start, end);
		bool hit = overlaps(snap.r, n, start, end);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&snap.seq, __ATOMIC_RELAXED) == seq)
			return hit;
	}
}

/*
 * The program's memory, fault-safe: through the kernel (process_vm_readv/writev on our own
 * pid) after the same lock-free range check as the pointers themselves. Not
 * kd_copy_from_user, whose lock costs a system call per copy here.
 */
static int copy(struct kd_vm *vm, long nr, void *local, uint64_t remote, size_t n)
{
	if (n == 0)
		return 0;
	if (remote + n < remote || ours(vm, remote, remote + n))
		return -EFAULT;
	struct iovec l = {local, n}, r = {(void *)(uintptr_t)remote, n};
	long pid = kd_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	long got = kd_raw_syscall(nr, (uint64_t)pid, (uint64_t)&l, 1, (uint64_t)&r, 1, 0);
	return got == (long)n ? 0 : -EFAULT;
}

static int copy_in(void *ctx, void *dst, uint64_t src, size_t n)
{
	return copy(ctx, SYS_process_vm_readv, dst, src, n);
}

static int copy_out(void *ctx, uint64_t dst, const void *src, size_t n)
{
	return copy(ctx, SYS_process_vm_writev, (void *)src, dst, n);
}

static bool is_open(long nr)
{
	return nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 || nr == SYS_creat;
}

/* The kernel's name for the program's descriptor fd: its length, or -errno. */
static long fd_link(long fd, char *link, size_t size)
{
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%ld", fd);
	long n = kd_raw_syscall(SYS_readlink, (uint64_t)self, (uint64_t)link, size - 1, 0, 0, 0);
	if (!IS_ERR(n))
		link[n] = 0;
	return n;
}

#define PROC_SUPER_MAGIC 0x9fa0

/* What the program's descriptor fd is (procfilter.h); names alone are checked on procfs. */
static enum kd_proc_file fd_class(long fd)
{
	char link[256];
	if (IS_ERR(fd_link(fd, link, sizeof(link))))
		return KD_PROC_OTHER;
	enum kd_proc_file k = kd_proc_classify(link, kd_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0));
	struct statfs fs;
	if (k == KD_PROC_OTHER || k == KD_PROC_KVM)
		return k;
	long r = kd_raw_syscall(SYS_fstatfs, (uint64_t)fd, (uint64_t)&fs, 0, 0, 0, 0);
	return r == 0 && fs.f_type == PROC_SUPER_MAGIC ? k : KD_PROC_OTHER;
}

/*
 * getdents(64) of the program's /proc/self/fd or fdinfo: kdune's descriptors left out. A
 * batch that held only kdune's is not an end of directory: read on.
 */
static long getdents_filtered(struct kd_vm *vm, long nr, const uint64_t a[6])
{
	size_t name_off = nr == SYS_getdents64 ? KD_DIRENT64_NAME : KD_DIRENT_NAME;
	for (;;) {
		long r = kd_raw_syscall(nr, a[0], a[1], a[2], 0, 0, 0);
		if (r <= 0 || fd_class((long)a[0]) != KD_PROC_FD_DIR)
			return r;
		uint8_t *buf = malloc((size_t)r);
		if (!buf || copy_in(vm, buf, a[1], (size_t)r)) {
			free(buf);
			return r;
		}
		size_t n = kd_proc_filter_fd_dirents(buf, (size_t)r, name_off, kd_fd_is_ours);
		int bad = n && copy_out(vm, a[1], buf, n);
		free(buf);
		if (n || bad)
			return bad ? -EFAULT : (long)n;
	}
}

/*
 * A path near kdune's memory was copied (a program's stack top is often next to a mapping of
 * kdune's). If it names /proc/self/exe or cmdline, the dispatcher must see it: it serves
 * them from kdune's own data and never gives the program's pointer to the kernel then.
 */
static bool served_by_dispatcher(long nr, const struct kd_ptrcall *c)
{
	int at = nr == SYS_openat || nr == SYS_readlinkat;
	if (nr != SYS_open && nr != SYS_openat && nr != SYS_readlink && nr != SYS_readlinkat)
		return false;
	const char *path = (const char *)(uintptr_t)c->a[at];
	return kd_proc_self_served(path, kd_raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0));
}

bool kd_monitor_range_is_ours(struct kd_vm *vm, uint64_t start, uint64_t len)
{
	return len && (start + len < start || ours(vm, start, start + len));
}

bool kd_monitor_call(struct kd_vcpu *v, long nr, const uint64_t a[6], long *ret)
{
	if (nr == KD_SYS_QUERY)
		return false; /* kdune's own query: no pointers */
	if (nr == SYS_pidfd_getfd && kd_fd_is_ours((long)a[1])) {
		*ret =
		    -EBADF; /* a copy of kdune's VM or vCPU descriptor, through a pidfd of itself */
		return true;
	}
	struct kd_ptrenv env = {ours, copy_in, copy_out, v->vm};
	struct kd_ptrcall c;
	long r = kd_ptrcheck(&env, nr, a, &c);
	if (r == -ENOSYS && !kd_ptrcheck_known(nr))
		kd_unsupported(nr, "no known signature, so its pointers cannot be checked");
	if (r) {
		*ret = r;
		return true;
	}
	if (nr == SYS_getdents64 || nr == SYS_getdents) {
		*ret = getdents_filtered(v->vm, nr, a); /* its buffer was checked: never copied */
		return true;
	}
	if (!c.copied)
		return false;
	if (served_by_dispatcher(nr, &c)) {
		kd_ptrcheck_finish(&env, &c, 0);
		return false;
	}
	/* Only forwarded calls copy (never one kdune executes itself): run it on the copies. */
	r = kd_raw_syscall(nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
	if (is_open(nr))
		r = kd_monitor_opened(v, r);
	*ret = kd_ptrcheck_finish(&env, &c, r);
	return true;
}

/* The whole of an open file, read from its start: malloc'd, NUL-free length in *len. */
static char *slurp(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (long r = 1; buf && r > 0 && n < MAPS_MAX;) {
		if (n == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				return NULL;
			}
			buf = bigger;
		}
		r = kd_raw_syscall(SYS_read, (uint64_t)fd, (uint64_t)(buf + n), cap - n, 0, 0, 0);
		if (r > 0)
			n += (size_t)r;
		else if (r == -EINTR)
			r = 1;
	}
	*len = n;
	return buf;
}

/* fd's text without kdune's mappings, in a memory file that takes fd's number. */
static long serve_filtered(struct kd_vm *vm, long fd)
{
	size_t len;
	char *text = slurp((int)fd, &len);
	char *out = text ? malloc(len + 1) : NULL;
	long mfd = -ENOMEM;
	if (out) {
		size_t n = kd_proc_filter_maps(text, len, out, ours, vm);
		long cloexec = kd_raw_syscall(SYS_fcntl, (uint64_t)fd, F_GETFD, 0, 0, 0, 0);
		mfd = kd_raw_syscall(SYS_memfd_create, (uint64_t) "maps", MFD_CLOEXEC, 0, 0, 0, 0);
		if (!IS_ERR(mfd) &&
		    kd_raw_syscall(SYS_write, (uint64_t)mfd, (uint64_t)out, n, 0, 0, 0) != (long)n)
			mfd = -EIO;
		if (!IS_ERR(mfd))
			kd_raw_syscall(SYS_lseek, (uint64_t)mfd, 0, SEEK_SET, 0, 0, 0);
		/* dup3 over fd: the program's descriptor keeps its number, no other thread's open
		 * can take it in between. */
		long r =
		    IS_ERR(mfd)
			? mfd
			: kd_raw_syscall(SYS_dup3, (uint64_t)mfd, (uint64_t)fd,
					 (cloexec > 0 && (cloexec & FD_CLOEXEC)) ? O_CLOEXEC : 0, 0,
					 0, 0);
		if (!IS_ERR(mfd))
			kd_raw_syscall(SYS_close, (uint64_t)mfd, 0, 0, 0, 0, 0);
		mfd = IS_ERR(r) ? r : fd;
	}
	free(text);
	free(out);
	if (IS_ERR(mfd))
		kd_raw_syscall(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	return mfd;
}

long kd_monitor_opened(struct kd_vcpu *v, long fd)
{
	if (IS_ERR(fd))
		return fd;
	switch (fd_class(fd)) {
	case KD_PROC_MEM:
	case KD_PROC_KVM:
		kd_raw_syscall(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
		return -EACCES;
	case KD_PROC_MAPS:
		/* An O_PATH descriptor reads nothing: it stays the kernel's. */
		if (kd_raw_syscall(SYS_fcntl, (uint64_t)fd, F_GETFL, 0, 0, 0, 0) & O_PATH)
			return fd;
		return serve_filtered(v->vm, fd);
	default:
		return fd;
	}
}
