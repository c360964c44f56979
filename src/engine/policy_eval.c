/*
 * policy_eval.c: the pure part of a seccomp policy: conditions, rule matching with the
 * kernel's precedence, and the well-formedness check. No state, no libc, nothing but the
 * table: the unit tests, the fuzzer and the kernel comparison link it on its own.
 */
#include "engine/policy.h"
#include <errno.h>
#include <linux/audit.h>
#include <signal.h>

/* The policy kdune run --seccomp loaded (NULL: none), its descriptor, its refusals. */
const struct kd_policy *kd_policy;
int kd_policy_fd = -1;
unsigned long kd_policy_refusals;

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (asm-generic/siginfo.h) */
#endif

int kd_policy_cmp(const struct kd_policy_arg *c, uint64_t x)
{
	switch (c->op) {
	case KD_CMP_NE:
		return x != c->value;
	case KD_CMP_LT:
		return x < c->value;
	case KD_CMP_LE:
		return x <= c->value;
	case KD_CMP_EQ:
		return x == c->value;
	case KD_CMP_GE:
		return x >= c->value;
	case KD_CMP_GT:
		return x > c->value;
	case KD_CMP_MASKED_EQ:
		return (x & c->value) == c->value2;
	default:
		return 0;
	}
}

static int rule_matches(const struct kd_policy_rule *r, const uint64_t a[6])
{
	for (uint32_t i = 0; i < r->nargs; i++)
		if (!kd_policy_cmp(&r->args[i], a[r->args[i].index]))
			return 0;
	return 1;
}

/* The kernel's precedence: the lower the signed action, the stronger (seccomp(2)). */
static int stronger(uint32_t x, uint32_t y)
{
	return (int32_t)(x & KD_RET_ACTION_FULL) < (int32_t)(y & KD_RET_ACTION_FULL);
}

/* The first rule for nr or above: the table is sorted by number (kd_policy_check). */
static uint32_t first_rule(const struct kd_policy *p, long nr)
{
	uint32_t lo = 0, hi = p->nrules;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->rules[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* libseccomp's x86-64 filter sends these to its x32 part, or to the bad-arch action. */
static int x32_number(long nr)
{
	uint32_t u = (uint32_t)nr;
	return u >= KD_X32_SYSCALL_BIT && u != 0xffffffffu;
}

uint32_t kd_policy_eval(const struct kd_policy *p, long nr, const uint64_t a[6])
{
	uint32_t act = 0;
	int found = 0;
	if (x32_number(nr) && !(p->flags & KD_POLICY_X32))
		return KD_RET_KILL_THREAD;
	for (uint32_t i = first_rule(p, nr); i < p->nrules && p->rules[i].nr == nr; i++) {
		const struct kd_policy_rule *r = &p->rules[i];
		if (!rule_matches(r, a))
			continue;
		if (!found || stronger(r->action, act))
			act = r->action;
		found = 1;
	}
	return found ? act : p->default_action;
}

static int action_known(uint32_t act)
{
	switch (act & KD_RET_ACTION_FULL) {
	case KD_RET_KILL_PROCESS:
	case KD_RET_KILL_THREAD:
	case KD_RET_TRAP:
	case KD_RET_ERRNO:
	case KD_RET_TRACE:
	case KD_RET_LOG:
	case KD_RET_ALLOW:
		return 1;
	default:
		return 0; /* USER_NOTIF included: there is no listener */
	}
}

int kd_policy_check(const struct kd_policy *p, size_t len)
{
	if (len < sizeof(*p) || p->magic != KD_POLICY_MAGIC || p->version != KD_POLICY_VERSION ||
	    p->nrules > KD_POLICY_MAX_RULES || len != kd_policy_size(p->nrules) ||
	    !action_known(p->default_action) || (p->flags & ~KD_POLICY_X32))
		return -EINVAL;
	for (uint32_t i = 0; i < p->nrules; i++) {
		const struct kd_policy_rule *r = &p->rules[i];
		if (!action_known(r->action) || r->nargs > KD_POLICY_MAX_ARGS ||
		    (i > 0 && r->nr < p->rules[i - 1].nr))
			return -EINVAL;
		for (uint32_t j = 0; j < r->nargs; j++)
			if (r->args[j].index >= 6 || r->args[j].op < KD_CMP_NE ||
			    r->args[j].op > KD_CMP_MASKED_EQ)
				return -EINVAL;
	}
	return 0;
}

void kd_policy_siginfo(siginfo_t *si, long nr, uint64_t after, uint32_t action)
{
	/* seccomp_init_siginfo() in kernel/seccomp.c, field by field. */
	__builtin_memset(si, 0, sizeof(*si));
	si->si_signo = SIGSYS;
	si->si_code = SYS_SECCOMP;
	si->si_call_addr = (void *)after;
	si->si_errno = (int)(action & KD_RET_DATA);
	si->si_arch = AUDIT_ARCH_X86_64;
	si->si_syscall = (int)nr;
}
