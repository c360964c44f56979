// floor.c: the platform floor for a forwarded syscall.
//
// A bare KVM program, independent of kdune, that measures the cheapest possible
// "guest syscall executed by the host" round trip on this machine. kdune can never be
// faster than this, so kdune's getppid cost divided by this number is its overhead.
//
// The guest runs at ring 3 in 64-bit long mode and loops on `getppid` via `syscall`.
// LSTAR points at a stub that does `out` to the one port the TSS I/O bitmap allows.
// On kvm_pvm `syscall` stays at CPL3 (so the stub's page is user-accessible and the
// bitmap must allow the port); on bare-metal KVM the stub runs at CPL0, where `out`
// always works, and the host puts the guest back into ring 3 itself.
//
// Usage: floor N [REPS]   N round trips per repetition (after a warm-up), REPS
// repetitions (default 7); prints the median, min and max ns per round trip.
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

// Guest physical layout; VA == PA through one 2 MiB identity page.
#define SLOT_SIZE 0x200000ULL
#define PML4_GPA 0x1000ULL
#define PDPT_GPA 0x2000ULL
#define PD_GPA 0x3000ULL
#define GDT_GPA 0x4000ULL
#define IDT_GPA 0x5000ULL
#define TSS_GPA 0x6000ULL // 0x68 bytes of TSS, then the 8 KiB I/O bitmap + 1 byte
#define CODE_GPA 0x10000ULL
#define USER_STACK 0x1f0000ULL
#define KERNEL_STACK 0x1ff000ULL

// Linux's GDT layout.
#define SEL_KCS 0x10
#define SEL_KDS 0x18
#define SEL_UCS32 0x23
#define SEL_UDS 0x2b
#define SEL_UCS 0x33
#define SEL_TSS 0x40
#define GDT_ENTRIES 10 // TSS descriptor takes entries 8 and 9

#define TSS_SIZE 0x68
#define IOMAP_BYTES (65536 / 8 + 1) // +1: the CPU reads a trailing all-ones byte
#define TSS_LIMIT (TSS_SIZE + IOMAP_BYTES - 1)

#define SYSCALL_PORT 0x90 // the only port ring 3 may use
#define FAULT_PORT 0x91	  // used by the ring-0 exception stubs
#define NR_VECTORS 32

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define CR0_PE_MP_ET_NE_WP_PG 0x80050033ULL
#define CR4_PAE (1ULL << 5)

#define STR_(x) #x
#define STR(x) STR_(x)

// Guest code, copied to CODE_GPA; position independent (rip-relative only).
// ring0_start is the only ring-0 code on the hot path's way in, and it runs once:
// kvm_pvm emulates CPL0 instructions one by one.
asm(".pushsection .rodata.floor_guest, \"a\"\n"
    ".balign 16\n"
    "floor_guest_begin:\n"
    "floor_ring0_start:\n"
    "	pushq $" STR(
	SEL_UDS) "\n"
		 "	pushq $" STR(
		     USER_STACK) "\n"
				 "	pushq $0x202\n"
				 "	pushq $" STR(
				     SEL_UCS) "\n"
					      "	lea floor_ring3_loop(%rip), %rax\n"
					      "	push %rax\n"
					      "	iretq\n"
					      "floor_ring3_loop:\n"
					      "	mov $" STR(
						  SYS_getppid) ", %eax\n"
							       "	syscall\n"
							       "	jmp floor_ring3_loop\n"
							       "floor_lstar_stub:\n"
							       "	out %al, $" STR(
								   SYSCALL_PORT) "\n"
										 "	ud2\n" // the
											       // host
											       // resumes
											       // at
											       // rcx;
											       // reaching
											       // this
											       // is
											       // a
											       // bug
										 "	.balign "
										 "16\n"
										 "floor_exception_"
										 "stubs:\n" // one
											    // 16-byte
											    // stub
											    // per
											    // vector:
											    // report
											    // it
											    // and
											    // stop
										 "	.set "
										 "floor_vec, 0\n"
										 "	.rept " STR(
										     NR_VECTORS) "\n"
												 "	.balign 16\n"
												 "	mov $floor_vec, %edi\n"
												 "	out %al, $" STR(
												     FAULT_PORT) "\n"
														 "	hlt\n"
														 "	.set floor_vec, floor_vec + 1\n"
														 "	.endr\n"
														 "floor_guest_end:\n"
														 ".popsection\n");

extern const uint8_t floor_guest_begin[], floor_guest_end[], floor_ring0_start[],
    floor_lstar_stub[], floor_exception_stubs[];

struct floor {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
	bool sync_regs;	 // KVM_CAP_SYNC_REGS: registers travel in kvm_run, no ioctls
	bool lstar_cpl0; // bare-metal semantics: syscall switched to ring 0
	bool checked_cpl;
};

static volatile sig_atomic_t progress, stuck;
static struct kvm_run *watched_run;

static void fail(const char *msg)
{
	fprintf(stderr, "floor: %s\n", msg);
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t guest_addr(const uint8_t *sym)
{
	return CODE_GPA + (uint64_t)(sym - floor_guest_begin);
}

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

// A watchdog instead of trusting KVM_RUN to return: if no exit happened during a
// whole period, the signal interrupts KVM_RUN (EINTR) and immediate_exit makes sure a
// KVM_RUN entered just after the signal returns at once too.
static void on_alarm(int sig)
{
	(void)sig;
	if (!progress) {
		stuck = 1;
		if (watched_run)
			watched_run->immediate_exit = 1;
	}
	progress = 0;
}

static void start_watchdog(struct kvm_run *run)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {.it_interval = {2, 0}, .it_value = {2, 0}};
	watched_run = run;
	progress = 1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		die("watchdog");
}

static void open_kvm(struct floor *f)
{
	f->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (f->kvm < 0) {
		fprintf(stderr, "floor: cannot open /dev/kvm: %s (KVM is not usable here)\n",
			strerror(errno));
		exit(1);
	}
	if (ioctl(f->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		fail("/dev/kvm does not answer KVM_GET_API_VERSION with 12 (KVM is not usable "
		     "here)");
	// KVM_CREATE_VM can fail with EINTR while the kernel sets up the VM's mm hooks.
	do
		f->vm = ioctl(f->kvm, KVM_CREATE_VM, 0);
	while (f->vm < 0 && errno == EINTR);
	if (f->vm < 0)
		die("KVM_CREATE_VM");
}

static void add_memory(struct floor *f)
{
	struct kvm_userspace_memory_region slot = {
	    .slot = 0, .guest_phys_addr = 0, .memory_size = SLOT_SIZE};
	f->mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->mem == MAP_FAILED)
		die("mmap guest memory");
	slot.userspace_addr = (uint64_t)f->mem;
	if (ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
}

// Give the vCPU what KVM supports, so long mode and SYSCALL are advertised.
static void set_cpuid(struct floor *f)
{
	size_t n = 512;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		fail("out of memory");
	c->nent = n;
	if (ioctl(f->kvm, KVM_GET_SUPPORTED_CPUID, c))
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(f->vcpu, KVM_SET_CPUID2, c))
		die("KVM_SET_CPUID2");
	free(c);
}

static void create_vcpu(struct floor *f)
{
	int size;
	f->vcpu = ioctl(f->vm, KVM_CREATE_VCPU, 0);
	if (f->vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(f->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	f->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->vcpu, 0);
	if (f->run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(f);
}

// One identity 2 MiB page, user-accessible: the LSTAR stub must be executable at CPL3.
static void build_page_tables(uint8_t *mem)
{
	const uint64_t present_rw_user = 7, large = 1ULL << 7;
	*(uint64_t *)(mem + PML4_GPA) = PDPT_GPA | present_rw_user;
	*(uint64_t *)(mem + PDPT_GPA) = PD_GPA | present_rw_user;
	*(uint64_t *)(mem + PD_GPA) = 0 | present_rw_user | large;
}

// Flat segment descriptor; flags is the G/DB/L nibble.
static uint64_t segment(uint64_t access, uint64_t flags)
{
	return 0xffffULL | access << 40 | 0xfULL << 48 | flags << 52;
}

static void build_gdt(uint8_t *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
	const uint64_t g_l = 0xa, g_db = 0xc;
	gdt[SEL_KCS >> 3] = segment(0x9b, g_l);
	gdt[SEL_KDS >> 3] = segment(0x93, g_db);
	gdt[SEL_UCS32 >> 3] = segment(0xfb, g_db);
	gdt[SEL_UDS >> 3] = segment(0xf3, g_db);
	gdt[SEL_UCS >> 3] = segment(0xfb, g_l);
	gdt[SEL_TSS >> 3] = (TSS_LIMIT & 0xffff) | (TSS_GPA & 0xffffff) << 16 | 0x89ULL << 40 |
			    (uint64_t)(TSS_LIMIT >> 16) << 48 | (TSS_GPA >> 24 & 0xff) << 56;
	gdt[(SEL_TSS >> 3) + 1] = TSS_GPA >> 32;
}

// Deny every port to ring 3 except SYSCALL_PORT: the guest is untrusted input.
static void build_tss(uint8_t *mem)
{
	uint8_t *tss = mem + TSS_GPA, *iomap = tss + TSS_SIZE;
	uint64_t rsp0 = KERNEL_STACK;
	uint16_t iomap_base = TSS_SIZE;
	memcpy(tss + 4, &rsp0, sizeof(rsp0));
	memcpy(tss + 0x66, &iomap_base, sizeof(iomap_base));
	memset(iomap, 0xff, IOMAP_BYTES);
	iomap[SYSCALL_PORT / 8] &= ~(1 << (SYSCALL_PORT % 8));
}

// Every exception goes to a ring-0 stub that reports the vector to the host.
static void build_idt(uint8_t *mem)
{
	uint64_t *idt = (uint64_t *)(mem + IDT_GPA);
	uint64_t stubs = guest_addr(floor_exception_stubs);
	for (int vec = 0; vec < NR_VECTORS; vec++) {
		uint64_t h = stubs + 16 * (uint64_t)vec;
		idt[2 * vec] = (h & 0xffff) | (uint64_t)SEL_KCS << 16 | 0x8eULL << 40 |
			       (h >> 16 & 0xffff) << 48;
		idt[2 * vec + 1] = h >> 32;
	}
}

static void build_guest_memory(struct floor *f)
{
	size_t code_size = (size_t)(floor_guest_end - floor_guest_begin);
	build_page_tables(f->mem);
	build_gdt(f->mem);
	build_tss(f->mem);
	build_idt(f->mem);
	memcpy(f->mem + CODE_GPA, floor_guest_begin, code_size);
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	struct kvm_segment s = {.limit = 0xffffffff,
				.selector = sel,
				.type = type,
				.present = 1,
				.dpl = sel & 3,
				.s = 1,
				.g = 1};
	s.l = code64;
	s.db = !code64;
	return s;
}

static void set_long_mode(struct floor *f)
{
	struct kvm_sregs s;
	struct kvm_segment tr = {
	    .base = TSS_GPA, .limit = TSS_LIMIT, .selector = SEL_TSS, .type = 11, .present = 1};
	if (ioctl(f->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs = flat_segment(SEL_KCS, 11, true);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(SEL_KDS, 3, false);
	s.tr = tr;
	s.gdt.base = GDT_GPA;
	s.gdt.limit = GDT_ENTRIES * 8 - 1;
	s.idt.base = IDT_GPA;
	s.idt.limit = NR_VECTORS * 16 - 1;
	s.cr0 = CR0_PE_MP_ET_NE_WP_PG;
	s.cr3 = PML4_GPA;
	s.cr4 = CR4_PAE;
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	if (ioctl(f->vcpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
}

static void set_syscall_msrs(struct floor *f)
{
	struct kvm_msrs *m = calloc(1, sizeof(*m) + 3 * sizeof(m->entries[0]));
	if (!m)
		fail("out of memory");
	m->nmsrs = 3;
	m->entries[0].index = MSR_STAR;
	m->entries[0].data = (uint64_t)SEL_UCS32 << 48 | (uint64_t)SEL_KCS << 32;
	m->entries[1].index = MSR_LSTAR;
	m->entries[1].data = guest_addr(floor_lstar_stub);
	// Like Linux: clear TF, DF, IF, IOPL, NT, AC on entry.
	m->entries[2].index = MSR_FMASK;
	m->entries[2].data = 0x47700;
	if (ioctl(f->vcpu, KVM_SET_MSRS, m) != 3)
		fail("KVM_SET_MSRS refused STAR/LSTAR/FMASK");
	free(m);
}

static void set_start_regs(struct floor *f)
{
	struct kvm_regs r = {
	    .rip = guest_addr(floor_ring0_start), .rsp = KERNEL_STACK, .rflags = 2};
	if (ioctl(f->vcpu, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

static void enable_sync_regs(struct floor *f)
{
	int caps = ioctl(f->vm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	f->sync_regs = caps > 0 && (caps & KVM_SYNC_X86_REGS);
	if (f->sync_regs)
		f->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
}

static void setup(struct floor *f)
{
	open_kvm(f);
	add_memory(f);
	create_vcpu(f);
	build_guest_memory(f);
	set_long_mode(f);
	set_syscall_msrs(f);
	set_start_regs(f);
	enable_sync_regs(f);
	start_watchdog(f->run);
}

static void get_regs(struct floor *f, struct kvm_regs *r)
{
	if (ioctl(f->vcpu, KVM_GET_REGS, r))
		die("KVM_GET_REGS");
}

// Vectors for which the CPU pushes an error code below the return frame.
static bool has_error_code(uint64_t vec)
{
	return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 ||
	       vec == 30;
}

static void report_guest_exception(struct floor *f)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t frame[6] = {0}, *ret;
	get_regs(f, &r);
	if (ioctl(f->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	if (r.rsp >= 0x1000 && r.rsp <= SLOT_SIZE - sizeof(frame))
		memcpy(frame, f->mem + r.rsp, sizeof(frame));
	ret = has_error_code(r.rdi) ? frame + 1 : frame;
	fprintf(stderr,
		"floor: guest exception vector %llu at rip %#llx cs %#llx rflags %#llx "
		"(error code %#llx, cr2 %#llx)\n",
		(unsigned long long)r.rdi, (unsigned long long)ret[0], (unsigned long long)ret[1],
		(unsigned long long)ret[2], (unsigned long long)(ret == frame ? 0 : frame[0]),
		(unsigned long long)s.cr2);
	exit(1);
}

static void report_unexpected_exit(struct floor *f)
{
	struct kvm_run *run = f->run;
	struct kvm_regs r;
	get_regs(f, &r);
	fprintf(stderr, "floor: unexpected exit reason %u", run->exit_reason);
	if (run->exit_reason == KVM_EXIT_IO)
		fprintf(stderr, " (port %#x)", run->io.port);
	if (run->exit_reason == KVM_EXIT_MMIO)
		fprintf(stderr, " (gpa %#llx)", (unsigned long long)run->mmio.phys_addr);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		fprintf(stderr, " (internal error %u)", run->internal.suberror);
	fprintf(stderr, " at rip %#llx rsp %#llx\n", (unsigned long long)r.rip,
		(unsigned long long)r.rsp);
	exit(1);
}

static void run_vcpu(struct floor *f)
{
	while (ioctl(f->vcpu, KVM_RUN, 0) < 0) {
		if (errno != EINTR)
			die("KVM_RUN");
		if (stuck)
			fail("the guest made no exit for 2 s; giving up");
	}
	progress = 1;
}

// On bare-metal KVM the syscall entered ring 0; put ring-3 segments back, which
// sysretq would have done. kvm_pvm stays at CPL3 and never needs this.
static void return_to_ring3(struct floor *f)
{
	struct kvm_sregs s;
	if (ioctl(f->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	if (!f->checked_cpl) {
		f->lstar_cpl0 = s.cs.dpl == 0;
		f->checked_cpl = true;
	}
	if (!f->lstar_cpl0)
		return;
	s.cs = flat_segment(SEL_UCS, 11, true);
	s.ss = flat_segment(SEL_UDS, 3, false);
	if (ioctl(f->vcpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
}

// Execute the guest's syscall on the host and resume after its `syscall` instruction.
static void forward_syscall(struct floor *f)
{
	struct kvm_regs local, *r = f->sync_regs ? &f->run->s.regs.regs : &local;
	if (!f->sync_regs)
		get_regs(f, r);
	if (r->rax != SYS_getppid)
		fail("guest asked for a syscall other than getppid");
	r->rax = (uint64_t)syscall(SYS_getppid);
	r->rip = r->rcx;
	r->rflags = r->r11;
	if (f->sync_regs)
		f->run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	else if (ioctl(f->vcpu, KVM_SET_REGS, r))
		die("KVM_SET_REGS");
	if (!f->checked_cpl || f->lstar_cpl0)
		return_to_ring3(f);
}

static void round_trips(struct floor *f, long n)
{
	for (long i = 0; i < n; i++) {
		run_vcpu(f);
		if (f->run->exit_reason != KVM_EXIT_IO || f->run->io.direction != KVM_EXIT_IO_OUT)
			report_unexpected_exit(f);
		if (f->run->io.port == FAULT_PORT)
			report_guest_exception(f);
		if (f->run->io.port != SYSCALL_PORT)
			report_unexpected_exit(f);
		forward_syscall(f);
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static long parse_count(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	struct floor f = {0};
	long n = argc > 1 ? parse_count(argv[1], 1000000000L) : -1;
	long reps = argc > 2 ? parse_count(argv[2], 1000) : 7;
	double *per;
	if (argc < 2 || argc > 3 || n < 0 || reps < 0) {
		fprintf(stderr, "usage: floor N [REPS]  (N round trips per repetition, "
				"REPS repetitions, default 7)\n");
		return 2;
	}
	per = calloc((size_t)reps, sizeof(*per));
	if (!per)
		fail("out of memory");
	setup(&f);
	round_trips(&f, n / 10 > 100 ? n / 10 : 100); // warm-up: caches, shadow page tables
	for (long k = 0; k < reps; k++) {
		double t0 = now_ns();
		round_trips(&f, n);
		per[k] = (now_ns() - t0) / (double)n;
	}
	qsort(per, (size_t)reps, sizeof(*per), compare_double);
	printf("floor_ns_per_syscall %.0f min %.0f max %.0f reps %ld n %ld sync_regs %d "
	       "lstar_cpl %d\n",
	       per[reps / 2], per[0], per[reps - 1], reps, n, f.sync_regs, f.lstar_cpl0 ? 0 : 3);
	return 0;
}
