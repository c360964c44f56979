/* exit.c: the end of the target process, with its status or its death by a signal. */
#include "engine/exit.h"
#include "engine/exitless.h"
#include "engine/policy.h"
#include "engine/trace.h"
#include "engine/trace_events.h"
#include "base/log.h"
#include "vm/vcpu.h"
#include "base/nolibc.h"
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static void exit_stats(struct kd_vm *vm)
{
	if (!kd_verbose)
		return;
	/* Summed over every vCPU this process ran: those of its threads, live or gone. */
	unsigned long long sys = 0, exc = 0, mem = 0, intr = 0;
	for (int i = 0; i < vm->nvcpus; i++) {
		sys += vm->vcpus[i]->nsyscalls;
		exc += vm->vcpus[i]->nfaults;
		mem += vm->vcpus[i]->nmemfaults;
		intr += vm->vcpus[i]->nintr;
	}
	kd_info("exits: %llu syscalls, %llu exceptions, %llu memory faults, %llu interrupted", sys,
		exc, mem, intr);
	kd_exitless_stats(vm);
	if (kd_policy)
		kd_info("seccomp policy: %lu calls refused", kd_policy_refusals);
}

/* The thread that ends the process, for the trace's [pid N]. */
static int self_tid(void)
{
	struct kd_hthread *t = kd_self();
	return t ? t->tid : (int)kd_raw_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* strace's last words: the end line, then the summary table when asked for. */
static void trace_end(struct kd_vm *vm, int status, int sig)
{
	if (vm->trace_fd < 0)
		return;
	if (sig)
		kd_trace_killed(vm->trace_fd, self_tid(), sig, 0);
	else
		kd_trace_exited(vm->trace_fd, self_tid(), status);
	if (kd_trace_cfg.summary)
		kd_trace_summary(vm->trace_fd);
}

_Noreturn void kd_target_exit(struct kd_vm *vm, int status)
{
	exit_stats(vm);
	trace_end(vm, status, 0);
	_exit(status & 0xff);
}

_Noreturn void kd_target_killed(struct kd_vm *vm, int sig)
{
	exit_stats(vm);
	trace_end(vm, 0, sig);
	/* Die the way the target would, so the parent sees the same wait status. */
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}
