/* test_trace.c: exact strace-format lines from kd_trace_syscall / kd_trace_noreturn. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/futex.h>

#include "engine/trace.h"

#define ARGS(...) ((const uint64_t[6]){__VA_ARGS__})
#define P(x) ((uint64_t)(uintptr_t)(x))
/* Negative ints reach the tracer sign-extended, as in a register. */
#define I(x) ((uint64_t)(int64_t)(x))

/* Runs one trace call into a memory file and returns the text (caller frees). */
static char *capture(long nr, const uint64_t *args, long ret, int noreturn)
{
	int fd = memfd_create("trace", MFD_CLOEXEC);
	char *text = calloc(1, 65536);

	assert_true(fd >= 0 && text);
	kd_syscall_names_load();
	if (noreturn)
		kd_trace_noreturn(fd, nr, args);
	else
		kd_trace_syscall(fd, nr, args, ret);
	assert_true(pread(fd, text, 65535, 0) >= 0);
	close(fd);
	return text;
}

static void expect(const char *want, long nr, const uint64_t *args, long ret)
{
	char *got = capture(nr, args, ret, 0);

	assert_string_equal(got, want);
	free(got);
}

static void openat_fdcwd_flags(void **state)
{
	/* The mode argument is garbage here and must not be shown without O_CREAT. */
	expect("openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3\n", SYS_openat,
	       ARGS(I(AT_FDCWD), P("/etc/passwd"), O_RDONLY | O_CLOEXEC, 0777), 3);
	expect("openat(5, \"sub\", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 6\n", SYS_openat,
	       ARGS(5, P("sub"), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY), 6);
}

static void openat_creat_mode(void **state)
{
	expect("openat(AT_FDCWD, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4\n", SYS_openat,
	       ARGS(I(AT_FDCWD), P("out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644), 4);
	expect("open(\"x\", O_RDWR|O_CREAT|O_EXCL, 000) = 3\n", SYS_open,
	       ARGS(P("x"), O_RDWR | O_CREAT | O_EXCL, 0), 3);
}

static void read_truncated(void **state)
{
	const char *data = "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin\n";

	expect("read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 58\n", SYS_read,
	       ARGS(3, P(data), 4096), 58);
	/* Only the returned bytes are shown, not the buffer size. */
	expect("read(3, \"root\", 4096) = 4\n", SYS_read, ARGS(3, P(data), 4096), 4);
	expect("read(3, \"\", 4096) = 0\n", SYS_read, ARGS(3, P(data), 4096), 0);
}

static void read_error_shows_pointer(void **state)
{
	char buf[16], want[128];

	snprintf(want, sizeof(want),
		 "read(0, %p, 16) = -1 EAGAIN (Resource temporarily unavailable)\n", (void *)buf);
	expect(want, SYS_read, ARGS(0, P(buf), 16), -EAGAIN);
}

static void write_escapes(void **state)
{
	static const char data[] = "hi\t\"\\\n\033[\0"
				   "7\377\r";

	expect("write(1, \"hi\\t\\\"\\\\\\n\\33[\\0007\\377\\r\", 12) = 12\n", SYS_write,
	       ARGS(1, P(data), 12), 12);
}

static void write_exactly_32_is_not_cut(void **state)
{
	const char *s32 = "0123456789abcdef0123456789ABCDEF";

	expect("write(1, \"0123456789abcdef0123456789ABCDEF\", 32) = 32\n", SYS_write,
	       ARGS(1, P(s32), 32), 32);
	expect("write(1, \"0123456789abcdef0123456789ABCDEF\"..., 33) = 33\n", SYS_write,
	       ARGS(1, P("0123456789abcdef0123456789ABCDEFx"), 33), 33);
}

static void error_enoent(void **state)
{
	expect("openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)\n",
	       SYS_openat, ARGS(I(AT_FDCWD), P("/nope"), O_RDONLY), -ENOENT);
}

static void mmap_flags_hex_return(void **state)
{
	expect("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
	       "0x7f12345000\n",
	       SYS_mmap,
	       ARGS(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, I(-1), 0),
	       0x7f12345000);
	expect("mmap(0x7f0000000000, 4096, PROT_NONE, MAP_SHARED|MAP_FIXED, 3, 0x2000) = "
	       "-1 ENOMEM (Cannot allocate memory)\n",
	       SYS_mmap, ARGS(0x7f0000000000, 4096, PROT_NONE, MAP_SHARED | MAP_FIXED, 3, 0x2000),
	       -ENOMEM);
}

static void bad_pointer_is_hex(void **state)
{
	expect("openat(AT_FDCWD, 0x1, O_RDONLY) = -1 EFAULT (Bad address)\n", SYS_openat,
	       ARGS(I(AT_FDCWD), 1, O_RDONLY), -EFAULT);
	expect("write(1, 0x1, 5) = -1 EFAULT (Bad address)\n", SYS_write, ARGS(1, 1, 5), -EFAULT);
}

/* A string that ends at a page boundary with nothing mapped after it is still readable. */
static void string_at_page_end(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(munmap(m + pg, pg), 0);
	memcpy(m + pg - 4, "abc", 4);
	expect("unlink(\"abc\") = 0\n", SYS_unlink, ARGS(P(m + pg - 4)), 0);
	/* No NUL before the hole: unreadable, so the pointer is shown. */
	memcpy(m + pg - 3, "xyz", 3);
	char want[64];
	snprintf(want, sizeof(want), "unlink(%p) = 0\n", (void *)(m + pg - 3));
	expect(want, SYS_unlink, ARGS(P(m + pg - 3)), 0);
	munmap(m, pg);
}

static void null_pointer(void **state)
{
	expect("brk(NULL) = 0x55d2c000\n", SYS_brk, ARGS(0), 0x55d2c000);
	expect("utimensat(3, NULL, NULL, 0) = 0\n", SYS_utimensat, ARGS(3, 0, 0, 0), 0);
}

static void exit_group_noreturn(void **state)
{
	char *got = capture(SYS_exit_group, ARGS(0), 0, 1);

	assert_string_equal(got, "exit_group(0) = ?\n");
	free(got);
}

static void unknown_syscall(void **state)
{
	expect("syscall_0x3e8(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n", 1000,
	       ARGS(1, 2), -ENOSYS);
}

static void syscall_names(void **state)
{
	assert_string_equal(kd_syscall_name(0), "read");
	assert_string_equal(kd_syscall_name(SYS_openat), "openat");
	assert_null(kd_syscall_name(1000));
	assert_null(kd_syscall_name(-1));
}

static void sigprocmask_sets(void **state)
{
	uint64_t set = (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1));
	uint64_t old = ~(1ULL << 31 | 1ULL << 32); /* all but RTMIN and RT_1 */

	expect("rt_sigprocmask(SIG_BLOCK, [INT TERM], ~[RTMIN RT_1], 8) = 0\n", SYS_rt_sigprocmask,
	       ARGS(SIG_BLOCK, P(&set), P(&old), 8), 0);
	expect("rt_sigaction(SIGCHLD, NULL, NULL, 8) = 0\n", SYS_rt_sigaction,
	       ARGS(SIGCHLD, 0, 0, 8), 0);
}

static void pipe2_fd_pair(void **state)
{
	int fds[2] = {3, 4};

	expect("pipe2([3, 4], O_CLOEXEC) = 0\n", SYS_pipe2, ARGS(P(fds), O_CLOEXEC), 0);
}

static void execve_argv_envp(void **state)
{
	const char *argv[] = {"ls", "-l", NULL};
	const char *envp[] = {"A=1", "B=2", NULL};
	char want[160];

	snprintf(want, sizeof(want), "execve(\"/bin/ls\", [\"ls\", \"-l\"], %p /* 2 vars */) = 0\n",
		 (void *)envp);
	expect(want, SYS_execve, ARGS(P("/bin/ls"), P(argv), P(envp)), 0);
}

static void futex_and_fcntl_commands(void **state)
{
	expect("futex(0x1000, FUTEX_WAKE_PRIVATE, 2147483647) = 0\n", SYS_futex,
	       ARGS(0x1000, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0x7fffffff, 5, 6, 7), 0);
	expect("fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)\n", SYS_fcntl,
	       ARGS(3, F_GETFL, 99), 0x8002);
	expect("fcntl(3, F_SETFD, FD_CLOEXEC) = 0\n", SYS_fcntl, ARGS(3, F_SETFD, FD_CLOEXEC), 0);
}

static void no_args_and_clone(void **state)
{
	expect("getuid() = 1000\n", SYS_getuid, ARGS(0), 1000);
	expect("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
	       "child_tidptr=0x7f00aa) = 1234\n",
	       SYS_clone, ARGS(0x1200000 | SIGCHLD, 0, 0, 0x7f00aa, 0), 1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(openat_fdcwd_flags), cmocka_unit_test(openat_creat_mode),
	    cmocka_unit_test(read_truncated),	  cmocka_unit_test(read_error_shows_pointer),
	    cmocka_unit_test(write_escapes),	  cmocka_unit_test(write_exactly_32_is_not_cut),
	    cmocka_unit_test(error_enoent),	  cmocka_unit_test(mmap_flags_hex_return),
	    cmocka_unit_test(bad_pointer_is_hex), cmocka_unit_test(string_at_page_end),
	    cmocka_unit_test(null_pointer),	  cmocka_unit_test(exit_group_noreturn),
	    cmocka_unit_test(unknown_syscall),	  cmocka_unit_test(syscall_names),
	    cmocka_unit_test(sigprocmask_sets),	  cmocka_unit_test(pipe2_fd_pair),
	    cmocka_unit_test(execve_argv_envp),	  cmocka_unit_test(futex_and_fcntl_commands),
	    cmocka_unit_test(no_args_and_clone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
