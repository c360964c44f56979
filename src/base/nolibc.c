/*
 * nolibc.c: the libc subset the engine uses, on raw syscalls (see nolibc.h for why).
 *
 * The functions keep their libc names and prototypes, so engine code reads as ordinary C;
 * the build makes these names local to the engine object. With KD_HOSTED (the sanitizer
 * build of the unit tests) only the kd_* part is compiled and libc provides the rest.
 */
#include "base/nolibc.h"
#include "base/sigmask.h"
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYS(nr, ...) sys_n(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys_n(nr, a, b, c, d, e, f, ...)                                                           \
	kd_raw_syscall(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d),             \
		       (uint64_t)(e), (uint64_t)(f))

/* ---- per-thread state: GS base ---- */

static int have_rdgsbase = -1;

static int check_rdgsbase(void)
{
	/* AT_HWCAP2 bit 1: the kernel lets user space use rd/wrfsbase and rd/wrgsbase. */
	uint64_t aux[2];
	int fd = (int)SYS(SYS_open, "/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	int found = 0;
	while (fd >= 0 && SYS(SYS_read, fd, aux, sizeof(aux)) == sizeof(aux) && aux[0])
		if (aux[0] == 26 /* AT_HWCAP2 */)
			found = (aux[1] & 2) != 0;
	if (fd >= 0)
		SYS(SYS_close, fd);
	return found;
}

uint64_t kd_gs_base(void)
{
	uint64_t v = 0;
	if (have_rdgsbase > 0)
		__asm__ volatile("rdgsbase %0" : "=r"(v));
	else
		SYS(SYS_arch_prctl, ARCH_GET_GS, &v);
	return v;
}

uint64_t kd_fs_base(void)
{
	uint64_t v = 0;
	SYS(SYS_arch_prctl, ARCH_GET_FS, &v);
	return v;
}

struct kd_hthread *kd_self(void)
{
	if (have_rdgsbase < 0)
		return NULL; /* no thread was set up yet */
	return (struct kd_hthread *)kd_gs_base();
}

void kd_self_set(struct kd_hthread *t)
{
	if (have_rdgsbase < 0)
		have_rdgsbase = check_rdgsbase();
	t->tid = (int)SYS(SYS_gettid, 0);
	SYS(SYS_arch_prctl, ARCH_SET_GS, t);
}

static int self_tid(void)
{
	struct kd_hthread *t = kd_self();
	return t ? t->tid : (int)SYS(SYS_gettid, 0);
}

/* ---- locks ---- */

void kd_lock_init(struct kd_lock *l)
{
	*l = (struct kd_lock){0};
}

void kd_lock_take(struct kd_lock *l)
{
	int tid = self_tid();
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == tid) {
		l->depth++;
		return;
	}
	int c = 0;
	if (!__atomic_compare_exchange_n(&l->word, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (c != 2)
			c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
		while (c != 0) {
			SYS(SYS_futex, &l->word, FUTEX_WAIT_PRIVATE, 2, 0);
			c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
		}
	}
	__atomic_store_n(&l->owner, tid, __ATOMIC_RELAXED);
	l->depth = 1;
}

void kd_lock_drop(struct kd_lock *l)
{
	if (--l->depth)
		return;
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2)
		SYS(SYS_futex, &l->word, FUTEX_WAKE_PRIVATE, 1, 0);
}

/* ---- stacks and clone ---- */

/*
 * The child pops fn and arg from the top of its new stack. Its return value is the thread's
 * exit code; CLONE_CHILD_CLEARTID then tells whoever waits that the stack is free.
 */

int kd_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- kdune's heap: one reserved range, size classes of powers of two ---- */

#define HEAP_RESERVE (64ULL << 30)
#define HEAP_STEP (1ULL << 20)
#define MIN_CLASS 5 /* 32 bytes, header included */
#define NCLASSES 40

struct block {
	uint32_t cls, magic;
	uint64_t pad;
	struct block *next; /* while free */
};
#define BLOCK_MAGIC 0x6b64616cU
#define HDR offsetof(struct block, next)

static struct {
	struct kd_lock lock;
	uint8_t *base, *brk, *committed;
	struct block *free[NCLASSES];
} heap;

void kd_heap_range(uint64_t *start, uint64_t *end)
{
	*start = (uint64_t)heap.base;
	*end = heap.base ? (uint64_t)heap.base + HEAP_RESERVE : 0;
}

void kd_heap_lock(void)
{
	kd_lock_take(&heap.lock);
}

void kd_heap_unlock(void)
{
	kd_lock_drop(&heap.lock);
}

#ifndef KD_HOSTED /* the rest is libc's job in the hosted build */

static void *heap_carve(size_t size)
{
	if (!heap.base) {
		/* Reserved, not committed: pages are made usable as the heap reaches them. */
		long p = SYS(SYS_mmap, 0, HEAP_RESERVE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p < 0 && p > -4096)
			return NULL;
		heap.base = heap.brk = heap.committed = (uint8_t *)p;
	}
	if ((uint64_t)(heap.base + HEAP_RESERVE - heap.brk) < size)
		return NULL;
	while ((uint64_t)(heap.committed - heap.brk) < size) {
		if (SYS(SYS_mprotect, heap.committed, HEAP_STEP, PROT_READ | PROT_WRITE))
			return NULL;
		heap.committed += HEAP_STEP;
	}
	void *b = heap.brk;
	heap.brk += size;
	return b;
}

static void *heap_alloc(size_t n)
{
	int cls = MIN_CLASS;
	while (cls < NCLASSES && (1ULL << cls) < n + HDR)
		cls++;
	if (cls == NCLASSES)
		return NULL;
	kd_heap_lock();
	struct block *b = heap.free[cls];
	if (b)
		heap.free[cls] = b->next;
	else
		b = heap_carve(1ULL << cls);
	kd_heap_unlock();
	if (!b)
		return NULL;
	b->cls = (uint32_t)cls;
	b->magic = BLOCK_MAGIC;
	return (uint8_t *)b + HDR;
}

static struct block *block_of(void *p)
{
	return (struct block *)((uint8_t *)p - HDR);
}

static void heap_free(void *p)
{
	if (!p)
		return;
	struct block *b = block_of(p);
	if (b->magic != BLOCK_MAGIC)
		SYS(SYS_kill, SYS(SYS_getpid, 0), SIGABRT); /* a bug in kdune: never go on */
	kd_heap_lock();
	b->next = heap.free[b->cls];
	heap.free[b->cls] = b;
	kd_heap_unlock();
}

/* ---- errno ---- */

static int early_errno; /* before any thread called kd_self_set */

int *__errno_location(void)
{
	struct kd_hthread *t = kd_self();
	return t ? &t->err : &early_errno;
}

static long ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- memory and strings ---- */

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	void *p = d;
	__asm__ volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;
	if (dp < sp || dp >= sp + n) {
		for (size_t i = 0; i < n; i++)
			dp[i] = sp[i];
	} else {
		for (size_t i = n; i > 0; i--)
			dp[i - 1] = sp[i - 1];
	}
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *p = d;
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (uint8_t)c)
			return (void *)(p + i);
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x != y || !x)
			return x - y;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *h, const char *n)
{
	size_t len = strlen(n);
	for (; *h; h++)
		if (!strncmp(h, n, len))
			return (char *)h;
	return len ? NULL : (char *)h;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	unsigned long long v = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (base == 0)
		base = 10;
	for (;; s++) {
		int d = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'z' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'Z' ? *s - 'A' + 10
						 : 99;
		if (d >= base)
			break;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (end)
		*end = (char *)s;
	return v;
}

long long strtoll(const char *s, char **end, int base)
{
	while (*s == ' ' || *s == '\t')
		s++;
	int neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	unsigned long long v = strtoull(s, end, base);
	return neg ? -(long long)v : (long long)v;
}

long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

/* What __builtin_popcountll calls without the POPCNT instruction (libgcc's name). */
int __popcountdi2(long long x)
{
	unsigned long long v = (unsigned long long)x;
	int n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

/* ---- the heap, as malloc ---- */

void *malloc(size_t n)
{
	void *p = heap_alloc(n);
	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	heap_free(p);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	void *p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t have = (1ULL << block_of(p)->cls) - HDR;
	if (n <= have)
		return p;
	void *q = malloc(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

/* ---- formatted output ---- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	int left, zero, alt, plus, space, width, prec;
};

/* One integer conversion, as glibc prints it. */
static void put_uint(struct out *o, const struct spec *sp, unsigned long long v, int base,
		     int upper, const char *sign)
{
	char digits[24];
	int n = 0;
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do
		digits[n++] = set[v % (unsigned)base];
	while (v /= (unsigned)base);
	if (sp->prec == 0 && n == 1 && digits[0] == '0' && !(sp->alt && base == 8))
		n = 0;
	const char *prefix = sign;
	if (sp->alt && base == 16 && !(n == 1 && digits[0] == '0') && n)
		prefix = upper ? "0X" : "0x";
	int zeros = sp->prec > n ? sp->prec - n : 0;
	if (sp->alt && base == 8 && zeros == 0 && (n == 0 || digits[n - 1] != '0'))
		zeros = 1;
	int body = (int)strlen(prefix) + zeros + n;
	int pad = sp->width > body ? sp->width - body : 0;
	if (!sp->left && !(sp->zero && sp->prec < 0))
		put_pad(o, ' ', pad);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!sp->left && sp->zero && sp->prec < 0)
		put_pad(o, '0', pad);
	put_pad(o, '0', zeros);
	while (n)
		put(o, digits[--n]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int n = (int)(sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s));
	int pad = sp->width > n ? sp->width - n : 0;
	if (!sp->left)
		put_pad(o, ' ', pad);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

/* %f for the small, non-negative-or-not numbers kdune prints (timings in -v lines). */
static void put_double(struct out *o, struct spec *sp, double d)
{
	int prec = sp->prec < 0 ? 6 : sp->prec > 9 ? 9 : sp->prec;
	unsigned long long scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	const char *sign = d < 0 ? "-" : "";
	if (d < 0)
		d = -d;
	if (d >= 1e18) {
		put_str(o, sp, "(big)");
		return;
	}
	double scaled = d * (double)scale;
	unsigned long long all = (unsigned long long)scaled;
	double rest = scaled - (double)all;
	if (rest > 0.5 || (rest == 0.5 && (all & 1))) /* ties to even, as libc */
		all++;
	char frac[16];
	struct spec fs = {.prec = prec};
	struct out fo = {frac, sizeof(frac), 0};
	put_uint(&fo, &fs, all % scale, 10, 0, "");
	frac[fo.len < sizeof(frac) ? fo.len : sizeof(frac) - 1] = 0;
	int width = sp->width - (prec ? prec + 1 : 0);
	struct spec is = {.width = width > 0 ? width : 0, .prec = -1, .zero = sp->zero};
	put_uint(o, &is, all / scale, 10, 0, sign);
	if (prec) {
		put(o, '.');
		for (char *p = frac; *p; p++)
			put(o, *p);
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else if (*f == '#')
			sp->alt = 1;
		else if (*f == '+')
			sp->plus = 1;
		else if (*f == ' ')
			sp->space = 1;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

/* Length modifiers: 0 int, 1 long, 2 long long, -1 short, -2 char. */
static const char *parse_len(const char *f, int *len)
{
	*len = 0;
	if (f[0] == 'h' && f[1] == 'h')
		return *len = -2, f + 2;
	if (f[0] == 'h')
		return *len = -1, f + 1;
	if (f[0] == 'l' && f[1] == 'l')
		return *len = 2, f + 2;
	if (f[0] == 'l' || f[0] == 'z' || f[0] == 'j' || f[0] == 't')
		return *len = 1, f + 1;
	return f;
}

static long long arg_signed(va_list *ap, int len)
{
	long long v = len == 2	 ? va_arg(*ap, long long)
		      : len == 1 ? va_arg(*ap, long)
				 : va_arg(*ap, int);
	return len == -1 ? (short)v : len == -2 ? (signed char)v : v;
}

static unsigned long long arg_unsigned(va_list *ap, int len)
{
	unsigned long long v = len == 2	  ? va_arg(*ap, unsigned long long)
			       : len == 1 ? va_arg(*ap, unsigned long)
					  : va_arg(*ap, unsigned);
	return len == -1 ? (unsigned short)v : len == -2 ? (unsigned char)v : v;
}

static void convert(struct out *o, char c, struct spec *sp, int len, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		long long v = arg_signed(ap, len);
		const char *sign = v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";
		put_uint(o, sp, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10, 0,
			 sign);
		break;
	}
	case 'u':
		put_uint(o, sp, arg_unsigned(ap, len), 10, 0, "");
		break;
	case 'x':
	case 'X':
		put_uint(o, sp, arg_unsigned(ap, len), 16, c == 'X', "");
		break;
	case 'o':
		put_uint(o, sp, arg_unsigned(ap, len), 8, 0, "");
		break;
	case 'p': {
		void *p = va_arg(*ap, void *);
		if (!p) {
			sp->prec = -1;
			put_str(o, sp, "(nil)");
			break;
		}
		sp->alt = 1;
		put_uint(o, sp, (uint64_t)p, 16, 0, "");
		break;
	}
	case 'c': {
		char ch[2] = {(char)va_arg(*ap, int), 0};
		sp->prec = 1;
		put_str(o, sp, ch);
		break;
	}
	case 's':
		put_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'f':
		put_double(o, sp, va_arg(*ap, double));
		break;
	default: /* '%', and anything unknown is printed as it is */
		put(o, c);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct out o = {buf, size, 0};
	va_list ap;
	va_copy(ap, ap0);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp;
		int len;
		f = parse_len(parse_spec(f + 1, &sp, &ap), &len);
		if (!*f)
			break;
		convert(&o, *f, &sp, len, &ap);
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((alias("kd_snprintf")));

int vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	return (int)ret(SYS(SYS_write, fd, buf, len));
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

/* errno names and texts as this system's libc has them (generated at build time). */
#include "errtab.h"

const char *strerrorname_np(int e)
{
	return e >= 0 && e < (int)(sizeof(kd_errnames) / sizeof(kd_errnames[0])) ? kd_errnames[e]
										 : NULL;
}

char *strerror(int e)
{
	static char unknown[32];
	if (e >= 0 && e < (int)(sizeof(kd_errmsgs) / sizeof(kd_errmsgs[0])) && kd_errmsgs[e])
		return (char *)kd_errmsgs[e];
	snprintf(unknown, sizeof(unknown), "Unknown error %d", e);
	return unknown;
}

const char *sigabbrev_np(int sig)
{
	static const char *const names[] = {
	    NULL,     "HUP",  "INT",	"QUIT", "ILL",	 "TRAP", "ABRT", "BUS",
	    "FPE",    "KILL", "USR1",	"SEGV", "USR2",	 "PIPE", "ALRM", "TERM",
	    "STKFLT", "CHLD", "CONT",	"STOP", "TSTP",	 "TTIN", "TTOU", "URG",
	    "XCPU",   "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR",	 "SYS"};
	return sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) ? names[sig] : NULL;
}

/* ---- system calls ---- */

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	unsigned mode = (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, unsigned) : 0;
	va_end(ap);
	return (int)ret(SYS(SYS_openat, AT_FDCWD, path, flags, mode));
}

int close(int fd)
{
	return (int)ret(SYS(SYS_close, fd));
}

ssize_t read(int fd, void *buf, size_t n)
{
	return ret(SYS(SYS_read, fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return ret(SYS(SYS_write, fd, buf, n));
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return (int)ret(SYS(SYS_ioctl, fd, req, arg));
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	return (int)ret(SYS(SYS_fcntl, fd, cmd, arg));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)ret(SYS(SYS_mmap, addr, len, prot, flags, fd, off));
}

int munmap(void *addr, size_t len)
{
	return (int)ret(SYS(SYS_munmap, addr, len));
}

int mprotect(void *addr, size_t len, int prot)
{
	return (int)ret(SYS(SYS_mprotect, addr, len, prot));
}

int dup2(int fd, int to)
{
	return (int)ret(SYS(SYS_dup2, fd, to));
}

int pipe2(int fds[2], int flags)
{
	return (int)ret(SYS(SYS_pipe2, fds, flags));
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return (int)ret(SYS(SYS_newfstatat, AT_FDCWD, path, st, 0));
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	return (int)ret(SYS(SYS_faccessat2, dirfd, path, mode, flags));
}

int access(const char *path, int mode)
{
	return (int)ret(SYS(SYS_faccessat, AT_FDCWD, path, mode));
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t n)
{
	return ret(SYS(SYS_readlinkat, AT_FDCWD, path, buf, n));
}

pid_t getpid(void)
{
	return (pid_t)SYS(SYS_getpid, 0);
}

pid_t gettid(void)
{
	return (pid_t)SYS(SYS_gettid, 0);
}

int getrlimit(__rlimit_resource_t res, struct rlimit *rl)
{
	return (int)ret(SYS(SYS_prlimit64, 0, res, 0, rl));
}

pid_t fork(void)
{
	return (pid_t)ret(SYS(SYS_clone, SIGCHLD, 0, 0, 0, 0));
}

int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int *ptid = va_arg(ap, int *);
	void *tls = va_arg(ap, void *);
	int *ctid = va_arg(ap, int *);
	va_end(ap);
	return (int)ret(kd_clone_raw(fn, stack, (uint64_t)(unsigned)flags, arg, ptid, tls, ctid));
}

void _exit(int status)
{
	for (;;)
		SYS(SYS_exit_group, status);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)ret(SYS(SYS_execve, path, argv, envp));
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return (pid_t)ret(SYS(SYS_wait4, pid, status, options, 0));
}

ssize_t process_vm_readv(pid_t pid, const struct iovec *l, unsigned long nl, const struct iovec *r,
			 unsigned long nr, unsigned long flags)
{
	return ret(SYS(SYS_process_vm_readv, pid, l, nl, r, nr, flags));
}

ssize_t process_vm_writev(pid_t pid, const struct iovec *l, unsigned long nl, const struct iovec *r,
			  unsigned long nr, unsigned long flags)
{
	return ret(SYS(SYS_process_vm_writev, pid, l, nl, r, nr, flags));
}

/* ---- signals (the engine's own handlers return through kd_host_restorer) ---- */

int sigemptyset(sigset_t *s)
{
	memset(s, 0, sizeof(*s));
	return 0;
}

int sigfillset(sigset_t *s)
{
	memset(s, 0xff, sizeof(*s));
	return 0;
}

int sigaddset(sigset_t *s, int sig)
{
	((uint64_t *)(void *)s)[0] |= 1ULL << (sig - 1);
	return 0;
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
	struct {
		uint64_t handler, flags, restorer, mask;
	} k = {0}, ko = {0};
	if (act) {
		k.handler = (uint64_t)act->sa_handler;
		k.flags = (uint64_t)(unsigned)act->sa_flags | SA_RESTORER;
		k.restorer = (uint64_t)kd_host_restorer;
		memcpy(&k.mask, &act->sa_mask, 8);
	}
	long r = SYS(SYS_rt_sigaction, sig, act ? &k : NULL, old ? &ko : NULL, 8);
	if (!r && old) {
		memset(old, 0, sizeof(*old));
		old->sa_handler = (void (*)(int))ko.handler;
		old->sa_flags = (int)ko.flags;
		memcpy(&old->sa_mask, &ko.mask, 8);
	}
	return (int)ret(r);
}

__sighandler_t signal(int sig, __sighandler_t h)
{
	struct sigaction sa = {.sa_handler = h}, old;
	return sigaction(sig, &sa, &old) ? SIG_ERR : old.sa_handler;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	if (old)
		memset(old, 0, sizeof(*old));
	return (int)ret(SYS(SYS_rt_sigprocmask, how, set, old, 8));
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	return sigprocmask(how, set, old) ? errno : 0;
}

int raise(int sig)
{
	return (int)ret(SYS(SYS_tgkill, getpid(), gettid(), sig));
}

#endif /* KD_HOSTED */
