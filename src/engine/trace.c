/*
 * trace.c: strace-format lines for forwarded syscalls (--trace).
 *
 * Every syscall we decode has a row in sc_table: a return style and one argument kind per
 * argument. A kind is either a small formatter (numbers, strings and structs read from guest
 * memory) or a symbol table (flags such as O_CREAT|O_CLOEXEC, enums such as SEEK_SET).
 * fcntl, futex and prctl pick their later arguments from a variant table keyed by their
 * command; clone prints strace's named-argument form through a hook. Syscalls without a row
 * print all six arguments in hex.
 *
 * Quoting: \t \n \v \f \r \" \\ by name, every other byte outside 0x20..0x7e as octal
 * (\0, \33, \377), with three digits when the next byte is an octal digit so the escape
 * stays unambiguous. Buffers and plain strings show at most TRACE_STRLEN bytes and end in
 * "..." when longer; paths are shown whole (up to PATH_MAX).
 *
 * Guest memory is read with process_vm_readv on our own pid: a bad pointer then costs an
 * EFAULT instead of a crash, and is printed as its hex value.
 *
 * Each line is built in memory and written with one write, so lines of concurrent guest
 * threads do not interleave.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "engine/trace.h"
#include "engine/trace_events.h"
#include "base/log.h"
#include "base/nolibc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <asm/prctl.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>

/* Longest buffer or string strace shows by default before "...". */
#define TRACE_STRLEN 32
/* argv elements shown by execve before "...". */
#define ARGV_MAX 32
/* envp entries counted before giving up (the count is only a comment). */
#define ENVP_MAX 65536
/* Reads of unknown length never cross a boundary of the smallest page size. */
#define PEEK_PAGE 4096UL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Values newer than some libc/kernel headers; the numbers are the kernel ABI. */
#ifndef O_LARGEFILE_ABI
#define O_LARGEFILE_ABI 0100000 /* glibc defines O_LARGEFILE as 0 on x86-64 */
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_DIOALIGN
#define STATX_DIOALIGN 0x00002000U
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
#ifndef ARCH_GET_XCOMP_SUPP
#define ARCH_GET_XCOMP_SUPP 0x1021
#endif
#ifndef ARCH_GET_XCOMP_PERM
#define ARCH_GET_XCOMP_PERM 0x1022
#endif
#ifndef ARCH_REQ_XCOMP_PERM
#define ARCH_REQ_XCOMP_PERM 0x1023
#endif
#ifndef ARCH_GET_XCOMP_GUEST_PERM
#define ARCH_GET_XCOMP_GUEST_PERM 0x1024
#endif
#ifndef ARCH_REQ_XCOMP_GUEST_PERM
#define ARCH_REQ_XCOMP_GUEST_PERM 0x1025
#endif
#ifndef ARCH_SHSTK_ENABLE
#define ARCH_SHSTK_ENABLE 0x5001
#define ARCH_SHSTK_DISABLE 0x5002
#define ARCH_SHSTK_LOCK 0x5003
#define ARCH_SHSTK_UNLOCK 0x5004
#define ARCH_SHSTK_STATUS 0x5005
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

/* ---- line buffer ---- */

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static bool sb_reserve(struct sb *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (!sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_putn(b, tmp, (size_t)n);
		return;
	}
	if (!sb_reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- fault-safe guest memory reads ---- */

/* Copies exactly n bytes of guest memory; false if any of it is unreadable. */
static bool peek(void *dst, uint64_t addr, size_t n)
{
	if (n == 0)
		return true;
	struct iovec local = {.iov_base = dst, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = n};
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n;
}

/*
 * Reads a NUL-terminated string of unknown length, at most max bytes, into buf. Page-sized
 * chunks, because a string may end right before an unmapped page. Returns the length read
 * (without the NUL), or -1 if a fault comes first; *more says no NUL was within max bytes.
 */
static long peek_str(uint64_t addr, char *buf, size_t max, bool *more)
{
	size_t got = 0;

	while (got < max) {
		size_t chunk = PEEK_PAGE - ((addr + got) & (PEEK_PAGE - 1));
		if (chunk > max - got)
			chunk = max - got;
		if (!peek(buf + got, addr + got, chunk))
			return -1;
		char *nul = memchr(buf + got, '\0', chunk);
		if (nul) {
			*more = false;
			return nul - buf;
		}
		got += chunk;
	}
	*more = true;
	return (long)max;
}

/* ---- basic printers ---- */

static void put_hex(struct sb *b, uint64_t v)
{
	sb_printf(b, "%#llx", (unsigned long long)v);
}

static void put_ptr(struct sb *b, uint64_t v)
{
	if (v)
		put_hex(b, v);
	else
		sb_puts(b, "NULL");
}

static const char *named_escape(unsigned char c)
{
	switch (c) {
	case '\t':
		return "\\t";
	case '\n':
		return "\\n";
	case '\v':
		return "\\v";
	case '\f':
		return "\\f";
	case '\r':
		return "\\r";
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	}
	return NULL;
}

/* all_hex: every byte as \xNN, as strace shows random bytes (getrandom). */
static void put_quoted(struct sb *b, const unsigned char *s, size_t n, bool all_hex)
{
	sb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (all_hex) {
			sb_printf(b, "\\x%02x", s[i]);
			continue;
		}
		const char *esc = named_escape(s[i]);
		bool digit_next = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';

		if (esc)
			sb_puts(b, esc);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			sb_putc(b, (char)s[i]);
		else if (digit_next)
			sb_printf(b, "\\%03o", s[i]);
		else
			sb_printf(b, "\\%o", s[i]);
	}
	sb_putc(b, '"');
}

/* A NUL-terminated guest string, cut after limit bytes with strace's "..." marker. */
static void put_cstr(struct sb *b, uint64_t addr, size_t limit)
{
	char buf[PATH_MAX + 1];
	bool more;

	if (!addr) {
		sb_puts(b, "NULL");
		return;
	}
	/* One byte past the limit tells "exactly limit bytes" from "longer". */
	long n = peek_str(addr, buf, limit + 1, &more);
	if (n < 0) {
		put_hex(b, addr);
		return;
	}
	put_quoted(b, (unsigned char *)buf, (size_t)n > limit ? limit : (size_t)n, false);
	if ((size_t)n > limit)
		sb_puts(b, "...");
}

/* A guest buffer of known length: the first TRACE_STRLEN bytes. */
static void put_buf(struct sb *b, uint64_t addr, uint64_t len, bool all_hex)
{
	unsigned char buf[TRACE_STRLEN] = {0};
	size_t n = len < TRACE_STRLEN ? (size_t)len : TRACE_STRLEN;

	if (!addr) {
		sb_puts(b, "NULL");
		return;
	}
	if (!peek(buf, addr, n)) {
		put_hex(b, addr);
		return;
	}
	put_quoted(b, buf, n, all_hex);
	if (len > n)
		sb_puts(b, "...");
}

/* Signal names as strace prints them; in sets they lose the SIG prefix. */
static void put_signame(struct sb *b, int sig, bool prefix)
{
	const char *pre = prefix ? "SIG" : "";
	/* glibc calls 29 POLL; the kernel and strace call it IO. */
	const char *ab = sig == SIGIO ? "IO" : (sig > 0 && sig < 32) ? sigabbrev_np(sig) : NULL;

	if (ab)
		sb_printf(b, "%s%s", pre, ab);
	else if (sig == 32)
		sb_printf(b, "%sRTMIN", pre);
	else if (sig > 32 && sig <= 64)
		sb_printf(b, "%sRT_%d", pre, sig - 32);
	else
		sb_printf(b, "%d", sig);
}

/* ---- symbol tables ---- */

struct sym {
	uint64_t val;
	const char *name;
};

struct symtab {
	const struct sym *s;
	size_t n;
};

#define S(x)                                                                                       \
	{                                                                                          \
		(uint64_t)(x), #x                                                                  \
	}
#define SYMS(t)                                                                                    \
	{                                                                                          \
		t, ARRAY_SIZE(t)                                                                   \
	}

/* Names in strace's order; a multi-bit name comes before the bits it contains. */
static const struct sym accmode_syms[] = {S(O_RDONLY), S(O_WRONLY), S(O_RDWR)};
static const struct sym open_syms[] = {
    S(O_CREAT),
    S(O_EXCL),
    S(O_NOCTTY),
    S(O_TRUNC),
    S(O_APPEND),
    S(O_NONBLOCK),
    S(O_SYNC),
    S(O_DSYNC),
    S(O_ASYNC),
    S(O_DIRECT),
    {O_LARGEFILE_ABI, "O_LARGEFILE"},
    S(O_NOFOLLOW),
    S(O_NOATIME),
    S(O_CLOEXEC),
    S(O_PATH),
    S(O_TMPFILE),
    S(O_DIRECTORY),
};
static const struct sym at_syms[] = {
    S(AT_SYMLINK_NOFOLLOW), S(AT_SYMLINK_FOLLOW),  S(AT_NO_AUTOMOUNT), S(AT_EMPTY_PATH),
    S(AT_STATX_FORCE_SYNC), S(AT_STATX_DONT_SYNC), S(AT_RECURSIVE),
};
/* statx always names its sync type, even the default 0. */
static const struct sym statx_sync_syms[] = {S(AT_STATX_SYNC_AS_STAT), S(AT_STATX_FORCE_SYNC),
					     S(AT_STATX_DONT_SYNC)};
static const struct sym unlinkat_syms[] = {S(AT_REMOVEDIR)};
static const struct sym faccessat_syms[] = {S(AT_SYMLINK_NOFOLLOW), S(AT_EACCESS),
					    S(AT_EMPTY_PATH)};
static const struct sym access_syms[] = {S(R_OK), S(W_OK), S(X_OK)};
static const struct sym statx_syms[] = {
    S(STATX_ALL),    S(STATX_BASIC_STATS), S(STATX_TYPE),   S(STATX_MODE),
    S(STATX_NLINK),  S(STATX_UID),	   S(STATX_GID),    S(STATX_ATIME),
    S(STATX_MTIME),  S(STATX_CTIME),	   S(STATX_INO),    S(STATX_SIZE),
    S(STATX_BLOCKS), S(STATX_BTIME),	   S(STATX_MNT_ID), S(STATX_DIOALIGN),
};
static const struct sym prot_syms[] = {S(PROT_READ), S(PROT_WRITE),	S(PROT_EXEC),
				       S(PROT_SEM),  S(PROT_GROWSDOWN), S(PROT_GROWSUP)};
static const struct sym maptype_syms[] = {S(MAP_SHARED), S(MAP_PRIVATE), S(MAP_SHARED_VALIDATE)};
static const struct sym map_syms[] = {
    S(MAP_FIXED),      S(MAP_ANONYMOUS), S(MAP_32BIT),	   S(MAP_GROWSDOWN),	   S(MAP_DENYWRITE),
    S(MAP_EXECUTABLE), S(MAP_LOCKED),	 S(MAP_NORESERVE), S(MAP_POPULATE),	   S(MAP_NONBLOCK),
    S(MAP_STACK),      S(MAP_HUGETLB),	 S(MAP_SYNC),	   S(MAP_FIXED_NOREPLACE),
};
static const struct sym mremap_syms[] = {S(MREMAP_MAYMOVE), S(MREMAP_FIXED), S(MREMAP_DONTUNMAP)};
static const struct sym madv_syms[] = {
    S(MADV_NORMAL),	     S(MADV_RANDOM),	    S(MADV_SEQUENTIAL),
    S(MADV_WILLNEED),	     S(MADV_DONTNEED),	    S(MADV_FREE),
    S(MADV_REMOVE),	     S(MADV_DONTFORK),	    S(MADV_DOFORK),
    S(MADV_MERGEABLE),	     S(MADV_UNMERGEABLE),   S(MADV_HUGEPAGE),
    S(MADV_NOHUGEPAGE),	     S(MADV_DONTDUMP),	    S(MADV_DODUMP),
    S(MADV_WIPEONFORK),	     S(MADV_KEEPONFORK),    S(MADV_COLD),
    S(MADV_PAGEOUT),	     S(MADV_POPULATE_READ), S(MADV_POPULATE_WRITE),
    S(MADV_DONTNEED_LOCKED), S(MADV_COLLAPSE),	    S(MADV_HWPOISON),
};
static const struct sym msync_syms[] = {S(MS_ASYNC), S(MS_INVALIDATE), S(MS_SYNC)};
static const struct sym mfd_syms[] = {S(MFD_CLOEXEC), S(MFD_ALLOW_SEALING), S(MFD_HUGETLB),
				      S(MFD_NOEXEC_SEAL), S(MFD_EXEC)};
static const struct sym whence_syms[] = {S(SEEK_SET), S(SEEK_CUR), S(SEEK_END), S(SEEK_DATA),
					 S(SEEK_HOLE)};
static const struct sym fcntl_syms[] = {
    S(F_DUPFD),		S(F_GETFD),	 S(F_SETFD),	  S(F_GETFL),	  S(F_SETFL),
    S(F_GETLK),		S(F_SETLK),	 S(F_SETLKW),	  S(F_SETOWN),	  S(F_GETOWN),
    S(F_SETSIG),	S(F_GETSIG),	 S(F_SETOWN_EX),  S(F_GETOWN_EX), S(F_OFD_GETLK),
    S(F_OFD_SETLK),	S(F_OFD_SETLKW), S(F_SETLEASE),	  S(F_GETLEASE),  S(F_NOTIFY),
    S(F_DUPFD_CLOEXEC), S(F_SETPIPE_SZ), S(F_GETPIPE_SZ), S(F_ADD_SEALS), S(F_GET_SEALS),
};
static const struct sym fd_syms[] = {S(FD_CLOEXEC)};
static const struct sym flock_syms[] = {S(LOCK_SH), S(LOCK_EX), S(LOCK_NB), S(LOCK_UN)};
static const struct sym rename_syms[] = {S(RENAME_NOREPLACE), S(RENAME_EXCHANGE),
					 S(RENAME_WHITEOUT)};
static const struct sym close_range_syms[] = {S(CLOSE_RANGE_UNSHARE), S(CLOSE_RANGE_CLOEXEC)};
static const struct sym sighow_syms[] = {S(SIG_BLOCK), S(SIG_UNBLOCK), S(SIG_SETMASK)};

/* The op names carry the private flag as a _PRIVATE suffix, as strace prints them. */
#define FUTEX2(x)                                                                                  \
	S(x),                                                                                      \
	{                                                                                          \
		(x) | FUTEX_PRIVATE_FLAG, #x "_PRIVATE"                                            \
	}
static const struct sym futexop_syms[] = {
    FUTEX2(FUTEX_WAIT),		  FUTEX2(FUTEX_WAKE),	     FUTEX2(FUTEX_FD),
    FUTEX2(FUTEX_REQUEUE),	  FUTEX2(FUTEX_CMP_REQUEUE), FUTEX2(FUTEX_WAKE_OP),
    FUTEX2(FUTEX_LOCK_PI),	  FUTEX2(FUTEX_UNLOCK_PI),   FUTEX2(FUTEX_TRYLOCK_PI),
    FUTEX2(FUTEX_WAIT_BITSET),	  FUTEX2(FUTEX_WAKE_BITSET), FUTEX2(FUTEX_WAIT_REQUEUE_PI),
    FUTEX2(FUTEX_CMP_REQUEUE_PI), FUTEX2(FUTEX_LOCK_PI2),
};
static const struct sym futexflag_syms[] = {S(FUTEX_CLOCK_REALTIME)};
static const struct sym clock_syms[] = {
    S(CLOCK_REALTIME),		S(CLOCK_MONOTONIC),	S(CLOCK_PROCESS_CPUTIME_ID),
    S(CLOCK_THREAD_CPUTIME_ID), S(CLOCK_MONOTONIC_RAW), S(CLOCK_REALTIME_COARSE),
    S(CLOCK_MONOTONIC_COARSE),	S(CLOCK_BOOTTIME),	S(CLOCK_REALTIME_ALARM),
    S(CLOCK_BOOTTIME_ALARM),	S(CLOCK_TAI),
};
static const struct sym timer_syms[] = {S(TIMER_ABSTIME)};
static const struct sym fadv_syms[] = {S(POSIX_FADV_NORMAL),	 S(POSIX_FADV_RANDOM),
				       S(POSIX_FADV_SEQUENTIAL), S(POSIX_FADV_WILLNEED),
				       S(POSIX_FADV_DONTNEED),	 S(POSIX_FADV_NOREUSE)};
static const struct sym wait_syms[] = {S(WNOHANG), S(WUNTRACED),   S(WEXITED), S(WCONTINUED),
				       S(WNOWAIT), S(__WNOTHREAD), S(__WALL),  S(__WCLONE)};
/* Enum constants in glibc's idtype_t, so spelled out. */
static const struct sym idtype_syms[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};
static const struct sym archprctl_syms[] = {
    S(ARCH_SET_GS),
    S(ARCH_SET_FS),
    S(ARCH_GET_FS),
    S(ARCH_GET_GS),
    S(ARCH_GET_CPUID),
    S(ARCH_SET_CPUID),
    S(ARCH_GET_XCOMP_SUPP),
    S(ARCH_GET_XCOMP_PERM),
    S(ARCH_REQ_XCOMP_PERM),
    S(ARCH_GET_XCOMP_GUEST_PERM),
    S(ARCH_REQ_XCOMP_GUEST_PERM),
    S(ARCH_MAP_VDSO_X32),
    S(ARCH_MAP_VDSO_32),
    S(ARCH_MAP_VDSO_64),
    S(ARCH_SHSTK_ENABLE),
    S(ARCH_SHSTK_DISABLE),
    S(ARCH_SHSTK_LOCK),
    S(ARCH_SHSTK_UNLOCK),
    S(ARCH_SHSTK_STATUS),
};
static const struct sym prctl_syms[] = {
    S(PR_SET_PDEATHSIG),
    S(PR_GET_PDEATHSIG),
    S(PR_GET_DUMPABLE),
    S(PR_SET_DUMPABLE),
    S(PR_GET_KEEPCAPS),
    S(PR_SET_KEEPCAPS),
    S(PR_SET_NAME),
    S(PR_GET_NAME),
    S(PR_GET_SECCOMP),
    S(PR_SET_SECCOMP),
    S(PR_CAPBSET_READ),
    S(PR_CAPBSET_DROP),
    S(PR_GET_TSC),
    S(PR_SET_TSC),
    S(PR_SET_TIMERSLACK),
    S(PR_GET_TIMERSLACK),
    S(PR_SET_MM),
    S(PR_SET_CHILD_SUBREAPER),
    S(PR_GET_CHILD_SUBREAPER),
    S(PR_SET_NO_NEW_PRIVS),
    S(PR_GET_NO_NEW_PRIVS),
    S(PR_GET_TID_ADDRESS),
    S(PR_SET_THP_DISABLE),
    S(PR_GET_THP_DISABLE),
    S(PR_CAP_AMBIENT),
    S(PR_SET_VMA),
};
static const struct sym rlimit_syms[] = {
    S(RLIMIT_CPU),	S(RLIMIT_FSIZE), S(RLIMIT_DATA),   S(RLIMIT_STACK),
    S(RLIMIT_CORE),	S(RLIMIT_RSS),	 S(RLIMIT_NPROC),  S(RLIMIT_NOFILE),
    S(RLIMIT_MEMLOCK),	S(RLIMIT_AS),	 S(RLIMIT_LOCKS),  S(RLIMIT_SIGPENDING),
    S(RLIMIT_MSGQUEUE), S(RLIMIT_NICE),	 S(RLIMIT_RTPRIO), S(RLIMIT_RTTIME),
};
static const struct sym grnd_syms[] = {S(GRND_NONBLOCK), S(GRND_RANDOM), S(GRND_INSECURE)};
static const struct sym family_syms[] = {
    S(AF_UNSPEC), S(AF_UNIX),	   S(AF_INET), S(AF_IPX),     S(AF_APPLETALK), S(AF_BRIDGE),
    S(AF_X25),	  S(AF_INET6),	   S(AF_KEY),  S(AF_NETLINK), S(AF_PACKET),    S(AF_CAN),
    S(AF_TIPC),	  S(AF_BLUETOOTH), S(AF_ALG),  S(AF_VSOCK),   S(AF_XDP),
};
static const struct sym socktype_syms[] = {S(SOCK_STREAM), S(SOCK_DGRAM),     S(SOCK_RAW),
					   S(SOCK_RDM),	   S(SOCK_SEQPACKET), S(SOCK_DCCP),
					   S(SOCK_PACKET)};
static const struct sym sockflag_syms[] = {S(SOCK_NONBLOCK), S(SOCK_CLOEXEC)};
static const struct sym msg_syms[] = {
    S(MSG_OOB),	  S(MSG_PEEK),	     S(MSG_DONTROUTE), S(MSG_CTRUNC),	S(MSG_PROXY),
    S(MSG_TRUNC), S(MSG_DONTWAIT),   S(MSG_EOR),       S(MSG_WAITALL),	S(MSG_FIN),
    S(MSG_SYN),	  S(MSG_CONFIRM),    S(MSG_RST),       S(MSG_ERRQUEUE), S(MSG_NOSIGNAL),
    S(MSG_MORE),  S(MSG_WAITFORONE), S(MSG_ZEROCOPY),  S(MSG_FASTOPEN), S(MSG_CMSG_CLOEXEC),
};
static const struct sym shut_syms[] = {S(SHUT_RD), S(SHUT_WR), S(SHUT_RDWR)};
static const struct sym epollop_syms[] = {S(EPOLL_CTL_ADD), S(EPOLL_CTL_DEL), S(EPOLL_CTL_MOD)};
static const struct sym epollflag_syms[] = {S(EPOLL_CLOEXEC)};
static const struct sym efd_syms[] = {S(EFD_SEMAPHORE), S(EFD_CLOEXEC), S(EFD_NONBLOCK)};
static const struct sym tfd_syms[] = {S(TFD_CLOEXEC), S(TFD_NONBLOCK)};
static const struct sym ioctl_syms[] = {
    S(TCGETS),	   S(TCSETS),	 S(TCSETSW),   S(TCSETSF),  S(TCFLSH),	 S(TCXONC),
    S(TIOCSCTTY),  S(TIOCGPGRP), S(TIOCSPGRP), S(TIOCOUTQ), S(TIOCSTI),	 S(TIOCGWINSZ),
    S(TIOCSWINSZ), S(FIONREAD),	 S(TIOCNOTTY), S(FIONBIO),  S(TIOCGSID), S(TIOCGPTN),
    S(TIOCSPTLCK), S(FIONCLEX),	 S(FIOCLEX),   S(FIOASYNC),
};
static const struct sym clone_syms[] = {
    S(CLONE_NEWTIME),
    S(CLONE_VM),
    S(CLONE_FS),
    S(CLONE_FILES),
    S(CLONE_SIGHAND),
    S(CLONE_PIDFD),
    S(CLONE_PTRACE),
    S(CLONE_VFORK),
    S(CLONE_PARENT),
    S(CLONE_THREAD),
    S(CLONE_NEWNS),
    S(CLONE_SYSVSEM),
    S(CLONE_SETTLS),
    S(CLONE_PARENT_SETTID),
    S(CLONE_CHILD_CLEARTID),
    S(CLONE_DETACHED),
    S(CLONE_UNTRACED),
    S(CLONE_CHILD_SETTID),
    S(CLONE_NEWCGROUP),
    S(CLONE_NEWUTS),
    S(CLONE_NEWIPC),
    S(CLONE_NEWUSER),
    S(CLONE_NEWPID),
    S(CLONE_NEWNET),
    S(CLONE_IO),
};

/* Names the set bits of v from t; bits without a name follow as one hex number. */
static void put_flags(struct sb *b, struct symtab t, uint64_t v)
{
	bool any = false;

	for (size_t i = 0; i < t.n; i++) {
		uint64_t f = t.s[i].val;
		if (!f || (v & f) != f)
			continue;
		if (any)
			sb_putc(b, '|');
		sb_puts(b, t.s[i].name);
		v &= ~f;
		any = true;
	}
	if (v || !any) {
		if (any)
			sb_putc(b, '|');
		put_hex(b, v);
	}
}

static const char *sym_name(struct symtab t, uint64_t v)
{
	for (size_t i = 0; i < t.n; i++)
		if (t.s[i].val == v)
			return t.s[i].name;
	return NULL;
}

/* ---- argument kinds ---- */

enum kind {
	A_NONE, /* end of the argument list */
	A_SKIP, /* an argument strace does not show (e.g. the high half of preadv's offset) */
	A_INT,
	A_UINT,
	A_LONG,
	A_ULONG,
	A_HEX,
	A_PTR,
	A_OCT,
	A_FD,
	A_DIRFD,
	A_SIGNAL,
	A_OPEN_MODE, /* shown only when the preceding open flags create a file */
	A_PATH,
	A_STR,
	A_BUF_IN,      /* length is the next argument */
	A_BUF_OUT,     /* length is the return value */
	A_BUF_OUT_HEX, /* same, every byte as \xNN */
	A_U64_OUT,
	A_MREMAP_ADDR, /* shown only with MREMAP_FIXED */
	A_SOCK_PROTO,
	A_PATH_OUT,
	A_ARGV,
	A_ENVP,
	A_SIGSET,
	A_SIGSET_OUT,
	A_TIMESPEC,
	A_TIMESPEC_OUT,
	A_FDPAIR_OUT,
	A_RLIMIT,
	A_RLIMIT_OUT,
	A_WSTATUS_OUT,
	A_CLONE_FLAGS,
	A_STAT_OUT,	 /* struct stat the kernel filled */
	A_SIGACTION,	 /* struct sigaction given (the kernel's layout) */
	A_SIGACTION_OUT, /* the old action the kernel filled */
	A_IOV_IN,	 /* struct iovec[count], count the next argument; data written */
	A_IOV_OUT,	 /* the same; data read, as much as the call returned */
	A_SOCKADDR,	 /* struct sockaddr given, its length the next argument */
	/* symbolic */
	A_OPEN_FLAGS,
	A_O_FLAGS, /* O_* flags without an access mode (pipe2, dup3) */
	A_AT_FLAGS,
	A_STATX_FLAGS,
	A_UNLINKAT_FLAGS,
	A_FACCESSAT_FLAGS,
	A_ACCESS_MODE,
	A_STATX_MASK,
	A_PROT,
	A_MAP_FLAGS,
	A_MREMAP_FLAGS,
	A_MADVICE,
	A_MSYNC_FLAGS,
	A_MFD_FLAGS,
	A_WHENCE,
	A_FCNTL_CMD,
	A_FD_FLAGS,
	A_FLOCK_OP,
	A_RENAME_FLAGS,
	A_CLOSE_RANGE_FLAGS,
	A_SIG_HOW,
	A_FUTEX_OP,
	A_CLOCK,
	A_TIMER_FLAGS,
	A_WAIT_OPTS,
	A_IDTYPE,
	A_ARCH_PRCTL,
	A_PRCTL_OPT,
	A_RLIMIT_RES,
	A_GRND_FLAGS,
	A_FAMILY,
	A_SOCK_TYPE,
	A_SOCK_FLAGS,
	A_MSG_FLAGS,
	A_SHUT_HOW,
	A_EPOLL_OP,
	A_EPOLL_FLAGS,
	A_EFD_FLAGS,
	A_TFD_FLAGS,
	A_IOCTL_REQ,
	A_FADVICE,
	A_COUNT
};

/* Return value styles. R_DEC is 0 so a variant that says nothing keeps the row's style. */
enum ret_style { R_DEC, R_HEX, R_OCT, R_FLAGS, R_POLL };

/* One syscall being printed. */
struct call {
	const uint64_t *a;
	long ret;
	bool done; /* false for calls that never return: output arguments are not filled */
};

/* Formats argument i; returns false to leave it out of the list. */
typedef bool fmt_fn(struct sb *b, const struct call *c, int i);

/*
 * How a kind prints. Either fmt, or symbols: the bits under enum_mask are one enum value
 * (e.g. the access mode of open flags), the rest are flags. An unknown enum value prints
 * in hex followed by a comment naming the unknown (0x7 then SEEK_??? in a C comment), or
 * in decimal (hex when .hex) when the kind has no such name.
 */
struct kind_desc {
	fmt_fn *fmt;
	struct symtab enums;
	uint64_t enum_mask;
	struct symtab flags;
	const char *zero;    /* the name of 0 for pure flag sets (PROT_NONE) */
	const char *unknown; /* "SEEK_???" */
	bool hex;	     /* unknown enum values in hex */
};

static bool out_ready(const struct call *c)
{
	return c->done && c->ret >= 0;
}

static bool fmt_int(struct sb *b, const struct call *c, int i)
{
	sb_printf(b, "%d", (int)c->a[i]);
	return true;
}

static bool fmt_uint(struct sb *b, const struct call *c, int i)
{
	sb_printf(b, "%u", (unsigned)c->a[i]);
	return true;
}

static bool fmt_long(struct sb *b, const struct call *c, int i)
{
	sb_printf(b, "%lld", (long long)c->a[i]);
	return true;
}

static bool fmt_ulong(struct sb *b, const struct call *c, int i)
{
	sb_printf(b, "%llu", (unsigned long long)c->a[i]);
	return true;
}

static bool fmt_hex(struct sb *b, const struct call *c, int i)
{
	put_hex(b, c->a[i]);
	return true;
}

static bool fmt_ptr(struct sb *b, const struct call *c, int i)
{
	put_ptr(b, c->a[i]);
	return true;
}

static bool fmt_skip(struct sb *b, const struct call *c, int i)
{
	return false;
}

static void put_mode(struct sb *b, uint64_t v)
{
	sb_printf(b, "%#03o", (unsigned)v);
}

static bool fmt_oct(struct sb *b, const struct call *c, int i)
{
	put_mode(b, c->a[i]);
	return true;
}

static bool fmt_open_mode(struct sb *b, const struct call *c, int i)
{
	uint64_t flags = i > 0 ? c->a[i - 1] : 0;

	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return false;
	put_mode(b, c->a[i]);
	return true;
}

static bool fmt_mremap_addr(struct sb *b, const struct call *c, int i)
{
	if (i == 0 || !(c->a[i - 1] & MREMAP_FIXED))
		return false;
	put_ptr(b, c->a[i]);
	return true;
}

/* The protocol is an IPPROTO_* number only for the IP families. */
static bool fmt_sock_proto(struct sb *b, const struct call *c, int i)
{
	static const struct sym ipproto_syms[] = {
	    S(IPPROTO_IP),   S(IPPROTO_ICMP),	S(IPPROTO_TCP),	 S(IPPROTO_UDP),
	    S(IPPROTO_IPV6), S(IPPROTO_ICMPV6), S(IPPROTO_SCTP), S(IPPROTO_RAW),
	};
	const char *name = NULL;

	if (i > 0 && (c->a[0] == AF_INET || c->a[0] == AF_INET6))
		name = sym_name((struct symtab)SYMS(ipproto_syms), c->a[i]);
	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "%d", (int)c->a[i]);
	return true;
}

static bool fmt_fd(struct sb *b, const struct call *c, int i)
{
	return fmt_int(b, c, i);
}

static bool fmt_dirfd(struct sb *b, const struct call *c, int i)
{
	if ((int)c->a[i] == AT_FDCWD)
		sb_puts(b, "AT_FDCWD");
	else
		sb_printf(b, "%d", (int)c->a[i]);
	return true;
}

static bool fmt_signal(struct sb *b, const struct call *c, int i)
{
	put_signame(b, (int)c->a[i], true);
	return true;
}

static bool fmt_path(struct sb *b, const struct call *c, int i)
{
	put_cstr(b, c->a[i], PATH_MAX);
	return true;
}

static bool fmt_str(struct sb *b, const struct call *c, int i)
{
	put_cstr(b, c->a[i], TRACE_STRLEN);
	return true;
}

static bool fmt_buf_in(struct sb *b, const struct call *c, int i)
{
	put_buf(b, c->a[i], i < 5 ? c->a[i + 1] : 0, false);
	return true;
}

/* Buffers the kernel filled: only the returned bytes mean anything, and only on success. */
static bool fmt_buf_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_buf(b, c->a[i], (uint64_t)c->ret, false);
	else
		put_ptr(b, c->a[i]);
	return true;
}

static bool fmt_buf_out_hex(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_buf(b, c->a[i], (uint64_t)c->ret, true);
	else
		put_ptr(b, c->a[i]);
	return true;
}

/* A 64-bit value the kernel stored (arch_prctl ARCH_GET_FS): [0x7f...]. */
static bool fmt_u64_out(struct sb *b, const struct call *c, int i)
{
	uint64_t v;

	if (out_ready(c) && c->a[i] && peek(&v, c->a[i], sizeof(v))) {
		sb_putc(b, '[');
		put_hex(b, v);
		sb_putc(b, ']');
	} else {
		put_ptr(b, c->a[i]);
	}
	return true;
}

static bool fmt_path_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c) && c->ret > 0)
		put_cstr(b, c->a[i], PATH_MAX);
	else
		put_ptr(b, c->a[i]);
	return true;
}

/* execve's argv: ["ls", "-l"], each element cut like a string argument. */
static bool fmt_argv(struct sb *b, const struct call *c, int i)
{
	uint64_t v = c->a[i], p;

	if (!v || !peek(&p, v, sizeof(p))) {
		put_ptr(b, v);
		return true;
	}
	sb_putc(b, '[');
	for (int n = 0;; n++) {
		if (!peek(&p, v + 8 * (uint64_t)n, sizeof(p))) {
			sb_puts(b, n ? ", ..." : "...");
			break;
		}
		if (!p)
			break;
		if (n)
			sb_puts(b, ", ");
		if (n == ARGV_MAX) {
			sb_puts(b, "...");
			break;
		}
		put_cstr(b, p, TRACE_STRLEN);
	}
	sb_putc(b, ']');
	return true;
}

/* Number of pointers before the NULL that ends a guest pointer array, or -1 on a fault. */
static long count_ptrs(uint64_t addr)
{
	uint64_t chunk[PEEK_PAGE / 8];
	long n = 0;

	while (n < ENVP_MAX) {
		uint64_t at = addr + 8 * (uint64_t)n;
		size_t bytes = PEEK_PAGE - (at & (PEEK_PAGE - 1));
		size_t cnt = bytes / 8 ? bytes / 8 : 1;
		if (!peek(chunk, at, cnt * 8))
			return -1;
		for (size_t k = 0; k < cnt; k++, n++)
			if (!chunk[k])
				return n;
	}
	return n;
}

/* execve's envp as strace abbreviates it: the pointer, then the count in a C comment. */
static bool fmt_envp(struct sb *b, const struct call *c, int i)
{
	uint64_t v = c->a[i];
	long n = v ? count_ptrs(v) : -1;

	put_ptr(b, v);
	if (n >= 0)
		sb_printf(b, " /* %ld var%s */", n, n == 1 ? "" : "s");
	return true;
}

static void put_sigset(struct sb *b, uint64_t set)
{
	/* Mostly-full sets read better as what is missing. */
	bool invert = __builtin_popcountll(set) > 32;
	bool first = true;

	if (invert) {
		sb_putc(b, '~');
		set = ~set;
	}
	sb_putc(b, '[');
	for (int sig = 1; sig <= 64; sig++) {
		if (!(set & (1ULL << (sig - 1))))
			continue;
		if (!first)
			sb_putc(b, ' ');
		put_signame(b, sig, false);
		first = false;
	}
	sb_putc(b, ']');
}

static void put_sigset_at(struct sb *b, uint64_t addr)
{
	uint64_t set;

	if (addr && peek(&set, addr, sizeof(set)))
		put_sigset(b, set);
	else
		put_ptr(b, addr);
}

static bool fmt_sigset(struct sb *b, const struct call *c, int i)
{
	put_sigset_at(b, c->a[i]);
	return true;
}

static bool fmt_sigset_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_sigset_at(b, c->a[i]);
	else
		put_ptr(b, c->a[i]);
	return true;
}

static void put_timespec_at(struct sb *b, uint64_t addr)
{
	int64_t ts[2];

	if (addr && peek(ts, addr, sizeof(ts)))
		sb_printf(b, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
	else
		put_ptr(b, addr);
}

static bool fmt_timespec(struct sb *b, const struct call *c, int i)
{
	put_timespec_at(b, c->a[i]);
	return true;
}

static bool fmt_timespec_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_timespec_at(b, c->a[i]);
	else
		put_ptr(b, c->a[i]);
	return true;
}

static bool fmt_fdpair_out(struct sb *b, const struct call *c, int i)
{
	int fds[2];

	if (out_ready(c) && peek(fds, c->a[i], sizeof(fds)))
		sb_printf(b, "[%d, %d]", fds[0], fds[1]);
	else
		put_ptr(b, c->a[i]);
	return true;
}

/* strace shows limits that are whole KiB as N*1024. */
static void put_rlim(struct sb *b, uint64_t v)
{
	if (v == UINT64_MAX)
		sb_puts(b, "RLIM64_INFINITY");
	else if (v && v % 1024 == 0)
		sb_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		sb_printf(b, "%llu", (unsigned long long)v);
}

static void put_rlimit_at(struct sb *b, uint64_t addr)
{
	uint64_t r[2];

	if (!addr || !peek(r, addr, sizeof(r))) {
		put_ptr(b, addr);
		return;
	}
	sb_puts(b, "{rlim_cur=");
	put_rlim(b, r[0]);
	sb_puts(b, ", rlim_max=");
	put_rlim(b, r[1]);
	sb_putc(b, '}');
}

static bool fmt_rlimit(struct sb *b, const struct call *c, int i)
{
	put_rlimit_at(b, c->a[i]);
	return true;
}

static bool fmt_rlimit_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_rlimit_at(b, c->a[i]);
	else
		put_ptr(b, c->a[i]);
	return true;
}

static void put_wstatus(struct sb *b, int st)
{
	if (WIFEXITED(st)) {
		sb_printf(b, "WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		sb_puts(b, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signame(b, WTERMSIG(st), true);
		if (WCOREDUMP(st))
			sb_puts(b, " && WCOREDUMP(s)");
	} else if (WIFSTOPPED(st)) {
		sb_puts(b, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signame(b, WSTOPSIG(st), true);
	} else if (WIFCONTINUED(st)) {
		sb_puts(b, "WIFCONTINUED(s)");
	} else {
		sb_printf(b, "%#x", (unsigned)st);
	}
}

/* wait4 fills the status only when it reaped a child (ret > 0; 0 means WNOHANG found none). */
static bool fmt_wstatus_out(struct sb *b, const struct call *c, int i)
{
	int st;

	if (!out_ready(c) || c->ret == 0 || !c->a[i] || !peek(&st, c->a[i], sizeof(st))) {
		put_ptr(b, c->a[i]);
		return true;
	}
	sb_puts(b, "[{");
	put_wstatus(b, st);
	sb_puts(b, "}]");
	return true;
}

/* Clone flags carry the child's exit signal in the low byte: CLONE_VM|...|SIGCHLD. */
static void put_clone_flags(struct sb *b, uint64_t v)
{
	uint64_t flags = v & ~(uint64_t)CSIGNAL;
	int sig = (int)(v & CSIGNAL);

	if (flags)
		put_flags(b, (struct symtab)SYMS(clone_syms), flags);
	if (sig) {
		if (flags)
			sb_putc(b, '|');
		put_signame(b, sig, true);
	}
	if (!v)
		sb_putc(b, '0');
}

static bool fmt_clone_flags(struct sb *b, const struct call *c, int i)
{
	put_clone_flags(b, c->a[i]);
	return true;
}

/* ---- structures, decoded as strace decodes them ---- */

struct kind_desc;
static const struct kind_desc kinds[A_COUNT];
static void put_enum(struct sb *b, const struct kind_desc *k, uint64_t v);

/* Type bits of st_mode; the set-id and sticky bits follow, then the permissions in octal. */
static const struct sym ifmt_syms[] = {S(S_IFREG), S(S_IFDIR), S(S_IFCHR), S(S_IFBLK),
				       S(S_IFIFO), S(S_IFLNK), S(S_IFSOCK)};
static const struct sym suid_syms[] = {S(S_ISUID), S(S_ISGID), S(S_ISVTX)};

static void put_st_mode(struct sb *b, uint32_t mode)
{
	const char *type = sym_name((struct symtab)SYMS(ifmt_syms), mode & S_IFMT);

	if (type)
		sb_printf(b, "%s|", type);
	else if (mode & S_IFMT)
		sb_printf(b, "%#o|", mode & S_IFMT);
	for (size_t i = 0; i < ARRAY_SIZE(suid_syms); i++)
		if (mode & suid_syms[i].val)
			sb_printf(b, "%s|", suid_syms[i].name);
	put_mode(b, mode & 0777);
}

/* The kernel's encoding of a device number (linux/kdev_t.h's new_encode_dev). */
static void put_makedev(struct sb *b, uint64_t dev)
{
	uint64_t major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL);
	uint64_t minor = (dev & 0xff) | ((dev >> 12) & ~0xffULL);

	sb_printf(b, "makedev(%#llx, %#llx)", (unsigned long long)major, (unsigned long long)minor);
}

/* strace's abbreviated stat: {st_mode=S_IFREG|0644, st_size=3, ...}; devices show st_rdev. */
static bool fmt_stat_out(struct sb *b, const struct call *c, int i)
{
	struct stat st;

	if (!out_ready(c) || !c->a[i] || !peek(&st, c->a[i], sizeof(st))) {
		put_ptr(b, c->a[i]);
		return true;
	}
	sb_puts(b, "{st_mode=");
	put_st_mode(b, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		sb_puts(b, ", st_rdev=");
		put_makedev(b, st.st_rdev);
	} else {
		sb_printf(b, ", st_size=%lld", (long long)st.st_size);
	}
	sb_puts(b, ", ...}");
	return true;
}

/* rt_sigaction's struct, as the kernel takes it on x86-64 (not glibc's struct sigaction). */
struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

/* In strace's order (its xlat/sigact_flags.in). */
static const struct sym sa_syms[] = {
    S(SA_RESTORER),  S(SA_ONSTACK), S(SA_RESTART),   S(SA_NODEFER),
    S(SA_RESETHAND), S(SA_SIGINFO), S(SA_NOCLDSTOP), S(SA_NOCLDWAIT),
};

static void put_sigaction_at(struct sb *b, uint64_t addr)
{
	struct k_sigaction sa;

	if (!addr || !peek(&sa, addr, sizeof(sa))) {
		put_ptr(b, addr);
		return;
	}
	sb_puts(b, "{sa_handler=");
	if (sa.handler == (uint64_t)(uintptr_t)SIG_DFL)
		sb_puts(b, "SIG_DFL");
	else if (sa.handler == (uint64_t)(uintptr_t)SIG_IGN)
		sb_puts(b, "SIG_IGN");
	else
		put_hex(b, sa.handler);
	sb_puts(b, ", sa_mask=");
	put_sigset(b, sa.mask);
	sb_puts(b, ", sa_flags=");
	if (sa.flags)
		put_flags(b, (struct symtab)SYMS(sa_syms), sa.flags);
	else
		sb_putc(b, '0');
	if (sa.flags & SA_RESTORER) {
		sb_puts(b, ", sa_restorer=");
		put_ptr(b, sa.restorer);
	}
	sb_putc(b, '}');
}

static bool fmt_sigaction(struct sb *b, const struct call *c, int i)
{
	put_sigaction_at(b, c->a[i]);
	return true;
}

static bool fmt_sigaction_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_sigaction_at(b, c->a[i]);
	else
		put_ptr(b, c->a[i]);
	return true;
}

/* Elements strace shows of an array before "..." (its default -s, which it uses for both). */
#define ARRAY_MAX TRACE_STRLEN

/*
 * [{iov_base="hi", iov_len=2}, ...]: each buffer as a string argument. limit is how many
 * bytes the data shows in all (what a read returned); UINT64_MAX for a write's own.
 */
static void put_iov(struct sb *b, uint64_t addr, uint64_t count, uint64_t limit)
{
	struct iovec v;

	if (!addr || count > 1024 || !peek(&v, addr, sizeof(v))) {
		put_ptr(b, addr);
		return;
	}
	sb_putc(b, '[');
	for (uint64_t k = 0; k < count; k++) {
		if (k)
			sb_puts(b, ", ");
		if (k == ARRAY_MAX) {
			sb_puts(b, "...");
			break;
		}
		if (!peek(&v, addr + k * sizeof(v), sizeof(v))) {
			put_hex(b, addr + k * sizeof(v));
			break;
		}
		uint64_t show = v.iov_len < limit ? v.iov_len : limit;
		limit -= limit == UINT64_MAX ? 0 : show;
		sb_puts(b, "{iov_base=");
		put_buf(b, (uint64_t)(uintptr_t)v.iov_base, show, false);
		sb_printf(b, ", iov_len=%llu}", (unsigned long long)v.iov_len);
	}
	sb_putc(b, ']');
}

static bool fmt_iov_in(struct sb *b, const struct call *c, int i)
{
	put_iov(b, c->a[i], i < 5 ? c->a[i + 1] : 0, UINT64_MAX);
	return true;
}

static bool fmt_iov_out(struct sb *b, const struct call *c, int i)
{
	if (out_ready(c))
		put_iov(b, c->a[i], i < 5 ? c->a[i + 1] : 0, (uint64_t)c->ret);
	else
		put_ptr(b, c->a[i]);
	return true;
}

static void put_sockaddr_un(struct sb *b, const struct sockaddr_un *un, size_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n = len > off ? len - off : 0;
	bool abstract = n && un->sun_path[0] == '\0';

	if (n > sizeof(un->sun_path))
		n = sizeof(un->sun_path);
	sb_puts(b, ", sun_path=");
	if (abstract) {
		/* An abstract name: every byte counts, NULs included; strace marks it with @. */
		sb_putc(b, '@');
		put_quoted(b, (const unsigned char *)un->sun_path + 1, n - 1, false);
	} else {
		put_quoted(b, (const unsigned char *)un->sun_path, strnlen(un->sun_path, n), false);
	}
}

static void put_sockaddr_in(struct sb *b, const struct sockaddr_in *in)
{
	const uint8_t *a = (const uint8_t *)&in->sin_addr;

	sb_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")",
		  (unsigned)__builtin_bswap16(in->sin_port), a[0], a[1], a[2], a[3]);
}

/* An IPv6 address in RFC 5952's short form, as inet_ntop writes it. */
static void put_in6(struct sb *b, const uint8_t a[16])
{
	uint16_t w[8];
	int best = -1, best_len = 1;

	for (int k = 0; k < 8; k++)
		w[k] = (uint16_t)(a[2 * k] << 8 | a[2 * k + 1]);
	for (int k = 0; k < 8;) {
		int run = 0;
		while (k + run < 8 && !w[k + run])
			run++;
		if (run > best_len) {
			best = k;
			best_len = run;
		}
		k += run ? run : 1;
	}
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			sb_puts(b, "::");
			k += best_len - 1;
			continue;
		}
		if (k && k != best + best_len)
			sb_putc(b, ':');
		sb_printf(b, "%x", w[k]);
	}
}

static void put_sockaddr_in6(struct sb *b, const struct sockaddr_in6 *in6)
{
	sb_printf(b, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"",
		  (unsigned)__builtin_bswap16(in6->sin6_port),
		  (unsigned)__builtin_bswap32(in6->sin6_flowinfo));
	put_in6(b, in6->sin6_addr.s6_addr);
	sb_printf(b, "\", &sin6_addr), sin6_scope_id=%u", (unsigned)in6->sin6_scope_id);
}

static void put_sockaddr_nl(struct sb *b, const struct sockaddr_nl *nl)
{
	sb_printf(b, ", nl_pid=%u, nl_groups=%08x", (unsigned)nl->nl_pid, (unsigned)nl->nl_groups);
}

/* {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")} and friends. */
static bool fmt_sockaddr(struct sb *b, const struct call *c, int i)
{
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_nl nl;
		struct sockaddr_storage ss;
	} u = {0};
	uint64_t len = i < 5 ? c->a[i + 1] : 0;
	size_t n = len < sizeof(u) ? (size_t)len : sizeof(u);

	if (!c->a[i] || n < sizeof(sa_family_t) || !peek(&u, c->a[i], n)) {
		put_ptr(b, c->a[i]);
		return true;
	}
	sb_puts(b, "{sa_family=");
	put_enum(b, &kinds[A_FAMILY], u.sa.sa_family);
	if (u.sa.sa_family == AF_UNIX)
		put_sockaddr_un(b, &u.un, n);
	else if (u.sa.sa_family == AF_INET && n >= sizeof(u.in))
		put_sockaddr_in(b, &u.in);
	else if (u.sa.sa_family == AF_INET6 && n >= sizeof(u.in6))
		put_sockaddr_in6(b, &u.in6);
	else if (u.sa.sa_family == AF_NETLINK && n >= sizeof(u.nl))
		put_sockaddr_nl(b, &u.nl);
	else if (n > sizeof(sa_family_t)) {
		sb_puts(b, ", sa_data=");
		put_quoted(b, (const unsigned char *)u.sa.sa_data, n - sizeof(sa_family_t), false);
	}
	sb_putc(b, '}');
	return true;
}

#define SYMBOLS(t) .enums = SYMS(t), .enum_mask = UINT64_MAX
#define FLAGS(t) .flags = SYMS(t)

static const struct kind_desc kinds[A_COUNT] = {
    [A_NONE] = {.fmt = fmt_skip},
    [A_SKIP] = {.fmt = fmt_skip},
    [A_INT] = {.fmt = fmt_int},
    [A_UINT] = {.fmt = fmt_uint},
    [A_LONG] = {.fmt = fmt_long},
    [A_ULONG] = {.fmt = fmt_ulong},
    [A_HEX] = {.fmt = fmt_hex},
    [A_PTR] = {.fmt = fmt_ptr},
    [A_OCT] = {.fmt = fmt_oct},
    [A_FD] = {.fmt = fmt_fd},
    [A_DIRFD] = {.fmt = fmt_dirfd},
    [A_SIGNAL] = {.fmt = fmt_signal},
    [A_OPEN_MODE] = {.fmt = fmt_open_mode},
    [A_PATH] = {.fmt = fmt_path},
    [A_STR] = {.fmt = fmt_str},
    [A_BUF_IN] = {.fmt = fmt_buf_in},
    [A_BUF_OUT] = {.fmt = fmt_buf_out},
    [A_BUF_OUT_HEX] = {.fmt = fmt_buf_out_hex},
    [A_U64_OUT] = {.fmt = fmt_u64_out},
    [A_MREMAP_ADDR] = {.fmt = fmt_mremap_addr},
    [A_SOCK_PROTO] = {.fmt = fmt_sock_proto},
    [A_PATH_OUT] = {.fmt = fmt_path_out},
    [A_ARGV] = {.fmt = fmt_argv},
    [A_ENVP] = {.fmt = fmt_envp},
    [A_SIGSET] = {.fmt = fmt_sigset},
    [A_SIGSET_OUT] = {.fmt = fmt_sigset_out},
    [A_TIMESPEC] = {.fmt = fmt_timespec},
    [A_TIMESPEC_OUT] = {.fmt = fmt_timespec_out},
    [A_FDPAIR_OUT] = {.fmt = fmt_fdpair_out},
    [A_RLIMIT] = {.fmt = fmt_rlimit},
    [A_RLIMIT_OUT] = {.fmt = fmt_rlimit_out},
    [A_WSTATUS_OUT] = {.fmt = fmt_wstatus_out},
    [A_CLONE_FLAGS] = {.fmt = fmt_clone_flags},
    [A_STAT_OUT] = {.fmt = fmt_stat_out},
    [A_SIGACTION] = {.fmt = fmt_sigaction},
    [A_SIGACTION_OUT] = {.fmt = fmt_sigaction_out},
    [A_IOV_IN] = {.fmt = fmt_iov_in},
    [A_IOV_OUT] = {.fmt = fmt_iov_out},
    [A_SOCKADDR] = {.fmt = fmt_sockaddr},
    [A_OPEN_FLAGS] = {.enums = SYMS(accmode_syms), .enum_mask = O_ACCMODE, FLAGS(open_syms)},
    [A_O_FLAGS] = {FLAGS(open_syms)},
    [A_AT_FLAGS] = {FLAGS(at_syms)},
    [A_STATX_FLAGS] = {.enums = SYMS(statx_sync_syms),
		       .enum_mask = AT_STATX_SYNC_TYPE,
		       FLAGS(at_syms),
		       .hex = true},
    [A_UNLINKAT_FLAGS] = {FLAGS(unlinkat_syms)},
    [A_FACCESSAT_FLAGS] = {FLAGS(faccessat_syms)},
    [A_ACCESS_MODE] = {FLAGS(access_syms), .zero = "F_OK"},
    [A_STATX_MASK] = {FLAGS(statx_syms)},
    [A_PROT] = {FLAGS(prot_syms), .zero = "PROT_NONE"},
    [A_MAP_FLAGS] = {.enums = SYMS(maptype_syms),
		     .enum_mask = MAP_TYPE,
		     FLAGS(map_syms),
		     .hex = true},
    [A_MREMAP_FLAGS] = {FLAGS(mremap_syms)},
    [A_MADVICE] = {SYMBOLS(madv_syms), .unknown = "MADV_???"},
    [A_MSYNC_FLAGS] = {FLAGS(msync_syms)},
    [A_MFD_FLAGS] = {FLAGS(mfd_syms)},
    [A_WHENCE] = {SYMBOLS(whence_syms), .unknown = "SEEK_???"},
    [A_FCNTL_CMD] = {SYMBOLS(fcntl_syms), .unknown = "F_???"},
    [A_FD_FLAGS] = {FLAGS(fd_syms)},
    [A_FLOCK_OP] = {FLAGS(flock_syms)},
    [A_RENAME_FLAGS] = {FLAGS(rename_syms)},
    [A_CLOSE_RANGE_FLAGS] = {FLAGS(close_range_syms)},
    [A_SIG_HOW] = {SYMBOLS(sighow_syms), .unknown = "SIG_???"},
    [A_FUTEX_OP] = {.enums = SYMS(futexop_syms),
		    .enum_mask = 0xff,
		    FLAGS(futexflag_syms),
		    .unknown = "FUTEX_???"},
    [A_CLOCK] = {SYMBOLS(clock_syms)},
    [A_TIMER_FLAGS] = {FLAGS(timer_syms)},
    [A_WAIT_OPTS] = {FLAGS(wait_syms)},
    [A_IDTYPE] = {SYMBOLS(idtype_syms), .unknown = "P_???"},
    [A_ARCH_PRCTL] = {SYMBOLS(archprctl_syms), .unknown = "ARCH_???"},
    [A_PRCTL_OPT] = {SYMBOLS(prctl_syms), .unknown = "PR_???"},
    [A_RLIMIT_RES] = {SYMBOLS(rlimit_syms), .unknown = "RLIMIT_???"},
    [A_GRND_FLAGS] = {FLAGS(grnd_syms)},
    [A_FAMILY] = {SYMBOLS(family_syms), .unknown = "AF_???"},
    [A_SOCK_TYPE] = {.enums = SYMS(socktype_syms),
		     .enum_mask = 0xf,
		     FLAGS(sockflag_syms),
		     .unknown = "SOCK_???"},
    [A_SOCK_FLAGS] = {FLAGS(sockflag_syms)},
    [A_MSG_FLAGS] = {FLAGS(msg_syms)},
    [A_SHUT_HOW] = {SYMBOLS(shut_syms), .unknown = "SHUT_???"},
    [A_EPOLL_OP] = {SYMBOLS(epollop_syms), .unknown = "EPOLL_CTL_???"},
    [A_EPOLL_FLAGS] = {FLAGS(epollflag_syms)},
    [A_EFD_FLAGS] = {FLAGS(efd_syms)},
    [A_TFD_FLAGS] = {FLAGS(tfd_syms)},
    [A_IOCTL_REQ] = {SYMBOLS(ioctl_syms), .hex = true},
    [A_FADVICE] = {SYMBOLS(fadv_syms), .unknown = "POSIX_FADV_???"},
};

static void put_enum(struct sb *b, const struct kind_desc *k, uint64_t v)
{
	const char *name = sym_name(k->enums, v);

	if (name)
		sb_puts(b, name);
	else if (k->unknown)
		sb_printf(b, "%#llx /* %s */", (unsigned long long)v, k->unknown);
	else if (k->hex)
		put_hex(b, v);
	else
		sb_printf(b, "%lld", (long long)v);
}

static void put_symbolic(struct sb *b, const struct kind_desc *k, uint64_t v)
{
	uint64_t rest = v & ~k->enum_mask;

	if (k->enum_mask) {
		put_enum(b, k, v & k->enum_mask);
		if (rest) {
			sb_putc(b, '|');
			put_flags(b, k->flags, rest);
		}
	} else if (!v) {
		sb_puts(b, k->zero ? k->zero : "0");
	} else {
		put_flags(b, k->flags, v);
	}
}

static bool put_arg(struct sb *b, const struct call *c, int i, enum kind kind)
{
	const struct kind_desc *k = &kinds[kind];

	if (k->fmt)
		return k->fmt(b, c, i);
	put_symbolic(b, k, c->a[i]);
	return true;
}

/* ---- syscall table ---- */

/* The arguments after a command argument, chosen by the command (fcntl, futex, prctl). */
struct variant {
	uint64_t key;
	uint8_t arg[4];
	uint8_t ret;	  /* enum ret_style; R_DEC keeps the row's style */
	uint8_t ret_kind; /* the symbols of an R_FLAGS return */
};

struct variants {
	uint8_t sel;   /* index of the command argument */
	uint64_t mask; /* the command's bits that pick the variant */
	const struct variant *v;
	size_t n;
	uint8_t dflt[4]; /* for commands without a variant */
};

struct sc_desc {
	bool known;
	uint8_t ret; /* enum ret_style */
	uint8_t arg[6];
	const struct variants *var;
	void (*hook)(struct sb *b, const struct call *c); /* prints all arguments itself */
};

#define VAR(k, ...)                                                                                \
	{                                                                                          \
		.key = (k), .arg = { __VA_ARGS__ }                                                 \
	}
#define VAR0(k)                                                                                    \
	{                                                                                          \
		.key = (k)                                                                         \
	}
#define VAR_RET(k, kind)                                                                           \
	{                                                                                          \
		.key = (k), .ret = R_FLAGS, .ret_kind = (kind)                                     \
	}

static const struct variant fcntl_var[] = {
    VAR(F_DUPFD, A_INT),
    VAR_RET(F_GETFD, A_FD_FLAGS),
    VAR(F_SETFD, A_FD_FLAGS),
    VAR_RET(F_GETFL, A_OPEN_FLAGS),
    VAR(F_SETFL, A_OPEN_FLAGS),
    VAR(F_GETLK, A_PTR),
    VAR(F_SETLK, A_PTR),
    VAR(F_SETLKW, A_PTR),
    VAR(F_OFD_GETLK, A_PTR),
    VAR(F_OFD_SETLK, A_PTR),
    VAR(F_OFD_SETLKW, A_PTR),
    VAR(F_SETOWN, A_INT),
    VAR0(F_GETOWN),
    VAR(F_SETSIG, A_SIGNAL),
    VAR0(F_GETSIG),
    VAR(F_SETLEASE, A_INT),
    VAR0(F_GETLEASE),
    VAR(F_DUPFD_CLOEXEC, A_INT),
    VAR(F_SETPIPE_SZ, A_INT),
    VAR0(F_GETPIPE_SZ),
    VAR0(F_GET_SEALS),
};

/* futex(uaddr, op, val, timeout-or-val2, uaddr2, val3): what each op uses. */
static const struct variant futex_var[] = {
    VAR(FUTEX_WAIT, A_INT, A_TIMESPEC),
    VAR(FUTEX_WAKE, A_INT),
    VAR(FUTEX_FD, A_INT),
    VAR(FUTEX_REQUEUE, A_INT, A_UINT, A_PTR),
    VAR(FUTEX_CMP_REQUEUE, A_INT, A_UINT, A_PTR, A_INT),
    VAR(FUTEX_WAKE_OP, A_INT, A_UINT, A_PTR, A_HEX),
    VAR(FUTEX_LOCK_PI, A_SKIP, A_TIMESPEC),
    VAR0(FUTEX_UNLOCK_PI),
    VAR0(FUTEX_TRYLOCK_PI),
    VAR(FUTEX_WAIT_BITSET, A_INT, A_TIMESPEC, A_SKIP, A_HEX),
    VAR(FUTEX_WAKE_BITSET, A_INT, A_SKIP, A_SKIP, A_HEX),
    VAR(FUTEX_WAIT_REQUEUE_PI, A_INT, A_TIMESPEC, A_PTR),
    VAR(FUTEX_CMP_REQUEUE_PI, A_INT, A_UINT, A_PTR, A_INT),
    VAR(FUTEX_LOCK_PI2, A_SKIP, A_TIMESPEC),
};

static const struct variant prctl_var[] = {
    VAR(PR_SET_NAME, A_STR),
    VAR(PR_GET_NAME, A_PTR),
    VAR(PR_SET_PDEATHSIG, A_SIGNAL),
    VAR(PR_GET_PDEATHSIG, A_PTR),
    VAR(PR_SET_DUMPABLE, A_ULONG),
    VAR0(PR_GET_DUMPABLE),
    VAR(PR_SET_SECCOMP, A_ULONG, A_PTR),
    VAR0(PR_GET_SECCOMP),
    VAR(PR_CAPBSET_READ, A_ULONG),
    VAR(PR_CAPBSET_DROP, A_ULONG),
    VAR(PR_SET_CHILD_SUBREAPER, A_ULONG),
    VAR(PR_GET_CHILD_SUBREAPER, A_PTR),
    VAR(PR_SET_TIMERSLACK, A_ULONG),
    VAR0(PR_GET_TIMERSLACK),
    VAR(PR_SET_NO_NEW_PRIVS, A_ULONG, A_ULONG, A_ULONG, A_ULONG),
    VAR(PR_GET_NO_NEW_PRIVS, A_ULONG, A_ULONG, A_ULONG, A_ULONG),
    VAR(PR_GET_TID_ADDRESS, A_PTR),
    VAR(PR_SET_VMA, A_ULONG, A_PTR, A_ULONG, A_STR),
};

static const struct variant arch_prctl_var[] = {
    VAR(ARCH_GET_FS, A_U64_OUT),
    VAR(ARCH_GET_GS, A_U64_OUT),
};

static const struct variants arch_prctl_vars = {.sel = 0,
						.mask = UINT32_MAX,
						.v = arch_prctl_var,
						.n = ARRAY_SIZE(arch_prctl_var),
						.dflt = {A_HEX}};
static const struct variants fcntl_vars = {
    .sel = 1, .mask = UINT32_MAX, .v = fcntl_var, .n = ARRAY_SIZE(fcntl_var), .dflt = {A_HEX}};
static const struct variants futex_vars = {.sel = 1,
					   .mask = FUTEX_CMD_MASK & 0x7f,
					   .v = futex_var,
					   .n = ARRAY_SIZE(futex_var),
					   .dflt = {A_HEX, A_HEX, A_HEX, A_HEX}};
static const struct variants prctl_vars = {.sel = 0,
					   .mask = UINT32_MAX,
					   .v = prctl_var,
					   .n = ARRAY_SIZE(prctl_var),
					   .dflt = {A_HEX, A_HEX, A_HEX, A_HEX}};

/* clone(flags, stack, parent_tid, child_tid, tls) in strace's named form. */
static void clone_hook(struct sb *b, const struct call *c)
{
	uint64_t fl = c->a[0];
	int tid;

	sb_puts(b, "child_stack=");
	put_ptr(b, c->a[1]);
	sb_puts(b, ", flags=");
	put_clone_flags(b, fl);
	if (fl & CLONE_PARENT_SETTID) {
		sb_puts(b, ", parent_tid=");
		if (out_ready(c) && c->a[2] && peek(&tid, c->a[2], sizeof(tid)))
			sb_printf(b, "[%d]", tid);
		else
			put_ptr(b, c->a[2]);
	}
	if (fl & CLONE_SETTLS) {
		sb_puts(b, ", tls=");
		put_ptr(b, c->a[4]);
	}
	if (fl & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		sb_puts(b, ", child_tidptr=");
		put_ptr(b, c->a[3]);
	}
}

#define SC(name, ...) [SYS_##name] = {.known = true, .arg = {__VA_ARGS__}}
#define SCR(name, r, ...) [SYS_##name] = {.known = true, .ret = (r), .arg = {__VA_ARGS__}}
#define SC0(name) [SYS_##name] = {.known = true}
#define SCV(name, v, ...) [SYS_##name] = {.known = true, .var = &(v), .arg = {__VA_ARGS__}}
#define SCH(name, h) [SYS_##name] = {.known = true, .hook = (h)}

static const struct sc_desc sc_table[] = {
    /* files */
    SC(read, A_FD, A_BUF_OUT, A_ULONG),
    SC(write, A_FD, A_BUF_IN, A_ULONG),
    SC(pread64, A_FD, A_BUF_OUT, A_ULONG, A_LONG),
    SC(pwrite64, A_FD, A_BUF_IN, A_ULONG, A_LONG),
    SC(readv, A_FD, A_IOV_OUT, A_INT),
    SC(writev, A_FD, A_IOV_IN, A_INT),
    SC(preadv, A_FD, A_IOV_OUT, A_INT, A_LONG, A_SKIP),
    SC(pwritev, A_FD, A_IOV_IN, A_INT, A_LONG, A_SKIP),
    SC(preadv2, A_FD, A_PTR, A_INT, A_LONG, A_SKIP, A_HEX),
    SC(pwritev2, A_FD, A_PTR, A_INT, A_LONG, A_SKIP, A_HEX),
    SC(open, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
    SC(openat, A_DIRFD, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
    SC(openat2, A_DIRFD, A_PATH, A_PTR, A_ULONG),
    SC(creat, A_PATH, A_OCT),
    SC(close, A_FD),
    SC(close_range, A_UINT, A_UINT, A_CLOSE_RANGE_FLAGS),
    SC(stat, A_PATH, A_STAT_OUT),
    SC(lstat, A_PATH, A_STAT_OUT),
    SC(fstat, A_FD, A_STAT_OUT),
    SC(newfstatat, A_DIRFD, A_PATH, A_STAT_OUT, A_AT_FLAGS),
    SC(statx, A_DIRFD, A_PATH, A_STATX_FLAGS, A_STATX_MASK, A_PTR),
    SC(statfs, A_PATH, A_PTR),
    SC(fstatfs, A_FD, A_PTR),
    SC(access, A_PATH, A_ACCESS_MODE),
    SC(faccessat, A_DIRFD, A_PATH, A_ACCESS_MODE),
    SC(faccessat2, A_DIRFD, A_PATH, A_ACCESS_MODE, A_FACCESSAT_FLAGS),
    SC(readlink, A_PATH, A_BUF_OUT, A_ULONG),
    SC(readlinkat, A_DIRFD, A_PATH, A_BUF_OUT, A_ULONG),
    SC(lseek, A_FD, A_LONG, A_WHENCE),
    SC(ioctl, A_FD, A_IOCTL_REQ, A_HEX),
    SC(getdents, A_FD, A_PTR, A_UINT),
    SC(getdents64, A_FD, A_PTR, A_UINT),
    SCV(fcntl, fcntl_vars, A_FD, A_FCNTL_CMD),
    SC(flock, A_FD, A_FLOCK_OP),
    SC(fsync, A_FD),
    SC(fdatasync, A_FD),
    SC(syncfs, A_FD),
    SC0(sync),
    SC(truncate, A_PATH, A_LONG),
    SC(ftruncate, A_FD, A_LONG),
    SC(fallocate, A_FD, A_HEX, A_LONG, A_LONG),
    SC(fadvise64, A_FD, A_LONG, A_LONG, A_FADVICE),
    SC(readahead, A_FD, A_LONG, A_ULONG),
    SC(dup, A_FD),
    SC(dup2, A_FD, A_FD),
    SC(dup3, A_FD, A_FD, A_O_FLAGS),
    SC(pipe, A_FDPAIR_OUT),
    SC(pipe2, A_FDPAIR_OUT, A_O_FLAGS),
    SC(sendfile, A_FD, A_FD, A_PTR, A_ULONG),
    SC(copy_file_range, A_FD, A_PTR, A_FD, A_PTR, A_ULONG, A_HEX),
    SC(splice, A_FD, A_PTR, A_FD, A_PTR, A_ULONG, A_HEX),
    SC(tee, A_FD, A_FD, A_ULONG, A_HEX),
    SC(memfd_create, A_STR, A_MFD_FLAGS),
    /* directories and names */
    SC(getcwd, A_PATH_OUT, A_ULONG),
    SC(chdir, A_PATH),
    SC(fchdir, A_FD),
    SC(chroot, A_PATH),
    SC(mkdir, A_PATH, A_OCT),
    SC(mkdirat, A_DIRFD, A_PATH, A_OCT),
    SC(rmdir, A_PATH),
    SC(unlink, A_PATH),
    SC(unlinkat, A_DIRFD, A_PATH, A_UNLINKAT_FLAGS),
    SC(rename, A_PATH, A_PATH),
    SC(renameat, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
    SC(renameat2, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME_FLAGS),
    SC(link, A_PATH, A_PATH),
    SC(linkat, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_AT_FLAGS),
    SC(symlink, A_PATH, A_PATH),
    SC(symlinkat, A_PATH, A_DIRFD, A_PATH),
    SC(mknod, A_PATH, A_OCT, A_HEX),
    SC(mknodat, A_DIRFD, A_PATH, A_OCT, A_HEX),
    SC(chmod, A_PATH, A_OCT),
    SC(fchmod, A_FD, A_OCT),
    SC(fchmodat, A_DIRFD, A_PATH, A_OCT),
    SC(chown, A_PATH, A_INT, A_INT),
    SC(lchown, A_PATH, A_INT, A_INT),
    SC(fchown, A_FD, A_INT, A_INT),
    SC(fchownat, A_DIRFD, A_PATH, A_INT, A_INT, A_AT_FLAGS),
    SCR(umask, R_OCT, A_OCT),
    SC(utime, A_PATH, A_PTR),
    SC(utimes, A_PATH, A_PTR),
    SC(utimensat, A_DIRFD, A_PATH, A_PTR, A_AT_FLAGS),
    SC(getxattr, A_PATH, A_STR, A_PTR, A_ULONG),
    SC(lgetxattr, A_PATH, A_STR, A_PTR, A_ULONG),
    SC(fgetxattr, A_FD, A_STR, A_PTR, A_ULONG),
    SC(listxattr, A_PATH, A_PTR, A_ULONG),
    SC(llistxattr, A_PATH, A_PTR, A_ULONG),
    SC(flistxattr, A_FD, A_PTR, A_ULONG),
    SC(inotify_init1, A_HEX),
    SC(inotify_add_watch, A_FD, A_PATH, A_HEX),
    SC(inotify_rm_watch, A_FD, A_INT),
    SC(mount, A_STR, A_PATH, A_STR, A_HEX, A_PTR),
    SC(umount2, A_PATH, A_HEX),
    /* memory */
    SCR(mmap, R_HEX, A_PTR, A_ULONG, A_PROT, A_MAP_FLAGS, A_FD, A_HEX),
    SC(munmap, A_PTR, A_ULONG),
    SC(mprotect, A_PTR, A_ULONG, A_PROT),
    SCR(mremap, R_HEX, A_PTR, A_ULONG, A_ULONG, A_MREMAP_FLAGS, A_MREMAP_ADDR),
    SCR(brk, R_HEX, A_PTR),
    SC(madvise, A_PTR, A_ULONG, A_MADVICE),
    SC(msync, A_PTR, A_ULONG, A_MSYNC_FLAGS),
    SC(mincore, A_PTR, A_ULONG, A_PTR),
    SC(mlock, A_PTR, A_ULONG),
    SC(munlock, A_PTR, A_ULONG),
    SC(mlock2, A_PTR, A_ULONG, A_HEX),
    SC(mlockall, A_HEX),
    SC0(munlockall),
    SC(membarrier, A_INT, A_HEX, A_INT),
    SC(shmget, A_HEX, A_ULONG, A_HEX),
    SCR(shmat, R_HEX, A_INT, A_PTR, A_HEX),
    SC(shmdt, A_PTR),
    SC(shmctl, A_INT, A_INT, A_PTR),
    /* processes */
    SC(execve, A_PATH, A_ARGV, A_ENVP),
    SC(execveat, A_DIRFD, A_PATH, A_ARGV, A_ENVP, A_AT_FLAGS),
    SC(exit, A_INT),
    SC(exit_group, A_INT),
    SCH(clone, clone_hook),
    SC(clone3, A_PTR, A_ULONG),
    SC0(fork),
    SC0(vfork),
    SC(wait4, A_INT, A_WSTATUS_OUT, A_WAIT_OPTS, A_PTR),
    SC(waitid, A_IDTYPE, A_INT, A_PTR, A_WAIT_OPTS, A_PTR),
    SC(unshare, A_CLONE_FLAGS),
    SC(setns, A_FD, A_CLONE_FLAGS),
    SCV(arch_prctl, arch_prctl_vars, A_ARCH_PRCTL),
    SCV(prctl, prctl_vars, A_PRCTL_OPT),
    SC(set_tid_address, A_PTR),
    SC(set_robust_list, A_PTR, A_ULONG),
    SC(get_robust_list, A_INT, A_PTR, A_PTR),
    SC(rseq, A_PTR, A_HEX, A_INT, A_HEX),
    SC(prlimit64, A_INT, A_RLIMIT_RES, A_RLIMIT, A_RLIMIT_OUT),
    SC(getrlimit, A_RLIMIT_RES, A_RLIMIT_OUT),
    SC(setrlimit, A_RLIMIT_RES, A_RLIMIT),
    SC(getrusage, A_INT, A_PTR),
    SC(getpriority, A_INT, A_INT),
    SC(setpriority, A_INT, A_INT, A_INT),
    SC(personality, A_HEX),
    SC(seccomp, A_UINT, A_HEX, A_PTR),
    SC(pidfd_open, A_INT, A_HEX),
    SC(pidfd_getfd, A_FD, A_FD, A_HEX),
    SC(pidfd_send_signal, A_FD, A_SIGNAL, A_PTR, A_HEX),
    SC(process_vm_readv, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_HEX),
    SC(process_vm_writev, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_HEX),
    SC0(sched_yield),
    SC(sched_getaffinity, A_INT, A_UINT, A_PTR),
    SC(sched_setaffinity, A_INT, A_UINT, A_PTR),
    SC(getcpu, A_PTR, A_PTR, A_PTR),
    /* identity */
    SC0(getpid),
    SC0(getppid),
    SC0(gettid),
    SC0(getuid),
    SC0(geteuid),
    SC0(getgid),
    SC0(getegid),
    SC0(getpgrp),
    SC0(setsid),
    SC(getpgid, A_INT),
    SC(setpgid, A_INT, A_INT),
    SC(getsid, A_INT),
    SC(setuid, A_INT),
    SC(setgid, A_INT),
    SC(setreuid, A_INT, A_INT),
    SC(setregid, A_INT, A_INT),
    SC(setresuid, A_INT, A_INT, A_INT),
    SC(setresgid, A_INT, A_INT, A_INT),
    SC(getresuid, A_PTR, A_PTR, A_PTR),
    SC(getresgid, A_PTR, A_PTR, A_PTR),
    SC(getgroups, A_INT, A_PTR),
    SC(setgroups, A_INT, A_PTR),
    SC(capget, A_PTR, A_PTR),
    SC(capset, A_PTR, A_PTR),
    SC(uname, A_PTR),
    SC(sysinfo, A_PTR),
    SC(sethostname, A_STR, A_INT),
    SC(getrandom, A_BUF_OUT_HEX, A_ULONG, A_GRND_FLAGS),
    /* signals */
    SC(rt_sigaction, A_SIGNAL, A_SIGACTION, A_SIGACTION_OUT, A_ULONG),
    SC(rt_sigprocmask, A_SIG_HOW, A_SIGSET, A_SIGSET_OUT, A_ULONG),
    SC(rt_sigpending, A_SIGSET_OUT, A_ULONG),
    SC(rt_sigsuspend, A_SIGSET, A_ULONG),
    SC(rt_sigtimedwait, A_SIGSET, A_PTR, A_TIMESPEC, A_ULONG),
    SC0(rt_sigreturn),
    SC(sigaltstack, A_PTR, A_PTR),
    SC(kill, A_INT, A_SIGNAL),
    SC(tkill, A_INT, A_SIGNAL),
    SC(tgkill, A_INT, A_INT, A_SIGNAL),
    SC0(pause),
    SC(alarm, A_UINT),
    SC(signalfd, A_FD, A_SIGSET, A_ULONG),
    SC(signalfd4, A_FD, A_SIGSET, A_ULONG, A_O_FLAGS),
    /* time and synchronisation */
    SCV(futex, futex_vars, A_PTR, A_FUTEX_OP),
    SC(clock_gettime, A_CLOCK, A_TIMESPEC_OUT),
    SC(clock_getres, A_CLOCK, A_TIMESPEC_OUT),
    SC(clock_settime, A_CLOCK, A_TIMESPEC),
    SC(clock_nanosleep, A_CLOCK, A_TIMER_FLAGS, A_TIMESPEC, A_PTR),
    SC(nanosleep, A_TIMESPEC, A_PTR),
    SC(gettimeofday, A_PTR, A_PTR),
    SC(time, A_PTR),
    SC(times, A_PTR),
    SC(getitimer, A_INT, A_PTR),
    SC(setitimer, A_INT, A_PTR, A_PTR),
    SC(timerfd_create, A_CLOCK, A_TFD_FLAGS),
    SC(timerfd_settime, A_FD, A_HEX, A_PTR, A_PTR),
    SC(timerfd_gettime, A_FD, A_PTR),
    SC(eventfd, A_UINT),
    SC(eventfd2, A_UINT, A_EFD_FLAGS),
    /* polling */
    SCR(poll, R_POLL, A_PTR, A_UINT, A_INT),
    SCR(ppoll, R_POLL, A_PTR, A_UINT, A_TIMESPEC, A_SIGSET, A_ULONG),
    SCR(select, R_POLL, A_INT, A_PTR, A_PTR, A_PTR, A_PTR),
    SCR(pselect6, R_POLL, A_INT, A_PTR, A_PTR, A_PTR, A_TIMESPEC, A_PTR),
    SC(epoll_create, A_INT),
    SC(epoll_create1, A_EPOLL_FLAGS),
    SC(epoll_ctl, A_FD, A_EPOLL_OP, A_FD, A_PTR),
    SC(epoll_wait, A_FD, A_PTR, A_INT, A_INT),
    SC(epoll_pwait, A_FD, A_PTR, A_INT, A_INT, A_SIGSET, A_ULONG),
    SC(epoll_pwait2, A_FD, A_PTR, A_INT, A_TIMESPEC, A_SIGSET, A_ULONG),
    /* sockets */
    SC(socket, A_FAMILY, A_SOCK_TYPE, A_SOCK_PROTO),
    SC(socketpair, A_FAMILY, A_SOCK_TYPE, A_SOCK_PROTO, A_FDPAIR_OUT),
    SC(connect, A_FD, A_SOCKADDR, A_UINT),
    SC(bind, A_FD, A_SOCKADDR, A_UINT),
    SC(listen, A_FD, A_INT),
    SC(accept, A_FD, A_PTR, A_PTR),
    SC(accept4, A_FD, A_PTR, A_PTR, A_SOCK_FLAGS),
    SC(getsockname, A_FD, A_PTR, A_PTR),
    SC(getpeername, A_FD, A_PTR, A_PTR),
    SC(sendto, A_FD, A_BUF_IN, A_ULONG, A_MSG_FLAGS, A_SOCKADDR, A_UINT),
    SC(recvfrom, A_FD, A_BUF_OUT, A_ULONG, A_MSG_FLAGS, A_PTR, A_PTR),
    SC(sendmsg, A_FD, A_PTR, A_MSG_FLAGS),
    SC(recvmsg, A_FD, A_PTR, A_MSG_FLAGS),
    SC(sendmmsg, A_FD, A_PTR, A_UINT, A_MSG_FLAGS),
    SC(recvmmsg, A_FD, A_PTR, A_UINT, A_MSG_FLAGS, A_TIMESPEC),
    SC(shutdown, A_FD, A_SHUT_HOW),
    SC(setsockopt, A_FD, A_INT, A_INT, A_PTR, A_UINT),
    SC(getsockopt, A_FD, A_INT, A_INT, A_PTR, A_PTR),
};

static const struct sc_desc *lookup(long nr)
{
	if (nr < 0 || (unsigned long)nr >= ARRAY_SIZE(sc_table) || !sc_table[nr].known)
		return NULL;
	return &sc_table[nr];
}

/* ---- names ---- */

const char *kd_syscall_names[KD_SYSCALL_NAMES];

const char *kd_syscall_name(long nr)
{
	return nr < 0 || nr >= KD_SYSCALL_NAMES ? NULL : kd_syscall_names[nr];
}

/* ---- lines ---- */

/* The argument kinds of this call, after picking the command's variant. */
static const struct variant *resolve_kinds(const struct sc_desc *d, const uint64_t *a,
					   uint8_t kind[6])
{
	const struct variants *vs = d->var;

	memcpy(kind, d->arg, 6);
	if (!vs)
		return NULL;
	uint64_t key = a[vs->sel] & vs->mask;
	const struct variant *v = NULL;
	for (size_t i = 0; i < vs->n && !v; i++)
		if (vs->v[i].key == key)
			v = &vs->v[i];
	const uint8_t *rest = v ? v->arg : vs->dflt;
	for (int i = vs->sel + 1, j = 0; i < 6; i++, j++)
		kind[i] = j < 4 ? rest[j] : A_NONE;
	return v;
}

static void put_args(struct sb *b, const struct call *c, const uint8_t kind[6])
{
	bool first = true;

	for (int i = 0; i < 6 && kind[i] != A_NONE; i++) {
		size_t mark = b->len;
		if (!first)
			sb_puts(b, ", ");
		if (put_arg(b, c, i, (enum kind)kind[i]))
			first = false;
		else
			b->len = mark; /* the kind chose not to show this argument */
	}
}

static void put_generic_args(struct sb *b, const uint64_t *a)
{
	for (int i = 0; i < 6; i++) {
		if (i)
			sb_puts(b, ", ");
		put_hex(b, a[i]);
	}
}

static void put_errno(struct sb *b, int err)
{
	const char *name = strerrorname_np(err);

	if (name)
		sb_printf(b, "-1 %s (%s)", name, strerror(err));
	else
		sb_printf(b, "-1 ERRNO_%d (%s)", err, strerror(err));
}

static void put_ret(struct sb *b, long ret, int style, int ret_kind)
{
	if (ret >= -4095 && ret <= -1) {
		put_errno(b, (int)-ret);
		return;
	}
	switch (style) {
	case R_HEX:
		put_hex(b, (uint64_t)ret);
		break;
	case R_OCT:
		put_mode(b, (uint64_t)ret);
		break;
	case R_FLAGS:
		/* strace: "= 0x8002 (flags O_RDWR|O_LARGEFILE)" */
		put_hex(b, (uint64_t)ret);
		if (ret || kinds[ret_kind].enum_mask) {
			sb_puts(b, " (flags ");
			put_symbolic(b, &kinds[ret_kind], (uint64_t)ret);
			sb_putc(b, ')');
		}
		break;
	case R_POLL:
		sb_printf(b, "%ld", ret);
		if (!ret)
			sb_puts(b, " (Timeout)");
		break;
	default:
		sb_printf(b, "%ld", ret);
	}
}

static void format_line(struct sb *b, long nr, const uint64_t args[6], long ret, bool done)
{
	const struct sc_desc *d = lookup(nr);
	const char *name = kd_syscall_name(nr);
	const struct call c = {.a = args, .ret = ret, .done = done};
	int style = R_DEC, ret_kind = A_NONE;

	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "syscall_%#lx", (unsigned long)nr);
	sb_putc(b, '(');
	if (d && d->hook) {
		d->hook(b, &c);
		style = d->ret;
	} else if (d) {
		uint8_t kind[6];
		const struct variant *v = resolve_kinds(d, args, kind);
		put_args(b, &c, kind);
		style = v && v->ret ? v->ret : d->ret;
		ret_kind = v ? v->ret_kind : A_NONE;
	} else {
		put_generic_args(b, args);
	}
	sb_puts(b, ") = ");
	if (done)
		put_ret(b, ret, style, ret_kind);
	else
		sb_putc(b, '?');
	sb_putc(b, '\n');
}

/* ---- configuration ---- */

struct kd_trace_config kd_trace_cfg = {.lines = 1};

int kd_trace_wants(long nr)
{
	if (!kd_trace_cfg.lines)
		return 0;
	if (!kd_trace_cfg.filtered)
		return 1;
	return nr >= 0 && nr < KD_SYSCALL_NAMES && (kd_trace_cfg.set[nr / 64] >> (nr % 64) & 1);
}

/* "[pid N] " and the time, when the configuration asks for them. */
static void put_leader(struct sb *b)
{
	const struct kd_trace_config *c = &kd_trace_cfg;
	char buf[64];
	int64_t ts[2] = {0, 0};
	struct kd_hthread *self = kd_self();

	if (!c->pids && !c->time)
		return;
	if (c->time)
		kd_raw_syscall(SYS_clock_gettime, CLOCK_REALTIME, (uint64_t)ts, 0, 0, 0, 0);
	int tid = self ? self->tid : (int)kd_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
	sb_putn(b, buf, kd_trace_leader(buf, sizeof(buf), c, tid, ts[0], ts[1] / 1000));
}

static void emit(int fd, long nr, const uint64_t args[6], long ret, bool done)
{
	struct sb b = {0};

	if (!kd_trace_wants(nr))
		return;
	put_leader(&b);
	format_line(&b, nr, args, ret, done);
	if (b.oom) {
		/* Still say something rather than drop the call from the trace. */
		dprintf(fd, "syscall_%#lx(...) = %ld\n", (unsigned long)nr, ret);
	} else {
		for (size_t off = 0; off < b.len;) {
			ssize_t n = write(fd, b.p + off, b.len - off);
			if (n <= 0 && errno != EINTR)
				break;
			off += n > 0 ? (size_t)n : 0;
		}
	}
	free(b.p);
}

void kd_trace_syscall(int fd, long nr, const uint64_t args[6], long ret)
{
	emit(fd, nr, args, ret, true);
}

void kd_trace_noreturn(int fd, long nr, const uint64_t args[6])
{
	emit(fd, nr, args, 0, false);
}

long kd_unsupported(long nr, const char *what)
{
	static int said[512];
	if (nr >= 0 && nr < 512 && !said[nr]++)
		kd_info("%s (%s) is not supported yet: returning ENOSYS", kd_syscall_name(nr),
			what);
	return -ENOSYS;
}
