/* decode.h: which addresses a faulting guest instruction touches. */
#pragma once
#include <stdint.h>
#include <sys/types.h>
#include "vcpu.h"

struct kd_access {
	uint64_t addr;
	int write;
};

/*
 * The memory accesses of the ring-3 instruction at v->user.rip, with effective addresses
 * computed from v->user (explicit operands, stack pushes/pops, string operations). Returns
 * how many were found (at most max), 0 if the instruction cannot be read or decoded.
 * Decoding is done by the kdune-decode helper (capstone), so kdune's own start-up never
 * pays for a disassembler that only fatal paths use.
 */
int kd_decode_accesses(struct kd_vcpu *v, struct kd_access *out, int max);
/* The last helper's pid: its SIGCHLD is kdune's, not the target's. */
extern pid_t kd_decode_pid;
