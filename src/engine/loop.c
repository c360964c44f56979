/* loop.c: the exit loop. The vCPU layer says what happened; this decides what follows. */
#include "engine/loop.h"
#include "engine/exitless.h"
#include "engine/xlserver.h"
#include "engine/fault.h"
#include "engine/signals.h"
#include "engine/syscall.h"
#include "vm/x86.h"
#include "base/log.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * A syscall. A signal caught in the stub, before the call reached kdune: the target has not
 * made the call yet, so the handler runs first and the `syscall` instruction runs after it,
 * as when a signal arrives natively just before it.
 */
static void syscall_exit(struct kd_vcpu *v)
{
	const struct kvm_regs *u = &v->user;
	if (v->sigq.n) {
		v->user.rip -= X86_SYSCALL_INSN_LEN;
		return;
	}
	/* The exitless server learns of calls it could have answered, and wakes for them. */
	uint64_t a[6] = {u->rdi, u->rsi, u->rdx, u->r10, u->r8, u->r9};
	kd_exitless_on_exit(v, (long)u->rax, a);
	kd_syscall(v);
}

/*
 * KVM_RUN came back with -EINTR: a signal for this thread. If the guest was at ring 3, its
 * registers are the target's state to deliver on (KVM completed any pending MMIO first);
 * inside kdune's ring-0 stubs it is not, and delivery waits for the stub's exit.
 */
static void interrupted(struct kd_vcpu *v)
{
	v->nintr++;
	if (!v->sigq.n || kd_vcpu_read_user(v))
		return;
	/*
	 * Inside this vCPU's exitless stub, the call is completed or cancelled first, so the
	 * signal lands at a syscall boundary as natively.
	 */
	kd_exitless_settle(v);
	v->user_valid = 1;
}

static void failed(struct kd_vcpu *v, const struct kd_vcpu_exit *e)
{
	char why[96];
	if (e->host_errno) {
		kd_err("KVM_RUN: %s", strerror(e->host_errno));
		return;
	}
	snprintf(why, sizeof(why), "%s (exit %u)", e->why ? e->why : "unexpected exit",
		 e->exit_reason);
	kd_vcpu_dump(v, why);
}

enum kd_loop_next kd_loop_handle(struct kd_vcpu *v, const struct kd_vcpu_exit *e)
{
	switch (e->kind) {
	case KD_VCPU_EXIT_SYSCALL:
		syscall_exit(v);
		break;
	case KD_VCPU_EXIT_EXCEPTION:
		if (kd_fault_exception(v, e->vector, e->error_code))
			return KD_LOOP_FAILED;
		break;
	case KD_VCPU_EXIT_MEMORY:
		if (!e->efault)
			v->nmemfaults++;
		if (kd_fault_memory(v, e->efault) == 0)
			return KD_LOOP_RUN;
		if (e->efault)
			kd_err("KVM_RUN: %s", strerror(EFAULT));
		return KD_LOOP_FAILED;
	case KD_VCPU_EXIT_INTERRUPTED:
		interrupted(v);
		return KD_LOOP_RUN;
	case KD_VCPU_EXIT_RETRY:
		return KD_LOOP_RUN;
	case KD_VCPU_EXIT_FAILED:
	default:
		failed(v, e);
		return KD_LOOP_FAILED;
	}
	kd_vcpu_resume_user(v);
	if (v->exited)
		return KD_LOOP_EXITED;
	v->user_valid = 1;
	return KD_LOOP_RUN;
}

int kd_loop_run(struct kd_vcpu *v)
{
	for (;;) {
		/*
		 * Cleared before delivery: delivery unblocks the thread's signals, and one caught
		 * then sets it again so that the next KVM_RUN returns at once to deliver it too.
		 */
		v->run->immediate_exit = 0;
		if (v->sigq.n && v->user_valid)
			kd_signal_deliver(v);
		struct kd_vcpu_exit e;
		kd_vcpu_run(v, &e);
		v->user_valid = 0;
		switch (kd_loop_handle(v, &e)) {
		case KD_LOOP_RUN:
			break;
		case KD_LOOP_EXITED:
			return 0;
		case KD_LOOP_FAILED:
			return 125;
		}
	}
}
