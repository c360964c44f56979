/* signals.c: signal behaviour as a program observes it; prints the same natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t count, flag;
static siginfo_t last;
static sigjmp_buf jb;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	count++;
}

static void on_flag(int sig)
{
	(void)sig;
	flag = 1;
}

static void set(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_plain(int sig, void (*h)(int), int flags)
{
	struct sigaction sa = {.sa_handler = h, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Handlers run, counted, with the sender's pid; blocked signals wait as pending. */
static int handlers(void)
{
	set(SIGUSR1, on_info, 0);
	for (int i = 0; i < 5; i++)
		kill(getpid(), SIGUSR1);
	printf("count %d, si_code %s, si_pid %s\n", (int)count,
	       last.si_code == SI_USER ? "SI_USER" : "?", last.si_pid == getpid() ? "self" : "?");
	sigset_t b, p;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigprocmask(SIG_BLOCK, &b, NULL);
	raise(SIGUSR1);
	sigpending(&p);
	printf("blocked: pending %d, count %d\n", sigismember(&p, SIGUSR1), (int)count);
	sigprocmask(SIG_UNBLOCK, &b, NULL);
	printf("unblocked: count %d\n", (int)count);
	union sigval val = {.sival_int = 77};
	sigqueue(getpid(), SIGUSR1, val);
	printf("sigqueue: value %d, si_code %s\n", last.si_value.sival_int,
	       last.si_code == SI_QUEUE ? "SI_QUEUE" : "?");
	return 0;
}

static int pipefd[2];

static void on_alarm_write(int sig)
{
	(void)sig;
	flag = 1;
}

/* A blocking pipe read: EINTR without SA_RESTART; with it, the read goes on. */
static int eintr(void)
{
	struct itimerval it = {.it_value = {0, 100000}};
	char c;
	pipe(pipefd);
	set_plain(SIGALRM, on_alarm_write, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	ssize_t n = read(pipefd[0], &c, 1);
	printf("no SA_RESTART: read %zd %s, handler ran %d\n", n,
	       n < 0 ? strerrorname_np(errno) : "", (int)flag);
	flag = 0;
	set_plain(SIGALRM, on_alarm_write, SA_RESTART);
	if (fork() == 0) {
		usleep(300000);
		write(pipefd[1], "x", 1);
		_exit(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	n = read(pipefd[0], &c, 1);
	printf("SA_RESTART: read %zd '%c', handler ran %d\n", n, n == 1 ? c : '?', (int)flag);
	wait(NULL);
	return 0;
}

/* A timer interrupts a loop that makes no syscall at all. */
static int cpuloop(void)
{
	struct itimerval it = {.it_value = {0, 50000}};
	set_plain(SIGALRM, on_flag, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	volatile unsigned long spins = 0;
	while (!flag)
		spins++;
	printf("loop interrupted: %s\n", spins > 0 ? "yes" : "no");
	return 0;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	siglongjmp(jb, 1);
}

static const char *code_name(int sig, int code)
{
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR   ? "SEGV_MAPERR"
		       : code == SEGV_ACCERR ? "SEGV_ACCERR"
					     : "?";
	if (sig == SIGBUS)
		return code == BUS_ADRERR ? "BUS_ADRERR" : "?";
	if (sig == SIGILL)
		return code == ILL_ILLOPN ? "ILL_ILLOPN" : "?";
	if (sig == SIGFPE)
		return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_FLTDIV ? "FPE_FLTDIV" : "?";
	return "?";
}

static void report(const char *what, uintptr_t want_addr)
{
	printf("%s: %s %s, si_addr %s\n", what, sigabbrev_np(last.si_signo),
	       code_name(last.si_signo, last.si_code),
	       (uintptr_t)last.si_addr == want_addr ? "as expected" : "WRONG");
}

extern char ud2_at[], div_at[], divss_at[];

/* Each fault kind reaches a handler with the native si_code and si_addr. */
static int faults(void)
{
	int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		set(sigs[i], on_fault, SA_NODEFER);
	if (!sigsetjmp(jb, 1))
		*(volatile int *)0x10 = 1;
	report("null write", 0x10);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(jb, 1))
		*(volatile char *)(ro + 8) = 1;
	report("read-only write", (uintptr_t)ro + 8);
	munmap(ro, 4096);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(ro + 16);
	report("after munmap", (uintptr_t)ro + 16);
	char path[] = "/tmp/kdune-sigbus-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	ftruncate(fd, 100);
	char *f = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(f + 4096 + 5);
	report("past EOF", (uintptr_t)f + 4096 + 5);
	if (!sigsetjmp(jb, 1))
		__asm__ volatile(".globl ud2_at\nud2_at: ud2");
	report("ud2", (uintptr_t)ud2_at);
	if (!sigsetjmp(jb, 1)) {
		int zero = 0, r;
		__asm__ volatile("cltd\n.globl div_at\ndiv_at: idivl %2"
				 : "=a"(r)
				 : "a"(1), "r"(zero)
				 : "edx");
	}
	report("divide by zero", (uintptr_t)div_at);
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("int3");
	report("int3", 0);
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("hlt"); /* privileged: #GP */
	report("hlt", 0);
	if (!sigsetjmp(jb, 1)) {
		/* SSE divide by zero with the exception unmasked: #XM. */
		unsigned mxcsr = 0x1f80 & ~0x200u;
		float one = 1.0f, zero = 0.0f;
		__asm__ volatile("ldmxcsr %0\n.globl divss_at\ndivss_at: divss %2, %1"
				 : "+m"(mxcsr), "+x"(one)
				 : "x"(zero));
	}
	report("SSE divide by zero", (uintptr_t)divss_at);
	return 0;
}

/* 50 writes to a read-only page and 50 reads of a PROT_NONE page, each caught. */
static void fault_rounds(const char *who)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int accerr[2] = {0}, addr_ok[2] = {0};
	for (int i = 0; i < 100; i++) {
		int reading = i % 2;
		char *at = (reading ? none : ro) + (i * 97) % 4096;
		if (!sigsetjmp(jb, 1)) {
			if (reading)
				(void)*(volatile char *)at;
			else
				*(volatile char *)at = 1;
		}
		accerr[reading] += last.si_signo == SIGSEGV && last.si_code == SEGV_ACCERR;
		addr_ok[reading] += last.si_addr == at;
	}
	printf("%s: read-only writes: %d SEGV_ACCERR, %d at si_addr\n", who, accerr[0], addr_ok[0]);
	printf("%s: PROT_NONE reads: %d SEGV_ACCERR, %d at si_addr\n", who, accerr[1], addr_ok[1]);
	munmap(ro, 4096);
	munmap(none, 4096);
}

/*
 * Faults kdune finds the address of by decoding the instruction, again and again, in a
 * forked child too; wait() finds only the child, before and after.
 */
static int faultloop(void)
{
	set(SIGSEGV, on_fault, 0);
	fault_rounds("parent");
	int st;
	pid_t r = waitpid(-1, &st, WNOHANG);
	printf("waitpid before fork: %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	pid_t child = fork();
	if (child == 0) {
		fault_rounds("child");
		_exit(3);
	}
	r = wait(&st);
	printf("wait: %s, exit %d\n", r == child ? "the child" : "?", WEXITSTATUS(st));
	fault_rounds("parent again");
	r = wait(&st);
	printf("wait again: %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	return 0;
}

static void skip_ud2(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] += 2;
	count++;
}

/* A SIGILL handler edits RIP in the frame, and the program carries on. */
static int editrip(void)
{
	set(SIGILL, skip_ud2, 0);
	__asm__ volatile("ud2");
	__asm__ volatile("ud2");
	printf("skipped %d ud2 instructions\n", (int)count);
	return 0;
}

static int depth(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	return n > 0 ? depth(n + 1) + pad[0] : 0;
}

/* A stack overflow is caught on the alternate stack. */
static int overflow(void)
{
	stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
	sigaltstack(&ss, NULL);
	set(SIGSEGV, on_fault, SA_ONSTACK);
	if (!sigsetjmp(jb, 1))
		depth(1);
	printf("overflow caught: %s\n", sigabbrev_np(last.si_signo));
	stack_t cur;
	sigaltstack(NULL, &cur);
	printf("altstack still set: %s\n", cur.ss_flags == 0 ? "yes" : "no");
	return 0;
}

/* sigwaitinfo takes a blocked signal with the sender's pid. */
static int waitinfo(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t child = fork();
	if (child == 0) {
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	siginfo_t si;
	int sig = sigwaitinfo(&s, &si);
	printf("sigwaitinfo: %s from %s\n", sigabbrev_np(sig),
	       si.si_pid == child ? "the child" : "?");
	waitpid(child, NULL, 0);
	return 0;
}

/* A child stopped and continued, then ended, seen through waitpid and SIGCHLD. */
static int stopcont(void)
{
	set(SIGCHLD, on_info, 0);
	pid_t child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	int st;
	kill(child, SIGSTOP);
	waitpid(child, &st, WUNTRACED);
	printf("stopped: %d by %s\n", WIFSTOPPED(st), sigabbrev_np(WSTOPSIG(st)));
	kill(child, SIGCONT);
	waitpid(child, &st, WCONTINUED);
	printf("continued: %d\n", WIFCONTINUED(st));
	kill(child, SIGTERM);
	waitpid(child, &st, 0);
	printf("ended by %s; SIGCHLD seen %s\n", sigabbrev_np(WTERMSIG(st)),
	       count > 0 ? "yes" : "no");
	return 0;
}

/* sigsuspend, pause, and a poll that SA_RESTART never restarts; a POSIX timer's value. */
static int waits(void)
{
	sigset_t b, old, now;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	set_plain(SIGUSR1, on_flag, 0);
	sigprocmask(SIG_BLOCK, &b, &old);
	if (fork() == 0) {
		usleep(100000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	int r = sigsuspend(&old);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("sigsuspend %d %s, handler ran %d, mask back %d\n", r, strerrorname_np(errno),
	       (int)flag, sigismember(&now, SIGUSR1));
	wait(NULL);
	flag = 0;
	set_plain(SIGALRM, on_flag, SA_RESTART);
	alarm(1);
	r = pause();
	printf("pause %d %s, handler ran %d\n", r, strerrorname_np(errno), (int)flag);
	int p[2];
	pipe(p);
	struct pollfd pfd = {p[0], POLLIN, 0};
	alarm(1);
	r = poll(&pfd, 1, 5000);
	printf("poll with SA_RESTART: %d %s\n", r, strerrorname_np(errno));
	set(SIGRTMIN + 2, on_info, 0);
	struct sigevent ev = {
	    .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2, .sigev_value.sival_int = 40};
	timer_t tm;
	struct itimerspec its = {.it_value = {0, 50000000}};
	timer_create(CLOCK_MONOTONIC, &ev, &tm);
	timer_settime(tm, 0, &its, NULL);
	while (!count)
		pause();
	printf("timer: value %d, si_code %s\n", last.si_value.sival_int,
	       last.si_code == SI_TIMER ? "SI_TIMER" : "?");
	return 0;
}

static void clobber_avx(int sig)
{
	(void)sig;
	__asm__ volatile("vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n vpcmpeqd %%ymm9, %%ymm9, %%ymm9" ::
			     : "xmm8", "xmm9");
	count++;
}

/* AVX registers live across a signal whose handler uses them too. */
static int fpu(void)
{
	uint64_t in[4] = {1, 2, 3, 4}, out[4] = {0};
	set_plain(SIGUSR1, clobber_avx, 0);
	long pid = getpid();
	__asm__ volatile("vmovdqu (%1), %%ymm8\n"
			 "mov $62, %%eax\n mov %2, %%rdi\n mov $10, %%esi\n syscall\n"
			 "vmovdqu %%ymm8, (%0)\n"
			 :
			 : "r"(out), "r"(in), "r"(pid)
			 : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm8");
	printf("handler ran %d, ymm8 %s\n", (int)count,
	       memcmp(in, out, sizeof(in)) ? "CHANGED" : "preserved");
	return 0;
}

/*
 * A periodic timer far faster than any handler: natively expiries pile up as overruns while
 * the handler runs. The handler stops the timer itself after 200 runs, so this ends even when
 * the main loop gets no time at all.
 */
static timer_t flood_timer;
static volatile long flood_runs, flood_overruns;

static void on_flood(int sig)
{
	(void)sig;
	flood_overruns += timer_getoverrun(flood_timer);
	if (++flood_runs == 200) {
		struct itimerspec off = {{0, 0}, {0, 0}};
		timer_settime(flood_timer, 0, &off, NULL);
	}
}

static int timerflood(void)
{
	set_plain(SIGRTMIN, on_flood, 0);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	struct itimerspec its = {{0, 1000}, {0, 1000}};
	timer_create(CLOCK_MONOTONIC, &ev, &flood_timer);
	timer_settime(flood_timer, 0, &its, NULL);
	while (flood_runs < 200)
		;
	printf("timer at 1 MHz: %ld handler runs, overruns counted %s\n", (long)flood_runs,
	       flood_overruns > 0 ? "yes" : "no");
	return 0;
}

/* A process-wide signal that arrives while the process loops on vfork still reaches it. */
static int vforkalarm(void)
{
	set_plain(SIGALRM, on_flag, 0);
	for (int round = 0; round < 4; round++) {
		long n = 0;
		flag = 0;
		ualarm(150000, 0);
		while (!flag) {
			pid_t pid = vfork();
			if (pid == 0)
				_exit(0);
			waitpid(pid, NULL, 0);
			n++;
		}
		printf("SIGALRM handled while looping on vfork: %s\n", n > 0 ? "yes" : "no");
	}
	return 0;
}

/* PR_SET_TSC: with PR_TSC_SIGSEGV, rdtsc, rdtscp and a vDSO clock read fault with SIGSEGV. */
static volatile int tsc_sig, tsc_code;

static void on_tsc(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	tsc_sig = sig;
	tsc_code = si->si_code;
	siglongjmp(jb, 1);
}

static int tsc(void)
{
	const char *what[] = {"rdtsc", "rdtscp", "clock_gettime"};
	int mode = -1;
	set(SIGSEGV, on_tsc, 0);
	set(SIGILL, on_tsc, 0);
	prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
	prctl(PR_GET_TSC, &mode);
	printf("PR_GET_TSC %s\n", mode == PR_TSC_SIGSEGV ? "PR_TSC_SIGSEGV" : "?");
	for (int i = 0; i < 3; i++) {
		tsc_sig = 0;
		if (!sigsetjmp(jb, 1)) {
			unsigned lo, hi, aux;
			struct timespec ts;
			if (i == 0)
				__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
			else if (i == 1)
				__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
			else
				clock_gettime(CLOCK_MONOTONIC, &ts);
		}
		printf("%s: %s, si_code %d\n", what[i],
		       tsc_sig ? sigabbrev_np(tsc_sig) : "no signal", tsc_sig ? tsc_code : 0);
	}
	/* A fork inherits the setting. */
	fflush(stdout);
	if (fork() == 0) {
		tsc_sig = 0;
		if (!sigsetjmp(jb, 1)) {
			unsigned lo, hi;
			__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		}
		printf("rdtsc in a forked child: %s\n",
		       tsc_sig ? sigabbrev_np(tsc_sig) : "no signal");
		_exit(0);
	}
	wait(NULL);
	prctl(PR_SET_TSC, PR_TSC_ENABLE);
	struct timespec ts;
	printf("enabled again: clock_gettime %d\n", clock_gettime(CLOCK_MONOTONIC, &ts));
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {{"handlers", handlers},	 {"eintr", eintr},
		     {"cpuloop", cpuloop},	 {"faults", faults},
		     {"faultloop", faultloop},	 {"editrip", editrip},
		     {"overflow", overflow},	 {"waitinfo", waitinfo},
		     {"stopcont", stopcont},	 {"fpu", fpu},
		     {"waits", waits},		 {"timerflood", timerflood},
		     {"vforkalarm", vforkalarm}, {"tsc", tsc}};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(m, modes[i].name))
			return modes[i].fn();
	fprintf(stderr, "usage: signals MODE\n");
	return 2;
}
