/*
 * profile.h: seccomp profiles for `kdune run --seccomp=PROFILE.json`, read with json-c and
 * compiled into the engine's table (engine/policy.h).
 *
 * Formats: the OCI runtime-spec `linux.seccomp` object (or a whole OCI config.json that
 * holds one), and the Docker/Podman profile format (moby's profiles/seccomp, containers/
 * common's seccomp.json): defaultAction, defaultErrnoRet, architectures, archMap, flags,
 * syscalls[] with names (or the older name), action, errnoRet, args[] {index, value,
 * valueTwo, op} and includes/excludes {caps, arches, minKernel}. The rules mean what they
 * mean when runc loads them with libseccomp: a rule whose action is the default action is
 * dropped, a rule with two conditions on the same argument becomes one rule per condition,
 * ERRNO and TRACE without errnoRet carry EPERM, a rule with no condition overrides every
 * other rule for its syscall (the first such one, as libseccomp builds the filter), and
 * syscall names unknown to libseccomp, or not syscalls on x86-64, are ignored. Other keys are
 * ignored, as Go's JSON decoding does.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "engine/policy.h"

/* What includes/excludes are judged against. */
struct kd_profile_env {
	uint64_t caps;	    /* bit n: the program has capability n (CAP_* numbers) */
	const char *arch;   /* this architecture as profiles name it: "amd64" */
	int kmajor, kminor; /* the running kernel's version, for minKernel */
	/* Called with each syscall name that was ignored (for -v); may be NULL. */
	void (*note)(void *ctx, const char *name);
	void *ctx;
};

/*
 * This process as the program will start: its effective capabilities, "amd64", uname's
 * kernel version. note/ctx are left NULL.
 */
void kd_profile_env_here(struct kd_profile_env *env);

/*
 * Compile len bytes of JSON text (no NUL needed) into *out (malloc'd, free() it).
 * Returns 0, or -1 with a one-line reason in err: invalid JSON, a field of the wrong type
 * or out of range, an unknown action, operator, architecture or flag, SCMP_ACT_NOTIFY
 * (kdune has no listener to hand calls to), more than KD_POLICY_MAX_RULES rules.
 */
int kd_profile_parse(const char *text, size_t len, const struct kd_profile_env *env,
		     struct kd_policy **out, char *err, size_t errlen);

/*
 * --seccomp=ARG for kdune run: ARG is a profile file, compiled against this process
 * (kd_profile_env_here, unknown names said with -v), or "fd:N", a table an earlier kdune
 * compiled and passed across the target's execve. The table ends up read-only in memory,
 * in a sealed memfd kept for the next execve, and becomes kd_policy. Returns 0, or -1 with
 * a one-line reason in err.
 */
int kd_profile_install(const char *arg, char *err, size_t errlen);

/*
 * How many pairs of rules for the same syscall, with different actions, could both match
 * one call (their conditions are not plainly exclusive). For such a call kdune applies the
 * stronger action (kd_policy_eval); a libseccomp filter applies the one its rule tree
 * happens to test first, so the two may differ there. *nr: the first such syscall.
 */
int kd_profile_overlaps(const struct kd_policy *p, int *nr);
