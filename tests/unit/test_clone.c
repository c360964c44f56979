/* Unit tests: clone-family arguments and the kernel's flag rules (kernel/fork.c). */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include <linux/sched.h>
#include "engine/process.h"
#include "vm/layout.h"

static long check_flags(uint64_t flags)
{
	struct kd_clone c = {.flags = flags};
	return kd_clone_check(&c);
}

static void test_clone_args_forms(void **state)
{
	struct kd_clone c;
	uint64_t none[6] = {0};
	assert_int_equal(kd_clone_args(NULL, SYS_fork, none, &c), 0);
	assert_int_equal(c.flags, 0);
	assert_int_equal(c.exit_signal, SIGCHLD);
	assert_int_equal(kd_clone_args(NULL, SYS_vfork, none, &c), 0);
	assert_int_equal(c.flags, CLONE_VM | CLONE_VFORK);
	/* clone(flags | exit signal, stack, parent_tid, child_tid, tls) */
	uint64_t a[6] = {CLONE_VM | CLONE_FS | SIGCHLD, 0x7000, 0x100, 0x200, 0x300};
	assert_int_equal(kd_clone_args(NULL, SYS_clone, a, &c), 0);
	assert_int_equal(c.flags, CLONE_VM | CLONE_FS);
	assert_int_equal(c.exit_signal, SIGCHLD);
	assert_int_equal(c.stack, 0x7000);
	assert_int_equal(c.parent_tid, 0x100);
	assert_int_equal(c.child_tid, 0x200);
	assert_int_equal(c.tls, 0x300);
	/* CLONE_PIDFD shares parent_tid's argument: both at once is EINVAL. */
	uint64_t b[6] = {CLONE_PIDFD | CLONE_PARENT_SETTID};
	assert_int_equal(kd_clone_args(NULL, SYS_clone, b, &c), -EINVAL);
}

static void test_clone_check_kernel_rules(void **state)
{
	uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
	assert_int_equal(check_flags(thread), 0);
	assert_int_equal(check_flags(0), 0);				 /* fork */
	assert_int_equal(check_flags(CLONE_VM | CLONE_VFORK), 0);	 /* vfork, posix_spawn */
	assert_int_equal(check_flags(CLONE_THREAD | CLONE_VM), -EINVAL); /* no SIGHAND */
	assert_int_equal(check_flags(CLONE_SIGHAND), -EINVAL);		 /* no VM */
	assert_int_equal(check_flags(CLONE_PIDFD | thread), -EINVAL);
	struct kd_clone tls = {.flags = CLONE_SETTLS, .tls = KD_USER_TOP};
	assert_int_equal(kd_clone_check(&tls), -EPERM);
}

static void test_clone_check_unsupported(void **state)
{
	/* What kdune does not do yet is ENOSYS, never a silent different result. */
	assert_int_equal(check_flags(CLONE_NEWUSER), -ENOSYS);
	assert_int_equal(check_flags(CLONE_PARENT), -ENOSYS);
	assert_int_equal(check_flags(CLONE_FILES), -ENOSYS); /* without CLONE_VM */
	assert_int_equal(check_flags(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK),
			 -ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clone_args_forms),
	    cmocka_unit_test(test_clone_check_kernel_rules),
	    cmocka_unit_test(test_clone_check_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
