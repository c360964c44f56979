/* vcpu.c: vCPU set-up (long mode, ring 0 parked in the stubs) and the exit loop. */
#include "vm/vcpu.h"
#include "vm/desc.h"
#include "engine/fault.h"
#include "vm/layout.h"
#include "base/log.h"
#include "engine/signals.h"
#include "engine/syscall.h"
#include "engine/exitless.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_PVM_ID 0x4b564d11

#define CR0_PE 0x1ULL
#define CR0_MP 0x2ULL
#define CR0_ET 0x10ULL
#define CR0_NE 0x20ULL
#define CR0_WP 0x10000ULL
#define CR0_PG 0x80000000ULL
#define CR4_TSD (1ULL << 2)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE (1ULL << 18)
#define EFER_SCE 0x1ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL
#define EFER_NXE 0x800ULL

/* Flags ring 3 may own: CF PF AF ZF SF TF DF OF AC ID; IF and bit 1 always set. */
#define RFLAGS_USER 0x254dd5ULL
#define RFLAGS_FIXED 0x202ULL

int kd_vcpu_set_msr(struct kd_vcpu *v, uint32_t idx, uint64_t val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h.nmsrs = 1, .e = {.index = idx, .data = val}};
	return ioctl(v->fd, KVM_SET_MSRS, &m) == 1 ? 0 : -EINVAL;
}

int kd_vcpu_get_msr(struct kd_vcpu *v, uint32_t idx, uint64_t *val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h.nmsrs = 1, .e = {.index = idx}};
	if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
		return -EINVAL;
	*val = m.e.data;
	return 0;
}

static void get_kregs(struct kd_vcpu *v, struct kvm_regs *k)
{
	if (v->vm->sync_regs)
		*k = v->run->s.regs.regs;
	else
		ioctl(v->fd, KVM_GET_REGS, k);
}

static void set_kregs(struct kd_vcpu *v, const struct kvm_regs *k)
{
	if (v->vm->sync_regs) {
		v->run->s.regs.regs = *k;
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	} else {
		ioctl(v->fd, KVM_SET_REGS, k);
	}
}

static struct kvm_segment segment(uint16_t sel, int code, int dpl)
{
	return (struct kvm_segment){.selector = sel,
				    .limit = 0xffffffff,
				    .present = 1,
				    .type = code ? 11 : 3,
				    .dpl = (uint8_t)dpl,
				    .s = 1,
				    .l = (uint8_t)code,
				    .db = (uint8_t)!code,
				    .g = 1};
}

static int set_sregs(struct kd_vcpu *v)
{
	struct kd_vm *vm = v->vm;
	struct kvm_sregs s;
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return -errno;
	s.cs = segment(KD_SEL_KCS, 1, 0);
	s.ss = segment(KD_SEL_KDS, 0, 0);
	/* Null data segments: iretq to ring 3 then has nothing to clear. */
	struct kvm_segment null = {.unusable = 1};
	s.ds = s.es = s.fs = s.gs = null;
	s.tr = (struct kvm_segment){.base = kd_cpu_gva(v->id, KD_CPU_TSS),
				    .limit = 0x68 + 8192 / 8,
				    .selector = KD_SEL_TSS,
				    .present = 1,
				    .type = 11};
	s.ldt = (struct kvm_segment){.unusable = 1};
	s.gdt.base = kd_cpu_gva(v->id, KD_CPU_GDT);
	s.gdt.limit = KD_CPU_TSS - 1;
	s.idt.base = KD_KBASE + KD_KOFF_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
	s.cr3 = vm->pt.root;
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	/* FSGSBASE and OSXSAVE if KVM takes them; fall back to the plain SSE set. */
	uint64_t base = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	uint64_t tries[] = {base | CR4_OSXSAVE | CR4_FSGSBASE, base | CR4_OSXSAVE, base};
	v->tsd = 0;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		s.cr4 = tries[i];
		if (ioctl(v->fd, KVM_SET_SREGS, &s) == 0)
			return 0;
	}
	return -errno;
}

int kd_vcpu_tsd(struct kd_vcpu *v, int on)
{
	struct kvm_sregs s;
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return -1;
	if (on >= 0) {
		s.cr4 = on ? s.cr4 | CR4_TSD : s.cr4 & ~CR4_TSD;
		if (ioctl(v->fd, KVM_SET_SREGS, &s))
			return -1;
	}
	v->tsd = !!(s.cr4 & CR4_TSD);
	return v->tsd;
}

void kd_vcpu_sync_tsd(struct kd_vcpu *v)
{
	int mode = 0;
	kd_raw_syscall(SYS_prctl, PR_GET_TSC, (uint64_t)&mode, 0, 0, 0, 0);
	if ((mode == PR_TSC_SIGSEGV) != v->tsd)
		kd_vcpu_tsd(v, mode == PR_TSC_SIGSEGV);
}

static void set_xcr0(struct kd_vcpu *v)
{
	uint32_t lo, hi;
	/* The target runs with the same XSAVE features as the host it would run on. */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs[0] = {.xcr = 0, .value = lo | (uint64_t)hi << 32}};
	v->vm->xcr0 = x.xcrs[0].value;
	if (ioctl(v->fd, KVM_SET_XCRS, &x))
		kd_info("KVM_SET_XCRS(%#llx) refused: %s", (unsigned long long)x.xcrs[0].value,
			strerror(errno));
}

static int set_msrs(struct kd_vcpu *v)
{
	int rc = 0;
	rc |=
	    kd_vcpu_set_msr(v, MSR_STAR, (uint64_t)KD_SEL_UCS32 << 48 | (uint64_t)KD_SEL_KCS << 32);
	rc |= kd_vcpu_set_msr(v, MSR_LSTAR, kd_lstar(v->vm));
	rc |= kd_vcpu_set_msr(v, MSR_CSTAR, kd_stub_gva(kd_stub_spurious));
	/* As Linux: TF DF IF IOPL NT AC cleared on entry. */
	rc |= kd_vcpu_set_msr(v, MSR_FMASK, 0x47700);
	rc |= kd_vcpu_set_msr(v, KD_MSR_FS_BASE, 0);
	rc |= kd_vcpu_set_msr(v, KD_MSR_GS_BASE, 0);
	rc |= kd_vcpu_set_msr(v, MSR_KERNEL_GS_BASE, 0);
	return rc;
}

static void detect_pvm(struct kd_vcpu *v)
{
	uint64_t id;
	if (kd_vcpu_get_msr(v, MSR_PVM_ID, &id) == 0 && id == 0x4d5650)
		v->vm->backend = KD_BACKEND_PVM;
}

int kd_vcpu_create(struct kd_vm *vm, int id, struct kd_vcpu *v)
{
	v->vm = vm;
	v->id = id;
	v->at_cpl3 = 0;
	v->fd = -1;
	int fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return -errno;
	void *run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		int e = errno;
		close(fd);
		return -e;
	}
	v->fd = kd_fd_hide(fd);
	v->run = run;
	kd_vm_lock(vm);
	kd_regions_add(&vm->host, (uint64_t)run, (uint64_t)run + (uint64_t)vm->run_size);
	kd_vm_unlock(vm);
	if (ioctl(v->fd, KVM_SET_CPUID2, vm->cpuid))
		return -errno;
	kd_desc_init_cpu(vm, id);
	int rc = set_sregs(v);
	if (rc)
		return rc;
	if (set_msrs(v))
		return -EINVAL;
	set_xcr0(v);
	detect_pvm(v);
	/* Exitless path: this vCPU's own LSTAR stub and pages, if wanted (after the backend is
	 * known). */
	rc = kd_exitless_vcpu_init(v);
	if (rc)
		return rc;
	if (vm->sync_regs)
		v->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	return 0;
}

void kd_vcpu_close(struct kd_vcpu *v, int close_fd)
{
	struct kd_vm *vm = v->vm;
	if (v->fd < 0)
		return;
	munmap(v->run, (size_t)vm->run_size);
	kd_regions_remove(&vm->host, (uint64_t)v->run, (uint64_t)v->run + (uint64_t)vm->run_size);
	kd_fd_forget(v->fd);
	if (close_fd)
		close(v->fd);
	v->fd = -1;
}

int kd_vcpu_refork(struct kd_vcpu *v, uint64_t fs_base, uint64_t gs_base)
{
	kd_vcpu_close(v, 1);
	int rc = kd_vcpu_create(v->vm, v->id, v);
	if (rc)
		return rc;
	kd_vcpu_sync_tsd(v);
	return kd_vcpu_set_msr(v, KD_MSR_FS_BASE, fs_base)
		   ?: kd_vcpu_set_msr(v, KD_MSR_GS_BASE, gs_base);
}

struct kvm_xsave *kd_vcpu_xsave(struct kd_vcpu *v, size_t *len)
{
	struct kvm_xsave *x = calloc(1, (size_t)v->vm->xsave_len);
	if (x && ioctl(v->fd, v->vm->xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, x)) {
		free(x);
		return NULL;
	}
	*len = (size_t)v->vm->xsave_len;
	return x;
}

int kd_vcpu_copy_fpu(struct kd_vcpu *dst, struct kd_vcpu *src)
{
	size_t len;
	struct kvm_xsave *x = kd_vcpu_xsave(src, &len);
	int rc = !x || ioctl(dst->fd, KVM_SET_XSAVE, x) ? -EIO : 0;
	free(x);
	return rc;
}

void kd_vcpu_resume_user(struct kd_vcpu *v)
{
	if (v->at_cpl3) {
		struct kvm_regs k = v->user;
		k.rflags = (k.rflags & RFLAGS_USER) | RFLAGS_FIXED;
		set_kregs(v, &k);
		return;
	}
	uint64_t top = kd_cpu_gva(v->id, KD_CPU_STACK_TOP);
	uint64_t *f = kd_karea_ptr(v->vm, top - 40);
	f[0] = v->user.rip;
	f[1] = KD_SEL_UCS;
	f[2] = (v->user.rflags & RFLAGS_USER) | RFLAGS_FIXED;
	f[3] = v->user.rsp;
	f[4] = KD_SEL_UDS;
	struct kvm_regs k = v->user;
	k.rip = kd_stub_gva(kd_stub_iret);
	k.rsp = top - 40;
	k.rflags = 2;
	set_kregs(v, &k);
}

void kd_vcpu_dump(struct kd_vcpu *v, const char *why)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	ioctl(v->fd, KVM_GET_REGS, &r);
	ioctl(v->fd, KVM_GET_SREGS, &s);
	kd_err("%s: rip=%#llx rsp=%#llx rflags=%#llx cs=%#x cr2=%#llx rax=%#llx user rip=%#llx "
	       "rsp=%#llx",
	       why, r.rip, r.rsp, r.rflags, s.cs.selector, s.cr2, r.rax, v->user.rip, v->user.rsp);
}

/* An exception stub exited: the x86 frame is on the IST stack. */
static int exception(struct kd_vcpu *v, const struct kvm_regs *k, int vec)
{
	uint64_t top = kd_cpu_gva(v->id, KD_CPU_STACK_TOP);
	int ec = kd_exc_has_error_code(vec);
	if (k->rsp != top - 40 - 8 * (uint64_t)ec) {
		kd_vcpu_dump(v, "exception on an unexpected stack");
		return -1;
	}
	uint64_t *f = kd_karea_ptr(v->vm, k->rsp);
	uint64_t err = ec ? *f++ : 0;
	v->user = *k;
	v->user.rip = f[0];
	v->user.rflags = f[2];
	v->user.rsp = f[3];
	if (f[1] != KD_SEL_UCS) {
		kd_vcpu_dump(v, "exception in kdune's ring-0 code");
		return -1;
	}
	return kd_fault_exception(v, vec, err);
}

static int syscall_cpl(struct kd_vcpu *v)
{
	struct kvm_sregs s;
	if (v->vm->syscall_cpl < 0 && ioctl(v->fd, KVM_GET_SREGS, &s) == 0)
		v->vm->syscall_cpl = s.cs.selector & 3;
	return v->vm->syscall_cpl;
}

/* The LSTAR stub exited: a syscall, unless ring 3 ran that `out` somewhere else. */
static int syscall_exit(struct kd_vcpu *v, const struct kvm_regs *k)
{
	v->user = *k;
	if (k->rip != kd_lstar(v->vm) + 2) {
		/* Natively an `out` from ring 3 is a #GP: SIGSEGV. */
		v->at_cpl3 = 1;
		return kd_fault_exception(v, 13, 0);
	}
	v->at_cpl3 = syscall_cpl(v) == 3;
	v->user.rip = k->rcx;
	v->user.rflags = k->r11;
	/*
	 * A signal caught in the stub, before the call reached kdune: the target has not made
	 * the call yet, so the handler runs first and the `syscall` instruction runs after it,
	 * as when a signal arrives natively just before it.
	 */
	if (v->sigq.n) {
		v->user.rip -= 2;
		return 0;
	}
	kd_syscall(v);
	return 0;
}

static int io_exit(struct kd_vcpu *v)
{
	struct kvm_regs k;
	get_kregs(v, &k);
	unsigned port = v->run->io.port;
	int out = v->run->io.direction == KVM_EXIT_IO_OUT, rc = -1;
	v->at_cpl3 = 0;
	if (out && port == KD_PORT_SYSCALL)
		rc = syscall_exit(v, &k);
	else if (out && port >= KD_PORT_EXC && port < KD_PORT_EXC + 32)
		rc = exception(v, &k, (int)(port - KD_PORT_EXC));
	if (rc < 0) {
		kd_vcpu_dump(v, "unexpected exit from ring 0");
		return rc;
	}
	kd_vcpu_resume_user(v);
	return 0;
}

static const char *exit_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_HLT:
		return "HLT";
	case KVM_EXIT_SHUTDOWN:
		return "SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY:
		return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:
		return "INTERNAL_ERROR";
	default:
		return "unexpected exit";
	}
}

/*
 * KVM_RUN came back with -EINTR: a signal for this thread. If the guest was at ring 3, its
 * registers are the target's state to deliver on (KVM completed any pending MMIO first);
 * inside kdune's ring-0 stubs it is not, and delivery waits for the stub's exit.
 */
static void interrupted(struct kd_vcpu *v)
{
	struct kvm_sregs s;
	v->nintr++;
	v->user_valid = 0;
	if (!v->sigq.n || ioctl(v->fd, KVM_GET_SREGS, &s) || (s.cs.selector & 3) != 3 ||
	    ioctl(v->fd, KVM_GET_REGS, &v->user))
		return;
	/* Between `syscall` and the stub's `out` (PVM runs it at CPL3): the exit comes next. */
	if (v->user.rip - v->vm->ustub < KD_PAGE)
		return;
	/* Exitless path: inside this vCPU's stub, the call is completed or cancelled first, so
	 * the signal lands at a syscall boundary as natively. */
	kd_exitless_settle(v);
	v->at_cpl3 = 1;
	v->user_valid = 1;
}

int kd_vcpu_loop(struct kd_vcpu *v)
{
	for (;;) {
		v->run->immediate_exit = 0;
		if (v->sigq.n && v->user_valid)
			kd_signal_deliver(v);
		int r = ioctl(v->fd, KVM_RUN, 0);
		v->exits++;
		v->user_valid = 0;
		if (r < 0) {
			if (errno == EINTR) {
				interrupted(v);
				continue;
			}
			if (errno == EAGAIN)
				continue;
			if (errno == EFAULT && kd_fault_memory(v, 1) == 0)
				continue;
			kd_err("KVM_RUN: %s", strerror(errno));
			return 125;
		}
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			if (io_exit(v))
				return 125;
			if (v->exited)
				return 0;
			v->user_valid = 1;
			break;
		case KVM_EXIT_MMIO:
		case KVM_EXIT_MEMORY_FAULT:
			v->nmemfaults++;
			if (kd_fault_memory(v, 0))
				return 125;
			break;
		default: {
			char why[96];
			snprintf(why, sizeof(why), "guest stopped: %s (exit %u)",
				 exit_name(v->run->exit_reason), v->run->exit_reason);
			kd_vcpu_dump(v, why);
			return 125;
		}
		}
	}
}
