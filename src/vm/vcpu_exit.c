/*
 * vcpu_exit.c: one KVM_RUN, and what its exit means in the target's terms. The engine's
 * loop (engine/loop.c) decides what to do about it; nothing here knows syscalls or signals.
 */
#include "vm/vcpu.h"
#include "vm/desc.h"
#include "vm/layout.h"
#include "vm/x86.h"
#include <errno.h>
#include <sys/ioctl.h>

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39 /* Linux 6.8; older uapi headers lack it */
#endif

static int failed(struct kd_vcpu_exit *e, const char *why)
{
	e->kind = KD_VCPU_EXIT_FAILED;
	e->why = why;
	return -1;
}

/* An exception stub exited: the x86 interrupt frame is on the IST stack. */
static int exception(struct kd_vcpu *v, const struct kvm_regs *k, int vec, struct kd_vcpu_exit *e)
{
	uint64_t top = kd_cpu_gva(v->id, KD_CPU_STACK_TOP);
	int ec = x86_vec_has_error_code(vec);
	if (k->rsp != top - 40 - 8 * (uint64_t)ec)
		return failed(e, "exception on an unexpected stack");
	const uint64_t *f = kd_karea_ptr(v->vm, k->rsp);
	e->error_code = ec ? *f++ : 0;
	if (f[1] != KD_SEL_UCS)
		return failed(e, "exception in kdune's ring-0 code");
	v->user = *k;
	v->user.rip = f[0];
	v->user.rflags = f[2];
	v->user.rsp = f[3];
	e->kind = KD_VCPU_EXIT_EXCEPTION;
	e->vector = vec;
	return 0;
}

static int syscall_cpl(struct kd_vcpu *v)
{
	struct kvm_sregs s;
	if (v->vm->syscall_cpl < 0 && ioctl(v->fd, KVM_GET_SREGS, &s) == 0)
		v->vm->syscall_cpl = s.cs.selector & 3;
	return v->vm->syscall_cpl;
}

/* The LSTAR stub's `out`: a syscall, unless ring 3 ran an `out` to that port elsewhere. */
static int syscall_exit(struct kd_vcpu *v, const struct kvm_regs *k, struct kd_vcpu_exit *e)
{
	v->user = *k;
	if (k->rip != kd_lstar(v->vm) + X86_SYSCALL_INSN_LEN) {
		/* Natively an `out` from ring 3 is a #GP. */
		v->at_cpl3 = 1;
		e->kind = KD_VCPU_EXIT_EXCEPTION;
		e->vector = X86_VEC_GP;
		e->error_code = 0;
		return 0;
	}
	v->at_cpl3 = syscall_cpl(v) == 3;
	v->user.rip = k->rcx;
	v->user.rflags = k->r11;
	e->kind = KD_VCPU_EXIT_SYSCALL;
	return 0;
}

static int io_exit(struct kd_vcpu *v, struct kd_vcpu_exit *e)
{
	struct kvm_regs k;
	kd_vcpu_get_regs(v, &k);
	unsigned port = v->run->io.port;
	v->at_cpl3 = 0;
	if (v->run->io.direction != KVM_EXIT_IO_OUT)
		return failed(e, "unexpected exit from ring 0");
	if (port == KD_PORT_SYSCALL)
		return syscall_exit(v, &k, e);
	if (port >= KD_PORT_EXC && port < KD_PORT_EXC + X86_NR_EXCEPTIONS)
		return exception(v, &k, (int)(port - KD_PORT_EXC), e);
	return failed(e, "unexpected exit from ring 0");
}

static const char *stop_reason(unsigned r)
{
	switch (r) {
	case KVM_EXIT_HLT:
		return "guest stopped: HLT";
	case KVM_EXIT_SHUTDOWN:
		return "guest stopped: SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY:
		return "guest stopped: FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:
		return "guest stopped: INTERNAL_ERROR";
	default:
		return "guest stopped: unexpected exit";
	}
}

int kd_vcpu_exit_decode(struct kd_vcpu *v, int run_errno, struct kd_vcpu_exit *e)
{
	*e = (struct kd_vcpu_exit){.host_errno = run_errno};
	switch (run_errno) {
	case 0:
		break;
	case EINTR:
		e->kind = KD_VCPU_EXIT_INTERRUPTED;
		return 0;
	case EAGAIN:
		e->kind = KD_VCPU_EXIT_RETRY;
		return 0;
	case EFAULT:
		e->kind = KD_VCPU_EXIT_MEMORY;
		e->efault = 1;
		return 0;
	default:
		return failed(e, "KVM_RUN failed");
	}
	e->exit_reason = v->run->exit_reason;
	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		return io_exit(v, e);
	case KVM_EXIT_MMIO:
	case KVM_EXIT_MEMORY_FAULT:
		e->kind = KD_VCPU_EXIT_MEMORY;
		return 0;
	default:
		return failed(e, stop_reason(v->run->exit_reason));
	}
}

int kd_vcpu_run(struct kd_vcpu *v, struct kd_vcpu_exit *e)
{
	int r = ioctl(v->fd, KVM_RUN, 0);
	v->exits++;
	return kd_vcpu_exit_decode(v, r < 0 ? errno : 0, e);
}

int kd_vcpu_read_user(struct kd_vcpu *v)
{
	struct kvm_sregs s;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) || (s.cs.selector & 3) != 3 ||
	    ioctl(v->fd, KVM_GET_REGS, &v->user))
		return -1;
	/* Between `syscall` and the stub's `out` (PVM runs it at CPL3): the exit comes next. */
	if (v->user.rip - v->vm->ustub < KD_PAGE)
		return -1;
	v->at_cpl3 = 1;
	return 0;
}
