/*
 * ptrcheck.h: every pointer the host kernel will use on the program's behalf lies in the
 * program's memory.
 *
 * The host kernel runs the program's syscalls with the program's own pointers, and kdune's
 * memory is in the same host address space. Before a call is forwarded, each pointer argument
 * and each pointer inside the structures the call reads (iovec arrays, msghdr, pselect6's
 * sigmask pair, mq_notify's sigevent, ...) is checked against kdune's ranges. One that
 * overlaps gives what a native process gets for memory that is not its own: EFAULT (ENOMEM for
 * the address-range calls such as mincore). Structures that hold pointers are copied once into
 * kdune's memory, checked there, and the kernel is given the copies, so another thread cannot
 * change them between the check and the kernel's read. Scalar pointers are in registers and
 * cost a lookup each; no copy.
 *
 * The checker is pure: it sees kdune's ranges and the program's memory only through struct
 * kd_ptrenv, so unit tests run it without KVM (tests/unit/test_ptrcheck.c).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kd_ptrenv {
	/* Does any byte of [start, end) belong to kdune? Called with start < end. */
	bool (*ours)(void *ctx, uint64_t start, uint64_t end);
	/* Copy n bytes of the program's memory at src: 0, or -EFAULT (fault-safe). */
	int (*copy_in)(void *ctx, void *dst, uint64_t src, size_t n);
	/* Write n bytes to the program's memory at dst: 0, or -EFAULT. */
	int (*copy_out)(void *ctx, uint64_t dst, const void *src, size_t n);
	void *ctx;
};

/* Longest path the kernel reads (PATH_MAX, with its NUL). */
#define KD_PTR_PATH_MAX 4096
/* iovec arrays: the kernel's UIO_MAXIOV; more entries fail with EINVAL/EMSGSIZE natively. */
#define KD_PTR_IOV_MAX 1024
/* Bytes checked behind an ioctl argument whose size the request number does not encode. */
#define KD_PTR_IOCTL_SPAN 256

/* Copies that do not fit inline (paths near kdune, mmsghdr arrays): at most this many. */
#define KD_PTR_HEAP_BLOCKS 4

/* One checked call: the arguments to give the kernel, and the copies they point at. */
struct kd_ptrcall {
	uint64_t a[6]; /* the arguments to forward (the program's, or with copies substituted) */
	bool copied;   /* a[] points at kdune's copies: forward a[], then kd_ptrcheck_finish */
	long nr;       /* the syscall */
	uint64_t user; /* the program's structure the results go back to (msghdr, mmsghdr) */
	uint64_t ulen; /* value-result length pointer of the program's (accept, getsockopt) */
	unsigned n;    /* entries copied (mmsghdr vlen) */
	int len;       /* the copied value-result length, which the kernel updates */
	size_t used;   /* bytes of inline_buf in use */
	void *heap[KD_PTR_HEAP_BLOCKS]; /* copies too big for inline_buf; freed by finish */
	unsigned char inline_buf[1024] __attribute__((aligned(16)));
};

/*
 * Check syscall nr with arguments a against env's idea of kdune's ranges, filling c.
 * Returns 0: forward c->a (if c->copied, call kd_ptrcheck_finish with the result afterwards);
 * -EFAULT: a pointer (or a buffer [p, p+len)) overlaps kdune's memory, as natively for memory
 * that is not the process's; -ENOMEM: an address range (mincore, mbind, ...) does, as natively
 * for an unmapped range; -ENOSYS: a call without a known signature, or one refused because
 * its memory use cannot be checked (io_uring, aio: as a kernel built without them); -EPERM
 * or -EACCES: calls that would give the program kdune's registers, page faults or memory
 * (ptrace, userfaultfd, bpf, perf_event_open), as under the restrictive sysctls; -ENOTTY:
 * ioctl requests whose structures carry pointers it does not follow (KVM's, SG_IO, ...), as
 * for a request the driver does not know; -EINVAL/-EMSGSIZE: as the kernel, for counts above
 * its limits; -ENOMEM: no memory for the copies. Never forwards or runs anything itself.
 */
long kd_ptrcheck(const struct kd_ptrenv *env, long nr, const uint64_t a[6], struct kd_ptrcall *c);

/*
 * After a call that kd_ptrcheck answered with c->copied ran with c->a and returned ret:
 * copy what the kernel wrote into kdune's copies back to the program (recvmsg's lengths and
 * flags, mmsghdr msg_len, accept's address length), release the copies. Returns ret.
 */
long kd_ptrcheck_finish(const struct kd_ptrenv *env, struct kd_ptrcall *c, long ret);

/* Does kd_ptrcheck know syscall nr (a row of its table)? For -v and the tests. */
bool kd_ptrcheck_known(long nr);
