// getppid.c: cost of one real syscall. Runs natively and under kdune; under kdune
// every call exits to the host, so this is kdune's per-syscall overhead.
//
// Usage: getppid N   prints ns_per_syscall for N calls of syscall(SYS_getppid).
// The clock is read through the vDSO (no syscall), so only the loop is measured.
// Built with -DKDUNE_ENTER as enter_getppid: the same loop in a process that first moved
// itself into a VM with libkdune's kdune_enter().
#ifdef KDUNE_ENTER
#include <kdune.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	char *end;
	long n = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	double t0, t1;
	if (argc != 2 || *end != '\0' || n < 1) {
		fprintf(stderr, "usage: %s N\n", argv[0]);
		return 2;
	}
#ifdef KDUNE_ENTER
	if (kdune_enter()) {
		fprintf(stderr, "%s\n", kdune_last_error());
		return 1;
	}
#endif
	// syscall() rather than getppid(): no libc may ever cache the answer.
	syscall(SYS_getppid);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("ns_per_syscall %.1f\n", (t1 - t0) / (double)n);
	return 0;
}
