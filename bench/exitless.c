/*
 * bench/exitless.c: the exitless path's round trip, natively at ring 3, against the same
 * calls made natively. `make bench-exitless` (needs two CPUs: the server spins on one).
 *
 * The stub (vm/xlstub.S) and the server thread (engine/exitless.c) are kdune's own, as in
 * tests/unit/test_exitless.c; the caller enters the stub as `syscall` enters LSTAR. Guest
 * ring-3 code runs at native speed on PVM, so this is a proxy for the guest's round trip
 * (the probe in shared/platform/probes/exitless.c measured 0.44-0.51 us inside a real VM).
 *
 *   exitless [N]   N calls per run (default 20000), 7 runs per cell; prints per call the
 *                  median wall time and the median CPU time of the whole process
 *                  (user+sys, so the server's spinning is counted), with the stub's
 *                  default wait (as kdune runs it: a call whose server is off its CPU
 *                  for ~50 us takes the exit path, here a SIGSEGV round trip) and with a
 *                  long wait (no call times out: the pure hand-over, plus scheduling),
 *                  and the fastest 1000-call batch of each (both threads on a CPU).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/exitless.h"
#include "engine/thread.h"
#include "vm/exitless.h"
#include "xl_enter.h"

#define RUNS 7

static struct kd_proc proc;
static struct kd_vm vm;
static struct kd_vcpu vcpu;
static char buf[4096];
static int file_fd;

static long slow; /* calls that reached the exit stub (the server was not there in time) */

/* What kdune's exit path does: wake the server, run the call, resume at rcx with r11's flags. */
static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	slow++;
	kd_xl_server_wake(&vm);
	g[REG_RAX] = kd_raw_syscall(g[REG_RAX], g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10],
				    g[REG_R8], g[REG_R9]);
	g[REG_RIP] = g[REG_RCX];
	g[REG_EFL] = g[REG_R11];
}

/* As an exit does in kdune: wake the server, and wait until it polls. */
static void wake_server(void)
{
	do {
		kd_xl_server_wake(&vm);
		usleep(50);
	} while (!__atomic_load_n(&vcpu.xl.data->awake, __ATOMIC_ACQUIRE));
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double cpu(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e9 +
	       (r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct call {
	const char *name;
	long nr;
	uint64_t a0, a1, a2, a3;
};

static void through_stub(const struct call *c, long n)
{
	struct xl_regs in = {.rax = (uint64_t)c->nr,
			     .rdi = c->a0,
			     .rsi = c->a1,
			     .rdx = c->a2,
			     .r10 = c->a3,
			     .r11 = 0x202,
			     .rflags = 0x202},
		       out;
	wake_server();
	for (long i = 0; i < n; i++) {
		xl_enter(&in, &out, vcpu.xl.code_gva);
		if ((int64_t)out.rax < 0) {
			fprintf(stderr, "%s through the stub: %ld\n", c->name, (long)out.rax);
			exit(1);
		}
	}
}

static void native(const struct call *c, long n)
{
	for (long i = 0; i < n; i++)
		if (syscall(c->nr, c->a0, c->a1, c->a2, c->a3) < 0) {
			perror(c->name);
			exit(1);
		}
}

/* Medians of RUNS runs of n calls: wall and CPU ns per call. */
static void measure(void (*fn)(const struct call *, long), const struct call *c, long n,
		    double *wall, double *cpu_ns)
{
	double w[RUNS], u[RUNS];
	for (int k = 0; k < RUNS; k++) {
		double t0 = now(), c0 = cpu();
		fn(c, n);
		w[k] = (now() - t0) / n;
		u[k] = (cpu() - c0) / n;
	}
	qsort(w, RUNS, sizeof(w[0]), cmp);
	qsort(u, RUNS, sizeof(u[0]), cmp);
	*wall = w[RUNS / 2];
	*cpu_ns = u[RUNS / 2];
}

/*
 * The floor: a bare ping-pong between two threads over one cache line (no stub, no
 * dispatcher), as probes/exitless.c does inside a VM. On a loaded machine it shows how much of
 * a round trip is just getting both threads onto CPUs.
 */
static volatile long ping, pong;

static void *ponger(void *arg)
{
	for (long seen = 0;;) {
		long r = ping;
		if (r == seen) {
			__builtin_ia32_pause();
			continue;
		}
		pong = seen = r;
		if (r < 0)
			return NULL;
	}
}

static void ping_pong(const struct call *c, long n)
{
	for (long i = 0; i < n; i++) {
		long want = ping + 1;
		ping = want;
		while (pong != want)
			__builtin_ia32_pause();
	}
}

static uint8_t *pages;

/* The stub's wait for the server, in `pause` rounds (0: kdune's default, XL_SPIN_MAX). */
static void set_wait(uint32_t spins)
{
	mprotect(pages, 4096, PROT_READ | PROT_WRITE);
	kd_xl_code_init(pages, (uint64_t)(pages + 2 * 4096), spins);
	mprotect(pages, 4096, PROT_READ | PROT_EXEC);
}

/*
 * The fastest of 100 batches of 1000 calls, ns per call: what a call costs while both the
 * caller and the server hold a CPU, which on a loaded machine the medians cannot show.
 */
static double best_batch(void (*fn)(const struct call *, long), const struct call *c)
{
	double best = 1e18;
	for (int k = 0; k < 100; k++) {
		double t0 = now();
		fn(c, 1000);
		double t = (now() - t0) / 1000;
		best = t < best ? t : best;
	}
	return best;
}

static void setup(void)
{
	uint8_t *p =
	    mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pages = p;
	p[2 * 4096] = 0xe6; /* out %al,$0x10: the exit path, caught by on_segv */
	p[2 * 4096 + 1] = 0x10;
	mprotect(p + 2 * 4096, 4096, PROT_READ | PROT_EXEC);
	set_wait(0);
	kd_lock_init(&vm.lock);
	vm.trace_fd = -1;
	vm.xl = calloc(1, sizeof(*vm.xl));
	vm.xl->pid = getpid();
	vm.xl->spin_ns = KD_XL_SPIN_NS;
	vcpu = (struct kd_vcpu){.vm = &vm, .proc = &proc, .tid = gettid()};
	vcpu.xl.code_gva = (uint64_t)p;
	vcpu.xl.data = (struct kd_xl_page *)(p + 4096);
	vm.vcpus[0] = &vcpu;
	vm.nvcpus = 1;
	if (kd_xl_server_start(&vm, &proc)) {
		fprintf(stderr, "exitless: cannot start the server\n");
		exit(1);
	}
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigaction(SIGSEGV, &sa, NULL);
	char path[] = "/tmp/kdune-xl-bench-XXXXXX";
	file_fd = mkstemp(path);
	unlink(path);
	memset(buf, 'x', sizeof(buf));
	if (file_fd < 0 || write(file_fd, buf, sizeof(buf)) != sizeof(buf)) {
		perror("exitless: temporary file");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	setup();
	struct stat st;
	const struct call calls[] = {
	    {"getppid", SYS_getppid, 0, 0, 0, 0},
	    {"fstat", SYS_fstat, (uint64_t)file_fd, (uint64_t)&st, 0, 0},
	    {"pread64 4 KiB", SYS_pread64, (uint64_t)file_fd, (uint64_t)buf, sizeof(buf), 0},
	};
	double load[3] = {0};
	getloadavg(load, 3);
	printf("ns per call, medians of %d runs of %ld; load average %.2f; CPU = user+sys of the "
	       "whole process (caller and server)\n\n",
	       RUNS, n, load[0]);
	printf("| call | native wall | native CPU | exitless wall | exitless CPU | timed out | "
	       "exitless, long wait: wall | CPU | wall ÷ native | best batch: native | "
	       "exitless | ÷ |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		double nw, nc, xw, xc, lw, lc;
		measure(native, &calls[i], n, &nw, &nc);
		long slow0 = slow;
		set_wait(0);
		measure(through_stub, &calls[i], n, &xw, &xc);
		double timed_out = (double)(slow - slow0) / (RUNS * n);
		set_wait(1u << 22);
		measure(through_stub, &calls[i], n, &lw, &lc);
		double bn = best_batch(native, &calls[i]), bx = best_batch(through_stub, &calls[i]);
		printf("| %s | %.0f | %.0f | %.0f | %.0f | %.1f%% | %.0f | %.0f | %.2f | %.0f | "
		       "%.0f | "
		       "%.2f |\n",
		       calls[i].name, nw, nc, xw, xc, 100 * timed_out, lw, lc, lw / nw, bn, bx,
		       bx / bn);
	}
	pthread_t t;
	pthread_create(&t, NULL, ponger, NULL);
	double fw, fc;
	measure(ping_pong, NULL, n, &fw, &fc);
	double fb = best_batch(ping_pong, NULL);
	ping = -1;
	pthread_join(t, NULL);
	printf(
	    "| floor: bare ping-pong, two threads | – | – | %.0f | %.0f | – | – | – | – | – | %.0f "
	    "| – |\n",
	    fw, fc, fb);
	printf("\nserved %llu; declined %llu (must be 0); timed out to the exit path %ld\n",
	       (unsigned long long)vcpu.xl.served, (unsigned long long)vcpu.xl.declined, slow);
	return vcpu.xl.declined != 0;
}
