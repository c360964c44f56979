/* exit.c: the end of the target process, with its status or its death by a signal. */
#include "engine/exit.h"
#include "engine/exitless.h"
#include "base/log.h"
#include "vm/vcpu.h"
#include <signal.h>
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
}

_Noreturn void kd_target_exit(struct kd_vm *vm, int status)
{
	exit_stats(vm);
	_exit(status & 0xff);
}

_Noreturn void kd_target_killed(struct kd_vm *vm, int sig)
{
	exit_stats(vm);
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
