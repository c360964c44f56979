/*
 * stubs.S: all of kdune's guest ring-0 code. The host copies [kd_stubs_start, kd_stubs_end)
 * to the supervisor-only page at KD_KBASE. Every event ends in an `out` to a port that
 * names it; the host then handles it and resumes through kd_stub_iret with a fresh
 * x86 interrupt frame. Ring-0 code is emulated one instruction at a time on PVM, so each
 * path here is one or two integer instructions.
 */
#include "vm/layout.h"

	.section .rodata
	.code64
	.balign 4096
	.globl kd_stubs_start, kd_stubs_end, kd_stub_syscall, kd_stub_iret, kd_stub_exc
	.globl kd_stub_spurious
kd_stubs_start:

/*
 * LSTAR, reached through a read-only user mapping of this page. On VT-x/SVM `syscall`
 * arrives at CPL0 (on the user stack: nothing here uses it). On PVM it stays at CPL3, where
 * the TSS I/O bitmap allows exactly this port.
 */
kd_stub_syscall:
	out %al, $KD_PORT_SYSCALL
	hlt

	.balign KD_STUB_ALIGN
/* Return to ring 3: the host writes the frame and points RSP at it. */
kd_stub_iret:
	iretq

	.balign KD_STUB_ALIGN
kd_stub_spurious:
	out %al, $KD_PORT_SPURIOUS
	hlt

/* Exception vectors 0..31, KD_STUB_ALIGN bytes apart; all run on IST1. */
	.balign KD_STUB_ALIGN
kd_stub_exc:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign KD_STUB_ALIGN
	out %al, $(KD_PORT_EXC + \vec)
	hlt
	.endr
kd_stubs_end:

	.section .note.GNU-stack,"",@progbits
