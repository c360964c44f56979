/* hello: the built-in example `make example` runs inside a VM. It does a little of what
 * every program does (files, memory, time) and reports what it saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char exe[256] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	size_t len = 64 << 20;
	unsigned char *mem = malloc(len);
	unsigned long sum = 0;
	for (size_t i = 0; mem && i < len; i += 4096) {
		mem[i] = (unsigned char)(i >> 12);
		sum += mem[i];
	}
	FILE *f = fopen("/etc/os-release", "r");
	char line[128] = "";
	if (f && !fgets(line, sizeof(line), f))
		line[0] = 0;
	if (f)
		fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("hello from pid %d (%s), argc %d\n", getpid(), exe, argc);
	printf("touched 64 MiB (checksum %lu), first line of /etc/os-release: %s", sum, line);
	printf("took %.1f ms by clock_gettime (the vDSO, no exit)\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(mem);
	return argc > 1 ? atoi(argv[1]) : 0;
}
