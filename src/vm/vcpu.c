/* vcpu.c: vCPU set-up (long mode, ring 0 parked in the stubs) and register access. */
#include "vm/vcpu.h"
#include "vm/desc.h"
#include "vm/layout.h"
#include "vm/x86.h"
#include "base/log.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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

void kd_vcpu_get_regs(struct kd_vcpu *v, struct kvm_regs *k)
{
	if (v->vm->sync_regs)
		*k = v->run->s.regs.regs;
	else
		ioctl(v->fd, KVM_GET_REGS, k);
}

void kd_vcpu_set_regs(struct kd_vcpu *v, const struct kvm_regs *k)
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
	s.cr0 = X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE;
	s.cr3 = vm->pt.root;
	s.efer = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
	/* FSGSBASE and OSXSAVE if KVM takes them; fall back to the plain SSE set. */
	uint64_t base = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	uint64_t tries[] = {base | X86_CR4_OSXSAVE | X86_CR4_FSGSBASE, base | X86_CR4_OSXSAVE,
			    base};
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
		s.cr4 = on ? s.cr4 | X86_CR4_TSD : s.cr4 & ~X86_CR4_TSD;
		if (ioctl(v->fd, KVM_SET_SREGS, &s))
			return -1;
	}
	v->tsd = !!(s.cr4 & X86_CR4_TSD);
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
	rc |= kd_vcpu_set_msr(v, X86_MSR_STAR,
			      (uint64_t)KD_SEL_UCS32 << 48 | (uint64_t)KD_SEL_KCS << 32);
	rc |= kd_vcpu_set_msr(v, X86_MSR_LSTAR, kd_lstar(v->vm));
	rc |= kd_vcpu_set_msr(v, X86_MSR_CSTAR, kd_stub_gva(kd_stub_spurious));
	/* As Linux: TF DF IF IOPL NT AC cleared on entry. */
	rc |= kd_vcpu_set_msr(v, X86_MSR_FMASK, 0x47700);
	rc |= kd_vcpu_set_msr(v, X86_MSR_FS_BASE, 0);
	rc |= kd_vcpu_set_msr(v, X86_MSR_GS_BASE, 0);
	rc |= kd_vcpu_set_msr(v, X86_MSR_KERNEL_GS_BASE, 0);
	return rc;
}

static void detect_pvm(struct kd_vcpu *v)
{
	uint64_t id;
	if (kd_vcpu_get_msr(v, X86_MSR_PVM_ID, &id) == 0 && id == X86_PVM_ID)
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
	return kd_vcpu_set_msr(v, X86_MSR_FS_BASE, fs_base)
		   ?: kd_vcpu_set_msr(v, X86_MSR_GS_BASE, gs_base);
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
		k.rflags = (k.rflags & X86_RFLAGS_USER) | X86_RFLAGS_IF | X86_RFLAGS_FIXED;
		kd_vcpu_set_regs(v, &k);
		return;
	}
	uint64_t top = kd_cpu_gva(v->id, KD_CPU_STACK_TOP);
	uint64_t *f = kd_karea_ptr(v->vm, top - 40);
	f[0] = v->user.rip;
	f[1] = KD_SEL_UCS;
	f[2] = (v->user.rflags & X86_RFLAGS_USER) | X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	f[3] = v->user.rsp;
	f[4] = KD_SEL_UDS;
	struct kvm_regs k = v->user;
	k.rip = kd_stub_gva(kd_stub_iret);
	k.rsp = top - 40;
	k.rflags = 2;
	kd_vcpu_set_regs(v, &k);
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
