/* fuzz_loader.c: libFuzzer target for the untrusted-input parts of the loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/loader.h"

/* Invariants a successful parse promises to kd_load; a violation is a bug. */
static void check_info(const struct kd_elf_info *in)
{
	if (in->lo >= in->hi || (in->lo & 0xfff) || (in->hi & 0xfff) || in->hi > 0x800000000000ULL)
		__builtin_trap();
	if (in->type != 2 && in->type != 3)
		__builtin_trap();
	if (in->has_interp && (in->interp[0] == '\0' || strnlen(in->interp, PATH_MAX) >= PATH_MAX))
		__builtin_trap();
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
	static struct kd_elf_info info;
	char err[256];

	if (kd_elf_parse(data, size, size, &info, err, sizeof(err)) == 0)
		check_info(&info);
	/* A caller that read only part of the file must be refused, never over-read. */
	if (size >= 8 && kd_elf_parse(data, size / 2, size, &info, err, sizeof(err)) == 0)
		check_info(&info);
	kd_elf_parse(data, size, size, &info, NULL, 0);
}

static void fuzz_shebang(const uint8_t *data, size_t size)
{
	char interp[PATH_MAX], arg[PATH_MAX], small_i[8], small_a[4];

	if (kd_shebang_parse((const char *)data, size, interp, sizeof(interp), arg, sizeof(arg)) ==
		1 &&
	    (interp[0] == '\0' || strlen(interp) > 256 || strlen(arg) > 256))
		__builtin_trap();
	kd_shebang_parse((const char *)data, size, small_i, sizeof(small_i), small_a,
			 sizeof(small_a));
}

/* Splits the input at NULs into argv and envp and builds a stack from them. */
static void fuzz_stack(const uint8_t *data, size_t size)
{
	static uint8_t area[8192] __attribute__((aligned(16)));
	char *copy = malloc(size + 1), *v[66];
	size_t n = 0, area_len = size ? data[0] * 32 + 1 : sizeof(area);
	struct kd_stack_in *in = calloc(1, sizeof(*in));
	struct kd_image img;
	uint64_t rsp;

	if (!copy || !in)
		goto out;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; n < 64 && p < copy + size + 1; p += strlen(p) + 1)
		v[n++] = p;
	v[n] = NULL;
	v[n / 2 > 0 ? n / 2 : n] = NULL; /* argv = first half */
	in->argv = v;
	in->envp = n / 2 > 0 && n / 2 + 1 <= n ? v + n / 2 + 1 : NULL;
	in->execfn = "/fuzz";
	in->platform = "x86_64";
	if (area_len > sizeof(area))
		area_len = sizeof(area);
	rsp = kd_stack_build(area, area + area_len, in, &img);
	if (rsp && (rsp % 16 || rsp < (uintptr_t)area || rsp >= (uintptr_t)area + area_len))
		__builtin_trap();
out:
	free(copy);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_elf(data, size);
	fuzz_shebang(data, size);
	fuzz_stack(data, size);
	return 0;
}
