/* loop.h: the exit loop: run a target thread's vCPU and act on each exit. */
#pragma once
#include "vm/vcpu.h"

/* What the loop does after one exit. */
enum kd_loop_next {
	KD_LOOP_RUN,	/* resume the vCPU */
	KD_LOOP_EXITED, /* the target thread called exit: v->exit_code */
	KD_LOOP_FAILED, /* kdune cannot go on (crash report printed) */
};

/*
 * Act on one decoded exit of v: a syscall is served, an exception or a failed access
 * becomes the native signal, an interrupted run lets a caught signal be delivered next.
 * A free function so it can be tested with made-up exits.
 */
enum kd_loop_next kd_loop_handle(struct kd_vcpu *v, const struct kd_vcpu_exit *e);
/*
 * Serve exits until the target thread exits (returns 0; v->exit_code) or kdune fails
 * (returns 125, kdune's own exit status). The end of the whole target process never
 * returns.
 */
int kd_loop_run(struct kd_vcpu *v);
