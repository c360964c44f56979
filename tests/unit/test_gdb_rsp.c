/* test_gdb_rsp.c: GDB remote protocol framing and packets (engine/gdb_rsp.c), no socket. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine/gdb_rsp.h"

/* Feeds text to a fresh receiver; returns the first event (and checks it is the only one). */
static enum kd_gdb_rx_event feed(struct kd_gdb_rx *rx, const char *s, size_t n)
{
	enum kd_gdb_rx_event ev = KD_GDB_RX_NONE;
	memset(rx, 0, sizeof(*rx));
	for (size_t i = 0; i < n; i++) {
		enum kd_gdb_rx_event e = kd_gdb_rx_byte(rx, (uint8_t)s[i]);
		if (e != KD_GDB_RX_NONE) {
			assert_int_equal(ev, KD_GDB_RX_NONE);
			ev = e;
		}
	}
	return ev;
}

static void frame_and_checksum(void **state)
{
	char out[64];
	/* The checksum is the sum of the payload's bytes modulo 256: 'O' + 'K' = 0x9a. */
	assert_int_equal(kd_gdb_frame("OK", 2, out, sizeof(out)), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	/* '$', '#', '}' and '*' are escaped as '}' then the byte ^ 0x20. */
	size_t n = kd_gdb_frame("a#}*$", 5, out, sizeof(out));
	out[n] = 0;
	assert_string_equal(out, "$a}\x03}]}\x0a}\x04#c3");
	assert_int_equal(kd_gdb_frame("toolong", 7, out, 8), 0);
}

static void receive_round_trip(void **state)
{
	struct kd_gdb_rx rx;
	char framed[64];
	size_t n = kd_gdb_frame("X1000,3:a#}", 11, framed, sizeof(framed));
	assert_int_equal(feed(&rx, framed, n), KD_GDB_RX_PACKET);
	assert_int_equal(rx.len, 11);
	assert_string_equal(rx.buf, "X1000,3:a#}");
}

static void receive_bad_and_control(void **state)
{
	struct kd_gdb_rx rx;
	assert_int_equal(feed(&rx, "$OK#9b", 6), KD_GDB_RX_BAD);
	assert_int_equal(feed(&rx, "$OK#z", 5), KD_GDB_RX_BAD);
	assert_int_equal(feed(&rx, "+", 1), KD_GDB_RX_ACK);
	assert_int_equal(feed(&rx, "-", 1), KD_GDB_RX_NACK);
	assert_int_equal(feed(&rx, "\x03", 1), KD_GDB_RX_INTERRUPT);
	/* Longer than the buffer: refused, not overrun. */
	static char big[KD_GDB_PACKET_MAX + 16];
	memset(big, 'a', sizeof(big));
	big[0] = '$';
	memcpy(big + sizeof(big) - 3, "#00", 3);
	assert_int_equal(feed(&rx, big, sizeof(big)), KD_GDB_RX_BAD);
}

/* A target with 16 bytes of memory at 0x1000 and one thread. */
static uint8_t mem[16] = "0123456789abcdef";
static struct kd_gdb_regs regs = {.rip = 0x1000, .fs_base = 0x7f00};
static uint64_t bp_addr;
static int bp_in;

static int t_get(void *c, int tid, struct kd_gdb_regs *r)
{
	*r = regs;
	return 0;
}
static int t_set(void *c, int tid, const struct kd_gdb_regs *r)
{
	regs = *r;
	return 0;
}
static long t_read(void *c, uint64_t a, void *b, size_t n)
{
	if (a < 0x1000 || a >= 0x1010)
		return 0;
	n = n < 0x1010 - a ? n : 0x1010 - a;
	memcpy(b, mem + (a - 0x1000), n);
	return (long)n;
}
static int t_write(void *c, uint64_t a, const void *b, size_t n)
{
	if (a < 0x1000 || a + n > 0x1010)
		return -14;
	memcpy(mem + (a - 0x1000), b, n);
	return 0;
}
static int t_bp(void *c, uint64_t a, int insert)
{
	bp_addr = a;
	bp_in = insert;
	return 0;
}
static int t_resume(void *c, int tid, int step, int sig, struct kd_gdb_stop *s)
{
	*s = (struct kd_gdb_stop){.kind = sig ? KD_GDB_STOP_KILLED : KD_GDB_STOP_EXITED,
				  .value = sig ? sig : 3};
	if (step)
		*s = (struct kd_gdb_stop){.kind = KD_GDB_STOP_SIGNAL, .value = SIGTRAP, .tid = tid};
	return 0;
}
static int t_threads(void *c, int *tids, int max)
{
	tids[0] = 1;
	return 1;
}
static void t_kill(void *c)
{
}
static const struct kd_gdb_target ops = {t_get, t_set,	  t_read,    t_write,
					 t_bp,	t_resume, t_threads, t_kill};

static char *ask(struct kd_gdb *g, const char *pkt, size_t len)
{
	static char reply[KD_GDB_PACKET_MAX + 1];
	long n = kd_gdb_handle(g, pkt, len, reply, sizeof(reply));
	assert_true(n >= 0);
	assert_int_equal(strlen(reply), (size_t)n);
	return reply;
}

#define ASK(g, s) ask(g, s, strlen(s))

static void packets(void **state)
{
	struct kd_gdb g = {.t = &ops,
			   .last = {.kind = KD_GDB_STOP_SIGNAL, .value = SIGTRAP, .tid = 1}};
	assert_non_null(
	    strstr(ASK(&g, "qSupported:multiprocess+;swbreak+"), "qXfer:features:read+"));
	assert_string_equal(ASK(&g, "?"), "T05thread:1;");
	assert_string_equal(ASK(&g, "m1000,4"), "30313233");
	assert_string_equal(ASK(&g, "m100e,8"), "6566"); /* what is readable */
	assert_string_equal(ASK(&g, "m2000,4"), "E0e");
	assert_string_equal(ASK(&g, "M1000,2:4142"), "OK");
	assert_string_equal(ASK(&g, "m1000,2"), "4142");
	assert_string_equal(ask(&g, "X1002,2:#}", 10), "OK"); /* binary, escapes undone */
	assert_string_equal(ASK(&g, "m1002,2"), "237d");
	assert_string_equal(ASK(&g, "Z0,1004,1"), "OK");
	assert_true(bp_in && bp_addr == 0x1004);
	assert_string_equal(ASK(&g, "z0,1004,1"), "OK");
	assert_false(bp_in);
	assert_string_equal(ASK(&g, "Z1,1004,1"), "");		 /* hardware: not supported */
	assert_string_equal(ASK(&g, "p10"), "0010000000000000"); /* rip */
	assert_string_equal(ASK(&g, "p3a"), "007f000000000000"); /* fs_base */
	assert_string_equal(ASK(&g, "P10=0020000000000000"), "OK");
	assert_int_equal(regs.rip, 0x2000);
	/* 'g': every register of the description, in hex. */
	assert_int_equal(strlen(ASK(&g, "g")),
			 2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 3 * 8));
	assert_string_equal(ASK(&g, "qfThreadInfo"), "m1");
	assert_string_equal(ASK(&g, "qsThreadInfo"), "l");
	assert_string_equal(ASK(&g, "Hg1"), "OK");
	assert_string_equal(ASK(&g, "Hg5"), "E03");
	assert_string_equal(ASK(&g, "vCont?"), "vCont;c;C;s;S");
	assert_string_equal(ASK(&g, "vCont;s:1"), "T05thread:1;");
	assert_string_equal(ASK(&g, "bogus"), "");
	assert_string_equal(ASK(&g, "c"), "W03");
	assert_true(g.done);
}

static void killed_with_gdb_signal_numbers(void **state)
{
	struct kd_gdb g = {.t = &ops, .last = {.tid = 1}};
	/* GDB's numbers differ from Linux's: SIGBUS (7) is GDB's 10, SIGUSR1 (10) its 30. */
	assert_string_equal(ASK(&g, "C0a"), "X0a"); /* GDB 10 is Linux SIGBUS, back as 10 */
	assert_string_equal(ASK(&g, "C1e"), "X1e"); /* GDB 30: SIGUSR1 */
	assert_string_equal(ASK(&g, "C0b"), "X0b"); /* SIGSEGV is 11 in both */
}

static void target_xml_in_pieces(void **state)
{
	struct kd_gdb g = {.t = &ops};
	char *r = ASK(&g, "qXfer:features:read:target.xml:0,20");
	assert_int_equal(r[0], 'm');
	assert_memory_equal(r + 1, "<?xml version=\"1.0\"?", 20);
	char pkt[64];
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,1000",
		 strlen(kd_gdb_target_xml) - 9);
	assert_string_equal(ASK(&g, pkt), "l</target>");
	assert_non_null(strstr(kd_gdb_target_xml, "<reg name=\"fs_base\" bitsize=\"64\""));
	assert_non_null(strstr(kd_gdb_target_xml,
			       "<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(frame_and_checksum),
	    cmocka_unit_test(receive_round_trip),
	    cmocka_unit_test(receive_bad_and_control),
	    cmocka_unit_test(packets),
	    cmocka_unit_test(killed_with_gdb_signal_numbers),
	    cmocka_unit_test(target_xml_in_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
