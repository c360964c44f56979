/* sigmask.c: the calling host thread's signal mask, as a 64-bit set (rt_sigprocmask). */
#include "base/sigmask.h"
#include "base/nolibc.h"
#include <signal.h>
#include <sys/syscall.h>

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

uint64_t kd_host_mask(void)
{
	uint64_t m = 0;
	kd_raw_syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, (uint64_t)&m, 8, 0, 0);
	return m;
}

void kd_set_host_mask(uint64_t m)
{
	m &= ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	kd_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)&m, 0, 8, 0, 0);
}

uint64_t kd_block_all(void)
{
	uint64_t all = ~0ULL, old = 0;
	kd_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)&all, (uint64_t)&old, 8, 0, 0);
	return old;
}
