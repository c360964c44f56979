/* test_procfilter.c: kdune left out of the program's /proc/self/maps and smaps (procfilter.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine/procfilter.h"

/* kdune's ranges in these tests: its binary and heap, and a vCPU run page. */
static const uint64_t kdune[][2] = {
    {0x7f0000000000, 0x7f0000200000},
    {0x7ffff7ff0000, 0x7ffff7ff1000},
};

static bool ours(void *ctx, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < sizeof(kdune) / sizeof(kdune[0]); i++)
		if (s < kdune[i][1] && e > kdune[i][0])
			return true;
	return false;
}

static void expect(const char *in, const char *want)
{
	size_t len = strlen(in);
	char *out = malloc(len + 1);
	size_t n = kd_proc_filter_maps(in, len, out, ours, NULL);
	out[n] = 0;
	assert_string_equal(out, want);
	free(out);
}

#define PROG1                                                                                      \
	"555555554000-555555556000 r-xp 00000000 08:01 1234                       /usr/bin/cat\n"
#define PROG2                                                                                      \
	"555555556000-555555558000 rw-p 00002000 08:01 1234                       /usr/bin/cat\n"
#define KDUNE1                                                                                     \
	"7f0000000000-7f0000100000 r-xp 00000000 08:01 99                         "                \
	"/usr/bin/kdune\n"
#define KDUNE2 "7f0000100000-7f0000200000 rw-p 00000000 00:00 0 \n"
#define RUN                                                                                        \
	"7ffff7ff0000-7ffff7ff1000 rw-s 00000000 00:0f 7                          "                \
	"anon_inode:kvm-vcpu:0\n"
#define STACK "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
#define VSYS "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"

static void test_procfilter_maps_drops_kdune_lines_only(void **state)
{
	expect(PROG1 KDUNE1 PROG2 KDUNE2 RUN STACK VSYS, PROG1 PROG2 STACK VSYS);
}

static void test_procfilter_maps_unchanged_without_kdune(void **state)
{
	expect(PROG1 PROG2 STACK VSYS, PROG1 PROG2 STACK VSYS);
	expect("", "");
}

static void test_procfilter_mapping_partly_kdunes_is_dropped(void **state)
{
	/* A line overlapping a kdune range by one page is kdune's mapping. */
	expect("7effffff0000-7f0000001000 rw-p 00000000 00:00 0 \n" STACK, STACK);
	/* Ending exactly where kdune starts: the program's. */
	expect("7efffff00000-7f0000000000 rw-p 00000000 00:00 0 \n",
	       "7efffff00000-7f0000000000 rw-p 00000000 00:00 0 \n");
}

static void test_procfilter_last_line_without_newline(void **state)
{
	expect(PROG1 "7f0000000000-7f0000100000 r-xp 00000000 08:01 99 /usr/bin/kdune", PROG1);
	expect(KDUNE1 "555555554000-555555556000 r-xp 0 0 0 /usr/bin/cat",
	       "555555554000-555555556000 r-xp 0 0 0 /usr/bin/cat");
}

#define SMAPS_BODY                                                                                 \
	"Size:                  8 kB\nRss:                   4 kB\nVmFlags: rd ex mr mw me dw\n"

static void test_procfilter_smaps_drops_whole_blocks(void **state)
{
	expect(PROG1 SMAPS_BODY KDUNE1 SMAPS_BODY KDUNE2 SMAPS_BODY STACK SMAPS_BODY,
	       PROG1 SMAPS_BODY STACK SMAPS_BODY);
}

static void test_procfilter_classify_mem_of_any_process(void **state)
{
	assert_int_equal(kd_proc_classify("/proc/1234/mem", 1234), KD_PROC_MEM);
	assert_int_equal(kd_proc_classify("/proc/1234/task/1240/mem", 1234), KD_PROC_MEM);
	/* A child of the program is a kdune too. */
	assert_int_equal(kd_proc_classify("/proc/77/mem", 1234), KD_PROC_MEM);
	assert_int_equal(kd_proc_classify("/proc/1234/memx", 1234), KD_PROC_OTHER);
	/* procfs mounted elsewhere (a bind mount, a detached tree): the monitor checks fstatfs. */
	assert_int_equal(kd_proc_classify("/tmp/p/1234/mem", 1234), KD_PROC_MEM);
	assert_int_equal(kd_proc_classify("/77/task/78/mem", 1234), KD_PROC_MEM);
	assert_int_equal(kd_proc_classify("/proc/self/mem", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/proc/12a4/mem", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/home/mem", 1234), KD_PROC_OTHER);
	/* kdune's own VM and vCPUs, should the program reopen them (map_files, fd). */
	assert_int_equal(kd_proc_classify("anon_inode:kvm-vcpu:3", 1234), KD_PROC_KVM);
	assert_int_equal(kd_proc_classify("anon_inode:kvm-vm", 1234), KD_PROC_KVM);
	assert_int_equal(kd_proc_classify("anon_inode:[eventfd]", 1234), KD_PROC_OTHER);
}

static void test_procfilter_classify_own_maps_only(void **state)
{
	assert_int_equal(kd_proc_classify("/proc/1234/maps", 1234), KD_PROC_MAPS);
	assert_int_equal(kd_proc_classify("/proc/1234/smaps", 1234), KD_PROC_MAPS);
	assert_int_equal(kd_proc_classify("/proc/1234/task/1236/maps", 1234), KD_PROC_MAPS);
	assert_int_equal(kd_proc_classify("/proc/1234/maps", 4321), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/proc/1234/smaps_rollup", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/proc/1234/status", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/proc/1234/fd", 1234), KD_PROC_FD_DIR);
	assert_int_equal(kd_proc_classify("/proc/1234/task/1236/fdinfo", 1234), KD_PROC_FD_DIR);
	assert_int_equal(kd_proc_classify("/proc/1234/fd", 99), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/proc/1234/task//maps", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/mnt/p/1234/task/1236/maps", 1234), KD_PROC_MAPS);
	assert_int_equal(kd_proc_classify("/mnt/p/99/task/1234/maps", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("maps", 1234), KD_PROC_OTHER);
	assert_int_equal(kd_proc_classify("/maps", 1234), KD_PROC_OTHER);
}

static int hide_7_and_1023(long fd)
{
	return fd == 7 || fd == 1023;
}

/* Appends one getdents64 record. */
static size_t dirent64(uint8_t *buf, size_t at, const char *name)
{
	size_t reclen = (KD_DIRENT64_NAME + strlen(name) + 1 + 7) & ~(size_t)7;
	uint16_t r16 = (uint16_t)reclen;
	int64_t off = (int64_t)(at + reclen);
	memset(buf + at, 0, reclen);
	memcpy(buf + at + 8, &off, sizeof(off));
	memcpy(buf + at + 16, &r16, sizeof(r16));
	buf[at + 18] = 10; /* DT_LNK */
	strcpy((char *)buf + at + KD_DIRENT64_NAME, name);
	return at + reclen;
}

/* The names in a getdents64 buffer, space-separated. */
static void names(const uint8_t *buf, size_t len, char *out)
{
	out[0] = 0;
	for (size_t at = 0; at < len;) {
		uint16_t reclen;
		memcpy(&reclen, buf + at + 16, sizeof(reclen));
		strcat(out, (const char *)buf + at + KD_DIRENT64_NAME);
		strcat(out, " ");
		at += reclen;
	}
}

static void test_procfilter_fd_listing_without_kdune_fds(void **state)
{
	uint8_t buf[1024];
	char got[256];
	size_t n = 0;
	const char *in[] = {".", "..", "0", "1", "7", "70", "1023", "x7"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		n = dirent64(buf, n, in[i]);
	size_t m = kd_proc_filter_fd_dirents(buf, n, KD_DIRENT64_NAME, hide_7_and_1023);
	names(buf, m, got);
	assert_string_equal(got, ". .. 0 1 70 x7 ");
	/* Only kdune's: nothing left, which the caller must not take for the end. */
	n = dirent64(buf, 0, "1023");
	assert_int_equal(kd_proc_filter_fd_dirents(buf, n, KD_DIRENT64_NAME, hide_7_and_1023), 0);
}

static void test_procfilter_self_served_names(void **state)
{
	assert_true(kd_proc_self_served("/proc/self/exe", 1234));
	assert_true(kd_proc_self_served("/proc/thread-self/cmdline", 1234));
	assert_true(kd_proc_self_served("/proc/1234/exe", 1234));
	assert_false(kd_proc_self_served("/proc/1235/exe", 1234));
	assert_false(kd_proc_self_served("/proc/self/maps", 1234));
	assert_false(kd_proc_self_served("/proc/self/exe/x", 1234));
	assert_false(kd_proc_self_served("/etc/hostname", 1234));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_procfilter_maps_drops_kdune_lines_only),
	    cmocka_unit_test(test_procfilter_maps_unchanged_without_kdune),
	    cmocka_unit_test(test_procfilter_mapping_partly_kdunes_is_dropped),
	    cmocka_unit_test(test_procfilter_last_line_without_newline),
	    cmocka_unit_test(test_procfilter_smaps_drops_whole_blocks),
	    cmocka_unit_test(test_procfilter_classify_mem_of_any_process),
	    cmocka_unit_test(test_procfilter_classify_own_maps_only),
	    cmocka_unit_test(test_procfilter_self_served_names),
	    cmocka_unit_test(test_procfilter_fd_listing_without_kdune_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
