/* fuzz_profile.c: libFuzzer target for the seccomp profile parser (host/profile.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/profile.h"

/* What profile.c needs from the rest of kdune, for a parser on its own (policy_eval.c, linked
 * with it, holds kd_policy). */
int kd_verbose;
void kd_info(const char *fmt, ...)
{
}
int kd_fd_hide(int fd)
{
	return fd;
}

static void note(void *ctx, const char *name)
{
	if (!name || strlen(name) > 1 << 20)
		__builtin_trap();
}

/* Invariants a successful parse promises the engine; a violation is a bug. */
static void check(const struct kd_policy *p)
{
	if (kd_policy_check(p, kd_policy_size(p->nrules)))
		__builtin_trap();
	uint64_t a[6] = {0, 1, 2, 3, 4, 5};
	for (uint32_t i = 0; i < p->nrules && i < 64; i++)
		kd_policy_eval(p, p->rules[i].nr, a);
	kd_profile_overlaps(p, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_profile_env env = {.caps = size ? data[0] * 0x0101010101ULL : 0,
				     .arch = "amd64",
				     .kmajor = 6,
				     .kminor = 1,
				     .note = note};
	struct kd_policy *p;
	char err[256], tiny[4];
	if (kd_profile_parse((const char *)data, size, &env, &p, err, sizeof(err)) == 0) {
		check(p);
		free(p);
	} else if (strlen(err) == 0 || memchr(err, '\n', strlen(err))) {
		__builtin_trap(); /* a refusal always says why, on one line */
	}
	/* A short error buffer is cut, never overrun. */
	if (kd_profile_parse((const char *)data, size, &env, &p, tiny, sizeof(tiny)) == 0)
		free(p);
	return 0;
}
