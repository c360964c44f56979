/* process.c: execve, fork and clone for the target: every descendant stays inside a VM. */
#include "engine/decode.h"
#include "engine/exit.h"
#include "engine/policy.h"
#include "vm/layout.h"
#include "base/log.h"
#include "base/sigmask.h"
#include "engine/process.h"
#include "base/exec_check.h"
#include "engine/procself.h"
#include "engine/exitless.h"
#include "engine/thread.h"
#include "engine/trace.h"
#include "vm/uaccess.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARG_BYTES_MAX (2u << 20) /* what the native kernel allows with an 8 MiB stack */
#define ARG_COUNT_MAX 0x7fffffffu

struct strv {
	char **v;
	size_t n, bytes;
};

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strv){0};
}

static long strv_push(struct strv *s, char *str)
{
	if ((s->n & (s->n + 1)) == 0 || !s->v) {
		char **v = realloc(s->v, (s->n * 2 + 2) * sizeof(char *));
		if (!v)
			return -ENOMEM;
		s->v = v;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

#define MAX_ARG_STRLEN (128u << 10)

static long copy_strv_with(struct kd_vm *vm, uint64_t uptr, struct strv *out, char *buf)
{
	long rc = strv_push(out, NULL);
	out->n = 0;
	for (uint64_t i = 0; !rc && uptr; i++) {
		uint64_t p;
		if (kd_copy_from_user(vm, &p, uptr + 8 * i, 8))
			return -EFAULT;
		if (!p)
			break;
		long len = kd_strncpy_from_user(vm, buf, p, MAX_ARG_STRLEN);
		if (len == -ENAMETOOLONG || out->bytes + (uint64_t)len + 1 > ARG_BYTES_MAX ||
		    i >= ARG_COUNT_MAX)
			return -E2BIG;
		if (len < 0)
			return len;
		out->bytes += (uint64_t)len + 1;
		char *dup = strdup(buf);
		rc = dup ? strv_push(out, dup) : -ENOMEM;
	}
	return rc;
}

/* A NULL-terminated array of strings from target memory, within execve's limits. */
static long copy_strv(struct kd_vm *vm, uint64_t uptr, struct strv *out)
{
	char *buf = malloc(MAX_ARG_STRLEN);
	long rc = buf ? copy_strv_with(vm, uptr, out, buf) : -ENOMEM;
	free(buf);
	return rc;
}

/* The checks execve makes before it lets go of the caller: -errno, or 0. *script: a #! file. */
static long exec_check(const char *path, int *script)
{
	char head[4];
	long rc = kd_exec_check(path);
	if (rc)
		return rc == -EISDIR ? -EACCES : rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	if (n >= 4 && !memcmp(head, "\177ELF", 4))
		return 0;
	*script = n >= 2 && head[0] == '#' && head[1] == '!';
	return *script ? 0 : -ENOEXEC;
}

/*
 * execve(at)'s file argument as a path this process can open. *dirfd: the descriptor the
 * path goes through (/proc/self/fd/N), or -1.
 */
static long exec_path(struct kd_vm *vm, long nr, const uint64_t a[6], char *path, size_t len,
		      int *dirfd)
{
	int at = nr == SYS_execveat;
	*dirfd = -1;
	char name[PATH_MAX];
	long n = kd_strncpy_from_user(vm, name, a[at], sizeof(name));
	if (n < 0)
		return n;
	if (!at || name[0] == '/' || (int)a[0] == AT_FDCWD) {
		if (n == 0)
			return -ENOENT;
		snprintf(path, len, "%s", name);
	} else if (n == 0) {
		if (!(a[4] & AT_EMPTY_PATH))
			return -ENOENT;
		snprintf(path, len, "/proc/self/fd/%d", (int)a[0]);
		*dirfd = (int)a[0];
	} else {
		snprintf(path, len, "/proc/self/fd/%d/%s", (int)a[0], name);
		*dirfd = (int)a[0];
	}
	/*
	 * A program re-executing itself (busybox's shell runs its applets so): on the host,
	 * /proc/self/exe is kdune under `kdune run`, so name the target's own file instead.
	 */
	if (kd_is_self_exe(path)) {
		if (vm->exe[0]) {
			snprintf(path, len, "%s", vm->exe);
		} else {
			ssize_t n = readlink("/proc/self/exe", path, len - 1);
			path[n > 0 ? n : 0] = 0;
		}
	}
	return 0;
}

/*
 * A path through a close-on-exec descriptor is gone in the new kdune: it gets the file itself,
 * open across the exec (*file_fd). A script that way fails with ENOENT, as natively: its
 * interpreter could not open it either.
 */
static long exec_through_fd(const char *path, int dirfd, int script, int *file_fd)
{
	int fl = dirfd < 0 ? 0 : fcntl(dirfd, F_GETFD);
	if (fl < 0)
		return -EBADF;
	if (!(fl & FD_CLOEXEC))
		return 0;
	if (script)
		return -ENOENT;
	*file_fd = open(path, O_RDONLY | O_CLOEXEC);
	return *file_fd < 0 ? -errno : 0;
}

/*
 * kdune run [--trace=fd:N] [-v] [--exitless=on|off] --kvm-device=fd:N [--seccomp=fd:N]
 * --exec=PATH|fd:N -- ARGV...
 */
static long kdune_argv(struct kd_vm *vm, const char *path, int file_fd, struct strv *args,
		       struct strv *out)
{
	char opt[PATH_MAX + 128];
	long rc = strv_push(out, strdup(vm->kdune_exe)) ?: strv_push(out, strdup("run"));
	if (!rc && vm->trace_fd >= 0) {
		/* Lines, or only the summary: the same file either way. */
		snprintf(opt, sizeof(opt), "--trace%s=fd:%d", kd_trace_cfg.lines ? "" : "-summary",
			 vm->trace_fd);
		rc = strv_push(out, strdup(opt));
		if (!rc && kd_trace_cfg.lines && kd_trace_cfg.summary)
			rc = strv_push(out, strdup("--trace-summary"));
		if (!rc && kd_trace_cfg.pids)
			rc = strv_push(out, strdup("--trace-pids"));
		for (int i = 0; !rc && i < 4 && kd_trace_cfg.again[i]; i++)
			rc = strv_push(out, strdup(kd_trace_cfg.again[i]));
	}
	if (!rc && kd_verbose)
		rc = strv_push(out, strdup("-v"));
	/* The same mode, whatever the new program's environment says. */
	if (!rc && vm->xl_mode != KD_XL_AUTO)
		rc = strv_push(
		    out, strdup(vm->xl_mode == KD_XL_ON ? "--exitless=on" : "--exitless=off"));
	if (!rc) {
		/* The open device, not its path: the program may have changed user since. */
		snprintf(opt, sizeof(opt), "--kvm-device=fd:%d", vm->kvm_fd);
		rc = strv_push(out, strdup(opt));
	}
	if (!rc && kd_policy_fd >= 0) {
		/* The compiled policy itself (sealed memfd), as loaded: it cannot change or go. */
		snprintf(opt, sizeof(opt), "--seccomp=fd:%d", kd_policy_fd);
		rc = strv_push(out, strdup(opt));
	}
	if (file_fd >= 0)
		snprintf(opt, sizeof(opt), "--exec=fd:%d", file_fd);
	else
		snprintf(opt, sizeof(opt), "--exec=%s", path);
	rc = rc ?: strv_push(out, strdup(opt));
	rc = rc ?: strv_push(out, strdup("--"));
	for (size_t i = 0; !rc && i < args->n; i++)
		rc = strv_push(out, strdup(args->v[i]));
	for (size_t i = 0; !rc && i < out->n; i++)
		if (!out->v[i])
			rc = -ENOMEM;
	return rc;
}

/*
 * The new program runs under a fresh kdune, with the same options. Every failure that
 * execve reports (ENOENT, EACCES, ENOEXEC, E2BIG, EFAULT) comes back before anything of the
 * caller is gone; kdune's own descriptors are close-on-exec and never reach the new image.
 */
long kd_sys_execve(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	struct kd_vm *vm = v->vm;
	/* kdune_enter() without KDUNE_FOLLOW_EXEC: the new program runs natively. */
	if (!vm->follow_exec)
		return kd_raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int at = nr == SYS_execveat, dirfd, script = 0, file_fd = -1;
	char path[PATH_MAX + 64];
	struct strv args = {0}, env = {0}, kargv = {0};
	long rc = exec_path(vm, nr, a, path, sizeof(path), &dirfd);
	rc = rc ?: copy_strv(vm, a[at + 1], &args);
	rc = rc ?: copy_strv(vm, a[at + 2], &env);
	rc = rc ?: exec_check(path, &script);
	rc = rc ?: exec_through_fd(path, dirfd, script, &file_fd);
	rc = rc ?: kdune_argv(vm, path, file_fd, &args, &kargv);
	if (!rc) {
		if (vm->trace_fd >= 0) {
			kd_trace_syscall(vm->trace_fd, nr, a, 0);
			fcntl(vm->trace_fd, F_SETFD, 0);
		}
		fcntl(vm->kvm_fd, F_SETFD, 0);
		if (kd_policy_fd >= 0)
			fcntl(kd_policy_fd, F_SETFD, 0);
		if (file_fd >= 0)
			fcntl(file_fd, F_SETFD, 0);
		rc = kd_raw_syscall(SYS_execve, (uint64_t)vm->kdune_exe, (uint64_t)kargv.v,
				    (uint64_t)env.v, 0, 0, 0);
		fcntl(vm->kvm_fd, F_SETFD, FD_CLOEXEC);
		if (kd_policy_fd >= 0)
			fcntl(kd_policy_fd, F_SETFD, FD_CLOEXEC);
		if (vm->trace_fd >= 0)
			fcntl(vm->trace_fd, F_SETFD, FD_CLOEXEC);
	}
	if (file_fd >= 0)
		close(file_fd);
	strv_free(&args);
	strv_free(&env);
	strv_free(&kargv);
	return rc;
}

/* The child of a fork: its own VM, the parent's registers, 0 from the syscall. */
static long fork_child(struct kd_vcpu *v, const struct kd_clone *c, uint64_t fs, uint64_t gs)
{
	kd_self_set(kd_self()); /* the same thread state, under the child's tid */
	if (v->sigq.n) { /* a signal the parent caught during the fork is the parent's alone */
		v->sigq.n = 0;
		kd_set_host_mask(v->sigq.mask);
	}
	int rc = kd_vm_refork(v->vm);
	rc = rc ?: kd_vcpu_refork(v, fs, gs);
	rc = rc ?: kd_exitless_vcpu_init(v);
	rc = rc ?: kd_threads_after_fork(v);
	if (rc) {
		kd_err("fork: cannot create the child's VM: %s", strerror(-rc));
		_exit(125);
	}
	if (c->stack)
		v->user.rsp = c->stack;
	if (c->flags & CLONE_CHILD_SETTID) {
		int tid = (int)gettid();
		kd_copy_to_user(v->vm, c->child_tid, &tid, sizeof(tid));
	}
	if (c->flags & CLONE_CHILD_CLEARTID)
		kd_raw_syscall(SYS_set_tid_address, c->child_tid, 0, 0, 0, 0, 0);
	return 0;
}

/* In the parent: what the kernel hands back besides the pid. */
static void fork_parent(struct kd_vcpu *v, const struct kd_clone *c, pid_t pid)
{
	if (c->flags & CLONE_PARENT_SETTID)
		kd_copy_to_user(v->vm, c->parent_tid, &pid, sizeof(pid));
	if (c->flags & CLONE_PIDFD) {
		int fd = (int)kd_raw_syscall(SYS_pidfd_open, (uint64_t)pid, 0, 0, 0, 0, 0);
		if (fd >= 0)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		kd_copy_to_user(v->vm, c->pidfd, &fd, sizeof(fd));
	}
}

/*
 * fork, and clone without CLONE_VM: the host forks and the child builds a VM of its own.
 * The VM lock and kdune's heap lock are held across the fork, so the child's copy of the
 * address-space state and of the heap is whole even when other threads were busy. CLONE_VFORK
 * without CLONE_VM keeps the parent waiting until the child execs or exits: a close-on-exec pipe
 * tells it when.
 */
static long fork_copy(struct kd_vcpu *v, const struct kd_clone *c)
{
	uint64_t fs, gs;
	int vfork_pipe[2] = {-1, -1};
	if (kd_clone_bases(v, c, &fs, &gs))
		return -EIO;
	if ((c->flags & CLONE_VFORK) && pipe2(vfork_pipe, O_CLOEXEC))
		return -errno;
	kd_vm_lock(v->vm);
	kd_heap_lock();
	kd_decode_before_fork();
	pid_t pid = fork();
	kd_decode_after_fork(pid == 0);
	kd_heap_unlock(); /* the child's copy was taken while no other thread changed it */
	if (pid == 0) {
		close(vfork_pipe[0]);
		/* The write end stays open until this child execs or exits. */
		return fork_child(v, c, fs, gs);
	}
	long e = -errno;
	kd_vm_unlock(v->vm);
	if (pid < 0) {
		close(vfork_pipe[0]);
		close(vfork_pipe[1]);
		return e;
	}
	fork_parent(v, c, pid);
	if (c->flags & CLONE_VFORK) {
		char ch;
		close(vfork_pipe[1]);
		while (read(vfork_pipe[0], &ch, 1) < 0 && errno == EINTR)
			;
		close(vfork_pipe[0]);
	}
	return pid;
}

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's argument block, as the kernel defines it (size 64 up to set_tid_size: VER0). */
struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static long clone3_args(struct kd_vm *vm, const uint64_t a[6], struct kd_clone *c)
{
	struct clone_args_k k = {0};
	uint64_t size = a[1];
	if (size < 64 || size > 4096)
		return -EINVAL;
	if (kd_copy_from_user(vm, &k, a[0], size < sizeof(k) ? size : sizeof(k)))
		return -EFAULT;
	if (k.set_tid || k.set_tid_size || k.cgroup ||
	    (k.flags & (CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)))
		return kd_unsupported(SYS_clone3, "set_tid, cgroups or CLONE_CLEAR_SIGHAND");
	if ((k.flags >> 32) || k.exit_signal > 64 || (!k.stack != !k.stack_size) ||
	    ((k.flags & (CLONE_THREAD | CLONE_PARENT)) && k.exit_signal))
		return -EINVAL;
	*c = (struct kd_clone){.flags = k.flags & ~(uint64_t)CSIGNAL,
			       .exit_signal = (int)k.exit_signal,
			       .stack = k.stack ? k.stack + k.stack_size : 0,
			       .parent_tid = k.parent_tid,
			       .child_tid = k.child_tid,
			       .tls = k.tls,
			       .pidfd = k.pidfd};
	return 0;
}

long kd_clone_args(struct kd_vm *vm, long nr, const uint64_t a[6], struct kd_clone *c)
{
	switch (nr) {
	case SYS_fork:
		*c = (struct kd_clone){.exit_signal = SIGCHLD};
		return 0;
	case SYS_vfork:
		*c = (struct kd_clone){.flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD};
		return 0;
	case SYS_clone3:
		return clone3_args(vm, a, c);
	}
	/* clone(flags, stack, parent_tid, child_tid, tls); the pidfd shares parent_tid. */
	if ((a[0] & CLONE_PIDFD) && (a[0] & CLONE_PARENT_SETTID))
		return -EINVAL;
	*c = (struct kd_clone){.flags = a[0] & ~(uint64_t)CSIGNAL,
			       .exit_signal = (int)(a[0] & CSIGNAL),
			       .stack = a[1],
			       .parent_tid = a[2],
			       .child_tid = a[3],
			       .tls = a[4],
			       .pidfd = a[2]};
	return 0;
}

#define CLONE_NAMESPACES                                                                           \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

/* The kernel's own consistency rules for clone flags (copy_process). */
long kd_clone_check(const struct kd_clone *c)
{
	uint64_t f = c->flags;
	if (((f & CLONE_THREAD) && !(f & CLONE_SIGHAND)) ||
	    ((f & CLONE_SIGHAND) && !(f & CLONE_VM)))
		return -EINVAL;
	if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((f & CLONE_PIDFD) && (f & CLONE_THREAD))
		return -EINVAL;
	if ((f & CLONE_SETTLS) && c->tls >= KD_USER_TOP)
		return -EPERM; /* as the kernel refuses a non-user FS base */
	if (f & (CLONE_NAMESPACES | CLONE_PARENT))
		return kd_unsupported(SYS_clone, "new namespaces or CLONE_PARENT");
	if (!(f & CLONE_VM) && (f & (CLONE_FS | CLONE_FILES)))
		return kd_unsupported(SYS_clone, "CLONE_FS or CLONE_FILES without CLONE_VM");
	if ((f & CLONE_THREAD) && (f & CLONE_VFORK))
		return kd_unsupported(SYS_clone, "CLONE_VFORK for a thread");
	return 0;
}

/*
 * fork, vfork, clone and clone3. With CLONE_VM the child shares this VM (thread.c): a
 * thread, or a child process such as vfork's and posix_spawn's. Without it the child
 * gets a copy of the memory and a VM of its own.
 */
long kd_sys_clone(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	struct kd_clone c;
	long rc = kd_clone_args(v->vm, nr, a, &c);
	rc = rc ?: kd_clone_check(&c);
	if (rc)
		return rc;
	c.nr = nr;
	memcpy(c.args, a, sizeof(c.args));
	/* From now on more than one thread or process may write the trace (strace's [pid N]). */
	kd_trace_cfg.pids = 1;
	return c.flags & CLONE_VM ? kd_clone_vm(v, &c) : fork_copy(v, &c);
}
