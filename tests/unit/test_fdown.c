/*
 * Unit tests: kdune's own descriptors (VM, vCPUs, trace) do not exist for the target:
 * they sit under RLIMIT_NOFILE, and the dispatcher refuses them with EBADF.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/log.h"
#include "engine/syscall.h"

static void test_fdown_hidden_high(void **state)
{
	struct rlimit rl = {64, 64};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	int fd = open("/dev/null", O_RDONLY);
	int low = fd;
	fd = kd_fd_hide(fd);
	/* Out of the way of lowest-free allocation: the target's next open gets `low`. */
	assert_true(fd > low && fd < 64);
	assert_true(kd_fd_is_ours(fd));
	assert_false(kd_fd_is_ours(low));
	int again = open("/dev/null", O_RDONLY);
	assert_int_equal(again, low);
	close(again);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	kd_fd_forget(fd);
	assert_false(kd_fd_is_ours(fd));
	close(fd);
}

static void test_fdown_dispatch_refuses_ours(void **state)
{
	struct kd_vm vm = {.trace_fd = -1};
	struct kd_vcpu v = {.vm = &vm, .fd = -1};
	int fd = kd_fd_hide(open("/dev/null", O_RDONLY));
	struct stat st;
	uint64_t close_a[6] = {(uint64_t)fd};
	uint64_t fstat_a[6] = {(uint64_t)fd, (uint64_t)&st};
	uint64_t dup2_a[6] = {0, (uint64_t)fd};
	uint64_t openat_a[6] = {(uint64_t)fd, (uint64_t) "x", O_RDONLY};
	assert_int_equal(kd_syscall_dispatch(&v, SYS_close, close_a), -EBADF);
	assert_int_equal(kd_syscall_dispatch(&v, SYS_fstat, fstat_a), -EBADF);
	assert_int_equal(kd_syscall_dispatch(&v, SYS_dup2, dup2_a), -EBADF);
	assert_int_equal(kd_syscall_dispatch(&v, SYS_openat, openat_a), -EBADF);
	assert_int_equal(fcntl(fd, F_GETFD) >= 0, 1); /* still open for kdune */
	/* close_range closes the target's descriptors around it. */
	int a = open("/dev/null", O_RDONLY);
	uint64_t range[6] = {(uint64_t)a, (uint64_t)fd + 1, 0};
	assert_int_equal(kd_syscall_dispatch(&v, SYS_close_range, range), 0);
	assert_int_equal(fcntl(a, F_GETFD), -1);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	/* The same calls on the target's own descriptors go through. */
	int mine = open("/dev/null", O_RDONLY);
	uint64_t fstat_mine[6] = {(uint64_t)mine, (uint64_t)&st};
	assert_int_equal(kd_syscall_dispatch(&v, SYS_fstat, fstat_mine), 0);
	kd_fd_forget(fd);
	close(fd);
	close(mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdown_hidden_high),
	    cmocka_unit_test(test_fdown_dispatch_refuses_ours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
