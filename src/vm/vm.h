/* vm.h: one KVM VM per target process, and the state of its address space. */
#pragma once
#include <stdint.h>
#include "base/nolibc.h"
#include "vm/exitless.h"
#include "vm/layout.h"
#include "vm/memslot.h"
#include "vm/paging.h"
#include "vm/regions.h"

enum kd_backend {
	KD_BACKEND_HW,	/* VT-x/SVM: guest ring 0 is real, `syscall` reaches CPL0 */
	KD_BACKEND_PVM, /* kvm_pvm: ring 0 emulated, `syscall` stays at CPL3 */
};

struct kd_vm {
	int kvm_fd, vm_fd;
	enum kd_backend backend;
	int run_size;
	int max_vcpus;
	int sync_regs; /* KVM_CAP_SYNC_REGS covers the GPRs */
	unsigned phys_bits;
	uint64_t xcr0;
	int xsave_len;	     /* bytes KVM_GET_XSAVE(2) fills */
	int xsave2;	     /* KVM_GET_XSAVE2 exists (KVM_CAP_XSAVE2) */
	uint32_t xsave_user; /* XSAVE image size for XCR0 (CPUID 0xd), 0 until needed */
	struct kvm_cpuid2 *cpuid;
	uint8_t *karea; /* host memory behind KD_KBASE */
	/*
	 * A read-only user mapping of the stub page at an address reserved on the host, so
	 * LSTAR is reachable from CPL3: on PVM `syscall` stays at CPL3 and then costs exactly
	 * the platform floor (an `out` to the one port ring 3 may use), with no #PF
	 * delivery and no emulated iretq.
	 */
	uint64_t ustub;
	int syscall_cpl; /* CPL at the LSTAR stub: 3 on PVM, 0 on VT-x/SVM; -1 unknown */
	struct kd_pt pt;
	/* Slots outside the runs (ring-0 area, page-table chunks), re-created after fork. */
	struct {
		int id;
		uint64_t gpa, len, hva;
	} fixed[KD_PT_MAX_CHUNKS + 1];
	int nfixed;
	struct kd_memslots slots;
	struct kd_regions target; /* address ranges the target owns */
	struct kd_regions host;	  /* kdune's own ranges: never handed to the target */
	uint64_t brk_start, brk_cur;
	/* Where the target's program file is, for /proc/self/exe. */
	char exe[4096];
	/* The target's argv strings; served for /proc/self/cmdline unless PR_SET_MM worked. */
	uint64_t arg_start, arg_end;
	int cmdline_native;
	int trace_fd; /* --trace: strace-format lines go here; -1 without */
	/*
	 * kdune_enter(): the target is this process as it was, so brk is the kernel's own,
	 * memory it maps behind kdune's back is taken in when the guest reaches it, and exec
	 * runs the new program natively unless follow_exec.
	 */
	int entered;
	int follow_exec;      /* execve runs the new program under kdune_exe */
	char kdune_exe[4096]; /* the kdune binary that runs exec'd programs */
	const char *kvm_device;
	int new_vcpus; /* KDUNE_VCPU_REUSE=0 (for bench/): a new vCPU per thread */
	/*
	 * Taken around every change to, and every read of, the address-space state above
	 * (regions, slots, page tables) and the vCPU pool below: target threads and CLONE_VM
	 * children all share this VM. Recursive, so a path that holds it may call helpers.
	 */
	struct kd_lock lock;
	/* The vCPU pool (thread.c): every vCPU ever created, and the free ones. */
	struct kd_vcpu *vcpus[KD_MAX_VCPUS];
	int nvcpus;
	struct kd_vcpu *free_vcpus;
	/*
	 * The exitless path (engine/exitless.h): the mode asked for (enum kd_xl_mode, set
	 * before kd_vm_create), the low-half range where the vCPUs' code and data pages are
	 * aliased (reserved by kd_vm_create for mode ON, else 0) and the server of this process.
	 */
	int xl_mode;
	uint64_t xl_alias;
	struct kd_xl_server *xl;
	/* Host stacks for threads that run vCPUs, and threads waiting to be joined. */
	struct kd_hstack *hstacks;
};

void kd_vm_lock(struct kd_vm *vm);
void kd_vm_unlock(struct kd_vm *vm);

/*
 * Open the KVM device and check the API. Returns 0, or -errno with a one-line reason in err
 * ("DEVICE: strerror"; -ENODEV: not a usable KVM device). The advice is the caller's.
 */
int kd_kvm_open(struct kd_vm *vm, const char *dev, char *err, size_t errlen);
/* Create the VM, its ring-0 area and page tables. Returns 0 or -errno. */
int kd_vm_create(struct kd_vm *vm);
const char *kd_backend_name(enum kd_backend b);

/* In a forked child: a VM of its own over the same memory, slots at the same GPAs. */
int kd_vm_refork(struct kd_vm *vm);

/* The target now owns [start, start+len): slots and page tables follow. 0 or -errno. */
int kd_mem_add(struct kd_vm *vm, uint64_t start, uint64_t len);
/* The target gave up [start, start+len) (already unmapped or moved on the host). */
void kd_mem_remove(struct kd_vm *vm, uint64_t start, uint64_t len);
/*
 * kdune_enter(): the host mapping at addr (mapped after entry, by native threads or the
 * kernel) becomes the target's, unless it is kdune's own or inaccessible. 0, or -1.
 */
int kd_vm_adopt(struct kd_vm *vm, uint64_t addr);
/* The same for every part of [start, end) the target does not own yet. 0, or -1. */
int kd_vm_adopt_range(struct kd_vm *vm, uint64_t start, uint64_t end);
/*
 * vCPU cpu's exitless pages: the code page filled with the stub and both pages mapped
 * user-accessible (code read+exec, data read/write NX) at the low-half alias, which
 * kd_vm_create reserved when xl_mode was KD_XL_ON (else -ENXIO). *data: the host's view of
 * the data page; *code_gva: the code page in the guest. 0 or -errno.
 */
int kd_vm_xl_pages(struct kd_vm *vm, int cpu, struct kd_xl_page **data, uint64_t *code_gva);
/* Host pointer for a guest-virtual address in the ring-0 area. */
static inline void *kd_karea_ptr(struct kd_vm *vm, uint64_t gva)
{
	return vm->karea + (gva - KD_KBASE);
}
