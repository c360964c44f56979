/* log.c: messages and kdune's own file descriptors. */
#include "log.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int kd_verbose;

static void vmsg(const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write, so the line is never interleaved with the target's output. */
	dprintf(2, "kdune: %s\n", buf);
}

void kd_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void kd_info(const char *fmt, ...)
{
	if (!kd_verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

#define MAX_OWN_FDS 16
static int own_fds[MAX_OWN_FDS];
static int n_own_fds;

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
	if (top > 65536)
		top = 65536;
	long want = top - 1 - n_own_fds;
	int nfd = -1;
	if (want > fd && want > 2)
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, (int)want);
	if (nfd >= 0 && nfd != want) {
		close(nfd);
		nfd = -1;
	}
	if (nfd >= 0) {
		close(fd);
		fd = nfd;
	}
	if (n_own_fds < MAX_OWN_FDS)
		own_fds[n_own_fds++] = fd;
	return fd;
}

void kd_fd_forget(int fd)
{
	for (int i = 0; i < n_own_fds; i++)
		if (own_fds[i] == fd)
			own_fds[i] = own_fds[--n_own_fds];
}

int kd_fd_is_ours(long fd)
{
	for (int i = 0; i < n_own_fds; i++)
		if (own_fds[i] == fd)
			return 1;
	return 0;
}
