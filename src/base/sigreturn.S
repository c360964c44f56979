/*
 * sigreturn.S: kd_host_restorer, the SA_RESTORER of kdune's host signal handlers: the
 * handler returns into rt_sigreturn(2), as libc's __restore_rt does.
 */
#include <asm/unistd.h>

	.text
	.globl kd_host_restorer
	.type kd_host_restorer,@function
kd_host_restorer:
	mov $__NR_rt_sigreturn, %eax
	syscall
	hlt
	.size kd_host_restorer, .-kd_host_restorer

	.section .note.GNU-stack,"",@progbits
