/*
 * ptrcheck.c: the table of what each syscall's arguments point at, and the checks.
 *
 * One row per x86-64 syscall: for each argument, a kind (a buffer whose length is another
 * argument, a fixed-size structure, a path, an iovec array, ...) or a hook for calls whose
 * pointers depend on a command (futex, fcntl, ioctl, prctl, System V IPC). A syscall without
 * a row is refused with ENOSYS, as by a kernel that lacks it, rather than forwarded unchecked.
 * Rows marked OWN are calls kdune executes itself, reading the program's memory only through
 * kd_copy_from_user/kd_copy_to_user, which already refuse kdune's memory.
 *
 * Cost: a scalar pointer is one lookup in kdune's ranges. Only calls whose structures hold
 * pointers (readv, sendmsg, accept's length, ...) copy, because a check of memory the program
 * can still change proves nothing.
 */
#include "engine/ptrcheck.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Syscall numbers newer than the C library's headers (the kernel's ABI). */
#define NR_cachestat 451
#define NR_fchmodat2 452
#define NR_map_shadow_stack 453
#define NR_futex_wake 454
#define NR_futex_wait 455
#define NR_futex_requeue 456
#define NR_mseal 462
#define NR_TABLE 463

/* Sizes of the kernel's x86-64 structures, as the kernel copies them. */
enum {
	SZ_INT = 4,
	SZ_LONG = 8,
	SZ_TIMESPEC = 16, /* also struct timeval, struct rlimit */
	SZ_ITIMER = 32,	  /* struct itimerval, struct itimerspec */
	SZ_STAT = 144,
	SZ_STATFS = 120,
	SZ_STATX = 256,
	SZ_RUSAGE = 144,
	SZ_TMS = 32,
	SZ_UTSNAME = 390,
	SZ_SYSINFO = 112,
	SZ_STACK_T = 24,
	SZ_SIGINFO = 128,
	SZ_SIGEVENT = 64,
	SZ_EPOLL_EVENT = 12,
	SZ_POLLFD = 8,
	SZ_IOVEC = 16,
	SZ_MSGHDR = 56,
	SZ_MMSGHDR = 64,
	SZ_FLOCK = 32,
	SZ_TIMEX = 208,
	SZ_USTAT = 32,
	SZ_CAP_HDR = 8,
	SZ_CAP_DATA = 24, /* two __user_cap_data_struct (version 3) */
	SZ_USER_DESC = 16,
	SZ_TIMEZONE = 8,
	SZ_MQ_ATTR = 64,
	SZ_SEMBUF = 6,
	SZ_SEMID_DS = 104,
	SZ_SHMID_DS = 112,
	SZ_MSQID_DS = 120,
	SZ_FILE_HANDLE = 8 + 128, /* header + MAX_HANDLE_SZ */
	SZ_SOCK_FPROG = 16,
	SZ_SOCK_FILTER = 8,
	SZ_IFCONF = 16,
	SZ_KCMP_SLOT = 12,
	SZ_LANDLOCK_ATTR = 16,
	SZ_CACHESTAT_RANGE = 16,
	SZ_CACHESTAT = 32,
	SZ_NOTIFY_COOKIE = 32, /* mq_notify's SIGEV_THREAD cookie */
	SZ_SCHED_ATTR_MAX = 4096,
	SZ_QUOTA_MAX = 256,
	SZ_MOUNT_DATA = 4096, /* mount(2) copies up to a page of options */
	SEMMSL_MAX = 32000,   /* semctl GETALL/SETALL: at most this many shorts */
};

enum kind {
	K_NONE = 0, /* not a pointer the kernel follows */
	K_BUF,	    /* [p, p + a[aux] * size): read or written */
	K_FIX,	    /* [p, p + size): a structure of fixed size */
	K_STR,	    /* NUL-terminated path or name, up to KD_PTR_PATH_MAX */
	K_IOV,	    /* iovec array of a[aux] entries: copied, each buffer checked */
	K_MEM,	    /* address range [p, p + a[aux]) the call acts on: ENOMEM if kdune's */
	K_VALRES,   /* buffer whose length the kernel reads and updates at a[aux]: copied */
	K_MSG,	    /* struct msghdr: copied with its iovec */
	K_MMSG,	    /* struct mmsghdr[a[aux]]: copied with their iovecs */
	K_FDSET,    /* fd_set of a[aux] bits */
	K_BITS,	    /* bitmask of a[aux] bits (NUMA node masks) */
	K_PSELSIG,  /* pselect6's {const sigset_t *, size_t}: copied */
	K_SIGEV,    /* mq_notify's struct sigevent (SIGEV_THREAD carries a pointer): copied */
};

struct parg {
	uint8_t kind;
	uint8_t aux;   /* index of the argument with the length or count */
	uint16_t size; /* K_FIX: bytes; K_BUF: bytes per element (0 means 1) */
};

typedef long hook_fn(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c);

struct row {
	uint8_t known;
	uint8_t own;	/* kdune executes it, with its own fault-safe copies */
	uint8_t refuse; /* errno returned without forwarding */
	hook_fn *hook;	/* for pointers that depend on a command argument */
	struct parg arg[6];
};

/* ---- helpers ---- */

/* [p, p + len) overlapping kdune's memory: err. A wrapping range is never the program's. */
static long range(const struct kd_ptrenv *e, uint64_t p, uint64_t len, long err)
{
	if (len == 0)
		return 0;
	if (p + len < p)
		return err;
	return e->ours(e->ctx, p, p + len) ? err : 0;
}

static long fix(const struct kd_ptrenv *e, uint64_t p, uint64_t size)
{
	return p ? range(e, p, size, -EFAULT) : 0;
}

/* A heap block that finish (or a failed check) frees; NULL when none is left. */
static void *heap_block(struct kd_ptrcall *c, size_t n)
{
	for (int k = 0; k < KD_PTR_HEAP_BLOCKS; k++)
		if (!c->heap[k])
			return c->heap[k] = malloc(n ? n : 1);
	return NULL;
}

/* Scratch space for copies: the inline buffer first, then heap blocks. */
static void *scratch(struct kd_ptrcall *c, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (c->used + n <= sizeof(c->inline_buf)) {
		void *p = c->inline_buf + c->used;
		c->used += n;
		return p;
	}
	return heap_block(c, n);
}

static void release(struct kd_ptrcall *c)
{
	for (int k = 0; k < KD_PTR_HEAP_BLOCKS; k++) {
		free(c->heap[k]);
		c->heap[k] = NULL;
	}
}

/* The first byte of [p, end) that is kdune's; end if none. O(log n) predicate calls. */
static uint64_t first_ours(const struct kd_ptrenv *e, uint64_t p, uint64_t end)
{
	if (!e->ours(e->ctx, p, end))
		return end;
	while (end - p > 1) {
		uint64_t mid = p + (end - p) / 2;
		if (e->ours(e->ctx, p, mid))
			end = mid;
		else
			p = mid;
	}
	return p;
}

/*
 * A path: usually nowhere near kdune (one lookup). Near it, the string is copied up to
 * kdune's first byte; one that ends before it is given to the kernel as kdune's copy, so the
 * program cannot move its NUL afterwards and make the kernel read on.
 */
static long str(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i)
{
	uint64_t p = c->a[i];
	if (!p || p + KD_PTR_PATH_MAX < p || !e->ours(e->ctx, p, p + KD_PTR_PATH_MAX))
		return 0;
	uint64_t lim = first_ours(e, p, p + KD_PTR_PATH_MAX);
	char *copy = scratch(c, KD_PTR_PATH_MAX);
	if (!copy)
		return -ENOMEM;
	for (uint64_t at = p; at < lim;) {
		/* Page by page: the string may end before a page the program does not have. */
		uint64_t n = 4096 - (at & 4095);
		if (n > lim - at)
			n = lim - at;
		if (e->copy_in(e->ctx, copy + (at - p), at, n))
			return -EFAULT;
		char *nul = memchr(copy + (at - p), 0, n);
		if (nul) {
			c->a[i] = (uint64_t)(uintptr_t)copy;
			c->copied = true;
			return 0;
		}
		at += n;
	}
	return -EFAULT; /* the kernel would have read kdune's bytes as part of the path */
}

/* Each buffer of a copied iovec array. */
static long iov_bufs(const struct kd_ptrenv *e, const uint64_t *iov, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		if (range(e, iov[2 * k], iov[2 * k + 1], -EFAULT))
			return -EFAULT;
	return 0;
}

/* Copy and check an iovec array of n entries at p into dst. */
static long iov_copy(const struct kd_ptrenv *e, uint64_t p, uint64_t n, uint64_t *dst)
{
	if (range(e, p, n * SZ_IOVEC, -EFAULT) || e->copy_in(e->ctx, dst, p, n * SZ_IOVEC))
		return -EFAULT;
	return iov_bufs(e, dst, n);
}

static long iov(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i, uint64_t n)
{
	if (n == 0 || !c->a[i])
		return 0;
	if (n > KD_PTR_IOV_MAX)
		return -EINVAL;
	uint64_t *copy = scratch(c, n * SZ_IOVEC);
	if (!copy)
		return -ENOMEM;
	long r = iov_copy(e, c->a[i], n, copy);
	if (r)
		return r;
	c->a[i] = (uint64_t)(uintptr_t)copy;
	c->copied = true;
	return 0;
}

/* struct msghdr, as the kernel's user_msghdr. */
struct umsg {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	uint32_t flags, pad1;
};
_Static_assert(sizeof(struct umsg) == SZ_MSGHDR, "struct msghdr is 56 bytes on x86-64");

/* The buffers a copied msghdr names; its iovec goes to iovs (room for iovlen entries). */
static long msg_check(const struct kd_ptrenv *e, struct umsg *m, uint64_t *iovs)
{
	if (m->iovlen > KD_PTR_IOV_MAX)
		return -EMSGSIZE;
	if ((m->name && range(e, m->name, m->namelen, -EFAULT)) ||
	    (m->control && range(e, m->control, m->controllen, -EFAULT)))
		return -EFAULT;
	if (m->iovlen) {
		long r = iov_copy(e, m->iov, m->iovlen, iovs);
		if (r)
			return r;
		m->iov = (uint64_t)(uintptr_t)iovs;
	}
	return 0;
}

static long msg(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i)
{
	uint64_t p = c->a[i];
	struct umsg *m = scratch(c, sizeof(*m));
	if (!p || !m)
		return p ? -ENOMEM : 0;
	if (range(e, p, SZ_MSGHDR, -EFAULT) || e->copy_in(e->ctx, m, p, SZ_MSGHDR))
		return -EFAULT;
	uint64_t *iovs = m->iovlen <= KD_PTR_IOV_MAX ? scratch(c, m->iovlen * SZ_IOVEC) : NULL;
	if (m->iovlen && !iovs)
		return m->iovlen > KD_PTR_IOV_MAX ? -EMSGSIZE : -ENOMEM;
	long r = msg_check(e, m, iovs);
	if (r)
		return r;
	c->user = p;
	c->a[i] = (uint64_t)(uintptr_t)m;
	c->copied = true;
	return 0;
}

struct ummsg {
	struct umsg hdr;
	uint32_t len, pad;
};
_Static_assert(sizeof(struct ummsg) == SZ_MMSGHDR, "struct mmsghdr is 64 bytes on x86-64");

/* sendmmsg/recvmmsg: the headers and every iovec in one block, iovecs after the headers. */
static long mmsg(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i, uint64_t vlen)
{
	uint64_t p = c->a[i];
	if (vlen > KD_PTR_IOV_MAX)
		vlen = KD_PTR_IOV_MAX; /* the kernel's own cap */
	if (!p || !vlen)
		return 0;
	struct ummsg *h = malloc(vlen * SZ_MMSGHDR);
	if (!h)
		return -ENOMEM;
	long r = range(e, p, vlen * SZ_MMSGHDR, -EFAULT)
		     ?: e->copy_in(e->ctx, h, p, vlen * SZ_MMSGHDR) ? -EFAULT
								    : 0;
	uint64_t total = 0;
	for (uint64_t k = 0; !r && k < vlen; k++)
		r = h[k].hdr.iovlen > KD_PTR_IOV_MAX ? -EMSGSIZE : (total += h[k].hdr.iovlen, 0);
	uint8_t *block = r ? NULL : heap_block(c, vlen * SZ_MMSGHDR + total * SZ_IOVEC);
	if (!r && !block)
		r = -ENOMEM;
	if (!r) {
		memcpy(block, h, vlen * SZ_MMSGHDR);
		uint64_t *iovs = (uint64_t *)(block + vlen * SZ_MMSGHDR);
		struct ummsg *b = (struct ummsg *)block;
		for (uint64_t k = 0; !r && k < vlen; iovs += 2 * b[k].hdr.iovlen, k++)
			r = msg_check(e, &b[k].hdr, iovs);
	}
	free(h);
	if (r)
		return r; /* block, if any, is freed with the failed check */
	c->user = p;
	c->n = (unsigned)vlen;
	c->a[i] = (uint64_t)(uintptr_t)block;
	c->copied = true;
	return 0;
}

/*
 * A buffer whose size the kernel reads from *a[lenarg] and writes back (accept's address,
 * getsockopt's value). The kernel is given kdune's copy of the length, so the size it uses
 * is the size checked; finish writes the kernel's answer back.
 */
static long valres(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i, int lenarg)
{
	uint64_t lp = c->a[lenarg];
	if (!lp)
		return 0; /* the kernel fails with EFAULT before it writes anything */
	int32_t len;
	if (range(e, lp, SZ_INT, -EFAULT) || e->copy_in(e->ctx, &len, lp, SZ_INT))
		return -EFAULT;
	if (c->a[i] && len > 0 && range(e, c->a[i], (uint64_t)len, -EFAULT))
		return -EFAULT;
	c->len = len;
	c->ulen = lp;
	c->a[lenarg] = (uint64_t)(uintptr_t)&c->len;
	c->copied = true;
	return 0;
}

static long pselsig(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i)
{
	uint64_t p = c->a[i], *pair = scratch(c, 2 * SZ_LONG);
	if (!p)
		return 0;
	if (!pair)
		return -ENOMEM;
	if (range(e, p, 2 * SZ_LONG, -EFAULT) || e->copy_in(e->ctx, pair, p, 2 * SZ_LONG) ||
	    (pair[0] && range(e, pair[0], pair[1], -EFAULT)))
		return -EFAULT;
	c->a[i] = (uint64_t)(uintptr_t)pair;
	c->copied = true;
	return 0;
}

#define SIGEV_THREAD_NOTIFY 2 /* SIGEV_THREAD: sigev_value is a cookie the kernel reads */

static long sigev(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i)
{
	uint64_t p = c->a[i], *ev = scratch(c, SZ_SIGEVENT);
	if (!p)
		return 0;
	if (!ev)
		return -ENOMEM;
	if (range(e, p, SZ_SIGEVENT, -EFAULT) || e->copy_in(e->ctx, ev, p, SZ_SIGEVENT))
		return -EFAULT;
	/* sigev_value at 0, sigev_signo at 8, sigev_notify at 12 */
	uint32_t notify;
	memcpy(&notify, (uint8_t *)ev + 12, sizeof(notify));
	if (notify == SIGEV_THREAD_NOTIFY && range(e, ev[0], SZ_NOTIFY_COOKIE, -EFAULT))
		return -EFAULT;
	c->a[i] = (uint64_t)(uintptr_t)ev;
	c->copied = true;
	return 0;
}

static long arg_check(const struct kd_ptrenv *e, struct kd_ptrcall *c, int i, struct parg k)
{
	const uint64_t *a = c->a;
	uint64_t elem = k.size ? k.size : 1, n = a[k.aux];
	switch (k.kind) {
	case K_BUF:
		if (a[i] && n && n > UINT64_MAX / elem)
			return -EFAULT;
		return a[i] ? range(e, a[i], n * elem, -EFAULT) : 0;
	case K_FIX:
		return fix(e, a[i], k.size);
	case K_STR:
		return str(e, c, i);
	case K_IOV:
		return iov(e, c, i, n);
	case K_MEM:
		return range(e, a[i], n, -ENOMEM);
	case K_VALRES:
		return valres(e, c, i, k.aux);
	case K_MSG:
		return msg(e, c, i);
	case K_MMSG:
		return mmsg(e, c, i, n);
	case K_FDSET:
	case K_BITS:
		/* The kernel copies whole longs: DIV_ROUND_UP(bits, 64) * 8 bytes. */
		return (int64_t)n > 0 ? fix(e, a[i], (n + 63) / 64 * SZ_LONG) : 0;
	case K_PSELSIG:
		return pselsig(e, c, i);
	case K_SIGEV:
		return sigev(e, c, i);
	}
	return 0;
}

/* ---- hooks: pointers chosen by a command argument ---- */

static long futex_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { WAIT = 0, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, LOCK_PI = 6, WAIT_BITSET = 9 };
	enum { WAIT_REQUEUE_PI = 11, CMP_REQUEUE_PI = 12, LOCK_PI2 = 13, CMD_MASK = 0x7f };
	unsigned cmd = (unsigned)a[1] & CMD_MASK;
	bool timeout = cmd == WAIT || cmd == LOCK_PI || cmd == WAIT_BITSET ||
		       cmd == WAIT_REQUEUE_PI || cmd == LOCK_PI2;
	bool uaddr2 = cmd == REQUEUE || cmd == CMP_REQUEUE || cmd == WAKE_OP ||
		      cmd == CMP_REQUEUE_PI || cmd == WAIT_REQUEUE_PI;
	return fix(e, a[0], SZ_INT) ?: (timeout ? fix(e, a[3], SZ_TIMESPEC) : 0)
					     ?: (uaddr2 ? fix(e, a[4], SZ_INT) : 0);
}

/* futex_wait/futex_wake (futex2): futexes up to 8 bytes. */
static long futex2_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	return fix(e, a[0], SZ_LONG) ?: c->nr == NR_futex_wait ? fix(e, a[4], SZ_TIMESPEC) : 0;
}

static long fcntl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	switch (a[1]) {
	case 5:	 /* F_GETLK */
	case 6:	 /* F_SETLK */
	case 7:	 /* F_SETLKW */
	case 36: /* F_OFD_GETLK */
	case 37: /* F_OFD_SETLK */
	case 38: /* F_OFD_SETLKW */
		return fix(e, a[2], SZ_FLOCK);
	case 15:   /* F_SETOWN_EX */
	case 16:   /* F_GETOWN_EX */
	case 1035: /* F_GET_RW_HINT */
	case 1036: /* F_SET_RW_HINT */
	case 1037: /* F_GET_FILE_RW_HINT */
	case 1038: /* F_SET_FILE_RW_HINT */
		return fix(e, a[2], SZ_LONG);
	}
	return 0;
}

#define IOC_SIZE(req) (((req) >> 16) & 0x3fff)
#define IOC_TYPE(req) (((req) >> 8) & 0xff)
#define KVMIO 0xAE
#define SIOCGIFCONF 0x8912
#define SIOCETHTOOL 0x8946
#define SIOCDEVPRIVATE 0x89F0
#define SIOCIWFIRST 0x8B00
#define SIOCIWLAST 0x8BFF
#define SG_IO 0x2285

/*
 * ioctl: the argument's size is in the request number (_IOC_SIZE); legacy requests without
 * one get KD_PTR_IOCTL_SPAN bytes checked. Requests known to carry pointers inside their
 * structure are refused as unknown requests are (ENOTTY), except SIOCGIFCONF, whose buffer is
 * checked: a nested VM (KVM's memory regions would map kdune into it), SCSI generic,
 * ethtool, private device and wireless requests.
 */
static long ioctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	uint64_t req = a[1] & 0xffffffff, size = IOC_SIZE(req);
	if (IOC_TYPE(req) == KVMIO || req == SG_IO || req == SIOCETHTOOL ||
	    (req >= SIOCDEVPRIVATE && req < SIOCDEVPRIVATE + 16) ||
	    (req >= SIOCIWFIRST && req <= SIOCIWLAST))
		return -ENOTTY;
	if (req == SIOCGIFCONF) {
		uint64_t *ifc = scratch(c, SZ_IFCONF);
		if (!ifc)
			return -ENOMEM;
		if (range(e, a[2], SZ_IFCONF, -EFAULT) || e->copy_in(e->ctx, ifc, a[2], SZ_IFCONF))
			return -EFAULT;
		if (ifc[1] && range(e, ifc[1], (uint32_t)ifc[0], -EFAULT))
			return -EFAULT;
		/* The kernel writes ifc_len back: give it the copy, copied back by finish. */
		c->user = a[2];
		c->a[2] = (uint64_t)(uintptr_t)ifc;
		c->copied = true;
		return 0;
	}
	return fix(e, a[2], size ? size : KD_PTR_IOCTL_SPAN);
}

static long prctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { GET_PDEATHSIG = 2, GET_UNALIGN = 5, GET_FPEMU = 9, GET_FPEXC = 11 };
	enum { SET_NAME = 15, GET_NAME = 16, GET_ENDIAN = 19, GET_TSC = 25, SET_MM = 35 };
	enum { GET_CHILD_SUBREAPER = 37, GET_TID_ADDRESS = 40, SET_SYSCALL_USER_DISPATCH = 59 };
	enum { SCHED_CORE = 62, SET_VMA = 0x53564d41, GET_AUXV = 0x41555856 };
	switch (a[0]) {
	case GET_PDEATHSIG:
	case GET_UNALIGN:
	case GET_FPEMU:
	case GET_FPEXC:
	case GET_ENDIAN:
	case GET_TSC:
	case GET_CHILD_SUBREAPER:
		return fix(e, a[1], SZ_INT);
	case SET_NAME:
	case GET_NAME:
		return fix(e, a[1], 16); /* TASK_COMM_LEN */
	case GET_TID_ADDRESS:
		return fix(e, a[1], SZ_LONG);
	case GET_AUXV:
		return a[1] ? range(e, a[1], a[2], -EFAULT) : 0;
	case SCHED_CORE:
		return a[1] == 0 ? fix(e, a[4], SZ_LONG) : 0; /* PR_SCHED_CORE_GET */
	case SET_VMA:
		return range(e, a[2], a[3], -ENOMEM) ?: str(e, c, 4);
	case SET_MM:
		/* kdune's own mm fields (and its cmdline): as without CAP_SYS_RESOURCE. */
		return -EPERM;
	case SET_SYSCALL_USER_DISPATCH:
		return -EINVAL; /* as seccomp: it would intercept kdune's own syscalls */
	}
	return 0;
}

/* arch_prctl: kdune handles it; the XCOMP queries it forwards write a u64 at a[1]. */
static long arch_prctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { GET_XCOMP_SUPP = 0x1021, GET_XCOMP_PERM = 0x1022, GET_XCOMP_GUEST_PERM = 0x1024 };
	if (a[0] == GET_XCOMP_SUPP || a[0] == GET_XCOMP_PERM || a[0] == GET_XCOMP_GUEST_PERM)
		return fix(e, a[1], SZ_LONG);
	return 0;
}

#define IPC_64 0x100

static long semctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3, GETALL = 13, SETALL = 17 };
	enum { SEM_STAT = 18, SEM_INFO = 19, SEM_STAT_ANY = 20 };
	switch (a[2] & ~(uint64_t)IPC_64) {
	case IPC_SET:
	case IPC_STAT:
	case IPC_INFO:
	case SEM_STAT:
	case SEM_INFO:
	case SEM_STAT_ANY:
		return fix(e, a[3], SZ_SEMID_DS);
	case GETALL:
	case SETALL:
		/* The set's size is not known here: its largest possible array. */
		return fix(e, a[3], 2 * SEMMSL_MAX);
	}
	return 0;
}

static long shmctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { IPC_RMID = 0, SHM_LOCK = 11, SHM_UNLOCK = 12 };
	uint64_t cmd = a[1] & ~(uint64_t)IPC_64;
	return cmd == IPC_RMID || cmd == SHM_LOCK || cmd == SHM_UNLOCK ? 0
								       : fix(e, a[2], SZ_SHMID_DS);
}

static long msgctl_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	return (a[1] & ~(uint64_t)IPC_64) == 0 ? 0 : fix(e, a[2], SZ_MSQID_DS);
}

/* msgsnd/msgrcv: struct msgbuf is an 8-byte type followed by the text. */
static long msgbuf_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	return a[2] > UINT64_MAX - SZ_LONG ? -EFAULT : fix(e, a[1], SZ_LONG + a[2]);
}

/* mincore: the range is an address range (ENOMEM), the vector one byte per page. */
static long mincore_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	return range(e, a[0], a[1], -ENOMEM) ?: fix(e, a[2], (a[1] + 4095) / 4096);
}

/* sched_setattr: the structure says its own size (0: the first version, 48 bytes). */
static long sched_attr_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	uint32_t size;
	if (!a[1])
		return 0;
	if (fix(e, a[1], SZ_INT) || e->copy_in(e->ctx, &size, a[1], SZ_INT))
		return -EFAULT;
	if (size < 48)
		size = 48;
	return fix(e, a[1], size < SZ_SCHED_ATTR_MAX ? size : SZ_SCHED_ATTR_MAX);
}

/* SO_ATTACH_FILTER and SO_ATTACH_REUSEPORT_CBPF: a struct sock_fprog with a pointer. */
static long setsockopt_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { SOL_SOCKET_ = 1, SO_ATTACH_FILTER_ = 26, SO_ATTACH_REUSEPORT_CBPF_ = 51 };
	if (a[4] && range(e, a[3], a[4] & 0xffffffff, -EFAULT))
		return -EFAULT;
	if (a[1] != SOL_SOCKET_ || (a[2] != SO_ATTACH_FILTER_ && a[2] != SO_ATTACH_REUSEPORT_CBPF_))
		return 0;
	uint64_t *prog = scratch(c, SZ_SOCK_FPROG);
	if (!prog)
		return -ENOMEM;
	if ((a[4] & 0xffffffff) < SZ_SOCK_FPROG || e->copy_in(e->ctx, prog, a[3], SZ_SOCK_FPROG))
		return -EFAULT;
	if (range(e, prog[1], (prog[0] & 0xffff) * SZ_SOCK_FILTER, -EFAULT))
		return -EFAULT;
	c->a[3] = (uint64_t)(uintptr_t)prog;
	c->a[4] = SZ_SOCK_FPROG;
	c->copied = true;
	return 0;
}

/* fsconfig(fd, cmd, key, value, aux): the value's kind follows the command. */
static long fsconfig_hook(const struct kd_ptrenv *e, const uint64_t a[6], struct kd_ptrcall *c)
{
	enum { SET_STRING = 1, SET_BINARY = 2, SET_PATH = 3, SET_PATH_EMPTY = 4 };
	long r = str(e, c, 2);
	if (r)
		return r;
	if (a[1] == SET_BINARY)
		return a[3] ? range(e, a[3], a[4], -EFAULT) : 0;
	if (a[1] == SET_STRING || a[1] == SET_PATH || a[1] == SET_PATH_EMPTY)
		return str(e, c, 3);
	return 0;
}

/* ---- the table ---- */

/* Argument kinds, one per argument position (X: not a pointer). */
// clang-format off
#define X		{K_NONE, 0, 0}
#define B(len)		{K_BUF, len, 1}
#define BN(len, size)	{K_BUF, len, size}
#define F(size)		{K_FIX, 0, size}
#define S		{K_STR, 0, 0}
#define IOV(cnt)	{K_IOV, cnt, 0}
#define MEM(len)	{K_MEM, len, 0}
#define VR(lenarg)	{K_VALRES, lenarg, 0}
#define MSG		{K_MSG, 0, 0}
#define MMSG(cnt)	{K_MMSG, cnt, 0}
#define FDS(nfds)	{K_FDSET, nfds, 0}
#define BITS(n)		{K_BITS, n, 0}
#define PSELSIG		{K_PSELSIG, 0, 0}
#define SIGEV		{K_SIGEV, 0, 0}
// clang-format on

#define ROW(nr, ...) [nr] = {.known = 1, .arg = {__VA_ARGS__}}
#define SC(name, ...) ROW(SYS_##name, __VA_ARGS__)
#define NOPTR(name) [SYS_##name] = {.known = 1}
#define OWN(name) [SYS_##name] = {.known = 1, .own = 1}
#define HOOK(nr, fn) [nr] = {.known = 1, .hook = (fn)}
#define REFUSE(nr, err) [nr] = {.known = 1, .refuse = (err)}

static const struct row table[NR_TABLE] = {
    /* kdune executes these itself (syscall.c, sysmem.c, signals.c, process.c). */
    OWN(brk),
    OWN(mmap),
    OWN(munmap),
    OWN(mremap),
    OWN(mprotect),
    OWN(pkey_mprotect),
    OWN(madvise),
    OWN(mlock),
    OWN(mlock2),
    OWN(munlock),
    OWN(msync),
    OWN(remap_file_pages),
    OWN(shmat),
    OWN(shmdt),
    OWN(rseq),
    OWN(exit),
    OWN(exit_group),
    OWN(rt_sigaction),
    OWN(rt_sigreturn),
    OWN(execve),
    OWN(execveat),
    OWN(clone),
    OWN(clone3),
    OWN(fork),
    OWN(vfork),
    OWN(seccomp),
    HOOK(SYS_arch_prctl, arch_prctl_hook),
    /* files */
    SC(read, X, B(2)),
    SC(write, X, B(2)),
    SC(pread64, X, B(2)),
    SC(pwrite64, X, B(2)),
    SC(readv, X, IOV(2)),
    SC(writev, X, IOV(2)),
    SC(preadv, X, IOV(2)),
    SC(pwritev, X, IOV(2)),
    SC(preadv2, X, IOV(2)),
    SC(pwritev2, X, IOV(2)),
    SC(open, S),
    SC(openat, X, S),
    SC(openat2, X, S, B(3)),
    SC(creat, S),
    NOPTR(close),
    NOPTR(close_range),
    SC(stat, S, F(SZ_STAT)),
    SC(lstat, S, F(SZ_STAT)),
    SC(fstat, X, F(SZ_STAT)),
    SC(newfstatat, X, S, F(SZ_STAT)),
    SC(statx, X, S, X, X, F(SZ_STATX)),
    SC(statfs, S, F(SZ_STATFS)),
    SC(fstatfs, X, F(SZ_STATFS)),
    SC(access, S),
    SC(faccessat, X, S),
    SC(faccessat2, X, S),
    SC(readlink, S, B(2)),
    SC(readlinkat, X, S, B(3)),
    NOPTR(lseek),
    HOOK(SYS_ioctl, ioctl_hook),
    SC(getdents, X, B(2)),
    SC(getdents64, X, B(2)),
    HOOK(SYS_fcntl, fcntl_hook),
    NOPTR(flock),
    NOPTR(fsync),
    NOPTR(fdatasync),
    NOPTR(syncfs),
    NOPTR(sync),
    SC(truncate, S),
    NOPTR(ftruncate),
    NOPTR(fallocate),
    NOPTR(fadvise64),
    NOPTR(readahead),
    NOPTR(sync_file_range),
    NOPTR(dup),
    NOPTR(dup2),
    NOPTR(dup3),
    SC(pipe, F(8)),
    SC(pipe2, F(8)),
    SC(sendfile, X, X, F(SZ_LONG)),
    SC(copy_file_range, X, F(SZ_LONG), X, F(SZ_LONG)),
    SC(splice, X, F(SZ_LONG), X, F(SZ_LONG)),
    NOPTR(tee),
    SC(vmsplice, X, IOV(2)),
    SC(memfd_create, S),
    NOPTR(memfd_secret),
    SC(name_to_handle_at, X, S, F(SZ_FILE_HANDLE), F(SZ_INT)),
    SC(open_by_handle_at, X, F(SZ_FILE_HANDLE)),
    ROW(NR_cachestat, X, F(SZ_CACHESTAT_RANGE), F(SZ_CACHESTAT)),
    /* directories, names, attributes */
    SC(getcwd, B(1)),
    SC(chdir, S),
    NOPTR(fchdir),
    SC(chroot, S),
    SC(mkdir, S),
    SC(mkdirat, X, S),
    SC(rmdir, S),
    SC(unlink, S),
    SC(unlinkat, X, S),
    SC(rename, S, S),
    SC(renameat, X, S, X, S),
    SC(renameat2, X, S, X, S),
    SC(link, S, S),
    SC(linkat, X, S, X, S),
    SC(symlink, S, S),
    SC(symlinkat, S, X, S),
    SC(mknod, S),
    SC(mknodat, X, S),
    SC(chmod, S),
    NOPTR(fchmod),
    SC(fchmodat, X, S),
    ROW(NR_fchmodat2, X, S),
    SC(chown, S),
    SC(lchown, S),
    NOPTR(fchown),
    SC(fchownat, X, S),
    NOPTR(umask),
    SC(utime, S, F(SZ_TIMESPEC)),
    SC(utimes, S, F(2 * SZ_TIMESPEC)),
    SC(futimesat, X, S, F(2 * SZ_TIMESPEC)),
    SC(utimensat, X, S, F(2 * SZ_TIMESPEC)),
    SC(ustat, X, F(SZ_USTAT)),
    SC(setxattr, S, S, B(3)),
    SC(lsetxattr, S, S, B(3)),
    SC(fsetxattr, X, S, B(3)),
    SC(getxattr, S, S, B(3)),
    SC(lgetxattr, S, S, B(3)),
    SC(fgetxattr, X, S, B(3)),
    SC(listxattr, S, B(2)),
    SC(llistxattr, S, B(2)),
    SC(flistxattr, X, B(2)),
    SC(removexattr, S, S),
    SC(lremovexattr, S, S),
    SC(fremovexattr, X, S),
    NOPTR(inotify_init),
    NOPTR(inotify_init1),
    SC(inotify_add_watch, X, S),
    NOPTR(inotify_rm_watch),
    NOPTR(fanotify_init),
    SC(fanotify_mark, X, X, X, X, S),
    /* mounts and the system */
    SC(mount, S, S, S, X, F(SZ_MOUNT_DATA)),
    SC(umount2, S),
    SC(pivot_root, S, S),
    SC(swapon, S),
    SC(swapoff, S),
    SC(acct, S),
    SC(quotactl, X, S, X, F(SZ_QUOTA_MAX)),
    SC(quotactl_fd, X, X, X, F(SZ_QUOTA_MAX)),
    SC(open_tree, X, S),
    SC(move_mount, X, S, X, S),
    SC(fsopen, S),
    HOOK(SYS_fsconfig, fsconfig_hook),
    NOPTR(fsmount),
    SC(fspick, X, S),
    SC(mount_setattr, X, S, X, B(4)),
    SC(sethostname, B(1)),
    SC(setdomainname, B(1)),
    SC(reboot, X, X, X, S),
    SC(syslog, X, B(2)),
    SC(uselib, S),
    SC(init_module, B(1), S),
    SC(finit_module, X, S),
    SC(delete_module, S),
    SC(kexec_file_load, X, X, X, B(2)),
    NOPTR(vhangup),
    NOPTR(iopl),
    NOPTR(ioperm),
    SC(modify_ldt, X, B(2)),
    SC(set_thread_area, F(SZ_USER_DESC)),
    SC(get_thread_area, F(SZ_USER_DESC)),
    SC(landlock_create_ruleset, B(1)),
    SC(landlock_add_rule, X, X, F(SZ_LANDLOCK_ATTR)),
    NOPTR(landlock_restrict_self),
    SC(adjtimex, F(SZ_TIMEX)),
    SC(clock_adjtime, X, F(SZ_TIMEX)),
    /* memory (kdune's own mmap family is OWN above) */
    HOOK(SYS_mincore, mincore_hook),
    NOPTR(mlockall),
    NOPTR(munlockall),
    NOPTR(pkey_alloc),
    NOPTR(pkey_free),
    NOPTR(membarrier),
    SC(mbind, MEM(1), X, X, BITS(4)),
    SC(set_mempolicy, X, BITS(2)),
    SC(get_mempolicy, F(SZ_INT), BITS(2)),
    SC(migrate_pages, X, X, BITS(1), BITS(1)),
    SC(set_mempolicy_home_node, MEM(1)),
    ROW(NR_mseal, MEM(1)),
    NOPTR(process_mrelease),
    SC(process_madvise, X, IOV(2)),
    NOPTR(shmget),
    HOOK(SYS_shmctl, shmctl_hook),
    NOPTR(semget),
    SC(semop, X, BN(2, SZ_SEMBUF)),
    SC(semtimedop, X, BN(2, SZ_SEMBUF), X, F(SZ_TIMESPEC)),
    HOOK(SYS_semctl, semctl_hook),
    NOPTR(msgget),
    HOOK(SYS_msgsnd, msgbuf_hook),
    HOOK(SYS_msgrcv, msgbuf_hook),
    HOOK(SYS_msgctl, msgctl_hook),
    /* processes */
    SC(wait4, X, F(SZ_INT), X, F(SZ_RUSAGE)),
    SC(waitid, X, X, F(SZ_SIGINFO), X, F(SZ_RUSAGE)),
    NOPTR(unshare),
    NOPTR(setns),
    HOOK(SYS_prctl, prctl_hook),
    SC(set_tid_address, F(SZ_INT)),
    SC(set_robust_list, B(1)),
    SC(get_robust_list, X, F(SZ_LONG), F(SZ_LONG)),
    SC(prlimit64, X, X, F(SZ_TIMESPEC), F(SZ_TIMESPEC)),
    SC(getrlimit, X, F(SZ_TIMESPEC)),
    SC(setrlimit, X, F(SZ_TIMESPEC)),
    SC(getrusage, X, F(SZ_RUSAGE)),
    NOPTR(getpriority),
    NOPTR(setpriority),
    NOPTR(personality),
    NOPTR(pidfd_open),
    NOPTR(pidfd_getfd),
    SC(pidfd_send_signal, X, X, F(SZ_SIGINFO)),
    SC(process_vm_readv, X, IOV(2), X, IOV(4)),
    SC(process_vm_writev, X, IOV(2), X, IOV(4)),
    SC(kcmp, X, X, X, X, F(SZ_KCMP_SLOT)),
    NOPTR(sched_yield),
    SC(sched_getaffinity, X, X, B(1)),
    SC(sched_setaffinity, X, X, B(1)),
    SC(sched_setparam, X, F(SZ_INT)),
    SC(sched_getparam, X, F(SZ_INT)),
    SC(sched_setscheduler, X, X, F(SZ_INT)),
    NOPTR(sched_getscheduler),
    NOPTR(sched_get_priority_max),
    NOPTR(sched_get_priority_min),
    SC(sched_rr_get_interval, X, F(SZ_TIMESPEC)),
    HOOK(SYS_sched_setattr, sched_attr_hook),
    SC(sched_getattr, X, B(2)),
    SC(getcpu, F(SZ_INT), F(SZ_INT)),
    NOPTR(ioprio_set),
    NOPTR(ioprio_get),
    NOPTR(restart_syscall),
    /* identity */
    NOPTR(getpid),
    NOPTR(getppid),
    NOPTR(gettid),
    NOPTR(getuid),
    NOPTR(geteuid),
    NOPTR(getgid),
    NOPTR(getegid),
    NOPTR(getpgrp),
    NOPTR(setsid),
    NOPTR(getpgid),
    NOPTR(setpgid),
    NOPTR(getsid),
    NOPTR(setuid),
    NOPTR(setgid),
    NOPTR(setreuid),
    NOPTR(setregid),
    NOPTR(setresuid),
    NOPTR(setresgid),
    NOPTR(setfsuid),
    NOPTR(setfsgid),
    SC(getresuid, F(SZ_INT), F(SZ_INT), F(SZ_INT)),
    SC(getresgid, F(SZ_INT), F(SZ_INT), F(SZ_INT)),
    SC(getgroups, X, BN(0, SZ_INT)),
    SC(setgroups, X, BN(0, SZ_INT)),
    SC(capget, F(SZ_CAP_HDR), F(SZ_CAP_DATA)),
    SC(capset, F(SZ_CAP_HDR), F(SZ_CAP_DATA)),
    SC(uname, F(SZ_UTSNAME)),
    SC(sysinfo, F(SZ_SYSINFO)),
    SC(getrandom, B(1)),
    /* signals */
    SC(rt_sigprocmask, X, B(3), B(3)),
    SC(rt_sigpending, B(1)),
    SC(rt_sigsuspend, B(1)),
    SC(rt_sigtimedwait, B(3), F(SZ_SIGINFO), F(SZ_TIMESPEC)),
    SC(rt_sigqueueinfo, X, X, F(SZ_SIGINFO)),
    SC(rt_tgsigqueueinfo, X, X, X, F(SZ_SIGINFO)),
    SC(sigaltstack, F(SZ_STACK_T), F(SZ_STACK_T)),
    NOPTR(kill),
    NOPTR(tkill),
    NOPTR(tgkill),
    NOPTR(pause),
    NOPTR(alarm),
    SC(signalfd, X, B(2)),
    SC(signalfd4, X, B(2)),
    /* time and synchronisation */
    HOOK(SYS_futex, futex_hook),
    HOOK(NR_futex_wait, futex2_hook),
    HOOK(NR_futex_wake, futex2_hook),
    SC(clock_gettime, X, F(SZ_TIMESPEC)),
    SC(clock_getres, X, F(SZ_TIMESPEC)),
    SC(clock_settime, X, F(SZ_TIMESPEC)),
    SC(clock_nanosleep, X, X, F(SZ_TIMESPEC), F(SZ_TIMESPEC)),
    SC(nanosleep, F(SZ_TIMESPEC), F(SZ_TIMESPEC)),
    SC(gettimeofday, F(SZ_TIMESPEC), F(SZ_TIMEZONE)),
    SC(settimeofday, F(SZ_TIMESPEC), F(SZ_TIMEZONE)),
    SC(time, F(SZ_LONG)),
    SC(times, F(SZ_TMS)),
    SC(getitimer, X, F(SZ_ITIMER)),
    SC(setitimer, X, F(SZ_ITIMER), F(SZ_ITIMER)),
    SC(timer_create, X, F(SZ_SIGEVENT), F(SZ_INT)),
    SC(timer_settime, X, X, F(SZ_ITIMER), F(SZ_ITIMER)),
    SC(timer_gettime, X, F(SZ_ITIMER)),
    NOPTR(timer_getoverrun),
    NOPTR(timer_delete),
    NOPTR(timerfd_create),
    SC(timerfd_settime, X, X, F(SZ_ITIMER), F(SZ_ITIMER)),
    SC(timerfd_gettime, X, F(SZ_ITIMER)),
    NOPTR(eventfd),
    NOPTR(eventfd2),
    SC(mq_open, S, X, X, F(SZ_MQ_ATTR)),
    SC(mq_unlink, S),
    SC(mq_timedsend, X, B(2), X, X, F(SZ_TIMESPEC)),
    SC(mq_timedreceive, X, B(2), X, F(SZ_INT), F(SZ_TIMESPEC)),
    SC(mq_notify, X, SIGEV),
    SC(mq_getsetattr, X, F(SZ_MQ_ATTR), F(SZ_MQ_ATTR)),
    /* polling */
    SC(poll, BN(1, SZ_POLLFD)),
    SC(ppoll, BN(1, SZ_POLLFD), X, F(SZ_TIMESPEC), B(4)),
    SC(select, X, FDS(0), FDS(0), FDS(0), F(SZ_TIMESPEC)),
    SC(pselect6, X, FDS(0), FDS(0), FDS(0), F(SZ_TIMESPEC), PSELSIG),
    NOPTR(epoll_create),
    NOPTR(epoll_create1),
    SC(epoll_ctl, X, X, X, F(SZ_EPOLL_EVENT)),
    SC(epoll_wait, X, BN(2, SZ_EPOLL_EVENT)),
    SC(epoll_pwait, X, BN(2, SZ_EPOLL_EVENT), X, X, B(5)),
    SC(epoll_pwait2, X, BN(2, SZ_EPOLL_EVENT), X, F(SZ_TIMESPEC), B(5)),
    /* sockets */
    NOPTR(socket),
    SC(socketpair, X, X, X, F(8)),
    SC(connect, X, B(2)),
    SC(bind, X, B(2)),
    NOPTR(listen),
    SC(accept, X, VR(2)),
    SC(accept4, X, VR(2)),
    SC(getsockname, X, VR(2)),
    SC(getpeername, X, VR(2)),
    SC(sendto, X, B(2), X, X, B(5)),
    SC(recvfrom, X, B(2), X, X, VR(5)),
    SC(sendmsg, X, MSG),
    SC(recvmsg, X, MSG),
    SC(sendmmsg, X, MMSG(2)),
    SC(recvmmsg, X, MMSG(2), X, X, F(SZ_TIMESPEC)),
    NOPTR(shutdown),
    HOOK(SYS_setsockopt, setsockopt_hook),
    SC(getsockopt, X, X, X, VR(4)),
    /*
     * Refused. Their memory use cannot be checked when the call is made: the kernel reads
     * io_uring's and aio's submissions from shared rings or keeps their pointers for later
     * (ENOSYS, as a kernel built without them; glibc's POSIX aio uses threads), or they give
     * the program kdune's registers, memory or page faults (EPERM/EACCES, as under the
     * restrictive sysctls: yama ptrace_scope 3, unprivileged_userfaultfd 0,
     * unprivileged_bpf_disabled, perf_event_paranoid 3). Keys carry pointers per command.
     */
    REFUSE(SYS_io_uring_setup, ENOSYS),
    REFUSE(SYS_io_uring_enter, ENOSYS),
    REFUSE(SYS_io_uring_register, ENOSYS),
    REFUSE(SYS_io_setup, ENOSYS),
    REFUSE(SYS_io_destroy, ENOSYS),
    REFUSE(SYS_io_submit, ENOSYS),
    REFUSE(SYS_io_cancel, ENOSYS),
    REFUSE(SYS_io_getevents, ENOSYS),
    REFUSE(SYS_io_pgetevents, ENOSYS),
    REFUSE(SYS_ptrace, EPERM),
    REFUSE(SYS_userfaultfd, EPERM),
    REFUSE(SYS_bpf, EPERM),
    REFUSE(SYS_perf_event_open, EACCES),
    REFUSE(SYS_kexec_load, EPERM),
    REFUSE(SYS_move_pages, ENOSYS),
    REFUSE(SYS_futex_waitv, ENOSYS),
    REFUSE(NR_futex_requeue, ENOSYS),
    REFUSE(NR_map_shadow_stack, ENOSYS),
    REFUSE(SYS_add_key, ENOSYS),
    REFUSE(SYS_request_key, ENOSYS),
    REFUSE(SYS_keyctl, ENOSYS),
    REFUSE(SYS_sysfs, ENOSYS),
    REFUSE(SYS__sysctl, ENOSYS),
    REFUSE(SYS_lookup_dcookie, ENOSYS),
    /* Never implemented on x86-64: ENOSYS natively too. */
    REFUSE(SYS_create_module, ENOSYS),
    REFUSE(SYS_get_kernel_syms, ENOSYS),
    REFUSE(SYS_query_module, ENOSYS),
    REFUSE(SYS_nfsservctl, ENOSYS),
    REFUSE(SYS_getpmsg, ENOSYS),
    REFUSE(SYS_putpmsg, ENOSYS),
    REFUSE(SYS_afs_syscall, ENOSYS),
    REFUSE(SYS_tuxcall, ENOSYS),
    REFUSE(SYS_security, ENOSYS),
    REFUSE(SYS_vserver, ENOSYS),
    REFUSE(SYS_epoll_ctl_old, ENOSYS),
    REFUSE(SYS_epoll_wait_old, ENOSYS),
};
_Static_assert(ARRAY_SIZE(table) == NR_TABLE, "one row per syscall number below NR_TABLE");
_Static_assert(SYS_set_mempolicy_home_node < NR_TABLE && NR_mseal < NR_TABLE,
	       "the table reaches the newest syscall it names");

bool kd_ptrcheck_known(long nr)
{
	return nr >= 0 && nr < NR_TABLE && table[nr].known;
}

static long check_row(const struct kd_ptrenv *e, const struct row *row, struct kd_ptrcall *c)
{
	if (row->refuse)
		return -(long)row->refuse;
	if (row->own)
		return 0; /* kdune reads what it needs through kd_copy_from_user */
	if (row->hook)
		return row->hook(e, c->a, c);
	for (int i = 0; i < 6; i++) {
		long r = row->arg[i].kind ? arg_check(e, c, i, row->arg[i]) : 0;
		if (r)
			return r;
	}
	return 0;
}

long kd_ptrcheck(const struct kd_ptrenv *e, long nr, const uint64_t a[6], struct kd_ptrcall *c)
{
	memcpy(c->a, a, sizeof(c->a));
	c->copied = false;
	c->nr = nr;
	c->user = c->ulen = 0;
	c->n = 0;
	c->used = 0;
	memset(c->heap, 0, sizeof(c->heap));
	if (!kd_ptrcheck_known(nr))
		return -ENOSYS;
	long r = check_row(e, &table[nr], c);
	if (r) {
		release(c);
		c->copied = false;
	}
	return r;
}

/* recvmsg: the fields the kernel wrote into the copied msghdr go back to the program's. */
static void msg_back(const struct kd_ptrenv *e, uint64_t user, const struct umsg *m)
{
	e->copy_out(e->ctx, user + offsetof(struct umsg, namelen), &m->namelen, sizeof(m->namelen));
	e->copy_out(e->ctx, user + offsetof(struct umsg, controllen), &m->controllen,
		    sizeof(m->controllen));
	e->copy_out(e->ctx, user + offsetof(struct umsg, flags), &m->flags, sizeof(m->flags));
}

static void mmsg_back(const struct kd_ptrenv *e, struct kd_ptrcall *c, long done, bool recv)
{
	const struct ummsg *h = (const struct ummsg *)(uintptr_t)c->a[1];
	for (long k = 0; k < done && k < (long)c->n; k++) {
		uint64_t u = c->user + (uint64_t)k * SZ_MMSGHDR;
		e->copy_out(e->ctx, u + offsetof(struct ummsg, len), &h[k].len, sizeof(h[k].len));
		if (recv)
			msg_back(e, u, &h[k].hdr);
	}
}

long kd_ptrcheck_finish(const struct kd_ptrenv *e, struct kd_ptrcall *c, long ret)
{
	bool ok = ret >= 0;
	if (ok && c->ulen)
		e->copy_out(e->ctx, c->ulen, &c->len, sizeof(c->len));
	if (ok && c->nr == SYS_recvmsg)
		msg_back(e, c->user, (const struct umsg *)(uintptr_t)c->a[1]);
	if (ok && (c->nr == SYS_recvmmsg || c->nr == SYS_sendmmsg))
		mmsg_back(e, c, ret, c->nr == SYS_recvmmsg);
	if (ok && c->nr == SYS_ioctl && c->user) /* SIOCGIFCONF's ifc_len */
		e->copy_out(e->ctx, c->user, (const void *)(uintptr_t)c->a[2], SZ_INT);
	release(c);
	c->copied = false;
	return ret;
}
