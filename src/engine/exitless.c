/*
 * exitless.c: the exitless request path's hooks in the engine: whether a VM uses it, each
 * vCPU's own LSTAR stub and pages, settling a vCPU stopped inside its stub, fork and -v.
 * The server thread and what it serves are in xlserver.c; the stub and the page layout in
 * vm/xlstub.S and vm/exitless.h; the README's design section has the state machine.
 */
#include "engine/exitless.h"
#include "engine/trace.h"
#include "vm/x86.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* vcpu.c's FMASK (TF DF IF IOPL NT AC) without IF: the stub returns with popfq at CPL3,
 * which cannot set IF again, so `syscall` must not clear it in the first place. */
#define FMASK_KEEP_IF 0x47500ULL

int kd_xl_parse_mode(const char *s)
{
	if (!s || !*s || !strcmp(s, "auto"))
		return KD_XL_AUTO;
	if (!strcmp(s, "on") || !strcmp(s, "1"))
		return KD_XL_ON;
	if (!strcmp(s, "off") || !strcmp(s, "0"))
		return KD_XL_OFF;
	return -1;
}

int kd_exitless_wanted(const struct kd_vm *vm, const char **why)
{
	const char *no =
	    vm->xl_mode == KD_XL_OFF	? "off"
	    : vm->xl_mode == KD_XL_AUTO ? "off (auto turns on once verified on a KVM machine)"
	    : vm->backend != KD_BACKEND_PVM
		? "off: VT-x/SVM runs the LSTAR stub at CPL0, so every call exits"
	    : vm->trace_fd >= 0	   ? "off under --trace: every call exits and is traced"
	    : kd_trace_cfg.summary ? "off under --trace-summary: every call exits and is counted"
	    : vm->entered ? "off after kdune_enter(): its server thread would keep alive a "
			    "process whose own threads have all exited"
			  : NULL;
	if (why)
		*why = no ? no : "on";
	return !no;
}

/* CPUs in the calling thread's affinity mask. */
static int cpus_allowed(void)
{
	uint64_t mask[16] = {0};
	long n = kd_raw_syscall(SYS_sched_getaffinity, 0, sizeof(mask), (uint64_t)mask, 0, 0, 0);
	int c = 0;
	for (long i = 0; i < n / 8; i++)
		c += __builtin_popcountll(mask[i]);
	return n < 0 ? 1 : c;
}

/* The process's server state, made with the first vCPU that uses the path. */
static struct kd_xl_server *server_of(struct kd_vm *vm)
{
	kd_vm_lock(vm);
	if (!vm->xl && (vm->xl = calloc(1, sizeof(*vm->xl)))) {
		vm->xl->pid = getpid();
		vm->xl->spin_ns = KD_XL_SPIN_NS;
		/* One CPU: a spinning server would only take it from the target. */
		vm->xl->disabled = cpus_allowed() < 2;
	}
	kd_vm_unlock(vm);
	return vm->xl;
}

int kd_exitless_vcpu_init(struct kd_vcpu *v)
{
	struct kd_xl_page *data;
	uint64_t code;
	if (!kd_exitless_wanted(v->vm, NULL))
		return 0;
	if (!server_of(v->vm))
		return -ENOMEM;
	int rc = kd_vm_xl_pages(v->vm, v->id, &data, &code);
	if (rc)
		return rc;
	data->state = XL_IDLE;
	data->awake = 0; /* until the server says otherwise */
	v->xl.code_gva = code;
	rc = kd_vcpu_set_msr(v, X86_MSR_LSTAR, code)
		 ?: kd_vcpu_set_msr(v, X86_MSR_FMASK, FMASK_KEEP_IF);
	if (!rc)
		__atomic_store_n(&v->xl.data, data, __ATOMIC_RELEASE); /* the server polls it */
	return rc;
}

/* ---- settling a vCPU stopped in its stub ---- */

static enum kd_xl_settled restart(struct kvm_regs *r)
{
	/* Every GPR is still the syscall-entry state: run the `syscall` again later. */
	r->rip = r->rcx - 2;
	r->rflags = r->r11;
	return KD_XL_RESTART;
}

static enum kd_xl_settled complete(const struct kd_xl_cpu *c, struct kvm_regs *r, uint64_t rsp)
{
	r->rax = (uint64_t)__atomic_load_n(&c->result, __ATOMIC_ACQUIRE);
	r->rip = r->rcx;
	r->rflags = r->r11;
	r->rsp = rsp;
	return KD_XL_COMPLETED;
}

enum kd_xl_settled kd_xl_settle_regs(struct kd_xl_cpu *c, struct kvm_regs *r)
{
	struct kd_xl_page *p = c->data;
	uint64_t off = r->rip - c->code_gva;
	if (!p || off >= KD_PAGE)
		return KD_XL_NOT_IN_STUB;
	if (off < kd_xl_off(kd_xl_published) || off >= kd_xl_off(kd_xl_slow))
		return restart(r);
	if (off >= kd_xl_off(kd_xl_done))
		return complete(c, r, __atomic_load_n(&p->rsp, __ATOMIC_RELAXED));
	/* Published. Not claimed yet: take it back, so the server never will. */
	uint32_t want = XL_REQ;
	if (__atomic_compare_exchange_n(&p->state, &want, XL_IDLE, 0, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		return restart(r);
	/* Claimed: busy is the host's own word, set before the claim; the call never blocks. */
	while (__atomic_load_n(&c->busy, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	uint32_t st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
	/* Anything but a served DONE (cancelled, declined, or a word the guest wrote): not run. */
	if ((st & XL_DONE) && !(st & XL_DECLINE))
		return complete(c, r, r->rsp);
	return restart(r);
}

int kd_exitless_settle(struct kd_vcpu *v)
{
	return kd_xl_settle_regs(&v->xl, &v->user) != KD_XL_NOT_IN_STUB;
}

void kd_exitless_after_fork(struct kd_vm *vm)
{
	struct kd_xl_server *s = vm->xl;
	if (!s)
		return;
	/* The parent's server stayed in the parent; this process gets its own when needed. */
	s->started = s->sleeping = s->kick = s->tid = 0;
	s->proc = NULL;
	s->pid = getpid();
	for (int i = 0; i < vm->nvcpus; i++) {
		struct kd_xl_cpu *c = &vm->vcpus[i]->xl;
		if (c->data) {
			c->data->awake = 0;
			c->data->state = XL_IDLE;
		}
		c->busy = 0;
	}
}

void kd_exitless_stats(struct kd_vm *vm)
{
	struct kd_xl_server *s = vm->xl;
	if (!s)
		return;
	unsigned long long served = 0, declined = 0;
	for (int i = 0; i < vm->nvcpus; i++) {
		served += vm->vcpus[i]->xl.served;
		declined += vm->vcpus[i]->xl.declined;
	}
	kd_info("exitless: %llu calls served with no exit, %llu sent to the exit path; server %s, "
		"woken %llu times",
		served, declined,
		s->disabled  ? "disabled (one CPU)"
		: s->started ? "started"
			     : "never needed",
		(unsigned long long)s->wakeups);
}
