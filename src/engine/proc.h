/* proc.h: a target process (thread group) and its signal dispositions. */
#pragma once
#include <signal.h>
#include <stdint.h>

/* A signal disposition as the target set it (the kernel's struct sigaction layout). */
struct kd_ksigaction {
	uint64_t handler, flags, restorer, mask;
};

/*
 * A target process (thread group). The main process and each CLONE_VM child have one;
 * threads share their creator's. It lives in memory that CLONE_VM children share, so
 * nothing here may be per-process on the host side.
 */
struct kd_proc {
	int nthreads;			/* live target threads; atomic */
	int nclones;			/* threads it ever made */
	int foreign_fds;		/* a descriptor table apart from the vCPU pool's */
	struct kd_ksigaction sa[_NSIG]; /* by signal number; 0 unused */
	int sa_loaded;
};
