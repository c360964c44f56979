// enter_getppid.c: cost of one real syscall after kdune_enter(): the same loop as
// getppid.c, in a process that moved itself into a VM with libkdune.
//
// Usage: enter_getppid N   prints ns_per_syscall for N calls of syscall(SYS_getppid).
#include <kdune.h>
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
	if (argc != 2 || *end != '\0' || n < 1) {
		fprintf(stderr, "usage: enter_getppid N\n");
		return 2;
	}
	if (kdune_enter()) {
		fprintf(stderr, "%s\n", kdune_last_error());
		return 1;
	}
	syscall(SYS_getppid);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	double t1 = now_ns();
	printf("ns_per_syscall %.1f\n", (t1 - t0) / (double)n);
	return 0;
}
