/* Unit tests: kdune-decode's answer turned into the accesses of a faulting instruction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "engine/decode.h"

static int seg_asked;

static uint64_t seg_base(void *ctx, int fs)
{
	seg_asked++;
	return fs ? 0x7f0000000000ULL : 0x100000ULL;
}

static int parse(const char *answer, const struct kvm_regs *r, struct kd_access *out, int max)
{
	char text[256];
	strncpy(text, answer, sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	seg_asked = 0;
	return kd_decode_parse(r, seg_base, NULL, text, out, max);
}

static void test_decode_memory_operand(void **state)
{
	struct kvm_regs r = {.rax = 0x1000, .rbx = 3};
	struct kd_access a[4];
	/* mov %ecx, 0x10(%rax,%rbx,8): a write to rax + rbx*8 + 16. */
	assert_int_equal(parse("size 4\nmem rax rbx 8 16 - 1\n", &r, a, 4), 1);
	assert_int_equal(a[0].addr, 0x1000 + 3 * 8 + 16);
	assert_int_equal(a[0].write, 1);
	assert_int_equal(seg_asked, 0);
	/* 32-bit registers (an address-size prefix) use the low half. */
	r.rax = 0x100001000ULL;
	assert_int_equal(parse("size 4\nmem eax - 1 0 - 0\n", &r, a, 4), 1);
	assert_int_equal(a[0].addr, 0x1000);
	r.rax = 0x1000;
	/* A negative displacement and no index. */
	assert_int_equal(parse("size 3\nmem rax - 1 -8 - 0\n", &r, a, 4), 1);
	assert_int_equal(a[0].addr, 0x1000 - 8);
	assert_int_equal(a[0].write, 0);
}

static void test_decode_rip_relative_and_segments(void **state)
{
	struct kvm_regs r = {.rip = 0x401000};
	struct kd_access a[2];
	/* RIP-relative addresses count from the next instruction: rip + size + disp. */
	assert_int_equal(parse("size 7\nmem rip - 1 256 - 0\n", &r, a, 2), 1);
	assert_int_equal(a[0].addr, 0x401000 + 7 + 256);
	/* %fs:0x28 (the stack guard) reads the FS base. */
	assert_int_equal(parse("size 9\nmem - - 1 40 fs 0\n", &r, a, 2), 1);
	assert_int_equal(a[0].addr, 0x7f0000000000ULL + 40);
	assert_int_equal(seg_asked, 1);
}

static void test_decode_implicit_accesses(void **state)
{
	struct kvm_regs r = {.rsp = 0x7ff000, .rsi = 0x5000, .rdi = 0x6000};
	struct kd_access a[4];
	assert_int_equal(parse("size 1\npush\n", &r, a, 4), 1);
	assert_int_equal(a[0].addr, 0x7ff000 - 8);
	assert_int_equal(a[0].write, 1);
	assert_int_equal(parse("size 1\npop\n", &r, a, 4), 1);
	assert_int_equal(a[0].addr, 0x7ff000);
	assert_int_equal(a[0].write, 0);
	/* movs reads rsi and writes rdi. */
	assert_int_equal(parse("size 1\nmovsb\n", &r, a, 4), 2);
	assert_int_equal(a[0].addr, 0x5000);
	assert_int_equal(a[1].addr, 0x6000);
	assert_int_equal(a[1].write, 1);
	/* max bounds what is written. */
	assert_int_equal(parse("size 1\nmovsb\n", &r, a, 1), 1);
}

static void test_decode_rejects_garbage(void **state)
{
	struct kvm_regs r = {0};
	struct kd_access a[4];
	assert_int_equal(parse("", &r, a, 4), 0);
	assert_int_equal(parse("size 2\nnop\n", &r, a, 4), 0);
	assert_int_equal(parse("size 2\nmem rax\n", &r, a, 4), 0);	    /* truncated */
	assert_int_equal(parse("size 2\nmem zz - 1 0 - 0\n", &r, a, 4), 0); /* no such reg */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_memory_operand),
	    cmocka_unit_test(test_decode_rip_relative_and_segments),
	    cmocka_unit_test(test_decode_implicit_accesses),
	    cmocka_unit_test(test_decode_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
