/*
 * test_ptrcheck.c: the pointer checker (src/engine/ptrcheck.c) for every class of call.
 *
 * Memory here is three pages: the program's, kdune's, the program's again. The checker sees
 * kdune's page only through the predicate, as it sees vm->host under kdune, so the tests need
 * no KVM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <linux/futex.h>

#include "engine/ptrcheck.h"

#define PAGE 4096
#define P(x) ((uint64_t)(uintptr_t)(x))
#define ARGS(...) ((const uint64_t[6]){__VA_ARGS__})

static uint8_t *mem;   /* three pages */
static uint8_t *prog;  /* page 0: the program's */
static uint8_t *kd;    /* page 1: kdune's */
static uint8_t *prog2; /* page 2: the program's */
static int lookups;    /* predicate calls, to show the common path costs one each */

static bool ours(void *ctx, uint64_t s, uint64_t e)
{
	lookups++;
	return s < P(kd) + PAGE && e > P(kd);
}

static int copy_in(void *ctx, void *dst, uint64_t src, size_t n)
{
	if (!src || ours(ctx, src, src + n))
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)src, n);
	return 0;
}

static int copy_out(void *ctx, uint64_t dst, const void *src, size_t n)
{
	if (!dst || ours(ctx, dst, dst + n))
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}

static const struct kd_ptrenv env = {ours, copy_in, copy_out, NULL};

static int setup(void **state)
{
	mem = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	prog = mem;
	kd = mem + PAGE;
	prog2 = mem + 2 * PAGE;
	memset(mem, 0, 3 * PAGE);
	lookups = 0;
	return 0;
}

static int teardown(void **state)
{
	munmap(mem, 3 * PAGE);
	return 0;
}

/* Checks a call that must not be forwarded and returns its errno. */
static long check(long nr, const uint64_t *a)
{
	struct kd_ptrcall c;
	long r = kd_ptrcheck(&env, nr, a, &c);
	if (r == 0 && c.copied)
		kd_ptrcheck_finish(&env, &c, -EINTR);
	return r;
}

static void test_ptrcheck_buffer_in_program_passes_with_one_lookup(void **state)
{
	struct kd_ptrcall c;
	const uint64_t *a = ARGS(0, P(prog), 64);
	assert_int_equal(kd_ptrcheck(&env, SYS_read, a, &c), 0);
	assert_false(c.copied);
	assert_memory_equal(c.a, a, sizeof(c.a));
	assert_int_equal(lookups, 1);
}

static void test_ptrcheck_buffer_in_kdune_faults(void **state)
{
	assert_int_equal(check(SYS_write, ARGS(1, P(kd), 64)), -EFAULT);
	assert_int_equal(check(SYS_read, ARGS(0, P(kd + 100), 16)), -EFAULT);
	assert_int_equal(check(SYS_pread64, ARGS(0, P(kd), 1, 0)), -EFAULT);
	assert_int_equal(check(SYS_sendto, ARGS(3, P(kd), 8, 0, 0, 0)), -EFAULT);
	assert_int_equal(check(SYS_getrandom, ARGS(P(kd), 8, 0)), -EFAULT);
}

static void test_ptrcheck_buffer_length_reaching_kdune_faults(void **state)
{
	/* Starts in the program's page, ends in kdune's: the length decides. */
	assert_int_equal(check(SYS_read, ARGS(0, P(kd - 16), 17)), -EFAULT);
	assert_int_equal(check(SYS_read, ARGS(0, P(kd - 16), 16)), 0);
	assert_int_equal(check(SYS_write, ARGS(1, P(prog), 3 * PAGE)), -EFAULT);
	/* Zero bytes touch nothing; a wrapping length is nobody's memory. */
	assert_int_equal(check(SYS_write, ARGS(1, P(kd), 0)), 0);
	assert_int_equal(check(SYS_write, ARGS(1, P(prog), UINT64_MAX)), -EFAULT);
}

static void test_ptrcheck_fixed_structs_checked_whole(void **state)
{
	/* struct stat is 144 bytes: one that ends at kdune's first byte is the program's. */
	assert_int_equal(check(SYS_fstat, ARGS(0, P(kd - 144))), 0);
	assert_int_equal(check(SYS_fstat, ARGS(0, P(kd - 143))), -EFAULT);
	assert_int_equal(check(SYS_clock_gettime, ARGS(0, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_prlimit64, ARGS(0, 7, 0, P(kd - 8))), -EFAULT);
	assert_int_equal(check(SYS_prlimit64, ARGS(0, 7, P(kd + PAGE), 0)), 0);
	assert_int_equal(check(SYS_epoll_ctl, ARGS(3, 1, 4, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_timer_create, ARGS(0, P(kd), P(prog))), -EFAULT);
	assert_int_equal(check(SYS_wait4, ARGS(-1, 0, 0, P(kd))), -EFAULT);
	/* NULL is "none" for optional structures; the kernel decides. */
	assert_int_equal(check(SYS_nanosleep, ARGS(P(prog), 0)), 0);
}

static void test_ptrcheck_registered_pointers_checked(void **state)
{
	assert_int_equal(check(SYS_set_tid_address, ARGS(P(kd))), -EFAULT);
	assert_int_equal(check(SYS_set_robust_list, ARGS(P(kd - 8), 24)), -EFAULT);
	assert_int_equal(check(SYS_set_robust_list, ARGS(P(prog), 24)), 0);
	assert_int_equal(check(SYS_sigaltstack, ARGS(P(kd), 0)), -EFAULT);
	assert_int_equal(check(SYS_sigaltstack, ARGS(0, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_futex, ARGS(P(kd), FUTEX_WAKE, 1)), -EFAULT);
}

static void test_ptrcheck_paths(void **state)
{
	struct kd_ptrcall c;
	assert_int_equal(check(SYS_open, ARGS(P(kd), O_RDONLY)), -EFAULT);
	assert_int_equal(check(SYS_rename, ARGS(P(prog2), P(kd))), -EFAULT);

	/* Far from kdune: no copy. */
	strcpy((char *)prog2 + 100, "/etc/hostname");
	assert_int_equal(kd_ptrcheck(&env, SYS_open, ARGS(P(prog2 + 100), 0), &c), 0);
	assert_false(c.copied);

	/* Ends just before kdune's page: given to the kernel as kdune's copy. */
	char *near = (char *)kd - 6;
	strcpy(near, "/tmp");
	assert_int_equal(kd_ptrcheck(&env, SYS_openat, ARGS(-100, P(near), 0), &c), 0);
	assert_true(c.copied);
	assert_true(c.a[1] != P(near));
	assert_string_equal((char *)(uintptr_t)c.a[1], "/tmp");
	near[0] = 'X'; /* the program changing it afterwards changes nothing */
	assert_string_equal((char *)(uintptr_t)c.a[1], "/tmp");
	kd_ptrcheck_finish(&env, &c, 3);

	/* Would run on into kdune's page: the kernel would read kdune's bytes as the path. */
	memset(kd - 6, 'a', 6);
	assert_int_equal(check(SYS_mkdir, ARGS(P(kd - 6), 0700)), -EFAULT);
}

static void test_ptrcheck_iovec_copied_and_each_buffer_checked(void **state)
{
	struct kd_ptrcall c;
	struct iovec *iov = (struct iovec *)prog;
	iov[0] = (struct iovec){prog + 512, 64};
	iov[1] = (struct iovec){prog2, 128};
	assert_int_equal(kd_ptrcheck(&env, SYS_readv, ARGS(0, P(iov), 2), &c), 0);
	assert_true(c.copied);
	struct iovec *copy = (struct iovec *)(uintptr_t)c.a[1];
	assert_true(copy != iov);
	iov[1].iov_base = kd; /* another thread, after the check: the kernel reads the copy */
	assert_ptr_equal(copy[1].iov_base, prog2);
	assert_int_equal(kd_ptrcheck_finish(&env, &c, 192), 192);

	assert_int_equal(check(SYS_readv, ARGS(0, P(iov), 2)), -EFAULT);
	iov[1] = (struct iovec){kd - 8, 16}; /* its length reaches kdune */
	assert_int_equal(check(SYS_writev, ARGS(1, P(iov), 2)), -EFAULT);
	assert_int_equal(check(SYS_preadv2, ARGS(0, P(iov), 2, 0, 0, 0)), -EFAULT);
	assert_int_equal(check(SYS_pwritev, ARGS(0, P(iov), 2, 0, 0)), -EFAULT);
	assert_int_equal(check(SYS_vmsplice, ARGS(0, P(iov), 2, 0)), -EFAULT);
	/* The array itself in kdune's memory; more entries than the kernel takes. */
	assert_int_equal(check(SYS_readv, ARGS(0, P(kd), 1)), -EFAULT);
	assert_int_equal(check(SYS_readv, ARGS(0, P(prog), KD_PTR_IOV_MAX + 1)), -EINVAL);
}

static void test_ptrcheck_process_vm_checks_remote_iovecs(void **state)
{
	struct iovec *local = (struct iovec *)prog, *remote = local + 1;
	*local = (struct iovec){prog2, 64};
	*remote = (struct iovec){prog2 + 64, 64};
	assert_int_equal(check(SYS_process_vm_readv, ARGS(1, P(local), 1, P(remote), 1, 0)), 0);
	*remote = (struct iovec){kd, 64}; /* its own pid: the remote side is kdune's memory */
	assert_int_equal(check(SYS_process_vm_readv, ARGS(1, P(local), 1, P(remote), 1, 0)),
			 -EFAULT);
	assert_int_equal(check(SYS_process_vm_writev, ARGS(1, P(local), 1, P(remote), 1, 0)),
			 -EFAULT);
	*remote = (struct iovec){prog2, 64};
	*local = (struct iovec){kd, 64};
	assert_int_equal(check(SYS_process_vm_writev, ARGS(1, P(local), 1, P(remote), 1, 0)),
			 -EFAULT);
}

static void test_ptrcheck_msghdr_name_control_iov(void **state)
{
	struct kd_ptrcall c;
	struct msghdr *m = (struct msghdr *)prog;
	struct iovec *iov = (struct iovec *)(prog + 256);
	*iov = (struct iovec){prog2, 100};
	*m = (struct msghdr){.msg_name = prog + 512,
			     .msg_namelen = 16,
			     .msg_iov = iov,
			     .msg_iovlen = 1,
			     .msg_control = prog + 1024,
			     .msg_controllen = 64};
	assert_int_equal(kd_ptrcheck(&env, SYS_recvmsg, ARGS(3, P(m), 0), &c), 0);
	assert_true(c.copied);
	struct msghdr *km = (struct msghdr *)(uintptr_t)c.a[1];
	assert_true(km != m && km->msg_iov != iov);
	/* What the kernel writes into the copy goes back to the program's msghdr. */
	km->msg_namelen = 8;
	km->msg_controllen = 24;
	km->msg_flags = MSG_TRUNC;
	assert_int_equal(kd_ptrcheck_finish(&env, &c, 100), 100);
	assert_int_equal(m->msg_namelen, 8);
	assert_int_equal(m->msg_controllen, 24);
	assert_int_equal(m->msg_flags, MSG_TRUNC);
	assert_ptr_equal(m->msg_iov, iov); /* the program's pointers are left alone */

	m->msg_name = kd;
	assert_int_equal(check(SYS_sendmsg, ARGS(3, P(m), 0)), -EFAULT);
	m->msg_name = prog + 512;
	m->msg_control = kd - 10; /* 64 bytes from 10 before kdune */
	assert_int_equal(check(SYS_sendmsg, ARGS(3, P(m), 0)), -EFAULT);
	m->msg_control = prog + 1024;
	iov->iov_base = kd;
	assert_int_equal(check(SYS_recvmsg, ARGS(3, P(m), 0)), -EFAULT);
	iov->iov_base = prog2;
	m->msg_iovlen = KD_PTR_IOV_MAX + 1;
	assert_int_equal(check(SYS_sendmsg, ARGS(3, P(m), 0)), -EMSGSIZE);
	assert_int_equal(check(SYS_sendmsg, ARGS(3, P(kd), 0)), -EFAULT);
}

static void test_ptrcheck_mmsghdr_every_message(void **state)
{
	struct kd_ptrcall c;
	struct mmsghdr *mm = (struct mmsghdr *)prog;
	struct iovec *iov = (struct iovec *)(prog + 512);
	iov[0] = (struct iovec){prog2, 10};
	iov[1] = (struct iovec){prog2 + 10, 10};
	mm[0] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[0], .msg_iovlen = 1}};
	mm[1] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[1], .msg_iovlen = 1}};
	assert_int_equal(kd_ptrcheck(&env, SYS_recvmmsg, ARGS(3, P(mm), 2, 0, 0), &c), 0);
	struct mmsghdr *k = (struct mmsghdr *)(uintptr_t)c.a[1];
	k[0].msg_len = 7;
	k[1].msg_len = 9;
	assert_int_equal(kd_ptrcheck_finish(&env, &c, 2), 2);
	assert_int_equal(mm[0].msg_len, 7);
	assert_int_equal(mm[1].msg_len, 9);

	iov[1].iov_base = kd;
	assert_int_equal(check(SYS_sendmmsg, ARGS(3, P(mm), 2, 0)), -EFAULT);
	assert_int_equal(check(SYS_sendmmsg, ARGS(3, P(mm), 1, 0)), 0);
	assert_int_equal(check(SYS_recvmmsg, ARGS(3, P(mm), 1, 0, P(kd))), -EFAULT);
}

static void test_ptrcheck_value_result_lengths(void **state)
{
	struct kd_ptrcall c;
	socklen_t *len = (socklen_t *)prog;
	*len = 16;
	assert_int_equal(kd_ptrcheck(&env, SYS_accept4, ARGS(3, P(kd - 16), P(len), 0), &c), 0);
	assert_true(c.copied);
	assert_true(c.a[2] != P(len)); /* the kernel uses the length that was checked */
	*(int *)(uintptr_t)c.a[2] = 12;
	assert_int_equal(kd_ptrcheck_finish(&env, &c, 4), 4);
	assert_int_equal(*len, 12);

	*len = 17;
	assert_int_equal(check(SYS_accept, ARGS(3, P(kd - 16), P(len))), -EFAULT);
	assert_int_equal(check(SYS_getsockname, ARGS(3, P(prog2), P(kd))), -EFAULT);
	assert_int_equal(check(SYS_recvfrom, ARGS(3, P(prog2), 8, 0, P(kd - 16), P(len))), -EFAULT);
	*len = 4;
	assert_int_equal(check(SYS_getsockopt, ARGS(3, 1, 7, P(kd), P(len))), -EFAULT);
	assert_int_equal(check(SYS_getsockopt, ARGS(3, 1, 7, P(prog2), P(len))), 0);
}

static void test_ptrcheck_command_dependent_pointers(void **state)
{
	/* futex: the timeout and the second futex only for the operations that use them. */
	assert_int_equal(check(SYS_futex, ARGS(P(prog), FUTEX_WAIT, 0, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_futex, ARGS(P(prog), FUTEX_WAKE, 1, P(kd), P(kd))), 0);
	assert_int_equal(check(SYS_futex, ARGS(P(prog), FUTEX_CMP_REQUEUE, 1, 1, P(kd))), -EFAULT);
	/* fcntl: struct flock for the lock commands, an integer otherwise. */
	assert_int_equal(check(SYS_fcntl, ARGS(3, F_GETLK, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_fcntl, ARGS(3, F_SETFL, P(kd))), 0);
	/* prctl */
	assert_int_equal(check(SYS_prctl, ARGS(PR_GET_NAME, P(kd - 8))), -EFAULT);
	assert_int_equal(check(SYS_prctl, ARGS(PR_SET_PDEATHSIG, P(kd))), 0);
	assert_int_equal(check(SYS_prctl, ARGS(PR_SET_MM, 8, P(prog))), -EPERM);
	/* ioctl: the size in the request, or a span for legacy requests. */
	assert_int_equal(check(SYS_ioctl, ARGS(0, _IOR('x', 1, uint64_t[4]), P(kd - 31))), -EFAULT);
	assert_int_equal(check(SYS_ioctl, ARGS(0, _IOR('x', 1, uint64_t[4]), P(kd - 32))), 0);
	assert_int_equal(check(SYS_ioctl, ARGS(0, TCGETS, P(kd - 8))), -EFAULT);
	assert_int_equal(check(SYS_ioctl, ARGS(0, TCFLSH, 2)), 0);
	assert_int_equal(check(SYS_ioctl, ARGS(5, _IO(0xAE, 0x46), P(prog))), -ENOTTY);
	/* SIOCGIFCONF: the buffer inside struct ifconf. */
	struct ifc {
		int len;
		void *buf;
	} *ifc = (struct ifc *)prog;
	*ifc = (struct ifc){64, kd};
	assert_int_equal(check(SYS_ioctl, ARGS(3, 0x8912, P(ifc))), -EFAULT);
	/* System V IPC */
	assert_int_equal(check(SYS_shmctl, ARGS(1, 2 /* IPC_STAT */, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_shmctl, ARGS(1, 0 /* IPC_RMID */, P(kd))), 0);
	/* struct msgbuf: an 8-byte type, then the text. */
	assert_int_equal(check(SYS_msgsnd, ARGS(1, P(kd - 16), 9, 0)), -EFAULT);
	assert_int_equal(check(SYS_msgrcv, ARGS(1, P(kd - 16), 8, 0, 0)), 0);
	/* arch_prctl: kdune's own, but the XCOMP queries it forwards write a u64. */
	assert_int_equal(check(SYS_arch_prctl, ARGS(0x1022, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_arch_prctl, ARGS(0x1002 /* SET_FS */, P(kd))), 0);
}

static void test_ptrcheck_structures_holding_pointers(void **state)
{
	/* pselect6's {sigset_t *, size}: copied, the sigset pointer checked. */
	uint64_t *pair = (uint64_t *)prog;
	pair[0] = P(kd);
	pair[1] = 8;
	assert_int_equal(check(SYS_pselect6, ARGS(1, 0, 0, 0, 0, P(pair))), -EFAULT);
	pair[0] = P(prog2);
	assert_int_equal(check(SYS_pselect6, ARGS(1, 0, 0, 0, 0, P(pair))), 0);
	/* select's fd_sets: nfds bits, whole longs. */
	assert_int_equal(check(SYS_select, ARGS(65, P(kd - 8), 0, 0, 0)), -EFAULT);
	assert_int_equal(check(SYS_select, ARGS(64, P(kd - 8), 0, 0, 0)), 0);
	/* mq_notify with SIGEV_THREAD: the kernel reads a 32-byte cookie at sival_ptr. */
	struct sigevent *ev = (struct sigevent *)(prog + 64);
	memset(ev, 0, sizeof(*ev));
	ev->sigev_notify = SIGEV_THREAD;
	ev->sigev_value.sival_ptr = kd - 16;
	assert_int_equal(check(SYS_mq_notify, ARGS(3, P(ev))), -EFAULT);
	ev->sigev_notify = SIGEV_SIGNAL; /* then it is an opaque value */
	assert_int_equal(check(SYS_mq_notify, ARGS(3, P(ev))), 0);
	/* SO_ATTACH_FILTER's struct sock_fprog */
	struct {
		unsigned short len;
		void *filter;
	} *fprog = (void *)(prog + 256);
	fprog->len = 4;
	fprog->filter = kd - 8;
	assert_int_equal(check(SYS_setsockopt, ARGS(3, SOL_SOCKET, SO_ATTACH_FILTER, P(fprog), 16)),
			 -EFAULT);
	fprog->filter = prog2;
	assert_int_equal(check(SYS_setsockopt, ARGS(3, SOL_SOCKET, SO_ATTACH_FILTER, P(fprog), 16)),
			 0);
}

static void test_ptrcheck_address_ranges_enomem(void **state)
{
	/* As natively for a range with nothing mapped in it. */
	assert_int_equal(check(SYS_mincore, ARGS(P(kd), PAGE, P(prog))), -ENOMEM);
	assert_int_equal(check(SYS_mincore, ARGS(P(prog), PAGE, P(kd))), -EFAULT);
	assert_int_equal(check(SYS_mincore, ARGS(P(prog), PAGE, P(prog2))), 0);
	assert_int_equal(check(SYS_mbind, ARGS(P(prog), 2 * PAGE, 0, 0, 0, 0)), -ENOMEM);
	assert_int_equal(check(462 /* mseal */, ARGS(P(kd), PAGE, 0)), -ENOMEM);
	assert_int_equal(check(SYS_prctl, ARGS(0x53564d41, 0, P(kd), PAGE, 0)), -ENOMEM);
}

static void test_ptrcheck_refused_and_unknown_calls(void **state)
{
	assert_int_equal(check(SYS_io_uring_setup, ARGS(8, P(prog))), -ENOSYS);
	assert_int_equal(check(SYS_io_setup, ARGS(8, P(prog))), -ENOSYS);
	assert_int_equal(check(SYS_io_submit, ARGS(0, 1, P(prog))), -ENOSYS);
	assert_int_equal(check(SYS_ptrace, ARGS(0 /* PTRACE_TRACEME */, 0, 0, 0)), -EPERM);
	assert_int_equal(check(SYS_userfaultfd, ARGS(0)), -EPERM);
	assert_int_equal(check(SYS_bpf, ARGS(0, P(prog), 64)), -EPERM);
	assert_int_equal(check(SYS_perf_event_open, ARGS(P(prog), 0, -1, -1, 0)), -EACCES);
	assert_int_equal(check(SYS_futex_waitv, ARGS(P(prog), 1, 0, 0, 0)), -ENOSYS);
	assert_int_equal(check(600, ARGS(0)), -ENOSYS);
	assert_int_equal(check(-1, ARGS(0)), -ENOSYS);
	assert_false(kd_ptrcheck_known(600));
}

static void test_ptrcheck_own_calls_left_to_kdune(void **state)
{
	/* kdune executes these itself through kd_copy_from_user/kd_copy_to_user. */
	assert_int_equal(check(SYS_rt_sigaction, ARGS(SIGINT, P(kd), P(kd), 8)), 0);
	assert_int_equal(check(SYS_clone3, ARGS(P(kd), 88)), 0);
	assert_int_equal(check(SYS_execve, ARGS(P(kd), P(kd), P(kd))), 0);
	assert_int_equal(check(SYS_mprotect, ARGS(P(kd), PAGE, PROT_READ)), 0);
	assert_int_equal(check(SYS_getpid, ARGS(0)), 0);
}

static void test_ptrcheck_every_x86_64_syscall_has_a_row(void **state)
{
	/* 0..334 and 424..456: every number the kernel and libseccomp know up to 6.8. */
	for (long nr = 0; nr <= 334; nr++)
		assert_true(kd_ptrcheck_known(nr));
	for (long nr = 424; nr <= 456; nr++)
		assert_true(kd_ptrcheck_known(nr));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_ptrcheck_buffer_in_program_passes_with_one_lookup),
	    T(test_ptrcheck_buffer_in_kdune_faults),
	    T(test_ptrcheck_buffer_length_reaching_kdune_faults),
	    T(test_ptrcheck_fixed_structs_checked_whole),
	    T(test_ptrcheck_registered_pointers_checked),
	    T(test_ptrcheck_paths),
	    T(test_ptrcheck_iovec_copied_and_each_buffer_checked),
	    T(test_ptrcheck_process_vm_checks_remote_iovecs),
	    T(test_ptrcheck_msghdr_name_control_iov),
	    T(test_ptrcheck_mmsghdr_every_message),
	    T(test_ptrcheck_value_result_lengths),
	    T(test_ptrcheck_command_dependent_pointers),
	    T(test_ptrcheck_structures_holding_pointers),
	    T(test_ptrcheck_address_ranges_enomem),
	    T(test_ptrcheck_refused_and_unknown_calls),
	    T(test_ptrcheck_own_calls_left_to_kdune),
	    T(test_ptrcheck_every_x86_64_syscall_has_a_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
