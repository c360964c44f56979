/*
 * xlserver.h: the exitless path's server thread (one per process) and what it serves.
 * The loop tells it about each call that took the exit path; it answers the rest.
 */
#pragma once
#include <stdint.h>
#include "vm/vcpu.h"

/*
 * A syscall is about to run on the exit path of v: note what would make served answers
 * differ from the exit path's (credentials, RLIMIT_FSIZE), and, if the server could have
 * answered it (it was asleep, or the stub gave up), start or wake the server.
 */
void kd_exitless_on_exit(struct kd_vcpu *v, long nr, const uint64_t a[6]);

/*
 * The server's policy and execution, run on the server thread for the thread on v:
 * *served 1 and the result, or *served 0 (the exit path must run it).
 */
long kd_xl_serve(struct kd_vcpu *v, long nr, const uint64_t a[6], int *served);

/* Claim and answer one request on v's page if there is one. 1 if it handled one. */
int kd_xl_poll_one(struct kd_vcpu *v);

/* Start the server thread now (it starts lazily otherwise). 0 or -errno. */
int kd_xl_server_start(struct kd_vm *vm, const void *proc);
/* Wake a sleeping server (cheap when it is awake). */
void kd_xl_server_wake(struct kd_vm *vm);
