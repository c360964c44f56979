/*
 * static_hello [ARGS...]: built with -static (and, via staticpie_hello.c, -static-pie).
 * Prints its arguments, the variables KD_GREETING, KD_NUMBER and KD_UNSET, and the results of
 * some computation that exercises TLS, malloc/free (brk and mmap), qsort and stdio formatting.
 * Everything printed is deterministic.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

static _Thread_local unsigned long tls_counter = 7;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void show_env(const char *name)
{
	const char *v = getenv(name);
	printf("%s=%s\n", name, v ? v : "(unset)");
}

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=\"%s\"\n", i, argv[i]);
	show_env("KD_GREETING");
	show_env("KD_NUMBER");
	show_env("KD_UNSET");

	/* Sieve of Eratosthenes below 2,000,000 on the heap (large: served by mmap). */
	const size_t limit = 2000000;
	unsigned char *composite = calloc(limit, 1);
	if (!composite)
		return 1;
	unsigned long count = 0;
	unsigned long long sum = 0;
	for (size_t i = 2; i < limit; i++) {
		if (composite[i])
			continue;
		count++;
		sum += i;
		for (size_t j = i * i; j < limit; j += i)
			composite[j] = 1;
	}
	free(composite);
	printf("primes below %zu: %lu, sum %llu\n", limit, count, sum);

	/* Many small allocations (brk heap), a PRNG and qsort. */
	enum { N = 50000 };
	static uint32_t *vals[N];
	uint32_t x = 2463534242u;
	for (int i = 0; i < N; i++) {
		vals[i] = malloc(sizeof(uint32_t) * (1 + i % 8));
		if (!vals[i])
			return 1;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		vals[i][0] = x;
	}
	uint32_t *flat = malloc(sizeof(uint32_t) * N);
	if (!flat)
		return 1;
	for (int i = 0; i < N; i++) {
		flat[i] = vals[i][0];
		free(vals[i]);
	}
	qsort(flat, N, sizeof(uint32_t), cmp_u32);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < N; i++) {
		h ^= flat[i];
		h *= 1099511628211ull;
	}
	printf("sorted min %u max %u median %u fnv %016llx\n", flat[0], flat[N - 1], flat[N / 2],
	       (unsigned long long)h);
	free(flat);

	for (int i = 0; i < 1000; i++)
		tls_counter = tls_counter * 6364136223846793005ul + 1442695040888963407ul;
	printf("tls %016lx\n", tls_counter);

	char buf[128];
	snprintf(buf, sizeof(buf), "%.6f %.3e %g %x %-5s|", 22.0 / 7.0, 6.02214076e23, 1e-5, 48879,
		 "ab");
	printf("format: %s (%zu chars)\n", buf, strlen(buf));

	printf("page size %lu\n", getauxval(AT_PAGESZ));
	struct utsname u;
	if (uname(&u) == 0)
		printf("machine %s\n", u.machine);
	return 0;
}
