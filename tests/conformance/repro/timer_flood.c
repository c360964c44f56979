// timer_flood.c: reproducer for open item O3 (docs/conformance.md).
//
//   cc -O2 -o timer_flood timer_flood.c && timer_flood PERIOD_NS
//
// Arms a POSIX timer that sends SIGRTMIN every PERIOD_NS to a handler that counts the runs
// and the overruns, busy-waits one second on clock_gettime (vDSO: no syscall), stops the
// timer and prints the counts. Natively it always ends after about one second.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile long runs, overruns;
static timer_t timer;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	runs++;
	overruns += timer_getoverrun(timer);
}

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + b->tv_nsec - a->tv_nsec;
}

int main(int argc, char **argv)
{
	long period = argc == 2 ? atol(argv[1]) : 0;
	if (period <= 0 || period >= 1000000000L) {
		fprintf(stderr, "usage: timer_flood PERIOD_NS (1..999999999)\n");
		return 2;
	}
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	struct itimerspec its = { { 0, period }, { 0, period } };
	struct timespec start, now;
	if (sigaction(SIGRTMIN, &sa, NULL) || timer_create(CLOCK_MONOTONIC, &ev, &timer) ||
	    timer_settime(timer, 0, &its, NULL)) {
		perror("timer_flood");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while (elapsed_ns(&start, &now) < 1000000000L);
	its = (struct itimerspec){ 0 };
	timer_settime(timer, 0, &its, NULL);
	printf("period %ld ns: %ld handler runs, %ld overruns\n", period, runs, overruns);
	return 0;
}
