/*
 * clone.S: host threads on kdune's own stacks, without libc.
 * kd_clone_raw(fn, stack, flags, arg, ptid, tls): clone(2) whose child pops fn and arg from
 * the top of its new stack and exits with fn's return value; CLONE_CHILD_CLEARTID then
 * tells whoever waits that the stack is free. kd_call_on_stack(top, fn, arg): fn(arg) on
 * another stack.
 */
#include <asm/unistd.h>

	.text
	.globl kd_clone_raw
	.type kd_clone_raw,@function
kd_clone_raw:
	and $-16, %rsi
	sub $16, %rsi
	mov %rdi, 0(%rsi)
	mov %rcx, 8(%rsi)
	mov %rdx, %rdi
	mov %r8, %rdx
	mov 8(%rsp), %r10
	mov %r9, %r8
	mov $__NR_clone, %eax
	syscall
	test %rax, %rax
	jnz 1f
	xor %ebp, %ebp
	pop %rax
	pop %rdi
	call *%rax
	mov %eax, %edi
	mov $__NR_exit, %eax
	syscall
	hlt
1:	ret
	.size kd_clone_raw, .-kd_clone_raw
	.globl kd_call_on_stack
	.type kd_call_on_stack,@function
kd_call_on_stack:
	push %rbp
	mov %rsp, %rbp
	and $-16, %rdi
	mov %rdi, %rsp
	mov %rdx, %rdi
	call *%rsi
	mov %rbp, %rsp
	pop %rbp
	ret
	.size kd_call_on_stack, .-kd_call_on_stack

	.section .note.GNU-stack,"",@progbits
