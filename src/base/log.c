/* log.c: messages and kdune's own file descriptors. */
#include "base/log.h"
#include <fcntl.h>
#include "base/nolibc.h"
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int kd_verbose;
int kd_log_fd = 2;

void kd_log_init(void)
{
	if (kd_log_fd != 2)
		return;
	int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0)
		kd_log_fd = kd_fd_hide(fd);
}

static void vmsg(int pid, const char *fmt, va_list ap)
{
	char buf[1024], who[32] = "";
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (pid)
		snprintf(who, sizeof(who), "[%d]", pid);
	/* One write, so the line is never interleaved with the target's output. */
	dprintf(kd_log_fd, "kdune%s: %s\n", who, buf);
}

void kd_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void kd_info(const char *fmt, ...)
{
	if (!kd_verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg(getpid(), fmt, ap);
	va_end(ap);
}

/* kdune's own descriptors (VM, vCPUs, trace, ...): one bit each. */
#define MAX_FD (1 << 20)
static uint64_t own_fds[MAX_FD / 64];
static struct kd_lock own_lock;

static void own_set(int fd, int on)
{
	if (fd < 0 || fd >= MAX_FD)
		return;
	if (on)
		own_fds[fd / 64] |= 1ULL << (fd % 64);
	else
		own_fds[fd / 64] &= ~(1ULL << (fd % 64));
}

int kd_fd_is_ours(long fd)
{
	return fd >= 0 && fd < MAX_FD && (own_fds[fd / 64] >> (fd % 64) & 1);
}

/* The highest free descriptor number below `top`, or -1 (a few tries only). */
static int dup_high(int fd, long top)
{
	for (long want = top - 1, tries = 0; want > fd && want > 2 && tries < 256; want--) {
		if (kd_fd_is_ours(want))
			continue;
		tries++;
		int nfd = fcntl(fd, F_DUPFD_CLOEXEC, (int)want);
		if (nfd == want)
			return nfd;
		if (nfd >= 0)
			close(nfd); /* `want` is the target's: try lower */
	}
	return -1;
}

int kd_fd_hide(int fd)
{
	/*
	 * The target's open() must return the numbers it would get natively, so kdune's
	 * descriptors sit just under the soft RLIMIT_NOFILE, out of the way of
	 * lowest-free allocation.
	 */
	struct rlimit rl;
	long top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
		       ? (long)rl.rlim_cur
		       : 1024;
	if (top > MAX_FD)
		top = MAX_FD;
	kd_lock_take(&own_lock);
	int nfd = dup_high(fd, top);
	if (nfd >= 0) {
		close(fd);
		fd = nfd;
	} else {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	own_set(fd, 1);
	kd_lock_drop(&own_lock);
	return fd;
}

void kd_fd_forget(int fd)
{
	kd_lock_take(&own_lock);
	own_set(fd, 0);
	kd_lock_drop(&own_lock);
}
