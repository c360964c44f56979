/*
 * native.h: the same compiled policy loaded natively, as a kernel seccomp filter built by
 * libseccomp, the way runc loads a profile (seccomp_init with the default action, one
 * seccomp_rule_add per rule). Used by the kernel comparison test (test_policy_kernel.c)
 * and by seccomp_native, which runs a program natively under a profile for the
 * integration tests.
 */
#pragma once
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>

#include "engine/policy.h"

/*
 * Install p on the calling thread (and the processes it will exec). Returns 0, or a
 * negative errno from libseccomp with the failing rule said on stderr.
 */
static inline int kd_test_load_native(const struct kd_policy *p)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	int rc = ctx ? 0 : -ENOMEM;
	/* As runc adds a profile's architectures; libseccomp translates each rule by name. */
	if (!rc && (p->flags & KD_POLICY_X32))
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X32);
	for (uint32_t i = 0; !rc && i < p->nrules; i++) {
		const struct kd_policy_rule *r = &p->rules[i];
		if ((uint32_t)r->nr >= KD_X32_SYSCALL_BIT)
			continue; /* x32's own numbers: libseccomp's translation gives them */
		struct scmp_arg_cmp cmp[KD_POLICY_MAX_ARGS];
		for (uint32_t j = 0; j < r->nargs; j++)
			cmp[j] = (struct scmp_arg_cmp){.arg = r->args[j].index,
						       .op = (enum scmp_compare)r->args[j].op,
						       .datum_a = r->args[j].value,
						       .datum_b = r->args[j].value2};
		rc = seccomp_rule_add_array(ctx, r->action, r->nr, r->nargs, cmp);
		if (rc)
			fprintf(stderr, "seccomp_rule_add(rule %u: nr %d, action %#x): %d\n", i,
				r->nr, r->action, rc);
	}
	rc = rc ?: seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}
