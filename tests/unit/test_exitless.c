/*
 * test_exitless.c: the exitless path's real stub (vm/xlstub.S) and real server thread
 * (engine/exitless.c), natively at ring 3, with no KVM.
 *
 * Each "vCPU" here is a code page with the stub copied in and its data page right after,
 * as kdune maps them for the guest. xl_enter() jumps into the stub as `syscall` enters LSTAR.
 * The stub's exit path jumps to a page holding the LSTAR stub's `out`, which natively raises
 * #GP at CPL3: on_segv() counts that as "exit path taken" and does what kdune's exit path
 * does (run the call, return to rcx with rflags from r11).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "engine/exitless.h"
#include "engine/xlserver.h"
#include "engine/policy.h"
#include "engine/thread.h"
#include "vm/exitless.h"
#include "xl_enter.h"

/* Flags the caller has at the `syscall`: IF CF PF AF ZF SF DF OF. Not AC: signal handlers
 * run with the interrupted AC, and libc code in one faults on unaligned accesses. */
#define FLAGS 0xed7ULL
#define TF 0x100ULL
/* The flags ring 3 can set and sysret restores. */
#define FLAGS_CHECKED 0x40fd5ULL

static struct kd_proc proc;
static struct kd_vm vm;		/* its server polls for 1 s after each request */
static struct kd_vm vm_sleepy;	/* the test sets how long its server polls */
static struct kd_vcpu *main_v;	/* the main thread's vCPU in vm */
static uint64_t out_stub;	/* `out %al,$0x10`: the shared exit stub */
static __thread int slow_taken; /* times this thread reached the exit stub */
static __thread greg_t at_out[NGREG];

/* kdune's exit path, natively: the host runs the call and resumes at rcx with r11's flags. */
static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	if ((uint64_t)g[REG_RIP] != out_stub)
		abort(); /* a real crash, not the exit path */
	slow_taken++;
	memcpy(at_out, g, sizeof(at_out));
	g[REG_RAX] = kd_raw_syscall(g[REG_RAX], g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10],
				    g[REG_R8], g[REG_R9]);
	g[REG_RIP] = g[REG_RCX];
	g[REG_EFL] = g[REG_R11] & ~(greg_t)TF; /* sysret would trap right after with TF */
}

/*
 * The machine is shared: a server can lose its CPU for milliseconds, and a stub with the
 * default wait (~20-100 us) would then take the exit path. The tests give their stubs a long
 * wait (~0.5 s and more) so that "served" is deterministic; the timeout test sets its own.
 */
#define TEST_SPINS (1u << 25)

static struct kd_vcpu *new_vcpu_spins(struct kd_vm *m, int registered, uint32_t spins)
{
	struct kd_vcpu *v = calloc(1, sizeof(*v));
	uint8_t *p =
	    mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!v || p == MAP_FAILED)
		abort();
	kd_xl_code_init(p, out_stub, spins);
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	v->vm = m;
	v->proc = &proc;
	v->tid = gettid();
	v->xl.code_gva = (uint64_t)p;
	v->xl.data = (struct kd_xl_page *)(p + 4096);
	if (registered) {
		kd_vm_lock(m);
		m->vcpus[m->nvcpus] = v;
		__atomic_store_n(&m->nvcpus, m->nvcpus + 1, __ATOMIC_RELEASE);
		kd_vm_unlock(m);
	}
	return v;
}

static struct kd_vcpu *new_vcpu(struct kd_vm *m, int registered)
{
	return new_vcpu_spins(m, registered, TEST_SPINS);
}

static void server_init(struct kd_vm *m, uint64_t spin_ns)
{
	kd_lock_init(&m->lock);
	m->trace_fd = -1;
	m->xl = calloc(1, sizeof(*m->xl));
	m->xl->pid = getpid();
	m->xl->spin_ns = spin_ns;
	if (kd_xl_server_start(m, &proc))
		abort();
}

/* cmocka puts its own SIGSEGV handler in place around every test: ours goes back each call. */
static void catch_exit_path(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigaction(SIGSEGV, &sa, NULL);
}

static int setup(void **state)
{
	static const uint8_t out[] = {0xe6, 0x10, 0xf4}; /* out %al,$0x10; hlt */
	uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(p, out, sizeof(out));
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	out_stub = (uint64_t)p;
	server_init(&vm, 1000000000ULL);
	server_init(&vm_sleepy, 1000000000ULL);
	main_v = new_vcpu(&vm, 1);
	return 0;
}

/* Wait (up to 3 s) until the page's awake flag is want. */
static int wait_awake(struct kd_vcpu *v, uint32_t want)
{
	struct timespec ts = {0, 100000};
	for (int i = 0; i < 30000; i++) {
		if (__atomic_load_n(&v->xl.data->awake, __ATOMIC_ACQUIRE) == want)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void ensure_awake(struct kd_vcpu *v)
{
	kd_xl_server_wake(v->vm);
	assert_true(wait_awake(v, 1));
}

/* What native `syscall` leaves: rax the result, rcx the return rip, r11 the flags, the rest. */
static int regs_preserved(const struct xl_regs *in, const struct xl_regs *out)
{
	return out->rbx == in->rbx && out->rdx == in->rdx && out->rsi == in->rsi &&
	       out->rdi == in->rdi && out->rbp == in->rbp && out->r8 == in->r8 &&
	       out->r9 == in->r9 && out->r10 == in->r10 && out->r12 == in->r12 &&
	       out->r13 == in->r13 && out->r14 == in->r14 && out->r15 == in->r15 &&
	       out->rcx == (uint64_t)xl_enter_ret && out->r11 == in->r11 &&
	       (out->rflags & FLAGS_CHECKED) == (in->r11 & ~TF & FLAGS_CHECKED) &&
	       out->redzone_bad == 0;
}

/* One call through v's stub with rflags (and r11) = flags; *ok: registers as natively. */
static int64_t stub_call_flags(struct kd_vcpu *v, uint64_t flags, long nr, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3, int *ok)
{
	struct xl_regs in = {.rax = (uint64_t)nr,
			     .rbx = 0x1111111111111111,
			     .rdx = a2,
			     .rsi = a1,
			     .rdi = a0,
			     .rbp = 0x6666666666666666,
			     .r8 = 0x8888888888,
			     .r9 = 0x9999999999,
			     .r10 = a3,
			     .r11 = flags,
			     .r12 = 0xc0c0c0c0c0c0c0c0,
			     .r13 = 0xd0d0d0d0d0d0d0d0,
			     .r14 = 0xe0e0e0e0e0e0e0e0,
			     .r15 = 0xf0f0f0f0f0f0f0f0,
			     .rflags = flags & ~TF},
		       out;
	catch_exit_path();
	xl_enter(&in, &out, v->xl.code_gva);
	*ok = regs_preserved(&in, &out);
	return (int64_t)out.rax;
}

/* The same from the test's main thread, with the registers checked by cmocka. */
static int64_t sc(struct kd_vcpu *v, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int ok;
	int64_t r = stub_call_flags(v, FLAGS, nr, a0, a1, a2, a3, &ok);
	assert_true(ok);
	return r;
}

#define SERVED(v, expr)                                                                            \
	do {                                                                                       \
		ensure_awake(v);                                                                   \
		uint64_t served_ = (v)->xl.served;                                                 \
		int slow_ = slow_taken;                                                            \
		expr;                                                                              \
		assert_int_equal(slow_taken, slow_);                                               \
		assert_int_equal((v)->xl.served, served_ + 1);                                     \
	} while (0)

static void test_exitless_getppid_served(void **state)
{
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_getppid, 0, 0, 0, 0));
	assert_int_equal(r, getppid());
	SERVED(main_v, r = sc(main_v, SYS_getpid, 0, 0, 0, 0));
	assert_int_equal(r, getpid());
}

static void test_exitless_gettid_is_callers(void **state)
{
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_gettid, 0, 0, 0, 0));
	assert_int_equal(r, gettid());
	assert_int_not_equal(r, vm.xl->tid);
}

static int temp_file(void)
{
	char path[] = "/tmp/kdune-xl-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void test_exitless_fstat_regular_file(void **state)
{
	int fd = temp_file();
	assert_int_equal(write(fd, "0123456789", 10), 10);
	struct stat want, got;
	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(fstat(fd, &want), 0);
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_fstat, (uint64_t)fd, (uint64_t)&got, 0, 0));
	assert_int_equal(r, 0);
	assert_memory_equal(&got, &want, sizeof(want));
	/* newfstatat(fd, "", AT_EMPTY_PATH) is an fstat; with a path it is a lookup: exit. */
	memset(&got, 0xa5, sizeof(got));
	SERVED(main_v, r = sc(main_v, SYS_newfstatat, (uint64_t)fd, (uint64_t) "", (uint64_t)&got,
			      AT_EMPTY_PATH));
	assert_int_equal(r, 0);
	assert_memory_equal(&got, &want, sizeof(want));
	int slow = slow_taken;
	r = sc(main_v, SYS_newfstatat, (uint64_t)AT_FDCWD, (uint64_t) "/", (uint64_t)&got, 0);
	assert_int_equal(r, 0);
	assert_int_equal(slow_taken, slow + 1);
	close(fd);
}

static void test_exitless_read_write_regular_file(void **state)
{
	int fd = temp_file();
	const char msg[] = "hello from the exitless path";
	char buf[64] = {0};
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_write, (uint64_t)fd, (uint64_t)msg, sizeof(msg), 0));
	assert_int_equal(r, sizeof(msg));
	SERVED(main_v, r = sc(main_v, SYS_lseek, (uint64_t)fd, 6, SEEK_SET, 0));
	assert_int_equal(r, 6);
	SERVED(main_v, r = sc(main_v, SYS_read, (uint64_t)fd, (uint64_t)buf, sizeof(buf), 0));
	assert_int_equal(r, sizeof(msg) - 6);
	assert_string_equal(buf, msg + 6);
	/* read moved the file position, as natively; pread/pwrite do not. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), sizeof(msg));
	SERVED(main_v, r = sc(main_v, SYS_pwrite64, (uint64_t)fd, (uint64_t) "HELLO", 5, 0));
	assert_int_equal(r, 5);
	memset(buf, 0, sizeof(buf));
	SERVED(main_v, r = sc(main_v, SYS_pread64, (uint64_t)fd, (uint64_t)buf, 8, 0));
	assert_int_equal(r, 8);
	assert_string_equal(buf, "HELLO fr");
	assert_int_equal(lseek(fd, 0, SEEK_CUR), sizeof(msg));
	/* Errors come back as natively: a descriptor not open for reading on this file. */
	close(fd);
}

static void test_exitless_registers_and_flags_preserved(void **state)
{
	static const uint64_t flag_sets[] = {FLAGS, 0x202, 0x202 | 0x1 | 0x800};
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		int ok;
		ensure_awake(main_v);
		int64_t r = stub_call_flags(main_v, flag_sets[i], SYS_getppid, 1, 2, 3, 4, &ok);
		assert_true(ok);
		assert_int_equal(r, getppid());
		/* The exit path too: a call the server does not serve. */
		int slow = slow_taken;
		r = stub_call_flags(main_v, flag_sets[i], SYS_getpriority, PRIO_PROCESS, 0, 0, 0,
				    &ok);
		assert_true(ok);
		assert_int_equal(slow_taken, slow + 1);
		assert_int_equal(r, 20 - getpriority(PRIO_PROCESS, 0));
	}
}

static void test_exitless_red_zone_untouched(void **state)
{
	struct xl_regs in = {.rax = SYS_getppid, .r11 = FLAGS, .rflags = FLAGS}, out;
	ensure_awake(main_v);
	catch_exit_path();
	xl_enter(&in, &out, main_v->xl.code_gva);
	assert_int_equal(out.redzone_bad, 0);
	assert_int_equal(out.rax, getppid());
	in.rax = SYS_getpriority; /* exit path */
	int slow = slow_taken;
	xl_enter(&in, &out, main_v->xl.code_gva);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(out.redzone_bad, 0);
}

/* The exit stub was reached with exactly the syscall-entry registers. */
static void assert_entry_state_at_out(long nr, uint64_t flags)
{
	assert_int_equal(at_out[REG_RAX], nr);
	assert_int_equal(at_out[REG_RCX], (greg_t)xl_enter_ret);
	assert_int_equal(at_out[REG_R11], (greg_t)flags);
	assert_int_equal(at_out[REG_RBX], 0x1111111111111111);
	assert_int_equal(at_out[REG_R15], (greg_t)0xf0f0f0f0f0f0f0f0);
}

static void test_exitless_slow_when_server_sleeps(void **state)
{
	struct kd_vcpu *v = new_vcpu(&vm_sleepy, 1);
	int64_t r;
	SERVED(v, r = sc(v, SYS_getppid, 0, 0, 0, 0));
	assert_int_equal(r, getppid());
	/* 1 ms after its last request the server clears awake and sleeps on its futex. */
	__atomic_store_n(&vm_sleepy.xl->spin_ns, 1000000, __ATOMIC_RELAXED);
	assert_true(wait_awake(v, 0));
	assert_true(__atomic_load_n(&vm_sleepy.xl->sleeping, __ATOMIC_ACQUIRE));
	int slow = slow_taken;
	r = sc(v, SYS_getppid, 0, 0, 0, 0);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(r, getppid());
	assert_entry_state_at_out(SYS_getppid, FLAGS);
	assert_int_equal(v->xl.data->state & XL_REQ, 0); /* never published */
	/* An exit wakes it: served again. */
	__atomic_store_n(&vm_sleepy.xl->spin_ns, 1000000000, __ATOMIC_RELAXED);
	SERVED(v, r = sc(v, SYS_gettid, 0, 0, 0, 0));
	assert_int_equal(r, gettid());
}

static void test_exitless_slow_when_server_absent(void **state)
{
	struct kd_vcpu *v = new_vcpu_spins(&vm, 0, 0); /* no server polls its page */
	int slow = slow_taken;
	int64_t r = sc(v, SYS_getppid, 0, 0, 0, 0);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(r, getppid());
	assert_int_equal(v->xl.data->state, XL_IDLE); /* awake 0: did not even publish */
	/* A page that says awake with nobody behind it: the stub gives up and cancels. */
	v->xl.data->awake = 1;
	r = sc(v, SYS_getppid, 0, 0, 0, 0);
	assert_int_equal(slow_taken, slow + 2);
	assert_int_equal(r, getppid());
	assert_int_equal(v->xl.data->state, XL_REQ | XL_CANCEL);
	assert_entry_state_at_out(SYS_getppid, FLAGS);
	munmap((void *)v->xl.code_gva, 2 * 4096);
	free(v);
}

/* Under --seccomp, a call the profile does not simply allow goes to the exit path. */
static void test_exitless_policy_refusal_exits(void **state)
{
	struct kd_policy *pol = calloc(1, kd_policy_size(1));
	pol->magic = KD_POLICY_MAGIC;
	pol->version = KD_POLICY_VERSION;
	pol->default_action = KD_RET_ALLOW;
	pol->nrules = 1;
	pol->rules[0] = (struct kd_policy_rule){.nr = SYS_getppid, .action = KD_RET_ERRNO | 1};
	kd_policy = pol;
	ensure_awake(main_v);
	uint64_t declined = main_v->xl.declined;
	int slow = slow_taken;
	sc(main_v, SYS_getppid, 0, 0, 0, 0);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(main_v->xl.declined, declined + 1);
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_getpid, 0, 0, 0, 0)); /* allowed: still served */
	assert_int_equal(r, getpid());
	kd_policy = NULL;
	free(pol);
}

static void test_exitless_slow_when_not_served(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	ensure_awake(main_v);
	uint64_t declined = main_v->xl.declined;
	int slow = slow_taken;
	/* A pipe can block: not a regular file, so the exit path writes it. */
	int64_t r = sc(main_v, SYS_write, (uint64_t)p[1], (uint64_t) "xy", 2, 0);
	assert_int_equal(r, 2);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(main_v->xl.declined, declined + 1);
	assert_entry_state_at_out(SYS_write, FLAGS);
	char buf[2];
	assert_int_equal(read(p[0], buf, 2), 2);
	close(p[0]);
	close(p[1]);
	/* A call outside the served list. */
	r = sc(main_v, SYS_getpriority, PRIO_PROCESS, 0, 0, 0);
	assert_int_equal(r, 20 - getpriority(PRIO_PROCESS, 0));
	assert_int_equal(slow_taken, slow + 2);
	assert_int_equal(main_v->xl.declined, declined + 2);
}

/* A CLONE_VM child shares the VM but is another process: its getpid is not the server's. */
static void test_exitless_slow_for_another_process(void **state)
{
	static struct kd_proc child_proc;
	struct kd_vcpu *v = new_vcpu(&vm, 1);
	v->proc = &child_proc;
	ensure_awake(main_v);
	/* The polling server tells its page there is no server, even over a forged flag. */
	v->xl.data->awake = 1;
	assert_true(wait_awake(v, 0));
	uint64_t declined = v->xl.declined;
	int slow = slow_taken;
	int64_t r = sc(v, SYS_getpid, 0, 0, 0, 0);
	assert_int_equal(r, getpid());
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(v->xl.data->state, XL_IDLE); /* it did not publish */
	assert_int_equal(v->xl.declined, declined);
	/* Even a request it publishes anyway (its page is its own to write) is declined. */
	v->xl.data->nr = SYS_getpid;
	__atomic_store_n(&v->xl.data->state, XL_REQ, __ATOMIC_RELEASE);
	struct timespec ts = {0, 100000};
	for (int i = 0;
	     i < 30000 && __atomic_load_n(&v->xl.data->state, __ATOMIC_ACQUIRE) == XL_REQ; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(v->xl.data->state, XL_DONE | XL_DECLINE);
	assert_int_equal(v->xl.declined, declined + 1);
}

static void test_exitless_slow_when_tf_set(void **state)
{
	ensure_awake(main_v);
	main_v->xl.data->state = XL_IDLE;
	int slow = slow_taken, ok;
	int64_t r = stub_call_flags(main_v, FLAGS | TF, SYS_getppid, 0, 0, 0, 0, &ok);
	assert_true(ok);
	assert_int_equal(r, getppid());
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(at_out[REG_R11], (greg_t)(FLAGS | TF));
	assert_int_equal(main_v->xl.data->state, XL_IDLE); /* never published */
}

static void test_exitless_creds_changed_exits(void **state)
{
	int64_t r;
	SERVED(main_v, r = sc(main_v, SYS_geteuid, 0, 0, 0, 0));
	assert_int_equal(r, geteuid());
	/* The dispatcher's hook sees a setuid go by on the exit path. */
	const uint64_t a[6] = {(uint64_t)getuid()};
	kd_exitless_on_exit(main_v, SYS_setuid, a);
	ensure_awake(main_v);
	int slow = slow_taken;
	r = sc(main_v, SYS_geteuid, 0, 0, 0, 0);
	assert_int_equal(r, geteuid());
	assert_int_equal(slow_taken, slow + 1);
	vm.xl->creds_changed = 0;
}

/* ---- settling, with made-up states ---- */

#define CODE 0x7000000ULL
static struct kd_xl_page settle_page;

static struct kd_xl_cpu settle_cpu(uint32_t state)
{
	memset(&settle_page, 0, sizeof(settle_page));
	settle_page.state = state;
	settle_page.rsp = 0x7ffc0000;
	return (struct kd_xl_cpu){.data = &settle_page, .code_gva = CODE, .result = 4242};
}

static struct kvm_regs regs_at(const uint8_t *label, uint64_t extra)
{
	return (struct kvm_regs){.rip = CODE + kd_xl_off(label) + extra,
				 .rax = 39,
				 .rcx = 0x401002,
				 .r11 = 0x246,
				 .rsp = 0x7ffd0000,
				 .rdi = 7};
}

static void assert_restart(struct kd_xl_cpu *c, struct kvm_regs r)
{
	assert_int_equal(kd_xl_settle_regs(c, &r), KD_XL_RESTART);
	assert_int_equal(r.rip, 0x401000); /* the `syscall` again */
	assert_int_equal(r.rax, 39);
	assert_int_equal(r.rflags, 0x246);
	assert_int_equal(r.rsp, 0x7ffd0000);
	assert_int_equal(r.rdi, 7);
}

static void assert_completed(struct kd_xl_cpu *c, struct kvm_regs r, uint64_t rsp)
{
	assert_int_equal(kd_xl_settle_regs(c, &r), KD_XL_COMPLETED);
	assert_int_equal(r.rip, 0x401002);
	assert_int_equal(r.rax, 4242);
	assert_int_equal(r.rflags, 0x246);
	assert_int_equal(r.rsp, rsp);
}

static void test_exitless_settle_before_publish_restarts(void **state)
{
	struct kd_xl_cpu c = settle_cpu(XL_DONE); /* a stale DONE from the last call */
	assert_restart(&c, regs_at(kd_xl_stub, 0));
	assert_restart(&c, regs_at(kd_xl_published, (uint64_t)-1)); /* inside the publish store */
}

static void test_exitless_settle_unclaimed_request_cancelled(void **state)
{
	struct kd_xl_cpu c = settle_cpu(XL_REQ);
	assert_restart(&c, regs_at(kd_xl_published, 0));
	assert_int_equal(settle_page.state, XL_IDLE); /* the server can no longer claim it */
	c = settle_cpu(XL_REQ | XL_CANCEL);	      /* the stub cancelled it itself */
	assert_restart(&c, regs_at(kd_xl_published, 4));
	c = settle_cpu(XL_DONE | XL_DECLINE);
	assert_restart(&c, regs_at(kd_xl_done, (uint64_t)-1));
}

static void test_exitless_settle_served_completes(void **state)
{
	struct kd_xl_cpu c = settle_cpu(XL_DONE);
	assert_completed(&c, regs_at(kd_xl_published, 0), 0x7ffd0000);
	/* In the return sequence, rsp may be the stub's own: the caller's comes from the page. */
	assert_completed(&c, regs_at(kd_xl_done, 0), 0x7ffc0000);
	assert_completed(&c, regs_at(kd_xl_slow, (uint64_t)-1), 0x7ffc0000);
}

static void test_exitless_settle_exit_path_restarts(void **state)
{
	struct kd_xl_cpu c = settle_cpu(XL_REQ | XL_CANCEL);
	assert_restart(&c, regs_at(kd_xl_slow, 0));
	struct kvm_regs r = regs_at(kd_xl_stub, 4096), before = r; /* another page */
	assert_int_equal(kd_xl_settle_regs(&c, &r), KD_XL_NOT_IN_STUB);
	assert_memory_equal(&r, &before, sizeof(r));
}

static struct kd_xl_cpu *finishing;
static void *finish_later(void *arg)
{
	struct timespec ts = {0, 20000000};
	nanosleep(&ts, NULL);
	finishing->result = 77;
	__atomic_store_n(&settle_page.state, XL_DONE, __ATOMIC_RELEASE);
	__atomic_store_n(&finishing->busy, 0, __ATOMIC_RELEASE);
	return NULL;
}

static void test_exitless_settle_waits_for_claimed_call(void **state)
{
	struct kd_xl_cpu c = settle_cpu(XL_BUSY);
	c.busy = 1;
	finishing = &c;
	pthread_t t;
	pthread_create(&t, NULL, finish_later, NULL);
	struct kvm_regs r = regs_at(kd_xl_published, 0);
	assert_int_equal(kd_xl_settle_regs(&c, &r), KD_XL_COMPLETED);
	assert_int_equal(r.rax, 77);
	pthread_join(t, NULL);
}

static void test_exitless_mode_choice(void **state)
{
	struct kd_vm m = {.trace_fd = -1, .backend = KD_BACKEND_PVM};
	assert_int_equal(kd_xl_parse_mode("auto"), KD_XL_AUTO);
	assert_int_equal(kd_xl_parse_mode("on"), KD_XL_ON);
	assert_int_equal(kd_xl_parse_mode("off"), KD_XL_OFF);
	assert_int_equal(kd_xl_parse_mode("yes"), -1);
	assert_int_equal(kd_xl_parse_mode(NULL), KD_XL_AUTO); /* unset */
	assert_int_equal(kd_xl_parse_mode(""), KD_XL_AUTO);
	m.xl_mode = KD_XL_AUTO; /* off until verified on a KVM machine */
	assert_false(kd_exitless_wanted(&m, NULL));
	m.xl_mode = KD_XL_ON;
	assert_true(kd_exitless_wanted(&m, NULL));
	m.backend = KD_BACKEND_HW; /* the stub would run at CPL0 */
	assert_false(kd_exitless_wanted(&m, NULL));
	m.backend = KD_BACKEND_PVM;
	m.trace_fd = 2;
	assert_false(kd_exitless_wanted(&m, NULL));
	m.trace_fd = -1;
	m.entered = 1;
	assert_false(kd_exitless_wanted(&m, NULL));
}

/* A page cache miss is the exit path's: the read is never served from disk. */
static void test_exitless_read_not_cached_exits(void **state)
{
	char path[] = "/var/tmp/kdune-xl-XXXXXX", buf[4096];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	memset(buf, 'q', sizeof(buf));
	for (int i = 0; i < 64; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	void *map = mmap(NULL, 64 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	unsigned char resident[64];
	assert_int_equal(mincore(map, 64 * 4096, resident), 0);
	munmap(map, 64 * 4096);
	if (resident[32] & 1)
		skip(); /* the kernel kept the page anyway: nothing to learn here */
	ensure_awake(main_v);
	uint64_t declined = main_v->xl.declined;
	int slow = slow_taken;
	int64_t r = sc(main_v, SYS_pread64, (uint64_t)fd, (uint64_t)buf, sizeof(buf), 32 * 4096);
	assert_int_equal(r, sizeof(buf));
	assert_int_equal(buf[0], 'q');
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(main_v->xl.declined, declined + 1);
	close(fd);
}

/* Past RLIMIT_FSIZE the kernel signals the writing thread: such writes exit. */
static void test_exitless_write_exits_with_fsize_limit(void **state)
{
	int fd = temp_file();
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = (struct rlimit){1 << 20, old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ensure_awake(main_v);
	int slow = slow_taken;
	int64_t r = sc(main_v, SYS_write, (uint64_t)fd, (uint64_t) "abc", 3, 0);
	assert_int_equal(r, 3);
	assert_int_equal(slow_taken, slow + 1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	/* A thread's setrlimit seen on the exit path turns served writes off for good. */
	const uint64_t a[6] = {RLIMIT_FSIZE};
	kd_exitless_on_exit(main_v, SYS_setrlimit, a);
	ensure_awake(main_v);
	r = sc(main_v, SYS_write, (uint64_t)fd, (uint64_t) "def", 3, 0);
	assert_int_equal(r, 3);
	assert_int_equal(slow_taken, slow + 2);
	vm.xl->limits_changed = 0;
	close(fd);
}

static void test_exitless_settle_forged_state_restarts(void **state)
{
	/* The guest wrote BUSY or DONE itself: busy is the host's word, so no wait, no result. */
	struct kd_xl_cpu c = settle_cpu(XL_BUSY);
	assert_restart(&c, regs_at(kd_xl_published, 0));
	c = settle_cpu(XL_REQ | XL_BUSY);
	assert_restart(&c, regs_at(kd_xl_published, 0));
}

/* ---- eight threads, a page each ---- */

struct worker {
	struct kd_vcpu *v;
	int bad, calls;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->v = new_vcpu(&vm, 1);
	long tid = gettid(), ppid = getppid();
	for (int i = 0; i < 3000; i++) {
		int ok;
		long nr = i % 2 ? SYS_gettid : SYS_getppid;
		int64_t r = stub_call_flags(w->v, FLAGS, nr, 0, 0, 0, 0, &ok);
		w->bad += !ok || r != (nr == SYS_gettid ? tid : ppid);
		w->calls++;
	}
	return NULL;
}

static void test_exitless_eight_threads(void **state)
{
	struct worker w[8] = {0};
	pthread_t t[8];
	ensure_awake(main_v);
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	uint64_t served = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].calls, 3000);
		served += w[i].v->xl.served;
	}
	/* With 2 CPUs and 9 threads, some time out to the exit path; most are served. */
	assert_true(served > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exitless_getppid_served),
	    cmocka_unit_test(test_exitless_gettid_is_callers),
	    cmocka_unit_test(test_exitless_fstat_regular_file),
	    cmocka_unit_test(test_exitless_read_write_regular_file),
	    cmocka_unit_test(test_exitless_registers_and_flags_preserved),
	    cmocka_unit_test(test_exitless_red_zone_untouched),
	    cmocka_unit_test(test_exitless_slow_when_server_sleeps),
	    cmocka_unit_test(test_exitless_slow_when_server_absent),
	    cmocka_unit_test(test_exitless_slow_when_not_served),
	    cmocka_unit_test(test_exitless_policy_refusal_exits),
	    cmocka_unit_test(test_exitless_slow_for_another_process),
	    cmocka_unit_test(test_exitless_slow_when_tf_set),
	    cmocka_unit_test(test_exitless_creds_changed_exits),
	    cmocka_unit_test(test_exitless_settle_before_publish_restarts),
	    cmocka_unit_test(test_exitless_settle_unclaimed_request_cancelled),
	    cmocka_unit_test(test_exitless_settle_served_completes),
	    cmocka_unit_test(test_exitless_settle_exit_path_restarts),
	    cmocka_unit_test(test_exitless_settle_waits_for_claimed_call),
	    cmocka_unit_test(test_exitless_mode_choice),
	    cmocka_unit_test(test_exitless_read_not_cached_exits),
	    cmocka_unit_test(test_exitless_write_exits_with_fsize_limit),
	    cmocka_unit_test(test_exitless_settle_forged_state_restarts),
	    cmocka_unit_test(test_exitless_eight_threads),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
