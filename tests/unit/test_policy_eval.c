/*
 * test_policy_eval.c: the engine's side of --seccomp: conditions, rule matching and
 * precedence (kd_policy_eval), the table check for a table from another process
 * (kd_policy_check), and what kd_policy_enforce leaves in the vCPU's registers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/policy.h"
#include "engine/policy_enforce.h"
#include "engine/syscall.h"
#include "engine/thread.h"

static const uint64_t none[6];

/* A table of up to 8 rules, built by hand. */
static struct kd_policy *table(uint32_t def, uint32_t n)
{
	struct kd_policy *p = calloc(1, kd_policy_size(8));
	assert_non_null(p);
	*p = (struct kd_policy){.magic = KD_POLICY_MAGIC,
				.version = KD_POLICY_VERSION,
				.default_action = def,
				.nrules = n};
	return p;
}

static struct kd_policy_rule rule(int nr, uint32_t act)
{
	return (struct kd_policy_rule){.nr = nr, .action = act};
}

static void cond(struct kd_policy_rule *r, uint32_t idx, uint32_t op, uint64_t v, uint64_t v2)
{
	r->args[r->nargs++] = (struct kd_policy_arg){idx, op, v, v2};
}

static int holds(uint32_t op, uint64_t v, uint64_t v2, uint64_t x)
{
	struct kd_policy_arg c = {0, op, v, v2};
	return kd_policy_cmp(&c, x);
}

static void test_policy_eval_ops(void **state)
{
	assert_true(holds(KD_CMP_NE, 5, 0, 4));
	assert_false(holds(KD_CMP_NE, 5, 0, 5));
	assert_true(holds(KD_CMP_LT, 5, 0, 4));
	assert_false(holds(KD_CMP_LT, 5, 0, 5));
	assert_false(holds(KD_CMP_LT, 0, 0, 0));
	assert_true(holds(KD_CMP_LE, 5, 0, 5));
	assert_false(holds(KD_CMP_LE, 5, 0, 6));
	assert_true(holds(KD_CMP_EQ, 5, 0, 5));
	assert_false(holds(KD_CMP_EQ, 5, 0, 0x100000005));
	assert_true(holds(KD_CMP_GE, 5, 0, 5));
	assert_false(holds(KD_CMP_GE, 5, 0, 4));
	assert_true(holds(KD_CMP_GT, 5, 0, 6));
	assert_false(holds(KD_CMP_GT, 5, 0, 5));
	assert_false(holds(KD_CMP_GT, UINT64_MAX, 0, UINT64_MAX));
	/* Unsigned 64-bit, as the kernel's seccomp_data carries the registers. */
	assert_true(holds(KD_CMP_GT, 0xffffffff, 0, 0x100000000));
	assert_true(holds(KD_CMP_LT, 1, 0, 0));
	assert_false(holds(KD_CMP_LT, 1, 0, (uint64_t)-1));
	assert_true(holds(KD_CMP_MASKED_EQ, 0xff, 0x42, 0x1142));
	assert_false(holds(KD_CMP_MASKED_EQ, 0xff, 0x42, 0x1143));
	assert_true(holds(KD_CMP_MASKED_EQ, 0xffffffff00000000, 0x100000000, 0x1ffffffff));
	assert_true(holds(KD_CMP_MASKED_EQ, 0, 0, 12345));
	/* Not an operator: never holds. */
	assert_false(holds(0, 5, 0, 5));
	assert_false(holds(8, 5, 0, 5));
}

static void test_policy_eval_match(void **state)
{
	struct kd_policy *p = table(KD_RET_ALLOW, 3);
	p->rules[0] = rule(SYS_read, KD_RET_LOG);
	p->rules[1] = rule(SYS_write, KD_RET_ERRNO | 12);
	cond(&p->rules[1], 5, KD_CMP_NE, 0, 0);
	p->rules[2] = rule(SYS_getppid, KD_RET_ERRNO | 11);
	cond(&p->rules[2], 0, KD_CMP_EQ, 1, 0);
	cond(&p->rules[2], 2, KD_CMP_GT, 5, 0);
	/* Every condition must hold (AND). */
	assert_int_equal(kd_policy_eval(p, SYS_getppid, (uint64_t[6]){1, 0, 6}), KD_RET_ERRNO | 11);
	assert_int_equal(kd_policy_eval(p, SYS_getppid, (uint64_t[6]){1, 0, 5}), KD_RET_ALLOW);
	assert_int_equal(kd_policy_eval(p, SYS_getppid, (uint64_t[6]){2, 0, 6}), KD_RET_ALLOW);
	/* No condition: every call of that number. */
	assert_int_equal(kd_policy_eval(p, SYS_read, none), KD_RET_LOG);
	/* The sixth argument is seen. */
	assert_int_equal(kd_policy_eval(p, SYS_write, (uint64_t[6]){0, 0, 0, 0, 0, 1}),
			 KD_RET_ERRNO | 12);
	assert_int_equal(kd_policy_eval(p, SYS_write, none), KD_RET_ALLOW);
	/* Other numbers, negative and huge ones included: the default. */
	assert_int_equal(kd_policy_eval(p, SYS_close, none), KD_RET_ALLOW);
	assert_int_equal(kd_policy_eval(p, SYS_getpid, none), KD_RET_ALLOW);
	assert_int_equal(kd_policy_eval(p, 1000, none), KD_RET_ALLOW);
	/* x32 numbers: killed unless the profile lists x32; -1 is nobody's. */
	assert_int_equal(kd_policy_eval(p, 0x40000000 | SYS_read, none), KD_RET_KILL_THREAD);
	assert_int_equal(kd_policy_eval(p, (int)0x80000000, none), KD_RET_KILL_THREAD);
	assert_int_equal(kd_policy_eval(p, -1, none), KD_RET_ALLOW);
	p->flags = KD_POLICY_X32;
	assert_int_equal(kd_policy_eval(p, 0x40000000 | SYS_read, none), KD_RET_ALLOW);
	assert_int_equal(kd_policy_check(p, kd_policy_size(3)), 0);
	p->flags = 2;
	assert_int_equal(kd_policy_check(p, kd_policy_size(3)), -EINVAL);
	free(p);
}

/* Several matching rules: the kernel's order of precedence, the first among equals. */
static void test_policy_eval_precedence(void **state)
{
	static const uint32_t order[] = {KD_RET_KILL_PROCESS, KD_RET_KILL_THREAD, KD_RET_TRAP,
					 KD_RET_ERRNO | 3,    KD_RET_TRACE | 1,	  KD_RET_LOG,
					 KD_RET_ALLOW};
	for (int strong = 0; strong < 7; strong++)
		for (int weak = strong + 1; weak < 7; weak++) {
			struct kd_policy *p = table(KD_RET_ERRNO | 99, 2);
			p->rules[0] = rule(SYS_getppid, order[weak]);
			p->rules[1] = rule(SYS_getppid, order[strong]);
			cond(&p->rules[1], 1, KD_CMP_EQ, 7, 0);
			assert_int_equal(kd_policy_eval(p, SYS_getppid, (uint64_t[6]){0, 7}),
					 order[strong]);
			assert_int_equal(kd_policy_eval(p, SYS_getppid, none), order[weak]);
			free(p);
		}
	struct kd_policy *p = table(KD_RET_ALLOW, 2);
	p->rules[0] = rule(SYS_getppid, KD_RET_ERRNO | 1);
	p->rules[1] = rule(SYS_getppid, KD_RET_ERRNO | 2);
	assert_int_equal(kd_policy_eval(p, SYS_getppid, none), KD_RET_ERRNO | 1);
	free(p);
}

static void test_policy_eval_check(void **state)
{
	struct kd_policy *p = table(KD_RET_ALLOW, 1);
	size_t size = kd_policy_size(1);
	p->rules[0] = rule(SYS_getppid, KD_RET_ERRNO | 1);
	cond(&p->rules[0], 5, KD_CMP_MASKED_EQ, 1, 1);
	assert_int_equal(kd_policy_check(p, size), 0);
	assert_int_equal(kd_policy_check(p, size - 1), -EINVAL);
	assert_int_equal(kd_policy_check(p, 4), -EINVAL);
	p->magic++;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->magic--;
	p->version = 2;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->version = KD_POLICY_VERSION;
	p->default_action = KD_RET_USER_NOTIF;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->default_action = KD_RET_ALLOW;
	p->rules[0].action = 0x12340000;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->rules[0].action = KD_RET_TRAP;
	p->rules[0].args[0].index = 6;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->rules[0].args[0].index = 0;
	p->rules[0].args[0].op = 8;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->rules[0].args[0].op = 0;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->rules[0].args[0].op = KD_CMP_EQ;
	p->rules[0].nargs = 7;
	assert_int_equal(kd_policy_check(p, size), -EINVAL);
	p->rules[0].nargs = 1;
	struct kd_policy *two = table(KD_RET_ALLOW, 2); /* out of order: refused */
	two->rules[0] = rule(SYS_getppid, KD_RET_LOG);
	two->rules[1] = rule(SYS_read, KD_RET_LOG);
	assert_int_equal(kd_policy_check(two, kd_policy_size(2)), -EINVAL);
	two->rules[1].nr = SYS_getppid;
	assert_int_equal(kd_policy_check(two, kd_policy_size(2)), 0);
	free(two);
	p->nrules = KD_POLICY_MAX_RULES + 1;
	assert_int_equal(kd_policy_check(p, kd_policy_size(p->nrules)), -EINVAL);
	p->nrules = 1;
	assert_int_equal(kd_policy_check(p, size), 0);
	free(p);
}

/* A vCPU as far as enforce looks at it: registers, its VM's trace and its process. */
static struct kd_vm vm;
static struct kd_proc proc;
static struct kd_vcpu vcpu;

static struct kd_vcpu *fake_vcpu(long nr)
{
	vm.trace_fd = -1;
	proc.nthreads = 1;
	vcpu = (struct kd_vcpu){.vm = &vm, .proc = &proc};
	vcpu.user.rax = (uint64_t)nr;
	vcpu.user.rip = 0x401002;
	return &vcpu;
}

static struct kd_policy *one_rule(uint32_t act)
{
	struct kd_policy *p = table(KD_RET_ALLOW, 1);
	p->rules[0] = rule(SYS_getppid, act);
	return p;
}

static void test_policy_eval_enforce_returns(void **state)
{
	struct kd_policy *p = one_rule(KD_RET_ERRNO | 77);
	kd_policy = p;
	unsigned long before = kd_policy_refusals;
	struct kd_vcpu *v = fake_vcpu(SYS_getppid);
	assert_int_equal(kd_policy_enforce(v, SYS_getppid, none), 1);
	assert_int_equal((long)v->user.rax, -77);
	assert_int_equal(kd_policy_refusals, before + 1);
	/* Allowed: nothing touched, the dispatcher runs it. */
	v = fake_vcpu(SYS_getpid);
	assert_int_equal(kd_policy_enforce(v, SYS_getpid, none), 0);
	assert_int_equal(v->user.rax, SYS_getpid);
	p->rules[0].action = KD_RET_ERRNO | 0xffff; /* the kernel caps it at MAX_ERRNO */
	v = fake_vcpu(SYS_getppid);
	assert_int_equal(kd_policy_enforce(v, SYS_getppid, none), 1);
	assert_int_equal((long)v->user.rax, -4095);
	p->rules[0].action = KD_RET_TRACE | 5; /* no tracer: ENOSYS, whatever the data */
	v = fake_vcpu(SYS_getppid);
	assert_int_equal(kd_policy_enforce(v, SYS_getppid, none), 1);
	assert_int_equal((long)v->user.rax, -ENOSYS);
	p->rules[0].action = KD_RET_LOG;
	v = fake_vcpu(SYS_getppid);
	assert_int_equal(kd_policy_enforce(v, SYS_getppid, none), 0);
	assert_int_equal(v->user.rax, SYS_getppid);
	assert_int_equal(kd_policy_refusals, before + 3);
	kd_policy = NULL;
	free(p);
}

/* KILL_THREAD with other threads alive: only this one ends, as do_exit(SIGSYS). */
static void test_policy_eval_enforce_kill_thread(void **state)
{
	struct kd_policy *p = one_rule(KD_RET_KILL_THREAD);
	kd_policy = p;
	struct kd_vcpu *v = fake_vcpu(SYS_getppid);
	proc.nthreads = 2;
	assert_int_equal(kd_policy_enforce(v, SYS_getppid, none), 1);
	assert_true(v->exited);
	assert_int_equal(v->exit_code, SIGSYS);
	assert_int_equal(proc.nthreads, 1);
	kd_policy = NULL;
	free(p);
}

/* The last thread, or KILL_PROCESS: the process dies of SIGSYS, as natively. */
static void dies_of_sigsys(uint32_t act)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct kd_hthread self; /* the engine's locks name their owner */
		kd_self_set(&self);
		signal(SIGSYS, SIG_DFL); /* cmocka catches it */
		struct kd_policy *p = one_rule(act);
		kd_policy = p;
		kd_policy_enforce(fake_vcpu(SYS_getppid), SYS_getppid, none);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void test_policy_eval_enforce_kill(void **state)
{
	dies_of_sigsys(KD_RET_KILL_THREAD);
	dies_of_sigsys(KD_RET_KILL_PROCESS);
	/* TRAP with no SIGSYS handler: the forced signal's default action kills. */
	dies_of_sigsys(KD_RET_TRAP);
}

static void test_policy_eval_siginfo(void **state)
{
	siginfo_t si;
	kd_policy_siginfo(&si, SYS_getppid, 0x401002, KD_RET_TRAP | 42);
	assert_int_equal(si.si_signo, SIGSYS);
	assert_int_equal(si.si_code, 1);
	assert_int_equal(si.si_errno, 42);
	assert_int_equal(si.si_syscall, SYS_getppid);
	assert_int_equal(si.si_arch, 0xc000003e);
	assert_int_equal((uint64_t)si.si_call_addr, 0x401002);
}

/*
 * The kernel runs the syscall in eax: rax = 2^32 + getppid is getppid, natively and for
 * the policy. kd_syscall (the hook's caller) must judge it as getppid.
 */
static void test_policy_eval_upper_half_of_rax(void **state)
{
	struct kd_policy *p = one_rule(KD_RET_ERRNO | 61);
	kd_policy = p;
	struct kd_vcpu *v = fake_vcpu(SYS_getppid);
	v->user.rax = 0x100000000ULL | SYS_getppid;
	kd_syscall(v);
	assert_int_equal((long)v->user.rax, -61);
	v->user.rax = 0xffffffff00000000ULL | SYS_getppid;
	kd_syscall(v);
	assert_int_equal((long)v->user.rax, -61);
	kd_policy = NULL;
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_eval_ops),
	    cmocka_unit_test(test_policy_eval_match),
	    cmocka_unit_test(test_policy_eval_precedence),
	    cmocka_unit_test(test_policy_eval_check),
	    cmocka_unit_test(test_policy_eval_enforce_returns),
	    cmocka_unit_test(test_policy_eval_enforce_kill_thread),
	    cmocka_unit_test(test_policy_eval_enforce_kill),
	    cmocka_unit_test(test_policy_eval_siginfo),
	    cmocka_unit_test(test_policy_eval_upper_half_of_rax),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
