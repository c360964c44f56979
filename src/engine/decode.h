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
/* The last one-shot helper's pid: its SIGCHLD is kdune's, not the target's. */
extern pid_t kd_decode_pid;
/* Around a host fork (the target's fork): the child starts its own server. */
void kd_decode_before_fork(void);
void kd_decode_after_fork(int child);
