// touch.c: cost of first-touching fresh anonymous memory. Under kdune each new page
// costs a guest page fault plus shadow-paging work, so this shows the memory path.
//
// Usage: touch MIB   maps MIB MiB, writes one byte per 4 KiB page, prints the time
// of the writing loop (touch_ms) and a checksum read back afterwards.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096UL

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// FNV-1a over every touched byte: reading them back proves the writes landed.
static uint64_t checksum(const volatile uint8_t *p, size_t pages)
{
	uint64_t sum = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < pages; i++)
		sum = (sum ^ p[i * PAGE]) * 0x100000001b3ULL;
	return sum;
}

int main(int argc, char **argv)
{
	char *end;
	long mib = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	size_t pages;
	volatile uint8_t *p;
	double t0, t1;
	if (argc != 2 || *end != '\0' || mib < 1 || mib > (1L << 20)) {
		fprintf(stderr, "usage: touch MIB\n");
		return 2;
	}
	pages = (size_t)mib * (1 << 20) / PAGE;
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("touch: mmap");
		return 1;
	}
	t0 = now_ms();
	for (size_t i = 0; i < pages; i++)
		p[i * PAGE] = (uint8_t)(i * 7 + 1);
	t1 = now_ms();
	printf("touch_ms %.1f\n", t1 - t0);
	printf("checksum %016llx\n", (unsigned long long)checksum(p, pages));
	return 0;
}
