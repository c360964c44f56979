/* fault.c: guest exceptions and failed memory accesses -> native signals. */
#include "engine/fault.h"
#include "engine/decode.h"
#include "engine/enter.h"
#include "engine/policy.h"
#include "vm/layout.h"
#include "base/log.h"
#include "vm/maps.h"
#include "engine/signals.h"
#include "vm/uaccess.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
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
	if (kd_policy)
		kd_info("seccomp policy: %lu calls refused", kd_policy_refusals);
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

/* The fault's signal: the target's handler runs in the guest, or the target dies of it. */
static int deliver(struct kd_vcpu *v, int sig, int code, uint64_t addr, int vec, uint64_t err)
{
	kd_signal_fault(v, sig, code, addr, vec, err);
	return 0;
}

static uint64_t read_cr2(struct kd_vcpu *v)
{
	struct kvm_sregs s;
	return ioctl(v->fd, KVM_GET_SREGS, &s) ? 0 : s.cr2;
}

static int page_fault(struct kd_vcpu *v, uint64_t err)
{
	uint64_t addr = read_cr2(v), gpa;
	int present = err & 1;
	/*
	 * Target memory with no PTE yet (mapped behind kdune's back, e.g. by the kernel):
	 * add it and retry, once. Anything else is the target's own bad access.
	 */
	kd_vm_lock(v->vm);
	/* After kdune_enter(): memory mapped since (by native threads, say) is taken in. */
	if (!present && v->vm->entered && !kd_regions_contains(&v->vm->target, addr) &&
	    kd_enter_adopt(v->vm, addr) == 0) {
		kd_vm_unlock(v->vm);
		return 0;
	}
	if (!present && addr < KD_USER_TOP && kd_regions_contains(&v->vm->target, addr) &&
	    kd_pt_lookup(&v->vm->pt, addr, &gpa, NULL) != 0) {
		v->pf_repeats = addr == v->pf_last_addr ? v->pf_repeats + 1 : 0;
		v->pf_last_addr = addr;
		if (v->pf_repeats < 3 && kd_mem_add(v->vm, addr & ~(KD_PAGE - 1), KD_PAGE) == 0) {
			kd_vm_unlock(v->vm);
			return 0;
		}
	}
	kd_vm_unlock(v->vm);
	return deliver(v, SIGSEGV, present ? SEGV_ACCERR : SEGV_MAPERR, addr, 14, err);
}

/* Which x87 (#MF) or SSE (#XM) exception it was, from the status the FPU kept. */
static int fpe_code(struct kd_vcpu *v, int vec)
{
	size_t len;
	struct kvm_xsave *x = kd_vcpu_xsave(v, &len);
	if (!x)
		return FPE_FLTINV;
	/* The legacy area: FCW at 0, FSW at 2, MXCSR at 24. */
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	memcpy(&fcw, (uint8_t *)x->region, 2);
	memcpy(&fsw, (uint8_t *)x->region + 2, 2);
	memcpy(&mxcsr, (uint8_t *)x->region + 24, 4);
	free(x);
	unsigned e = vec == 19 ? ~(mxcsr >> 7) & mxcsr : (unsigned)fsw & ~(unsigned)fcw;
	return e & 0x01	  ? FPE_FLTINV
	       : e & 0x04 ? FPE_FLTDIV
	       : e & 0x08 ? FPE_FLTOVF
	       : e & 0x12 ? FPE_FLTUND
	       : e & 0x20 ? FPE_FLTRES
			  : FPE_FLTINV;
}

/* rdtsc or rdtscp with PR_TSC_SIGSEGV: #UD under PVM, where natively it is a #GP. */
static int tsc_disabled_insn(struct kd_vcpu *v)
{
	uint8_t b[3];
	return v->tsd && kd_copy_from_user(v->vm, b, v->user.rip, sizeof(b)) == 0 && b[0] == 0x0f &&
	       (b[1] == 0x31 || (b[1] == 0x01 && b[2] == 0xf9));
}

int kd_fault_exception(struct kd_vcpu *v, int vec, uint64_t err)
{
	v->nfaults++;
	switch (vec) {
	case 0:
		return deliver(v, SIGFPE, FPE_INTDIV, v->user.rip, vec, err);
	case 1:
		return deliver(v, SIGTRAP, TRAP_TRACE, v->user.rip, vec, err);
	case 3:
		return deliver(v, SIGTRAP, SI_KERNEL, 0, vec, err);
	case 6:
		if (tsc_disabled_insn(v))
			return deliver(v, SIGSEGV, SI_KERNEL, 0, 13, 0);
		return deliver(v, SIGILL, ILL_ILLOPN, v->user.rip, vec, err);
	case 11:
	case 12:
		return deliver(v, SIGBUS, SI_KERNEL, 0, vec, err);
	case 14:
		return page_fault(v, err);
	case 16:
	case 19:
		return deliver(v, SIGFPE, fpe_code(v, vec), v->user.rip, vec, err);
	case 17:
		return deliver(v, SIGBUS, BUS_ADRALN, 0, vec, err);
	case 13:
	default:
		return deliver(v, SIGSEGV, SI_KERNEL, 0, vec, err);
	}
}

/* What a native access to addr would do: 0 = succeed, else the signal. */
static int classify(struct kd_vm *vm, uint64_t addr, int is_write, int *code)
{
	struct kd_mapping m;
	*code = SEGV_MAPERR;
	if (vm->entered && !kd_regions_contains(&vm->target, addr))
		kd_enter_adopt(vm, addr);
	if (!kd_regions_contains(&vm->target, addr) || kd_maps_find(addr, &m))
		return SIGSEGV;
	*code = SEGV_ACCERR;
	if (m.perms[0] != 'r' || (is_write > 0 && m.perms[1] != 'w'))
		return SIGSEGV;
	struct stat st;
	char mf[64];
	/* map_files reaches the mapped file even after it was unlinked. */
	snprintf(mf, sizeof(mf), "/proc/self/map_files/%llx-%llx", (unsigned long long)m.start,
		 (unsigned long long)m.end);
	int have = m.inode && (stat(mf, &st) == 0 || (m.path[0] == '/' && stat(m.path, &st) == 0));
	if (have && S_ISREG(st.st_mode) && m.offset + (addr - m.start) >= (uint64_t)st.st_size) {
		*code = BUS_ADRERR;
		return SIGBUS;
	}
	return 0;
}

/* KVM could not map a page the host has (special mappings): do the access here. */
static int complete_mmio(struct kd_vcpu *v, uint64_t addr)
{
	struct iovec local = {v->run->mmio.data, v->run->mmio.len};
	struct iovec remote = {(void *)addr, v->run->mmio.len};
	if (v->run->mmio.len > sizeof(v->run->mmio.data))
		return -1;
	ssize_t n = v->run->mmio.is_write ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
					  : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n == (ssize_t)v->run->mmio.len ? 0 : -1;
}

/* The #PF error code a native fault would carry: user mode, present (unless unmapped), W. */
static uint64_t pf_error(int code, int is_write)
{
	return 4 | (code != SEGV_MAPERR) | (is_write > 0 ? 2 : 0);
}

/*
 * KVM_RUN failed with -EFAULT and no address (this backend does that for protected,
 * unmapped and past-EOF pages): find the access by decoding the instruction, and raise
 * the signal that access raises natively.
 */
static int unaddressed_fault(struct kd_vcpu *v)
{
	struct kd_access acc[4];
	int n = kd_decode_accesses(v, acc, 4), code = SEGV_ACCERR, sig = 0, write = 0;
	uint64_t addr = 0;
	kd_vm_lock(v->vm);
	for (int i = 0; i < n && !sig; i++) {
		sig = classify(v->vm, acc[i].addr, acc[i].write, &code);
		addr = acc[i].addr;
		write = acc[i].write;
	}
	kd_vm_unlock(v->vm);
	/* Nothing decodable was at fault: the access was still refused, as a SIGSEGV. */
	if (!sig) {
		sig = SIGSEGV;
		code = SEGV_ACCERR;
		addr = 0;
	}
	return deliver(v, sig, code, addr, 14, pf_error(code, write));
}

/*
 * An MMIO exit is only complete after the next KVM_RUN: let KVM finish it with no guest
 * instruction run (immediate_exit), then put back the registers of the faulting access.
 */
static void cancel_mmio(struct kd_vcpu *v)
{
	struct kvm_regs saved = v->user;
	v->run->immediate_exit = 1;
	ioctl(v->fd, KVM_RUN, 0);
	v->run->immediate_exit = 0;
	v->user = saved;
}

int kd_fault_memory(struct kd_vcpu *v, int efault)
{
	struct kvm_run *run = v->run;
	uint64_t gpa, addr;
	int is_write = -1, mmio = !efault && run->exit_reason == KVM_EXIT_MMIO;
	/* At an access fault the vCPU is in ring 3: its registers are the target's. */
	ioctl(v->fd, KVM_GET_REGS, &v->user);
	v->at_cpl3 = 1;
	if (mmio) {
		gpa = run->mmio.phys_addr;
		is_write = run->mmio.is_write;
	} else if (run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		gpa = ((uint64_t *)(void *)&run->hw)[1];
	} else {
		return unaddressed_fault(v);
	}
	/* Another thread may be changing the address space: look at it once it is done. */
	kd_vm_lock(v->vm);
	if (kd_memslots_gpa_to_hva(&v->vm->slots, gpa, &addr)) {
		kd_vm_unlock(v->vm);
		kd_vcpu_dump(v, "access to a guest-physical address outside the target's memory");
		return -1;
	}
	int code, sig = classify(v->vm, addr, is_write, &code);
	int done = !sig && mmio && complete_mmio(v, addr) == 0;
	kd_vm_unlock(v->vm);
	if (sig) {
		if (mmio)
			cancel_mmio(v);
		return deliver(v, sig, code, addr, 14, pf_error(code, is_write));
	}
	if (done)
		return 0;
	kd_vcpu_dump(v, "access to a mapped page that KVM cannot reach");
	return -1;
}
