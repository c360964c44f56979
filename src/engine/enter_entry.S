/*
 * enter_entry.S: kdune_enter()'s way in. kd_enter(opts) saves the callee-saved registers
 * and its return address (struct entry_regs in enter.c, in push order) and passes them to
 * kd_enter_main(opts, regs), which resumes the guest there; a failed entry returns here.
 */
	.text
	.globl kd_enter
	.type kd_enter,@function
kd_enter:
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbp
	push %rbx
	mov %rsp, %rsi
	sub $8, %rsp
	call kd_enter_main@PLT
	add $8, %rsp
	pop %rbx
	pop %rbp
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	ret
	.size kd_enter, .-kd_enter

	.section .note.GNU-stack,"",@progbits
