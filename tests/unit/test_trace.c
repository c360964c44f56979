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

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "engine/trace.h"
#include "engine/trace_events.h"

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

/* ---- structures (reference: strace 6.1's lines for the same calls) ---- */

static void stat_abbreviated(void **state)
{
	struct stat st = {.st_mode = S_IFREG | 0755, .st_size = 3};

	expect("newfstatat(AT_FDCWD, \"/etc/hostname\", {st_mode=S_IFREG|0755, st_size=3, ...}, 0) "
	       "= 0\n",
	       SYS_newfstatat, ARGS(I(AT_FDCWD), P("/etc/hostname"), P(&st), 0), 0);
	st = (struct stat){.st_mode = S_IFDIR | S_ISVTX | 0777, .st_size = 4096};
	expect("stat(\"/tmp\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}) = 0\n", SYS_stat,
	       ARGS(P("/tmp"), P(&st)), 0);
	/* Devices show their number instead of a size. */
	st = (struct stat){.st_mode = S_IFCHR | 0666, .st_rdev = makedev(1, 3)};
	expect("fstat(0, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0\n", SYS_fstat,
	       ARGS(0, P(&st)), 0);
	/* Failed: the kernel filled nothing, so the pointer. */
	char want[96];
	snprintf(want, sizeof(want), "fstat(9, %p) = -1 EBADF (Bad file descriptor)\n",
		 (void *)&st);
	expect(want, SYS_fstat, ARGS(9, P(&st)), -EBADF);
}

/* The kernel's struct sigaction on x86-64: handler, flags, restorer, mask. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
struct ksa {
	uint64_t handler, flags, restorer, mask;
};

static void sigaction_decoded(void **state)
{
	struct ksa act = {0x561df6b3f229, SA_RESTORER | SA_RESTART, 0x7f7eabaf5050,
			  1ULL << (SIGTERM - 1)};
	expect("rt_sigaction(SIGUSR1, {sa_handler=0x561df6b3f229, sa_mask=[TERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f7eabaf5050}, NULL, 8) = 0\n",
	       SYS_rt_sigaction, ARGS(SIGUSR1, P(&act), 0, 8), 0);
	struct ksa ign = {(uint64_t)(uintptr_t)SIG_IGN, SA_RESTORER, 0x7f65c3dcc050, 0};
	struct ksa old = {(uint64_t)(uintptr_t)SIG_DFL, 0, 0, 0};
	expect(
	    "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, "
	    "sa_restorer=0x7f65c3dcc050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0\n",
	    SYS_rt_sigaction, ARGS(SIGPIPE, P(&ign), P(&old), 8), 0);
}

static void fadvise_advice(void **state)
{
	expect("fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL) = 0\n", SYS_fadvise64,
	       ARGS(3, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
	expect(
	    "fadvise64(3, 4096, 8192, 0x9 /* POSIX_FADV_??? */) = -1 EINVAL (Invalid argument)\n",
	    SYS_fadvise64, ARGS(3, 4096, 8192, 9), -EINVAL);
}

static void iovec_in_and_out(void **state)
{
	struct iovec w[2] = {{"hi", 2}, {"\n", 1}};
	expect("writev(1, [{iov_base=\"hi\", iov_len=2}, {iov_base=\"\\n\", iov_len=1}], 2) = 3\n",
	       SYS_writev, ARGS(1, P(w), 2), 3);
	/* A read shows what it returned: 3 bytes over two buffers of 2 and 10. */
	char a[2] = {'v', 'm'}, b[10] = "\n";
	struct iovec r[2] = {{a, 2}, {b, 10}};
	expect("readv(3, [{iov_base=\"vm\", iov_len=2}, {iov_base=\"\\n\", iov_len=10}], 2) = 3\n",
	       SYS_readv, ARGS(3, P(r), 2), 3);
}

static void sockaddr_families(void **state)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	expect("connect(3, {sa_family=AF_INET, sin_port=htons(9), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)\n",
	       SYS_connect, ARGS(3, P(&in), sizeof(in)), -ECONNREFUSED);
	struct sockaddr_un un = {.sun_family = AF_UNIX, .sun_path = "/nonexistent/sock"};
	expect("connect(4, {sa_family=AF_UNIX, sun_path=\"/nonexistent/sock\"}, 110) = -1 ENOENT "
	       "(No such file or directory)\n",
	       SYS_connect, ARGS(4, P(&un), sizeof(un)), -ENOENT);
	struct sockaddr_un ab = {.sun_family = AF_UNIX};
	memcpy(ab.sun_path, "\0abstract", 9);
	expect("bind(4, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = 0\n", SYS_bind,
	       ARGS(4, P(&ab), offsetof(struct sockaddr_un, sun_path) + 9), 0);
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	expect("connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
	       "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0\n",
	       SYS_connect, ARGS(5, P(&in6), sizeof(in6)), 0);
	inet_pton(AF_INET6, "2001:db8:0:0:1:0:0:1", &in6.sin6_addr);
	expect(
	    "connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
	    "inet_pton(AF_INET6, \"2001:db8::1:0:0:1\", &sin6_addr), sin6_scope_id=0}, 28) = 0\n",
	    SYS_connect, ARGS(5, P(&in6), sizeof(in6)), 0);
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	expect("bind(5, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0\n", SYS_bind,
	       ARGS(5, P(&nl), sizeof(nl)), 0);
}

/* ---- configuration: filter and leader ---- */

static void filter_drops_other_calls(void **state)
{
	struct kd_trace_config saved = kd_trace_cfg;
	memset(kd_trace_cfg.set, 0, sizeof(kd_trace_cfg.set));
	kd_trace_cfg.filtered = 1;
	kd_trace_cfg.set[SYS_getuid / 64] |= 1ULL << (SYS_getuid % 64);
	expect("getuid() = 0\n", SYS_getuid, ARGS(0), 0);
	expect("", SYS_getpid, ARGS(0), 42);
	kd_trace_cfg.lines = 0; /* --trace-summary alone */
	expect("", SYS_getuid, ARGS(0), 0);
	kd_trace_cfg = saved;
}

static void leader_pid_and_times(void **state)
{
	struct kd_trace_config c = {.pids = 1};
	char buf[64];

	assert_int_equal(kd_trace_leader(buf, sizeof(buf), &c, 8552, 0, 0), 12);
	assert_string_equal(buf, "[pid  8552] ");
	c.time = KD_TRACE_TIME_CLOCK;
	c.utc_offset = 3600; /* 13:36:23 UTC shown in UTC+1 */
	kd_trace_leader(buf, sizeof(buf), &c, 8552, 1795962983 - 1795962983 % 86400 + 49E3 - 17,
			32555);
	assert_string_equal(buf, "[pid  8552] 14:36:23.032555 ");
	c = (struct kd_trace_config){.time = KD_TRACE_TIME_EPOCH};
	kd_trace_leader(buf, sizeof(buf), &c, 1, 1795962983, 120020);
	assert_string_equal(buf, "1795962983.120020 ");
	/* A short buffer is cut, never overrun. */
	c.pids = 1;
	assert_true(kd_trace_leader(buf, 8, &c, 123456, 0, 0) < 8);
	assert_int_equal(strlen(buf), 7);
}

/* ---- signals and ends (reference: strace 6.1) ---- */

static char *siginfo_text(const siginfo_t *si)
{
	static char buf[512];
	kd_trace_siginfo(buf, sizeof(buf), si);
	return buf;
}

static void siginfo_faults(void **state)
{
	siginfo_t si = {.si_signo = SIGSEGV, .si_code = SEGV_MAPERR};
	si.si_addr = (void *)0x10;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}");
	si = (siginfo_t){.si_signo = SIGBUS, .si_code = BUS_ADRERR};
	si.si_addr = (void *)0x7f2256dc9000;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f2256dc9000}");
	si = (siginfo_t){.si_signo = SIGTRAP, .si_code = SI_KERNEL};
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGTRAP, si_code=SI_KERNEL, si_addr=NULL}");
	si = (siginfo_t){.si_signo = SIGALRM, .si_code = SI_KERNEL};
	assert_string_equal(siginfo_text(&si), "{si_signo=SIGALRM, si_code=SI_KERNEL}");
	si = (siginfo_t){.si_signo = SIGILL, .si_code = ILL_ILLOPN};
	si.si_addr = (void *)0x55e166633411;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGILL, si_code=ILL_ILLOPN, si_addr=0x55e166633411}");
}

static void siginfo_senders(void **state)
{
	siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_TKILL};
	si.si_pid = 8549;
	si.si_uid = 0;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=8549, si_uid=0}");
	si.si_code = SI_USER;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=8549, si_uid=0}");
	si.si_code = SI_QUEUE;
	si.si_value.sival_ptr = (void *)7;
	assert_string_equal(
	    siginfo_text(&si),
	    "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=8549, si_uid=0, si_int=7, si_ptr=0x7}");
	si = (siginfo_t){.si_signo = SIGALRM, .si_code = SI_TIMER};
	si.si_value.sival_ptr = (void *)0x1234;
	assert_string_equal(siginfo_text(&si), "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, "
					       "si_overrun=0, si_int=4660, si_ptr=0x1234}");
}

static void siginfo_child(void **state)
{
	siginfo_t si = {.si_signo = SIGCHLD, .si_code = CLD_EXITED};
	si.si_pid = 8552;
	si.si_status = 3;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8552, si_uid=0, "
			    "si_status=3, si_utime=0, si_stime=0}");
	si.si_code = CLD_KILLED;
	si.si_status = SIGKILL;
	assert_string_equal(siginfo_text(&si),
			    "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=8552, si_uid=0, "
			    "si_status=SIGKILL, si_utime=0, si_stime=0}");
}

static char *event_text(int which, int a, int b, const siginfo_t *si)
{
	int fd = memfd_create("ev", MFD_CLOEXEC);
	static char text[1024];
	assert_true(fd >= 0);
	kd_syscall_names_load();
	if (which == 0)
		kd_trace_signal(fd, 1, si);
	else if (which == 1)
		kd_trace_exited(fd, 1, a);
	else
		kd_trace_killed(fd, 1, a, b);
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = 0;
	close(fd);
	return text;
}

static void signal_and_end_lines(void **state)
{
	siginfo_t si = {.si_signo = SIGSEGV, .si_code = SEGV_MAPERR};
	si.si_addr = (void *)0x10;
	assert_string_equal(
	    event_text(0, 0, 0, &si),
	    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---\n");
	assert_string_equal(event_text(1, 0, 0, NULL), "+++ exited with 0 +++\n");
	assert_string_equal(event_text(1, 259, 0, NULL), "+++ exited with 3 +++\n");
	assert_string_equal(event_text(2, SIGSEGV, 0, NULL), "+++ killed by SIGSEGV +++\n");
	assert_string_equal(event_text(2, SIGABRT, 1, NULL),
			    "+++ killed by SIGABRT (core dumped) +++\n");
	assert_string_equal(event_text(2, 34, 0, NULL), "+++ killed by SIGRT_2 +++\n");
}

/* ---- summary (reference: strace 6.1 -c) ---- */

static void summary_table(void **state)
{
	int fd = memfd_create("sum", MFD_CLOEXEC);
	char text[4096];
	kd_syscall_names_load();
	kd_trace_summary_reset();
	kd_trace_account(SYS_clone, 8552, 430000);
	for (int k = 0; k < 3; k++)
		kd_trace_account(SYS_connect, -ECONNREFUSED, 56333);
	kd_trace_account(SYS_read, 10, 0);
	kd_trace_account(SYS_mmap, 0x7f0000000000, 0);
	kd_trace_account(SYS_getpid, 1, 23000);
	kd_trace_account(SYS_getpid, 1, 24000);
	kd_trace_summary(fd);
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = 0;
	close(fd);
	assert_string_equal(text,
			    "% time     seconds  usecs/call     calls    errors syscall\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    " 66.56    0.000430         430         1           clone\n"
			    " 26.16    0.000169          56         3         3 connect\n"
			    "  7.28    0.000047          23         2           getpid\n"
			    "  0.00    0.000000           0         1           read\n"
			    "  0.00    0.000000           0         1           mmap\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    "100.00    0.000646          80         8         3 total\n");
	kd_trace_summary_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(openat_fdcwd_flags),   cmocka_unit_test(openat_creat_mode),
	    cmocka_unit_test(read_truncated),	    cmocka_unit_test(read_error_shows_pointer),
	    cmocka_unit_test(write_escapes),	    cmocka_unit_test(write_exactly_32_is_not_cut),
	    cmocka_unit_test(error_enoent),	    cmocka_unit_test(mmap_flags_hex_return),
	    cmocka_unit_test(bad_pointer_is_hex),   cmocka_unit_test(string_at_page_end),
	    cmocka_unit_test(null_pointer),	    cmocka_unit_test(exit_group_noreturn),
	    cmocka_unit_test(unknown_syscall),	    cmocka_unit_test(syscall_names),
	    cmocka_unit_test(sigprocmask_sets),	    cmocka_unit_test(pipe2_fd_pair),
	    cmocka_unit_test(execve_argv_envp),	    cmocka_unit_test(futex_and_fcntl_commands),
	    cmocka_unit_test(no_args_and_clone),    cmocka_unit_test(stat_abbreviated),
	    cmocka_unit_test(sigaction_decoded),    cmocka_unit_test(iovec_in_and_out),
	    cmocka_unit_test(sockaddr_families),    cmocka_unit_test(filter_drops_other_calls),
	    cmocka_unit_test(leader_pid_and_times), cmocka_unit_test(siginfo_faults),
	    cmocka_unit_test(siginfo_senders),	    cmocka_unit_test(siginfo_child),
	    cmocka_unit_test(signal_and_end_lines), cmocka_unit_test(summary_table),
	    cmocka_unit_test(fadvise_advice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
