/* faults: one CPU fault per mode, to compare how native and kdune runs die. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int sigbus_past_eof(void)
{
	char path[] = "/tmp/kdune-faults-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return 2;
	unlink(path);
	volatile char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	return p[4096]; /* the second page lies wholly past the end of the file */
}

static int recurse(int depth)
{
	volatile char pad[4096];
	pad[0] = (char)depth;
	return depth ? recurse(depth - 1) + pad[0] : 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	volatile int zero = 0;
	if (!strcmp(m, "sigbus"))
		return sigbus_past_eof();
	if (!strcmp(m, "ud2"))
		__asm__ volatile("ud2");
	if (!strcmp(m, "int3"))
		__asm__ volatile("int3");
	if (!strcmp(m, "div0"))
		return 10 / zero;
	if (!strcmp(m, "out"))
		__asm__ volatile(
		    "outb %%al, $0x10" ::"a"(0)); /* kdune's own port, from the wrong place */
	if (!strcmp(m, "hlt"))
		__asm__ volatile("hlt");
	if (!strcmp(m, "rowrite")) {
		volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 1;
	}
	if (!strcmp(m, "protnone")) {
		volatile char *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p[0];
	}
	if (!strcmp(m, "unmapped")) {
		volatile char *p =
		    mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[4096] = 1;
		munmap((void *)(p + 4096), 4096);
		p[4096] = 2; /* the page had a guest PTE: the host's unmap must still win */
	}
	if (!strcmp(m, "kernel"))
		return *(volatile int *)0xffffff8000000000ULL; /* kdune's ring-0 area */
	if (!strcmp(m, "stack")) {
		printf("%d\n", recurse(1500)); /* ~6 MiB of stack, inside the 8 MiB limit */
		return 0;
	}
	fprintf(
	    stderr,
	    "usage: faults sigbus|ud2|int3|div0|out|hlt|rowrite|protnone|unmapped|kernel|stack\n");
	return 2;
}
