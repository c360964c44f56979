/*
 * fake_target.c: kdune's GDB stub (engine/gdb_rsp.c) serving a made-up x86-64 target, so
 * that a real gdb can be tested against it on a machine without KVM.
 *
 *   fake_target tcp            listen on 127.0.0.1, print the port, serve one connection
 *   fake_target unix:PATH      the same on a unix socket
 *
 * The target: 64 KiB of memory at 0x400000 (a string at 0x400100), threads 1 and 2, and a
 * "program" that is a fixed list of instruction addresses (0x401000, 0x401004, ...). A
 * continue walks the list until an inserted breakpoint (SIGTRAP, swbreak) or its end
 * (exit status 7). With FAKE_SEGV=1, 0x401018 faults (SIGSEGV); continuing from there
 * with the signal kills the target.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/gdb_rsp.h"

#define MEM_BASE 0x400000ULL
#define MEM_SIZE 0x10000ULL

static const uint64_t program[] = {0x401000, 0x401004, 0x401008, 0x401010,
				   0x401014, 0x401018, 0x40101c};
#define PROGRAM_LEN (sizeof(program) / sizeof(program[0]))

struct fake {
	uint8_t mem[MEM_SIZE];
	struct kd_gdb_regs regs[2];
	uint64_t bp[16];
	int nbp;
	size_t pc_index;
	int segv;
};

static int tid_index(int tid)
{
	return tid == 2 ? 1 : 0;
}

static int get_regs(void *ctx, int tid, struct kd_gdb_regs *r)
{
	struct fake *f = ctx;
	*r = f->regs[tid_index(tid)];
	return 0;
}

static int set_regs(void *ctx, int tid, const struct kd_gdb_regs *r)
{
	struct fake *f = ctx;
	f->regs[tid_index(tid)] = *r;
	return 0;
}

static long read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return 0;
	if (len > MEM_BASE + MEM_SIZE - addr)
		len = MEM_BASE + MEM_SIZE - addr;
	memcpy(buf, f->mem + (addr - MEM_BASE), len);
	return (long)len;
}

static int write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake *f = ctx;
	if (addr < MEM_BASE || len > MEM_SIZE || addr + len > MEM_BASE + MEM_SIZE)
		return -14; /* EFAULT */
	memcpy(f->mem + (addr - MEM_BASE), buf, len);
	return 0;
}

static int breakpoint(void *ctx, uint64_t addr, int insert)
{
	struct fake *f = ctx;
	for (int i = 0; i < f->nbp; i++) {
		if (f->bp[i] != addr)
			continue;
		if (!insert)
			f->bp[i] = f->bp[--f->nbp];
		return 0;
	}
	if (!insert)
		return 0;
	if (f->nbp == 16)
		return -28; /* ENOSPC */
	f->bp[f->nbp++] = addr;
	return 0;
}

static int has_bp(struct fake *f, uint64_t addr)
{
	for (int i = 0; i < f->nbp; i++)
		if (f->bp[i] == addr)
			return 1;
	return 0;
}

/* Moves the program on by one address; returns 0 at the end of the program. */
static int advance(struct fake *f)
{
	if (f->pc_index + 1 >= PROGRAM_LEN)
		return 0;
	f->regs[0].rip = program[++f->pc_index];
	return 1;
}

static int resume(void *ctx, int tid, int step, int sig, struct kd_gdb_stop *stop)
{
	struct fake *f = ctx;
	*stop = (struct kd_gdb_stop){.kind = KD_GDB_STOP_SIGNAL, .value = SIGTRAP, .tid = 1};
	if (sig == SIGSEGV) {
		*stop = (struct kd_gdb_stop){.kind = KD_GDB_STOP_KILLED, .value = SIGSEGV};
		return 0;
	}
	while (advance(f)) {
		if (f->segv && f->regs[0].rip == 0x401018) {
			stop->value = SIGSEGV;
			return 0;
		}
		if (step)
			return 0;
		if (has_bp(f, f->regs[0].rip)) {
			stop->swbreak = 1;
			return 0;
		}
	}
	*stop = (struct kd_gdb_stop){.kind = KD_GDB_STOP_EXITED, .value = 7};
	return 0;
}

static int threads(void *ctx, int *tids, int max)
{
	int n = max < 2 ? max : 2;
	for (int i = 0; i < n; i++)
		tids[i] = i + 1;
	return n;
}

static void kill_target(void *ctx)
{
}

static const struct kd_gdb_target fake_ops = {get_regs,	  set_regs, read_mem, write_mem,
					      breakpoint, resume,   threads,  kill_target};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < MEM_SIZE; i++)
		f->mem[i] = (uint8_t)(0x90); /* nop */
	strcpy((char *)f->mem + 0x100, "kdune fake target");
	f->regs[0].rip = program[0];
	f->regs[0].gpr[5] = 42;	      /* rdi: an argument */
	f->regs[0].gpr[7] = 0x40f000; /* rsp */
	f->regs[0].eflags = 0x202;
	f->regs[0].seg[0] = 0x33;
	f->regs[0].seg[1] = 0x2b;
	f->regs[0].mxcsr = 0x1f80;
	f->regs[0].fpu[0] = 0x37f;
	f->regs[0].fs_base = 0x7f0000001000;
	f->regs[1] = f->regs[0];
	f->regs[1].rip = 0x401100;
	f->segv = getenv("FAKE_SEGV") && !strcmp(getenv("FAKE_SEGV"), "1");
}

static int listen_on(const char *where)
{
	int s;
	if (!strcmp(where, "tcp")) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
		    getsockname(s, (struct sockaddr *)&a, &len))
			return -1;
		printf("%u\n", ntohs(a.sin_port));
	} else if (!strncmp(where, "unix:", 5)) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", where + 5);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
			return -1;
		printf("%s\n", where + 5);
	} else {
		return -1;
	}
	fflush(stdout);
	return s;
}

int main(int argc, char **argv)
{
	static struct fake f;
	if (argc != 2) {
		fprintf(stderr, "usage: %s tcp|unix:PATH\n", argv[0]);
		return 2;
	}
	int s = listen_on(argv[1]);
	if (s < 0) {
		perror("fake_target: listen");
		return 1;
	}
	int c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("fake_target: accept");
		return 1;
	}
	fake_init(&f);
	struct kd_gdb g = {.t = &fake_ops, .ctx = &f, .fd = c};
	g.last = (struct kd_gdb_stop){.kind = KD_GDB_STOP_SIGNAL, .value = SIGTRAP, .tid = 1};
	int rc = kd_gdb_serve(&g);
	close(c);
	return rc ? 1 : 0;
}
