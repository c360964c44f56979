/* thread.h: target threads and CLONE_VM children: a host thread and a pooled vCPU each. */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"
#include "engine/proc.h"

/* What a clone-family call asked for, whichever call it was. */
struct kd_clone {
	uint64_t flags; /* CLONE_*, without the exit signal */
	int exit_signal;
	uint64_t stack; /* the child's rsp; 0: the parent's */
	uint64_t parent_tid, child_tid, tls, pidfd;
	long nr; /* the call and its arguments, for the child's line in --trace */
	uint64_t args[6];
};

/* What new threads run (the exit loop): set once, before the first thread is created. */
void kd_threads_init(int (*body)(struct kd_vcpu *v));
/* A vCPU for a new target thread: from the pool, or a new one. 0 or -errno. */
int kd_vcpu_get(struct kd_vm *vm, struct kd_vcpu **out);
/* Back to the pool (the thread is done with it). */
void kd_vcpu_put(struct kd_vcpu *v);

/* The child's FS and GS bases: the parent's, FS from CLONE_SETTLS if given. 0 or -EIO. */
int kd_clone_bases(struct kd_vcpu *parent, const struct kd_clone *c, uint64_t *fs, uint64_t *gs);
/* clone/clone3 with CLONE_VM (threads, vfork, posix_spawn): the child shares this VM. */
long kd_clone_vm(struct kd_vcpu *v, const struct kd_clone *c);
/* The target thread on v called exit(code): whole process if it was the last one. */
void kd_thread_exit(struct kd_vcpu *v, int code);
/*
 * After kd_vcpu_loop returned 0: release the vCPU and do CLEARTID. The process's leader
 * thread exits here; any other returns the code to exit its host thread with.
 */
int kd_thread_finish(struct kd_vcpu *v);
/* In the child of a fork made by the thread on v: only v is left, in a new VM. */
int kd_threads_after_fork(struct kd_vcpu *v);

/*
 * A host thread of kdune's own that never runs target code: fn(arg) on a kdune stack, with
 * every signal blocked and its engine state (GS base) set. fn must not return while the
 * process lives. Returns the thread's tid, or -errno.
 */
long kd_hthread_spawn(struct kd_vm *vm, int (*fn)(void *), void *arg);
