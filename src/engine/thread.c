/*
 * thread.c: target threads and CLONE_VM children. Each runs on a host thread of its own
 * (a host process sharing this mm, for CLONE_VM children) with a vCPU of the same VM.
 *
 * vCPUs come from a pool. KVM cannot destroy a vCPU before its VM, and measured here a
 * reused vCPU's first KVM_RUN in a new thread costs ~22 us (KVM runs synchronize_rcu when
 * the thread behind a vCPU changes) against ~450-1000 us to create a new one: a free vCPU
 * is always reused, most recently freed first.
 */
#include "engine/thread.h"
#include "engine/exit.h"
#include "engine/exitless.h"
#include "vm/layout.h"
#include "base/log.h"
#include "engine/signals.h"
#include "engine/trace.h"
#include "vm/uaccess.h"
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Host stacks: kdune's own memory, so the target can never map over them. */
#define HSTACK_SIZE (1u << 20)

enum hstack_state { HS_FREE, HS_USED, HS_DONE /* its thread returned: join it */ };

struct kd_hstack {
	uint8_t *base;
	int ctid; /* the host thread's tid until it is gone (CLONE_CHILD_CLEARTID) */
	enum hstack_state state;
	struct kd_hstack *next;
	struct kd_hthread self; /* the thread's engine state (GS base) */
	int (*fn)(void *);	/* kd_hthread_spawn's thread: what it runs */
	void *arg;
};

#define HOST_THREAD_FLAGS                                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |        \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* A host thread of kdune's running fn(arg) on h. Its tid, or -errno. */
static long hthread_start(struct kd_hstack *h, int (*fn)(void *), void *arg)
{
	return kd_clone_raw(fn, h->base + HSTACK_SIZE, HOST_THREAD_FLAGS, arg, &h->ctid, NULL,
			    &h->ctid);
}

/* Wait until the thread that ran on h is gone, so its stack can be used again. */
static void hstack_join(struct kd_hstack *h)
{
	int t;
	/* The kernel's CLONE_CHILD_CLEARTID wake is a shared futex wake. */
	while ((t = __atomic_load_n(&h->ctid, __ATOMIC_ACQUIRE)) != 0)
		kd_raw_syscall(SYS_futex, (uint64_t)&h->ctid, FUTEX_WAIT, (uint64_t)t, 0, 0, 0);
}

static void wait_word(int *w)
{
	while (!__atomic_load_n(w, __ATOMIC_ACQUIRE))
		kd_raw_syscall(SYS_futex, (uint64_t)w, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
}

static void post_word(int *w, int val)
{
	__atomic_store_n(w, val, __ATOMIC_RELEASE);
	kd_raw_syscall(SYS_futex, (uint64_t)w, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

int kd_vcpu_get(struct kd_vm *vm, struct kd_vcpu **out)
{
	int limit = vm->max_vcpus < KD_MAX_VCPUS ? vm->max_vcpus : KD_MAX_VCPUS;
	int reuse = !vm->new_vcpus || vm->nvcpus >= limit;
	kd_vm_lock(vm);
	struct kd_vcpu *v = reuse ? vm->free_vcpus : NULL;
	if (v) {
		vm->free_vcpus = v->next_free;
	} else if (vm->nvcpus < limit && (v = calloc(1, sizeof(*v)))) {
		v->fd = -1;
		v->id = vm->nvcpus;
		vm->vcpus[vm->nvcpus++] = v;
	}
	if (v)
		v->owner = v; /* taken; a CLONE_VM child's parent names itself below */
	kd_vm_unlock(vm);
	if (!v)
		return -EAGAIN;
	/* A new vCPU, or one whose fd died with the parent's VM in a forked child. */
	int rc = v->fd < 0 ? kd_vcpu_create(vm, v->id, v) ?: kd_exitless_vcpu_init(v) : 0;
	if (rc) {
		kd_vcpu_put(v);
		return rc;
	}
	/* The thread that takes it has the caller's PR_SET_TSC: new threads inherit it. */
	kd_vcpu_sync_tsd(v);
	*out = v;
	return 0;
}

void kd_vcpu_put(struct kd_vcpu *v)
{
	struct kd_vm *vm = v->vm;
	kd_vm_lock(vm);
	v->tid = 0;
	v->owner = NULL;
	v->proc = NULL;
	v->clear_tid = 0;
	v->exited = 0;
	v->hstack = NULL;
	v->sigq.n = 0; /* what its thread caught and never ran dies with the thread */
	v->user_valid = 0;
	v->next_free = vm->free_vcpus;
	vm->free_vcpus = v;
	kd_vm_unlock(vm);
}

/* A host stack: a free one (joining threads that are done with theirs), or a new one. */
static struct kd_hstack *hstack_get(struct kd_vm *vm)
{
	kd_vm_lock(vm);
	struct kd_hstack *h, *found = NULL;
	for (h = vm->hstacks; h && !found; h = h->next) {
		if (h->state == HS_DONE) {
			/* The thread marked this as its last step; it is leaving already. */
			hstack_join(h);
			h->state = HS_FREE;
		}
		if (h->state == HS_FREE)
			found = h;
	}
	if (!found && (found = calloc(1, sizeof(*found)))) {
		void *p = mmap(NULL, HSTACK_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p == MAP_FAILED ||
		    kd_regions_add(&vm->host, (uint64_t)p, (uint64_t)p + HSTACK_SIZE)) {
			if (p != MAP_FAILED)
				munmap(p, HSTACK_SIZE);
			free(found);
			found = NULL;
		} else {
			/* The lowest page is a guard, as for any thread stack. */
			mprotect(p, KD_PAGE, PROT_NONE);
			found->base = p;
			found->next = vm->hstacks;
			vm->hstacks = found;
		}
	}
	if (found)
		found->state = HS_USED;
	kd_vm_unlock(vm);
	return found;
}

static void hstack_set(struct kd_vm *vm, struct kd_hstack *h, enum hstack_state s)
{
	kd_vm_lock(vm);
	h->state = s;
	kd_vm_unlock(vm);
}

static int spawn_main(void *p)
{
	struct kd_hstack *h = p;
	kd_self_set(&h->self);
	return h->fn(h->arg);
}

long kd_hthread_spawn(struct kd_vm *vm, int (*fn)(void *), void *arg)
{
	struct kd_hstack *h = hstack_get(vm);
	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->arg = arg;
	uint64_t old = kd_block_all(); /* the new thread starts with this mask and keeps it */
	long tid = hthread_start(h, spawn_main, h);
	kd_set_host_mask(old);
	if (tid < 0)
		hstack_set(vm, h, HS_FREE);
	return tid;
}

int kd_clone_bases(struct kd_vcpu *parent, const struct kd_clone *c, uint64_t *fs, uint64_t *gs)
{
	if (kd_vcpu_get_msr(parent, X86_MSR_FS_BASE, fs) ||
	    kd_vcpu_get_msr(parent, X86_MSR_GS_BASE, gs))
		return -EIO;
	if (c->flags & CLONE_SETTLS)
		*fs = c->tls;
	return 0;
}

/* The child's registers: the parent's at the syscall, rax 0, its own stack and TLS. */
static long child_state(struct kd_vcpu *parent, struct kd_vcpu *child, const struct kd_clone *c)
{
	uint64_t fs, gs;
	if (kd_clone_bases(parent, c, &fs, &gs))
		return -EIO;
	child->user = parent->user;
	child->user.rax = 0;
	if (c->stack)
		child->user.rsp = c->stack;
	if (kd_vcpu_set_msr(child, X86_MSR_FS_BASE, fs) ||
	    kd_vcpu_set_msr(child, X86_MSR_GS_BASE, gs) || kd_vcpu_copy_fpu(child, parent))
		return -EIO;
	return 0;
}

/* A thread without CLONE_FS/CLONE_SYSVSEM gets copies of its own. */
static long unshare_missing(uint64_t flags)
{
	int un = (flags & CLONE_FS ? 0 : CLONE_FS) | (flags & CLONE_SYSVSEM ? 0 : CLONE_SYSVSEM);
	return un ? kd_raw_syscall(SYS_unshare, (uint64_t)un, 0, 0, 0, 0, 0) : 0;
}

/*
 * What a new thread runs: the exit loop (engine/loop.c), handed in once at start-up so that
 * the loop, which serves the clone that makes a thread, is not also below it.
 */
static int (*thread_body)(struct kd_vcpu *v);

void kd_threads_init(int (*body)(struct kd_vcpu *v))
{
	thread_body = body;
}

/* The child's side of the clone returns 0, and --trace says so as for a fork. */
static int run_vcpu(struct kd_vcpu *v, const struct kd_clone *c)
{
	if (v->vm->trace_fd >= 0)
		kd_trace_syscall(v->vm->trace_fd, c->nr, c->args, 0);
	kd_vcpu_resume_user(v);
	int rc = thread_body(v);
	if (rc)
		kd_target_exit(v->vm, rc); /* kdune failed: the whole process goes */
	return 0;
}

struct thread_start {
	struct kd_vcpu *v;
	struct kd_clone c;
	struct kd_hstack *hs;
	uint64_t sigmask; /* the creating thread's, which the new one starts with */
	int result;	  /* 0 until the new thread answers: its tid, or -errno */
};

static int thread_main(void *arg)
{
	struct thread_start *st = arg;
	struct kd_vcpu *v = st->v;
	struct kd_hstack *hs = st->hs;
	struct kd_vm *vm = v->vm;
	uint64_t flags = st->c.flags;
	kd_self_set(&hs->self);
	int tid = hs->self.tid;
	long rc = unshare_missing(flags);
	if (rc) {
		__atomic_sub_fetch(&v->proc->nthreads, 1, __ATOMIC_ACQ_REL);
		kd_vcpu_put(v);
		post_word(&st->result, (int)rc);
		hstack_set(vm, hs, HS_DONE);
		return 0;
	}
	v->tid = tid;
	v->hstack = hs;
	hs->self.vcpu = v;
	kd_set_host_mask(st->sigmask);
	v->clear_tid = flags & CLONE_CHILD_CLEARTID ? st->c.child_tid : 0;
	/* Both land before the new thread runs target code, as the kernel does them. */
	if (flags & CLONE_CHILD_SETTID)
		kd_copy_to_user(vm, st->c.child_tid, &tid, sizeof(tid));
	if (flags & CLONE_PARENT_SETTID)
		kd_copy_to_user(vm, st->c.parent_tid, &tid, sizeof(tid));
	struct kd_clone c = st->c;
	post_word(&st->result, tid); /* st is gone from here on */
	run_vcpu(v, &c);
	int code = kd_thread_finish(v);
	/* Reusable once the kernel has cleared hs->ctid, after this thread is gone. */
	hstack_set(vm, hs, HS_DONE);
	return code;
}

static long start_thread(struct kd_vcpu *parent, struct kd_vcpu *child, const struct kd_clone *c)
{
	struct kd_vm *vm = parent->vm;
	struct thread_start st = {.v = child, .c = *c};
	if (!(st.hs = hstack_get(vm))) {
		kd_vcpu_put(child);
		return -EAGAIN;
	}
	child->proc = parent->proc;
	__atomic_add_fetch(&child->proc->nthreads, 1, __ATOMIC_ACQ_REL);
	st.sigmask = kd_target_mask(parent);
	uint64_t host = kd_block_all();
	long rc = hthread_start(st.hs, thread_main, &st);
	kd_set_host_mask(host);
	if (rc < 0) {
		__atomic_sub_fetch(&child->proc->nthreads, 1, __ATOMIC_ACQ_REL);
		hstack_set(vm, st.hs, HS_FREE);
		kd_vcpu_put(child);
		return -EAGAIN;
	}
	wait_word(&st.result);
	return st.result;
}

/*
 * A CLONE_VM child is a host process in this mm, so it can run a vCPU of this VM. The host
 * thread that cloned it stays suspended (CLONE_VFORK) until the child execs or exits.
 */
struct vm_child_start {
	struct kd_vcpu *v;
	struct kd_clone c;
	struct kd_proc *proc;
	struct kd_hstack *hs, *helper_hs;
	int *pid_word;	  /* without CLONE_VFORK, the parent waits here for the child's pid */
	uint64_t sigmask; /* the parent thread's, which the child starts with */
};

static int vm_child_main(void *arg)
{
	struct vm_child_start *st = arg;
	struct kd_vcpu *v = st->v;
	kd_self_set(&st->hs->self);
	st->hs->self.vcpu = v;
	v->tid = st->hs->self.tid;
	/* A helper thread cloned this child with every signal blocked: the target's mask. */
	kd_set_host_mask(st->sigmask);
	if (st->pid_word)
		post_word(st->pid_word, v->tid);
	run_vcpu(v, &st->c);
	kd_thread_finish(v); /* the initial thread is the leader: this never returns */
	return 0;
}

/* The clone flags that mean the same for the host child as for the target's. */
#define VM_CHILD_HOST_FLAGS                                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_PTRACE |        \
	 CLONE_UNTRACED | CLONE_IO | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |      \
	 CLONE_CHILD_CLEARTID | CLONE_PIDFD)

static struct kd_proc *new_proc(struct kd_vm *vm, struct kd_proc *parent, uint64_t flags)
{
	struct kd_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->nthreads = 1;
	/* Its own copy of the descriptor table cannot use vCPU fds opened after the clone. */
	p->foreign_fds = parent->foreign_fds || !(flags & CLONE_FILES);
	kd_vm_lock(vm);
	memcpy(p->sa, parent->sa, sizeof(p->sa));
	p->sa_loaded = parent->sa_loaded;
	kd_vm_unlock(vm);
	return p;
}

/* A target address the kernel may write for the child, or NULL (a native write would fail). */
static void *child_addr(struct kd_vm *vm, uint64_t addr)
{
	uint64_t probe;
	return kd_copy_from_user(vm, &probe, addr, sizeof(int)) ? NULL : (void *)addr;
}

/* The host clone; it returns once the child has exec'd or exited. Child pid or -errno. */
static int host_clone(struct kd_vm *vm, struct vm_child_start *st)
{
	const struct kd_clone *c = &st->c;
	uint64_t f = (c->flags & VM_CHILD_HOST_FLAGS) | CLONE_VFORK | (uint64_t)c->exit_signal;
	void *ptid = NULL, *ctid = NULL;
	if (f & (CLONE_PARENT_SETTID | CLONE_PIDFD))
		ptid = child_addr(vm, f & CLONE_PIDFD ? c->pidfd : c->parent_tid);
	if (!ptid)
		f &= ~(uint64_t)(CLONE_PARENT_SETTID | CLONE_PIDFD);
	if (f & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		ctid = child_addr(vm, c->child_tid);
	if (!ctid)
		f &= ~(uint64_t)(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID);
	int pid = clone(vm_child_main, st->hs->base + HSTACK_SIZE, (int)f, st, ptid, NULL, ctid);
	return pid < 0 ? -errno : pid;
}

/* The child exec'd or exited (or never started): its vCPU, stack and state come back. */
static void vm_child_release(struct kd_vm *vm, struct vm_child_start *st, int pid)
{
	kd_vm_lock(vm);
	/* Unless the child gave it back itself (and another thread may have it now). */
	if (st->v->owner == st)
		kd_vcpu_put(st->v);
	st->hs->state = HS_FREE;
	/* Threads it made may outlive its first thread; then its state stays. */
	if (st->proc->nclones == 0)
		free(st->proc);
	kd_vm_unlock(vm);
}

/* Without CLONE_VFORK the parent goes on at once: a helper thread waits for the child. */
static int vm_child_helper(void *arg)
{
	struct vm_child_start *st = arg;
	struct kd_vm *vm = st->v->vm;
	struct kd_hstack *own = st->helper_hs;
	kd_self_set(&own->self);
	int *pid_word = st->pid_word;
	int pid = host_clone(vm, st);
	vm_child_release(vm, st, pid);
	if (pid < 0)
		post_word(pid_word, pid); /* else the child said its pid itself */
	free(st);
	hstack_set(vm, own, HS_DONE);
	return 0;
}

static long start_vm_child(struct kd_vcpu *parent, struct kd_vcpu *child, const struct kd_clone *c)
{
	struct kd_vm *vm = parent->vm;
	struct vm_child_start *st = calloc(1, sizeof(*st));
	if (st) {
		*st = (struct vm_child_start){.v = child, .c = *c};
		child->owner = st;
		st->proc = child->proc = new_proc(vm, parent->proc, c->flags);
		st->hs = st->proc ? hstack_get(vm) : NULL;
	}
	if (!st || !st->hs) {
		if (st)
			free(st->proc);
		free(st);
		kd_vcpu_put(child);
		return -ENOMEM;
	}
	st->sigmask = kd_target_mask(parent);
	if (c->flags & CLONE_VFORK) {
		int pid = host_clone(vm, st);
		vm_child_release(vm, st, pid);
		free(st);
		return pid;
	}
	int word = 0;
	st->pid_word = &word;
	st->helper_hs = hstack_get(vm);
	int rc = !st->helper_hs;
	if (!rc) {
		/* The helper never runs target code: no signal may pick it, so it keeps all
		 * blocked. */
		uint64_t old = kd_block_all();
		rc = hthread_start(st->helper_hs, vm_child_helper, st) < 0;
		kd_set_host_mask(old);
	}
	if (rc) {
		if (st->helper_hs)
			hstack_set(vm, st->helper_hs, HS_FREE);
		vm_child_release(vm, st, -1);
		free(st);
		return -EAGAIN;
	}
	wait_word(&word);
	return word;
}

long kd_clone_vm(struct kd_vcpu *v, const struct kd_clone *c)
{
	struct kd_vm *vm = v->vm;
	struct kd_vcpu *child;
	if (v->proc->foreign_fds)
		return kd_unsupported(SYS_clone,
				      "CLONE_VM inside a CLONE_VM child with a descriptor table "
				      "of its own");
	if ((c->flags & CLONE_THREAD) && !(c->flags & CLONE_FILES))
		return kd_unsupported(SYS_clone, "a thread with a descriptor table of its own");
	long rc = kd_vcpu_get(vm, &child);
	if (rc) {
		kd_info("clone: no vCPU for a new %s (%d in this VM, KVM allows %d): %s; "
			"returning EAGAIN",
			c->flags & CLONE_THREAD ? "thread" : "CLONE_VM child", vm->nvcpus,
			vm->max_vcpus, strerror((int)-rc));
		return -EAGAIN;
	}
	rc = child_state(v, child, c);
	if (rc) {
		kd_vcpu_put(child);
		return rc;
	}
	if (!(c->flags & CLONE_THREAD))
		return start_vm_child(v, child, c);
	__atomic_add_fetch(&v->proc->nclones, 1, __ATOMIC_RELAXED);
	return start_thread(v, child, c);
}

void kd_thread_exit(struct kd_vcpu *v, int code)
{
	/*
	 * The last thread to go ends the process (and any helper thread kdune still has)
	 * with its own code: measured natively, that is the status a parent sees, even
	 * when the leader exited earlier with another code.
	 */
	if (__atomic_sub_fetch(&v->proc->nthreads, 1, __ATOMIC_ACQ_REL) == 0 && !v->vm->entered)
		kd_target_exit(v->vm, code);
	/* After kdune_enter() each target thread is the host thread itself: its own exit
	 * ends the process exactly when and as it would natively (native threads included). */
	v->exit_code = code;
	v->exited = 1;
}

int kd_thread_finish(struct kd_vcpu *v)
{
	struct kd_vm *vm = v->vm;
	uint64_t ctid = v->clear_tid;
	int code = v->exit_code, zero = 0;
	struct kd_hthread *self = kd_self();
	if (self)
		self->vcpu = NULL;
	kd_vcpu_put(v);
	/* What the kernel does as a thread exits: pthread_join waits for exactly this. */
	if (ctid && kd_copy_to_user(vm, ctid, &zero, sizeof(zero)) == 0)
		kd_raw_syscall(SYS_futex, ctid, FUTEX_WAKE, 1, 0, 0, 0);
	/*
	 * The leader leaves as a native leader does: its status is the process's once the
	 * other threads are gone. Other host threads return to their start, which ends them.
	 */
	if (gettid() == getpid())
		for (;;)
			kd_raw_syscall(SYS_exit, (uint64_t)code, 0, 0, 0, 0, 0);
	return code;
}

int kd_threads_after_fork(struct kd_vcpu *v)
{
	struct kd_vm *vm = v->vm;
	/* Other threads' vCPUs belong to the parent's VM; they are re-created when needed. */
	vm->free_vcpus = NULL;
	for (int i = vm->nvcpus - 1; i >= 0; i--) {
		struct kd_vcpu *o = vm->vcpus[i];
		if (o == v)
			continue;
		kd_vcpu_close(o, !v->proc->foreign_fds);
		o->tid = 0;
		o->next_free = vm->free_vcpus;
		vm->free_vcpus = o;
	}
	for (struct kd_hstack *h = vm->hstacks; h; h = h->next)
		if (h != v->hstack) {
			h->state = HS_FREE;
			h->ctid = 0; /* its thread stayed in the parent */
		}
	v->proc->nthreads = 1;
	v->tid = gettid();
	kd_exitless_after_fork(vm);
	return 0;
}
