/*
 * policy.h: a seccomp policy (kdune run --seccomp) as a plain table that the engine
 * evaluates for every syscall before it is dispatched.
 *
 * The host (src/host/profile.c) compiles an OCI runtime-spec `linux.seccomp` object or a
 * Docker/Podman profile into this table once, before the target starts; the engine only
 * reads it. Actions are the kernel's own return values (seccomp(2), <linux/seccomp.h>:
 * SECCOMP_RET_* in the high 16 bits, the errno or trap data in the low 16), so a rule
 * means exactly what the same filter loaded into the kernel would mean.
 */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct kd_vcpu;

/* Comparison operators: the values of libseccomp's enum scmp_compare (SCMP_CMP_*). */
enum kd_policy_op {
	KD_CMP_NE = 1,	      /* arg != value */
	KD_CMP_LT = 2,	      /* arg < value (unsigned 64-bit) */
	KD_CMP_LE = 3,	      /* arg <= value */
	KD_CMP_EQ = 4,	      /* arg == value */
	KD_CMP_GE = 5,	      /* arg >= value */
	KD_CMP_GT = 6,	      /* arg > value */
	KD_CMP_MASKED_EQ = 7, /* (arg & value) == value2 */
};

/* The kernel's action values (linux/seccomp.h), for code that cannot include it. */
#define KD_RET_KILL_PROCESS 0x80000000U
#define KD_RET_KILL_THREAD 0x00000000U
#define KD_RET_TRAP 0x00030000U
#define KD_RET_ERRNO 0x00050000U
#define KD_RET_USER_NOTIF 0x7fc00000U
#define KD_RET_TRACE 0x7ff00000U
#define KD_RET_LOG 0x7ffc0000U
#define KD_RET_ALLOW 0x7fff0000U
#define KD_RET_ACTION_FULL 0xffff0000U
#define KD_RET_DATA 0x0000ffffU

#define KD_POLICY_MAGIC 0x6b64706fU /* "kdpo" */
#define KD_POLICY_VERSION 1
#define KD_POLICY_MAX_ARGS 6
#define KD_POLICY_MAX_RULES 65536

struct kd_policy_arg {
	uint32_t index; /* which syscall argument, 0..5 */
	uint32_t op;	/* enum kd_policy_op */
	uint64_t value, value2;
};

/* One rule: syscall nr with every condition in args true (AND) gives action. */
struct kd_policy_rule {
	int32_t nr;	 /* x86-64 syscall number */
	uint32_t action; /* KD_RET_* | data */
	uint32_t nargs;	 /* conditions used, 0..KD_POLICY_MAX_ARGS */
	uint32_t pad;	 /* 0 */
	struct kd_policy_arg args[KD_POLICY_MAX_ARGS];
};

/*
 * The whole policy, in one block of memory with no pointers, so it can be written to a
 * sealed memfd and mapped read-only by the kdune that runs the program after an execve.
 * Rules are sorted by syscall number (a lookup is a binary search), in profile order
 * among those of one number.
 */
struct kd_policy {
	uint32_t magic, version;
	uint32_t default_action; /* KD_RET_* | data, for a syscall no rule matches */
	uint32_t nrules;
	uint32_t flags; /* KD_POLICY_X32 */
	uint32_t pad;
	struct kd_policy_rule rules[];
};

/*
 * The profile lists x32 (SCMP_ARCH_X32): x32 calls (numbers from 0x40000000, -1 aside)
 * are judged by the rules, which then include x32's own numbers. Without it they get
 * KD_RET_KILL_THREAD, libseccomp's action for an architecture not in the filter.
 */
#define KD_POLICY_X32 1u
#define KD_X32_SYSCALL_BIT 0x40000000u

/* Bytes for a policy of n rules. */
static inline size_t kd_policy_size(uint32_t n)
{
	return sizeof(struct kd_policy) + (size_t)n * sizeof(struct kd_policy_rule);
}

/*
 * The policy in force for this process, NULL for none. Set by the host before the target
 * starts (read-only memory from then on); threads and forks share or copy it, and execve
 * hands it to the next kdune (process.c passes --seccomp=fd:N).
 */
extern const struct kd_policy *kd_policy;
/* Its sealed memfd, kept open (kdune's own, hidden from the target) for the next execve. */
extern int kd_policy_fd;

/*
 * The action for syscall nr with arguments a: for an x32 number without KD_POLICY_X32,
 * KD_RET_KILL_THREAD; otherwise, of every rule for nr whose conditions all hold, the one the kernel
 * ranks first when several filters answer (KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF,
 * TRACE, LOG, ALLOW; the first in the table among equals); p->default_action when none does. Pure:
 * no side effects, no libc.
 */
uint32_t kd_policy_eval(const struct kd_policy *p, long nr, const uint64_t a[6]);

/* Does one condition hold for the argument value x? Unknown ops never hold. */
int kd_policy_cmp(const struct kd_policy_arg *c, uint64_t x);

/*
 * Is p a well-formed table of len bytes (magic, version, rule count, sorted by number,
 * indexes and ops in range, no action but the ones above)? 0 if so, else -EINVAL. For a
 * table that came from another process (an execve's memfd).
 */
int kd_policy_check(const struct kd_policy *p, size_t len);

/*
 * The siginfo of TRAP's SIGSYS for syscall nr, as the kernel fills it (seccomp(2)):
 * si_code SYS_SECCOMP, si_call_addr the address after the `syscall` instruction (after),
 * si_syscall nr, si_arch AUDIT_ARCH_X86_64, si_errno the action's data.
 */
void kd_policy_siginfo(siginfo_t *si, long nr, uint64_t after, uint32_t action);

/* Refusals so far in this process (ERRNO, TRACE, TRAP, KILL), for -v. */
extern unsigned long kd_policy_refusals;
