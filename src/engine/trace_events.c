/*
 * trace_events.c: --trace lines for signals and ends, the line leader, and the summary
 * table, in strace's format (see trace_events.h). Engine code: no libc (nolibc.h).
 */
#include "engine/trace_events.h"
#include "engine/trace.h"
#include "base/nolibc.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A bounded string being built; never overflows, always NUL-terminated. */
struct line {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->len + 1 >= l->cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len = l->len + (size_t)n < l->cap ? l->len + (size_t)n : l->cap - 1;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* ---- leader ---- */

size_t kd_trace_leader(char *buf, size_t len, const struct kd_trace_config *c, int tid, int64_t sec,
		       long usec)
{
	struct line l = {buf, 0, len};
	if (!len)
		return 0;
	buf[0] = 0;
	if (c->pids)
		add(&l, "[pid %5d] ", tid);
	if (c->time == KD_TRACE_TIME_CLOCK) {
		int64_t day = (sec + c->utc_offset) % 86400;
		if (day < 0)
			day += 86400;
		add(&l, "%02d:%02d:%02d.%06ld ", (int)(day / 3600), (int)(day / 60 % 60),
		    (int)(day % 60), usec);
	} else if (c->time == KD_TRACE_TIME_EPOCH) {
		add(&l, "%lld.%06ld ", (long long)sec, usec);
	}
	return l.len;
}

/* ---- signals ---- */

static void add_signame(struct line *l, int sig)
{
	/* glibc calls 29 POLL; the kernel and strace call it IO. */
	const char *ab = sig == SIGIO ? "IO" : (sig > 0 && sig < 32) ? sigabbrev_np(sig) : NULL;
	if (ab)
		add(l, "SIG%s", ab);
	else if (sig == 32)
		add(l, "SIGRTMIN");
	else if (sig > 32 && sig <= 64)
		add(l, "SIGRT_%d", sig - 32);
	else
		add(l, "%d", sig);
}

struct code_name {
	int code;
	const char *name;
};

#define C(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
static const struct code_name generic_codes[] = {
    C(SI_USER),	   C(SI_KERNEL), C(SI_QUEUE), C(SI_TIMER),    C(SI_MESGQ),
    C(SI_ASYNCIO), C(SI_SIGIO),	 C(SI_TKILL), C(SI_DETHREAD), C(SI_ASYNCNL),
};
static const struct code_name segv_codes[] = {C(SEGV_MAPERR), C(SEGV_ACCERR), C(SEGV_BNDERR),
					      C(SEGV_PKUERR)};
static const struct code_name bus_codes[] = {C(BUS_ADRALN), C(BUS_ADRERR), C(BUS_OBJERR),
					     C(BUS_MCEERR_AR), C(BUS_MCEERR_AO)};
static const struct code_name ill_codes[] = {C(ILL_ILLOPC), C(ILL_ILLOPN), C(ILL_ILLADR),
					     C(ILL_ILLTRP), C(ILL_PRVOPC), C(ILL_PRVREG),
					     C(ILL_COPROC), C(ILL_BADSTK)};
static const struct code_name fpe_codes[] = {C(FPE_INTDIV), C(FPE_INTOVF), C(FPE_FLTDIV),
					     C(FPE_FLTOVF), C(FPE_FLTUND), C(FPE_FLTRES),
					     C(FPE_FLTINV), C(FPE_FLTSUB)};
static const struct code_name trap_codes[] = {C(TRAP_BRKPT), C(TRAP_TRACE), C(TRAP_BRANCH),
					      C(TRAP_HWBKPT)};
static const struct code_name chld_codes[] = {C(CLD_EXITED),  C(CLD_KILLED),  C(CLD_DUMPED),
					      C(CLD_TRAPPED), C(CLD_STOPPED), C(CLD_CONTINUED)};
static const struct code_name poll_codes[] = {C(POLL_IN),  C(POLL_OUT), C(POLL_MSG),
					      C(POLL_ERR), C(POLL_PRI), C(POLL_HUP)};
#undef C

static const char *find_code(const struct code_name *t, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

#define FIND(t, code) find_code(t, ARRAY_SIZE(t), code)

/* Kernel codes (> 0) mean something per signal; SI_KERNEL and the user codes do not. */
static const char *code_name(int sig, int code)
{
	if (code <= 0 || code == SI_KERNEL)
		return FIND(generic_codes, code);
	switch (sig) {
	case SIGSEGV:
		return FIND(segv_codes, code);
	case SIGBUS:
		return FIND(bus_codes, code);
	case SIGILL:
		return FIND(ill_codes, code);
	case SIGFPE:
		return FIND(fpe_codes, code);
	case SIGTRAP:
		return FIND(trap_codes, code);
	case SIGCHLD:
		return FIND(chld_codes, code);
	case SIGIO:
		return FIND(poll_codes, code);
	}
	return NULL;
}

static void add_addr(struct line *l, uint64_t a)
{
	if (a)
		add(l, "%#llx", (unsigned long long)a);
	else
		add(l, "NULL");
}

static void add_sigval(struct line *l, const siginfo_t *si)
{
	add(l, ", si_int=%d, si_ptr=", si->si_int);
	add_addr(l, (uint64_t)(uintptr_t)si->si_ptr);
}

/* Who sent it: every code a process can send with (kill, tgkill, sigqueue, mq_notify). */
static void add_user_fields(struct line *l, const siginfo_t *si)
{
	if (si->si_code == SI_TIMER) {
		add(l, ", si_timerid=%d, si_overrun=%d", si->si_timerid, si->si_overrun);
		add_sigval(l, si);
		return;
	}
	add(l, ", si_pid=%d, si_uid=%u", si->si_pid, si->si_uid);
	if (si->si_code != SI_USER && si->si_code != SI_TKILL)
		add_sigval(l, si);
}

static void add_child_fields(struct line *l, const siginfo_t *si)
{
	add(l, ", si_pid=%d, si_uid=%u, si_status=", si->si_pid, si->si_uid);
	if (si->si_code == CLD_EXITED)
		add(l, "%d", si->si_status);
	else
		add_signame(l, si->si_status);
	add(l, ", si_utime=%llu, si_stime=%llu", (unsigned long long)si->si_utime,
	    (unsigned long long)si->si_stime);
}

static void add_kernel_fields(struct line *l, const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGCHLD:
		add_child_fields(l, si);
		break;
	case SIGILL:
	case SIGFPE:
	case SIGSEGV:
	case SIGBUS:
	case SIGTRAP:
		add(l, ", si_addr=");
		add_addr(l, (uint64_t)(uintptr_t)si->si_addr);
		break;
	case SIGIO:
		add(l, ", si_band=%ld, si_fd=%d", (long)si->si_band, si->si_fd);
		break;
	case SIGSYS: {
		const char *name = kd_syscall_name(si->si_syscall);
		add(l, ", si_call_addr=");
		add_addr(l, (uint64_t)(uintptr_t)si->si_call_addr);
		if (name)
			add(l, ", si_syscall=__NR_%s", name);
		else
			add(l, ", si_syscall=%d", si->si_syscall);
		if (si->si_arch == 0xc000003eU)
			add(l, ", si_arch=AUDIT_ARCH_X86_64");
		else
			add(l, ", si_arch=%#x", si->si_arch);
		break;
	}
	}
}

size_t kd_trace_siginfo(char *buf, size_t len, const siginfo_t *si)
{
	struct line l = {buf, 0, len};
	if (!len)
		return 0;
	buf[0] = 0;
	add(&l, "{si_signo=");
	add_signame(&l, si->si_signo);
	const char *code = code_name(si->si_signo, si->si_code);
	if (code)
		add(&l, ", si_code=%s", code);
	else
		add(&l, ", si_code=%#x", (unsigned)si->si_code);
	if (si->si_code <= 0)
		add_user_fields(&l, si);
	else
		add_kernel_fields(&l, si);
	add(&l, "}");
	return l.len;
}

/* One whole line: the leader, then the text, then a newline; one write. */
static void emit(int fd, int tid, const char *text)
{
	char buf[1024];
	int64_t ts[2] = {0, 0};
	if (kd_trace_cfg.time)
		kd_raw_syscall(SYS_clock_gettime, CLOCK_REALTIME, (uint64_t)ts, 0, 0, 0, 0);
	size_t n = kd_trace_leader(buf, sizeof(buf), &kd_trace_cfg, tid, ts[0], ts[1] / 1000);
	struct line l = {buf, n, sizeof(buf)};
	add(&l, "%s\n", text);
	write_all(fd, buf, l.len);
}

void kd_trace_signal(int fd, int tid, const siginfo_t *si)
{
	char text[512] = "--- ";
	struct line l = {text, 4, sizeof(text)};
	if (!kd_trace_cfg.lines)
		return;
	add_signame(&l, si->si_signo);
	add(&l, " ");
	l.len += kd_trace_siginfo(text + l.len, sizeof(text) - l.len, si);
	add(&l, " ---");
	emit(fd, tid, text);
}

void kd_trace_exited(int fd, int tid, int status)
{
	char text[64];
	if (!kd_trace_cfg.lines)
		return;
	snprintf(text, sizeof(text), "+++ exited with %d +++", status & 0xff);
	emit(fd, tid, text);
}

void kd_trace_killed(int fd, int tid, int sig, int core)
{
	char text[96] = "+++ killed by ";
	struct line l = {text, strlen(text), sizeof(text)};
	if (!kd_trace_cfg.lines)
		return;
	add_signame(&l, sig);
	add(&l, "%s +++", core ? " (core dumped)" : "");
	emit(fd, tid, text);
}

/* ---- summary ---- */

struct count {
	uint64_t calls, errors, ns;
};
static struct count counts[KD_SYSCALL_NAMES];

void kd_trace_account(long nr, long ret, uint64_t ns)
{
	if (nr < 0 || nr >= KD_SYSCALL_NAMES)
		return;
	__atomic_fetch_add(&counts[nr].calls, 1, __ATOMIC_RELAXED);
	if (KD_IS_ERR(ret))
		__atomic_fetch_add(&counts[nr].errors, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&counts[nr].ns, ns, __ATOMIC_RELAXED);
}

uint64_t kd_trace_now_ns(void)
{
	int64_t ts[2] = {0, 0};
	kd_raw_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (uint64_t)ts, 0, 0, 0, 0);
	return (uint64_t)ts[0] * 1000000000ULL + (uint64_t)ts[1];
}

void kd_trace_summary_reset(void)
{
	memset(counts, 0, sizeof(counts));
}

/* Rows by time, most first; equal times by syscall number (strace's order here). */
static int before(int a, int b)
{
	return counts[a].ns != counts[b].ns ? counts[a].ns > counts[b].ns : a < b;
}

static size_t sorted_rows(short *rows)
{
	size_t n = 0;
	for (int nr = 0; nr < KD_SYSCALL_NAMES; nr++) {
		if (!counts[nr].calls)
			continue;
		size_t i = n++;
		for (; i > 0 && before(nr, rows[i - 1]); i--)
			rows[i] = rows[i - 1];
		rows[i] = (short)nr;
	}
	return n;
}

static void add_row(struct line *l, const struct count *c, uint64_t total_ns, const char *name)
{
	double pct = total_ns ? 100.0 * (double)c->ns / (double)total_ns : 0.0;
	add(l, "%6.2f %11.6f %11llu %9llu %9.llu %s\n", pct, (double)c->ns / 1e9,
	    (unsigned long long)(c->calls ? c->ns / 1000 / c->calls : 0),
	    (unsigned long long)c->calls, (unsigned long long)c->errors, name);
}

static const char dashes[] =
    "------ ----------- ----------- --------- --------- ----------------\n";

void kd_trace_summary(int fd)
{
	static short rows[KD_SYSCALL_NAMES];
	static char text[KD_SYSCALL_NAMES * 80 + 512];
	struct line l = {text, 0, sizeof(text)};
	struct count total = {0};
	size_t n = sorted_rows(rows);
	for (size_t i = 0; i < n; i++) {
		total.calls += counts[rows[i]].calls;
		total.errors += counts[rows[i]].errors;
		total.ns += counts[rows[i]].ns;
	}
	add(&l, "%6.6s %11.11s %11.11s %9.9s %9.9s %s\n", "% time", "seconds", "usecs/call",
	    "calls", "errors", "syscall");
	add(&l, "%s", dashes);
	for (size_t i = 0; i < n; i++) {
		char unknown[32];
		const char *name = kd_syscall_name(rows[i]);
		if (!name) {
			snprintf(unknown, sizeof(unknown), "syscall_%#x", (unsigned)rows[i]);
			name = unknown;
		}
		add_row(&l, &counts[rows[i]], total.ns, name);
	}
	add(&l, "%s", dashes);
	add_row(&l, &total, total.ns, "total");
	write_all(fd, text, l.len);
}
