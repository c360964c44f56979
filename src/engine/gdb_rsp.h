/*
 * gdb_rsp.h: the GDB remote serial protocol, stub side, over an abstract target.
 *
 * The protocol is GDB's ("Remote Protocol" appendix of the GDB manual): packets
 * "$payload#xx" with xx the modulo-256 sum of the payload in two hex digits, '+'/'-'
 * acknowledgements until QStartNoAckMode, '}' escapes (byte ^ 0x20) in binary data, and a
 * bare 0x03 byte to interrupt. Served here: qSupported, QStartNoAckMode, the target
 * description (qXfer:features:read, x86-64 with SSE, orig_rax and fs_base/gs_base), '?',
 * g/G/p/P, m/M/X, Z0/z0 (software breakpoints), c/C/s/S and vCont, H, T, qC,
 * qfThreadInfo/qsThreadInfo, qAttached, k, D; stop replies T (with thread and swbreak), W
 * (exited) and X (killed). Anything else gets the empty reply, which GDB reads as
 * "not supported".
 *
 * No libc: this is engine code, meant to run while a target is inside (nolibc.h).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Register numbers, in the order of the target description (and of the 'g' packet). */
enum {
	KD_GDB_RAX,
	KD_GDB_RIP = 16,
	KD_GDB_EFLAGS,
	KD_GDB_CS,
	KD_GDB_FS = 22,
	KD_GDB_ST0 = 24,
	KD_GDB_FCTRL = 32,
	KD_GDB_XMM0 = 40,
	KD_GDB_MXCSR = 56,
	KD_GDB_ORIG_RAX,
	KD_GDB_FS_BASE,
	KD_GDB_GS_BASE,
	KD_GDB_NREGS
};

/*
 * One thread's registers as GDB sees them. gpr[] is rax, rbx, rcx, rdx, rsi, rdi, rbp,
 * rsp, r8..r15 (GDB's amd64 order, not the hardware's); seg[] is cs, ss, ds, es, fs, gs;
 * st[] the x87 registers as 80-bit values; fpu[] fctrl, fstat, ftag, fiseg, fioff, foseg,
 * fooff, fop; xmm[] 16 bytes each, little-endian.
 */
struct kd_gdb_regs {
	uint64_t gpr[16];
	uint64_t rip;
	uint32_t eflags;
	uint32_t seg[6];
	uint8_t st[8][10];
	uint32_t fpu[8];
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint64_t orig_rax, fs_base, gs_base;
};

/* Why the target stopped: what a stop reply says. */
struct kd_gdb_stop {
	enum { KD_GDB_STOP_SIGNAL, KD_GDB_STOP_EXITED, KD_GDB_STOP_KILLED } kind;
	int value;   /* the signal (Linux numbers), or the exit status */
	int tid;     /* the thread that stopped (SIGNAL) */
	int swbreak; /* stopped at a software breakpoint; rip is the breakpoint's address */
};

/*
 * What the stub asks of the target. Each returns 0 or -errno unless it says otherwise;
 * tid is a thread of the target (GDB's thread id, > 0).
 */
struct kd_gdb_target {
	int (*get_regs)(void *ctx, int tid, struct kd_gdb_regs *r);
	int (*set_regs)(void *ctx, int tid, const struct kd_gdb_regs *r);
	/* Reads up to len bytes at addr; returns how many (0 if the first is unreadable). */
	long (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);
	/* Writes all len bytes or none. */
	int (*write_mem)(void *ctx, uint64_t addr, const void *buf, size_t len);
	/* A software breakpoint (int3) at addr: insert (1) or remove (0). */
	int (*breakpoint)(void *ctx, uint64_t addr, int insert);
	/*
	 * Runs the target (step: only thread tid, one instruction) with signal sig delivered
	 * to tid first (0: none), until it stops; fills *stop. Returns 0 or -errno.
	 */
	int (*resume)(void *ctx, int tid, int step, int sig, struct kd_gdb_stop *stop);
	/* The live threads, up to max of them, into tids; returns how many. */
	int (*threads)(void *ctx, int *tids, int max);
	/* Ends the target (the 'k' packet). */
	void (*kill)(void *ctx);
};

/* Longest packet payload either side sends (advertised as PacketSize). */
#define KD_GDB_PACKET_MAX 4096

/* The receiving half: bytes in, packets out. */
struct kd_gdb_rx {
	enum { RX_IDLE, RX_DATA, RX_ESC, RX_SUM1, RX_SUM2 } state;
	uint8_t sum;  /* running sum of the payload as sent */
	uint8_t want; /* the checksum sent with it */
	size_t len;   /* payload bytes so far (escapes undone) */
	int overflow; /* the payload was longer than the buffer */
	char buf[KD_GDB_PACKET_MAX + 1];
};

enum kd_gdb_rx_event {
	KD_GDB_RX_NONE,	     /* more bytes needed */
	KD_GDB_RX_PACKET,    /* rx->buf holds rx->len bytes of payload, NUL-terminated */
	KD_GDB_RX_BAD,	     /* a packet with a wrong checksum or too long: send '-' */
	KD_GDB_RX_ACK,	     /* '+' */
	KD_GDB_RX_NACK,	     /* '-': send the last packet again */
	KD_GDB_RX_INTERRUPT, /* 0x03 outside a packet */
};

/* Feeds one received byte. */
enum kd_gdb_rx_event kd_gdb_rx_byte(struct kd_gdb_rx *rx, uint8_t c);

/*
 * Frames payload (len bytes) as "$payload#xx" into out (cap bytes), escaping '$', '#', '}'
 * and '*'. Returns the framed length, or 0 if it does not fit.
 */
size_t kd_gdb_frame(const char *payload, size_t len, char *out, size_t cap);

/* One connection's state. */
struct kd_gdb {
	const struct kd_gdb_target *t;
	void *ctx;
	int fd;			 /* the connection (read/write) */
	int noack;		 /* after QStartNoAckMode */
	int g_tid;		 /* thread for g/G/p/P/m (Hg), 0: any */
	int c_tid;		 /* thread for c/s (Hc), 0 or -1: any */
	int done;		 /* the session is over: detached, killed, or the target ended */
	struct kd_gdb_stop last; /* the last stop, for '?' */
	struct kd_gdb_rx rx;
};

/*
 * Answers one packet payload (len bytes, NUL-terminated) into reply (cap bytes, at least
 * KD_GDB_PACKET_MAX + 1), running the target for c/s/vCont. Returns the reply's length;
 * 0 is the empty reply ("unsupported"), -1 means send nothing (after 'k').
 */
long kd_gdb_handle(struct kd_gdb *g, const char *pkt, size_t len, char *reply, size_t cap);

/*
 * Serves the connection on g->fd until GDB detaches or kills the target, or the target
 * ends (after its W/X reply). g->last must hold the stop the target is at (GDB asks '?'
 * first). Returns 0, or -errno when the connection fails.
 */
int kd_gdb_serve(struct kd_gdb *g);

/* The x86-64 target description GDB reads (qXfer:features:read:target.xml). */
extern const char kd_gdb_target_xml[];
