/*
 * gdb_rsp.c: the stub side of GDB's remote serial protocol (see gdb_rsp.h), over the
 * abstract target of struct kd_gdb_target. Engine code: no libc (nolibc.h).
 */
#include "engine/gdb_rsp.h"
#include "base/nolibc.h"
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char hexdig[] = "0123456789abcdef";

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- framing ---- */

enum kd_gdb_rx_event kd_gdb_rx_byte(struct kd_gdb_rx *rx, uint8_t c)
{
	switch (rx->state) {
	case RX_IDLE:
		if (c == '$') {
			rx->state = RX_DATA;
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = 0;
			return KD_GDB_RX_NONE;
		}
		return c == '+'	   ? KD_GDB_RX_ACK
		       : c == '-'  ? KD_GDB_RX_NACK
		       : c == 0x03 ? KD_GDB_RX_INTERRUPT
				   : KD_GDB_RX_NONE;
	case RX_DATA:
	case RX_ESC:
		if (c == '#' && rx->state == RX_DATA) {
			rx->state = RX_SUM1;
			return KD_GDB_RX_NONE;
		}
		rx->sum = (uint8_t)(rx->sum + c);
		if (c == '}' && rx->state == RX_DATA) {
			rx->state = RX_ESC;
			return KD_GDB_RX_NONE;
		}
		if (rx->state == RX_ESC) {
			c ^= 0x20;
			rx->state = RX_DATA;
		}
		if (rx->len < KD_GDB_PACKET_MAX)
			rx->buf[rx->len++] = (char)c;
		else
			rx->overflow = 1;
		return KD_GDB_RX_NONE;
	case RX_SUM1:
		if (hexval(c) < 0) {
			rx->state = RX_IDLE;
			return KD_GDB_RX_BAD;
		}
		rx->want = (uint8_t)(hexval(c) << 4);
		rx->state = RX_SUM2;
		return KD_GDB_RX_NONE;
	case RX_SUM2:
		rx->state = RX_IDLE;
		if (hexval(c) < 0 || (uint8_t)(rx->want | hexval(c)) != rx->sum || rx->overflow)
			return KD_GDB_RX_BAD;
		rx->buf[rx->len] = 0;
		return KD_GDB_RX_PACKET;
	}
	rx->state = RX_IDLE;
	return KD_GDB_RX_NONE;
}

size_t kd_gdb_frame(const char *payload, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	uint8_t sum = 0;
	if (cap < 4)
		return 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)payload[i];
		int esc = c == '$' || c == '#' || c == '}' || c == '*';
		if (n + 1 + (size_t)esc + 3 > cap)
			return 0;
		if (esc) {
			out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum = (uint8_t)(sum + c);
	}
	out[n++] = '#';
	out[n++] = hexdig[sum >> 4];
	out[n++] = hexdig[sum & 15];
	return n;
}

/* ---- signals: Linux numbers to GDB's (include/gdb/signals.def) and back ---- */

static const uint8_t gdb_of_linux[32] = {
    0,	 1,  2,	 3,  4,	 5,  6,	 10, 8,	 9,  30, 11, 31, 13, 14, 15,
    143, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,
};

static int gdb_signal(int sig)
{
	if (sig >= 0 && sig < 32)
		return gdb_of_linux[sig];
	if (sig == 32)
		return 77;
	if (sig > 32 && sig < 64)
		return 45 + sig - 33;
	return sig == 64 ? 78 : 143;
}

static int linux_signal(int gsig)
{
	for (int s = 0; s <= 64; s++)
		if (gdb_signal(s) == gsig)
			return s;
	return -1;
}

/* ---- replies ---- */

struct out {
	char *p;
	size_t len, cap;
};

static void put_str(struct out *o, const char *s)
{
	while (*s && o->len + 1 < o->cap)
		o->p[o->len++] = *s++;
	o->p[o->len] = 0;
}

static void put_hexbytes(struct out *o, const void *v, size_t n)
{
	const uint8_t *b = v;
	for (size_t i = 0; i < n && o->len + 3 <= o->cap; i++) {
		o->p[o->len++] = hexdig[b[i] >> 4];
		o->p[o->len++] = hexdig[b[i] & 15];
	}
	o->p[o->len] = 0;
}

__attribute__((format(printf, 2, 3))) static void put_fmt(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

static long error_reply(struct out *o, int err)
{
	put_fmt(o, "E%02x", (unsigned)(err < 0 ? -err : err) & 0xff);
	return (long)o->len;
}

static long ok_reply(struct out *o)
{
	put_str(o, "OK");
	return (long)o->len;
}

static long stop_reply(struct kd_gdb *g, struct out *o, const struct kd_gdb_stop *s)
{
	if (s->kind == KD_GDB_STOP_EXITED) {
		put_fmt(o, "W%02x", (unsigned)s->value & 0xff);
		g->done = 1;
	} else if (s->kind == KD_GDB_STOP_KILLED) {
		put_fmt(o, "X%02x", (unsigned)gdb_signal(s->value) & 0xff);
		g->done = 1;
	} else {
		put_fmt(o, "T%02xthread:%x;", (unsigned)gdb_signal(s->value) & 0xff,
			(unsigned)s->tid);
		if (s->swbreak)
			put_str(o, "swbreak:;");
	}
	return (long)o->len;
}

/* ---- parsing ---- */

/* Hex digits at *p into *v; returns how many (0: none, or more than 16). */
static int parse_hex(const char **p, uint64_t *v)
{
	int n = 0;
	*v = 0;
	while (hexval(**p) >= 0) {
		if (++n > 16)
			return 0;
		*v = *v << 4 | (uint64_t)hexval(**p);
		(*p)++;
	}
	return n;
}

/* A thread id: hex, or -1 for "all". */
static int parse_tid(const char **p, int *tid)
{
	uint64_t v;
	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*tid = -1;
		return 1;
	}
	if (!parse_hex(p, &v) || v > 0x7fffffff)
		return 0;
	*tid = (int)v;
	return 1;
}

/* "ADDR,LEN" then the character end (':' or NUL). */
static int parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char end)
{
	if (!parse_hex(p, addr) || **p != ',')
		return 0;
	(*p)++;
	if (!parse_hex(p, len) || **p != end)
		return 0;
	if (end)
		(*p)++;
	return 1;
}

/* Hex text into bytes; the text must be exactly 2 * n digits. */
static int unhex(const char *s, size_t slen, void *dst, size_t n)
{
	uint8_t *d = dst;
	if (slen != 2 * n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}

/* ---- registers ---- */

#define REG(field)                                                                                 \
	{                                                                                          \
		offsetof(struct kd_gdb_regs, field), sizeof(((struct kd_gdb_regs *)0)->field)      \
	}

struct reg_slot {
	uint16_t off, size;
};

static struct reg_slot reg_slot(int n)
{
	if (n < 16)
		return (struct reg_slot){offsetof(struct kd_gdb_regs, gpr) + 8 * n, 8};
	if (n == KD_GDB_RIP)
		return (struct reg_slot)REG(rip);
	if (n == KD_GDB_EFLAGS)
		return (struct reg_slot)REG(eflags);
	if (n < KD_GDB_ST0)
		return (struct reg_slot){offsetof(struct kd_gdb_regs, seg) + 4 * (n - KD_GDB_CS),
					 4};
	if (n < KD_GDB_FCTRL)
		return (struct reg_slot){offsetof(struct kd_gdb_regs, st) + 10 * (n - KD_GDB_ST0),
					 10};
	if (n < KD_GDB_XMM0)
		return (struct reg_slot){offsetof(struct kd_gdb_regs, fpu) + 4 * (n - KD_GDB_FCTRL),
					 4};
	if (n < KD_GDB_MXCSR)
		return (struct reg_slot){offsetof(struct kd_gdb_regs, xmm) + 16 * (n - KD_GDB_XMM0),
					 16};
	if (n == KD_GDB_MXCSR)
		return (struct reg_slot)REG(mxcsr);
	if (n == KD_GDB_ORIG_RAX)
		return (struct reg_slot)REG(orig_rax);
	if (n == KD_GDB_FS_BASE)
		return (struct reg_slot)REG(fs_base);
	return (struct reg_slot)REG(gs_base);
}

/* The thread register packets are about: Hg's, else the one that stopped. */
static int reg_tid(struct kd_gdb *g)
{
	return g->g_tid > 0 ? g->g_tid : g->last.tid;
}

static long read_regs(struct kd_gdb *g, struct out *o)
{
	struct kd_gdb_regs r;
	int rc = g->t->get_regs(g->ctx, reg_tid(g), &r);
	if (rc)
		return error_reply(o, rc);
	for (int n = 0; n < KD_GDB_NREGS; n++) {
		struct reg_slot s = reg_slot(n);
		put_hexbytes(o, (const char *)&r + s.off, s.size);
	}
	return (long)o->len;
}

static long write_regs(struct kd_gdb *g, const char *hex, size_t len, struct out *o)
{
	struct kd_gdb_regs r;
	int rc = g->t->get_regs(g->ctx, reg_tid(g), &r);
	if (rc)
		return error_reply(o, rc);
	/* GDB may send fewer registers than it knows; those keep their values. */
	for (int n = 0; n < KD_GDB_NREGS && len; n++) {
		struct reg_slot s = reg_slot(n);
		if (len < 2u * s.size || !unhex(hex, 2u * s.size, (char *)&r + s.off, s.size))
			return error_reply(o, EINVAL);
		hex += 2u * s.size;
		len -= 2u * s.size;
	}
	rc = g->t->set_regs(g->ctx, reg_tid(g), &r);
	return rc ? error_reply(o, rc) : ok_reply(o);
}

/* "p N" and "P N=VALUE". */
static long one_reg(struct kd_gdb *g, const char *p, int write, struct out *o)
{
	struct kd_gdb_regs r;
	uint64_t n;
	if (!parse_hex(&p, &n) || n >= KD_GDB_NREGS || (write ? *p != '=' : *p != 0))
		return error_reply(o, EINVAL);
	int rc = g->t->get_regs(g->ctx, reg_tid(g), &r);
	if (rc)
		return error_reply(o, rc);
	struct reg_slot s = reg_slot((int)n);
	if (!write) {
		put_hexbytes(o, (const char *)&r + s.off, s.size);
		return (long)o->len;
	}
	p++;
	if (!unhex(p, strlen(p), (char *)&r + s.off, s.size))
		return error_reply(o, EINVAL);
	rc = g->t->set_regs(g->ctx, reg_tid(g), &r);
	return rc ? error_reply(o, rc) : ok_reply(o);
}

/* ---- memory ---- */

static long read_memory(struct kd_gdb *g, const char *p, struct out *o)
{
	uint64_t addr, len;
	uint8_t buf[KD_GDB_PACKET_MAX / 2];
	if (!parse_addr_len(&p, &addr, &len, 0))
		return error_reply(o, EINVAL);
	if (len > (o->cap - 1) / 2)
		len = (o->cap - 1) / 2;
	if (len > sizeof(buf))
		len = sizeof(buf);
	long n = len ? g->t->read_mem(g->ctx, addr, buf, (size_t)len) : 0;
	if (len && n <= 0)
		return error_reply(o, EFAULT);
	put_hexbytes(o, buf, (size_t)n);
	return (long)o->len;
}

/* "M addr,len:HEX" (binary 0) or "X addr,len:BYTES" (binary 1, escapes undone by rx). */
static long write_memory(struct kd_gdb *g, const char *p, size_t plen, int binary, struct out *o)
{
	const char *start = p;
	uint64_t addr, len;
	uint8_t buf[KD_GDB_PACKET_MAX];
	if (!parse_addr_len(&p, &addr, &len, ':') || len > sizeof(buf))
		return error_reply(o, EINVAL);
	size_t rest = plen - (size_t)(p - start);
	if (binary ? rest != len : !unhex(p, rest, buf, (size_t)len))
		return error_reply(o, EINVAL);
	if (binary)
		memcpy(buf, p, (size_t)len);
	int rc = len ? g->t->write_mem(g->ctx, addr, buf, (size_t)len) : 0;
	return rc ? error_reply(o, rc) : ok_reply(o);
}

/* "Z0,addr,kind" / "z0,addr,kind": only software breakpoints (type 0). */
static long breakpoint(struct kd_gdb *g, const char *p, int insert, struct out *o)
{
	uint64_t addr, kind;
	if (p[0] != '0' || p[1] != ',')
		return 0; /* other types: unsupported, GDB falls back */
	p += 2;
	if (!parse_addr_len(&p, &addr, &kind, 0))
		return error_reply(o, EINVAL);
	int rc = g->t->breakpoint(g->ctx, addr, insert);
	return rc ? error_reply(o, rc) : ok_reply(o);
}

/* ---- running ---- */

static long resume(struct kd_gdb *g, int tid, int step, int gsig, struct out *o)
{
	int sig = gsig ? linux_signal(gsig) : 0;
	if (sig < 0)
		return error_reply(o, EINVAL);
	if (tid <= 0)
		tid = g->c_tid > 0 ? g->c_tid : g->last.tid;
	struct kd_gdb_stop s = {0};
	int rc = g->t->resume(g->ctx, tid, step, sig, &s);
	if (rc)
		return error_reply(o, rc);
	g->last = s;
	return stop_reply(g, o, &s);
}

/* "c", "cADDR", "CSIG", "s", "SSIG" (a resume address is not supported). */
static long simple_resume(struct kd_gdb *g, const char *p, struct out *o)
{
	int step = p[0] == 's' || p[0] == 'S', gsig = 0;
	uint64_t v;
	const char *q = p + 1;
	if (p[0] == 'C' || p[0] == 'S') {
		if (!parse_hex(&q, &v) || v > 255)
			return error_reply(o, EINVAL);
		gsig = (int)v;
	}
	if (*q)
		return error_reply(o, EINVAL);
	return resume(g, 0, step, gsig, o);
}

/*
 * vCont;ACTION[:TID];...: the first action for a given thread or for all is taken (one
 * thread runs or steps at a time here; the others follow on a continue).
 */
static long vcont(struct kd_gdb *g, const char *p, struct out *o)
{
	int step = 0, gsig = 0, tid = 0;
	uint64_t v;
	if (*p++ != ';')
		return error_reply(o, EINVAL);
	char a = *p++;
	if (a != 'c' && a != 's' && a != 'C' && a != 'S')
		return error_reply(o, EINVAL);
	step = a == 's' || a == 'S';
	if (a == 'C' || a == 'S') {
		if (!parse_hex(&p, &v) || v > 255)
			return error_reply(o, EINVAL);
		gsig = (int)v;
	}
	if (*p == ':') {
		p++;
		if (!parse_tid(&p, &tid))
			return error_reply(o, EINVAL);
	}
	if (*p && *p != ';')
		return error_reply(o, EINVAL);
	return resume(g, tid, step, gsig, o);
}

/* ---- queries ---- */

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static long xfer_features(const char *p, struct out *o)
{
	static const char prefix[] = "target.xml:";
	uint64_t off, len;
	size_t total = strlen(kd_gdb_target_xml);
	if (strncmp(p, prefix, sizeof(prefix) - 1))
		return error_reply(o, ENOENT);
	p += sizeof(prefix) - 1;
	if (!parse_addr_len(&p, &off, &len, 0))
		return error_reply(o, EINVAL);
	if (off > total)
		return error_reply(o, EINVAL);
	if (len > o->cap - 2)
		len = o->cap - 2;
	size_t n = total - off < len ? total - off : (size_t)len;
	o->p[o->len++] = off + n < total ? 'm' : 'l';
	memcpy(o->p + o->len, kd_gdb_target_xml + off, n);
	o->len += n;
	o->p[o->len] = 0;
	return (long)o->len;
}

static long thread_list(struct kd_gdb *g, struct out *o)
{
	int tids[256];
	int n = g->t->threads(g->ctx, tids, (int)ARRAY_SIZE(tids));
	for (int i = 0; i < n; i++)
		put_fmt(o, "%c%x", i ? ',' : 'm', (unsigned)tids[i]);
	if (n <= 0)
		put_str(o, "l");
	return (long)o->len;
}

static int thread_alive(struct kd_gdb *g, int tid)
{
	int tids[256];
	int n = g->t->threads(g->ctx, tids, (int)ARRAY_SIZE(tids));
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return 1;
	return 0;
}

static long query(struct kd_gdb *g, const char *p, struct out *o)
{
	if (!strncmp(p, "qSupported", 10)) {
		put_fmt(o,
			"PacketSize=%x;qXfer:features:read+;swbreak+;vContSupported+;"
			"QStartNoAckMode+",
			(unsigned)KD_GDB_PACKET_MAX);
		return (long)o->len;
	}
	if (!strncmp(p, "qXfer:features:read:", 20))
		return xfer_features(p + 20, o);
	if (!strcmp(p, "qfThreadInfo"))
		return thread_list(g, o);
	if (!strcmp(p, "qsThreadInfo")) {
		put_str(o, "l");
		return (long)o->len;
	}
	if (!strcmp(p, "qC")) {
		put_fmt(o, "QC%x", (unsigned)g->last.tid);
		return (long)o->len;
	}
	if (!strcmp(p, "qAttached")) {
		put_str(o, "1"); /* kdune started the program: detach leaves it running */
		return (long)o->len;
	}
	if (!strncmp(p, "qSymbol", 7))
		return ok_reply(o);
	return 0;
}

static long set_thread(struct kd_gdb *g, const char *p, struct out *o)
{
	int tid;
	char which = *p++;
	if ((which != 'g' && which != 'c') || !parse_tid(&p, &tid) || *p)
		return error_reply(o, EINVAL);
	if (tid > 0 && !thread_alive(g, tid))
		return error_reply(o, ESRCH);
	if (which == 'g')
		g->g_tid = tid;
	else
		g->c_tid = tid;
	return ok_reply(o);
}

static long v_packet(struct kd_gdb *g, const char *p, struct out *o)
{
	if (!strcmp(p, "vCont?")) {
		put_str(o, "vCont;c;C;s;S");
		return (long)o->len;
	}
	if (!strncmp(p, "vCont", 5) && p[5] == ';')
		return vcont(g, p + 5, o);
	if (!strncmp(p, "vKill", 5)) {
		g->t->kill(g->ctx);
		g->done = 1;
		return ok_reply(o);
	}
	return 0;
}

long kd_gdb_handle(struct kd_gdb *g, const char *pkt, size_t len, char *reply, size_t cap)
{
	struct out o = {reply, 0, cap};
	int tid;
	const char *p = pkt + 1;
	reply[0] = 0;
	if (!len)
		return 0;
	switch (pkt[0]) {
	case '?':
		return stop_reply(g, &o, &g->last);
	case 'g':
		return read_regs(g, &o);
	case 'G':
		return write_regs(g, p, len - 1, &o);
	case 'p':
	case 'P':
		return one_reg(g, p, pkt[0] == 'P', &o);
	case 'm':
		return read_memory(g, p, &o);
	case 'M':
	case 'X':
		return write_memory(g, p, len - 1, pkt[0] == 'X', &o);
	case 'Z':
	case 'z':
		return breakpoint(g, p, pkt[0] == 'Z', &o);
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return simple_resume(g, pkt, &o);
	case 'v':
		return v_packet(g, pkt, &o);
	case 'H':
		return set_thread(g, p, &o);
	case 'T':
		if (!parse_tid(&p, &tid) || *p)
			return error_reply(&o, EINVAL);
		return thread_alive(g, tid) ? ok_reply(&o) : error_reply(&o, ESRCH);
	case 'q':
		return query(g, pkt, &o);
	case 'Q':
		if (!strcmp(pkt, "QStartNoAckMode"))
			return ok_reply(&o);
		return 0;
	case 'k':
		g->t->kill(g->ctx);
		g->done = 1;
		return -1;
	case 'D':
		g->done = 1;
		return ok_reply(&o);
	}
	return 0;
}

/* ---- the connection ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends a framed packet; resent on '-' while acks are on (the reader below does that). */
static int send_packet(struct kd_gdb *g, const char *frame, size_t n)
{
	return write_all(g->fd, frame, n);
}

int kd_gdb_serve(struct kd_gdb *g)
{
	static char reply[KD_GDB_PACKET_MAX + 1], frame[2 * KD_GDB_PACKET_MAX + 8];
	size_t framed = 0;
	char in[512];
	while (!g->done) {
		ssize_t n = read(g->fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -errno;
		for (ssize_t i = 0; i < n && !g->done; i++) {
			enum kd_gdb_rx_event ev = kd_gdb_rx_byte(&g->rx, (uint8_t)in[i]);
			if (ev == KD_GDB_RX_NACK && framed && !g->noack)
				send_packet(g, frame, framed);
			if (ev == KD_GDB_RX_BAD && !g->noack)
				write_all(g->fd, "-", 1);
			if (ev != KD_GDB_RX_PACKET)
				continue;
			if (!g->noack && write_all(g->fd, "+", 1))
				return -EIO;
			long r = kd_gdb_handle(g, g->rx.buf, g->rx.len, reply, sizeof(reply));
			if (r < 0)
				continue;
			framed = kd_gdb_frame(reply, (size_t)r, frame, sizeof(frame));
			if (send_packet(g, frame, framed))
				return -EIO;
			if (!strcmp(g->rx.buf, "QStartNoAckMode"))
				g->noack = 1;
		}
	}
	return 0;
}
