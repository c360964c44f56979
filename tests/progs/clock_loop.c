/*
 * clock_loop [N]: call clock_gettime(CLOCK_MONOTONIC) N times (default 100000) and print "ok"
 * if the clock never went backwards and advanced overall. glibc serves the call from the vDSO,
 * so under kdune it must not become a forwarded syscall (the test checks the --trace output).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec first, prev, now;

	if (clock_gettime(CLOCK_MONOTONIC, &first) != 0) {
		perror("clock_gettime");
		return 1;
	}
	prev = first;
	for (long i = 0; i < n; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
			perror("clock_gettime");
			return 1;
		}
		if (before(&now, &prev)) {
			printf("went backwards at call %ld\n", i);
			return 1;
		}
		prev = now;
	}
	if (!before(&first, &prev)) {
		printf("clock did not advance\n");
		return 1;
	}
	printf("ok\n");
	return 0;
}
