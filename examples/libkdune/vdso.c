/* vdso: clock_gettime and gettimeofday run in the guest through the vDSO, with no exit. */
#include <kdune.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define CALLS 100000

static double seconds(struct timespec t)
{
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec a, b, k;
	struct timeval tv;
	ENTER();
	long before = kdune_syscalls();
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	for (int i = 0; i < CALLS; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
		CHECK(gettimeofday(&tv, NULL) == 0);
	}
	long after = kdune_syscalls();
	/* The only syscall in between is kdune_syscalls() itself. */
	CHECK(after - before == 1);
	CHECK(seconds(b) >= seconds(a));
	/* The real syscall (which leaves the VM) agrees with the vDSO. */
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &k) == 0);
	CHECK(seconds(k) >= seconds(b) && seconds(k) - seconds(b) < 5.0);
	CHECK(kdune_syscalls() == after + 2);
	printf("vdso: %d clock_gettime + %d gettimeofday calls, no exit\n", CALLS, CALLS);
	return 0;
}
