/*
 * Unit tests: the vCPU layer's exit decoding and the engine's loop, on made-up exits
 * (kvm_run filled by hand, registers through its sync area): no KVM needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include "engine/loop.h"
#include "vm/desc.h"
#include "vm/layout.h"
#include "vm/vcpu.h"
#include "vm/x86.h"

struct fixture {
	struct kd_vm vm;
	struct kd_vcpu v;
	struct kvm_run run;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->vm.karea = calloc(1, KD_KAREA_SIZE);
	f->vm.ustub = 0x7f0000000000ULL;
	f->vm.syscall_cpl = 3; /* as on PVM: the stub runs at CPL3 */
	f->vm.sync_regs = 1;
	f->vm.trace_fd = -1;
	f->v.vm = &f->vm;
	f->v.fd = -1;
	f->v.id = 1;
	f->v.run = &f->run;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->vm.karea);
	free(f);
	return 0;
}

static struct kvm_regs *regs(struct fixture *f)
{
	return &f->run.s.regs.regs;
}

static void io_out(struct fixture *f, unsigned port)
{
	f->run.exit_reason = KVM_EXIT_IO;
	f->run.io.direction = KVM_EXIT_IO_OUT;
	f->run.io.port = (uint16_t)port;
}

static void test_vcpu_exit_syscall(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e;
	io_out(f, KD_PORT_SYSCALL);
	*regs(f) = (struct kvm_regs){.rip = kd_lstar(&f->vm) + X86_SYSCALL_INSN_LEN,
				     .rax = SYS_getppid,
				     .rcx = 0x401002,
				     .r11 = 0x246,
				     .rsp = 0x7ffff000};
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), 0);
	assert_int_equal(e.kind, KD_VCPU_EXIT_SYSCALL);
	assert_int_equal(f->v.user.rip, 0x401002); /* the instruction after `syscall` */
	assert_int_equal(f->v.user.rflags, 0x246);
	assert_int_equal(f->v.user.rsp, 0x7ffff000);
	assert_int_equal(f->v.at_cpl3, 1);
}

static void test_vcpu_exit_out_elsewhere_is_gp(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e;
	io_out(f, KD_PORT_SYSCALL);
	*regs(f) = (struct kvm_regs){.rip = 0x401000};
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), 0);
	assert_int_equal(e.kind, KD_VCPU_EXIT_EXCEPTION);
	assert_int_equal(e.vector, X86_VEC_GP);
	assert_int_equal(e.error_code, 0);
	assert_int_equal(f->v.user.rip, 0x401000);
}

/* An exception stub's exit: the CPU's frame (error code, rip, cs, rflags, rsp, ss). */
static void stub_frame(struct fixture *f, int vec, uint64_t cs, uint64_t rsp_adjust)
{
	uint64_t top = kd_cpu_gva(f->v.id, KD_CPU_STACK_TOP);
	uint64_t *fr = kd_karea_ptr(&f->vm, top - 48);
	fr[0] = 6; /* #PF error code: user write to a non-present page */
	fr[1] = 0x401abc;
	fr[2] = cs;
	fr[3] = 0x10246;
	fr[4] = 0x7fffe000;
	fr[5] = KD_SEL_UDS;
	io_out(f, KD_PORT_EXC + (unsigned)vec);
	*regs(f) = (struct kvm_regs){.rsp = top - 48 + rsp_adjust, .rbx = 77};
}

static void test_vcpu_exit_exception_frame(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e;
	stub_frame(f, X86_VEC_PF, KD_SEL_UCS, 0);
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), 0);
	assert_int_equal(e.kind, KD_VCPU_EXIT_EXCEPTION);
	assert_int_equal(e.vector, X86_VEC_PF);
	assert_int_equal(e.error_code, 6);
	assert_int_equal(f->v.user.rip, 0x401abc);
	assert_int_equal(f->v.user.rflags, 0x10246);
	assert_int_equal(f->v.user.rsp, 0x7fffe000);
	assert_int_equal(f->v.user.rbx, 77);
}

static void test_vcpu_exit_bad_frames_fail(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e;
	stub_frame(f, X86_VEC_PF, KD_SEL_UCS, 8); /* not where the CPU puts it */
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), -1);
	assert_int_equal(e.kind, KD_VCPU_EXIT_FAILED);
	stub_frame(f, X86_VEC_PF, KD_SEL_KCS, 0); /* from kdune's own ring 0 */
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), -1);
	assert_int_equal(e.kind, KD_VCPU_EXIT_FAILED);
	io_out(f, 0x99); /* a port nothing uses */
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), -1);
	f->run.exit_reason = KVM_EXIT_HLT;
	assert_int_equal(kd_vcpu_exit_decode(&f->v, 0, &e), -1);
	assert_non_null(strstr(e.why, "HLT"));
	assert_int_equal(e.exit_reason, KVM_EXIT_HLT);
}

static void test_vcpu_exit_errno_and_memory(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e;
	kd_vcpu_exit_decode(&f->v, EINTR, &e);
	assert_int_equal(e.kind, KD_VCPU_EXIT_INTERRUPTED);
	kd_vcpu_exit_decode(&f->v, EAGAIN, &e);
	assert_int_equal(e.kind, KD_VCPU_EXIT_RETRY);
	kd_vcpu_exit_decode(&f->v, EFAULT, &e);
	assert_int_equal(e.kind, KD_VCPU_EXIT_MEMORY);
	assert_int_equal(e.efault, 1);
	assert_int_equal(kd_vcpu_exit_decode(&f->v, ENOMEM, &e), -1);
	assert_int_equal(e.host_errno, ENOMEM);
	f->run.exit_reason = KVM_EXIT_MMIO;
	kd_vcpu_exit_decode(&f->v, 0, &e);
	assert_int_equal(e.kind, KD_VCPU_EXIT_MEMORY);
	assert_int_equal(e.efault, 0);
}

static void test_loop_serves_a_syscall(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e = {.kind = KD_VCPU_EXIT_SYSCALL};
	f->v.at_cpl3 = 1;
	f->v.user = (struct kvm_regs){.rax = SYS_getppid, .rip = 0x401002, .rflags = 0x246};
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_RUN);
	assert_int_equal(f->v.nsyscalls, 1);
	/* The result is in the registers the vCPU resumes with, at the next instruction. */
	assert_int_equal(regs(f)->rax, getppid());
	assert_int_equal(regs(f)->rip, 0x401002);
	assert_int_equal(f->v.user_valid, 1);
}

static void test_loop_signal_before_syscall_rewinds(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e = {.kind = KD_VCPU_EXIT_SYSCALL};
	f->v.at_cpl3 = 1;
	f->v.sigq.n = 1; /* caught in the stub: the handler runs first, then the call */
	f->v.user = (struct kvm_regs){.rax = SYS_getppid, .rip = 0x401002};
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_RUN);
	assert_int_equal(f->v.nsyscalls, 0);
	assert_int_equal(regs(f)->rip, 0x401000);
	assert_int_equal(regs(f)->rax, SYS_getppid);
}

static void test_loop_resumes_through_iret_from_ring0(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e = {.kind = KD_VCPU_EXIT_SYSCALL};
	f->v.at_cpl3 = 0; /* VT-x/SVM: the stub ran at CPL0, resume through kd_stub_iret */
	f->v.user =
	    (struct kvm_regs){.rax = SYS_getpid, .rip = 0x401002, .rsp = 0x7ff0, .rflags = 0x246};
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_RUN);
	uint64_t top = kd_cpu_gva(f->v.id, KD_CPU_STACK_TOP);
	const uint64_t *fr = kd_karea_ptr(&f->vm, top - 40);
	assert_int_equal(regs(f)->rip, kd_stub_gva(kd_stub_iret));
	assert_int_equal(regs(f)->rsp, top - 40);
	assert_int_equal(regs(f)->rax, getpid());
	assert_int_equal(fr[0], 0x401002);
	assert_int_equal(fr[1], KD_SEL_UCS);
	assert_int_equal(fr[3], 0x7ff0);
	assert_int_equal(fr[4], KD_SEL_UDS);
}

static void test_loop_interrupted_and_retry(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e = {.kind = KD_VCPU_EXIT_INTERRUPTED};
	/* No signal waiting: nothing to deliver, the registers are not read. */
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_RUN);
	assert_int_equal(f->v.nintr, 1);
	assert_int_equal(f->v.user_valid, 0);
	e.kind = KD_VCPU_EXIT_RETRY;
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_RUN);
	assert_int_equal(f->v.nsyscalls, 0);
}

static void test_loop_failure_stops(void **state)
{
	struct fixture *f = *state;
	struct kd_vcpu_exit e = {.kind = KD_VCPU_EXIT_FAILED, .host_errno = ENOMEM};
	assert_int_equal(kd_loop_handle(&f->v, &e), KD_LOOP_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_vcpu_exit_syscall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vcpu_exit_out_elsewhere_is_gp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vcpu_exit_exception_frame, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vcpu_exit_bad_frames_fail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vcpu_exit_errno_and_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop_serves_a_syscall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop_signal_before_syscall_rewinds, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_loop_resumes_through_iret_from_ring0, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_loop_interrupted_and_retry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop_failure_stops, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
