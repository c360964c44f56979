/*
 * exitless.h: the per-vCPU pages of the exitless request path, shared by the stub
 * (xlstub.S), the host server and the settling code (src/engine/exitless.c).
 *
 * Each vCPU that uses the path has a code page (a copy of the stub) and, right after it, a
 * data page. Both live in the ring-0 area and are aliased user-accessible in the low half,
 * so the stub (LSTAR, which runs at CPL3 on PVM) reaches its data RIP-relatively without a
 * scratch register, and the host reaches the same data through vm->karea. The data page is
 * the guest's to scribble on: the host copies a request out before it looks at it.
 *
 * The XL_* offsets are used by the assembly; struct kd_xl_page below is the same layout for
 * C, checked by _Static_assert.
 */
#pragma once

/* States of the state word (bits). The stub publishes REQ; the server claims it with
 * cmpxchg REQ -> BUSY and ends it with DONE (result valid) or DONE|DECLINE (not served:
 * take the exit path). A stub that waited too long sets CANCEL with `lock or`: a request that
 * reads REQ|CANCEL afterwards was never claimed and can no longer be. */
#define XL_IDLE 0
#define XL_REQ 1
#define XL_BUSY 2
#define XL_DONE 4
#define XL_DECLINE 8
#define XL_CANCEL 16

/* Data page offsets. The request line (state, nr, args) is one cache line. */
#define XL_STATE 0x00	    /* u32, see above */
#define XL_NR 0x08	    /* rax at the syscall */
#define XL_ARGS 0x10	    /* rdi, rsi, rdx, r10, r8, r9 */
#define XL_RESULT 0x40	    /* the server's answer, valid with DONE */
#define XL_RSP 0x48	    /* the caller's rsp (the stub uses a stack of its own to popfq) */
#define XL_RCX 0x50	    /* return rip, as `syscall` left it */
#define XL_R11 0x58	    /* the caller's rflags, as `syscall` left them */
#define XL_SPINS 0x60	    /* u32: the stub's remaining wait, in `pause` rounds */
#define XL_AWAKE 0x80	    /* u32, written by the host: 1 while a server polls this page */
#define XL_STACK_TOP 0x1000 /* the stub's private stack: the end of the data page */

/* How long the stub waits for DONE before it cancels and exits, by default: `pause` rounds.
 * On the CPUs here a round is 10-50 ns, so 2048 rounds are ~20-100 us: less than one exit
 * costs on PVM (30-130 us), and far more than a served round trip (~0.5 us). */
#define XL_SPIN_MAX 2048

#define XL_RFLAGS_TF 0x100

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* --exitless / KDUNE_EXITLESS (vm->xl_mode). AUTO is OFF everywhere until the path is
 * verified on a KVM machine. */
enum kd_xl_mode { KD_XL_AUTO, KD_XL_ON, KD_XL_OFF };

struct kd_xl_page {
	uint32_t state;
	uint32_t pad0;
	uint64_t nr;
	uint64_t args[6];
	int64_t result;
	uint64_t rsp, rcx, r11;
	uint32_t spins;
	uint8_t pad1[0x80 - 0x64];
	uint32_t awake;
};

_Static_assert(offsetof(struct kd_xl_page, state) == XL_STATE, "XL_STATE");
_Static_assert(offsetof(struct kd_xl_page, nr) == XL_NR, "XL_NR");
_Static_assert(offsetof(struct kd_xl_page, args) == XL_ARGS, "XL_ARGS");
_Static_assert(offsetof(struct kd_xl_page, result) == XL_RESULT, "XL_RESULT");
_Static_assert(offsetof(struct kd_xl_page, rsp) == XL_RSP, "XL_RSP");
_Static_assert(offsetof(struct kd_xl_page, rcx) == XL_RCX, "XL_RCX");
_Static_assert(offsetof(struct kd_xl_page, r11) == XL_R11, "XL_R11");
_Static_assert(offsetof(struct kd_xl_page, spins) == XL_SPINS, "XL_SPINS");
_Static_assert(offsetof(struct kd_xl_page, awake) == XL_AWAKE, "XL_AWAKE");
_Static_assert(sizeof(struct kd_xl_page) + 64 <= XL_STACK_TOP, "private stack room");

/*
 * The stub (xlstub.S). [kd_xl_stub, kd_xl_stub_end) is copied to offset 0 of a vCPU's code
 * page. Labels inside it split the code into the regions the host settles differently:
 *   [kd_xl_stub, kd_xl_published)  nothing published; every GPR is the syscall-entry state
 *   [kd_xl_published, kd_xl_done)  REQ published: waiting, cancelling, checking DECLINE
 *   [kd_xl_done, kd_xl_slow)       the result is the caller's: rax, rflags, rsp, return
 *   [kd_xl_slow, kd_xl_stub_end)   the exit path: GPRs are the syscall-entry state
 * kd_xl_out_slot is an 8-byte slot in the copy: the address of the shared `out` stub.
 * kd_xl_spin_imm_end ends the instruction that sets the wait; its last 4 bytes are the count.
 */
extern const uint8_t kd_xl_stub[], kd_xl_published[], kd_xl_done[], kd_xl_slow[], kd_xl_out_slot[],
    kd_xl_stub_end[], kd_xl_spin_imm_end[];

/*
 * A vCPU's side of the path. data and code_gva are set once the vCPU uses the path; the
 * rest is host-private, so the host never waits on a word the guest can write.
 */
struct kd_xl_cpu {
	struct kd_xl_page *data; /* host view of the data page; NULL: every call exits */
	uint64_t code_gva;	 /* its code page in the guest: this vCPU's LSTAR */
	int busy;		 /* set by the server around a claim, until DONE is stored */
	int64_t result;		 /* what the server answered the last call it served */
	uint64_t served;	 /* calls the server answered (for -v, kdune_syscalls) */
	uint64_t declined;	 /* requests it sent back to the exit path */
};

/* Offset of a label of the stub within the code page. */
static inline uint64_t kd_xl_off(const uint8_t *label)
{
	return (uint64_t)(label - kd_xl_stub);
}

/*
 * Fill a code page: the stub at offset 0, its exit path pointing at out_gva (the shared
 * LSTAR `out` stub, at the address the guest reaches it), waiting at most spins `pause`
 * rounds for the server (0: XL_SPIN_MAX). code: 4096 writable bytes.
 */
void kd_xl_code_init(uint8_t *code, uint64_t out_gva, uint32_t spins);
#endif
