/* Unit tests: the page-table builder, walked back by kd_pt_lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vm/layout.h"
#include "vm/paging.h"

#define MiB (1ULL << 20)
#define FLAGS (KD_PTE_RW | KD_PTE_US)

static int chunks_added;
static int count_chunk(void *ctx, int idx, void *hva, uint64_t gpa, uint64_t len)
{
	chunks_added++;
	return 0;
}

static void test_4k_mapping_translates(void **state)
{
	struct kd_pt pt;
	uint64_t gpa, leaf;
	assert_int_equal(kd_pt_init(&pt, KD_GPA_PT, 1 * MiB, count_chunk, NULL), 0);
	assert_int_equal(kd_pt_map(&pt, 0x400000 + 0x3000, 0x100000000ULL, 0x2000, FLAGS, 1), 0);
	assert_int_equal(kd_pt_lookup(&pt, 0x403123, &gpa, &leaf), 0);
	assert_int_equal(gpa, 0x100000123ULL);
	assert_false(leaf & KD_PTE_PS);
	assert_true((leaf & FLAGS) == FLAGS);
	assert_int_equal(kd_pt_lookup(&pt, 0x402000, &gpa, NULL), -1);
	assert_int_equal(kd_pt_lookup(&pt, 0x405000, &gpa, NULL), -1);
	kd_pt_free(&pt);
}

static void test_2m_pages_only_where_aligned(void **state)
{
	struct kd_pt pt;
	uint64_t gpa, leaf;
	kd_pt_init(&pt, KD_GPA_PT, 1 * MiB, count_chunk, NULL);
	/* 1 MiB of 4K pages, then two 2 MiB pages, then 4K again. */
	kd_pt_map(&pt, 0x7f0000100000ULL, 0x200100000ULL, 6 * MiB, FLAGS, 1);
	assert_int_equal(pt.n2m, 2);
	assert_int_equal(pt.n4k, 256 + 256);
	assert_int_equal(kd_pt_lookup(&pt, 0x7f0000212345ULL, &gpa, &leaf), 0);
	assert_true(leaf & KD_PTE_PS);
	assert_int_equal(gpa, 0x200212345ULL);
	assert_int_equal(kd_pt_lookup(&pt, 0x7f00006fffffULL, &gpa, &leaf), 0);
	assert_false(leaf & KD_PTE_PS);
	kd_pt_free(&pt);
}

static void test_present_entries_are_never_changed(void **state)
{
	struct kd_pt pt;
	uint64_t gpa;
	kd_pt_init(&pt, KD_GPA_PT, 1 * MiB, count_chunk, NULL);
	kd_pt_map(&pt, 0x10000000, 0x300000000ULL, 0x1000, FLAGS, 1);
	kd_pt_map(&pt, 0x10000000, 0x400000000ULL, 0x1000, FLAGS, 1);
	kd_pt_lookup(&pt, 0x10000000, &gpa, NULL);
	assert_int_equal(gpa, 0x300000000ULL);
	/* A later 2 MiB request over an existing small-page table fills that table. */
	kd_pt_map(&pt, 0x10000000, 0x300000000ULL, 2 * MiB, FLAGS, 1);
	assert_int_equal(pt.n2m, 0);
	assert_int_equal(kd_pt_lookup(&pt, 0x101ff000, &gpa, NULL), 0);
	assert_int_equal(gpa, 0x3001ff000ULL);
	kd_pt_free(&pt);
}

static void test_kernel_half_and_pool_growth(void **state)
{
	struct kd_pt pt;
	uint64_t gpa, leaf;
	chunks_added = 0;
	kd_pt_init(&pt, KD_GPA_PT, 64 * 1024, count_chunk, NULL); /* 16 tables per chunk */
	kd_pt_map(&pt, KD_KBASE, KD_GPA_KAREA, 0x3000, KD_PTE_RW, 1);
	assert_int_equal(kd_pt_lookup(&pt, KD_KBASE + 0x2010, &gpa, &leaf), 0);
	assert_int_equal(gpa, KD_GPA_KAREA + 0x2010);
	assert_false(leaf & KD_PTE_US);
	/* Scattered 4K pages need many tables: the pool grows chunk by chunk. */
	for (uint64_t i = 0; i < 64; i++)
		assert_int_equal(
		    kd_pt_map(&pt, i << 30, 0x100000000ULL + (i << 12), 0x1000, FLAGS, 0), 0);
	assert_true(chunks_added > 4);
	assert_int_equal(kd_pt_lookup(&pt, 63ULL << 30, &gpa, NULL), 0);
	assert_int_equal(gpa, 0x100000000ULL + (63 << 12));
	kd_pt_free(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_4k_mapping_translates),
	    cmocka_unit_test(test_2m_pages_only_where_aligned),
	    cmocka_unit_test(test_present_entries_are_never_changed),
	    cmocka_unit_test(test_kernel_half_and_pool_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
