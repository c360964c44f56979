/*
 * fuzz_gdb.c: libFuzzer target for the GDB stub's parser (engine/gdb_rsp.c): the input is
 * what a client sends, byte by byte through the receiver, and every complete packet is
 * answered against a small in-memory target. Found: crashes, overruns (ASan) and undefined
 * behaviour (UBSan) in framing, hex, addresses, lengths, thread ids and vCont actions.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/gdb_rsp.h"

static uint8_t mem[256];
static struct kd_gdb_regs regs;

static int get_regs(void *c, int tid, struct kd_gdb_regs *r)
{
	*r = regs;
	return 0;
}
static int set_regs(void *c, int tid, const struct kd_gdb_regs *r)
{
	regs = *r;
	return 0;
}
static long read_mem(void *c, uint64_t a, void *b, size_t n)
{
	if (a >= sizeof(mem))
		return 0;
	n = n < sizeof(mem) - a ? n : sizeof(mem) - a;
	memcpy(b, mem + a, n);
	return (long)n;
}
static int write_mem(void *c, uint64_t a, const void *b, size_t n)
{
	if (a >= sizeof(mem) || n > sizeof(mem) - a)
		return -14;
	memcpy(mem + a, b, n);
	return 0;
}
static int breakpoint(void *c, uint64_t a, int insert)
{
	return a & 1 ? -22 : 0;
}
static int resume(void *c, int tid, int step, int sig, struct kd_gdb_stop *s)
{
	*s = (struct kd_gdb_stop){.kind = KD_GDB_STOP_SIGNAL, .value = step ? 5 : sig, .tid = 1};
	return 0;
}
static int threads(void *c, int *tids, int max)
{
	int n = max < 3 ? max : 3;
	for (int i = 0; i < n; i++)
		tids[i] = i + 1;
	return n;
}
static void kill_target(void *c)
{
}
static const struct kd_gdb_target ops = {get_regs,   set_regs, read_mem, write_mem,
					 breakpoint, resume,   threads,	 kill_target};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kd_gdb g;
	static char reply[KD_GDB_PACKET_MAX + 1];
	static char frame[2 * KD_GDB_PACKET_MAX + 8];
	memset(&g, 0, sizeof(g));
	g.t = &ops;
	g.last = (struct kd_gdb_stop){.kind = KD_GDB_STOP_SIGNAL, .value = 5, .tid = 1};
	for (size_t i = 0; i < size; i++) {
		if (kd_gdb_rx_byte(&g.rx, data[i]) != KD_GDB_RX_PACKET)
			continue;
		long n = kd_gdb_handle(&g, g.rx.buf, g.rx.len, reply, sizeof(reply));
		if (n >= 0 && !kd_gdb_frame(reply, (size_t)n, frame, sizeof(frame)))
			__builtin_trap(); /* every reply must fit its frame */
	}
	return 0;
}
