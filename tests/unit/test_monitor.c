/*
 * test_monitor.c: the monitor's glue (src/engine/monitor.c) on real system calls, without
 * KVM. A struct kd_vm with no VM behind it says which pages are the program's (vm->target)
 * and which are kdune's (vm->host); kd_monitor_call and kd_monitor_opened then run the calls
 * on this machine's kernel as they would for a program inside.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "engine/syscall.h"
#include "vm/maps.h"
#include "base/log.h"

#define PAGE 4096
#define P(x) ((uint64_t)(uintptr_t)(x))
#define ARGS(...) ((const uint64_t[6]){__VA_ARGS__})

static struct kd_vm vm;
static struct kd_vcpu vcpu = {.vm = &vm};
static uint8_t *prog, *kd, *prog2; /* the program's page, kdune's, the program's */

static int setup(void **state)
{
	uint8_t *m =
	    mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 0, 3 * PAGE);
	prog = m;
	kd = m + PAGE;
	prog2 = m + 2 * PAGE;
	memset(kd, 0x5a, PAGE); /* kdune's bytes, which must never move */
	kd_lock_init(&vm.lock);
	assert_int_equal(kd_regions_add(&vm.target, P(prog), P(kd)), 0);
	assert_int_equal(kd_regions_add(&vm.target, P(prog2), P(prog2 + PAGE)), 0);
	assert_int_equal(kd_regions_add(&vm.host, P(kd), P(prog2)), 0);
	return 0;
}

static int teardown(void **state)
{
	kd_regions_free(&vm.target);
	kd_regions_free(&vm.host);
	munmap(prog, 3 * PAGE);
	return 0;
}

static bool kdune_intact(void)
{
	for (int i = 0; i < PAGE; i++)
		if (kd[i] != 0x5a)
			return false;
	return true;
}

static void test_monitor_common_call_left_to_dispatcher(void **state)
{
	long r = 0;
	assert_false(kd_monitor_call(&vcpu, SYS_write, ARGS(1, P(prog), 0), &r));
	assert_false(kd_monitor_call(&vcpu, SYS_getpid, ARGS(0), &r));
	assert_false(kd_monitor_call(&vcpu, KD_SYS_QUERY, ARGS(0), &r));
}

static void test_monitor_write_from_kdune_memory_faults(void **state)
{
	int p[2];
	long r;
	char c;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_true(kd_monitor_call(&vcpu, SYS_write, ARGS(p[1], P(kd), 64), &r));
	assert_int_equal(r, -EFAULT);
	assert_true(kd_monitor_call(&vcpu, SYS_write, ARGS(p[1], P(kd - 8), 16), &r));
	assert_int_equal(r, -EFAULT);
	assert_int_equal(read(p[0], &c, 1), -1); /* nothing of kdune's reached the pipe */
	assert_int_equal(errno, EAGAIN);
	close(p[0]);
	close(p[1]);
}

static void test_monitor_readv_runs_on_copies(void **state)
{
	int p[2];
	long r;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hello", 5), 5);
	struct iovec *iov = (struct iovec *)prog;
	*iov = (struct iovec){prog2, 64};
	assert_true(kd_monitor_call(&vcpu, SYS_readv, ARGS(p[0], P(iov), 1), &r));
	assert_int_equal(r, 5);
	assert_memory_equal(prog2, "hello", 5);

	assert_int_equal(write(p[1], "again", 5), 5);
	*iov = (struct iovec){kd, 64};
	assert_true(kd_monitor_call(&vcpu, SYS_readv, ARGS(p[0], P(iov), 1), &r));
	assert_int_equal(r, -EFAULT);
	assert_true(kdune_intact());
	close(p[0]);
	close(p[1]);
}

static void test_monitor_recvmsg_results_reach_program(void **state)
{
	int sv[2];
	long r;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(send(sv[0], "abc", 3, 0), 3);
	struct msghdr *m = (struct msghdr *)prog;
	struct iovec *iov = (struct iovec *)(prog + 128);
	*iov = (struct iovec){prog2, 2}; /* too short: the kernel says MSG_TRUNC */
	*m = (struct msghdr){.msg_iov = iov, .msg_iovlen = 1};
	assert_true(kd_monitor_call(&vcpu, SYS_recvmsg, ARGS(sv[1], P(m), 0), &r));
	assert_int_equal(r, 2);
	assert_int_equal(m->msg_flags, MSG_TRUNC);
	assert_ptr_equal(m->msg_iov, iov);
	assert_memory_equal(prog2, "ab", 2);
	close(sv[0]);
	close(sv[1]);
}

static void test_monitor_value_result_length_written_back(void **state)
{
	int sv[2];
	long r;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	socklen_t *len = (socklen_t *)prog;
	*len = 110;
	assert_true(kd_monitor_call(&vcpu, SYS_getsockname, ARGS(sv[0], P(prog2), P(len)), &r));
	assert_int_equal(r, 0);
	assert_int_equal(*len, sizeof(sa_family_t)); /* unnamed: the family only */
	*len = 110;
	assert_true(kd_monitor_call(&vcpu, SYS_getsockname, ARGS(sv[0], P(kd - 8), P(len)), &r));
	assert_int_equal(r, -EFAULT);
	assert_true(kdune_intact());
	close(sv[0]);
	close(sv[1]);
}

static void test_monitor_process_vm_into_kdune_faults(void **state)
{
	long r;
	struct iovec *local = (struct iovec *)prog, *remote = local + 1;
	memset(prog2, 0x11, 64);
	*local = (struct iovec){prog2, 64};
	*remote = (struct iovec){kd, 64};
	assert_true(kd_monitor_call(&vcpu, SYS_process_vm_writev,
				    ARGS(getpid(), P(local), 1, P(remote), 1, 0), &r));
	assert_int_equal(r, -EFAULT);
	assert_true(kd_monitor_call(&vcpu, SYS_process_vm_readv,
				    ARGS(getpid(), P(local), 1, P(remote), 1, 0), &r));
	assert_int_equal(r, -EFAULT);
	assert_true(kdune_intact());
	assert_int_equal(prog2[0], 0x11);
}

static void test_monitor_unknown_call_refused(void **state)
{
	long r;
	/* kdune's descriptors cannot be copied out through a pidfd of the process itself. */
	int fd = kd_fd_hide(dup(0));
	assert_true(kd_monitor_call(&vcpu, SYS_pidfd_getfd, ARGS(3, fd, 0), &r));
	assert_int_equal(r, -EBADF);
	kd_fd_forget(fd);
	close(fd);
	assert_false(kd_monitor_call(&vcpu, SYS_pidfd_getfd, ARGS(3, 0, 0), &r));
	assert_true(kd_monitor_call(&vcpu, 600, ARGS(0), &r));
	assert_int_equal(r, -ENOSYS);
	assert_true(kd_monitor_call(&vcpu, SYS_io_uring_setup, ARGS(8, P(prog)), &r));
	assert_int_equal(r, -ENOSYS);
}

static void test_monitor_path_next_to_kdune(void **state)
{
	long r;
	/* Ends 8 bytes before kdune's page: the kernel is given kdune's copy. */
	char *path = (char *)kd - 22;
	strcpy(path, "/etc/hostname");
	assert_true(kd_monitor_call(&vcpu, SYS_openat, ARGS(AT_FDCWD, P(path), O_RDONLY), &r));
	assert_true(r >= 0);
	close((int)r);
	/* Names syscall.c serves itself: left to it, with the program's own pointer. */
	strcpy(path, "/proc/self/cmdline");
	assert_false(kd_monitor_call(&vcpu, SYS_openat, ARGS(AT_FDCWD, P(path), O_RDONLY), &r));
	strcpy(path, "/proc/self/exe");
	assert_false(kd_monitor_call(&vcpu, SYS_readlink, ARGS(P(path), P(prog2), 64), &r));
	/* No NUL before kdune's page: the kernel would read kdune's bytes as the path. */
	memset(path, 'a', 22);
	assert_true(kd_monitor_call(&vcpu, SYS_openat, ARGS(AT_FDCWD, P(path), O_RDONLY), &r));
	assert_int_equal(r, -EFAULT);
}

static void test_monitor_proc_mem_refused(void **state)
{
	int fd = open("/proc/self/mem", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), -EACCES);
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed, not left to the program */
	fd = open("/proc/thread-self/mem", O_RDONLY);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), -EACCES);
	/* A file named like it, not on procfs, is just a file. */
	char dir[] = "/tmp/kd-monitor-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%d", dir, getpid());
	assert_int_equal(mkdir(path, 0700), 0);
	strcat(path, "/mem");
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), fd);
	close(fd);
	unlink(path);
	path[strlen(path) - 4] = 0;
	rmdir(path);
	rmdir(dir);
	/* Other files, and errors, pass through. */
	fd = open("/proc/self/status", O_RDONLY);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), fd);
	close(fd);
	assert_int_equal(kd_monitor_opened(&vcpu, -ENOENT), -ENOENT);
}

static void test_monitor_fd_listing_without_kdune_fds(void **state)
{
	/* kdune's descriptor at 63 (under a soft limit of 64), the program's 100 after it. */
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = (struct rlimit){64, old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int ours = kd_fd_hide(dup(0));
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(ours, 63);
	assert_int_equal(dup2(0, 100), 100);
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	assert_true(dir >= 0);
	int seen_ours = 0, seen_after = 0;
	long r;
	/* 32 bytes hold one record: one batch holds only kdune's entry, which must not end it. */
	while (kd_monitor_call(&vcpu, SYS_getdents64, ARGS(dir, P(prog2), 32), &r) && r > 0)
		for (long at = 0; at < r;) {
			uint16_t reclen;
			memcpy(&reclen, prog2 + at + 16, sizeof(reclen));
			const char *name = (const char *)prog2 + at + 19;
			seen_ours |= !strcmp(name, "63");
			seen_after |= !strcmp(name, "100");
			at += reclen;
		}
	assert_int_equal(r, 0);
	assert_true(seen_after);
	assert_false(seen_ours);
	close(dir);
	close(100);
	kd_fd_forget(ours);
	close(ours);
}

/* The text of fd from its start. */
static char *text_of(int fd)
{
	size_t cap = 1 << 20, n = 0;
	char *t = malloc(cap);
	ssize_t r;
	while ((r = read(fd, t + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	t[n] = 0;
	return t;
}

static void test_monitor_proc_self_maps_without_kdune(void **state)
{
	/* This test program's code mapping plays kdune's binary. */
	struct kd_mapping code;
	assert_int_equal(kd_maps_find(P(&text_of), &code), 0);
	assert_int_equal(kd_regions_add(&vm.host, code.start, code.end), 0);
	char line[64];
	snprintf(line, sizeof(line), "%llx-%llx ", (unsigned long long)code.start,
		 (unsigned long long)code.end);

	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), fd); /* same number */
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	char *t = text_of(fd);
	assert_null(strstr(t, line));
	assert_non_null(strstr(t, "[stack]"));
	free(t);
	close(fd);

	fd = open("/proc/self/maps", O_PATH);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), fd);
	char link[64], self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(self, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = 0;
	assert_non_null(strstr(link, "/maps")); /* still the kernel's file, not a memory file */
	close(fd);

	fd = open("/proc/self/smaps", O_RDONLY);
	assert_int_equal(kd_monitor_opened(&vcpu, fd), fd);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	t = text_of(fd);
	assert_null(strstr(t, line));
	assert_non_null(strstr(t, "Rss:"));
	free(t);
	close(fd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_monitor_common_call_left_to_dispatcher),
	    T(test_monitor_write_from_kdune_memory_faults),
	    T(test_monitor_readv_runs_on_copies),
	    T(test_monitor_recvmsg_results_reach_program),
	    T(test_monitor_value_result_length_written_back),
	    T(test_monitor_process_vm_into_kdune_faults),
	    T(test_monitor_unknown_call_refused),
	    T(test_monitor_path_next_to_kdune),
	    T(test_monitor_proc_mem_refused),
	    T(test_monitor_fd_listing_without_kdune_fds),
	    T(test_monitor_proc_self_maps_without_kdune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
