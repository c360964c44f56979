/*
 * xlserver.c: the exitless path's server thread and what it serves.
 *
 * The server is one host thread per process (VM), made with kdune's own raw clone, with every
 * signal blocked. It answers only calls that cannot block and do not depend on the calling
 * thread; everything else goes back to the exit path, where kdune runs it exactly as before.
 * It executes through kd_syscall_dispatch, so kdune's descriptor checks hold unchanged.
 */
#include "engine/xlserver.h"
#include "engine/exitless.h"
#include "engine/monitor.h"
#include "engine/policy.h"
#include "base/log.h"
#include "engine/syscall.h"
#include "engine/thread.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Larger reads and writes gain little (the copy dominates) and hold the server longer. */
#define XL_IO_MAX (256u << 10)

/* Calls after which a served answer could differ from the exit path's. */
static void note_call(struct kd_xl_server *s, long nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_setuid:
	case SYS_setgid:
	case SYS_setreuid:
	case SYS_setregid:
	case SYS_setresuid:
	case SYS_setresgid:
	case SYS_setfsuid:
	case SYS_setfsgid:
	case SYS_setgroups:
	case SYS_capset:
	case SYS_unshare: /* CLONE_NEWUSER gives the thread new credentials */
	case SYS_setns:
	case SYS_keyctl: /* session keyrings are part of the credentials */
	case SYS_landlock_restrict_self:
		/* Credentials are per host thread: the server keeps the ones it started with. */
		__atomic_store_n(&s->creds_changed, 1, __ATOMIC_SEQ_CST);
		break;
	case SYS_prctl:
		if (a[0] == PR_SET_KEEPCAPS || a[0] == PR_CAPBSET_DROP || a[0] == PR_CAP_AMBIENT ||
		    a[0] == PR_SET_SECUREBITS)
			__atomic_store_n(&s->creds_changed, 1, __ATOMIC_SEQ_CST);
		break;
	case SYS_setrlimit:
	case SYS_prlimit64:
		/* Past RLIMIT_FSIZE, the kernel sends SIGXFSZ to the thread that wrote. */
		if (nr == SYS_setrlimit ? a[0] == RLIMIT_FSIZE : a[1] == RLIMIT_FSIZE && a[2])
			__atomic_store_n(&s->limits_changed, 1, __ATOMIC_SEQ_CST);
		break;
	}
}

/* Calls the server may answer: the one list (kd_xl_serve decides for each request). */
static int servable(long nr)
{
	switch (nr) {
	case SYS_getpid:
	case SYS_getppid:
	case SYS_gettid:
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
	case SYS_getresuid:
	case SYS_getresgid:
	case SYS_fstat:
	case SYS_newfstatat:
	case SYS_lseek:
	case SYS_read:
	case SYS_pread64:
	case SYS_write:
	case SYS_pwrite64:
		return 1;
	default:
		return 0;
	}
}

void kd_exitless_on_exit(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	struct kd_xl_server *s = v->vm->xl;
	if (!s)
		return; /* the path is off in this VM */
	note_call(s, nr, a);
	/*
	 * Only a call the server could have answered wakes it: a thread that sleeps in a
	 * loop (nanosleep, poll) would otherwise keep it polling, a CPU for nothing.
	 */
	if (!v->xl.data || s->disabled || !servable(nr))
		return;
	if (__atomic_load_n(&s->started, __ATOMIC_ACQUIRE))
		kd_xl_server_wake(v->vm);
	else if (getpid() == s->pid) /* a CLONE_VM child is another process: not its own */
		kd_xl_server_start(v->vm, v->proc);
}

/* ---- what the server serves ---- */

/* fd names a regular file (fstat through the dispatcher: kdune's own descriptors are EBADF). */
/*
 * The server's own probes run raw, on its own stack (kdune's memory, which the monitor would
 * refuse to the program), after the same descriptor check the dispatcher makes.
 */
static int regular_file(struct kd_vcpu *v, uint64_t fd, struct stat *st)
{
	return !kd_fd_is_ours((long)fd) &&
	       kd_raw_syscall(SYS_fstat, fd, (uint64_t)st, 0, 0, 0, 0) == 0 && S_ISREG(st->st_mode);
}

/*
 * Writes to these wait only on the kernel (memory, dirty throttling, the inode lock), never
 * on another process as FUSE or a network filesystem can.
 */
static int local_fs(struct kd_vcpu *v, uint64_t fd)
{
	struct statfs sf;
	if (kd_raw_syscall(SYS_fstatfs, fd, (uint64_t)&sf, 0, 0, 0, 0))
		return 0;
	return sf.f_type == EXT4_SUPER_MAGIC || sf.f_type == XFS_SUPER_MAGIC ||
	       sf.f_type == BTRFS_SUPER_MAGIC || sf.f_type == TMPFS_MAGIC;
}

static int fsize_unlimited(void)
{
	struct rlimit r;
	return kd_raw_syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (uint64_t)&r, 0, 0) == 0 &&
	       r.rlim_cur == RLIM_INFINITY;
}

/*
 * read/pread64 of a regular file, from the page cache only. A probe at an explicit offset
 * (preadv2 RWF_NOWAIT) has no effect but on the buffer; only when all of it was cached does
 * read(2) go on with the real call at the file position, which moves atomically as natively.
 */
static long serve_read(struct kd_vcpu *v, long nr, const uint64_t a[6], int *served)
{
	struct stat st;
	/* The buffer is the program's, checked here as the monitor checks it on the exit path. */
	if (a[2] > XL_IO_MAX || kd_monitor_range_is_ours(v->vm, a[1], a[2]) ||
	    !regular_file(v, a[0], &st))
		return 0;
	long pos =
	    nr == SYS_pread64 ? (long)a[3] : kd_raw_syscall(SYS_lseek, a[0], 0, SEEK_CUR, 0, 0, 0);
	if (pos < 0)
		return 0;
	struct iovec io = {(void *)a[1], a[2]};
	uint64_t p[6] = {a[0], (uint64_t)&io, 1, (uint64_t)pos, 0, RWF_NOWAIT};
	long n = kd_raw_syscall(SYS_preadv2, p[0], p[1], p[2], p[3], p[4], p[5]);
	if (n < 0 || ((uint64_t)n < a[2] && pos + n < st.st_size))
		return 0; /* not (all) in the page cache, or an error the exit path reports */
	if (nr == SYS_read) {
		p[3] = (uint64_t)-1; /* at the file position, and move it */
		n = kd_raw_syscall(SYS_preadv2, p[0], p[1], p[2], p[3], p[4], p[5]);
		if (n < 0)
			return 0; /* evicted meanwhile: nothing was consumed */
	}
	*served = 1;
	return n;
}

static long serve_write(struct kd_vcpu *v, long nr, const uint64_t a[6], int *served)
{
	struct kd_xl_server *s = v->vm->xl;
	struct stat st;
	/* The creds matter to writes too: a write clears set-user-ID bits unless CAP_FSETID. */
	if (__atomic_load_n(&s->creds_changed, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&s->limits_changed, __ATOMIC_ACQUIRE) || a[2] > XL_IO_MAX ||
	    !regular_file(v, a[0], &st) || !local_fs(v, a[0]) || !fsize_unlimited())
		return 0;
	*served = 1;
	return kd_syscall_dispatch(v, nr, a);
}

/*
 * newfstatat(fd, "", buf, AT_EMPTY_PATH): an fstat. Not AT_FDCWD: cwd can be per thread. The
 * byte is read as the kernel would read it (fault-safe, no ownership check: the call itself
 * reads it the same way), without kd_copy_from_user's VM lock, so the server takes no lock.
 */
static int empty_path_at(struct kd_vcpu *v, const uint64_t a[6])
{
	char c = 1;
	struct iovec l = {&c, 1}, r = {(void *)a[1], 1};
	return (a[3] & AT_EMPTY_PATH) && (int)a[0] != AT_FDCWD &&
	       kd_raw_syscall(SYS_process_vm_readv, (uint64_t)v->vm->xl->pid, (uint64_t)&l, 1,
			      (uint64_t)&r, 1, 0) == 1 &&
	       c == 0;
}

long kd_xl_serve(struct kd_vcpu *v, long nr, const uint64_t a[6], int *served)
{
	struct kd_xl_server *s = v->vm->xl;
	struct stat st;
	*served = 0;
	/* Only the threads of the server's own process (a CLONE_VM child has another pid). */
	if (!s || v->proc != s->proc)
		return 0;
	/* --seccomp: whatever the profile does not simply allow goes where its action is taken. */
	if (!servable(nr) ||
	    (kd_policy && (kd_policy_eval(kd_policy, nr, a) & KD_RET_ACTION_FULL) != KD_RET_ALLOW))
		return 0;
	switch (nr) {
	case SYS_gettid:
		*served = 1;
		return v->tid; /* the caller's, not the server's */
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
	case SYS_getresuid:
	case SYS_getresgid:
		if (__atomic_load_n(&s->creds_changed, __ATOMIC_ACQUIRE))
			return 0;
		break;
	case SYS_newfstatat:
		if (!empty_path_at(v, a))
			return 0;
		break;
	case SYS_lseek:
		if (!regular_file(v, a[0], &st))
			return 0;
		break;
	case SYS_read:
	case SYS_pread64:
		return serve_read(v, nr, a, served);
	case SYS_write:
	case SYS_pwrite64:
		return serve_write(v, nr, a, served);
	}
	/* getpid, getppid, fstat, and the others that passed their check above. */
	*served = 1;
	return kd_syscall_dispatch(v, nr, a);
}

/* ---- the server thread ---- */

int kd_xl_poll_one(struct kd_vcpu *v)
{
	struct kd_xl_page *p = __atomic_load_n(&v->xl.data, __ATOMIC_ACQUIRE);
	if (!p || __atomic_load_n(&p->state, __ATOMIC_RELAXED) != XL_REQ)
		return 0;
	/* busy before the claim: whoever sees the claim sees busy (kd_xl_settle_regs). */
	__atomic_store_n(&v->xl.busy, 1, __ATOMIC_SEQ_CST);
	uint32_t want = XL_REQ;
	if (!__atomic_compare_exchange_n(&p->state, &want, XL_BUSY, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&v->xl.busy, 0, __ATOMIC_RELEASE);
		return 0;
	}
	/* Copied once, before anything looks at it: the page is the guest's. */
	long nr = (long)__atomic_load_n(&p->nr, __ATOMIC_RELAXED);
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = __atomic_load_n(&p->args[i], __ATOMIC_RELAXED);
	int served;
	long r = kd_xl_serve(v, nr, a, &served);
	if (served) {
		v->xl.result = r;
		v->xl.served++;
		__atomic_store_n(&p->result, r, __ATOMIC_RELAXED);
	} else {
		v->xl.declined++;
	}
	__atomic_store_n(&p->state, served ? XL_DONE : XL_DONE | XL_DECLINE, __ATOMIC_RELEASE);
	__atomic_store_n(&v->xl.busy, 0, __ATOMIC_RELEASE);
	return 1;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	kd_raw_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (uint64_t)&t, 0, 0, 0, 0);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/*
 * One pass over the vCPUs that use the path: their awake flag, then a request if any. A vCPU
 * of another process (a CLONE_VM child) or in the pool is told no server is there, so its
 * calls exit at once instead of after a decline.
 */
static int poll_all(struct kd_vm *vm, struct kd_xl_server *s, uint32_t awake)
{
	int n = __atomic_load_n(&vm->nvcpus, __ATOMIC_ACQUIRE), handled = 0;
	for (int i = 0; i < n; i++) {
		struct kd_vcpu *v = __atomic_load_n(&vm->vcpus[i], __ATOMIC_ACQUIRE);
		struct kd_xl_page *p = v ? __atomic_load_n(&v->xl.data, __ATOMIC_ACQUIRE) : NULL;
		if (!p)
			continue;
		uint32_t want = awake && __atomic_load_n(&v->proc, __ATOMIC_RELAXED) == s->proc;
		if (__atomic_load_n(&p->awake, __ATOMIC_RELAXED) != want)
			__atomic_store_n(&p->awake, want, __ATOMIC_RELEASE);
		handled += kd_xl_poll_one(v);
	}
	return handled;
}

/* Poll until nothing came for spin_ns. The clock is read every 128 rounds only. */
static void spin(struct kd_vm *vm, struct kd_xl_server *s)
{
	uint64_t last = now_ns();
	int fresh = 0;
	for (unsigned round = 1;; round++) {
		if (poll_all(vm, s, 1))
			fresh = 1;
		else
			__builtin_ia32_pause();
		if (round % 128)
			continue;
		uint64_t t = now_ns();
		if (fresh)
			last = t, fresh = 0;
		else if (t - last > __atomic_load_n(&s->spin_ns, __ATOMIC_RELAXED))
			return;
	}
}

/*
 * Sleep until an exit kicks it. Stubs that still see awake time out and exit. A kick that
 * came while it polled (kick is only cleared when a polling period starts) keeps it polling.
 */
static void sleep_until_kicked(struct kd_vm *vm, struct kd_xl_server *s)
{
	__atomic_store_n(&s->sleeping, 1, __ATOMIC_SEQ_CST);
	poll_all(vm, s, 0); /* clears every awake flag, and answers what came meanwhile */
	while (!__atomic_exchange_n(&s->kick, 0, __ATOMIC_SEQ_CST))
		kd_raw_syscall(SYS_futex, (uint64_t)&s->kick, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	__atomic_store_n(&s->sleeping, 0, __ATOMIC_SEQ_CST);
	s->wakeups++;
}

static int server_main(void *arg)
{
	struct kd_vm *vm = arg;
	struct kd_xl_server *s = vm->xl;
	for (;;) {
		__atomic_store_n(&s->kick, 0, __ATOMIC_SEQ_CST);
		spin(vm, s);
		sleep_until_kicked(vm, s);
	}
	return 0;
}

int kd_xl_server_start(struct kd_vm *vm, const void *proc)
{
	struct kd_xl_server *s = vm->xl;
	kd_vm_lock(vm);
	int go = !s->started && !s->disabled;
	if (go) {
		s->proc = proc;
		__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	}
	kd_vm_unlock(vm);
	if (!go)
		return 0;
	long tid = kd_hthread_spawn(vm, server_main, vm);
	if (tid < 0) {
		s->disabled = 1; /* every call exits, as without the path */
		return (int)tid;
	}
	s->tid = (int)tid;
	return 0;
}

void kd_xl_server_wake(struct kd_vm *vm)
{
	struct kd_xl_server *s = vm->xl;
	/*
	 * kick first, sleeping second; the server does the opposite (sleeping, then kick), so
	 * one of the two sees the other's store and no wake is lost. A kick that is 1 already
	 * costs no futex call: the server has not slept since.
	 */
	if (!__atomic_exchange_n(&s->kick, 1, __ATOMIC_SEQ_CST) &&
	    __atomic_load_n(&s->sleeping, __ATOMIC_SEQ_CST))
		kd_raw_syscall(SYS_futex, (uint64_t)&s->kick, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}
