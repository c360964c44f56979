/* vm.c: the KVM device, the VM, and the target's address space (slots + page tables). */
#include "vm/vm.h"
#include "vm/desc.h"
#include "vm/layout.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

const char *kd_backend_name(enum kd_backend b)
{
	return b == KD_BACKEND_PVM ? "kvm_pvm (nested, shadow paging, ring 0 emulated)"
				   : "hardware (VT-x/SVM)";
}

int kd_kvm_open(struct kd_vm *vm, const char *dev, char *err, size_t errlen)
{
	/* "fd:N": a KVM device kdune opened before it re-executed itself for an execve. */
	int fd = !strncmp(dev, "fd:", 3) ? (int)strtol(dev + 3, NULL, 10)
					 : open(dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && !strncmp(dev, "fd:", 3) && fcntl(fd, F_SETFD, FD_CLOEXEC))
		fd = -1;
	if (fd < 0) {
		/* The advice that fits this machine is the caller's (host/kvm_advice.c). */
		int e = errno;
		snprintf(err, errlen, "%s: %s", dev, strerror(e));
		return -e;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(err, errlen, "%s: not a usable KVM device (API version %d, need %d)", dev,
			 api, KVM_API_VERSION);
		close(fd);
		return -ENODEV;
	}
	vm->kvm_fd = kd_fd_hide(fd);
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (vm->max_vcpus <= 0)
		vm->max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	/* KVM_GET_XSAVE2 covers states larger than 4 KiB (AMX); the plain call does not. */
	int xsave2 = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	vm->xsave2 = xsave2 > 0;
	vm->xsave_len =
	    xsave2 > (int)sizeof(struct kvm_xsave) ? xsave2 : (int)sizeof(struct kvm_xsave);
	int sync = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	vm->sync_regs = sync > 0 && (sync & KVM_SYNC_X86_REGS);
	vm->backend = access("/sys/module/kvm_pvm", F_OK) == 0 ? KD_BACKEND_PVM : KD_BACKEND_HW;
	return 0;
}

static int set_slot(void *ctx, int slot, uint64_t gpa, uint64_t len, uint64_t hva)
{
	struct kd_vm *vm = ctx;
	struct kvm_userspace_memory_region r = {.slot = (uint32_t)slot,
						.guest_phys_addr = gpa,
						.memory_size = len,
						.userspace_addr = hva};
	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* A slot of kdune's own (not target memory), remembered for kd_vm_refork(). */
static int fixed_slot(struct kd_vm *vm, uint64_t gpa, uint64_t len, uint64_t hva)
{
	int id = kd_memslots_new_id(&vm->slots);
	if (id < 0 || vm->nfixed == (int)(sizeof(vm->fixed) / sizeof(vm->fixed[0])))
		return -ENOSPC;
	int rc = set_slot(vm, id, gpa, len, hva);
	if (!rc)
		vm->fixed[vm->nfixed++] = (typeof(vm->fixed[0])){id, gpa, len, hva};
	return rc;
}

static int add_pt_chunk(void *ctx, int idx, void *hva, uint64_t gpa, uint64_t len)
{
	return fixed_slot(ctx, gpa, len, (uint64_t)hva);
}

static int load_cpuid(struct kd_vm *vm)
{
	int n = 256;
	vm->cpuid = calloc(1, sizeof(*vm->cpuid) + (size_t)n * sizeof(struct kvm_cpuid_entry2));
	if (!vm->cpuid)
		return -ENOMEM;
	vm->cpuid->nent = (uint32_t)n;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid))
		return -errno;
	vm->phys_bits = 36;
	for (uint32_t i = 0; i < vm->cpuid->nent; i++)
		if (vm->cpuid->entries[i].function == 0x80000008)
			vm->phys_bits = vm->cpuid->entries[i].eax & 0xff;
	return 0;
}

static int create_vm_fd(struct kd_vm *vm)
{
	int fd;
	/* KVM_CREATE_VM can be interrupted while it waits for RCU. */
	do
		fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	vm->vm_fd = kd_fd_hide(fd);
	return 0;
}

/* The ring-0 area: stubs, IDT, per-vCPU GDT/TSS/stack; supervisor-only. */
static int create_karea(struct kd_vm *vm)
{
	void *p = mmap(NULL, KD_KAREA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	vm->karea = p;
	int rc = fixed_slot(vm, KD_GPA_KAREA, KD_KAREA_SIZE, (uint64_t)p);
	if (rc)
		return rc;
	kd_desc_init(vm);
	rc = kd_pt_map(&vm->pt, KD_KBASE, KD_GPA_KAREA, KD_KAREA_SIZE,
		       KD_PTE_RW | KD_PTE_A | KD_PTE_D, 1);
	if (rc)
		return rc;
	/* PROT_NONE on the host: the kernel never gives this page to the target. */
	p = mmap(NULL, KD_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	vm->ustub = (uint64_t)p;
	vm->syscall_cpl = -1;
	return kd_pt_map(&vm->pt, vm->ustub, KD_GPA_KAREA + KD_KOFF_STUBS, KD_PAGE,
			 KD_PTE_US | KD_PTE_A, 0);
}

static int xl_reserve(struct kd_vm *vm);

void kd_vm_lock(struct kd_vm *vm)
{
	kd_lock_take(&vm->lock);
}

void kd_vm_unlock(struct kd_vm *vm)
{
	kd_lock_drop(&vm->lock);
}

/* kdune's own memory: the target may never map, unmap or protect over it. */
static int own_ranges(struct kd_vm *vm)
{
	uint64_t hs, he, pool = (uint64_t)vm->pt.pool;
	kd_heap_range(&hs, &he);
	int rc =
	    kd_regions_add(&vm->host, (uint64_t)vm->karea, (uint64_t)vm->karea + KD_KAREA_SIZE);
	rc = rc ?: kd_regions_add(&vm->host, vm->ustub, vm->ustub + KD_PAGE);
	if (vm->xl_alias)
		rc = rc
			 ?: kd_regions_add(&vm->host, vm->xl_alias,
					   vm->xl_alias + KD_MAX_VCPUS * KD_XL_ALIAS_STRIDE);
	rc = rc ?: kd_regions_add(&vm->host, pool, pool + KD_PT_MAX_CHUNKS * vm->pt.chunk_size);
	return rc ?: he ? kd_regions_add(&vm->host, hs, he) : 0;
}

int kd_vm_create(struct kd_vm *vm)
{
	kd_lock_init(&vm->lock);
	int rc = create_vm_fd(vm);
	if (!rc)
		rc = load_cpuid(vm);
	if (rc)
		return rc;
	int nslots = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	uint64_t gpa_limit = vm->phys_bits >= 64 ? ~0ULL : 1ULL << vm->phys_bits;
	rc = kd_memslots_init(&vm->slots, nslots > 0 ? nslots : 509, KD_GPA_USER, gpa_limit,
			      set_slot, vm);
	if (!rc)
		rc = kd_pt_init(&vm->pt, KD_GPA_PT, KD_PT_CHUNK, add_pt_chunk, vm);
	if (!rc)
		rc = create_karea(vm);
	/* --exitless=on: its pages' alias, whichever backend the vCPUs then find. */
	if (!rc && vm->xl_mode == KD_XL_ON)
		rc = xl_reserve(vm);
	return rc ?: own_ranges(vm);
}

int kd_vm_refork(struct kd_vm *vm)
{
	/* The forking thread held the lock; no other thread exists here to release it. */
	kd_lock_init(&vm->lock);
	/* The parent's VM refuses this mm (EIO); everything else was copied with the memory. */
	kd_fd_forget(vm->vm_fd);
	close(vm->vm_fd);
	int rc = create_vm_fd(vm);
	for (int i = 0; !rc && i < vm->nfixed; i++)
		rc = set_slot(vm, vm->fixed[i].id, vm->fixed[i].gpa, vm->fixed[i].len,
			      vm->fixed[i].hva);
	for (size_t i = 0; !rc && i < vm->slots.n; i++) {
		const struct kd_run *r = &vm->slots.runs[i];
		if (r->slot >= 0)
			rc = set_slot(vm, r->slot, r->gpa, r->len, r->hva);
	}
	return rc;
}

/*
 * The low-half range the guest reaches every vCPU's exitless pages at: kdune's own. Reserved
 * with the VM, before any target memory had guest page-table entries: entries are never
 * removed, so a range the target once used could still carry stale ones.
 */
static int xl_reserve(struct kd_vm *vm)
{
	uint64_t len = KD_MAX_VCPUS * KD_XL_ALIAS_STRIDE;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	vm->xl_alias = (uint64_t)p;
	return 0;
}

int kd_vm_xl_pages(struct kd_vm *vm, int cpu, struct kd_xl_page **data, uint64_t *code_gva)
{
	uint64_t area = KD_KOFF_CPU + (uint64_t)cpu * KD_CPU_AREA;
	kd_vm_lock(vm);
	int rc = vm->xl_alias ? 0 : -ENXIO; /* not reserved when the VM was made */
	uint64_t gva = vm->xl_alias + (uint64_t)cpu * KD_XL_ALIAS_STRIDE;
	if (!rc) {
		kd_xl_code_init(vm->karea + area + KD_CPU_XL_CODE, kd_lstar(vm), 0);
		/* Mapped once and for good: the page tables only ever gain entries. */
		rc = kd_pt_map(&vm->pt, gva, KD_GPA_KAREA + area + KD_CPU_XL_CODE, KD_PAGE,
			       KD_PTE_US | KD_PTE_A, 0);
	}
	if (!rc)
		rc = kd_pt_map(&vm->pt, gva + KD_PAGE, KD_GPA_KAREA + area + KD_CPU_XL_DATA,
			       KD_PAGE, KD_PTE_US | KD_PTE_RW | KD_PTE_A | KD_PTE_D | KD_PTE_NX, 0);
	kd_vm_unlock(vm);
	if (rc)
		return rc;
	*data = (struct kd_xl_page *)(vm->karea + area + KD_CPU_XL_DATA);
	*code_gva = gva;
	return 0;
}

#define USER_PTE (KD_PTE_RW | KD_PTE_US | KD_PTE_A | KD_PTE_D)

int kd_mem_add(struct kd_vm *vm, uint64_t start, uint64_t len)
{
	uint64_t end = (start + len + KD_PAGE - 1) & ~(KD_PAGE - 1);
	start &= ~(KD_PAGE - 1);
	if (end <= start || end > KD_USER_TOP)
		return -EINVAL;
	int rc = kd_regions_add(&vm->target, start, end);
	if (!rc)
		rc = kd_memslots_cover(&vm->slots, start, end);
	for (uint64_t va = start; !rc && va < end;) {
		const struct kd_run *r = kd_memslots_by_hva(&vm->slots, va);
		uint64_t stop = r->hva + r->len < end ? r->hva + r->len : end;
		rc = kd_pt_map(&vm->pt, va, r->gpa + (va - r->hva), stop - va, USER_PTE, 1);
		va = stop;
	}
	return rc;
}

void kd_mem_remove(struct kd_vm *vm, uint64_t start, uint64_t len)
{
	uint64_t end = (start + len + KD_PAGE - 1) & ~(KD_PAGE - 1);
	start &= ~(KD_PAGE - 1);
	kd_regions_remove(&vm->target, start, end);
	kd_memslots_trim(&vm->slots, start, end, &vm->target);
}
