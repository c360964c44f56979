/*
 * touch_mem MIB: allocate MIB MiB (half with malloc, half with mmap), write every page,
 * read everything back and print a checksum.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void fill(unsigned char *p, size_t len, size_t pagesz, uint64_t seed)
{
	for (size_t off = 0, i = 0; off < len; off += pagesz, i++) {
		uint64_t v = (i + seed) * 0x9e3779b97f4a7c15ull;
		/* a word at a position that moves around inside the page, and the last byte */
		*(uint64_t *)(p + off + (i * 8) % pagesz) = v;
		p[off + pagesz - 1] = (unsigned char)(v >> 56);
	}
}

static uint64_t checksum(const unsigned char *p, size_t len)
{
	uint64_t sum = 0;
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < len / 8; i++) {
		sum = (sum + w[i] + i) * 0x9e3779b97f4a7c15ull;
		sum ^= sum >> 29;
	}
	return sum;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: touch_mem MIB\n");
		return 2;
	}
	size_t total = (size_t)strtoul(argv[1], NULL, 10) << 20;
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	size_t half = total / 2 / pagesz * pagesz;
	size_t rest = total - half;

	unsigned char *a = malloc(half);
	if (!a) {
		perror("malloc");
		return 1;
	}
	unsigned char *b =
	    mmap(NULL, rest, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	fill(a, half, pagesz, 1);
	fill(b, rest, pagesz, 1 + half / pagesz);
	uint64_t ca = checksum(a, half), cb = checksum(b, rest);
	printf("touched %zu pages (%zu MiB), checksums %016llx %016llx\n", total / pagesz,
	       total >> 20, (unsigned long long)ca, (unsigned long long)cb);
	if (munmap(b, rest) != 0) {
		perror("munmap");
		return 1;
	}
	free(a);
	return 0;
}
