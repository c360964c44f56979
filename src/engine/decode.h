/* decode.h: which addresses a faulting guest instruction touches. */
#pragma once
#include <stdint.h>
#include <sys/types.h>
#include "vm/vcpu.h"

struct kd_access {
	uint64_t addr;
	int write;
};

/*
 * The memory accesses of the ring-3 instruction at v->user.rip, with effective addresses
 * computed from v->user (explicit operands, stack pushes/pops, string operations). Returns
 * how many were found (at most max), 0 if the instruction cannot be read or decoded.
 * Decoding is done by the kdune-decode helper (capstone), so kdune's own start-up never
 * pays for a disassembler that only fault paths use. The helper runs as a server, started
 * at the first decode of each kdune process, so later faults pay no fork and exec.
 */
int kd_decode_accesses(struct kd_vcpu *v, struct kd_access *out, int max);
/*
 * kdune-decode's answer (text, changed in place) turned into accesses, with effective
 * addresses from r: "size N" (the instruction's length), then one line per access:
 * "mem BASE INDEX SCALE DISP SEG WRITE" for an explicit operand, or the mnemonic of a
 * push, pop, stos, lods or movs. seg_base(ctx, 1/0) gives the FS/GS base, asked only for
 * operands with that segment. Returns the number found, at most max.
 */
typedef uint64_t (*kd_seg_base_fn)(void *ctx, int fs);
int kd_decode_parse(const struct kvm_regs *r, kd_seg_base_fn seg_base, void *ctx, char *text,
		    struct kd_access *out, int max);
/* The last one-shot helper's pid: its SIGCHLD is kdune's, not the target's. */
extern pid_t kd_decode_pid;
/* Around a host fork (the target's fork): the child starts its own server. */
void kd_decode_before_fork(void);
void kd_decode_after_fork(int child);
