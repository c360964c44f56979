// signals.c: the cost of a signal's round trip through a handler. Runs natively and under kdune.
//
// Usage: signals kill|segv|segv_ro N   prints us_per_op for N rounds of:
//   kill     tgkill() to itself; the SIGUSR1 handler returns (rt_sigreturn)
//   segv     a load from address 0; the SIGSEGV handler siglongjmp()s out
//   segv_ro  a store to a PROT_READ page; the same handler (under PVM KVM reports this fault
//            without its address, and kdune decodes the instruction to find it)
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile long hits;
static char *volatile null_page; /* 0, read through a volatile so the load stays */

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static void on_segv(int sig)
{
	(void)sig;
	hits++;
	siglongjmp(jb, 1);
}

static void one(int what, volatile char *ro, pid_t pid, pid_t tid)
{
	if (what == 0) {
		syscall(SYS_tgkill, pid, tid, SIGUSR1);
		return;
	}
	if (!sigsetjmp(jb, 1)) {
		if (what == 1)
			(void)*(volatile char *)null_page;
		else
			*ro = 1;
	}
}

int main(int argc, char **argv)
{
	const char *names[] = {"kill", "segv", "segv_ro"};
	long n = argc == 3 ? atol(argv[2]) : 0;
	int what = -1;
	for (int i = 0; i < 3 && argc == 3; i++)
		if (!strcmp(argv[1], names[i]))
			what = i;
	if (n < 1 || what < 0) {
		fprintf(stderr, "usage: signals kill|segv|segv_ro N\n");
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	signal(SIGSEGV, on_segv);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return 1;
	pid_t pid = getpid(), tid = gettid();
	one(what, ro, pid, tid); /* warm-up */
	hits = 0;
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		one(what, ro, pid, tid);
	if (hits != n) {
		fprintf(stderr, "signals: %ld handler runs for %ld rounds\n", (long)hits, n);
		return 1;
	}
	printf("us_per_op %.1f\n", (now_us() - t0) / (double)n);
	return 0;
}
