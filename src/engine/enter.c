/*
 * enter.c: kdune_enter(): the calling process goes into a VM and carries on there.
 *
 * kd_enter's assembly head saves the caller's callee-saved registers and return address;
 * the rest runs on a private stack. The VM is built around the process as it is: every
 * accessible mapping becomes target memory, kdune's own memory (heap, stacks, ring-0 area,
 * page tables) never does. The vCPU then resumes at the return address with rax = 0, and
 * this host thread serves its exits from then on. Nothing here may use libc (nolibc.h).
 */
#include "engine/enter.h"
#include "engine/exit.h"
#include "vm/layout.h"
#include "base/log.h"
#include "vm/maps.h"
#include "engine/signals.h"
#include "engine/thread.h"
#include "engine/loop.h"
#include "vm/vcpu.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STACK_SIZE (1ULL << 20)
#define STACK_GROWTH_MAX (8ULL << 20)

/* What kd_enter pushed: the order of the pushes, then the return address. */
struct entry_regs {
	uint64_t rbx, rbp, r12, r13, r14, r15, rip;
};

long kd_enter_main(struct kd_enter_opts *o, const struct entry_regs *regs);

/* One VM per process, made by the first thread that enters. */
static struct kd_vm *the_vm;
static struct kd_proc *the_proc;
static struct kd_lock enter_lock;

struct enter_ctx {
	struct kd_enter_opts *o;
	const struct entry_regs *regs;
	uint64_t fs, gs;
	uint32_t mxcsr;
	uint16_t fcw;
	uint8_t *stack;
};

static long fail(struct kd_enter_opts *o, long rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (o->err && o->errlen > 13) {
		memcpy(o->err, "kdune_enter: ", 13);
		vsnprintf(o->err + 13, (size_t)o->errlen - 13, fmt, ap);
	}
	va_end(ap);
	return rc;
}

/* ---- the process's memory at entry ---- */

struct snapshot {
	struct kd_range *r;
	size_t n, cap;
	uint64_t stack_lo, stack_hi; /* the private stack: never the target's */
	int rc;
};

static int not_target(const struct snapshot *s, const struct kd_mapping *m)
{
	uint64_t hs, he;
	kd_heap_range(&hs, &he);
	/* PROT_NONE reservations can be huge and are never accessible as they are. */
	return m->end > KD_USER_TOP || !memcmp(m->perms, "---", 3) ||
	       (m->start < s->stack_hi && m->end > s->stack_lo) || (m->start < he && m->end > hs);
}

static int take(void *ctx, const struct kd_mapping *m)
{
	struct snapshot *s = ctx;
	if (not_target(s, m))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct kd_range *r = realloc(s->r, cap * sizeof(*r));
		if (!r) {
			s->rc = -ENOMEM;
			return 1;
		}
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n++] = (struct kd_range){m->start, m->end};
	return 0;
}

static int find_stack(void *ctx, const struct kd_mapping *m)
{
	if (strcmp(m->path, "[stack]"))
		return 0;
	*(struct kd_range *)ctx = (struct kd_range){m->start, m->end};
	return 1;
}

/*
 * The main thread's stack grows on demand natively; in the guest it cannot (a guest fault
 * there is not the kernel's). Grow it now to its limit (at most 8 MiB), with one kernel read
 * of its lowest page: only the mapping grows, no memory is used until touched.
 */
static void grow_main_stack(void)
{
	struct kd_range st = {0, 0};
	struct rlimit rl;
	int fds[2];
	if (kd_maps_each(find_stack, &st) != 1 || getrlimit(RLIMIT_STACK, &rl) ||
	    pipe2(fds, O_CLOEXEC))
		return;
	uint64_t want = rl.rlim_cur < STACK_GROWTH_MAX ? rl.rlim_cur : STACK_GROWTH_MAX;
	for (int i = 0; i < 4 && want > st.end - st.start; i++, want /= 2) {
		char c;
		uint64_t lo = (st.end - want + KD_PAGE) & ~(KD_PAGE - 1);
		if (write(fds[1], (void *)lo, 1) == 1 && read(fds[0], &c, 1) == 1)
			break;
	}
	close(fds[0]);
	close(fds[1]);
}

/* ---- the VM, once per process ---- */

static long make_vm(struct enter_ctx *c)
{
	struct kd_enter_opts *o = c->o;
	struct snapshot s = {.stack_lo = (uint64_t)c->stack,
			     .stack_hi = (uint64_t)c->stack + STACK_SIZE};
	char err[512];
	free(malloc(1)); /* kdune's heap exists before the snapshot, so it is left out */
	grow_main_stack();
	int rc = kd_maps_each(take, &s);
	if (rc < 0 || s.rc)
		return fail(o, rc < 0 ? rc : s.rc, "cannot read /proc/self/maps");
	struct kd_vm *vm = calloc(1, sizeof(*vm));
	struct kd_proc *p = calloc(1, sizeof(*p));
	if (!vm || !p)
		return fail(o, -ENOMEM, "out of memory");
	vm->kvm_device = o->kvm_device;
	vm->xl_mode = o->exitless;
	errno = 0;
	if (kd_kvm_open(vm, o->kvm_device ? o->kvm_device : "/dev/kvm", err, sizeof(err))) {
		/* The device's own error when opening it failed; else it is not KVM. */
		int e = errno == ENOENT || errno == EACCES || errno == EPERM || errno == ENXIO
			    ? errno
			    : ENODEV;
		return fail(o, -e, "%s", err);
	}
	rc = kd_vm_create(vm);
	for (size_t i = 0; !rc && i < s.n; i++)
		rc = kd_mem_add(vm, s.r[i].start, s.r[i].end - s.r[i].start);
	free(s.r);
	if (rc) {
		/* Forgotten too: a later entry must not take these numbers for kdune's. */
		kd_fd_forget(vm->kvm_fd);
		close(vm->kvm_fd);
		if (vm->vm_fd > 0) {
			kd_fd_forget(vm->vm_fd);
			close(vm->vm_fd);
		}
		return fail(o, rc, "cannot create the VM: %s", strerror(-rc));
	}
	vm->entered = 1;
	vm->trace_fd = -1;
	vm->brk_start = vm->brk_cur = (uint64_t)kd_raw_syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
	vm->follow_exec = o->follow_exec;
	snprintf(vm->kdune_exe, sizeof(vm->kdune_exe), "%s", o->kdune_exe ? o->kdune_exe : "");
	p->nthreads = 0;
	the_proc = p;
	the_vm = vm;
	return 0;
}

/* ---- the calling thread's vCPU ---- */

static int set_fpu_control(struct kd_vcpu *v, uint32_t mxcsr, uint16_t fcw)
{
	size_t len;
	struct kvm_xsave *x = kd_vcpu_xsave(v, &len);
	if (!x)
		return -EIO;
	/* The FPU control state a call preserves (SysV ABI): x87 control word and MXCSR. */
	memcpy((uint8_t *)x->region, &fcw, 2);
	memcpy((uint8_t *)x->region + 24, &mxcsr, 4);
	int rc = ioctl(v->fd, KVM_SET_XSAVE, x) ? -errno : 0;
	free(x);
	return rc;
}

static long make_vcpu(struct enter_ctx *c, struct kd_vcpu **out)
{
	struct kd_vm *vm = the_vm;
	struct kd_vcpu *v;
	const struct entry_regs *r = c->regs;
	uint64_t rsp = (uint64_t)&r->rip + 8;
	kd_vm_lock(vm);
	long rc = kd_regions_add(&vm->host, (uint64_t)c->stack, (uint64_t)c->stack + STACK_SIZE);
	/* A thread made natively after the first entry: its stack is taken in now. */
	if (!rc && !kd_regions_contains(&vm->target, rsp))
		rc = kd_vm_adopt(vm, rsp) ? -EFAULT : 0;
	kd_vm_unlock(vm);
	rc = rc ?: kd_vcpu_get(vm, &v);
	if (rc)
		return fail(c->o, rc, "cannot create a vCPU: %s", strerror((int)-rc));
	rc = kd_vcpu_set_msr(v, X86_MSR_FS_BASE, c->fs)
		 ?: kd_vcpu_set_msr(v, X86_MSR_GS_BASE, c->gs);
	rc = rc ?: set_fpu_control(v, c->mxcsr, c->fcw);
	if (rc) {
		kd_vcpu_put(v);
		return fail(c->o, -EIO, "cannot set up the vCPU");
	}
	v->proc = the_proc;
	v->user = (struct kvm_regs){.rbx = r->rbx,
				    .rbp = r->rbp,
				    .r12 = r->r12,
				    .r13 = r->r13,
				    .r14 = r->r14,
				    .r15 = r->r15,
				    .rip = r->rip,
				    .rsp = rsp,
				    .rflags = 0x202};
	*out = v;
	return 0;
}

/* On the private stack: build, then serve the guest. Returns only on failure. */
static long enter_on_stack(void *arg)
{
	struct enter_ctx *c = arg;
	struct kd_vcpu *v = NULL;
	kd_lock_take(&enter_lock);
	long rc = the_vm ? 0 : make_vm(c);
	rc = rc ?: make_vcpu(c, &v);
	struct kd_hthread *self = rc ? NULL : calloc(1, sizeof(*self));
	if (!rc && !self) {
		kd_vcpu_put(v);
		rc = fail(c->o, -ENOMEM, "out of memory");
	}
	if (rc) {
		kd_lock_drop(&enter_lock);
		return rc;
	}
	/* From here on this thread is the guest's; its GS base is kdune's thread pointer. */
	kd_self_set(self);
	self->vcpu = v;
	v->tid = self->tid;
	__atomic_add_fetch(&the_proc->nthreads, 1, __ATOMIC_ACQ_REL);
	if (!kd_native_proc) {
		kd_signals_take_over(the_proc);
		kd_native_proc = the_proc;
	}
	kd_lock_drop(&enter_lock);
	v->user_valid = 1; /* a signal caught from now on is delivered before the first step */
	kd_vcpu_resume_user(v);
	kd_threads_init(kd_loop_run);
	rc = kd_loop_run(v);
	if (rc)
		kd_target_exit(v->vm, (int)rc);
	int code = kd_thread_finish(v);
	for (;;)
		kd_raw_syscall(SYS_exit, (uint64_t)code, 0, 0, 0, 0, 0);
}

long kd_enter_main(struct kd_enter_opts *o, const struct entry_regs *regs)
{
	struct enter_ctx c = {.o = o, .regs = regs, .fs = kd_fs_base(), .gs = kd_gs_base()};
	__asm__ volatile("stmxcsr %0" : "=m"(c.mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(c.fcw));
	kd_verbose = o->verbose;
	if (kd_self())
		return fail(o, -EBUSY, "this thread is inside a VM already");
	void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fail(o, -ENOMEM, "cannot map a stack for kdune");
	mprotect(stack, KD_PAGE, PROT_NONE); /* a guard page, as for any thread stack */
	c.stack = stack;
	long rc = kd_call_on_stack((uint8_t *)stack + STACK_SIZE, enter_on_stack, &c);
	munmap(stack, STACK_SIZE);
	return rc;
}
