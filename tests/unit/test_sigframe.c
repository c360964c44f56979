/* Unit tests: the signal frame layout and the registers' trip through uc_mcontext. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <cmocka.h>
#include <linux/futex.h>
#include "engine/sigframe.h"
#include "engine/signals.h"
#include "vm/layout.h"
#include "vm/x86.h"

/* The frame must be what glibc's ucontext_t and the handler's siginfo_t expect. */
static void test_sigframe_layout_matches_libc(void **state)
{
	assert_int_equal(offsetof(struct kd_ucontext, mc), offsetof(ucontext_t, uc_mcontext));
	assert_int_equal(offsetof(struct kd_ucontext, ss_sp), offsetof(ucontext_t, uc_stack));
	assert_int_equal(offsetof(struct kd_ucontext, sigmask), offsetof(ucontext_t, uc_sigmask));
	assert_int_equal(offsetof(struct kd_sigcontext, r8), 8 * REG_R8);
	assert_int_equal(offsetof(struct kd_sigcontext, rdi), 8 * REG_RDI);
	assert_int_equal(offsetof(struct kd_sigcontext, rsp), 8 * REG_RSP);
	assert_int_equal(offsetof(struct kd_sigcontext, rip), 8 * REG_RIP);
	assert_int_equal(offsetof(struct kd_sigcontext, eflags), 8 * REG_EFL);
	assert_int_equal(offsetof(struct kd_sigcontext, err), 8 * REG_ERR);
	assert_int_equal(offsetof(struct kd_sigcontext, trapno), 8 * REG_TRAPNO);
	assert_int_equal(offsetof(struct kd_sigcontext, cr2), 8 * REG_CR2);
	assert_int_equal(offsetof(struct kd_sigcontext, fpstate), offsetof(mcontext_t, fpregs));
	/* pretcode, then the ucontext, then siginfo: the handler's (sig, info, uc) pointers. */
	assert_int_equal(offsetof(struct kd_rt_sigframe, uc), 8);
	assert_int_equal(offsetof(struct kd_rt_sigframe, info), 8 + sizeof(struct kd_ucontext));
}

static struct kvm_regs sample_regs(void)
{
	struct kvm_regs r;
	uint64_t *w = (uint64_t *)&r;
	for (size_t i = 0; i < sizeof(r) / 8; i++)
		w[i] = 0x1111111111111111ULL * (i + 1);
	r.rflags = 0x246;
	return r;
}

static void test_sigframe_mcontext_round_trip(void **state)
{
	struct kvm_regs r = sample_regs(), back = {.rflags = 0x202};
	struct kd_fault_regs f = {.err = 6, .trapno = X86_VEC_PF, .cr2 = 0xdead000};
	struct kd_sigcontext mc;
	kd_sigframe_fill_mcontext(&mc, &r, &f, 0x4000, 0x7ff000);
	assert_int_equal(mc.rip, r.rip);
	assert_int_equal(mc.rsp, r.rsp);
	assert_int_equal(mc.r15, r.r15);
	assert_int_equal(mc.eflags, 0x246);
	assert_int_equal(mc.cs, KD_SEL_UCS);
	assert_int_equal(mc.ss, KD_SEL_UDS);
	assert_int_equal(mc.err, 6);
	assert_int_equal(mc.trapno, X86_VEC_PF);
	assert_int_equal(mc.cr2, 0xdead000);
	assert_int_equal(mc.oldmask, 0x4000);
	assert_int_equal(mc.fpstate, 0x7ff000);
	kd_sigframe_restore_regs(&back, &mc);
	back.rflags = r.rflags; /* checked below */
	assert_memory_equal(&back, &r, sizeof(r));
}

static void test_sigframe_restore_keeps_privileged_flags(void **state)
{
	/* A handler may edit uc_mcontext: its rflags edits reach only the user-owned bits. */
	struct kvm_regs r = sample_regs(), out = {.rflags = 0x202};
	struct kd_sigcontext mc;
	kd_sigframe_fill_mcontext(&mc, &r, NULL, 0, 0);
	assert_int_equal(mc.err, 0);
	mc.rip = 0x401234;
	mc.rax = 42;
	mc.eflags = ~0ULL;
	kd_sigframe_restore_regs(&out, &mc);
	assert_int_equal(out.rip, 0x401234);
	assert_int_equal(out.rax, 42);
	assert_int_equal(out.rflags, 0x202 | X86_RFLAGS_USER);
	assert_int_equal(out.rflags & X86_RFLAGS_IOPL, 0);
}

static void test_signals_never_restarted(void **state)
{
	uint64_t none[6] = {0};
	long never[] = {SYS_pause,	 SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_select,
			SYS_pselect6,	 SYS_poll,	    SYS_ppoll,		 SYS_epoll_wait,
			SYS_epoll_pwait, SYS_nanosleep,	    SYS_clock_nanosleep, SYS_msgrcv,
			SYS_msgsnd,	 SYS_semop,	    SYS_semtimedop,	 SYS_io_getevents};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		assert_true(kd_signal_never_restarted(never[i], none));
	long restarted[] = {SYS_read, SYS_write, SYS_wait4, SYS_accept, SYS_openat, SYS_recvfrom};
	for (size_t i = 0; i < sizeof(restarted) / sizeof(restarted[0]); i++)
		assert_false(kd_signal_never_restarted(restarted[i], none));
	/* futex: a timed wait is never restarted, an untimed one is. */
	uint64_t timed[6] = {0x1000, FUTEX_WAIT, 0, 0x2000};
	uint64_t untimed[6] = {0x1000, FUTEX_WAIT, 0, 0};
	assert_true(kd_signal_never_restarted(SYS_futex, timed));
	assert_false(kd_signal_never_restarted(SYS_futex, untimed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sigframe_layout_matches_libc),
	    cmocka_unit_test(test_sigframe_mcontext_round_trip),
	    cmocka_unit_test(test_sigframe_restore_keeps_privileged_flags),
	    cmocka_unit_test(test_signals_never_restarted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
