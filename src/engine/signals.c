/*
 * signals.c: the target's signal handlers run in the guest, on frames a native kernel would
 * build. The host side: for every signal the target handles, kdune's host handler catches
 * it on the thread the kernel picked (that thread's mask is the target's), queues it and
 * kicks the vCPU (immediate_exit; KVM_RUN itself returns -EINTR). At the next point where
 * the target's registers are whole, the signal is delivered into the guest: an x86-64
 * rt_sigframe with siginfo, ucontext and the XSAVE state, on the stack or the altstack.
 */
#include "engine/signals.h"
#include "engine/sigframe.h"
#include "engine/decode.h"
#include "engine/exit.h"
#include "engine/trace_events.h"
#include "vm/layout.h"
#include "base/log.h"
#include "vm/uaccess.h"
#include <cpuid.h>
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
struct kd_proc *kd_native_proc;

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* Blocks every signal on the host thread; returns the target thread's mask. */
static uint64_t block_all_target_mask(struct kd_vcpu *v)
{
	uint64_t host = kd_block_all();
	return v->sigq.n ? v->sigq.mask : host;
}

/* Call with every signal blocked: the target's new mask, on the host unless signals are held. */
static void set_target_mask(struct kd_vcpu *v, uint64_t m)
{
	if (v->sigq.n)
		v->sigq.mask = m;
	else
		kd_set_host_mask(m);
}

uint64_t kd_target_mask(struct kd_vcpu *v)
{
	uint64_t m = block_all_target_mask(v);
	set_target_mask(v, m); /* puts back what the host thread had */
	return m;
}

static long set_host_action(int sig, const struct kd_ksigaction *act);

/* A fault raised by the kernel on the host is a bug in kdune, never the target's. */
static int host_fault(int sig, const siginfo_t *si)
{
	return (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) &&
	       si->si_code > 0;
}

/*
 * kdune_enter(): a thread that is not inside the VM runs the target's handler itself, as it
 * would have without kdune, with the handler's mask on top of the interrupted one.
 */
static void run_native(int sig, siginfo_t *si, void *uc)
{
	struct kd_ksigaction act = kd_native_proc->sa[sig];
	if (act.handler <= 1)
		return;
	uint64_t mask = ((struct kd_ucontext *)uc)->sigmask | act.mask |
			(act.flags & SA_NODEFER ? 0 : sigbit(sig));
	kd_set_host_mask(mask);
	if (act.flags & SA_RESETHAND) {
		struct kd_ksigaction dfl = {0};
		kd_native_proc->sa[sig] = dfl;
		set_host_action(sig, &dfl);
	}
	if (act.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))act.handler)(sig, si, uc);
	else
		((void (*)(int))act.handler)(sig);
	/* The kernel's sigreturn puts the interrupted mask back. */
}

/*
 * A caught signal is held: the host thread returns from here with every signal blocked, and
 * the thread's own mask is kept in sigq.mask until delivery puts the handler's mask in place.
 * So, as natively, a signal stays pending in the kernel (a timer's expiries coalesce into its
 * overrun count) while the target cannot take it yet, and one signal at a time is caught.
 */
static void host_handler(int sig, siginfo_t *si, void *uc)
{
	struct kd_hthread *self = kd_self();
	struct kd_vcpu *v = self ? self->vcpu : NULL;
	if (!self && kd_native_proc) {
		run_native(sig, si, uc);
		return;
	}
	if (host_fault(sig, si)) {
		/* Die of it (the instruction faults again), with a core if enabled. */
		signal(sig, SIG_DFL);
		return;
	}
	if (sig == SIGCHLD && si->si_pid == kd_decode_pid)
		return;
	if (!v || v->sigq.n >= (int)(sizeof(v->sigq.info) / sizeof(v->sigq.info[0])))
		return;
	uint64_t *mask = &((struct kd_ucontext *)uc)->sigmask;
	if (!v->sigq.n)
		v->sigq.mask = *mask;
	*mask = ~0ULL;
	v->sigq.info[v->sigq.n] = *si;
	v->sigq.info[v->sigq.n].si_signo = sig;
	v->sigq.n = v->sigq.n + 1;
	/* A KVM_RUN about to start returns at once; one already running gets -EINTR. */
	v->run->immediate_exit = 1;
}

/* The host's disposition for the target's action: caught by kdune, or the same. */
static long set_host_action(int sig, const struct kd_ksigaction *act)
{
	struct kd_ksigaction host = {.handler = act->handler,
				     .flags = act->flags & (SA_NOCLDSTOP | SA_NOCLDWAIT)};
	if (act->handler > 1) {
		/* Everything blocked while kdune queues it; restarts are decided per call. */
		host.handler = (uint64_t)host_handler;
		host.flags |= SA_SIGINFO | SA_RESTORER;
		host.restorer = (uint64_t)kd_host_restorer;
		host.mask = ~0ULL;
	}
	return kd_raw_syscall(SYS_rt_sigaction, (uint64_t)sig, (uint64_t)&host, 0, 8, 0, 0);
}

/* The process's table starts as the host dispositions this process inherited. */
static void sa_load(struct kd_proc *p)
{
	for (int sig = 1; sig < _NSIG && !p->sa_loaded; sig++)
		kd_raw_syscall(SYS_rt_sigaction, (uint64_t)sig, 0, (uint64_t)&p->sa[sig], 8, 0, 0);
	p->sa_loaded = 1;
}

void kd_signals_take_over(struct kd_proc *p)
{
	sa_load(p);
	for (int sig = 1; sig < _NSIG; sig++)
		if (p->sa[sig].handler > 1 && sig != SIGKILL && sig != SIGSTOP)
			set_host_action(sig, &p->sa[sig]);
}

static struct kd_ksigaction get_action(struct kd_vcpu *v, int sig)
{
	kd_vm_lock(v->vm);
	sa_load(v->proc);
	struct kd_ksigaction act = v->proc->sa[sig];
	kd_vm_unlock(v->vm);
	return act;
}

long kd_sys_rt_sigaction(struct kd_vcpu *v, const uint64_t a[6])
{
	struct kd_ksigaction act, old;
	struct kd_proc *p = v->proc;
	int sig = (int)a[0];
	if (a[3] != 8 || sig < 1 || sig > 64)
		return -EINVAL;
	if (a[1] && kd_copy_from_user(v->vm, &act, a[1], sizeof(act)))
		return -EFAULT;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	kd_vm_lock(v->vm);
	sa_load(p);
	old = p->sa[sig];
	long r = a[1] ? set_host_action(sig, &act) : 0;
	if (a[1] && r == 0)
		p->sa[sig] = act;
	kd_vm_unlock(v->vm);
	if (r == 0 && a[2] && kd_copy_to_user(v->vm, a[2], &old, sizeof(old)))
		return -EFAULT;
	return r;
}

/* The target's altstack is the host thread's: the same calls set it. */
static stack_t host_altstack(void)
{
	stack_t ss = {.ss_flags = SS_DISABLE};
	kd_raw_syscall(SYS_sigaltstack, 0, (uint64_t)&ss, 0, 0, 0, 0);
	return ss;
}

static int altstack_set(const stack_t *ss)
{
	return !(ss->ss_flags & SS_DISABLE) && ss->ss_size;
}

static int on_altstack(const stack_t *ss, uint64_t sp)
{
	return altstack_set(ss) && sp - (uint64_t)ss->ss_sp - 1 < (uint64_t)ss->ss_size;
}

long kd_sys_sigaltstack(struct kd_vcpu *v, const uint64_t a[6])
{
	stack_t cur = host_altstack();
	int on = on_altstack(&cur, v->user.rsp);
	/* The host thread never runs on it; the guest may, and then it must not change. */
	if (a[0] && on)
		return -EPERM;
	long r = kd_raw_syscall(SYS_sigaltstack, a[0], 0, 0, 0, 0, 0);
	if (r == 0 && a[1]) {
		if (on)
			cur.ss_flags |= SS_ONSTACK;
		if (kd_copy_to_user(v->vm, a[1], &cur, sizeof(cur)))
			return -EFAULT;
	}
	return r;
}

/* The size of the XSAVE image for the features XCR0 enables (what the kernel saves). */
static uint32_t xsave_size(struct kd_vm *vm)
{
	/* cpuid exits to the hypervisor when kdune itself runs in a VM: ask once. */
	uint32_t size = __atomic_load_n(&vm->xsave_user, __ATOMIC_RELAXED);
	if (!size) {
		unsigned a, b, c, d;
		__cpuid_count(0xd, 0, a, b, c, d);
		size = b < 576 ? 576 : b;
		__atomic_store_n(&vm->xsave_user, size, __ATOMIC_RELAXED);
	}
	return size;
}

/* A handler starts with the FPU in its initial state, as the kernel gives it. */
static void fpu_init_state(struct kd_vcpu *v, struct kvm_xsave *x, size_t len)
{
	memset(x, 0, len);
	uint8_t *p = (uint8_t *)x->region;
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(p, &fcw, 2);
	memcpy(p + 24, &mxcsr, 4);
	ioctl(v->fd, KVM_SET_XSAVE, x);
}

/* Write the XSAVE image with the sw_reserved bytes the kernel adds. 0 or -EFAULT. */
static int save_fpu(struct kd_vcpu *v, uint64_t fp, uint32_t size, struct kvm_xsave *x)
{
	uint8_t *img = (uint8_t *)x->region;
	struct {
		uint32_t magic1, extended_size;
		uint64_t xfeatures;
		uint32_t xstate_size, pad[7];
	} sw = {FP_XSTATE_MAGIC1, size + 4, v->vm->xcr0, size, {0}};
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	memcpy(img + 464, &sw, sizeof(sw));
	if (kd_copy_to_user(v->vm, fp, img, size) ||
	    kd_copy_to_user(v->vm, fp + size, &magic2, sizeof(magic2)))
		return -EFAULT;
	return 0;
}

static _Noreturn void die_of(struct kd_vcpu *v, int sig, int code, uint64_t addr)
{
	if (v->vm->trace_fd >= 0) {
		/* strace shows the signal, then the death (exit.c). */
		siginfo_t si = {.si_signo = sig, .si_code = code};
		si.si_addr = (void *)addr;
		kd_trace_signal(v->vm->trace_fd, v->tid, &si);
	}
	kd_info("target killed by %s (si_code %d, address %#llx) at rip %#llx", sigabbrev_np(sig),
		code, (unsigned long long)addr, (unsigned long long)v->user.rip);
	kd_target_killed(v->vm, sig);
}

/*
 * One signal into the guest: the frame goes on the stack (below the red zone) or on the
 * altstack, and the vCPU resumes in the handler. *mask is the interrupted mask going in and
 * the handler's coming out; the caller puts it on the host thread. 0, or -EFAULT when the
 * frame cannot be written (the caller then kills with SIGSEGV, as the kernel does).
 */
static int setup_frame(struct kd_vcpu *v, const siginfo_t *info, const struct kd_ksigaction *act,
		       const struct kd_fault_regs *f, uint64_t *maskp)
{
	int sig = info->si_signo;
	uint64_t mask = *maskp, sp = v->user.rsp;
	uint32_t xsize = xsave_size(v->vm);
	stack_t ss = host_altstack();
	if (!(act->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no other way back */
	if (v->vm->trace_fd >= 0)
		kd_trace_signal(v->vm->trace_fd, v->tid, info);
	if ((act->flags & SA_ONSTACK) && altstack_set(&ss) && !on_altstack(&ss, sp))
		sp = (uint64_t)ss.ss_sp + ss.ss_size;
	else
		sp -= 128;
	uint64_t fp = (sp - xsize - 4) & ~63ULL;
	uint64_t frame = ((fp - sizeof(struct kd_rt_sigframe)) & ~15ULL) - 8;
	size_t xlen;
	struct kvm_xsave *x = kd_vcpu_xsave(v, &xlen);
	struct kd_rt_sigframe fr = {.pretcode = act->restorer, .info = *info};
	fr.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	fr.uc.ss_sp = (uint64_t)ss.ss_sp;
	fr.uc.ss_size = ss.ss_size;
	fr.uc.ss_flags = !altstack_set(&ss)		 ? SS_DISABLE
			 : on_altstack(&ss, v->user.rsp) ? SS_ONSTACK
							 : 0;
	kd_sigframe_fill_mcontext(&fr.uc.mc, &v->user, f, mask, x ? fp : 0);
	fr.uc.sigmask = mask;
	int rc = !x || save_fpu(v, fp, xsize, x) ? -EFAULT
						 : kd_copy_to_user(v->vm, frame, &fr, sizeof(fr));
	if (!rc) {
		if ((act->flags & SA_ONSTACK) && (ss.ss_flags & SS_AUTODISARM)) {
			stack_t off = {.ss_flags = SS_DISABLE};
			kd_raw_syscall(SYS_sigaltstack, (uint64_t)&off, 0, 0, 0, 0, 0);
		}
		fpu_init_state(v, x, xlen);
		v->user.rdi = (uint64_t)sig;
		v->user.rsi = frame + offsetof(struct kd_rt_sigframe, info);
		v->user.rdx = frame + offsetof(struct kd_rt_sigframe, uc);
		v->user.rax = 0;
		v->user.rsp = frame;
		v->user.rip = act->handler;
		v->user.rflags &= ~(X86_RFLAGS_DF | X86_RFLAGS_TF | X86_RFLAGS_RF);
		*maskp = mask | act->mask | (act->flags & SA_NODEFER ? 0 : sigbit(sig));
	}
	free(x);
	return rc;
}

/* After delivery, SA_RESETHAND puts the default action back. */
static void reset_hand(struct kd_vcpu *v, int sig, const struct kd_ksigaction *act)
{
	if (!(act->flags & SA_RESETHAND))
		return;
	struct kd_ksigaction dfl = {0};
	kd_vm_lock(v->vm);
	v->proc->sa[sig] = dfl;
	set_host_action(sig, &dfl);
	kd_vm_unlock(v->vm);
}

/* Give a caught signal back to the host: the thread's mask (or the default action) rules. */
static void requeue(const siginfo_t *info)
{
	kd_raw_syscall(SYS_rt_tgsigqueueinfo, (uint64_t)getpid(), (uint64_t)gettid(),
		       (uint64_t)info->si_signo, (uint64_t)info, 0, 0);
}

/*
 * Every signal stays blocked on the host until the frames are written and the handler's mask
 * is in place. Unblocked in between, a signal that is pending again already (a fast timer)
 * would be caught at once and stacked on a handler whose mask blocks it, again and again.
 */
void kd_signal_deliver(struct kd_vcpu *v)
{
	siginfo_t q[sizeof(v->sigq.info) / sizeof(v->sigq.info[0])];
	uint64_t mask = block_all_target_mask(v);
	int n = v->sigq.n;
	memcpy(q, v->sigq.info, (size_t)n * sizeof(q[0]));
	v->sigq.n = 0;
	for (int i = 0; i < n; i++) {
		int sig = q[i].si_signo;
		struct kd_ksigaction act = get_action(v, sig);
		/*
		 * The first was chosen by the kernel under the mask of its moment (sigsuspend's,
		 * say): it runs. Later ones wait on the host if a handler's mask now blocks them.
		 */
		if (act.handler <= 1 || (i > 0 && (mask & sigbit(sig)))) {
			if (act.handler != (uint64_t)SIG_IGN)
				requeue(&q[i]);
			continue;
		}
		if (setup_frame(v, &q[i], &act, NULL, &mask))
			die_of(v, SIGSEGV, SI_KERNEL, 0);
		reset_hand(v, sig, &act);
	}
	kd_set_host_mask(mask); /* a signal pending for it is caught now, and stacks next */
	kd_vcpu_resume_user(v);
}

/* As force_sig: the handler runs now; blocked or not handled, the default action kills. */
static void force(struct kd_vcpu *v, const siginfo_t *info, const struct kd_fault_regs *f)
{
	int sig = info->si_signo;
	struct kd_ksigaction act = get_action(v, sig);
	uint64_t mask = block_all_target_mask(v);
	if (act.handler <= 1 || (mask & sigbit(sig)))
		die_of(v, sig, info->si_code, (uint64_t)info->si_addr);
	if (setup_frame(v, info, &act, f, &mask))
		die_of(v, SIGSEGV, SI_KERNEL, 0);
	reset_hand(v, sig, &act);
	set_target_mask(v, mask);
	kd_vcpu_resume_user(v);
}

void kd_signal_fault(struct kd_vcpu *v, int sig, int code, uint64_t addr, int trapno, uint64_t err)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void *)addr;
	struct kd_fault_regs f = {err, (uint64_t)trapno, trapno == 14 ? addr : 0};
	force(v, &info, &f);
}

void kd_signal_force(struct kd_vcpu *v, const siginfo_t *info)
{
	force(v, info, NULL);
}

/* The handler changed FPU state in the frame, or not: either way it comes back. */
static void restore_fpu(struct kd_vcpu *v, uint64_t fp)
{
	size_t len;
	struct kvm_xsave *x = kd_vcpu_xsave(v, &len);
	if (!x)
		return;
	uint32_t size = xsave_size(v->vm), magic1 = 0;
	if (!fp) {
		fpu_init_state(v, x, len);
	} else if (size <= len && kd_copy_from_user(v->vm, x->region, fp, size) == 0) {
		memcpy(&magic1, (uint8_t *)x->region + 464, sizeof(magic1));
		if (magic1 != FP_XSTATE_MAGIC1) /* a legacy FXSAVE-only frame: no AVX part */
			memset((uint8_t *)x->region + 512, 0, 64);
		ioctl(v->fd, KVM_SET_XSAVE, x);
	}
	free(x);
}

long kd_sys_rt_sigreturn(struct kd_vcpu *v)
{
	struct kd_rt_sigframe fr;
	/* The handler's `ret` popped pretcode: the frame starts 8 bytes below rsp. */
	if (kd_copy_from_user(v->vm, &fr, v->user.rsp - 8, sizeof(fr)))
		die_of(v, SIGSEGV, SI_KERNEL, 0);
	const struct kd_sigcontext *mc = &fr.uc.mc;
	struct kvm_regs *r = &v->user;
	kd_sigframe_restore_regs(r, mc);
	restore_fpu(v, mc->fpstate);
	kd_block_all();
	set_target_mask(v, fr.uc.sigmask);
	stack_t ss = {
	    .ss_sp = (void *)fr.uc.ss_sp, .ss_flags = fr.uc.ss_flags, .ss_size = fr.uc.ss_size};
	kd_raw_syscall(SYS_sigaltstack, (uint64_t)&ss, 0, 0, 0, 0, 0);
	return (long)r->rax;
}

/* Calls the kernel never restarts once a handler ran (signal(7)), SA_RESTART or not. */
int kd_signal_never_restarted(long nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
	case SYS_select:
	case SYS_pselect6:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_io_getevents:
	case SYS_io_pgetevents:
	case SYS_msgrcv:
	case SYS_msgsnd:
	case SYS_semop:
	case SYS_semtimedop:
		return 1;
	case SYS_futex: /* a wait with a timeout ends with EINTR; one without restarts */
		return a[3] != 0 && (a[1] & FUTEX_CMD_MASK) != FUTEX_WAKE;
	default:
		return 0;
	}
}

int kd_signal_restarts(struct kd_vcpu *v, long nr, const uint64_t a[6])
{
	if (!v->sigq.n || nr == SYS_rt_sigreturn)
		return 0;
	struct kd_ksigaction act = get_action(v, v->sigq.info[0].si_signo);
	return act.handler > 1 && (act.flags & SA_RESTART) && !kd_signal_never_restarted(nr, a);
}
