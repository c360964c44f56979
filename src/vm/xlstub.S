/*
 * xlstub.S: the LSTAR stub of a vCPU that uses the exitless path (see exitless.h).
 *
 * A copy of [kd_xl_stub, kd_xl_stub_end) sits at offset 0 of the vCPU's code page and its
 * data page follows, so D(off) below reaches the data page RIP-relatively from the copy.
 * It runs where `syscall` left it: at CPL3 on PVM, with rcx = return rip, r11 = the caller's
 * rflags, rax = nr, arguments in rdi rsi rdx r10 r8 r9, rsp unchanged. The red zone below
 * rsp is live, so the stub never touches the caller's stack.
 *
 * Until kd_xl_done it changes no general register: it stores them, then only compares and
 * waits, so the exit path (kd_xl_slow) and the host, when it interrupts the stub, see exactly
 * the syscall-entry state. Its own flags do not matter: the caller's are in r11.
 */
#include "vm/exitless.h"

/* Local labels: the assembler resolves these itself, so the displacements stay right in the
 * copy (a global symbol would get a relocation). */
#define D(off) (.Lstub + 4096 + (off))(%rip)

	.section .rodata
	.code64
	.balign 64
	.globl kd_xl_stub, kd_xl_published, kd_xl_done, kd_xl_slow, kd_xl_out_slot
	.globl kd_xl_stub_end, kd_xl_spin_imm_end
kd_xl_stub:
.Lstub:
	mov %rsp, D(XL_RSP)
	mov %rcx, D(XL_RCX)
	mov %r11, D(XL_R11)
	mov %rax, D(XL_NR)
	mov %rdi, D(XL_ARGS + 0)
	mov %rsi, D(XL_ARGS + 8)
	mov %rdx, D(XL_ARGS + 16)
	mov %r10, D(XL_ARGS + 24)
	mov %r8, D(XL_ARGS + 32)
	mov %r9, D(XL_ARGS + 40)
	/* popfq with TF would trap inside the stub: single-stepping takes the exit path. */
	testl $XL_RFLAGS_TF, %r11d
	jnz kd_xl_slow
	/* No server polls this page: do not wait for one. */
	cmpl $0, D(XL_AWAKE)
	je kd_xl_slow
	movl $XL_SPIN_MAX, D(XL_SPINS)		/* kd_xl_code_init patches the count */
kd_xl_spin_imm_end:
	movl $XL_REQ, D(XL_STATE)		/* publish */
kd_xl_published:
1:	testl $XL_DONE, D(XL_STATE)
	jnz 3f
	pause
	decl D(XL_SPINS)
	jnz 1b
	/* Too long: cancel, unless the server claimed the request already. */
	lock orl $XL_CANCEL, D(XL_STATE)
	cmpl $(XL_REQ | XL_CANCEL), D(XL_STATE)
	je kd_xl_slow
	/* Claimed: the server only serves calls that never block, so DONE comes. */
2:	testl $XL_DONE, D(XL_STATE)
	jnz 3f
	pause
	jmp 2b
3:	testl $XL_DECLINE, D(XL_STATE)
	jnz kd_xl_slow
kd_xl_done:
	/* Served: return as sysret would, rflags from r11 through a stack of our own. */
	mov D(XL_RESULT), %rax
	lea D(XL_STACK_TOP), %rsp
	push %r11
	popfq
	mov D(XL_RSP), %rsp
	jmp *%rcx
kd_xl_slow:
	/* Today's exit path, through the shared stub, so the host's check of the exit RIP holds. */
	jmp *.Lout(%rip)
	.balign 8
kd_xl_out_slot:
.Lout:
	.quad 0
kd_xl_stub_end:

	.section .note.GNU-stack,"",@progbits
