/* Unit tests: CPU exception -> the signal Linux sends (arch/x86/kernel/traps.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "engine/fault.h"
#include "vm/x86.h"

static void expect_sig(int vec, int sig, int code, int addr_is_ip)
{
	struct kd_exc_signal s = kd_exception_signal(vec);
	assert_int_equal(s.sig, sig);
	assert_int_equal(s.code, code);
	assert_int_equal(s.addr_is_ip, addr_is_ip);
}

static void test_fault_vector_signals(void **state)
{
	expect_sig(X86_VEC_DE, SIGFPE, FPE_INTDIV, 1);
	expect_sig(X86_VEC_DB, SIGTRAP, TRAP_TRACE, 1);
	expect_sig(X86_VEC_BP, SIGTRAP, SI_KERNEL, 0);
	expect_sig(X86_VEC_UD, SIGILL, ILL_ILLOPN, 1);
	expect_sig(X86_VEC_NP, SIGBUS, SI_KERNEL, 0);
	expect_sig(X86_VEC_SS, SIGBUS, SI_KERNEL, 0);
	expect_sig(X86_VEC_GP, SIGSEGV, SI_KERNEL, 0);
	expect_sig(X86_VEC_AC, SIGBUS, BUS_ADRALN, 0);
	expect_sig(X86_VEC_MF, SIGFPE, FPE_FLTINV, 1);
	expect_sig(X86_VEC_XM, SIGFPE, FPE_FLTINV, 1);
}

static void test_fault_other_vectors_are_gp(void **state)
{
	/* Anything else that reaches ring 3's handler is what a #GP gives: SIGSEGV, SI_KERNEL. */
	int others[] = {X86_VEC_NMI, X86_VEC_OF, X86_VEC_BR, X86_VEC_NM, X86_VEC_DF, X86_VEC_TS,
			X86_VEC_MC,  X86_VEC_VE, X86_VEC_CP, 31,	 -1,	     300};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		expect_sig(others[i], SIGSEGV, SI_KERNEL, 0);
}

static void test_fault_error_code_vectors(void **state)
{
	/* SDM table 6-1: only these push an error code (the stub's frame depends on it). */
	for (int vec = 0; vec < X86_NR_EXCEPTIONS; vec++) {
		int want = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 ||
			   vec == 29 || vec == 30;
		assert_int_equal(x86_vec_has_error_code(vec), want);
	}
}

static void test_fault_fpe_code_x87(void **state)
{
	/* x87: FSW flags not masked in FCW. Default FCW 0x37f masks everything. */
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x04, 0x04, 0), FPE_FLTDIV);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x01, 0x01, 0), FPE_FLTINV);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x08, 0x08, 0), FPE_FLTOVF);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x10, 0x10, 0), FPE_FLTUND);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x20, 0x20, 0), FPE_FLTRES);
	/* A masked flag does not count; invalid wins over divide-by-zero. */
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f, 0x04, 0), FPE_FLTINV);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x05, 0x05, 0), FPE_FLTINV);
}

static void test_fault_fpe_code_sse(void **state)
{
	/* MXCSR: flags in bits 0-5, masks in bits 7-12; default 0x1f80 masks everything. */
	uint32_t zm_unmasked = 0x1f80 & ~(0x04u << 7);
	assert_int_equal(kd_fpe_code(X86_VEC_XM, 0, 0, zm_unmasked | 0x04), FPE_FLTDIV);
	assert_int_equal(kd_fpe_code(X86_VEC_XM, 0, 0, (0x1f80 & ~(0x20u << 7)) | 0x20),
			 FPE_FLTRES);
	/* The x87 words are ignored for #XM, MXCSR for #MF. */
	assert_int_equal(kd_fpe_code(X86_VEC_XM, 0, 0x04, zm_unmasked | 0x04), FPE_FLTDIV);
	assert_int_equal(kd_fpe_code(X86_VEC_MF, 0x37f & ~0x08, 0x08, zm_unmasked | 0x04),
			 FPE_FLTOVF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fault_vector_signals),
	    cmocka_unit_test(test_fault_other_vectors_are_gp),
	    cmocka_unit_test(test_fault_error_code_vectors),
	    cmocka_unit_test(test_fault_fpe_code_x87),
	    cmocka_unit_test(test_fault_fpe_code_sse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
