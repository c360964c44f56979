/*
 * fuzz_syscalls: random system calls with pointers aimed at kdune's own memory, for
 * `make fuzz-syscalls` (tests/integration/fuzz_syscalls.sh), which runs it under kdune.
 *
 *   fuzz_syscalls CALLS SEED
 *
 * Pointers come from: kdune's data, code, break and stack as /proc/self/stat names them
 * (kdune's binary under kdune), those +- a few bytes across page boundaries, the ring-0 area
 * and the rest of the kernel half, NULL, the program's own buffer, and iovec/msghdr arrays in
 * the program's memory whose entries point at all of those. Calls come from a list of calls
 * that cannot end the run on their own (no exit, kill, exec, unmapping, closing stdout,
 * changing credentials or limits, or paths that could delete or truncate files should a check
 * fail). A 1 ms interval timer interrupts anything that blocks.
 *
 * Addresses that /proc/self/maps lists are left out: under kdune it lists only the program's
 * mappings, so kdune's remain; natively the program's own remain out, and the run checks the
 * harness. kdune passes when this ends with "done N" and status 0: any write into kdune's memory
 * that a check let through would sooner or later crash kdune (its heap, its data, its stack), and
 * any leak into the program's buffer is harmless to the run but is what the escape suite
 * looks for. Prints the seed first, so a failing run can be repeated.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#define NTARGETS 64
#define BUF_SIZE (1 << 20)
#define PAGE 4096
#define KERNEL_HALF 0xffff800000000000ULL
#define RING0 0xffffff8000000000ULL

/* Calls that are safe to make with any arguments from pick(). */
static const int calls[] = {
    SYS_read,
    SYS_pread64,
    SYS_readv,
    SYS_preadv,
    SYS_preadv2,
    SYS_write,
    SYS_writev,
    SYS_pwritev,
    SYS_sendmsg,
    SYS_recvmsg,
    SYS_sendmmsg,
    SYS_recvmmsg,
    SYS_sendto,
    SYS_recvfrom,
    SYS_getsockname,
    SYS_getpeername,
    SYS_getsockopt,
    SYS_setsockopt,
    SYS_fstat,
    SYS_newfstatat,
    SYS_statx,
    SYS_stat,
    SYS_lstat,
    SYS_access,
    SYS_getcwd,
    SYS_uname,
    SYS_sysinfo,
    SYS_times,
    SYS_getrusage,
    SYS_getrlimit,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_gettimeofday,
    SYS_time,
    SYS_getitimer,
    SYS_getresuid,
    SYS_getresgid,
    SYS_getgroups,
    SYS_capget,
    SYS_sched_getaffinity,
    SYS_sched_getparam,
    SYS_sched_getattr,
    SYS_getcpu,
    SYS_getrandom,
    SYS_rt_sigpending,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_mincore,
    SYS_fcntl,
    SYS_ioctl,
    SYS_epoll_ctl,
    SYS_pipe2,
    SYS_socketpair,
    SYS_getdents64,
    SYS_readlink,
    SYS_readlinkat,
    SYS_getxattr,
    SYS_listxattr,
    SYS_set_tid_address,
    SYS_get_robust_list,
    SYS_timer_gettime,
    SYS_pselect6,
    SYS_ppoll,
    SYS_poll,
    SYS_select,
    SYS_msgctl,
    SYS_semctl,
    SYS_shmctl,
    SYS_vmsplice,
    SYS_splice,
    SYS_name_to_handle_at,
    SYS_mq_notify,
    SYS_timer_create,
    SYS_epoll_pwait,
    SYS_signalfd4,
};

static uint64_t targets[NTARGETS];
static int ntargets;
/* The program's buffer: mmap'd, with a PROT_NONE page after it, so a call that writes more
 * than it holds stops there instead of overwriting this program's own variables. */
static uint8_t *buf;
static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Is addr inside a mapping /proc/self/maps lists? Under kdune those are the program's own. */
static int listed(uint64_t addr)
{
	char line[4608];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		found = sscanf(line, "%llx-%llx", &s, &e) == 2 && addr >= s && addr < e;
	}
	if (f)
		fclose(f);
	return found;
}

/* Only addresses that are not the program's: natively its own data would be the target. */
static void add(uint64_t p)
{
	if (ntargets < NTARGETS && !listed(p))
		targets[ntargets++] = p;
}

/* kdune's binary and stack as the kernel names them for this process (fields of stat(5)). */
static void find_targets(void)
{
	static const int fields[] = {26, 27, 28, 45, 46, 47}; /* code, stack, data, brk */
	char text[4096];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *p = strrchr(text, ')');
		for (int k = 2; p && k < fields[i]; k++)
			p = strchr(p + 1, ' ');
		uint64_t v = p ? strtoull(p + 1, NULL, 10) : 0;
		if (!v)
			continue;
		add(v);
		add((v & ~4095ULL) - 8); /* across a page boundary */
		add((v | 4095) - 3);
	}
	add(RING0);
	add(RING0 + 0x1000);
	add(KERNEL_HALF);
	add(0);
}

/* An iovec array in the program's memory whose entries point at targets. */
static uint64_t iov_of_targets(void)
{
	struct iovec *iov = (struct iovec *)(buf + BUF_SIZE / 2);
	for (int i = 0; i < 8; i++)
		iov[i] =
		    (struct iovec){(void *)(uintptr_t)targets[next() % ntargets], next() % 256};
	return (uint64_t)(uintptr_t)iov;
}

static uint64_t msghdr_of_targets(void)
{
	struct msghdr *m = (struct msghdr *)(buf + BUF_SIZE / 2 + 4096);
	*m = (struct msghdr){.msg_name = (void *)(uintptr_t)targets[next() % ntargets],
			     .msg_namelen = (socklen_t)(next() % 128),
			     .msg_iov = (struct iovec *)(uintptr_t)iov_of_targets(),
			     .msg_iovlen = next() % 9,
			     .msg_control = (void *)(uintptr_t)targets[next() % ntargets],
			     .msg_controllen = next() % 128};
	return (uint64_t)(uintptr_t)m;
}

static uint64_t pick(void)
{
	uint64_t t = targets[next() % ntargets];
	switch (next() % 10) {
	case 0:
		return next() % 8; /* small numbers, fds 0..7 */
	case 1:
		return (uint64_t)(uintptr_t)(buf + next() % BUF_SIZE);
	case 2:
		return iov_of_targets();
	case 3:
		return msghdr_of_targets();
	case 4:
		return next() % 4096; /* lengths */
	case 5:
		return t + next() % 64 - 32;
	case 6:
		return next();
	default:
		return t;
	}
}

static void tick(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x6b64756e;
	if (!rng)
		rng = 1;
	buf =
	    mmap(NULL, BUF_SIZE + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mprotect(buf + BUF_SIZE, PAGE, PROT_NONE))
		return 2;
	memset(buf, 'k', BUF_SIZE); /* paths from buf: "kkkk...", never '/' */
	find_targets();
	printf("seed %#llx, %ld calls, %d target addresses\n", (unsigned long long)rng, n,
	       ntargets);
	fflush(stdout);
	struct sigaction sa = {.sa_handler = tick}; /* no SA_RESTART: blocked calls return */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
	long refused = 0;
	for (long i = 0; i < n; i++) {
		int nr = calls[next() % (sizeof(calls) / sizeof(calls[0]))];
		uint64_t a[6];
		for (int k = 0; k < 6; k++)
			a[k] = pick();
		if (nr == SYS_write || nr == SYS_writev || nr == SYS_pwritev || nr == SYS_sendto ||
		    nr == SYS_sendmsg || nr == SYS_sendmmsg || nr == SYS_vmsplice ||
		    nr == SYS_splice)
			a[0] = 100; /* never stdout/stderr: a descriptor that is not open */
		if (nr == SYS_fcntl && a[1] != 5 && a[1] != 6 && a[1] != 36)
			a[1] = 5; /* F_GETLK: no F_SETFL/F_DUPFD games with stdout */
		if (nr == SYS_ioctl)
			a[0] = 100;
		if (nr == SYS_process_vm_readv || nr == SYS_process_vm_writev)
			a[0] = (uint64_t)getpid();
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		refused += r == -1;
		if (nr == SYS_pipe2 || nr == SYS_socketpair || nr == SYS_timer_create ||
		    nr == SYS_signalfd4)
			for (int fd = 3; fd < 64; fd++)
				close(fd); /* keep the descriptor table small */
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	printf("done %ld (%ld failed)\n", n, refused);
	return 0;
}
