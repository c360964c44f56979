/*
 * monitor_cost: what the monitor's pointer checks add to a syscall (Monitor integrity).
 *
 *   build/bench/monitor_cost [CALLS]
 *
 * Runs kd_monitor_call, the hook before kd_syscall_dispatch, natively on a VM-less struct
 * kd_vm whose kdune ranges are 40 pages (a kdune run has a few dozen), for calls that pass
 * it (getpid, read, openat, fstat: one lookup per pointer, no lock, no copy), and prints ns
 * per call. The forwarded call it would precede costs one VM exit (~30 us on this machine).
 * Needs no KVM. Pin it (taskset -c 0) as bench/run.sh does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "engine/monitor.h"

#define KDUNE_RANGES 40
#define RANGE_STEP 0x100000ULL

static struct kd_vm vm;
static struct kd_vcpu vcpu = {.vm = &vm};

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	static struct kd_hthread self;
	uint8_t *m =
	    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	kd_self_set(&self); /* as on a vCPU's host thread */
	kd_lock_init(&vm.lock);
	kd_regions_add(&vm.target, (uint64_t)m, (uint64_t)m + (1 << 20));
	for (uint64_t i = 0; i < KDUNE_RANGES; i++)
		kd_regions_add(&vm.host, 0x7f0000000000ULL + i * RANGE_STEP,
			       0x7f0000000000ULL + i * RANGE_STEP + 4096);
	const struct {
		const char *name;
		long nr;
		uint64_t a[6];
	} calls[] = {
	    {"getpid (no pointers)", SYS_getpid, {0}},
	    {"read(fd, buf, 4096)", SYS_read, {0, (uint64_t)m + 8192, 4096}},
	    {"openat(AT_FDCWD, path)", SYS_openat, {(uint64_t)-100, (uint64_t) "/etc/hostname", 0}},
	    {"fstat(fd, &st)", SYS_fstat, {0, (uint64_t)m + 8192}},
	};
	printf("| call | ns per check |\n|---|---|\n");
	for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++) {
		long r;
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			kd_monitor_call(&vcpu, calls[k].nr, calls[k].a, &r);
		printf("| %s | %.1f |\n", calls[k].name, (now_ns() - t0) / (double)n);
	}
	return 0;
}
