/*
 * xl_enter.h: enter a code address the way `syscall` enters LSTAR, natively at ring 3, for
 * tests/unit/test_exitless.c and bench/exitless.c.
 *
 * xl_enter(in, out, stub) loads every GPR from *in (rsp excepted: the caller's stack), sets
 * rflags to in->rflags, fills the 128-byte red zone below rsp with XL_RED_ZONE, sets
 * rcx = xl_enter_ret (the return address `syscall` would leave) and jumps to stub. Back at
 * xl_enter_ret, it stores every GPR and rflags into *out, and in out->redzone_bad how many
 * of the red zone's 16 words changed. r11 comes from in->r11, so a test can give the stub
 * rflags other than the live ones.
 */
#pragma once
#include <stdint.h>

struct xl_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rflags, rsp, redzone_bad;
};

#define XL_RED_ZONE 0x5a5aa5a55a5aa5a5ULL

void xl_enter(const struct xl_regs *in, struct xl_regs *out, uint64_t stub);
extern const char xl_enter_ret[];

/* clang-format off */
__asm__(".pushsection .text\n"
	".globl xl_enter, xl_enter_ret\n"
	".type xl_enter,@function\n"
	"xl_enter:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	push %rsi\n"			/* out: 264(%rsp) below */
	"	push %rdx\n"			/* stub: 256(%rsp) */
	"	sub $256, %rsp\n"		/* scratch above rsp; the red zone is below it */
	"	mov 120(%rdi), %rax\n	push %rax\n	popfq\n"
	"	movabs $0x5a5aa5a55a5aa5a5, %rax\n"
	"	mov %rax, -8(%rsp)\n	mov %rax, -16(%rsp)\n	mov %rax, -24(%rsp)\n"
	"	mov %rax, -32(%rsp)\n	mov %rax, -40(%rsp)\n	mov %rax, -48(%rsp)\n"
	"	mov %rax, -56(%rsp)\n	mov %rax, -64(%rsp)\n	mov %rax, -72(%rsp)\n"
	"	mov %rax, -80(%rsp)\n	mov %rax, -88(%rsp)\n	mov %rax, -96(%rsp)\n"
	"	mov %rax, -104(%rsp)\n	mov %rax, -112(%rsp)\n	mov %rax, -120(%rsp)\n"
	"	mov %rax, -128(%rsp)\n"
	"	mov 0(%rdi), %rax\n	mov 8(%rdi), %rbx\n	mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi\n	mov 48(%rdi), %rbp\n	mov 56(%rdi), %r8\n"
	"	mov 64(%rdi), %r9\n	mov 72(%rdi), %r10\n	mov 80(%rdi), %r11\n"
	"	mov 88(%rdi), %r12\n	mov 96(%rdi), %r13\n	mov 104(%rdi), %r14\n"
	"	mov 112(%rdi), %r15\n"
	"	lea xl_enter_ret(%rip), %rcx\n"
	"	mov 40(%rdi), %rdi\n"
	"	jmp *256(%rsp)\n"
	"xl_enter_ret:\n"
	"	mov %rax, 248(%rsp)\n"
	"	mov 264(%rsp), %rax\n"
	"	mov %rbx, 8(%rax)\n	mov %rcx, 16(%rax)\n	mov %rdx, 24(%rax)\n"
	"	mov %rsi, 32(%rax)\n	mov %rdi, 40(%rax)\n	mov %rbp, 48(%rax)\n"
	"	mov %r8, 56(%rax)\n	mov %r9, 64(%rax)\n	mov %r10, 72(%rax)\n"
	"	mov %r11, 80(%rax)\n	mov %r12, 88(%rax)\n	mov %r13, 96(%rax)\n"
	"	mov %r14, 104(%rax)\n	mov %r15, 112(%rax)\n	mov %rsp, 128(%rax)\n"
	"	lea 128(%rsp), %rsp\n"		/* lea keeps the flags; pushfq lands in scratch */
	"	pushfq\n	pop %rcx\n	mov %rcx, 120(%rax)\n	cld\n"
	"	mov 120(%rsp), %rcx\n	mov %rcx, 0(%rax)\n"
	"	xor %edx, %edx\n	movabs $0x5a5aa5a55a5aa5a5, %rsi\n"
	"	lea -256(%rsp), %rdi\n	mov $16, %ecx\n"
	"1:	cmp %rsi, (%rdi)\n	je 2f\n	inc %rdx\n"
	"2:	add $8, %rdi\n	dec %ecx\n	jnz 1b\n"
	"	mov %rdx, 136(%rax)\n"
	"	lea 128+16(%rsp), %rsp\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n"
	".size xl_enter, .-xl_enter\n"
	".popsection\n");
/* clang-format on */
