/* run.c: from a command line to a running target: resolve, VM, load, vCPU, loop. */
#include "kdune.h"
#include "vm/layout.h"
#include "host/loader.h"
#include "host/kvm_advice.h"
#include "host/options.h"
#include "host/sandbox.h"
#include "base/log.h"
#include "vm/maps.h"
#include "engine/exitless.h"
#include "engine/signals.h"
#include "engine/thread.h"
#include "engine/loop.h"
#include "engine/trace.h"
#include "vm/vcpu.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

const char *kdune_version(void)
{
	return KDUNE_VERSION;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int is_vdso(const char *name)
{
	return !strncmp(name, "[vdso]", 6) || !strncmp(name, "[vvar", 5);
}

/*
 * Everything mapped now is kdune's, except the vDSO, which the target shares so that
 * clock_gettime runs in the guest with no exit.
 */
static int split_one(void *ctx, const struct kd_mapping *m)
{
	struct kd_vm *vm = ctx;
	if (m->start >= KD_USER_TOP)
		return 0;
	return is_vdso(m->path) ? kd_mem_add(vm, m->start, m->end - m->start)
				: kd_regions_add(&vm->host, m->start, m->end);
}

static int split_address_space(struct kd_vm *vm)
{
	return kd_maps_each(split_one, vm);
}

struct load_ctx {
	struct kd_vm *vm;
	int rc;
};

static void on_map(void *ctx, uint64_t start, uint64_t len)
{
	struct load_ctx *c = ctx;
	if (!c->rc)
		c->rc = kd_mem_add(c->vm, start, len);
}

/*
 * /proc/self/cmdline reads the target's strings when the kernel lets kdune point it there
 * (CAP_SYS_RESOURCE); otherwise syscall.c serves the target's own reads of it.
 */
static void set_proc_strings(struct kd_vm *vm, const struct kd_image *img, const char *execfn)
{
	vm->arg_start = img->arg_start;
	vm->arg_end = img->arg_end;
	vm->cmdline_native = prctl(PR_SET_MM, PR_SET_MM_ARG_START, img->arg_start, 0, 0) == 0 &&
			     prctl(PR_SET_MM, PR_SET_MM_ARG_END, img->arg_end, 0, 0) == 0;
	char name[4096];
	snprintf(name, sizeof(name), "%s", execfn);
	prctl(PR_SET_NAME, basename(name), 0, 0, 0);
}

static int open_trace(struct kd_vm *vm, const struct kdune_options *o)
{
	char err[4400];
	if (!o->trace && !o->trace_summary)
		return 0;
	if (kd_trace_configure(o, &kd_trace_cfg, err, sizeof(err))) {
		kd_err("%s", err);
		return -1;
	}
	int fd;
	if (o->trace_path && !strncmp(o->trace_path, "fd:", 3)) {
		/* A trace carried across the target's execve. */
		fd = atoi(o->trace_path + 3);
		if (fcntl(fd, F_SETFD, FD_CLOEXEC))
			fd = -1;
	} else {
		fd = o->trace_path ? open(o->trace_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)
				   : fcntl(2, F_DUPFD_CLOEXEC, 3);
	}
	if (fd < 0) {
		kd_err("trace file %s: %s", o->trace_path ? o->trace_path : "stderr",
		       strerror(errno));
		return -1;
	}
	vm->trace_fd = kd_fd_hide(fd);
	return 0;
}

static void summary(struct kd_vm *vm, struct kd_exec *ex, struct kd_image *img, double *t)
{
	kd_info("backend: %s; sync_regs %s; max vCPUs %d; MAXPHYADDR %u; XCR0 %#llx",
		kd_backend_name(vm->backend), vm->sync_regs ? "on" : "off", vm->max_vcpus,
		vm->phys_bits, (unsigned long long)vm->xcr0);
	const char *why;
	kd_exitless_wanted(vm, &why);
	kd_info("exitless: %s", why);
	kd_info("target: %s, entry %#llx, interpreter base %#llx, brk %#llx, stack %#llx-%#llx",
		ex->path, (unsigned long long)img->entry, (unsigned long long)img->interp_base,
		(unsigned long long)img->brk_start, (unsigned long long)img->stack_lo,
		(unsigned long long)img->stack_hi);
	kd_info("memory: %d live memslots (%.1f MiB), %llu page-table pages, %llu 4K + %llu 2M "
		"leaf entries",
		vm->slots.live_runs, (double)vm->slots.live_bytes / (1 << 20),
		(unsigned long long)vm->pt.used, (unsigned long long)vm->pt.n4k,
		(unsigned long long)vm->pt.n2m);
	kd_info("start-up: resolve %.2f ms, open KVM %.2f ms, create VM %.2f ms, load %.2f ms, "
		"vCPU %.2f ms; total %.2f ms",
		t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3], t[5] - t[4], t[5] - t[0]);
}

int kdune_run(char *const argv[], char *const envp[], const struct kdune_options *o)
{
	static struct kd_vm vm;
	static struct kd_proc proc = {.nthreads = 1};
	static struct kd_hthread main_thread;
	struct kd_vcpu *vcpu;
	struct kd_exec ex;
	struct kd_image img;
	char err[1024];
	double t[6];
	int rc;
	kd_verbose = o->verbose;
	kd_log_init();
	/* kdune's own allocations stay in its heap, never where target mappings were. */
	mallopt(M_MMAP_MAX, 0);
	t[0] = now_ms();
	ssize_t n = readlink("/proc/self/exe", vm.kdune_exe, sizeof(vm.kdune_exe) - 1);
	vm.kdune_exe[n > 0 ? n : 0] = 0;
	vm.follow_exec = 1;
	vm.trace_fd = -1; /* until open_trace */
	vm.kvm_device = o->kvm_device;
	const char *xl = o->exitless ? o->exitless : getenv("KDUNE_EXITLESS");
	vm.xl_mode = kd_xl_parse_mode(xl);
	if (vm.xl_mode < 0) {
		kd_err("%s%s: use auto, on or off",
		       o->exitless ? "--exitless=" : "KDUNE_EXITLESS=", xl);
		return 125;
	}
	const char *reuse = getenv("KDUNE_VCPU_REUSE");
	vm.new_vcpus = reuse && !strcmp(reuse, "0");
	/* Names only for what prints them (--trace, -v); the lookup costs ~1 ms. */
	if (o->trace || o->trace_summary || o->verbose)
		kd_syscall_names_load();
	/* Before anything of the program is looked at: a bad profile fails the same way. */
	if (kd_sandbox_early(o, err, sizeof(err))) {
		kd_err("%s", err);
		return 125;
	}
	char exec_path[4200];
	const char *prog = argv[0];
	int exec_fd = -1;
	if (o->exec_path && !strncmp(o->exec_path, "fd:", 3)) {
		/* The file open on a descriptor (an execveat through one): closed once loaded. */
		exec_fd = atoi(o->exec_path + 3);
		snprintf(exec_path, sizeof(exec_path), "/proc/self/fd/%d", exec_fd);
		prog = exec_path;
	} else if (o->exec_path) {
		/* execve takes a name without '/' as relative to the current directory. */
		snprintf(exec_path, sizeof(exec_path), "%s%s",
			 strchr(o->exec_path, '/') ? "" : "./", o->exec_path);
		prog = exec_path;
	}
	int st = kd_resolve(prog, argv, &ex, err, sizeof(err));
	if (st) {
		kd_err("%s", err);
		return st;
	}
	t[1] = now_ms();
	/* Before KVM: a wrong trace file is said even where KVM is missing. */
	if (open_trace(&vm, o))
		return 125;
	const char *dev = o->kvm_device ? o->kvm_device : "/dev/kvm";
	rc = kd_kvm_open(&vm, dev, err, sizeof(err));
	if (rc) {
		char advice[512] = "";
		if (strncmp(dev, "fd:", 3))
			kd_kvm_advice(dev, -rc, advice, sizeof(advice));
		kd_err("%s%s", err, advice);
		return 125;
	}
	t[2] = now_ms();
	rc = kd_vm_create(&vm);
	if (!rc)
		rc = split_address_space(&vm);
	if (rc) {
		kd_err("cannot create the VM: %s", strerror(-rc));
		return 125;
	}
	/* Writes confined: only now that the KVM device and the trace file are open. */
	if (kd_sandbox_late(o, err, sizeof(err))) {
		kd_err("%s", err);
		return 125;
	}
	t[3] = now_ms();
	struct load_ctx lc = {&vm, 0};
	st = kd_load(&ex, envp, &img, on_map, &lc, err, sizeof(err));
	if (st) {
		kd_err("%s", err);
		return st;
	}
	if (lc.rc) {
		kd_err("%s: cannot map into the VM: %s", ex.path, strerror(-lc.rc));
		return 125;
	}
	vm.brk_start = vm.brk_cur = img.brk_start;
	if (!realpath(ex.path, vm.exe))
		snprintf(vm.exe, sizeof(vm.exe), "%s", ex.path);
	if (exec_fd >= 0)
		close(exec_fd);
	set_proc_strings(&vm, &img, ex.execfn);
	t[4] = now_ms();
	rc = kd_vcpu_get(&vm, &vcpu);
	if (rc) {
		kd_err("cannot create a vCPU: %s", strerror(-rc));
		return 125;
	}
	vcpu->proc = &proc;
	kd_self_set(&main_thread);
	main_thread.vcpu = vcpu;
	vcpu->tid = main_thread.tid;
	vcpu->user = (struct kvm_regs){.rip = img.entry, .rsp = img.rsp, .rflags = 0x202};
	kd_vcpu_resume_user(vcpu);
	t[5] = now_ms();
	if (kd_verbose)
		summary(&vm, &ex, &img, t);
	kd_exec_free(&ex);
	/* The trace file is emptied only now that the program runs: a failed start keeps it. */
	if (vm.trace_fd >= 0 && o->trace_path && strncmp(o->trace_path, "fd:", 3) &&
	    ftruncate(vm.trace_fd, 0))
		kd_info("trace file %s: %s", o->trace_path, strerror(errno));
	kd_threads_init(kd_loop_run);
	rc = kd_loop_run(vcpu);
	if (rc == 0)
		kd_thread_finish(vcpu); /* the main thread called exit while others run on */
	return rc;
}
