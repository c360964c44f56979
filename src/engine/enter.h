/* enter.h: kdune_enter(): the calling process goes into a VM and carries on there. */
#pragma once
#include <stdint.h>
#include "vm/vm.h"

struct kd_enter_opts {
	const char *kvm_device; /* NULL: /dev/kvm */
	const char *kdune_exe;	/* the kdune program (exec'd programs, kdune-decode next to it) */
	int follow_exec;	/* KDUNE_FOLLOW_EXEC=1: exec'd programs run under kdune_exe */
	int verbose;
	int exitless; /* enum kd_xl_mode (engine/exitless.h) */
	char *err;    /* a one-line reason on failure */
	int errlen;
};

/*
 * Move the calling thread into this process's VM (made on the first call) and resume it
 * at ring 3 as if this call returned 0. Returns -errno, with opts->err set, only when the
 * thread could not enter; the process is then as it was.
 */
long kd_enter(struct kd_enter_opts *opts);
